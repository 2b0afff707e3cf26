"""Engine creation and migrations: SQLite (WAL) by default, PostgreSQL by URL.

Every engine translates the errors that come from the database's surroundings (a file
that is not a database, a damaged or locked one, a read-only folder, a server out of
reach) into a French :class:`~barometre.errors.StorageError` naming the database, at the
one place every statement goes through (SQLAlchemy's ``handle_error`` event); errors of
the program itself (constraints, SQL) keep their own type.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from barometre.errors import StorageError, os_reason

BUSY_TIMEOUT_MS = 30_000
"""How long SQLite waits for another writer (unless the URL sets ``?timeout=`` seconds)."""

_SQLITE_PROBLEMS = (
    (
        "file is not a database",
        "ce fichier n'est pas une base SQLite (autre type de fichier, ou base écrasée) ; "
        "vérifiez --data-dir ou --database-url, ou déplacez ce fichier pour repartir d'une "
        "base neuve",
    ),
    (
        "database disk image is malformed",
        "base de données endommagée ; restaurez une sauvegarde, ou récupérez ce qui peut "
        "l'être avec « sqlite3 {where} .recover »",
    ),
    (
        "database is locked",
        "base verrouillée par une autre commande barometre qui y écrit ; relancez celle-ci "
        "quand l'autre aura fini",
    ),
    ("database table is locked", "table verrouillée par une autre commande ; relancez-la"),
    (
        "readonly database",
        "base en lecture seule ; vérifiez les droits d'écriture sur le fichier et sur son "
        "dossier (SQLite y écrit son journal)",
    ),
    (
        "unable to open database file",
        "base impossible à ouvrir ; vérifiez que son dossier existe et qu'il est accessible "
        "en écriture (SQLite y écrit son journal)",
    ),
    ("disk i/o error", "erreur d'entrée-sortie du disque"),
    ("database or disk is full", "disque plein ; libérez de la place puis relancez"),
)


def describe_database(url: URL) -> str:
    """The database as the user knows it: a file path, or the URL without its password."""
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return "base SQLite en mémoire"
        return str(Path(url.database).resolve())
    return url.render_as_string(hide_password=True)


def database_problem(url: URL, context: ExceptionContext) -> StorageError | None:
    """The French error for a failure of the database's surroundings, or ``None`` when
    the failure is the program's own (it then keeps its type and traceback)."""
    original = context.original_exception
    where = describe_database(url)
    if url.get_backend_name() == "sqlite":
        text = str(original).lower()
        for marker, problem in _SQLITE_PROBLEMS:
            if marker in text:
                return StorageError(f"{where} : {problem.format(where=where)}.")
        return None
    if not isinstance(context.sqlalchemy_exception, OperationalError):
        return None
    first = (str(original).strip().splitlines() or [type(original).__name__])[0]
    if context.connection is None:  # connecting
        return StorageError(f"Base de données inaccessible ({where}) : {first}")
    if context.is_disconnect:
        return StorageError(f"Connexion à la base perdue ({where}) : {first} ; relancez.")
    return None


def _translate_errors(engine: Engine, url: URL) -> None:
    def handle(context: ExceptionContext) -> None:
        if context.is_pre_ping:  # the pool reconnects by itself
            return
        problem = database_problem(url, context)
        if problem is not None:
            raise problem from context.original_exception

    event.listen(engine, "handle_error", handle)


def _sqlite_pragmas(busy_ms: int | None) -> Any:
    def pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        if busy_ms is not None:
            cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        cursor.close()

    return pragmas


def make_engine(url: str) -> Engine:
    """Open the database at ``url``; for SQLite, create its folder and switch on WAL."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StorageError(f"URL de base de données invalide : {url}") from exc
    kwargs: dict[str, Any] = {"future": True}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(
                    f"{folder} : dossier de la base impossible à créer ({os_reason(exc)}) ; "
                    "choisissez un dossier accessible en écriture (--data-dir)."
                ) from exc
    else:
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(parsed, **kwargs)
    except (SQLAlchemyError, ImportError) as exc:
        raise StorageError(
            f"Base de données inaccessible ({parsed.render_as_string()}) : {exc}"
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        busy = None if "timeout" in parsed.query else BUSY_TIMEOUT_MS
        event.listen(engine, "connect", _sqlite_pragmas(busy))
    _translate_errors(engine, parsed)
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
        raise StorageError(
            f"Migration impossible ({describe_database(engine.url)}) : {exc.orig}"
        ) from exc


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


def open_database(url: str) -> Engine:
    """Engine on an up-to-date schema: what every command uses."""
    engine = make_engine(url)
    try:
        if current_revision(engine) != head_revision(engine):
            upgrade(engine)
    except OperationalError as exc:
        raise StorageError(
            f"Base de données inaccessible ({describe_database(engine.url)}) : {exc.orig}"
        ) from exc
    return engine
