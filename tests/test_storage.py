"""Migrations and registry writes, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from dataclasses import replace

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, select, text

from barometre.errors import StorageError
from barometre.models import Account, Authority, AuthorityKind, Contact, Website
from barometre.storage import registry_repo
from barometre.storage.db import current_revision, downgrade, head_revision, open_database, upgrade
from barometre.storage.schema import authorities, metadata, websites


def _authority(code: str, site: str | None = None, **kw: object) -> Authority:
    sites = (Website(site, site.split("/")[2], "annuaire-2026", True),) if site else ()
    return Authority(
        kind=AuthorityKind.COMMUNE,
        code=code,
        name=f"Commune {code}",
        departement="40",
        region="75",
        population=100,
        websites=sites,
        contacts=(Contact("email", f"mairie@c{code}.fr", "annuaire-2026"),),
        **kw,  # type: ignore[arg-type]
    )


def test_migrations_build_exactly_the_declared_schema(any_engine: Engine) -> None:
    upgrade(any_engine)
    assert current_revision(any_engine) == head_revision(any_engine)
    with any_engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diff == []
    tables = set(inspect(any_engine).get_table_names())
    assert {
        "authorities",
        "websites",
        "accounts",
        "contacts",
        "editions",
        "captures",
        "check_results",
        "scores",
        "registry_imports",
    } <= tables


def test_downgrade_to_base_then_upgrade_again(any_engine: Engine) -> None:
    upgrade(any_engine)
    downgrade(any_engine, "base")
    assert "authorities" not in inspect(any_engine).get_table_names()
    upgrade(any_engine)
    assert "authorities" in inspect(any_engine).get_table_names()


def test_sqlite_runs_in_wal_mode(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_replace_registry_round_trip(any_engine: Engine) -> None:
    upgrade(any_engine)
    acc = Account("mastodon", "ville", "https://social.example.test/@ville", "annuaire-2026")
    items = [_authority("40001", "https://c40001.fr"), _authority("40002", accounts=(acc,))]
    registry_repo.replace_registry(any_engine, items, "test", {"joins": []})
    loaded = registry_repo.load_authorities(any_engine)
    assert loaded == items
    assert registry_repo.count_authorities(any_engine) == {"commune": 2}
    assert registry_repo.load_authorities(any_engine, codes=["40002"])[0].accounts == (acc,)


def test_reimport_marks_missing_authorities_inactive_and_keeps_user_rows(
    any_engine: Engine,
) -> None:
    upgrade(any_engine)
    registry_repo.replace_registry(any_engine, [_authority("40001"), _authority("40002")], "a", {})
    user = Authority(
        kind=AuthorityKind.COMMUNE,
        code="40001",
        name="Commune 40001",
        websites=(Website("https://mairie.test", "mairie.test", "user:x.csv", True),),
    )
    registry_repo.merge_user_rows(any_engine, [user], "x.csv", {})
    registry_repo.replace_registry(any_engine, [_authority("40001", "https://c40001.fr")], "b", {})
    active = registry_repo.load_authorities(any_engine)
    assert [a.code for a in active] == ["40001"]
    sites = active[0].websites
    assert sites[0].url == "https://mairie.test" and sites[0].primary  # the user's site wins
    assert [w.url for w in sites[1:]] == ["https://c40001.fr"] and not sites[1].primary
    with any_engine.connect() as connection:
        gone = connection.execute(
            select(authorities.c.active).where(authorities.c.id == "commune:40002")
        ).scalar_one()
    assert gone is False or gone == 0


def test_a_user_row_with_the_sources_url_merges_instead_of_breaking_the_rebuild(
    any_engine: Engine,
) -> None:
    """Issue 13, item 6: a user CSV giving a commune the site URL (or the account, or
    the e-mail) the sources already have; the user's row wins, no row is doubled."""
    upgrade(any_engine)
    acc = Account("mastodon", "ville", "https://social.example.test/@ville", "annuaire-2026")
    source = replace(_authority("40001", "https://c40001.fr"), accounts=(acc,))
    source = replace(
        source,
        websites=(*source.websites, Website("https://autre.fr", "autre.fr", "domaines", False)),
    )
    registry_repo.replace_registry(any_engine, [source], "a", {})
    mine = "user:corrections.csv"
    user = Authority(
        kind=AuthorityKind.COMMUNE,
        code="40001",
        name="Commune 40001",
        websites=(Website("https://c40001.fr", "c40001.fr", mine, True),),
        contacts=(Contact("email", "mairie@c40001.fr", mine),),
        accounts=(replace(acc, source=mine),),
    )
    # the user's import on top of the sources' rows: one row each, the user's
    registry_repo.merge_user_rows(any_engine, [user], "corrections.csv", {})
    # then the rebuild from the sources (raw or bundled), twice
    for origin in ("b", "c"):
        registry_repo.replace_registry(any_engine, [source], origin, {})
        (loaded,) = registry_repo.load_authorities(any_engine)
        assert [(w.url, w.source, w.primary) for w in loaded.websites] == [
            ("https://c40001.fr", mine, True),
            ("https://autre.fr", "domaines", False),
        ]
        assert [(c.value, c.source) for c in loaded.contacts] == [("mairie@c40001.fr", mine)]
        assert [(x.handle, x.source) for x in loaded.accounts] == [("ville", mine)]


def test_failed_write_leaves_the_database_as_it_was(any_engine: Engine) -> None:
    upgrade(any_engine)
    registry_repo.replace_registry(any_engine, [_authority("40001", "https://c40001.fr")], "a", {})
    before = registry_repo.load_authorities(any_engine)
    # Two sites with the same URL for one authority violate a unique constraint
    # after the authorities were already upserted: the whole import must roll back.
    bad = _authority("40009", "https://dup.fr")
    bad = replace(bad, websites=bad.websites * 2)
    with pytest.raises(StorageError, match="annulé"):
        registry_repo.replace_registry(any_engine, [_authority("40001"), bad], "b", {})
    assert registry_repo.load_authorities(any_engine) == before
    with any_engine.connect() as connection:
        assert connection.execute(select(websites.c.url)).scalars().all() == ["https://c40001.fr"]


def test_open_database_migrates_a_new_file(sqlite_url: str) -> None:
    engine = open_database(sqlite_url)
    assert current_revision(engine) == head_revision(engine)


def test_unreachable_postgres_gives_a_clear_error() -> None:
    with pytest.raises(StorageError, match="inaccessible"):
        # port 9 (discard) on loopback: nothing listens there
        open_database("postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2")
