"""The indicator catalogue: loading and validation, the pure computation per peer group,
the series per edition and the follower progressions."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert

from barometre.errors import MethodologyError
from barometre.indicators import series
from barometre.indicators.compute import (
    Facts,
    Member,
    Value,
    compute,
    dominant_mode,
    evaluate,
)
from barometre.indicators.report import format_change, rows
from barometre.methodology import available, bundled
from barometre.methodology.indicators import CATALOGUE, parse
from barometre.methodology.indicators import bundled as bundled_catalogue
from barometre.models import Authority, AuthorityKind
from barometre.storage import indicator_repo
from barometre.storage.db import open_database
from barometre.storage.schema import authorities, editions, social_profiles
from barometre.vocab.platforms import PLATFORMS

GRID = bundled()
# every category a discoverer of checks/discovery.py (or checks/media.py) files findings in
DISCOVERY_CATEGORIES = (
    "social",
    "app",
    "newsletter",
    "feed",
    "participation",
    "service",
    "opendata",
    "cms",
    "provider",
    "media",
)


def test_the_catalogue_covers_every_criterion_and_discovery_category() -> None:
    catalogue = bundled_catalogue()
    assert "indicators" not in available()  # the catalogue is no methodology version
    ids = catalogue.ids
    assert len(ids) == len(set(ids))
    for criterion in GRID.criteria:
        assert f"critere.{criterion.id}" in ids
    covered = {i.category for i in catalogue.indicators if i.kind == "finding"}
    covered |= {"social"} if any(i.kind == "platforms" for i in catalogue.indicators) else set()
    assert set(DISCOVERY_CATEGORIES) <= covered
    for platform in PLATFORMS:
        assert catalogue.get(f"reseaux.{platform}").platforms == (platform,)
    # the seed figures of the earlier barometers each have their indicator
    references = [i for i in catalogue.indicators if i.reference]
    assert len(references) >= 9
    assert catalogue.get("reseaux.facebook").reference.startswith("Collectivités sur Facebook")
    assert catalogue.get("reseaux.x").reference == "Départements sur Twitter : 48 %"
    assert catalogue.get("reseaux.instagram").reference == ""


BASE = """
version = "t"
[[sections]]
id = "s"
title = "S"
"""


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            'id = "a.b"\nsection = "s"\nlabel = "A"\ndefinition = "D"\nkind = "nope"',
            "indicateur « a.b » : kind",
        ),
        (
            'id = "a.b"\nsection = "s"\nlabel = "A"\ndefinition = "D"\nkind = "criterion"\n'
            'criteria = ["presence.inconnu"]',
            "indicateur « a.b » : critère « presence.inconnu » absent de la méthodologie",
        ),
        (
            'id = "a.b"\nsection = "s"\nlabel = "A"\ndefinition = "D"\nkind = "finding"',
            "indicateur « a.b » : le champ « category » est requis",
        ),
        (
            'id = "a.b"\nsection = "x"\nlabel = "A"\ndefinition = "D"\nkind = "site"',
            "section « x » absente",
        ),
        (
            'id = "A b"\nsection = "s"\nlabel = "A"\ndefinition = "D"\nkind = "site"',
            "identifiant attendu en minuscules",
        ),
        (
            'id = "a.b"\nsection = "s"\nlabel = "A"\nkind = "site"',
            "definition",
        ),
    ],
)
def test_bad_entries_name_the_file_and_the_indicator(entry: str, message: str) -> None:
    with pytest.raises(MethodologyError) as error:
        parse(f"{BASE}\n[[indicator]]\n{entry}\n", "indicateurs.toml", GRID)
    assert str(error.value).startswith("indicateurs.toml")
    assert message in str(error.value)


def test_duplicated_ids_and_bad_toml() -> None:
    entry = (
        '[[indicator]]\nid = "a.b"\nsection = "s"\nlabel = "A"\ndefinition = "D"\nkind = "site"\n'
    )
    with pytest.raises(MethodologyError, match=r"indicateur « a\.b » : identifiant en double"):
        parse(BASE + entry + entry, "x.toml", GRID)
    with pytest.raises(MethodologyError, match=r"x\.toml : TOML invalide"):
        parse("version = ", "x.toml", GRID)
    with pytest.raises(MethodologyError, match=r"x\.toml : aucun indicateur"):
        parse(BASE, "x.toml", GRID)
    assert CATALOGUE == "indicators.toml"


# --- the computation, by hand ---------------------------------------------------------------


def _member(code: str, kind: AuthorityKind, population: int, site: bool = True) -> Member:
    authority = Authority(kind, code, f"Ville {code}", population=population, departement="99")
    group = (
        "commune:1"
        if kind is AuthorityKind.COMMUNE and population < 500
        else ("commune:5" if kind is AuthorityKind.COMMUNE else kind.value)
    )
    return Member(authority, f"{kind.value}:{code}", group, site)


def _facts() -> Facts:
    small = _member("00001", AuthorityKind.COMMUNE, 300)
    big = _member("00002", AuthorityKind.COMMUNE, 20_000)
    bare = _member("00003", AuthorityKind.COMMUNE, 200, site=False)
    region = _member("11", AuthorityKind.REGION, 5_000_000)
    facts = Facts([small, big, bare, region], top_communes=1)
    facts.statuses = {
        small.id: {"technique.mobile": "pass", "presence.reseaux_sociaux": "pass"},
        big.id: {"technique.mobile": "fail", "presence.reseaux_sociaux": "partial"},
        # the région's site was not read: T7 and P4 are not measurable (no row)
    }
    facts.findings = {
        small.id: {("app", "panneaupocket"), ("social", "facebook")},
        big.id: {("social", "facebook"), ("social", "x")},
    }
    facts.found_accounts = {
        small.id: {("facebook", "petiteville")},
        big.id: {("facebook", "grandeville"), ("x", "grandeville")},
    }
    facts.profiles = {
        (big.id, "facebook", "1"): 1000,
        (big.id, "x", "2"): 50,
        (region.id, "mastodon", "3"): 10,
    }
    facts.metrics = {
        (big.id, "facebook", "1"): {
            "republication_share": 0.4,
            "good_practice_level": 4.0,
            "mode_information": 0.2,
            "mode_conversation": 0.6,
            "mode_promotion": 0.1,
            "mode_mobilisation": 0.1,
        },
        (big.id, "x", "2"): {"republication_share": 0.0, "good_practice_level": 2.0},
    }
    return facts


def _value(indicator_id: str, group: str = "ensemble") -> Value:
    catalogue = bundled_catalogue()
    values = compute(catalogue, _facts(), GRID)
    return next(v for v in values if (v.indicator, v.group) == (indicator_id, group))


def _counts(v: Value) -> tuple[float, int, int, int]:
    return v.numerator, v.denominator, v.measured, v.eligible


def test_criterion_indicator_completes_missing_results_like_the_scoring() -> None:
    # T7: two communes measured (1 pass); the région has a site but no result: not
    # measurable (eligible, not measured); the commune without a site: not applicable
    assert _counts(_value("sites.responsive")) == (1, 2, 2, 3)
    assert _value("sites.responsive").value == 0.5
    assert _value("sites.responsive", "region").value is None  # « non mesuré »
    assert _counts(_value("sites.responsive", "region")) == (0, 0, 0, 1)


def test_platform_indicators_use_site_and_social_layer() -> None:
    # measured: P4 measured (2 communes) or an account read (the région): 3 of 4
    assert _counts(_value("reseaux.facebook")) == (2, 3, 3, 4)
    assert _counts(_value("reseaux.facebook_et_x")) == (1, 3, 3, 4)
    assert _counts(_value("reseaux.mastodon", "region")) == (1, 1, 1, 1)
    # accounts per collectivité: 1 (found) + 2 (read) + 1 (read) over 3
    mean = _value("reseaux.comptes_par_collectivite")
    assert _counts(mean) == (4, 3, 3, 4) and mean.value == pytest.approx(4 / 3)


def test_finding_and_top_commune_indicators() -> None:
    # read: P5 never stored; an app finding says the site was read (small); eligible: sites
    assert _counts(_value("sites.application")) == (1, 1, 1, 3)
    assert _counts(_value("sites.application_panneaupocket")) == (1, 1, 1, 3)
    assert _counts(_value("sites.application_intramuros")) == (0, 1, 1, 3)
    # the one biggest commune (top_communes = 1): no app, T7 failed
    either = _value("grandes_villes.application_ou_site_mobile", "commune")
    assert _counts(either) == (0, 1, 1, 1)
    assert _value("recherche.premier_resultat").value is None  # no connector: « non mesuré »


def test_account_level_indicators() -> None:
    assert _counts(_value("pratiques.republication")) == (1, 2, 2, 3)
    assert _counts(_value("pratiques.mode_conversation")) == (1, 1, 1, 3)
    level = _value("pratiques.bonnes_pratiques")
    assert level.value == 3.0 and level.detail == {"repartition": {"2": 1, "4": 1}}
    facebook = _value("pratiques.bonnes_pratiques.facebook")
    assert facebook.value == 4.0 and facebook.unit == "comptes"
    assert _value("pratiques.bonnes_pratiques.tiktok").value is None


def test_adaptation_counts_only_the_accounts_compared_and_is_not_measured_without() -> None:
    facts = _facts()
    big = facts.members[1]
    # the big commune's two accounts were compared: one copies 80 % of its posts, the
    # other 10 %; the région's single account carries no comparison (not eligible)
    facts.metrics[(big.id, "facebook", "1")]["cross_post_share"] = 0.8
    facts.metrics[(big.id, "x", "2")]["cross_post_share"] = 0.1
    catalogue = bundled_catalogue()
    values = {(v.indicator, v.group): v for v in compute(catalogue, facts, GRID)}
    adapts = values[("pratiques.adaptation_par_plateforme", "ensemble")]
    assert _counts(adapts) == (1, 2, 2, 2) and adapts.unit == "comptes"
    # an account compared without a comparable post: eligible, not measured
    facts = _facts()
    facts.metrics[(big.id, "facebook", "1")]["cross_post_share"] = None
    facts.metrics[(big.id, "x", "2")]["cross_post_share"] = 0.0
    values = {(v.indicator, v.group): v for v in compute(catalogue, facts, GRID)}
    assert _counts(values[("pratiques.adaptation_par_plateforme", "ensemble")]) == (1, 1, 1, 2)
    # nobody compared: « non mesuré », not 0 %
    none = _value("pratiques.adaptation_par_plateforme")
    assert _counts(none) == (0, 0, 0, 0) and none.value is None


def test_dominant_mode_pools_the_posts_of_every_account() -> None:
    # 10 posts mostly informative + 4 posts all conversational: 6 information, 8 conversation
    pooled = dominant_mode(
        [
            {"mode_information": (0.6, 10), "mode_conversation": (0.4, 10)},
            {"mode_information": (0.0, 4), "mode_conversation": (1.0, 4)},
        ]
    )
    assert pooled == "conversation"
    assert dominant_mode([{"mode_information": (0.5, 4), "mode_conversation": (0.5, 4)}]) is None
    assert dominant_mode([{"mode_information": (None, None)}]) is None


def test_mode_switch_counts_and_lists_who_moved_since_the_previous_edition() -> None:
    catalogue = bundled_catalogue()
    facts = _facts()
    small, big, _bare, region = facts.members
    facts.modes = {small.id: "conversation", big.id: "conversation", region.id: "information"}
    # no previous edition: eligible, nobody measured, « non mesuré »
    values = {(v.indicator, v.group): v for v in compute(catalogue, facts, GRID)}
    first = values[("pratiques.passage_conversation", "ensemble")]
    assert _counts(first) == (0, 0, 0, 3) and first.value is None
    # the small commune moved from information to conversation, the big one stayed, the
    # région went back to information
    facts = _facts()
    facts.modes = {small.id: "conversation", big.id: "conversation", region.id: "information"}
    facts.previous_modes = {
        small.id: "information",
        big.id: "conversation",
        region.id: "conversation",
    }
    values = {(v.indicator, v.group): v for v in compute(catalogue, facts, GRID)}
    moved = values[("pratiques.passage_conversation", "ensemble")]
    assert _counts(moved) == (1, 3, 3, 3)
    assert [c["id"] for c in moved.detail["collectivites"]] == [small.id]
    assert moved.detail["collectivites"][0]["avant"] == "information"
    assert values[("pratiques.passage_conversation", "region")].detail["collectivites"] == []
    back = values[("pratiques.retour_information", "region")]
    assert _counts(back) == (1, 1, 1, 1)
    assert [c["nom"] for c in back.detail["collectivites"]] == [region.authority.name]
    shown = rows(catalogue, [moved])
    assert shown[0].switched == f"{small.authority.name} ({small.authority.code})"


def test_groups_and_rows() -> None:
    catalogue = bundled_catalogue()
    values = compute(catalogue, _facts(), GRID)
    groups = {v.group for v in values if v.indicator == "registre.site_declare"}
    assert groups == {"ensemble", "commune", "region", "commune:1", "commune:5"}
    one = evaluate(catalogue.get("registre.site_declare"), _facts(), _facts().members, GRID)
    assert _counts(one) == (3, 4, 4, 4)
    shown = rows(catalogue, values)
    assert shown[0].indicator.id == "registre.site_declare"
    assert shown[0].shown == "75,0\u202f%"
    share = catalogue.get("reseaux.facebook")
    assert format_change(share, 0.727, 0.567) == "+16,0\u202fpts"
    assert format_change(share, 0.5, None) == "—"


# --- series and progressions ---------------------------------------------------------------


def _edition(engine: Engine, edition: str, when: datetime) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(editions),
            [{"id": edition, "label": edition, "demo": False, "created_at": when}],
        )


def test_series_changes_and_progressions(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    with engine.begin() as connection:
        connection.execute(
            insert(authorities),
            [{"id": "commune:00002", "kind": "commune", "code": "00002", "name": "Grandeville"}],
        )
    for edition, share in (("2025-02", 0.5), ("2025-03", 0.75), ("2024-03", 0.25)):
        _edition(engine, edition, datetime(2025, 3, 1, tzinfo=UTC))
        stored = indicator_repo.StoredValue(
            edition,
            edition,
            "reseaux.facebook",
            "ensemble",
            share * 4,
            4,
            4,
            4,
            "collectivités",
            share,
            {},
        )
        indicator_repo.replace_values(engine, edition, edition, [stored])
    earlier = series.earlier_editions(engine, "2025-03")
    assert earlier == series.Earlier("2025-03", "2025-02", "2024-03")
    shown = series.stored_rows(engine, "2025-03", bundled_catalogue())
    assert [r.change(r.previous) for r in shown] == ["+25,0\u202fpts"]
    assert [r.change(r.year_ago) for r in shown] == ["+50,0\u202fpts"]
    assert [
        v.value for v in indicator_repo.series(engine, "reseaux.facebook", "ensemble", False)
    ] == [
        0.25,
        0.5,
        0.75,
    ]
    assert series.months_before("2025-03", 12) == "2024-03"
    assert series.months_before("2025-01", 1) == "2024-12"
    # followers kept per edition: the progression between two editions, with sources
    now = datetime(2025, 3, 1, tzinfo=UTC)
    profile = {
        "authority_id": "commune:00002",
        "platform": "facebook",
        "account_id": "1",
        "handle": "grandeville",
        "url": "https://www.facebook.com/grandeville",
        "state": "ok",
        "fetched_at": now,
        "links": [],
        "notes": [],
    }
    with engine.begin() as connection:
        connection.execute(
            insert(social_profiles),
            [
                {**profile, "edition_id": "2025-02", "followers": 1000, "source": "import"},
                {**profile, "edition_id": "2025-03", "followers": 1250, "source": "api"},
            ],
        )
    member = Member(
        Authority(AuthorityKind.COMMUNE, "00002", "Grandeville", population=20_000),
        "commune:00002",
        "commune:5",
        True,
    )
    found = series.progressions(engine, "2025-03", "2025-02", [member])
    assert [(p.gain, p.percent, p.source_before, p.source_after) for p in found] == [
        (250, 0.25, "import", "api")
    ]
    ranked = series.ranking(found)
    assert list(ranked) == [("commune:5", "facebook")]
    engine.dispose()


def test_grandes_villes_scope_takes_the_most_populous_communes(tmp_path: Path) -> None:
    from barometre.pipeline.capture import SCOPES, Scope, plan_capture
    from barometre.pipeline.core import Setup
    from barometre.pipeline.demo import sample_authorities
    from barometre.settings import Settings
    from barometre.storage import registry_repo

    engine = open_database(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    authorities = sample_authorities()
    registry_repo.replace_registry(engine, authorities, "test", {})
    communes = sorted(
        (a for a in authorities if a.kind is AuthorityKind.COMMUNE and a.population),
        key=lambda a: (-(a.population or 0), a.code),
    )
    assert registry_repo.largest_communes(engine, 3) == [a.id for a in communes[:3]]
    assert len(registry_repo.largest_communes(engine, 1000)) == len(communes)
    assert Scope("grandes-villes") is Scope.grandes_villes
    assert SCOPES[Scope.grandes_villes] == [AuthorityKind.COMMUNE]
    assert Settings().grandes_villes == 50
    # the capture plan of the scope: the sites of the most populous communes
    setup = Setup(Settings(grandes_villes=3), engine)
    plan = plan_capture(setup, "demo-villes", scope=Scope.grandes_villes)
    assert [t.authority_id for t in plan.targets] == [a.id for a in communes[:3] if a.website]
    engine.dispose()


# --- budget and activity ----------------------------------------------------------------------

OFGL_SAMPLE = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "raw"
    / "eclaireur-public"
    / "ofgl-base-departement.sample.csv"
)


def test_ofgl_departement_export_is_read_as_oflg_gives_it(tmp_path: Path) -> None:
    from barometre.indicators.budget import read_ofgl_departements

    if OFGL_SAMPLE.is_file():  # the real export's format (Haute-Garonne, 2022-2023)
        rows = read_ofgl_departements(OFGL_SAMPLE)
        assert {(r.code, r.year) for r in rows} == {("31", 2022), ("31", 2023)}
        assert all(r.name == "Haute-Garonne" and r.per_inhabitant > 1000 for r in rows)
    bad = tmp_path / "ofgl.csv"
    bad.write_text("Exercice;Agrégat\n2023;Dépenses totales\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"ofgl\.csv : colonnes absentes .* Montant"):
        read_ofgl_departements(bad)


def test_budget_and_activity_per_level() -> None:
    from barometre.indicators.budget import (
        DepartementBudget,
        activity,
        budget_activity,
    )

    catalogue = bundled_catalogue()
    members = [
        Member(
            Authority(AuthorityKind.DEPARTEMENT, f"0{n}", f"Département {n}", population=100_000),
            f"departement:0{n}",
            "departement",
            True,
        )
        for n in range(1, 6)
    ]
    facts = Facts(members)
    # activity grows with n: n platforms read by the social layer, P4 measured
    for n, member in enumerate(members, start=1):
        facts.statuses[member.id] = {"presence.reseaux_sociaux": "pass"}
        for platform in PLATFORMS[:n]:
            facts.profiles[(member.id, platform, "1")] = 10
    shares = [activity(facts, GRID, catalogue, m) for m in members]
    assert all(s is not None for s in shares)
    assert shares == sorted(shares) and shares[0] < shares[-1]  # type: ignore[type-var]
    # spending falls as activity grows: the biggest budgets are the least active here
    budgets = [
        DepartementBudget(m.authority.code, m.authority.name, 2024, 100_000, Decimal(2e8 - n * 1e7))
        for n, m in enumerate(members)
    ]
    (dep,) = [
        c
        for c in budget_activity(facts, GRID, catalogue, [], budgets, 2025)
        if c.group == "departement"
    ]
    assert dep.n == 5 and dep.rho == pytest.approx(-1.0)
    assert "(2024)" in dep.label
    (missing,) = [
        c
        for c in budget_activity(facts, GRID, catalogue, [], None, 2025)
        if c.group == "departement"
    ]
    assert missing.rho is None and "non fourni" in (missing.reason or "")
