"""Social URL cases: see :mod:`outside.social_urls`."""

from outside.social_urls import agrees, answer

__all__ = ["agrees", "answer"]
