"""Settings: defaults < ``barometre.toml`` < ``BAROMETRE_*`` environment < command-line flags.

One name, three spellings: ``data_dir`` in the TOML file, ``BAROMETRE_DATA_DIR`` in the
environment, ``--data-dir`` on the command line.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from barometre.errors import ConfigurationError

CONFIG_FILE_ENV = "BAROMETRE_CONFIG"
DEFAULT_CONFIG_FILE = Path("barometre.toml")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BAROMETRE_",
        extra="forbid",
        toml_file=DEFAULT_CONFIG_FILE,
    )

    data_dir: Path = Path("data")
    """Where the database, WARC archives and published site live."""

    database_url: str | None = None
    """SQLAlchemy URL; SQLite in ``data_dir`` when unset (PostgreSQL: ``postgresql+psycopg://…``)."""

    user_agent: str = (
        "BarometreNumeriqueTerritoires/0.1 (+https://barometre-numerique.invalid/robot)"
    )
    """Sent with every request; must name a contact page."""

    capture_allow_networks: list[str] = []
    """Networks the crawler may reach despite the SSRF guard (e.g. ``127.0.0.1/32`` for
    the sample web). Empty by default: private, loopback and link-local are refused."""

    capture_max_fetches: int = 25
    """Requests per site and edition (robots.txt and redirects included)."""

    capture_sites_in_flight: int = 256
    """Sites captured at the same time, each a different host. A site's requests go one
    at a time with ``capture_per_host_delay`` between two, about 25 s per site: 256
    sites in flight capture the ≈ 22,000 official sites in under an hour on one machine
    (benchmarks/national.py), and no host sees more than one request at a time."""

    capture_per_host_delay: float = 1.0
    capture_timeout: float = 60.0
    """Total time allowed for one request, body included (seconds)."""

    social_youtube_key: str | None = None
    """YouTube Data API key (optional: subscriber counts; videos come from the public feed)."""

    social_meta_token: str | None = None
    """Meta Ad Library token (optional: sponsored posts of Facebook pages)."""

    social_bluesky_appview: str = "https://public.api.bsky.app"
    social_youtube_web: str = "https://www.youtube.com"
    social_youtube_api: str = "https://www.googleapis.com/youtube/v3"
    social_meta_graph: str = "https://graph.facebook.com/v21.0"
    social_window_days: int = 90
    """Posts are read over this many days before the edition's reference date."""

    social_accounts_in_flight: int = 8
    social_per_host_delay: float = 1.0
    """Seconds between two requests to one platform host (Mastodon allows 300 per 5 min)."""

    publish_publisher: str | None = None
    """Who publishes the site (legal notice): name and address."""
    publish_director: str | None = None
    """Directeur ou directrice de la publication (legal notice)."""
    publish_host: str | None = None
    """The site's host: name, address, telephone (legal notice)."""
    publish_dpo: str | None = None
    """Délégué à la protection des données of the publisher (privacy notice)."""
    publish_base_url: str | None = None
    """Public address of the site (``https://…/``): canonical links, sitemap.xml, robots.txt."""
    publish_contact: str | None = None
    """Contact e-mail or page for visitors and collectivités (explanations, disputes)."""

    smtp_host: str | None = None
    """SMTP server of ``barometre notify --send`` (none: messages are only written)."""
    smtp_port: int = 587
    smtp_starttls: bool = True
    """Upgrade the connection with STARTTLS before authenticating (port 587)."""
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_sender: str | None = None
    """``From`` of the messages: ``Baromètre <contact@exemple.fr>``."""
    smtp_timeout: float = 30.0
    notify_delay: float = 2.0
    """Seconds between two messages sent (politeness towards the SMTP server)."""
    notify_optout: Path | None = None
    """File of addresses or collectivités (``commune:75056``) never to write to, one a line."""
    workers_concurrency: int = 8
    """Tasks one worker runs at the same time (``barometre worker``)."""
    workers_heartbeat: float = 10.0
    """Seconds between two heartbeats of a worker in the queue's database."""
    workers_stalled_after: float = 60.0
    """A worker silent for this long is taken for dead: its tasks go to another worker."""
    workers_stalled_cron: str = "* * * * *"
    """How often the workers look for the tasks of dead workers (cron; a 6th field counts
    seconds)."""
    workers_max_attempts: int = 5
    """Attempts of a task before it is recorded as failed (waits between them double)."""
    workers_retry_wait: int = 2
    """Base of the waits between two attempts of a task (seconds: 2, 4, 8, 16…)."""

    schedule_enabled: bool = False
    """Run the barometer by itself every month (the workers open, capture, audit, score,
    freeze, export and publish the month's edition)."""
    schedule_cron: str = "0 2 1 * *"
    """When the monthly edition starts (cron, UTC): the 1st of the month at 02:00."""
    schedule_kinds: list[str] = ["region", "departement"]
    """Types of collectivités whose sites the monthly edition captures."""
    schedule_render: bool = False
    """Render the home pages in the monthly edition (workers with Chromium)."""

    @field_validator("capture_allow_networks")
    @classmethod
    def _check_networks(cls, value: list[str]) -> list[str]:
        import ipaddress

        for network in value:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError as exc:
                raise ValueError(f"réseau invalide « {network} »") from exc
        return value

    @field_validator("workers_stalled_cron", "schedule_cron")
    @classmethod
    def _check_cron(cls, value: str) -> str:
        from croniter import croniter  # type: ignore[import-untyped]  # Procrastinate's parser

        if not croniter.is_valid(value):
            raise ValueError(
                f"expression cron invalide « {value} » (attendu : minute heure jour mois "
                "jour-de-semaine, par exemple « 0 2 1 * * »)"
            )
        return value

    @field_validator("schedule_kinds")
    @classmethod
    def _check_kinds(cls, value: list[str]) -> list[str]:
        known = ("region", "departement", "commune", "epci")
        for kind in value:
            if kind not in known:
                raise ValueError(f"type inconnu « {kind} » (attendu : {', '.join(known)})")
        return value

    @field_validator("workers_concurrency", "workers_max_attempts", "workers_retry_wait")
    @classmethod
    def _check_positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError("au moins 1 attendu")
        return value

    @field_validator("database_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is not None and "://" not in value:
            raise ValueError("URL de base de données invalide (attendu : dialecte://…)")
        return value or None

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'barometre.sqlite3').resolve()}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = Path(os.environ.get(CONFIG_FILE_ENV, DEFAULT_CONFIG_FILE))
        toml = TomlConfigSettingsSource(settings_cls, toml_file=toml_path)
        # Earlier sources win: flags, then environment, then the TOML file, then defaults.
        return (init_settings, env_settings, toml)


def load_settings(**overrides: Any) -> Settings:
    """Build the settings, turning validation problems into one clear French error."""
    explicit = {key: value for key, value in overrides.items() if value is not None}
    config = os.environ.get(CONFIG_FILE_ENV)
    if config and not Path(config).is_file():
        raise ConfigurationError(f"Fichier de configuration introuvable : {config}")
    try:
        return Settings(**explicit)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'configuration'} : {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigurationError(f"Réglages invalides — {problems}") from exc
    except (OSError, ValueError) as exc:  # unreadable or malformed TOML file
        raise ConfigurationError(f"Fichier de configuration illisible : {exc}") from exc
