"""Sécurité (T1-T6): HTTPS and certificate, TLS versions, HSTS, security headers,
DNSSEC and e-mail authentication, read from the captured entry points, response
headers and the DNS/TLS facts of the archive (never the network).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from barometre.checks.base import Verdict, check, not_applicable, not_measurable, scored
from barometre.checks.engine import unreachable_reason
from barometre.checks.lexicon import CONSUMER_MAIL, email_domain
from barometre.checks.subject import Subject
from barometre.domains import registrable_domain
from barometre.models import Confidence, Evidence, Page
from barometre.vocab import fr
from barometre.vocab.fr import sentence

PERMANENT = (301, 308)
TEMPORARY = (302, 303, 307)


def _facts(subject: Subject, key: str) -> Mapping[str, Any] | None:
    site = subject.site
    facts = site.facts if site is not None else None
    value = (facts or {}).get(key)
    return value if isinstance(value, Mapping) else None


def _host(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0].split(":")[0].lower()


# --- T1 HTTPS, redirection, certificate ----------------------------------------------


def san_matches(host: str, names: Iterable[str]) -> bool:
    """Whether a certificate name (``*.`` wildcards on one label) covers ``host``."""
    host = host.lower().rstrip(".")
    for name in names:
        name = name.lower().rstrip(".")
        if name == host:
            return True
        if name.startswith("*.") and "." in host and host.split(".", 1)[1] == name[2:]:
            return True
    return False


def _days_left(not_after: str | None, as_of: date) -> int | None:
    if not not_after:
        return None
    try:
        end = datetime.fromisoformat(not_after)
    except ValueError:
        return None
    return (end.date() - as_of).days


def _certificate_problem(tls: Mapping[str, Any], host: str, as_of: date) -> str | None:
    """Why the certificate is not acceptable, or ``None``."""
    if tls.get("chain_valid") is False:
        return str(tls.get("chain_error") or "chaîne de certificats invalide")
    san = tls.get("san") or []
    if san and not san_matches(host, san):
        return f"certificat non valide pour {host}"
    days = _days_left(tls.get("not_after"), as_of)
    if days is not None and days < 0:
        return f"certificat expiré depuis {-days} jours"
    return None


def redirect_score(page: Page) -> float | None:
    """How an ``http://`` entry point leads to https: 1 through a permanent redirect,
    0.5 through a temporary one, 0 when it stays on http; ``None`` when it gave no
    answer at all (name unknown, timeout: nothing a visitor would land on)."""
    if page.status is None and not page.chain[1:]:
        return None
    if not page.final_url.startswith("https://"):
        return 0.0 if page.status is not None else None
    first = page.chain[0][1] if page.chain else None
    return 1.0 if first in PERMANENT else 0.5 if first in TEMPORARY else 0.0


@check("technique.https", version="1", handles_unreachable=True)
def https(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    """0.5 https served with a valid certificate for the host + 0.3 × share of the
    http entry points that redirect to https (301/308; 302/307 count half) + 0.2 when
    the certificate does not expire within ``expiry_warning_days``. A certificate that
    is invalid (chain, self-signed, expired, other name) or a site served only over
    http scores 0."""
    if subject.authority.website is None:
        return not_applicable("Aucun site officiel déclaré.")
    site = subject.site
    tls = _facts(subject, "tls")
    if site is None or (tls is None and not site.entry_points):
        return not_measurable("Ni certificat ni points d'entrée capturés pour ce site.")
    home = subject.home
    host = (
        str(tls.get("host"))
        if tls and tls.get("host")
        else _host(home.final_url if home else site.start_url)
    )
    https_answered = any(
        url.startswith("https://") and p.status is not None for url, p in site.entry_points.items()
    )
    handshake = tls is not None and tls.get("chain_valid") is True
    if (
        home is not None
        and home.final_url.startswith("http://")
        and not (https_answered or handshake)
    ):
        return scored(
            0,
            [Evidence(url=home.final_url, note="page d'accueil servie en http")],
            reason="Site servi en http seulement : la page d'accueil n'est pas en https.",
        )
    if tls is not None:
        problem = _certificate_problem(tls, host, subject.as_of)
        if problem is not None:
            return scored(
                0,
                [Evidence(url=f"https://{host}/", text=problem, note=str(tls.get("issuer") or ""))],
                reason=f"Certificat invalide : {problem}.",
            )
    if home is None:
        return not_measurable(
            (unreachable_reason(subject) or "Site non mesurable.")
            + " Redirections vers https non observables."
        )
    if tls is None or tls.get("chain_valid") is None:
        return not_measurable(
            "Certificat non analysé (faits TLS absents) : validité non mesurable.",
            [Evidence(url=home.final_url)],
        )
    evidence = [Evidence(url=home.final_url, note=f"certificat valide ({tls.get('issuer')})")]
    value = 0.5
    redirects = []
    for url, page in site.entry_points.items():
        if not url.startswith("http://"):
            continue
        part = redirect_score(page)
        if part is None:
            continue
        redirects.append(part)
        hops = " → ".join(f"{u} ({s})" for u, s in page.chain)
        evidence.append(Evidence(url=url, header=hops, note=f"redirection vers https : {part:g}"))
    reasons = []
    if redirects:
        value += 0.3 * sum(redirects) / len(redirects)
        if min(redirects) < 1:
            reasons.append("toutes les adresses http ne redirigent pas durablement vers https")
    else:
        reasons.append("aucune adresse http n'a répondu (redirection non vérifiable)")
    days = _days_left(tls.get("not_after"), subject.as_of)
    warning = int(params.get("expiry_warning_days", 30))
    if days is not None and days >= warning:
        value += 0.2
    elif days is not None:
        reasons.append(f"certificat expirant dans {days} jours")
        evidence.append(Evidence(text=str(tls.get("not_after")), note="date d'expiration"))
    confidence = Confidence.OBSERVED if redirects else Confidence.INFERRED
    reason = sentence(reasons) if reasons else None
    return scored(value, evidence, confidence=confidence, reason=reason)


# --- T2 TLS versions -------------------------------------------------------------------

LEGACY_VERSIONS = ("SSLv3", "TLSv1.0", "TLSv1.1")


@check("technique.tls", version="1", reads_content=False)
def tls_configuration(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    """TLS 1.3 offered and no legacy version → 1; TLS 1.2 only → 0.8; a legacy version
    (SSLv3, TLS 1.0, 1.1) accepted → 0.3; no version accepted → 0."""
    tls = _facts(subject, "tls")
    versions = (tls or {}).get("versions") or {}
    if tls is None or not versions:
        detail = f" ({tls.get('error')})" if tls and tls.get("error") else ""
        return not_measurable(f"Versions TLS non mesurées{detail}.")
    offered = sorted(v for v, on in versions.items() if on)
    evidence = [
        Evidence(url=f"https://{tls.get('host')}/", text=", ".join(offered) or "aucune version")
    ]
    legacy = [v for v in offered if v in LEGACY_VERSIONS]
    if not offered:
        return scored(0, evidence, reason="Aucune version de TLS acceptée.")
    if legacy:
        return scored(
            float(params.get("legacy", 0.3)),
            evidence,
            reason=f"Versions obsolètes acceptées : {', '.join(legacy)}.",
        )
    if "TLSv1.3" in offered:
        return scored(float(params.get("tls13_only_modern", 1.0)), evidence)
    return scored(float(params.get("tls12_only", 0.8)), evidence, reason="TLS 1.3 non proposé.")


# --- T3 HSTS ---------------------------------------------------------------------------


def parse_hsts(value: str) -> tuple[int | None, bool, bool]:
    """(max-age, includeSubDomains, preload) of a Strict-Transport-Security value."""
    max_age: int | None = None
    directives = [d.strip() for d in value.split(";") if d.strip()]
    names = {d.split("=", 1)[0].strip().lower() for d in directives}
    for directive in directives:
        name, _, raw = directive.partition("=")
        if name.strip().lower() == "max-age":
            digits = raw.strip().strip('"')
            max_age = int(digits) if digits.isdigit() else None
    return max_age, "includesubdomains" in names, "preload" in names


@check("technique.hsts", version="1", reads_content=False)
def hsts(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    """0.6 header with max-age ≥ ``min_max_age`` + 0.2 includeSubDomains + 0.2 preload.
    The Chromium preload list is not available offline (the ``hstspreload`` package
    has not been updated since January 2025): the ``preload`` directive is counted,
    with confidence "inferred"."""
    home = subject.home
    assert home is not None
    if not home.final_url.startswith("https://"):
        return scored(
            0,
            [Evidence(url=home.final_url)],
            reason="Site servi en http : HSTS impossible.",
        )
    value = home.header("Strict-Transport-Security")
    if not value:
        return scored(
            0,
            [Evidence(url=home.final_url, note="pas d'en-tête Strict-Transport-Security")],
            reason="Pas d'en-tête HSTS.",
        )
    max_age, subdomains, preload = parse_hsts(value)
    evidence = [Evidence(url=home.final_url, header=f"Strict-Transport-Security: {value}")]
    if not max_age:
        return scored(0, evidence, reason="En-tête HSTS sans max-age valide.")
    minimum = int(params.get("min_max_age", 15552000))
    reasons = []
    score = 0.0
    if max_age >= minimum:
        score += float(params.get("header", 0.6))
    else:
        reasons.append(f"max-age {max_age} inférieur à {minimum} s (6 mois)")
    if subdomains:
        score += float(params.get("subdomains", 0.2))
    else:
        reasons.append("sans includeSubDomains")
    confidence = Confidence.OBSERVED
    if preload:
        score += float(params.get("preload", 0.2))
        confidence = Confidence.INFERRED
        reasons.append("directive preload non vérifiée dans la liste Chromium (hors ligne)")
    else:
        reasons.append("sans preload")
    return scored(score, evidence, confidence=confidence, reason=sentence(reasons))


# --- T4 security headers ---------------------------------------------------------------

_VERSION = re.compile(r"\d+(?:\.\d+)*")

# End of support of server and CMS versions (publishers' announced dates), compared with
# the audit date. Key: (product, version prefix).
END_OF_LIFE: dict[tuple[str, str], date] = {
    ("apache", "1."): date(2010, 2, 3),
    ("apache", "2.0"): date(2013, 7, 10),
    ("apache", "2.2"): date(2017, 12, 31),
    ("php", "5."): date(2018, 12, 31),
    ("php", "7.0"): date(2019, 1, 10),
    ("php", "7.1"): date(2019, 12, 1),
    ("php", "7.2"): date(2020, 11, 30),
    ("php", "7.3"): date(2021, 12, 6),
    ("php", "7.4"): date(2022, 11, 28),
    ("php", "8.0"): date(2023, 11, 26),
    ("php", "8.1"): date(2025, 12, 31),
    ("php", "8.2"): date(2026, 12, 31),
    ("drupal", "6"): date(2016, 2, 24),
    ("drupal", "7"): date(2025, 1, 5),
    ("drupal", "8"): date(2021, 11, 2),
    ("drupal", "9"): date(2023, 11, 1),
    ("joomla", "1."): date(2012, 4, 1),
    ("joomla", "2."): date(2014, 12, 31),
    ("joomla", "3"): date(2023, 8, 17),
    ("joomla", "4"): date(2025, 10, 17),
    ("spip", "3.2"): date(2023, 6, 1),
    ("typo3", "9"): date(2021, 9, 30),
    ("typo3", "10"): date(2023, 4, 30),
}
_PRODUCT = re.compile(
    r"(apache|php|drupal|joomla!?|spip|typo3|wordpress|nginx|iis)\D{0,3}(\d[\w.]*)", re.I
)


def end_of_life(text: str, as_of: date) -> str | None:
    """The product and version named in ``text`` if past its end of support."""
    for match in _PRODUCT.finditer(text):
        product, version = match.group(1).lower().rstrip("!"), match.group(2)
        for (name, prefix), end in END_OF_LIFE.items():
            if name != product or end > as_of:
                continue
            if version == prefix.rstrip(".") or version.startswith(
                prefix if prefix.endswith(".") else prefix + "."
            ):
                return f"{match.group(1)} {version}"
    return None


def _csp_item(page: Page) -> tuple[float, Evidence | None, bool]:
    """(credit, evidence, frame-ancestors present) for Content-Security-Policy."""
    csp = page.header("Content-Security-Policy")
    if csp:
        return (
            1.0,
            Evidence(header=f"Content-Security-Policy: {csp[:200]}"),
            ("frame-ancestors" in csp.lower()),
        )
    report_only = page.header("Content-Security-Policy-Report-Only")
    if report_only:
        note = "CSP en mode report-only (demi-crédit)"
        return (
            0.5,
            Evidence(header=f"Content-Security-Policy-Report-Only: {report_only[:200]}", note=note),
            False,
        )
    return 0.0, None, False


def cookie_flags(set_cookie: str) -> float:
    """Share of Secure, HttpOnly and SameSite on one Set-Cookie header."""
    attributes = {a.strip().split("=", 1)[0].lower() for a in set_cookie.split(";")[1:]}
    return sum(flag in attributes for flag in ("secure", "httponly", "samesite")) / 3


def header_items(page: Page) -> tuple[list[tuple[str, float]], list[Evidence]]:
    items: list[tuple[str, float]] = []
    evidence: list[Evidence] = []
    csp, csp_evidence, frame_ancestors = _csp_item(page)
    items.append(("Content-Security-Policy", csp))
    if csp_evidence is not None:
        evidence.append(csp_evidence)
    xfo = page.header("X-Frame-Options")
    items.append(("X-Frame-Options", 1.0 if xfo or frame_ancestors else 0.0))
    nosniff = (page.header("X-Content-Type-Options") or "").strip().lower() == "nosniff"
    items.append(("X-Content-Type-Options", 1.0 if nosniff else 0.0))
    items.append(("Referrer-Policy", 1.0 if page.header("Referrer-Policy") else 0.0))
    items.append(("Permissions-Policy", 1.0 if page.header("Permissions-Policy") else 0.0))
    for name in (
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Permissions-Policy",
    ):
        if page.header(name):
            evidence.append(Evidence(header=f"{name}: {page.header(name)}"))
    cookies = page.header_values("Set-Cookie")
    if cookies:
        share = sum(cookie_flags(c) for c in cookies) / len(cookies)
        items.append(("cookies Secure/HttpOnly/SameSite", share))
        evidence.append(
            Evidence(
                header=f"Set-Cookie: {cookies[0][:120]}", note=fr.count(len(cookies), "cookie")
            )
        )
    return items, evidence


def disclosure_penalty(subject: Subject, page: Page) -> tuple[float, list[Evidence]]:
    """−0.1 per header naming a software version, −0.25 per end-of-life version
    (Server, X-Powered-By, X-Generator, X-AspNet-Version; the generator meta)."""
    penalty = 0.0
    evidence: list[Evidence] = []
    for name in ("Server", "X-Powered-By", "X-Generator", "X-AspNet-Version"):
        value = page.header(name)
        if not value or not _VERSION.search(value):
            continue
        obsolete = end_of_life(value, subject.as_of)
        penalty += 0.25 if obsolete else 0.1
        note = f"version obsolète ({obsolete})" if obsolete else "version divulguée"
        evidence.append(Evidence(url=page.final_url, header=f"{name}: {value}", note=note))
    doc = subject.static_home_doc
    generator = doc.meta("generator") if doc is not None else None
    obsolete = end_of_life(generator, subject.as_of) if generator else None
    if obsolete:
        penalty += 0.25
        evidence.append(
            Evidence(
                url=page.final_url,
                selector='meta[name="generator"]',
                text=generator,
                note=f"version obsolète ({obsolete})",
            )
        )
    return penalty, evidence


@check("technique.entetes", version="1", reads_content=False)
def security_headers(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    """Share of the protections present on the home page's response, in the style of
    the Mozilla HTTP Observatory: CSP (report-only = half), X-Frame-Options (or CSP
    frame-ancestors), X-Content-Type-Options: nosniff, Referrer-Policy,
    Permissions-Policy, and cookies flagged Secure/HttpOnly/SameSite when any is set;
    minus the version-disclosure penalties (floor 0)."""
    home = subject.home
    assert home is not None
    items, evidence = header_items(home)
    penalty, disclosed = disclosure_penalty(subject, home)
    value = sum(v for _, v in items) / len(items) - penalty
    missing = [name for name, v in items if v < 1]
    reasons = []
    if missing:
        reasons.append("absents ou incomplets : " + ", ".join(missing))
    if disclosed:
        reasons.append(
            "versions divulguées : " + ", ".join(e.header or e.text or "" for e in disclosed)
        )
    reason = sentence(reasons) if reasons else None
    if not evidence:
        evidence.append(Evidence(url=home.final_url, note="aucun en-tête de sécurité"))
    return scored(value, [*evidence, *disclosed], reason=reason)


# --- T5 DNSSEC and IPv6 ----------------------------------------------------------------


@check("technique.dnssec", version="1", reads_content=False)
def dnssec(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    """1 when the zone is signed and the resolver validated it (AD bit); 0.5 when a
    DNSKEY exists but validation was not observed (confidence inferred); plus
    ``ipv6_bonus`` when the web host has an AAAA record; capped at 1."""
    names = _facts(subject, "dns")
    if names is None:
        return not_measurable("Faits DNS non capturés (adresse IP ou capture sans DNS).")
    domain = str(names.get("domain") or "")
    evidence = [Evidence(text=domain, note="zone du site")]
    confidence = Confidence.OBSERVED
    reasons = []
    if names.get("validated"):
        value = 1.0
        evidence.append(Evidence(text=f"{domain} DNSKEY", note="réponse validée (bit AD)"))
    elif names.get("dnskey"):
        value = 0.5
        confidence = Confidence.INFERRED
        evidence.append(
            Evidence(text=f"{domain} DNSKEY", note="zone signée, validation non observée")
        )
        reasons.append("zone signée mais validation DNSSEC non observée")
    else:
        value = 0.0
        reasons.append("zone non signée (DNSSEC absent)")
    aaaa = names.get("aaaa") or []
    if aaaa:
        value += float(params.get("ipv6_bonus", 0.2))
        evidence.append(Evidence(text=f"{names.get('host')} AAAA {aaaa[0]}", note="IPv6"))
    else:
        reasons.append("pas d'adresse IPv6 (AAAA)")
    return scored(
        value,
        evidence,
        confidence=confidence,
        reason=sentence(reasons) if reasons else None,
    )


# --- T6 e-mail authentication -------------------------------------------------------------


def dmarc_policy(record: str) -> tuple[str | None, int]:
    """(p, pct) of a DMARC record (pct defaults to 100)."""
    tags = {}
    for part in record.split(";"):
        name, _, value = part.partition("=")
        tags[name.strip().lower()] = value.strip().lower()
    pct = tags.get("pct", "100")
    return tags.get("p"), int(pct) if pct.isdigit() else 100


def mail_score(names: Mapping[str, Any], params: Mapping[str, Any]) -> tuple[float, list[str]]:
    """MX ``mx`` + SPF ``spf`` + DMARC ``dmarc`` + p=quarantine/reject at pct=100
    ``enforced``; returns the value and what is missing."""
    value = 0.0
    missing = []
    if names.get("mx"):
        value += float(params.get("mx", 0.2))
    else:
        missing.append("pas de MX")
    spf = str(names.get("spf") or "")
    if spf.lower().startswith("v=spf1"):
        value += float(params.get("spf", 0.3))
    else:
        missing.append("pas de SPF")
    record = str(names.get("dmarc") or "")
    if record.upper().startswith("V=DMARC1"):
        value += float(params.get("dmarc", 0.2))
        policy, pct = dmarc_policy(record)
        if policy in ("quarantine", "reject") and pct == 100:
            value += float(params.get("enforced", 0.3))
        else:
            missing.append(f"politique DMARC non contraignante (p={policy}, pct={pct})")
    else:
        missing.append("pas de DMARC")
    return value, missing


@check("technique.messagerie", version="1", reads_content=False)
def mail_authentication(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    """MX, SPF, DMARC and an enforcing DMARC policy on the domain used for mail: the
    site's domain, whose DNS was captured. A registry address on a consumer mailbox is
    not applicable (K3 counts it); one on another own domain is not measurable."""
    names = _facts(subject, "dns")
    if names is None:
        return not_measurable("Faits DNS non capturés (adresse IP ou capture sans DNS).")
    domain = str(names.get("domain") or "")
    address = subject.authority.email
    if address:
        mail = email_domain(address)
        if mail in CONSUMER_MAIL or registrable_domain(mail) in CONSUMER_MAIL:
            return not_applicable(
                f"Messagerie grand public ({mail}) : authentification hors de la maîtrise de la collectivité (pénalisé en K3)."
            )
        if registrable_domain(mail) != domain:
            return not_measurable(
                f"Adresse de messagerie sur {registrable_domain(mail)}, dont le DNS n'a pas été capturé (seul {domain} l'a été)."
            )
    value, missing = mail_score(names, params)
    evidence = [Evidence(text=domain, note="domaine de messagerie")]
    for key, label in (("mx", "MX"), ("spf", "SPF"), ("dmarc", "DMARC")):
        record = names.get(key)
        if record:
            shown = ", ".join(record) if isinstance(record, list) else str(record)
            evidence.append(Evidence(text=shown[:200], note=label))
    reason = sentence(missing) if missing else None
    return scored(value, evidence, reason=reason)
