"""Every catalog is complete for the letter/SMS/email messages, and placeholders survive."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from outreach.letters import LANGUAGES, ensure_compiled, i18n

PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")


def _catalog(language: str, domain: str = "messages"):
    path = i18n.LOCALES_DIR / i18n.catalog_dir(language) / "LC_MESSAGES" / f"{domain}.po"
    with path.open("rb") as fh:
        return read_po(fh)


def _template(domain: str):
    with (i18n.LOCALES_DIR / f"{domain}.pot").open("rb") as fh:
        return read_po(fh)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_complete_and_placeholders_survive(language):
    template_ids = {m.id for m in _template("messages") if m.id}
    catalog = _catalog(language)
    translated = {m.id: m.string for m in catalog if m.id}
    assert template_ids <= set(translated), template_ids - set(translated)
    for msgid, msgstr in translated.items():
        assert msgstr, f"{language}: untranslated {msgid!r}"
        assert "fuzzy" not in catalog[msgid].flags, f"{language}: fuzzy {msgid!r}"
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr)), (
            f"{language}: placeholders differ in {msgid!r}"
        )


def test_frame_catalog_complete():
    template_ids = {m.id for m in _template("frame") if m.id}
    catalog = _catalog("nb", "frame")
    for msgid in template_ids:
        msgstr = catalog[msgid].string
        assert msgstr, msgid
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr))


def test_catalogs_compile_and_load():
    ensure_compiled()
    for language in LANGUAGES:
        trans = i18n.translations(language)
        assert trans.gettext("Kind regards")
        assert i18n.catalog_status(language)


def test_templates_and_catalog_template_agree():
    """The .pot is re-extracted whenever a template string changes (make catalogs-update)."""
    from babel.messages.extract import extract_from_dir

    method_map = [("**.html", "jinja2"), ("**.txt", "jinja2")]
    found = set()
    for sub in ("letters/tenant", "sms", "email", "booking"):
        for _, _, message, _, _ in extract_from_dir(str(i18n.ROOT / "templates" / sub), method_map):
            found.add(message if isinstance(message, str) else message[0])
    assert found == {m.id for m in _template("messages") if m.id}


def test_frame_sources_and_catalog_template_agree():
    """The frame domain's strings (letter frame, copies, cover, the preview banner in
    markup.py) are all in frame.pot, so ``make catalogs-update`` never obsoletes one."""
    from babel.messages.extract import extract_from_dir, extract_from_file

    keywords = {"f_": None}
    found = set()
    for sub in ("letters/copies",):
        for _, _, message, _, _ in extract_from_dir(
            str(i18n.ROOT / "templates" / sub), [("**.html", "jinja2")], keywords=keywords
        ):
            found.add(message if isinstance(message, str) else message[0])
    for name in ("letter.html", "cover.html"):
        for _, message, _, _ in extract_from_file(
            "jinja2", str(i18n.ROOT / "templates" / "letters" / name), keywords=keywords
        ):
            found.add(message if isinstance(message, str) else message[0])
    for _, message, _, _ in extract_from_file(
        "python", str(i18n.ROOT / "outreach" / "letters" / "markup.py"), keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    assert found == {m.id for m in _template("frame") if m.id}
