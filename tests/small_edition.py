"""A small scored edition (three communes, twelve criteria each), for the tests of
partial outputs and of errors: enough for the site, the exports and every command."""

from __future__ import annotations

from sqlalchemy import Engine

from barometre.methodology import bundled
from barometre.models import Authority, AuthorityKind, CheckResult, Evidence, Status, Website
from barometre.scoring.run import score_edition
from barometre.storage import audit_repo, capture_repo, registry_repo

EDITION = "2026-11"
CODES = ("99001", "99002", "99003")


def town(code: str, population: int) -> Authority:
    return Authority(
        AuthorityKind.COMMUNE,
        code,
        f"Commune {code}",
        population=population,
        departement="99",
        websites=(Website(f"https://www.c{code}.test/", f"www.c{code}.test", "test", True),),
    )


def build_small_edition(engine: Engine) -> None:
    grid = bundled()
    towns = [town(code, 1000 + 100 * i) for i, code in enumerate(CODES)]
    registry_repo.replace_registry(engine, towns, "test", {})
    capture_repo.ensure_edition(engine, EDITION, f"Édition {EDITION}")
    results = []
    for i, authority in enumerate(towns):
        for criterion in grid.criteria[:12]:
            status = Status.PASS if (i + len(criterion.id)) % 2 else Status.FAIL
            results.append(
                CheckResult(
                    authority.id,
                    criterion.id,
                    "1",
                    status,
                    1.0 if status is Status.PASS else 0.0,
                    evidence=(Evidence(url=f"https://www.c{authority.code}.test/", text="vu"),),
                )
            )
    audit_repo.store_many(engine, EDITION, results)
    score_edition(engine, EDITION, grid)
