"""Whether a letter's texts were checked by a qualified translator.

A sentence for staff beside each letter on the print page and on the case
page (the template global ``letter_review_note``), from the catalogs' review
status; bokmål, the original, needs none.
"""

from __future__ import annotations

from flask_babel import gettext as _

from outreach.reach.base import message_language
from outreach.web.i18n import language_name
from outreach.web.staff import bp


def review_note(*languages: str) -> str | None:
    """A sentence for staff when a letter's texts are not reviewed by a qualified translator.

    ``languages`` are the languages printed in the letter (bokmål and the tenant's).
    """
    from outreach.letters.i18n import catalog_status

    machine: list[str] = []
    other: list[str] = []
    for language in dict.fromkeys(languages):
        if language == "nb":
            # Bokmål is the original the translations are made from: no review status
            # (review, point 6: a copy to the bailiff was labelled machine-drafted).
            continue
        try:
            status = catalog_status(language)
        except (ValueError, OSError):
            status = ""
        if status.startswith("reviewed"):
            continue
        (machine if status.startswith("machine-drafted") else other).append(language_name(language))
    parts = []
    if machine:
        parts.append(
            _(
                "Oversettelsen er maskinutkast og ikke kontrollert av kvalifisert oversetter "
                "(%(languages)s).",
                languages=", ".join(machine),
            )
        )
    if other:
        parts.append(
            _(
                "Teksten er ikke kontrollert av kvalifisert oversetter (%(languages)s).",
                languages=", ".join(other),
            )
        )
    return " ".join(parts) or None


def letter_languages(language: str, audience: str = "tenant") -> tuple[str, ...]:
    """Bokmål is in every letter; the tenant's letter is bilingual in their language."""
    if audience != "tenant":
        return ("nb",)
    return tuple(dict.fromkeys(("nb", message_language(language))))


@bp.app_template_global("letter_review_note")
def _letter_review_note(language: str, audience: str = "tenant") -> str | None:
    return review_note(*letter_languages(language, audience))
