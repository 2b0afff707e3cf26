"""The shared vocabulary (barometre.vocab): one rounding rule, real plurals, one fold per
use, one table of platforms, every status named, one way to name a collectivité."""

from __future__ import annotations

from datetime import date
from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from barometre.errors import UnknownAuthorityError
from barometre.models import (
    AccountState,
    AuthorityKind,
    Confidence,
    FetchOutcome,
    LegalType,
    SocialSource,
    Status,
)
from barometre.vocab import fr
from barometre.vocab.authorities import (
    AuthorityRef,
    kind_label,
    kind_plural,
    parse_kind,
    parse_reference,
    parse_references,
    peer_group_label,
    peer_group_short,
    unknown_error,
)
from barometre.vocab.cms import display_name, technology_name
from barometre.vocab.platforms import (
    PLATFORMS,
    parse_social_url,
    platform_label,
    platform_labels,
    platform_of_host,
    profile_url,
)
from barometre.vocab.status import label_of
from barometre.vocab.text import (
    excerpt,
    fold,
    fold_aligned,
    fold_document,
    fold_keep_punctuation,
    fold_traced,
    slug,
    strip_accents,
)

NNBSP = "\u202f"


# --- fr -------------------------------------------------------------------------------


def test_one_rounding_rule_halves_up_on_the_written_value() -> None:
    assert fr.number(42.5) == "43"
    assert fr.number(2.675, 2) == "2,68"  # not binary floating point's 2,67
    assert fr.number(0.125, 2) == "0,13"
    assert fr.number(-0.04, 1) == "0,0"  # never "-0"
    assert fr.number(-2.5) == "\u22123"
    assert fr.percent(0.425) == f"43{NNBSP}%"
    assert fr.percent(0.0005, 1) == f"0,1{NNBSP}%"
    assert fr.ratio(1, 8, 1) == f"12,5{NNBSP}%"
    assert fr.ratio(3, 0) == "—"


def test_french_typography() -> None:
    assert fr.integer(2103778) == f"2{NNBSP}103{NNBSP}778"
    assert fr.number(1234.5, 1) == f"1{NNBSP}234,5"
    assert fr.number(62.0, 1) == "62,0" and fr.number(62.0, 1, trim=True) == "62"
    assert fr.score(None) == "—" and fr.score(None, missing="non mesuré") == "non mesuré"
    assert fr.signed(1.5, 1) == "+1,5" and fr.signed(-1.5, 1) == "\u22121,5"
    assert fr.signed(0.04, 1) == "0,0"
    with pytest.raises(ValueError):
        fr.number(float("nan"))


def test_plurals_are_written_out() -> None:
    assert fr.count(0, "site capturé", "sites capturés") == "0 site capturé"
    assert fr.count(1, "bulletin") == "1 bulletin"
    assert fr.count(2, "bulletin") == "2 bulletins"
    assert fr.count(1500, "nouveau", "nouveaux") == f"1{NNBSP}500 nouveaux"
    assert fr.plural(1.5, "jour") == "jour" and fr.plural(2, "jour") == "jours"
    assert "(s)" not in fr.count(3, "compte")


def test_french_dates() -> None:
    assert fr.day(date(2026, 3, 1)) == "1er mars 2026"
    assert fr.day("2026-11-12T10:00:00") == "12 novembre 2026"
    assert fr.day("bientôt") == "bientôt" and fr.day(None) == "—"
    assert fr.month("2026-08") == "août 2026" and fr.month("demo") == "demo"
    assert fr.numeric_day(date(2026, 3, 1)) == "01/03/2026"
    assert fr.MONTH_NUMBERS["fevr"] == 2 and len(fr.MONTH_NAMES) == 12


# --- text -----------------------------------------------------------------------------


