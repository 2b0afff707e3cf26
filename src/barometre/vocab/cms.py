"""CMS and providers by their names: how the CLI, the site and the exports show what the
discovery found.

Discovery records a CMS by the slug of its technology (``wordpress``, ``typo3-cms``) and a
web agency by the slug of its credit (``agence-bocage``) with the credit's text as its
display name. People read names: the technology's proper name comes from the
fingerprints the detectors build on (webappanalyzer with our overlay, read through
:mod:`barometre.refdata`), « WordPress », « TYPO3 CMS »; a provider is shown as its
credit reads.

Pure module: the only read is the bundled fingerprints, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from barometre import refdata
from barometre.vocab.text import slug

CMS = "cms"
PROVIDER = "provider"
CATEGORY_LABELS: Mapping[str, str] = {CMS: "CMS", PROVIDER: "prestataire"}


@cache
def _names() -> Mapping[str, str]:
    technologies, _ = refdata.technologies()
    names: dict[str, str] = {}
    for name in technologies:
        names.setdefault(slug(name), name)
    return names


def technology_name(slug_or_name: str) -> str | None:
    """The proper name of a technology from its slug or its name (``typo3-cms`` →
    « TYPO3 CMS »), ``None`` when the fingerprints do not know it."""
    names = _names()
    if slug_or_name in names:
        return names[slug_or_name]
    return slug_or_name if slug_or_name in names.values() else None


# What discovery records under other categories (apps, newsletters, feeds,
# participation, online services, open data: see checks/discovery), by the name people
# know them by. A key never reaches a reader: an unknown one is shown as words.
FINDING_NAMES: Mapping[str, str] = {
    # apps
    "app_store": "App Store",
    "google_play": "Google Play",
    "panneaupocket": "PanneauPocket",
    "illiwap": "Illiwap",
    "intramuros": "IntraMuros",
    "cityall": "CityAll",
    "citykomi": "Citykomi",
    # newsletters
    "brevo": "Brevo",
    "mailchimp": "Mailchimp",
    "sarbacane": "Sarbacane",
    "mailjet": "Mailjet",
    "mailerlite": "MailerLite",
    "cleverreach": "CleverReach",
    "newsletter": "lettre d'information",
    # feeds
    "rss": "RSS",
    "atom": "Atom",
    "json": "JSON Feed",
    # participation
    "decidim": "Decidim",
    "cap_collectif": "Cap Collectif",
    "go_vocal": "Go Vocal",
    "fluicity": "Fluicity",
    "make_org": "Make.org",
    "consul": "Consul",
    "civocracy": "Civocracy",
    "id_city": "ID City",
    "democracyos": "DemocracyOS",
    "plateforme": "plateforme de participation",
    # online services
    "demarches_numeriques": "Démarches numériques",
    "jedonnemonavis": "Je donne mon avis",
    "payfip": "PayFiP",
    "espace_citoyens": "Espace Citoyens",
    "maelis": "Maelis",
    "portail_famille": "portail famille",
    "rendez_vous": "prise de rendez-vous",
    "teleservice": "démarche en ligne de la collectivité",
    "urbanisme": "urbanisme en ligne",
    "service_public": "fiche Service-Public",
    "comarquage": "co-marquage Service-Public",
    # open data
    "data_gouv": "data.gouv.fr",
    "opendatasoft": "Opendatasoft",
    "ckan": "CKAN",
    "arcgis_hub": "ArcGIS Hub",
    "portail": "portail de données",
    "reference_odf": "référencée par OpenDataFrance",
}


def finding_label(name: str) -> str:
    """The reader's name of something discovery found (``portail_famille`` → « portail
    famille », ``app_store`` → « App Store »); an unknown key is written as words."""
    return FINDING_NAMES.get(name) or technology_name(name) or name.replace("_", " ")


def display_name(category: str, name: str, label: str | None = None) -> str:
    """How something found by discovery is shown: a CMS by its technology's name, a
    provider by its credit's text (``label``), anything else by its known name
    (:data:`FINDING_NAMES`)."""
    if category == CMS:
        return technology_name(name) or label or finding_label(name)
    if category == PROVIDER:
        return label or name
    return finding_label(name)


def category_label(category: str) -> str:
    """« CMS », « prestataire »."""
    return CATEGORY_LABELS.get(category, category)
