"""Wappalyzer-format cases through :mod:`barometre.checks.technologies` (see
``tests/outside/wappalyzer_format.py``)."""

from __future__ import annotations

from outside.wappalyzer_format import agrees, answer

__all__ = ["agrees", "answer"]