def test_each_fold_keeps_what_its_name_says() -> None:
    text = "Œuvres — MAIRIE : 9h-12h, « Fête »"
    assert strip_accents(text) == "OEuvres — MAIRIE : 9h-12h, « Fete »"
    assert fold(text) == "oeuvres mairie 9h 12h « fete »"
    assert fold_keep_punctuation(text) == "oeuvres — mairie : 9h-12h, « fete »"
    assert fold_document("Accessi-\nbilité\u202f: « non »") == 'accessibilite : " non "'
    aligned = fold_aligned("Élu\u00a0le 1er  Août")
    assert aligned == "elu le 1er  aout" and len(aligned) == len("Élu\u00a0le 1er  Août")
    assert slug("TYPO3 CMS") == "typo3-cms" and slug("Métropole") == "metropole"


def _quote_of(original: str, needle: str, form: Literal["document", "words"] = "document") -> str:
    folded = fold_traced(original, form)
    at = folded.text.index(needle)
    return folded.quote(at, at + len(needle))


def test_traced_fold_is_the_fold_and_quotes_the_original() -> None:
    text = "  État de conformité\u00a0:   PARTIELLEMENT conforme  "
    folded = fold_traced(text)
    assert folded.text == fold_document(text) == "etat de conformite : partiellement conforme"
    assert len(folded.offsets) == len(folded.text)
    assert _quote_of(text, "etat de conformite : partiellement") == (
        "État de conformité : PARTIELLEMENT"
    )
    # Ligatures: « œ » folds to two letters, both from the same character.
    assert _quote_of("Le Cœur de l’Œuvre", "coeur de l'oeuvre") == "Cœur de l’Œuvre"
    assert _quote_of("Le Cœur", "oe") == "œ"
    assert _quote_of("ﬁchier", "fi") == "ﬁ"  # a compatibility ligature
    # Non-breaking and narrow spaces, runs of white space, line breaks.
    assert _quote_of("taux\u202f: 75\u00a0%", "taux : 75 %") == "taux : 75 %"
    assert _quote_of("mise  à\n\tjour", "mise a jour") == "mise à jour"
    # Apostrophes: ’ and ' fold alike and are quoted as written.
    assert _quote_of("Déclaration d’accessibilité", "d'accessibilite") == "d’accessibilité"
    assert _quote_of("Déclaration d'accessibilité", "d'accessibilite") == "d'accessibilité"
    # Accents written as separate marks (decomposed text) stay with their letter.
    decomposed = "re\u0301alise\u0301e le"
    assert _quote_of(decomposed, "realisee") == "re\u0301alise\u0301e"
    # Soft hyphens and words cut at a line end (fold_document only).
    cut = "acces\u00adsi-\n  bilité numérique"
    assert _quote_of(cut, "accessibilite") == "accessi- bilité"
    # The words form is fold's: separators (hyphens, punctuation) are one space.
    words = fold_traced("Mentions-LÉGALES / Hébergeur", "words")
    assert words.text == fold("Mentions-LÉGALES / Hébergeur") == "mentions legales hebergeur"
    assert _quote_of("Mentions-LÉGALES / Hébergeur", "legales hebergeur", "words") == (
        "LÉGALES / Hébergeur"
    )


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\u00ad", "Œ", " « Fête » ", "a-\nb-\nc", "ǅ ŉ ß İ ΣΑΣ ²", "x\u0301\u0327 y"],
)
def test_traced_fold_agrees_with_the_folds_on_edge_cases(text: str) -> None:
    assert fold_traced(text).text == fold_document(text)
    assert fold_traced(text, "words").text == fold(text)


@given(st.text(alphabet=st.sampled_from(list("aAéÉèœŒﬁ ’'«»-_.:\n\t\u00a0\u202f\u00ad\u0301İΣ²"))))
def test_traced_fold_is_always_the_fold(text: str) -> None:
    for form, plain in (("document", fold_document), ("words", fold)):
        folded = fold_traced(text, form)  # type: ignore[arg-type]
        assert folded.text == plain(text)
        assert len(folded.offsets) == len(folded.text)
        assert list(folded.offsets) == sorted(folded.offsets)
        assert all(0 <= at < len(text) for at in folded.offsets)


def test_excerpt_of_a_traced_fold_quotes_the_original() -> None:
    text = "Conformément à l’article 47. État de conformité : partiellement conforme (RGAA 4.1)."
    folded = fold_traced(text)
    at = folded.text.index("partiellement conforme")
    quoted = excerpt(folded, at, at + len("partiellement conforme"), before=22, after=10)
    assert quoted == "… État de conformité : partiellement conforme (RGAA …"


