"""Static SVG of a Vega-Lite spec, with vl-convert, for the no-JS fallback and the PDF.

vl-convert runs the same Vega and Vega-Lite versions as the vendored JavaScript (Vega
6.2.0, Vega-Lite 6.4.1), so the fallback and the live chart are drawn by the same code.

- **Offline.** vl-convert would fetch any data URL it is given; here it is allowed none
  (``allowed_base_urls=[]``); relative data URLs are read from ``base_dir`` (the folder
  of the spec file) and inlined before rendering, never from outside ``root``.
- **Accessible.** vl-convert's SVG has no accessible name: the root gets ``role="img"``,
  ``aria-labelledby`` and a ``<title>``/``<desc>`` made from the spec's title and
  description (escaped), with ids derived from the content so several SVGs can share a
  page.
- **Cached by content.** The key is the SHA-256 of the canonical JSON of the spec (after
  inlining) and of the library versions, so a national build draws the same map once. An
  in-memory LRU keeps the most recent drawings (bounded: report cards are all different,
  and memory must not grow with their number); an optional folder keeps them across
  builds.
- **Light.** Path coordinates are rounded to a tenth of a pixel (:func:`compact_paths`);
  the font stack Vega repeats on every text is said once, on the root (:func:`shared_font`);
  what a static drawing never uses goes (:func:`drop_defaults`).
- **Deterministic.** Same spec, same bytes (the text is measured with the fonts of the
  machine: another machine with other fonts may place labels differently).

Measured on the development machine (2 cores, warm, median of 12): 30–40 ms for a bar
or line chart, about 75 ms for the région map and 145 ms for the département map (text
measured with DejaVu Sans, see ``charts.FONT``; with vl-convert's bundled sans-serif it
is about twice as fast, but print would clip labels); a cache hit costs 0.2 ms for a
chart and 5–10 ms for a map (hashing its JSON); the first drawing of a process also
starts vl-convert's JavaScript runtime (about 0.4 s).
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Mapping
from html import escape
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

VEGA_LITE_VERSION = "6.4"  # the vl-convert bundle matching altair.SCHEMA_VERSION v6.4.1


def canonical_json(spec: Mapping[str, Any]) -> str:
    """Compact JSON with sorted keys: the same spec always gives the same text."""
    return json.dumps(
        spec, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )


class RenderError(ValueError):
    """A spec that cannot be drawn offline (remote data, unreadable file, bad spec)."""


def _is_remote(url: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url)) or url.startswith("//")


def _read_local(url: str, base_dir: Path | None, root: Path | None) -> Any:
    if _is_remote(url):
        raise RenderError(f"data URL {url!r} is not relative: the renderer never fetches")
    if base_dir is None:
        raise RenderError(f"data URL {url!r} needs a base_dir to be read from")
    relative = PurePosixPath(url.split("?", 1)[0].split("#", 1)[0])
    fence = (root or base_dir).resolve()
    path = (base_dir.resolve() / relative).resolve()
    if not path.is_relative_to(fence):
        raise RenderError(f"data URL {url!r} leaves {fence}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RenderError(f"cannot read data URL {url!r} from {base_dir}: {exc}") from exc


def _has_url(node: Any) -> bool:
    if isinstance(node, Mapping):
        data = node.get("data")
        if isinstance(data, Mapping) and "url" in data:
            return True
        return any(_has_url(v) for k, v in node.items() if k != "datasets")
    if isinstance(node, list):
        return any(_has_url(v) for v in node if isinstance(v, (Mapping, list)))
    return False


def inline_data(
    spec: Mapping[str, Any], base_dir: Path | None = None, root: Path | None = None
) -> dict[str, Any]:
    """A copy of the spec where every JSON ``data.url`` is replaced by its values.

    URLs are relative to ``base_dir``, the folder of the spec file (the site's script
    resolves them against the spec's address the same way), and must lead to a file
    inside ``root`` (default: ``base_dir``), e.g. the site folder.
    """
    if not _has_url(spec):
        return dict(spec)  # nothing to read: no copy of a large map
    result: dict[str, Any] = copy.deepcopy(dict(spec))

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict) and isinstance(data.get("url"), str):
                fmt = data.get("format") or {}
                if fmt.get("type", "json") != "json":
                    raise RenderError(
                        f"only JSON data URLs can be inlined, not {fmt.get('type')!r}"
                    )
                values = _read_local(data["url"], base_dir, root)
                prop = fmt.get("property")
                if prop:
                    for key in str(prop).split("."):
                        values = values[key]
                node["data"] = {"values": values}
                if data.get("name"):
                    node["data"]["name"] = data["name"]
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit(result)
    return result


def _title_text(spec: Mapping[str, Any]) -> str:
    title = spec.get("title")
    if isinstance(title, Mapping):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(str(t) for t in title)
    return str(title or "")


_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
_PATH_DATA = re.compile(r'(<path\b[^>]*?\sd=")([^"]*)(")')
_DECIMAL = re.compile(r"-?\d+\.\d+")


def _tenth(match: re.Match[str]) -> str:
    text = f"{round(float(match.group(0)), 1):.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def compact_paths(svg: str) -> str:
    """Path coordinates to a tenth of a pixel (Vega writes thousandths): maps shrink by a
    quarter, invisibly, even in print."""
    return _PATH_DATA.sub(lambda m: m.group(1) + _DECIMAL.sub(_tenth, m.group(2)) + m.group(3), svg)


_FONT_FAMILY = re.compile(r'\sfont-family="([^"]*)"')


def shared_font(svg: str) -> str:
    """When every text of the drawing has the same ``font-family`` (the charts' one
    stack, about 150 characters), say it once on the root ``<svg>``: the attribute is
    inherited, the drawing is the same, a chart of small multiples a quarter lighter."""
    families = set(_FONT_FAMILY.findall(svg))
    match = _SVG_OPEN.search(svg)
    if len(families) != 1 or match is None or _FONT_FAMILY.search(match.group(0)):
        return svg
    (family,) = families
    opening = match.group(0)[:-1] + f' font-family="{family}">'
    body = _FONT_FAMILY.sub("", svg[match.end() :])
    return svg[: match.start()] + opening + body


_DEFAULTS = re.compile(
    r'<path class="background" aria-hidden="true" d="M0,0h0v0h0Z"(?: pointer-events="none")?/>'
    r'| pointer-events="none"| opacity="1"(?=[ />])'
)


def drop_defaults(svg: str) -> str:
    """Without what a static drawing never uses: Vega's empty backgrounds (zero-size
    paths), ``pointer-events="none"`` (nothing to point at) and ``opacity="1"`` (the
    default): a fifth lighter, the same drawing."""
    return _DEFAULTS.sub("", svg)


_INNER_ARIA = re.compile(r'\s(?:role|aria-roledescription|aria-label)="[^"]*"')


def make_accessible(svg: str, *, title: str, description: str, key: str) -> str:
    """Give the root ``<svg>`` role="img", a ``<title>`` and a ``<desc>``."""
    match = _SVG_OPEN.search(svg)
    if match is None:
        raise RenderError("vl-convert returned no <svg> element")
    ident = f"vl-{key[:12]}"
    opening = match.group(0)
    opening = re.sub(r'\s(role|aria-labelledby|aria-label)="[^"]*"', "", opening)
    labelled = f"{ident}-title {ident}-desc" if description else f"{ident}-title"
    opening = opening[:-1] + f' role="img" aria-labelledby="{labelled}">'
    head = f'<title id="{ident}-title">{escape(title, quote=False)}</title>'
    if description:
        head += f'<desc id="{ident}-desc">{escape(description, quote=False)}</desc>'
    # Inside an image, Vega's own roles (graphics-symbol marks, their descriptions)
    # are noise for assistive technologies and fail axe's svg-img-alt: the figure's
    # name is the root's, and its data table is the alternative.
    body = _INNER_ARIA.sub("", svg[match.end() :])
    return svg[: match.start()] + opening + head + body


def _library_versions() -> str:
    import vl_convert as vlc

    converter = metadata.version("vl-convert-python")
    return f"vl-convert {converter}; vega {vlc.get_vega_version()}; vega-lite {VEGA_LITE_VERSION}"


def convert(spec: Mapping[str, Any]) -> str:
    """The raw SVG from vl-convert, with every data URL refused (no network, ever)."""
    import vl_convert as vlc

    try:
        return str(
            vlc.vegalite_to_svg(dict(spec), vl_version=VEGA_LITE_VERSION, allowed_base_urls=[])
        )
    except ValueError as exc:
        raise RenderError(f"vl-convert could not draw the spec: {exc}") from exc


class SvgRenderer:
    """Draws specs to accessible SVG, each distinct spec once.

    ``cache_dir``: optional folder of ``<sha256>.svg`` files kept between builds.
    ``max_entries``: size of the in-memory LRU.
    """

    def __init__(self, cache_dir: Path | None = None, *, max_entries: int = 256) -> None:
        self.cache_dir = cache_dir
        self.max_entries = max_entries
        self.hits = 0
        self.disk_hits = 0
        self.misses = 0
        self._memory: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()
        self._versions: str | None = None

    def key(self, spec: Mapping[str, Any]) -> str:
        if self._versions is None:
            self._versions = _library_versions()
        digest = hashlib.sha256(self._versions.encode("utf-8") + b"\n")
        digest.update(canonical_json(spec).encode("utf-8"))
        return digest.hexdigest()

    def render(
        self, spec: Mapping[str, Any], *, base_dir: Path | None = None, root: Path | None = None
    ) -> str:
        inlined = inline_data(spec, base_dir, root)
        key = self.key(inlined)
        with self._lock:
            cached = self._memory.get(key)
            if cached is not None:
                self._memory.move_to_end(key)
                self.hits += 1
                return cached
        svg = self._from_disk(key)
        if svg is None:
            svg = self._draw(inlined, key)
            self._to_disk(key, svg)
            with self._lock:
                self.misses += 1
        else:
            with self._lock:
                self.disk_hits += 1
        with self._lock:
            self._memory[key] = svg
            self._memory.move_to_end(key)
            while len(self._memory) > self.max_entries:
                self._memory.popitem(last=False)
        return svg

    def _draw(self, spec: dict[str, Any], key: str) -> str:
        return make_accessible(
            shared_font(drop_defaults(compact_paths(convert(spec)))),
            title=_title_text(spec),
            description=str(spec.get("description") or ""),
            key=key,
        )

    def _from_disk(self, key: str) -> str | None:
        if self.cache_dir is None:
            return None
        path = self.cache_dir / f"{key}.svg"
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def _to_disk(self, key: str, svg: str) -> None:
        if self.cache_dir is None:
            return
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.cache_dir, prefix=".tmp-", suffix=".svg")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(svg)
            Path(tmp).replace(self.cache_dir / f"{key}.svg")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def embed_html(svg: str, spec_url: str | None = None, *, css_class: str = "graphique") -> str:
    """The ``<figure>`` that ``static/js/barometre-charts.js`` upgrades.

    ``svg`` is the output of :func:`to_svg` (its text is already escaped); ``spec_url``,
    relative to the page, is where the builder wrote the spec JSON (None: static only).
    The data table and caption are the template's, after this element or inside it.
    """
    attributes = f' class="{escape(css_class)}"'
    if spec_url is not None:
        if _is_remote(spec_url):
            raise RenderError(f"spec URL {spec_url!r} must be relative")
        attributes += f' data-vega-spec="{escape(spec_url)}"'
    return f"<figure{attributes}><div data-vega-fallback>{svg}</div></figure>"


_DEFAULT = SvgRenderer()


def to_svg(
    spec: Mapping[str, Any],
    *,
    base_dir: Path | None = None,
    root: Path | None = None,
    renderer: SvgRenderer | None = None,
) -> str:
    """Accessible SVG of a Vega-Lite spec (module-wide memory cache unless ``renderer``).

    ``base_dir``/``root``: where relative data URLs are read (see :func:`inline_data`).
    """
    return (renderer or _DEFAULT).render(spec, base_dir=base_dir, root=root)
