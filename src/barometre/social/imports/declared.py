"""The declared-figures CSV: figures a collectivité states about its own accounts.

For closed platforms without an export (or whose export has no follower count, such
as LinkedIn's), a collectivité can declare its figures; each keeps
:attr:`~barometre.models.SocialSource.DECLARED` as its source, shown beside it. One
figure per row, French headers (``,`` or ``;`` separated, UTF-8 or Windows-1252):

=============  ==============================================================================
column         content
=============  ==============================================================================
``type``       type of collectivité, as in the registry CSV: ``region``, ``departement``,
               ``commune``, ``epci`` (accents and case do not matter; ``intercommunalite``
               is ``epci``)
``code``       its code: région ``\\d\\d``; département two digits, ``2A``, ``2B``, ``20R``, ``6AE``, ``69M`` or
               ``97x``/``98x`` (a province: its SIREN); commune INSEE code on 5 characters; EPCI SIREN on 9 digits (the
               registry says whether it exists)
``plateforme`` ``facebook``, ``instagram``, ``x`` (``twitter``), ``linkedin``, ``tiktok``,
               ``threads``… any platform name (lower case letters, digits, ``.-_``)
``compte``     the account's handle (``@`` optional); may be empty when ``url`` is given
``url``        the account's address (optional; ``http://`` or ``https://``)
``indicateur`` one of the closed list below (the id or one of its aliases)
``valeur``     a number ≥ 0, French or English notation (``12 345``, ``12345``); whole
               for counts
``date``       the day the figure was read: ``2026-10-31`` or ``31/10/2026``; not in the
               future
``note``       free text: how the figure was read (optional)
=============  ==============================================================================

Indicators (``formats.toml``, ``[formats.declared.metrics]``): ``followers`` (abonnés),
``following``, ``posts_total``, ``posts_30d``, ``posts_90d``, ``interactions_30d``,
``views_30d``, ``replies_30d``. A declared follower figure is also given as a
:class:`~barometre.models.FollowerCount` (source ``declared``), so that the follower
history is one series whatever its source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from barometre.models import AuthorityKind, FollowerCount, SocialSource
from barometre.social.imports.rows import Row, RowError, Source, convert_rows
from barometre.social.imports.values import CellError, normalize_handle, read_number
from barometre.vocab.authorities import kind_label, parse_kind
from barometre.vocab.text import fold


@dataclass(frozen=True)
class DeclaredFigure:
    """One figure declared by a collectivité about one of its accounts."""

    kind: str  # region | departement | commune | epci (AuthorityKind values)
    code: str
    platform: str
    handle: str
    url: str | None
    metric: str  # an id of DECLARED_METRICS
    value: float
    as_of: date
    note: str | None = None
    exact: bool = True  # False when written abbreviated (« 12,3 k »): a rounded figure

    @property
    def authority_id(self) -> str:
        return f"{self.kind}:{self.code}"


@dataclass(frozen=True)
class DeclaredMetric:
    id: str
    label: str  # French
    whole: bool
    aliases: tuple[str, ...]


_CODES = {
    AuthorityKind.REGION: (re.compile(r"\d{2}"), "deux chiffres, ex. 84"),
    AuthorityKind.DEPARTEMENT: (
        # the shape only: whether the code exists is the registry's answer (the sample
        # web's fictitious département is 99)
        # and the collectivités of the départements' group (registry/data/collectivites.csv):
        # 20R Corse, 6AE Alsace, 69M Lyon, 97x and 98x overseas, SIREN of the provinces
        re.compile(r"\d{2}|2A|2B|9[78]\d|20R|6AE|69M|\d{9}"),
        "deux chiffres, 2A, 2B, 971 à 988, 20R, 6AE, 69M ou le SIREN d'une province",
    ),
    AuthorityKind.COMMUNE: (
        re.compile(r"(?:\d{2}|2A|2B)\d{3}"),
        "code INSEE sur 5 caractères, ex. 01053 (zéro initial perdu par le tableur ?)",
    ),
    AuthorityKind.EPCI: (re.compile(r"\d{9}"), "SIREN sur 9 chiffres"),
}
_PLATFORM_ALIASES = {"twitter": "x", "fb": "facebook", "insta": "instagram"}
_PLATFORM_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,31}")


def metrics_of(source: Source) -> dict[str, DeclaredMetric]:
    """The closed list of indicators, by every accepted spelling (folded)."""
    table: dict[str, Any] = source.match.spec.tables.get("metrics", {})
    by_name: dict[str, DeclaredMetric] = {}
    for metric_id, raw in table.items():
        metric = DeclaredMetric(
            metric_id, str(raw["label"]), bool(raw["whole"]), tuple(raw.get("aliases", ()))
        )
        for name in (metric_id, *metric.aliases):
            by_name[fold(name).replace(" ", "_")] = metric
    return by_name


def extract(source: Source, today: date) -> tuple[list[DeclaredFigure], list[FollowerCount]]:
    metrics = metrics_of(source)
    metric_ids = sorted({m.id for m in metrics.values()})

    def convert(row: Row) -> DeclaredFigure:
        kind_text = row.require("kind")
        kind = parse_kind(kind_text)
        if kind is None:
            raise RowError(
                f"type de collectivité inconnu « {kind_text} » (attendus : region, "
                "departement, commune, epci)",
                row.column("kind"),
            )
        code = row.require("code").upper()
        pattern, expected = _CODES[kind]
        if not pattern.fullmatch(code):
            raise RowError(
                f"code {kind_label(kind)} invalide « {code} » ({expected})", row.column("code")
            )
        platform_text = row.require("platform")
        platform = fold(platform_text).replace(" ", "")
        platform = _PLATFORM_ALIASES.get(platform, platform)
        if not _PLATFORM_NAME.fullmatch(platform):
            raise RowError(f"plateforme invalide « {platform_text} »", row.column("platform"))
        url = row.text("url")
        if url is not None and not url.lower().startswith(("http://", "https://")):
            raise RowError(
                f"adresse invalide « {url} » (http:// ou https:// attendu)", row.column("url")
            )
        handle = normalize_handle(row.text("handle") or _last_segment(url) or "")
        if not handle:
            raise RowError("compte absent (ni compte, ni url)", row.column("handle"))
        metric_text = row.require("metric")
        metric = metrics.get(fold(metric_text).replace(" ", "_"))
        if metric is None:
            raise RowError(
                f"indicateur inconnu « {metric_text} » (attendus : {', '.join(metric_ids)})",
                row.column("metric"),
            )
        value, exact = _value(row, metric)
        when = row.when("date")
        if when is None:
            raise RowError("date absente", row.column("date"))
        as_of = when.at.date()
        if as_of > today:
            raise RowError(f"date dans le futur « {as_of.isoformat()} »", row.column("date"))
        return DeclaredFigure(
            kind=kind.value,
            code=code,
            platform=platform,
            handle=handle,
            url=url,
            metric=metric.id,
            value=value,
            as_of=as_of,
            note=row.text("note"),
            exact=exact,
        )

    figures: list[DeclaredFigure] = []
    followers: list[FollowerCount] = []
    seen: dict[tuple[str, str, str, str, str, date], int] = {}
    for line, figure in convert_rows(source, convert):
        key = (
            figure.kind,
            figure.code,
            figure.platform,
            figure.handle,
            figure.metric,
            figure.as_of,
        )
        if key in seen:
            message = (
                f"chiffre en double : {figure.authority_id}, {figure.platform} "
                f"« {figure.handle} », {figure.metric} au {figure.as_of.isoformat()} "
                f"(déjà ligne {seen[key]})"
            )
            if source.strict:
                raise source.fail(message, line)
            source.warn(f"ligne {line} ignorée : {message}")
            continue
        seen[key] = line
        figures.append(figure)
        if figure.metric == "followers":
            followers.append(
                FollowerCount(
                    figure.platform,
                    figure.handle,
                    figure.as_of,
                    int(figure.value),
                    SocialSource.DECLARED,
                    figure.exact,
                )
            )
    return figures, followers


def _value(row: Row, metric: DeclaredMetric) -> tuple[float, bool]:
    """The figure and whether it is exact (an abbreviated « 12,3 k » is rounded)."""
    raw = row.raw("value")
    try:
        number = read_number(raw, decimal_comma=row.source.decimal_comma)
    except CellError as exc:
        raise RowError(str(exc), row.column("value")) from None
    if number is None:
        raise RowError("valeur absente", row.column("value"))
    if number.percent:
        raise RowError(f"pourcentage « {raw} » : un nombre est attendu", row.column("value"))
    if number.value < 0:
        raise RowError(f"valeur négative « {raw} »", row.column("value"))
    if number.abbreviated:
        row.abbreviated.append((row.column("value"), str(raw).strip()))
        return (float(number.rounded()) if metric.whole else number.value), False
    if metric.whole and number.value != int(number.value):
        raise RowError(
            f"nombre entier attendu pour « {metric.label} », pas « {raw} »", row.column("value")
        )
    return number.value, True


def _last_segment(url: str | None) -> str | None:
    if not url:
        return None
    segments = [s for s in urlsplit(url).path.split("/") if s]
    return segments[-1] if segments else None
