"""The French slips a reader of the published site would notice, found in its pages.

What is scanned is the text a reader sees: the HTML pages of a built site, without
scripts, styles and code samples. Each rule names the slip in the words of a proofreader:

- « (s) » and « (e)s » instead of a real plural;
- no elision: « de un », « que il », « de une »;
- a singular number with a plural noun, or 0 and 1 with a plural (« 1 bulletins »);
- a platform's or a CMS's proper name mis-cased (« Linkedin », « Youtube »,
  « CMS : wordpress »);
- an internal key shown to readers (``portail_famille``, ``not_measurable``): a
  snake_case word outside a link, a handle, an address or code;
- an English decimal point in a number (« 63.6 »), versions and references aside.

``python tests/french_slips.py <site folder>`` prints what it finds.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from barometre.vocab.cms import technology_name
from barometre.vocab.platforms import LABELS

# words the same in the singular and the plural, and words ending in s that are no
# plural (a count followed by « sans », « plus »…)
_INVARIABLE = frozenset(
    {
        *("mois", "fois", "cas", "pays", "prix", "temps", "poids", "corps", "choix", "avis"),
        *("accès", "succès", "procès", "progrès", "relais", "ms", "s", "sans", "plus"),
        *("moins", "dans", "sous", "après", "depuis", "vers", "très", "alors", "jamais"),
    }
)
RULES: dict[str, re.Pattern[str]] = {
    "« (s) » au lieu d'un pluriel": re.compile(r"\w\((?:e|s|e?s|x)\)"),
    "élision manquante": re.compile(
        r"(?<![\w-])(?:[Dd]e|[Qq]ue|[Jj]usque|[Ll]orsque|[Pp]uisque|[Nn]e|[Ss]e|[Jj]e) "
        r"(?=(?:un|une|a|à|au|aux|e|é|è|ê|i|î|o|ô|u|y|h[aeiouéè])[\s\w])",
    ),
    "accord : 0 ou 1 suivi d'un pluriel": re.compile(
        r"(?<![\w,.\u202f\u00a0])(?<!\d )[01] ([a-zà-ÿœ]+s)\b(?![\u00a0\u202f]\d)"
    ),
}
_SNAKE = re.compile(r"(?<![\w@./:#-])[a-z]+(?:_[a-z0-9]+)+(?![\w@.(/-])")
_DECIMAL = re.compile(r"(?<![\w.,/-])\d+\.\d+(?![\w.-])")
# a reference or a version, not a figure: « RCPNT 1.4, 1.5 », « RGAA 10.4 et 10.11 »,
# « Licence Ouverte 2.0 », « méthodologie 2026.1 », « TLSv1.2 »
_VERSION_BEFORE = re.compile(
    r"(?:[A-Z]{2,}v?|Ouverte|[Vv]ersion|[Mm]éthodologie|v|art\.|article|§|n°)"
    r"(?:[\s\d.,;–()-]|\bet\b|\bà\b)*$"
)


def visible_text(html: str) -> str:
    """The text a reader sees (scripts, styles and code left out), without the text of
    links, quotations and addresses (handles and evidence are quoted as they are)."""
    tree = LexborHTMLParser(html)
    tree.strip_tags(["script", "style", "code", "pre", "template"])
    body = tree.body
    if body is None:
        return ""
    for node in body.css("a, .texte-lien, q"):
        node.decompose()
    text = " ".join(body.text(separator=" ").split())
    return re.sub(r"\S*(?:https?://|www\.|@)\S*", " ", text)


def _around(text: str, start: int, end: int) -> str:
    return "…" + text[max(0, start - 40) : end + 40] + "…"


def slips_in(html: str) -> Iterator[tuple[str, str]]:
    """(rule, excerpt) for each slip in one page."""
    return slips_in_text(visible_text(html))


def slips_in_text(bare: str, *, keys: bool = True) -> Iterator[tuple[str, str]]:
    """(rule, excerpt) for each slip in a text a reader sees (a page's, a command's);
    ``keys=False`` for a command's output, which names export tables and files
    (``comptes_sociaux``) as they are written."""
    for rule, pattern in RULES.items():
        for found in pattern.finditer(bare):
            if rule.startswith("accord") and found.group(1) in _INVARIABLE:
                continue
            yield rule, _around(bare, found.start(), found.end())
    for label in LABELS.values():
        if len(label) < 2:
            continue  # « X »: too short to tell from a letter
        for found in re.finditer(rf"(?<![\w@./-]){re.escape(label)}(?![\w@./-])", bare, re.I):
            if found.group() != label:
                yield "nom propre mal écrit", _around(bare, found.start(), found.end())
    for found in re.finditer(r"CMS\s*:\s*([\w.-]+)", bare):
        proper = technology_name(found.group(1).lower())
        if proper is not None and proper != found.group(1):
            yield "nom de CMS mal écrit", _around(bare, found.start(), found.end())
    for found in _SNAKE.finditer(bare) if keys else ():
        yield "clé interne montrée au lecteur", _around(bare, found.start(), found.end())
    for found in _DECIMAL.finditer(bare):
        if _VERSION_BEFORE.search(bare[max(0, found.start() - 40) : found.start()]):
            continue
        yield "point décimal anglais", _around(bare, found.start(), found.end())


def scan_site(folder: Path) -> dict[str, list[tuple[str, str]]]:
    """Every page of a built site with its slips (pages without any left out)."""
    found: dict[str, list[tuple[str, str]]] = {}
    for page in sorted(folder.rglob("*.html")):
        slips = list(slips_in(page.read_text(encoding="utf-8")))
        if slips:
            found[str(page.relative_to(folder))] = slips
    return found


if __name__ == "__main__":
    total = 0
    for path, slips in scan_site(Path(sys.argv[1])).items():
        for rule, excerpt in slips:
            total += 1
            print(f"{path}: {rule}: {excerpt}")
    print(f"{total} slips")
