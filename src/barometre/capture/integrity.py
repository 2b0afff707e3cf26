"""Read an edition's index back against its WARC files: every row must find its record.

The capture reads a site's index back before marking the site complete; the audit reads
it back before replaying the archive; ``barometre edition check`` reads back a whole
edition. A row is intact when the bytes it points to are exactly one whole WARC record
for its URL, with verified digests, hashing to the index's SHA-256.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine

from barometre.net.warc import check_record
from barometre.storage import capture_repo
from barometre.vocab import fr


class IndexRow(Protocol):
    @property
    def url(self) -> str: ...
    @property
    def warc_path(self) -> str: ...
    @property
    def warc_offset(self) -> int: ...
    @property
    def warc_length(self) -> int: ...
    @property
    def sha256(self) -> str | None: ...


def index_problems(rows: Iterable[IndexRow]) -> list[str]:
    """What is wrong with each row that does not read back (French), in index order."""
    problems: list[str] = []
    by_path: dict[str, list[IndexRow]] = {}
    for row in rows:
        by_path.setdefault(row.warc_path, []).append(row)
    for name, items in by_path.items():
        path = Path(name)
        try:
            with path.open("rb") as handle:
                for row in items:
                    problem = check_record(
                        handle, row.warc_offset, row.warc_length, row.url, row.sha256
                    )
                    if problem is not None:
                        problems.append(problem)
        except OSError as exc:
            problems.extend(
                f"{row.url} : archive {path.name} illisible ({exc.strerror or exc})"
                for row in items
            )
    return problems


def damage_summary(problems: list[str], records: int) -> str:
    """One French sentence for a site whose index does not read back."""
    count = len(problems)
    more = f" (et {fr.count(count - 1, 'autre')})" if count > 1 else ""
    return (
        f"archive endommagée : {fr.count(count, 'enregistrement indexé', 'enregistrements indexés')}"
        f" sur {fr.integer(records)} {fr.plural(count, 'illisible')} ; {problems[0]}{more}"
    )


@dataclass(frozen=True)
class SiteDamage:
    authority_id: str
    paths: tuple[str, ...]
    records: int
    problems: list[str]

    def describe(self) -> str:
        return damage_summary(self.problems, self.records)


@dataclass
class ArchiveCheck:
    edition: str
    sites: int = 0
    records: int = 0
    damaged: list[SiteDamage] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.damaged


def check_edition_archives(
    engine: Engine,
    edition: str,
    *,
    authority_ids: Iterable[str] | None = None,
    on_site: Callable[[str], None] | None = None,
) -> ArchiveCheck:
    """Read every index row of the edition (or of some collectivités) back."""
    report = ArchiveCheck(edition)
    for authority_id, rows in capture_repo.iter_site_indexes(engine, edition, authority_ids):
        report.sites += 1
        report.records += len(rows)
        problems = index_problems(rows)
        if problems:
            paths = tuple(dict.fromkeys(str(r.warc_path) for r in rows))
            report.damaged.append(SiteDamage(authority_id, paths, len(rows), problems))
        if on_site is not None:
            on_site(authority_id)
    return report
