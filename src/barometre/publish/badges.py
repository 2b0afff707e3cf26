"""The badge of a collectivité: its grade (or « non noté ») and the edition, as SVG.

Static and self-contained: no script, no font or image from elsewhere, no link that
counts anything. Its ``<title>`` and ``<desc>`` say in words what it shows (the image
role and ``aria-labelledby`` make screen readers read them), and the embedding snippet
gives the same text as the ``alt`` of the image. Colours keep white text at a contrast of
at least 4.5:1 (WCAG AA) on every background.
"""

from __future__ import annotations

from markupsafe import escape

NOT_GRADED = "non noté"
BADGE_WIDTH = 244
BADGE_HEIGHT = 40
LABEL_WIDTH = 148
# Backgrounds of the right half, by grade; white text on each stays at 4.5:1 or more.
COLOURS = {
    "A": "#1b5e20",
    "B": "#2e6b30",
    "C": "#7a5200",
    "D": "#a33c00",
    "E": "#a51c1c",
}
NOT_GRADED_COLOUR = "#4d4d4d"
LABEL_COLOUR = "#1e2a3a"


def badge_text(grade: str | None, edition_title: str, name: str) -> str:
    """What the badge says, in words: its ``<title>`` and the ``alt`` of its image."""
    result = f"note {grade}" if grade else NOT_GRADED
    return f"Baromètre numérique des territoires, {edition_title} : {name}, {result}"


def badge_svg(grade: str | None, edition_title: str, name: str) -> str:
    """The SVG badge (UTF-8 text)."""
    title = escape(badge_text(grade, edition_title, name))
    shown = f"Note {grade}" if grade else NOT_GRADED
    colour = COLOURS.get(grade or "", NOT_GRADED_COLOUR)
    desc = escape(
        "La note va de A à E ; « non noté » quand la couverture des critères mesurés ne "
        "suffit pas à noter."
    )
    right = BADGE_WIDTH - LABEL_WIDTH
    font = "font-family=\"system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif\""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{BADGE_WIDTH}" '
        f'height="{BADGE_HEIGHT}" viewBox="0 0 {BADGE_WIDTH} {BADGE_HEIGHT}" role="img" '
        'aria-labelledby="badge-titre badge-desc">\n'
        f'<title id="badge-titre">{title}</title>\n'
        f'<desc id="badge-desc">{desc}</desc>\n'
        f'<rect width="{LABEL_WIDTH}" height="{BADGE_HEIGHT}" fill="{LABEL_COLOUR}"/>\n'
        f'<rect x="{LABEL_WIDTH}" width="{right}" height="{BADGE_HEIGHT}" fill="{colour}"/>\n'
        f'<g fill="#ffffff" {font} aria-hidden="true">\n'
        f'<text x="8" y="17" font-size="11" font-weight="600">Baromètre numérique</text>\n'
        f'<text x="8" y="32" font-size="10">{escape(edition_title)}</text>\n'
        f'<text x="{LABEL_WIDTH + right / 2:g}" y="26" font-size="14" font-weight="700" '
        f'text-anchor="middle">{escape(shown)}</text>\n'
        "</g>\n</svg>\n"
    )


def embed_snippet(badge_url: str, card_url: str, text: str) -> str:
    """The HTML a collectivité pastes into its site: the badge, linked to its card."""
    return (
        f'<a href="{escape(card_url)}"><img src="{escape(badge_url)}" alt="{escape(text)}" '
        f'width="{BADGE_WIDTH}" height="{BADGE_HEIGHT}"></a>'
    )
