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


def display_name(category: str, name: str, label: str | None = None) -> str:
    """How a CMS or a provider found by discovery is shown: a CMS by its technology's
    name, a provider by its credit's text (``label``); the slug when nothing better is
    known."""
    if category == CMS:
        return technology_name(name) or label or name
    return label or name


def category_label(category: str) -> str:
    """« CMS », « prestataire »."""
    return CATEGORY_LABELS.get(category, category)
