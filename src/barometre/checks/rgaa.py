"""Static RGAA tests: the few criteria a machine can test on served HTML [criteria.md §5.2].

:func:`static_rules` runs 13 rules on one parsed page and returns one
:class:`RuleResult` per rule (``passed`` is ``None`` when the rule has nothing to test on
that page, e.g. no image). They test the *presence* of what RGAA requires (a ``lang``, an
``alt``, a label…), never its relevance: a page that passes every rule may still be far
from conformant. This API is stable (another benchmark imports it).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from selectolax.lexbor import LexborNode

from barometre.checks.html import Doc
from barometre.vocab import fr
from barometre.vocab.text import fold


@dataclass(frozen=True, slots=True)
class RuleResult:
    rule: str  # stable id, see RULES
    rgaa: str  # RGAA criterion, e.g. "8.3"
    passed: bool | None  # None = not applicable on this page
    detail: str  # French
    selector: str | None = None
    count: int = 0  # violations counted


# rule id -> RGAA criterion
RULES = {
    "lang": "8.3",
    "title": "8.5",
    "doctype": "8.1",
    "image-alt": "1.1",
    "frame-title": "2.1",
    "skip-link": "12.7",
    "headings": "9.1",
    "landmarks": "12.6",
    "form-label": "11.1",
    "empty-link": "6.2",
    "viewport-zoom": "10.4",
    "meta-refresh": "13.1",
    "pdf-alternative": "13.3",
}
_LANG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$")
_DOCTYPE = re.compile(r"^\ufeff?\s*(<!--.*?-->\s*)*<!doctype\s+html", re.IGNORECASE | re.DOTALL)
_SKIP_WORDS = ("contenu", "aller au", "acces direct", "passer au", "skip", "main", "evitement")
_NO_LABEL_TYPES = {"hidden", "submit", "button", "reset", "image"}
_ALTERNATIVE_WORDS = (
    "version accessible",
    "version html",
    "version texte",
    "format texte",
    "lire en ligne",
)


def _result(
    rule: str, passed: bool | None, detail: str, selector: str | None = None, count: int = 0
) -> RuleResult:
    return RuleResult(rule, RULES[rule], passed, detail, selector, count)


def _attr(node: LexborNode, name: str) -> str:
    return (node.attributes.get(name) or "").strip()


def _describe(node: LexborNode) -> str:
    tag = node.tag or "?"
    ident = _attr(node, "id")
    if ident:
        return f"{tag}#{ident}"
    cls = _attr(node, "class").split()
    return f"{tag}.{cls[0]}" if cls else tag


def _lang(doc: Doc) -> RuleResult:
    lang = doc.lang
    if not lang:
        return _result(
            "lang", False, "Langue de la page absente (attribut lang de <html>).", "html", 1
        )
    if not _LANG.match(lang):
        return _result("lang", False, f"Code de langue invalide : « {lang} ».", "html", 1)
    return _result("lang", True, f"Langue déclarée : {lang}.")


def _title(doc: Doc) -> RuleResult:
    if doc.title:
        return _result("title", True, f"Titre : « {doc.title[:80]} ».")
    return _result("title", False, "Titre de page (<title>) absent ou vide.", "title", 1)


def _doctype(html: str) -> RuleResult:
    if _DOCTYPE.match(html[:4096]):
        return _result("doctype", True, "Type de document déclaré.")
    return _result("doctype", False, "Pas de déclaration <!DOCTYPE html> en tête de page.", None, 1)


def _hidden(node: LexborNode) -> bool:
    return _attr(node, "aria-hidden") == "true" or _attr(node, "role") in ("presentation", "none")


def _image_alt(doc: Doc) -> RuleResult:
    images = doc.css("img")
    if not images:
        return _result("image-alt", None, "Aucune image.")
    bad = [
        n
        for n in images
        if "alt" not in (n.attributes or {})
        and not _hidden(n)
        and not _attr(n, "aria-label")
        and not _attr(n, "aria-labelledby")
    ]
    if bad:
        return _result(
            "image-alt",
            False,
            f"{fr.count(len(bad), 'image')} sur {len(images)} sans attribut alt.",
            _describe(bad[0]),
            len(bad),
        )
    return _result(
        "image-alt",
        True,
        f"{fr.count(len(images), 'image')}, {'avec' if len(images) < 2 else 'toutes avec'} un attribut alt.",
    )


def _frame_title(doc: Doc) -> RuleResult:
    frames = doc.css("iframe, frame")
    if not frames:
        return _result("frame-title", None, "Aucun cadre.")
    bad = [n for n in frames if not _attr(n, "title") and not _hidden(n)]
    if bad:
        return _result(
            "frame-title",
            False,
            f"{fr.count(len(bad), 'cadre')} sans titre.",
            _describe(bad[0]),
            len(bad),
        )
    return _result("frame-title", True, f"{fr.count(len(frames), 'cadre titré', 'cadres titrés')}.")


def _skip_link(doc: Doc) -> RuleResult:
    anchors = doc.css("a[href]")[:12]
    for node in anchors:
        href = _attr(node, "href")
        label = fold(node.text(separator=" ") or _attr(node, "aria-label") or _attr(node, "title"))
        if href.startswith("#") and len(href) > 1 and any(w in label for w in _SKIP_WORDS):
            return _result("skip-link", True, f"Lien d'évitement « {node.text(strip=True)[:60]} ».")
    return _result(
        "skip-link", False, "Aucun lien d'évitement vers le contenu en début de page.", None, 1
    )


def _headings(doc: Doc) -> RuleResult:
    levels = [int((n.tag or "h0")[1]) for n in doc.css("h1, h2, h3, h4, h5, h6")]
    problems = []
    if 1 not in levels:
        problems.append("aucun titre de niveau 1")
    skips = sum(1 for a, b in itertools.pairwise(levels) if b > a + 1)
    if skips:
        problems.append(f"{fr.count(skips, 'saut')} de niveau de titre")
    if problems:
        count = skips + (0 if 1 in levels else 1)
        return _result(
            "headings", False, "Hiérarchie des titres : " + ", ".join(problems) + ".", None, count
        )
    return _result("headings", True, f"{fr.count(len(levels), 'titre')}, hiérarchie cohérente.")


def _landmarks(doc: Doc) -> RuleResult:
    missing = []
    if doc.first('main, [role="main"]') is None:
        missing.append("main")
    if doc.first('nav, [role="navigation"]') is None:
        missing.append("nav")
    if missing:
        return _result(
            "landmarks",
            False,
            f"{fr.plural(len(missing), 'Zone de structure absente', 'Zones de structure absentes')} : "
            + ", ".join(missing)
            + ".",
            None,
            len(missing),
        )
    return _result("landmarks", True, "Zones main et nav présentes.")


def _labelled(doc: Doc, node: LexborNode, label_for: set[str]) -> bool:
    if _attr(node, "aria-label") or _attr(node, "aria-labelledby") or _attr(node, "title"):
        return True
    ident = _attr(node, "id")
    if ident and ident in label_for:
        return True
    parent = node.parent
    while parent is not None:
        if parent.tag == "label":
            return True
        if parent.tag in ("form", "body"):
            break
        parent = parent.parent
    return False


def _form_label(doc: Doc) -> RuleResult:
    fields = [
        n
        for n in doc.css("input, select, textarea")
        if not (n.tag == "input" and _attr(n, "type").lower() in _NO_LABEL_TYPES) and not _hidden(n)
    ]
    if not fields:
        return _result("form-label", None, "Aucun champ de formulaire.")
    label_for = {_attr(n, "for") for n in doc.css("label[for]")}
    bad = [n for n in fields if not _labelled(doc, n, label_for)]
    if bad:
        return _result(
            "form-label",
            False,
            f"{fr.count(len(bad), 'champ')} sur {len(fields)} sans étiquette.",
            _describe(bad[0]),
            len(bad),
        )
    return _result(
        "form-label",
        True,
        f"{fr.count(len(fields), 'champ')}, {'étiqueté' if len(fields) < 2 else 'tous étiquetés'}.",
    )


def _link_name(node: LexborNode) -> str:
    if (
        node.text(strip=True)
        or _attr(node, "aria-label")
        or _attr(node, "title")
        or _attr(node, "aria-labelledby")
    ):
        return "ok"
    for image in node.css("img, svg, [role=img]"):
        if _attr(image, "alt") or _attr(image, "aria-label") or _attr(image, "title"):
            return "ok"
    return ""


def _empty_link(doc: Doc) -> RuleResult:
    links = doc.css("a[href]")
    if not links:
        return _result("empty-link", None, "Aucun lien.")
    bad = [n for n in links if not _link_name(n) and not _hidden(n)]
    if bad:
        return _result(
            "empty-link",
            False,
            f"{fr.count(len(bad), 'lien')} sans intitulé.",
            _describe(bad[0]),
            len(bad),
        )
    return _result(
        "empty-link",
        True,
        f"{fr.count(len(links), 'lien')}, {'avec' if len(links) < 2 else 'tous avec'} un intitulé.",
    )


def _viewport(doc: Doc) -> RuleResult:
    content = (doc.meta("viewport") or "").lower().replace(" ", "")
    if not content:
        return _result("viewport-zoom", True, "Pas de balise viewport : le zoom n'est pas bloqué.")
    blocked = re.search(r"user-scalable=(no|0)\b", content)
    maximum = re.search(r"maximum-scale=([\d.]+)", content)
    if blocked or (maximum and float(maximum.group(1) or 0) < 2):
        return _result(
            "viewport-zoom",
            False,
            f"Le zoom est bloqué (viewport « {content} »).",
            'meta[name="viewport"]',
            1,
        )
    return _result("viewport-zoom", True, "Le zoom n'est pas bloqué.")


def _meta_refresh(doc: Doc) -> RuleResult:
    content = doc.meta("refresh")
    if content is None:
        return _result("meta-refresh", True, "Pas de rafraîchissement automatique.")
    delay = re.match(r"\s*(\d+)", content)
    if delay and int(delay.group(1)) == 0:
        return _result("meta-refresh", True, "Redirection immédiate (délai nul).")
    return _result(
        "meta-refresh",
        False,
        f"Rafraîchissement automatique (« {content} »).",
        'meta[http-equiv="refresh"]',
        1,
    )


def _pdf_alternative(doc: Doc) -> RuleResult:
    pdfs = [
        n for n in doc.css("a[href]") if urlsplit(_attr(n, "href")).path.lower().endswith(".pdf")
    ]
    if not pdfs:
        return _result("pdf-alternative", None, "Aucun document PDF lié.")
    bad = 0
    for node in pdfs:
        parent = node.parent
        context = fold(parent.text(separator=" ")) if parent is not None else ""
        siblings = parent.css("a[href]") if parent is not None else []
        html_sibling = any(
            not urlsplit(_attr(s, "href")).path.lower().endswith((".pdf", ".doc", ".docx", ".odt"))
            and not _attr(s, "href").startswith(("#", "mailto:"))
            for s in siblings
        )
        if not html_sibling and not any(w in context for w in _ALTERNATIVE_WORDS):
            bad += 1
    if bad:
        return _result(
            "pdf-alternative",
            False,
            f"{fr.count(bad, 'document')} PDF sur {len(pdfs)} sans alternative HTML signalée.",
            'a[href$=".pdf"]',
            bad,
        )
    return _result(
        "pdf-alternative", True, f"{fr.count(len(pdfs), 'document')} PDF avec une alternative."
    )


def static_rules(doc: Doc, html: str) -> list[RuleResult]:
    """The 13 static rules on one HTML page (an empty list for a PDF or an empty page)."""
    if doc.is_pdf or doc.tree is None:
        return []
    return [
        _lang(doc),
        _title(doc),
        _doctype(html),
        _image_alt(doc),
        _frame_title(doc),
        _skip_link(doc),
        _headings(doc),
        _landmarks(doc),
        _form_label(doc),
        _empty_link(doc),
        _viewport(doc),
        _meta_refresh(doc),
        _pdf_alternative(doc),
    ]
