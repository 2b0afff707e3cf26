"""Photo, video and webcam findings (checks/media.py) on hand-written pages."""

from __future__ import annotations

from barometre.checks.html import Doc, parse_page
from barometre.checks.media import media_findings
from barometre.models import FetchOutcome, Page


def _doc(body: str, url: str = "https://www.ville.test/") -> Doc:
    html = f"<!DOCTYPE html><html lang='fr'><head><title>t</title></head><body>{body}</body></html>"
    return parse_page(
        Page(url, url, FetchOutcome.OK, 200, "text/html; charset=utf-8", (), html.encode(), html)
    )


def _names(body: str) -> list[tuple[str, str | None]]:
    return sorted((f.name, f.url) for f in media_findings([_doc(body)]))


def test_video_players_and_video_elements() -> None:
    assert _names(
        '<iframe data-src="https://www.youtube.com/embed/abc" class="consent"></iframe>'
    ) == [("video", "https://www.youtube.com/embed/abc")]
    assert _names(
        '<iframe src="https://video.tube.test/videos/embed/6f1c2a9e-conseil"></iframe>'
    ) == [("video", "https://video.tube.test/videos/embed/6f1c2a9e-conseil")]
    assert _names('<video controls><source src="/films/voeux.mp4"></video>') == [
        ("video", "https://www.ville.test/films/voeux.mp4")
    ]
    # a link to a channel is an account, not a video on the site
    assert _names('<a href="https://www.youtube.com/@ville">Notre chaîne</a>') == []
    assert _names('<iframe src="https://www.openstreetmap.org/export/embed.html"></iframe>') == []


def test_webcams_and_photo_libraries() -> None:
    found = _names(
        '<a href="/webcams">Webcams</a>'
        '<img src="/cam.jpg" alt="Webcam de la plage, vue en direct">'
        '<iframe src="https://pv.viewsurf.com/id/1234"></iframe>'
        '<a href="/la-ville/galerie-photos/">Nos images</a><h2>Photothèque</h2>'
    )
    assert found == [
        ("photo", "https://www.ville.test/"),
        ("photo", "https://www.ville.test/la-ville/galerie-photos/"),
        ("webcam", "https://pv.viewsurf.com/id/1234"),
        ("webcam", "https://www.ville.test/cam.jpg"),
        ("webcam", "https://www.ville.test/webcams"),
    ]
    # words near but not naming them
    assert _names('<a href="/photocopies">Photocopies</a><p>Camera obscura</p>') == []
