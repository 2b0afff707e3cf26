"""Word and host lists shared by several checks (data, not logic).

Lists marked [criteria.md §4.5] come from the research note's fingerprint catalogue;
``hebergeur-generique.test`` is the sample web's stand-in for a free site host.
"""

from __future__ import annotations

from barometre.domains import CONSUMER_MAIL_DOMAINS, registrable_domain
from barometre.vocab.text import fold

# Free or generic site hosts: a site there is not on the collectivité's own domain.
GENERIC_HOSTS = frozenset(
    {
        "wixsite.com",
        "wix.com",
        "e-monsite.com",
        "jimdofree.com",
        "jimdosite.com",
        "jimdo.com",
        "wordpress.com",
        "over-blog.com",
        "over-blog.fr",
        "blogspot.com",
        "sites.google.com",
        "google.com",
        "webnode.fr",
        "webnode.com",
        "free.fr",
        "pagesperso-orange.fr",
        "site-solocal.com",
        "hebergeur-generique.test",  # sample web
    }
)

# Unofficial directories: never an official site [criteria.md §4.5].
UNOFFICIAL_DIRECTORIES = frozenset(
    {
        "annuaire-mairie.fr",
        "mairie.com",
        "la-mairie.com",
        "ma-mairie.com",
        "commune-mairie.fr",
        "info-mairie.com",
        "lapagelocale.fr",
    }
)

# Consumer mailbox providers (one list for the whole project, with the registry's).
CONSUMER_MAIL = CONSUMER_MAIL_DOMAINS

# Extensions run from France or for French territories (RCPNT 1.2). ``test`` is the
# reserved extension of the sample web, which stands for ``fr`` there.
SOVEREIGN_SUFFIXES_TEST = ("test",)

# Words of official names too common to tell one collectivité from another.
_NAME_NOISE = frozenset(
    {
        "commune",
        "communes",
        "mairie",
        "ville",
        "region",
        "departement",
        "conseil",
        "communaute",
        "agglomeration",
        "metropole",
        "pays",
        "sur",
        "sous",
        "les",
        "des",
        "del",
        "the",
    }
)


def name_tokens(name: str) -> list[str]:
    """Distinctive words of an official name (folded, 3+ letters, not generic)."""
    return [t for t in fold(name).split() if len(t) >= 3 and t not in _NAME_NOISE]


def domain_matches_name(host: str, name: str) -> bool:
    """Whether the registrable domain spells a distinctive word of the official name."""
    label = fold(registrable_domain(host).split(".", 1)[0]).replace(" ", "")
    tokens = name_tokens(name)
    return any(token in label for token in tokens) or (bool(tokens) and "".join(tokens) in label)


def email_domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].strip().lower()


# --- who owns a social account ----------------------------------------------------------

# Words that name an organisation other than a collectivité (folded): the tourist office,
# a club or association, a school, a facility run apart, a State service, a union of
# communes for one task. A social link whose label, handle or surrounding block names one
# of these is that organisation's account, kept as a « compte lié » [issue 12].
OTHER_ORGANISATIONS = (
    "office de tourisme",
    "tourisme",
    "touristique",
    "office",
    "club",
    "association",
    "associations",
    "asso",
    "amicale",
    "comite",
    "federation",
    "ligue",
    "football",
    "rugby",
    "basket",
    "handball",
    "volley",
    "tennis",
    "judo",
    "athletisme",
    "cyclisme",
    "natation",
    "omnisports",
    "sportif",
    "sportive",
    "prefecture",
    "prefet",
    "gendarmerie",
    "police nationale",
    "pompiers",
    "sdis",
    "hopital",
    "ehpad",
    "ecole",
    "college",
    "lycee",
    "universite",
    "creche",
    "mediatheque",
    "bibliotheque",
    "musee",
    "theatre",
    "cinema",
    "conservatoire",
    "piscine",
    "camping",
    "festival",
    "ccas",
    "centre social",
    "mjc",
    "maison des jeunes",
    "chambre de commerce",
    "chambre des metiers",
    "chambre d agriculture",
    "cci",
    "syndicat",
    "sictom",
    "smictom",
    "sivom",
    "parc naturel",
    "agence",
    "paroisse",
    "ministere",
    "gouvernement",
)
# Words by which each kind of collectivité (AuthorityKind value) names itself: another
# kind's words name another collectivité (a commune's page linking its département).
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "commune": ("commune", "mairie", "ville", "municipal", "municipale", "municipalite"),
    "departement": ("departement", "departemental", "departementale", "conseil departemental"),
    "region": ("region", "regional", "regionale", "conseil regional"),
    "epci": (
        "communaute de communes",
        "communaute d agglomeration",
        "communaute urbaine",
        "communaute",
        "agglomeration",
        "agglo",
        "metropole",
        "intercommunalite",
        "intercommunal",
        "intercommunale",
    ),
}
# Words of a follow link's own label that name nothing but the act of following:
# « Suivez-nous sur Facebook (nouvelle fenêtre) », « Notre page Instagram ».
FOLLOW_WORDS = frozenset(
    {
        "suivez",
        "suivre",
        "nous",
        "sur",
        "rejoignez",
        "retrouvez",
        "abonnez",
        "abonner",
        "vous",
        "notre",
        "nos",
        "votre",
        "page",
        "compte",
        "profil",
        "chaine",
        "fil",
        "officiel",
        "officielle",
        "officiels",
        "la",
        "le",
        "les",
        "l",
        "de",
        "du",
        "des",
        "d",
        "et",
        "en",
        "a",
        "au",
        "aux",
        "un",
        "une",
        "ouvre",
        "ouvrir",
        "nouvelle",
        "nouvel",
        "fenetre",
        "onglet",
        "lien",
        "vers",
        "externe",
        "site",
        "reseau",
        "reseaux",
        "sociaux",
        "social",
        "icone",
        "logo",
        "anciennement",
        "ex",
        "twitter",
        "fb",
        "insta",
        "yt",
    }
)
