"""The staff and landlord pages' English catalog is complete and matches the sources.

Source strings are bokmål; ``locales/en/LC_MESSAGES/staff.po`` carries the
English (``make catalogs-staff`` extracts and merges). A page string with no
English would show bokmål to an English-speaking caseworker without anyone
noticing, so an empty or fuzzy entry fails here.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).parents[1]
LOCALES = ROOT / "locales"
PLACEHOLDER = re.compile(r"%\(\w+\)s|%s|\{\w+\}")


def _read(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def test_every_staff_string_has_english_with_its_placeholders() -> None:
    template = {m.id for m in _read(LOCALES / "staff.pot") if m.id}
    catalog = _read(LOCALES / "en" / "LC_MESSAGES" / "staff.po")
    problems = []
    for message in catalog:
        if not message.id or message.id not in template:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        msgstr = message.string if isinstance(message.string, str) else message.string[0]
        if not msgstr:
            problems.append(f"untranslated: {msgid!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        elif sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(msgstr)):
            problems.append(f"placeholders differ: {msgid!r}")
    missing = template - {m.id for m in catalog if m.id}
    problems.extend(f"not in en/staff.po: {m!r}" for m in sorted(map(str, missing)))
    assert problems == []


def test_staff_template_matches_the_sources(tmp_path: Path) -> None:
    """Re-extract as ``make catalogs-staff`` does; the committed staff.pot must agree."""
    out = tmp_path / "staff.pot"
    command = [
        sys.executable,
        "-m",
        "babel.messages.frontend",
        "extract",
        "-F",
        "outreach/web/staff/babel.cfg",
        "-k",
        "_l",
        "-k",
        "lazy_gettext",
        "-o",
        str(out),
        "outreach/web/staff",
        "outreach/web/landlord",
        "outreach/web/i18n.py",
        "outreach/web/form_input.py",
        "outreach/web/forms.py",
        "outreach/web/sessions.py",
        "templates/staff",
        "templates/landlord",
        "templates/base.html",
    ]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=120)
    extracted = {m.id for m in _read(out) if m.id}
    committed = {m.id for m in _read(LOCALES / "staff.pot") if m.id}
    assert sorted(map(str, extracted - committed)) == [], "run make catalogs-staff"
    assert sorted(map(str, committed - extracted)) == [], "run make catalogs-staff"