# --- platforms --------------------------------------------------------------------------


def test_platforms_have_one_name_and_one_host_table() -> None:
    assert platform_label("linkedin") == "LinkedIn" and platform_label("x") == "X"
    assert platform_label("myspace") == "myspace"
    assert platform_labels({"youtube", "x", "facebook"}) == "Facebook, X, YouTube"
    assert len(set(PLATFORMS)) == 12
    for host, platform in (
        ("m.youtube.com", "youtube"),
        ("youtu.be", "youtube"),
        ("staging.bsky.app", "bluesky"),
        ("fr-fr.facebook.com", "facebook"),
        ("twitter.com", "x"),
        ("example.org", None),
    ):
        assert platform_of_host(host) == platform, host
    account = parse_social_url("https://www.facebook.com/VilleExemple/")
    assert account is not None and (account.platform, account.handle) == (
        "facebook",
        "VilleExemple",
    )
    assert profile_url("mastodon", "mairie@piaille.fr") == "https://piaille.fr/@mairie"


# --- status -----------------------------------------------------------------------------


@pytest.mark.parametrize("enum", [Status, Confidence, FetchOutcome, SocialSource, AccountState])
def test_every_status_has_a_french_label(enum: type) -> None:
    for member in enum:
        word = label_of(member)
        assert (word and word != member.value) or (member.value == "ok" and word == "lu")
    assert label_of(Status.FAIL) == "échec" and label_of(Confidence.INFERRED) == "déduite"


# --- cms ------------------------------------------------------------------------------


def test_cms_are_shown_by_their_proper_name() -> None:
    assert technology_name("wordpress") == "WordPress"
    assert display_name("cms", "wordpress") == "WordPress"
    assert display_name("cms", "inconnu-du-catalogue") == "inconnu-du-catalogue"
    assert display_name("provider", "agence-bocage", "Agence Bocage") == "Agence Bocage"


# --- authorities ------------------------------------------------------------------------


def test_kinds_and_peer_groups_have_one_name() -> None:
    assert kind_label(AuthorityKind.EPCI) == "intercommunalité (EPCI)"
    assert kind_label(LegalType.DEPARTEMENT) == "département"
    assert kind_plural(LegalType.STATUT_PARTICULIER) == "collectivités à statut particulier"
    assert parse_kind("Région") is AuthorityKind.REGION
    assert parse_kind("intercommunalité") is AuthorityKind.EPCI and parse_kind("canton") is None
    assert peer_group_label("epci:CC") == "Communautés de communes"
    assert peer_group_label("commune:7") == "Communes de plus de 100 000 habitants"
    assert peer_group_short("commune:2") == "Communes 500–2 000"


def test_references_name_a_collectivite_one_way() -> None:
    by_id = parse_reference(" Departement:2a ")
    assert (by_id.kind, by_id.code) == (AuthorityKind.DEPARTEMENT, "2A")
    successors = {"departement:2A": "departement:20R"}
    assert by_id.ids(successors) == ["departement:2A", "departement:20R"]
    assert by_id.successors(successors) == [("departement:2A", "departement:20R")]
    bare = parse_reference("75")
    assert bare.kind is None and "region:75" in bare.ids() and "departement:75" in bare.ids()
    typed = parse_reference("75", AuthorityKind.REGION)
    assert typed.ids() == ["region:75"]
    assert parse_reference("commune:75056", AuthorityKind.REGION).kind is AuthorityKind.COMMUNE
    assert len(parse_references(["40", "40", "commune:40192"])) == 2
    with pytest.raises(UnknownAuthorityError, match="Type inconnu « canton »"):
        parse_reference("canton:12")
    with pytest.raises(UnknownAuthorityError, match="vide"):
        parse_reference("commune:")
    message = str(unknown_error([AuthorityRef("99", AuthorityKind.REGION, "99")]))
    assert "Aucune collectivité active pour « 99 » parmi les régions" in message
