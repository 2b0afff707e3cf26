"""Registry: who is measured.

Builds the list of collectivités as they legally exist, each once with its legal type
(régions, départements and the collectivités exercising their powers, communes, EPCI;
see :mod:`.collectivites`), with their codes, hierarchy, official websites, e-mails and
known accounts from real open data, and ships it inside the package in a compact form
(see :mod:`.bundle`).
"""

from barometre.registry.build import Registry, build_from_raw
from barometre.registry.bundle import read_bundle, write_bundle
from barometre.registry.report import Anomaly, BuildReport, JoinStat
from barometre.registry.stats import Figure, KindStats, registry_stats

__all__ = [
    "Anomaly",
    "BuildReport",
    "Figure",
    "JoinStat",
    "KindStats",
    "Registry",
    "build_from_raw",
    "read_bundle",
    "registry_stats",
    "write_bundle",
]
