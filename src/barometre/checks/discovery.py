"""Discovery: what the collectivité's pages point at, as :class:`Finding` records.

Read from the home page (the rendered DOM when the served HTML is an empty shell) and
every other page of the crawl plan. Categories and names:

* ``social``: one finding per account of the collectivité's own, ``name`` = platform
  (see :mod:`.platforms`), ``handle`` = account, and the evidence that it is its own in
  ``evidence.note`` (:mod:`.ownership`: ``rel="me"``, ``sameAs`` of the structured data
  describing the collectivité, a follow block in the header or footer, a list of icons, the
  page's declared publisher, a handle naming it). ``social_linked``: « comptes liés »,
  other organisations' accounts linked from its pages (tourist office, club, préfecture,
  a link in a page's body with no evidence), with the reason; never counted. A link inside
  a credits line ("Conception : …") is the web agency's unless it names the collectivité.
  Share buttons, intents, groups and personal profiles are never accounts. A link to one
  post keeps the account with confidence ``inferred``.
* ``app``: native apps (``app_store``, ``google_play``: store links and smart-banner
  metas) and shared municipal apps by fingerprint [criteria.md §4.2]: ``panneaupocket``,
  ``illiwap``, ``intramuros``, ``cityall``, ``citykomi``.
* ``newsletter``: a subscription form or link; ``name`` = the mailing service when
  recognised (``brevo``, ``mailchimp``, ``sarbacane``, ``mailjet``…), else ``newsletter``.
* ``feed``: declared RSS/Atom feeds (``rss``, ``atom``, ``json``).
* ``participation``: civic-tech platforms [criteria.md §4.1]: ``decidim``,
  ``cap_collectif``, ``go_vocal``, ``fluicity``, ``make_org`` (only with the
  collectivité's name in the consultation), ``consul``, ``civocracy``, ``id_city``,
  ``democracyos``, and ``plateforme`` (a participation host of unknown technology).
  Decidim hosts are cross-checked with the decidim.org list (:mod:`.data`).
* ``service``: online services [criteria.md §4.3]: ``demarches_numeriques``,
  ``jedonnemonavis``, ``payfip``, ``espace_citoyens``, ``maelis``, ``portail_famille``,
  ``rendez_vous``, ``teleservice`` (the collectivité's own online procedure),
  ``urbanisme`` (planning e-filing: GNAU, SVE), ``service_public`` (a Service-Public
  fiche, ``handle`` = fiche id) and ``comarquage`` (fiches shown on the site itself).
* ``opendata``: ``data_gouv`` (organisation page), ``opendatasoft``, ``ckan``,
  ``arcgis_hub``, ``portail`` (data./opendata. host of unknown technology) and
  ``reference_odf`` (the SIREN is in the OpenDataFrance list).
* ``cms``: ``name`` = CMS, ``handle`` = version when visible; ``provider``: ``name`` =
  slug of the credited web agency, ``handle`` = its display name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urljoin, urlsplit
from weakref import WeakKeyDictionary

from selectolax.lexbor import LexborNode

from barometre.checks.base import discoverer
from barometre.checks.data import decidim_hosts, odf_portals
from barometre.checks.html import Doc
from barometre.checks.lexicon import name_tokens
from barometre.checks.ownership import (
    Names,
    Proof,
    Verdict,
    described,
    judge_described,
    names_collectivite,
)
from barometre.checks.subject import Subject
from barometre.checks.technologies import Detection, detections_of, merged
from barometre.checks.technologies import catalogue as technology_catalogue
from barometre.domains import registrable_domain
from barometre.models import LINKED_ACCOUNTS, OWN_ACCOUNTS, Confidence, Evidence, Finding
from barometre.vocab.platforms import Account, parse_social_url
from barometre.vocab.text import fold, fold_document, slug

_SOCIAL_BLOCK = ("social", "reseaux", "suivez", "follow", "rs links", "sociaux")
_ZONES = ("header", "footer", "nav")
CREDIT_MARKERS = (
    "conception",
    "realisation",
    "realise par",
    "realisee par",
    "concue par",
    "realise avec",
    "site realise",
    "concu par",
    "developpe par",
    "propulse par",
    "cree avec",
    "cree par",
    "webdesign",
    "agence web",
)


@dataclass(frozen=True, slots=True)
class Anchor:
    url: str
    text: str
    rel: tuple[str, ...]
    zone: str  # header | footer | nav | body
    social_block: bool
    credit: bool
    hint: str  # words of the link's own text, class and title (folded)
    context: str  # text of the enclosing block (article, list item, paragraph)
    page: str


def is_credit(text: str) -> bool:
    """Whether a text credits the making of the site (« Conception : », « réalisé par »…)."""
    folded = fold(text)
    return any(m in folded for m in CREDIT_MARKERS)


def _heading_before(block: LexborNode) -> str:
    """The heading, term or table header just before a block (« Conception et
    réalisation » above the paragraph that only holds the agency's link)."""
    previous = block.prev
    while previous is not None and previous.tag == "-text":
        previous = previous.prev
    if previous is not None and previous.tag in ("h2", "h3", "h4", "h5", "h6", "dt", "th"):
        return previous.text(separator=" ")
    return ""


def _attrs(node: LexborNode) -> str:
    attrs = node.attributes or {}
    return f"{attrs.get('id') or ''} {attrs.get('class') or ''}"


def _anchor(node: LexborNode, doc: Doc, marks_of: dict[int, str]) -> Anchor | None:
    href = (node.attributes.get("href") or "").strip()
    if not href or href.startswith(("javascript:", "#", "mailto:", "tel:")):
        return None
    try:
        url = urljoin(doc.url, href)
    except ValueError:
        return None
    text = " ".join(node.text(separator=" ").split())
    label = " ".join(
        filter(None, (node.attributes.get("title"), node.attributes.get("aria-label")))
    )
    zone, social, credit, context = "body", False, False, ""
    parent, depth = node.parent, 0
    while parent is not None and depth < 12:
        tag = parent.tag or ""
        marks = marks_of.get(parent.mem_id)
        if marks is None:  # the links of one menu share their ancestors
            marks = marks_of[parent.mem_id] = fold(_attrs(parent))
        if zone == "body" and (tag in _ZONES or "footer" in marks or "pied" in marks):
            zone = tag if tag in _ZONES else "footer"
        if any(word in marks for word in _SOCIAL_BLOCK):
            social = True
        if not context and tag in ("article", "li", "p", "td", "section", "dd"):
            context = " ".join(parent.text(separator=" ").split())[:400]
            credit = tag in ("p", "li", "dd", "td") and (
                is_credit(context) or is_credit(_heading_before(parent))
            )
        parent, depth = parent.parent, depth + 1
    hint = fold(f"{text} {label} {_attrs(node)} {_attrs(node.parent) if node.parent else ''}")
    rel = tuple((node.attributes.get("rel") or "").lower().split())
    return Anchor(url, text or label, rel, zone, social, credit, hint, context or text, doc.url)


_ANCHORS: WeakKeyDictionary[Doc, tuple[Anchor, ...]] = WeakKeyDictionary()


def anchors(doc: Doc) -> list[Anchor]:
    """The links of a page with where they sit; read once per parsed page, since most
    detectors go through them (a pure function of the page)."""
    found = _ANCHORS.get(doc)
    if found is None:
        marks_of: dict[int, str] = {}
        out = []
        for node in doc.css("a[href], area[href]")[:5000]:
            anchor = _anchor(node, doc, marks_of)
            if anchor is not None:
                out.append(anchor)
        found = _ANCHORS[doc] = tuple(out)
    return list(found)


def _documents(subject: Subject) -> Iterator[Doc]:
    for _, doc in _kinded_documents(subject):
        yield doc


def _kinded_documents(subject: Subject) -> Iterator[tuple[str, Doc]]:
    """(page kind, parsed page) of the home page (rendered, then served) and the plan."""
    seen: set[int] = set()
    docs = list(subject.docs())
    static = subject.static_home_doc
    if static is not None:
        docs.insert(1, ("home", static))
    for kind, doc in docs:
        if doc.is_pdf or id(doc) in seen:
            continue
        seen.add(id(doc))
        yield kind, doc


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    kept: dict[tuple[str, str, str], Finding] = {}
    for finding in findings:
        key = (finding.category, finding.name, (finding.handle or finding.url or "").lower())
        current = kept.get(key)
        if current is None or (
            current.confidence is Confidence.INFERRED and finding.confidence is Confidence.OBSERVED
        ):
            kept[key] = finding
    return list(kept.values())


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


# --- social accounts -----------------------------------------------------------------


def _hint(anchor: Anchor) -> str:
    if "mastodon" in anchor.hint:
        return "mastodon"
    if "peertube" in anchor.hint:
        return "peertube"
    if "me" in anchor.rel:
        return "fediverse"
    return ""


# Elements whose text says whose links a list of icons holds (a partner's card, a
# sidebar « Suivez la ville »); the page's header, footer and body are too wide for that.
_BLOCKS = frozenset(
    {"li", "p", "div", "section", "article", "aside", "td", "dd", "figure", "address", "ul", "ol"}
)
_GROUPS = frozenset({"ul", "ol", "nav", "div", "p", "section", "aside", "footer", "header"})
_BLOCK_MAX = 400
_LINKED_MAX = 30
_ZONE_LABELS = {"header": "de l'en-tête", "footer": "du pied de page", "nav": "du menu"}


@dataclass(frozen=True, slots=True)
class _SocialLink:
    anchor: Anchor
    account: Account
    label: str  # the link's own words: text, title, aria-label, image alt
    block: str  # text of the small block around it (a card, a list item), "" if none
    group: int  # the list or block holding it (several platforms there: an icon list)


def _label(node: LexborNode) -> str:
    image = node.css_first("img[alt]")
    parts = (
        node.text(separator=" "),
        node.attributes.get("title"),
        node.attributes.get("aria-label"),
        image.attributes.get("alt") if image is not None else None,
    )
    return " ".join(" ".join(p for p in parts if p).split())


def _block_text(node: LexborNode) -> str:
    """What a block says besides its social links (a heading, a name, an image's alt):
    the labels of the links themselves (« Facebook », « Préfecture »…) belong to each
    link, not to its neighbours."""
    text = node.text(separator=" ")
    for link in node.css("a[href]")[:50]:
        if parse_social_url(link.attributes.get("href") or "") is not None:
            text = text.replace(link.text(separator=" "), " ", 1)
    alts = " ".join(i.attributes.get("alt") or "" for i in node.css("img[alt]")[:20])
    return " ".join(f"{text} {alts}".split())


def _surroundings(node: LexborNode) -> tuple[str, int]:
    """(what the nearest block around the link says besides social links, key of the
    list or block holding it)."""
    block, group = "", 0
    parent, depth = node.parent, 0
    while parent is not None and depth < 8:
        tag = parent.tag or ""
        if not group and tag in _GROUPS:
            group = parent.mem_id
        if tag in ("header", "footer", "nav", "main", "body", "html"):
            break
        if not block and tag in _BLOCKS:
            text = _block_text(parent)
            if text:
                block = text if len(text) <= _BLOCK_MAX else " "
        if block and group:
            break
        parent, depth = parent.parent, depth + 1
    return block.strip(), group or (node.parent.mem_id if node.parent is not None else 0)


_SOCIAL_LINKS: WeakKeyDictionary[Doc, tuple[_SocialLink, ...]] = WeakKeyDictionary()


def _social_links(doc: Doc) -> list[_SocialLink]:
    """The page's links to accounts (read once per parsed page, like :func:`anchors`)."""
    found = _SOCIAL_LINKS.get(doc)
    if found is None:
        links: list[_SocialLink] = []
        marks_of: dict[int, str] = {}
        for node in doc.css("a[href], area[href]")[:5000]:
            anchor = _anchor(node, doc, marks_of)
            if anchor is None:
                continue
            account = parse_social_url(anchor.url, hint=_hint(anchor))
            if account is None or account.person:
                continue
            label = _label(node)
            block, group = _surroundings(node)
            links.append(_SocialLink(anchor, account, label, block, group))
        found = _SOCIAL_LINKS[doc] = tuple(links)
    return list(found)


def judge_link(link: _SocialLink, names: Names, platforms_in_group: int) -> Verdict | None:
    """Whose account a link on the page is; ``None`` for the web agency's in the credits."""
    anchor, account = link.anchor, link.account
    named = names.named(account.handle)
    if anchor.credit and not named:
        return None  # the web agency's account in the credits line
    if "me" in anchor.rel:
        return Verdict(True, 'lien rel="me"', Proof.REL_ME)
    other = names.other_organisation(link.label)
    if other is not None:
        return Verdict(False, f"le lien désigne une autre organisation (« {other} »)")
    other = names.other_in_handle(account.handle)
    if other is not None:
        return Verdict(
            False, f"l'identifiant « {account.handle} » désigne une autre organisation ({other})"
        )
    other = names.other_organisation(link.block)
    if other is not None:
        return Verdict(False, f"le bloc du lien désigne une autre organisation (« {other} »)")
    follow = names.follow_label(link.label)
    where = _ZONE_LABELS.get(anchor.zone)
    if where is not None and (anchor.social_block or follow):
        return Verdict(True, f"bloc de suivi {where}", Proof.FOLLOW_BLOCK)
    if anchor.social_block and follow:
        return Verdict(True, "bloc « Suivez-nous » de la page", Proof.FOLLOW_BLOCK)
    if follow and platforms_in_group >= 2:
        return Verdict(
            True, f"liste d'icônes vers {platforms_in_group} plateformes", Proof.ICON_LIST
        )
    if named:
        return Verdict(
            True,
            f"l'identifiant « {account.handle} » reprend le nom de la collectivité",
            Proof.HANDLE,
        )
    if where is not None:
        return Verdict(False, f"lien {where} hors bloc de suivi, sans le nom de la collectivité")
    return Verdict(False, "lien dans le corps d'une page, sans preuve que le compte est le sien")


_PUBLISHER_METAS = ("article:publisher", "twitter:site")


def _publisher_accounts(doc: Doc) -> Iterator[tuple[str, str]]:
    """Accounts the page declares as its publisher: (address, tag)."""
    publisher = doc.opengraph.get("article:publisher")
    if publisher:
        yield publisher, "article:publisher"
    site = doc.meta("twitter:site")
    if site:
        handle = site.strip().lstrip("@")
        if handle and "/" not in handle:
            yield f"https://x.com/{handle}", "twitter:site"


@dataclass
class _Candidate:
    account: Account
    verdict: Verdict
    evidence: Evidence


def _judged(subject: Subject, names: Names) -> Iterator[_Candidate]:
    for doc in _documents(subject):
        links = _social_links(doc)
        platforms: dict[int, set[str]] = {}
        for link in links:
            platforms.setdefault(link.group, set()).add(link.account.platform)
        for link in links:
            verdict = judge_link(link, names, len(platforms[link.group]))
            if verdict is not None:
                evidence = Evidence(url=doc.url, text=link.anchor.url, note=verdict.why)
                yield _Candidate(link.account, verdict, evidence)
        for head in doc.head_links:
            account = parse_social_url(head.url, hint="fediverse") if "me" in head.rel else None
            if account is not None and not account.person:
                verdict = Verdict(True, '<link rel="me"> de la page', Proof.REL_ME)
                yield _Candidate(
                    account, verdict, Evidence(url=doc.url, text=head.url, note=verdict.why)
                )
        for node in described(doc):
            verdict = judge_described(node, names)
            for url in node.same_as:
                account = parse_social_url(url, hint="fediverse")
                if account is not None and not account.person:
                    yield _Candidate(
                        account, verdict, Evidence(url=doc.url, text=url, note=verdict.why)
                    )
        for url, tag in _publisher_accounts(doc):
            account = parse_social_url(url)
            if account is None or account.person or not names.named(account.handle):
                continue  # a theme's or an agency's default: no evidence
            if names.other_in_handle(account.handle) is not None:
                continue
            verdict = Verdict(True, f"éditeur déclaré des pages ({tag})", Proof.PUBLISHER)
            yield _Candidate(account, verdict, Evidence(url=doc.url, text=url, note=verdict.why))


def _finding(category: str, candidate: _Candidate, url: str, post: bool) -> Finding:
    account = candidate.account
    return Finding(
        category,
        account.platform,
        url,
        account.handle,
        candidate.evidence,
        Confidence.INFERRED if post else Confidence.OBSERVED,
    )


def social_accounts(subject: Subject) -> list[Finding]:
    """One finding per account: ``social`` (the collectivité's own, with the strongest
    evidence found on any page) or ``social_linked`` (another organisation's, linked from
    its pages; at most 30)."""
    names = Names(subject.authority)
    by_key: dict[tuple[str, str], list[_Candidate]] = {}
    for candidate in _judged(subject, names):
        by_key.setdefault(candidate.account.key, []).append(candidate)
    found: list[Finding] = []
    linked = 0
    for candidates in by_key.values():
        own = [c for c in candidates if c.verdict.own]
        if own:
            best = min(own, key=lambda c: (c.verdict.proof or Proof.HANDLE, c.account.post))
            profile = next((c for c in own if not c.account.post), best)
            found.append(_finding(OWN_ACCOUNTS, best, profile.account.url, profile.account.post))
        elif linked < _LINKED_MAX:
            first = next((c for c in candidates if not c.account.post), candidates[0])
            found.append(_finding(LINKED_ACCOUNTS, first, first.account.url, first.account.post))
            linked += 1
    return found


@discoverer("social", version="2")
def discover_social(subject: Subject) -> list[Finding]:
    return social_accounts(subject)


# --- apps, newsletters, feeds --------------------------------------------------------

# [criteria.md §4.2]; CityAll host names are a hypothesis there.
SHARED_APPS: dict[str, tuple[str, ...]] = {
    "panneaupocket": ("app.panneaupocket.com/embeded", "panneaupocket.com/ville/", "panneaupocket"),
    "illiwap": ("station.illiwap.com", "illiwap.com"),
    "intramuros": ("appli-intramuros.com", "intramuros.org"),
    "cityall": ("cityall.fr", "cityall.com", "cityall"),
    "citykomi": ("citykomi",),
}
NEWSLETTER_SERVICES: dict[str, tuple[str, ...]] = {
    "brevo": ("sibforms.com", "sendinblue.com", "brevo.com", "r.mailin.fr"),
    "mailchimp": ("list-manage.com", "mailchimp.com", "eepurl.com"),
    "sarbacane": ("sarbacane.com", "mailify.com"),
    "mailjet": ("mailjet.com",),
    "mailerlite": ("mailerlite.com",),
    "cleverreach": ("cleverreach.com",),
}
NEWSLETTER_WORDS = (
    "newsletter",
    "lettre d information",
    "lettre d info",
    "infolettre",
    "lettre electronique",
    "lettre numerique",
)
_APPLE_ID = re.compile(r"/id(\d{5,})")


def _shared_app(text: str) -> str | None:
    lowered = text.lower()
    for name, marks in SHARED_APPS.items():
        if any(mark in lowered for mark in marks):
            return name
    return None


def _store_app(url: str) -> tuple[str, str] | None:
    host = _host(url)
    if host in ("apps.apple.com", "itunes.apple.com"):
        match = _APPLE_ID.search(urlsplit(url).path)
        return ("app_store", "id" + match.group(1)) if match else None
    if host == "play.google.com" and "/store/apps/details" in url:
        ident = parse_qs(urlsplit(url).query).get("id", [""])[0]
        return ("google_play", ident) if ident else None
    return None


def _app_findings(doc: Doc) -> Iterator[Finding]:
    for anchor in anchors(doc):
        store = _store_app(anchor.url)
        if store is not None:
            name = _shared_app(f"{store[1]} {anchor.url}") or store[0]
            yield Finding("app", name, anchor.url, store[1], Evidence(url=doc.url, text=anchor.url))
            continue
        shared = _shared_app(anchor.url)
        if shared is not None:
            yield Finding(
                "app", shared, anchor.url, _host(anchor.url), Evidence(url=doc.url, text=anchor.url)
            )
    for url in [*doc.iframes, *doc.scripts]:
        shared = _shared_app(url)
        if shared is not None:
            yield Finding(
                "app",
                shared,
                url,
                _host(url),
                Evidence(url=doc.url, text=url, selector="iframe/script"),
            )
    for meta, name in (("apple-itunes-app", "app_store"), ("google-play-app", "google_play")):
        content = doc.meta(meta)
        if content:
            match = re.search(r"app-id=([\w.]+)", content)
            ident = match.group(1) if match else content
            yield Finding(
                "app",
                _shared_app(ident) or name,
                None,
                ident if name == "google_play" or ident.startswith("id") else "id" + ident,
                Evidence(url=doc.url, text=content, selector=f'meta[name="{meta}"]'),
            )
    if doc.css("[class*=citykomi], [id*=citykomi]"):
        yield Finding(
            "app", "citykomi", None, None, Evidence(url=doc.url, selector="[class*=citykomi]")
        )


def _newsletter_service(text: str) -> str | None:
    lowered = text.lower()
    for name, hosts in NEWSLETTER_SERVICES.items():
        if any(host in lowered for host in hosts):
            return name
    return None


def _newsletter_findings(doc: Doc) -> Iterator[Finding]:
    for form in doc.css("form"):
        action = form.attributes.get("action") or ""
        text = fold(f"{form.text(separator=' ')} {_attrs(form)} {action}")
        service = _newsletter_service(action)
        has_email = form.css_first('input[type="email"], input[name*="mail"]') is not None
        if service or (has_email and any(w in text for w in NEWSLETTER_WORDS)):
            yield Finding(
                "newsletter",
                service or "newsletter",
                urljoin(doc.url, action) if action else doc.url,
                None,
                Evidence(url=doc.url, selector="form", text=" ".join(form.text().split())[:160]),
            )
    for anchor in anchors(doc):
        service = _newsletter_service(anchor.url)
        if service or any(w in fold(anchor.text) for w in NEWSLETTER_WORDS):
            yield Finding(
                "newsletter",
                service or "newsletter",
                anchor.url,
                None,
                Evidence(url=doc.url, text=anchor.text[:160]),
            )


def _feed_findings(doc: Doc) -> Iterator[Finding]:
    for link in doc.head_links:
        if "alternate" not in link.rel:
            continue
        kind = next((k for k in ("rss", "atom", "json") if k in link.type), None)
        if kind is not None and ("xml" in link.type or kind == "json"):
            yield Finding(
                "feed",
                kind,
                link.url,
                None,
                Evidence(url=doc.url, text=link.url, selector="link[rel=alternate]"),
            )


@discoverer("apps")
def discover_channels(subject: Subject) -> list[Finding]:
    found: list[Finding] = []
    for doc in _documents(subject):
        found.extend(_app_findings(doc))
        found.extend(_newsletter_findings(doc))
        found.extend(_feed_findings(doc))
    return _dedupe(found)


# --- participation platforms ---------------------------------------------------------

# [criteria.md §4.1]; hosts marked [hyp] there are kept as hypotheses.
PARTICIPATION_HOSTS: dict[str, tuple[str, ...]] = {
    "cap_collectif": ("cap-collectif.com",),
    "go_vocal": ("citizenlab.co", "govocal.com"),
    "fluicity": ("flui.city", "fluicity.co"),
    "civocracy": ("civocracy.org", "civocracy.com"),
    "id_city": ("id-city.com", "idcity.fr"),
    "democracyos": ("democracyos.org", "democracyos.eu"),
    "consul": ("consuldemocracy.org",),
}
PARTICIPATION_LABELS = (
    "participez",
    "participer",
    "jeparticipe",
    "je-participe",
    "participation",
    "participons",
    "concertation",
    "jedonnemonidee",
    "democratie-participative",
)
_DECIDIM_PATH = re.compile(r"^/(?:processes|assemblies|initiatives|conferences)(?:/|$)")
_MAKE_ORG = re.compile(r"make\.org/[A-Za-z]{2}/consultation/([^/?#]+)", re.IGNORECASE)


def _participation(url: str, text: str, tokens: list[str]) -> tuple[str, Confidence] | None:
    host = _host(url).removeprefix("www.")
    if not host:
        return None
    path = urlsplit(url).path
    if host in decidim_hosts() or "decidim" in host or "/decidim-packs/" in path:
        return "decidim", Confidence.OBSERVED
    for name, hosts in PARTICIPATION_HOSTS.items():
        if any(host == h or host.endswith("." + h) for h in hosts):
            return name, Confidence.OBSERVED
    make = _MAKE_ORG.search(url)
    if make is not None:
        named = names_collectivite(make.group(1), tokens) or names_collectivite(text, tokens)
        return ("make_org", Confidence.OBSERVED) if named else None
    label = host.split(".", 1)[0]
    if label in PARTICIPATION_LABELS:
        if _DECIDIM_PATH.match(path):
            return "decidim", Confidence.INFERRED
        return "plateforme", Confidence.INFERRED
    return None


def participation_findings(subject: Subject) -> list[Finding]:
    tokens = name_tokens(subject.authority.name)
    found: list[Finding] = []
    for doc in _documents(subject):
        for anchor in anchors(doc):
            hit = _participation(anchor.url, anchor.text, tokens)
            if hit is not None:
                found.append(
                    Finding(
                        "participation",
                        hit[0],
                        anchor.url,
                        _host(anchor.url),
                        Evidence(url=doc.url, text=anchor.context[:400], note=anchor.text[:120]),
                        hit[1],
                    )
                )
        for url in [*doc.scripts, *doc.iframes, *(link.url for link in doc.head_links)]:
            if "/decidim-packs/" in url:
                found.append(
                    Finding(
                        "participation",
                        "decidim",
                        doc.url,
                        _host(doc.url),
                        Evidence(url=doc.url, text=url, note="ressources /decidim-packs/"),
                    )
                )
    return _dedupe(found)


@discoverer("participation")
def discover_participation(subject: Subject) -> list[Finding]:
    return participation_findings(subject)


# --- online services -----------------------------------------------------------------

SERVICE_HOSTS: dict[str, tuple[str, ...]] = {
    "demarches_numeriques": ("demarche.numerique.gouv.fr", "demarches-simplifiees.fr"),
    "jedonnemonavis": ("jedonnemonavis.numerique.gouv.fr", "voxusagers.numerique.gouv.fr"),
    "payfip": ("payfip.gouv.fr", "tipi.budget.gouv.fr"),
    "espace_citoyens": ("espace-citoyens.net",),
    "maelis": ("maelis.info", "maelis.fr"),
    "rendez_vous": (
        "clicrdv.com",
        "synbird.com",
        "rdv360.com",
        "rendezvousonline.fr",
        "mairie-rdv.fr",
    ),
    "urbanisme": ("sve.sirap.fr", "geopermis.fr", "gnau"),
}
# Hosts of national information or State procedures: not the collectivité's own service.
NATIONAL_HOSTS = (
    "service-public.fr",
    "service-public.gouv.fr",
    "ants.gouv.fr",
    "gouv.fr",
    "cnil.fr",
)
TELESERVICE_LABELS = (
    "demarches",
    "eservices",
    "e-services",
    "teleservices",
    "services",
    "guichet",
    "aides",
    "mesdemarches",
    "moncompte",
    "espace-citoyen",
    "portail",
    "famille",
    "inscriptions",
)
PROCEDURE_WORDS = (
    "demander",
    "demande d",
    "deposer",
    "reserver",
    "reservation",
    "s inscrire",
    "inscription",
    "prendre rendez vous",
    "declarer",
    "signaler",
    "portail famille",
    "espace famille",
    "portail citoyen",
    "espace citoyen",
)
URBANISME_WORDS = ("urbanisme", "permis de construire", "declaration prealable")
FILING_WORDS = ("deposer", "depot", "en ligne", "guichet numerique", "saisine")
_FICHE = re.compile(r"/(?:particuliers|professionnels|associations)/vosdroits/([FNR]\d+)")
_XML_FICHE = re.compile(r"(?:^|[?&])xml=([FNR]\d+)(?:\.xml)?", re.IGNORECASE)


def _service_of(anchor: Anchor, site_domain: str) -> tuple[str, str] | None:
    """(name, handle) of the service a link reaches, or None."""
    url, host = anchor.url, _host(anchor.url)
    text = fold(anchor.text)
    parts = urlsplit(url)
    fiche = _FICHE.search(parts.path)
    if fiche and ("service-public" in host):
        return "service_public", fiche.group(1)
    xml = _XML_FICHE.search(parts.query)
    if xml:
        return "comarquage", xml.group(1).upper()
    if "lecomarquage.service-public" in host:
        return "comarquage", host
    for name, hosts in SERVICE_HOSTS.items():
        if any(h in host for h in hosts):
            if name == "demarches_numeriques" and "/commencer/" not in parts.path:
                return None
            return name, host + parts.path.rstrip("/")
    filing = any(w in text for w in URBANISME_WORDS) and any(w in text for w in FILING_WORDS)
    if filing and (host != _host(anchor.page) or "gnau" in url):
        return "urbanisme", host + parts.path.rstrip("/")
    if (
        not host
        or host == _host(anchor.page)
        or any(host == h or host.endswith("." + h) for h in NATIONAL_HOSTS)
    ):
        return None
    if "portail famille" in text or "espace famille" in text:
        return "portail_famille", host + parts.path.rstrip("/")
    if "rendez vous" in text and any(w in text for w in ("identite", "passeport", "titre")):
        return "rendez_vous", host + parts.path.rstrip("/")
    label = host.split(".", 1)[0]
    own = registrable_domain(host) == site_domain
    if (own and label in TELESERVICE_LABELS) or any(w in text for w in PROCEDURE_WORDS):
        return "teleservice", host + parts.path.rstrip("/")
    return None


def service_findings(subject: Subject) -> list[Finding]:
    site_domain = registrable_domain(subject.site_host or "")
    found: list[Finding] = []
    for doc in _documents(subject):
        for anchor in anchors(doc):
            hit = _service_of(anchor, site_domain)
            if hit is not None:
                found.append(
                    Finding(
                        "service",
                        hit[0],
                        anchor.url,
                        hit[1],
                        Evidence(
                            url=doc.url, text=anchor.text[:160] or anchor.url, note=anchor.url
                        ),
                    )
                )
        for form in doc.css("form[action]"):
            action = urljoin(doc.url, form.attributes.get("action") or "")
            if any(h in _host(action) for h in SERVICE_HOSTS["payfip"]):
                found.append(
                    Finding(
                        "service",
                        "payfip",
                        action,
                        _host(action),
                        Evidence(url=doc.url, selector="form", text=action),
                    )
                )
        own = _XML_FICHE.search(urlsplit(doc.url).query)
        if own:
            found.append(
                Finding(
                    "service",
                    "comarquage",
                    doc.url,
                    own.group(1).upper(),
                    Evidence(url=doc.url, text=doc.url),
                )
            )
        for url in [*doc.scripts, *doc.iframes]:
            if "lecomarquage.service-public" in url:
                found.append(
                    Finding(
                        "service",
                        "comarquage",
                        url,
                        _host(url),
                        Evidence(url=doc.url, text=url, selector="script/iframe"),
                    )
                )
    return _dedupe(found)


@discoverer("services")
def discover_services(subject: Subject) -> list[Finding]:
    return service_findings(subject)


# --- open data -----------------------------------------------------------------------


def _opendata(url: str) -> str | None:
    host = _host(url)
    path = urlsplit(url).path
    if host.endswith("data.gouv.fr") and "/organizations/" in path:
        return "data_gouv"
    if host.endswith("hub.arcgis.com"):
        return "arcgis_hub"
    label = host.split(".", 1)[0]
    datahost = label in ("data", "opendata", "donnees", "open-data") or host.startswith(
        ("data.", "opendata.")
    )
    if "/explore" in path and (datahost or "opendatasoft" in host):
        return "opendatasoft"
    if "/api/explore/" in path:
        return "opendatasoft"
    if "/api/3/action" in path or (datahost and path.startswith("/dataset")):
        return "ckan"
    if datahost:
        return "portail"
    return None


def opendata_findings(subject: Subject) -> list[Finding]:
    found: list[Finding] = []
    for doc in _documents(subject):
        for anchor in anchors(doc):
            name = _opendata(anchor.url)
            if name is not None:
                found.append(
                    Finding(
                        "opendata",
                        name,
                        anchor.url,
                        _host(anchor.url),
                        Evidence(url=doc.url, text=anchor.context[:400], note=anchor.text[:120]),
                    )
                )
    siren = subject.authority.siren
    for row in odf_portals().get(siren or "", []):
        found.append(
            Finding(
                "opendata",
                "reference_odf",
                row["portal"] or None,
                row["datagouv_id"] or None,
                Evidence(
                    url=row["portal"] or None,
                    text=f"{row['name']} ({row['technology']})",
                    note="liste OpenDataFrance 2019 (via Éclaireur Public), par SIREN",
                ),
            )
        )
    return _dedupe(found)


@discoverer("opendata")
def discover_opendata(subject: Subject) -> list[Finding]:
    return opendata_findings(subject)


# --- CMS and web provider ------------------------------------------------------------

# Wappalyzer categories (refdata/webappanalyzer/categories.json) that name the software of
# a site: CMS, wikis, blogs, editors, static site generators; page builders (Webflow,
# SiteW…) only when none of those is found, since on a CMS they are its plugins.
CMS_CATEGORIES = frozenset({1, 8, 11, 20, 57})
BUILDER_CATEGORIES = frozenset({51})
# Sites of CMS projects: a "Propulsé par" link there names the CMS, not an agency (the
# websites of the technologies found are added to these).
CMS_PROJECT_HOSTS = (
    "wordpress.org",
    "drupal.org",
    "joomla.org",
    "joomla.fr",
    "gohugo.io",
    "spip.net",
    "typo3.org",
    "jekyllrb.com",
)
# Words of a sentence about an audit or an evaluation: « l'audit a été réalisé par la
# société X » names the auditor, not the agency that made the site.
AUDIT_WORDS = ("audit", "evaluation", "evalue", "controle", "rgaa", "conformite", "testeur")
_VERSION = re.compile(r"\b[vV]?(\d+(?:\.\d+){0,3})\b")
# Both read the punctuation-keeping fold (:func:`fold_document`): the colon after
# « Conception et réalisation » and the bracket or full stop that ends the maker's name
# are what delimit it.
_NAME_END = r"(?:$| \(| avec | sous | pour | accessibilite| propulse|[.;,|] | - | – )"
_BY = re.compile(
    r"(?:realise|realisee|concu|concue|developpe|developpee|cree)\s+(?:gratuitement\s+)?par\s+"
    r"(?:l'|le |la |les )?(.{3,60}?)" + _NAME_END,
)
_AFTER_COLON = re.compile(
    r"(?:conception|realisation|creation|developpement|webdesign)[^:]{0,40}:\s*"
    r"(?:l'|le |la |les )?(.{3,60}?)" + _NAME_END
)
_ARTICLE = re.compile(r"^(?:l['’]\s*|le |la |les )", re.IGNORECASE)
_CREDIT_TEXT_SELECTORS = "footer p, .site-info, .credits, [class*=footer] p"
_LEGAL_TEXT_SELECTORS = "main p, main li, main dd, article p"


def _cms_from_generator(content: str) -> tuple[str, str | None]:
    head = re.split(r"\s[–—-]\s|\(", content, maxsplit=1)[0].strip()
    version = _VERSION.search(head)
    name = head[: version.start()].strip() if version else head
    name = name.replace("!", "").strip() or head
    return slug(name), version.group(1) if version else None


def site_technologies(subject: Subject) -> list[Detection]:
    """Technologies of the home page, served and rendered (Wappalyzer-format fingerprints
    of :mod:`barometre.refdata` with our overlay)."""
    docs = [subject.static_home_doc, subject.rendered_home_doc]
    return merged(*(detections_of(d) for d in docs if d is not None and not d.is_pdf))


def _software(detections: list[Detection]) -> list[Detection]:
    techs = technology_catalogue().technologies

    def plain(d: Detection, categories: frozenset[int]) -> bool:
        tech = techs.get(d.name)
        return bool(set(d.categories) & categories) and not (tech and tech.requires)

    primary = [d for d in detections if plain(d, CMS_CATEGORIES)]
    return primary or [d for d in detections if plain(d, BUILDER_CATEGORIES)]


def _evidence(url: str, detection: Detection) -> Evidence:
    hit = detection.evidence[0]
    kind, _, key = hit.signal.partition(" ")
    note = f"empreinte {detection.name} (webappanalyzer) : {hit.signal}"
    if kind == "meta":
        return Evidence(url=url, text=hit.text, selector=f'meta[name="{key}"]', note=note)
    if kind == "header":
        return Evidence(url=url, header=f"{key}: {hit.text}", note=note)
    return Evidence(url=url, text=hit.text, note=note)


def cms_findings(subject: Subject) -> list[Finding]:
    found: list[Finding] = []
    home = subject.static_home_doc or subject.home_doc
    if home is None:
        return found
    detections = site_technologies(subject)
    for detection in _software(detections):
        found.append(
            Finding(
                "cms",
                detection.slug,
                home.url,
                detection.version or None,
                _evidence(home.url, detection),
                Confidence.OBSERVED if detection.confidence >= 100 else Confidence.INFERRED,
            )
        )
    used = {h.signal for d in detections for h in d.evidence}
    generator = home.meta("generator")
    if (
        generator
        and "meta generator" not in used
        and not is_credit(generator)
        and not re.search(r"[<>\"{}]", generator)
    ):
        name, version = _cms_from_generator(generator)
        found.append(
            Finding(
                "cms",
                name,
                home.url,
                version,
                Evidence(url=home.url, text=generator, selector='meta[name="generator"]'),
            )
        )
    headers = {k.lower(): v for k, v in (subject.home.headers if subject.home else ())}
    for header in ("x-generator", "x-powered-by"):
        value = headers.get(header, "")
        if (
            not value
            or f"header {header}" in used
            or re.match(r"(?i)(php|asp\.net|express|next\.js)", value)
        ):
            continue
        name, version = _cms_from_generator(value)
        if any(f.name.startswith(name) for f in found):
            continue
        found.append(
            Finding(
                "cms", name, home.url, version, Evidence(url=home.url, header=f"{header}: {value}")
            )
        )
    return _merge_cms(found)


def _merge_cms(found: list[Finding]) -> list[Finding]:
    """One finding per CMS, keeping the one that carries a version."""
    best: dict[str, Finding] = {}
    for finding in found:
        current = best.get(finding.name)
        if current is None or (current.handle is None and finding.handle is not None):
            best[finding.name] = finding
    return list(best.values())


def _original(text: str, folded_name: str) -> str:
    """The words of ``text`` that fold to ``folded_name`` (its own spelling, accents and
    capitals), without a leading article; else the folded name."""
    words = text.split()
    for start in range(len(words)):
        for end in range(start + 1, min(len(words), start + 12) + 1):
            candidate = _ARTICLE.sub("", " ".join(words[start:end])).strip(" .,;:–—-")
            if fold(candidate) == folded_name:
                return candidate
    return folded_name


def credited_name(text: str) -> str | None:
    """The maker a credit names: « Site réalisé par l'Atelier X » → « Atelier X »,
    « Conception et réalisation : Agence Y » → « Agence Y ». None for a sentence about
    an audit or an evaluation (its author is an auditor)."""
    loose = fold_document(text).rstrip(" .;,")
    if any(w in loose for w in AUDIT_WORDS):
        return None
    match = _BY.search(loose) or _AFTER_COLON.search(loose)
    if match is None:
        return None
    name = fold(match.group(1))
    return _original(text, name) if len(name) >= 3 else None


def _provider(name: str, url: str | None, evidence: Evidence) -> Finding:
    return Finding("provider", slug(name), url, name, evidence)


def provider_findings(subject: Subject, cms: list[str]) -> list[Finding]:
    """The web agency credited for the site, in this order: credit links in a footer
    (any page) or in the legal notice's body, a credit in ``<meta name="generator">`` or
    ``designer``, then a credit written without a link (footer, or the legal notice).
    Never from the accessibility statement, whose « réalisé par » names an auditor, nor a
    link to a social network, to the site itself or to the CMS's own site."""
    site = registrable_domain(subject.site_host or "")
    pages = list(_kinded_documents(subject))
    techs = technology_catalogue().technologies
    websites = [techs[d.name].website for d in site_technologies(subject) if d.name in techs]
    project_domains = {registrable_domain(h) for h in CMS_PROJECT_HOSTS} | {
        registrable_domain(h) for w in websites if (h := _host(w))
    }
    names = [c.replace("-", " ") for c in cms]
    found: list[Finding] = []
    for kind, doc in pages:
        if kind.startswith("accessibility"):
            continue
        for anchor in anchors(doc):
            if not anchor.credit or (anchor.zone != "footer" and kind != "legal"):
                continue
            host = _host(anchor.url)
            text = fold(anchor.text)
            if (
                not host
                or registrable_domain(host) == site
                or registrable_domain(host) in project_domains
                or any(c in text or (text and text in c) for c in names)
                or parse_social_url(anchor.url) is not None
            ):
                continue
            found.append(
                _provider(anchor.text, anchor.url, Evidence(url=doc.url, text=anchor.context[:200]))
            )
    if not found:
        for kind, doc in pages:
            for meta in ("generator", "designer"):
                content = doc.meta(meta) if kind == "home" else None
                name = credited_name(content) if content and is_credit(content) else None
                if name:
                    found.append(
                        _provider(
                            name,
                            None,
                            Evidence(
                                url=doc.url,
                                text=content,
                                selector=f'meta[name="{meta}"]',
                                note="crédit dans les métadonnées",
                            ),
                        )
                    )
    if not found:
        for kind, doc in pages:
            if kind.startswith("accessibility"):
                continue
            selectors = _CREDIT_TEXT_SELECTORS + (
                ", " + _LEGAL_TEXT_SELECTORS if kind == "legal" else ""
            )
            for node in doc.css(selectors):
                text = " ".join(node.text(separator=" ").split())
                name = credited_name(text) if is_credit(text) else None
                if name and not any(c in fold(name) for c in names if c):
                    found.append(
                        _provider(
                            name,
                            None,
                            Evidence(url=doc.url, text=text[:200], note="crédit sans lien"),
                        )
                    )
            if found:
                break
    return _one_per_maker(_dedupe(found))


def _one_per_maker(found: list[Finding]) -> list[Finding]:
    """The same agency credited with other words elsewhere (« agence Ligne Claire »,
    « Ligne Claire ») and the same link: keep the first."""
    kept: list[Finding] = []
    domains: set[str] = set()
    for finding in found:
        domain = registrable_domain(_host(finding.url)) if finding.url else None
        if domain and domain in domains:
            continue
        if domain:
            domains.add(domain)
        kept.append(finding)
    return kept


@discoverer("cms")
def discover_cms(subject: Subject) -> list[Finding]:
    cms = cms_findings(subject)
    return cms + provider_findings(subject, [f.name for f in cms])
