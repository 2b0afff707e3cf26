"""``python -m barometre.checks.data RAW_DIR``: regenerate the reference lists."""

from __future__ import annotations

import sys
from pathlib import Path

from barometre.checks.data import (
    DECIDIM_FILE,
    DECIDIM_SOURCE,
    ODF_FILE,
    ODF_SOURCE,
    build_decidim,
    build_odf,
)


def main(argv: list[str]) -> int:
    raw = Path(argv[0] if argv else "../shared/data/raw")
    here = Path(__file__).parent
    for target, source, build in (
        (DECIDIM_FILE, DECIDIM_SOURCE, build_decidim),
        (ODF_FILE, ODF_SOURCE, build_odf),
    ):
        text = build((raw / source).read_text(encoding="utf-8"))
        (here / target).write_text(text, encoding="utf-8")
        print(f"{target}: {text.count(chr(10)) - 1} lignes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
