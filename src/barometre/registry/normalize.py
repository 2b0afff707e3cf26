"""Normalisation of names, URLs and e-mail addresses taken from the sources."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from barometre.domains import CONSUMER_MAIL_DOMAINS, registrable_domain
from barometre.vocab.text import fold

__all__ = ["registrable_domain"]

_ARTICLE = re.compile(r"^(l|le|la|les)\s+")


def name_key(name: str) -> str:
    """Join key for commune names: folded, leading article dropped, ``saint`` → ``st``."""
    key = _ARTICLE.sub("", fold(name))
    key = re.sub(r"\bsainte\b", "ste", key)
    key = re.sub(r"\bsaint\b", "st", key)
    return key.replace(" ", "")


def normalize_url(raw: str) -> str | None:
    """Canonical form of a declared website, or ``None`` when it is not a web address.

    Adds a missing scheme (``http``), lower-cases the host, drops default ports,
    fragments and a lone trailing slash; keeps the path (a site can be a page of the
    EPCI's portal).
    """
    text = raw.strip().strip("<>\"'")
    if not text or " " in text:
        return None
    text = re.sub(r"^(https?):/*(?=[^/])", r"\1://", text, flags=re.IGNORECASE)  # "https:/x.fr"
    scheme = re.match(r"^([a-zA-Z][a-zA-Z0-9+-]*):", text)
    if (
        scheme
        and scheme.group(1).lower() not in ("http", "https")
        and not text[scheme.end() :].split("/")[0].isdigit()
    ):
        return None  # mailto:, tel:, javascript:… (but "ville.fr:8080" is a host and port)
    if "://" not in text:
        text = "http://" + text.lstrip("/")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or "." not in parts.hostname:
        return None
    if parts.username is not None:
        return None  # user-info in a declared site is a typo or a trap, not a site
    host = parts.hostname.rstrip(".").lower()
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    default = {"http": 80, "https": 443}[parts.scheme]
    netloc = host if port in (None, default) else f"{host}:{port}"
    path = parts.path if parts.path not in ("", "/") else ""
    return urlunsplit((parts.scheme, netloc, path, parts.query, ""))


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def normalize_email(raw: str) -> str | None:
    text = raw.strip().strip("<>").removeprefix("mailto:").strip()
    if text.count("@") != 1 or " " in text:
        return None
    local, domain = text.rsplit("@", 1)
    domain = domain.lower().rstrip(".")
    if not local or "." not in domain:
        return None
    return f"{local}@{domain}"


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[1].lower()


def is_consumer_email(email: str) -> bool:
    return email_domain(email) in CONSUMER_MAIL_DOMAINS


def normalize_phone(raw: str) -> str | None:
    digits = re.sub(r"[^\d+]", "", raw)
    return raw.strip() if len(digits) >= 9 else None
