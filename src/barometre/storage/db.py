"""Engine creation and migrations: SQLite (WAL) by default, PostgreSQL by URL."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from barometre.errors import StorageError


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Open the database at ``url``; for SQLite, create its folder and switch on WAL."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StorageError(f"URL de base de données invalide : {url}") from exc
    kwargs: dict[str, Any] = {"future": True}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    else:
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(parsed, **kwargs)
    except (SQLAlchemyError, ImportError) as exc:
        raise StorageError(
            f"Base de données inaccessible ({parsed.render_as_string()}) : {exc}"
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config(engine: Engine) -> Config:
    script_location = resources.files("barometre.storage").joinpath("migrations")
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.attributes["engine"] = engine
    return config


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (idempotent)."""
    try:
        command.upgrade(alembic_config(engine), revision)
    except OperationalError as exc:
        raise StorageError(f"Migration impossible : {exc.orig}") from exc


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


def open_database(url: str) -> Engine:
    """Engine on an up-to-date schema: what every command uses."""
    engine = make_engine(url)
    try:
        if current_revision(engine) != head_revision(engine):
            upgrade(engine)
    except OperationalError as exc:
        raise StorageError(f"Base de données inaccessible : {exc.orig}") from exc
    return engine
