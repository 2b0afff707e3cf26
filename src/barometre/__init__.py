"""Baromètre numérique des territoires.

Measures the digital presence of French local authorities and publishes it as an
open barometer. Layers (registry → capture → audit → score → publish) live in their
own sub-packages and meet only in :mod:`barometre.models` and :mod:`barometre.storage`.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("barometre")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
