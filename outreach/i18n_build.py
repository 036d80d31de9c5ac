"""Compile the gettext catalogs (``make catalogs``): .po -> .mo, only when stale.

Compiled catalogs are build products (git ignores them); translators edit the
.po files (docs/letters/translators.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from outreach.config import REPO_ROOT

LOCALES = REPO_ROOT / "locales"


def compile_catalogs(locales: Path = LOCALES, *, force: bool = False) -> list[Path]:
    written = []
    for po_path in sorted(locales.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parent.parent.name.replace("-", "_"))
        with mo_path.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        written.append(mo_path)
    return written


if __name__ == "__main__":
    if sys.argv[1:] != ["compile"]:
        sys.exit("usage: python -m outreach.i18n_build compile")
    done = compile_catalogs()
    print(f"compiled {len(done)} catalog(s)")
