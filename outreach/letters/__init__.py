"""Letters to tenants at risk of eviction, and the copies the circular asks for.

The first rung of the ladder (Oslo's circular «Bydelenes arbeid med å forebygge utkastelser
fra bolig», «Videre saksbehandling»): within three working days of a notice, NAV social
services write to the tenant, bilingual when the tenant reads another language than
bokmål, and send copies to the bailiff, the plaintiff or the landlord.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from outreach.letters.i18n import LANGUAGES, RTL_LANGUAGES, catalog_status, ensure_compiled
from outreach.letters.model import (
    AUDIENCES,
    KINDS,
    Appointment,
    ContactPerson,
    LetterData,
    LetterPages,
    MissingContactPerson,
    Office,
    PostalAddress,
    PrintBatchPdf,
)

if TYPE_CHECKING:
    from outreach.letters.batch import render_print_batch
    from outreach.letters.markup import render_letter_html
    from outreach.letters.pdf import render_pdf
    from outreach.letters.split import letter_title, split_letter

# The renderers load WeasyPrint (about a second): only a process that renders
# pays for it, not every process that needs the language list (PEP 562).
_RENDERERS = {
    "render_print_batch": "outreach.letters.batch",
    "render_letter_html": "outreach.letters.markup",
    "render_pdf": "outreach.letters.pdf",
    "letter_title": "outreach.letters.split",
    "split_letter": "outreach.letters.split",
}


def __getattr__(name: str) -> Any:
    module = _RENDERERS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(module), name)


__all__ = [
    "AUDIENCES",
    "KINDS",
    "LANGUAGES",
    "RTL_LANGUAGES",
    "Appointment",
    "ContactPerson",
    "LetterData",
    "LetterPages",
    "MissingContactPerson",
    "Office",
    "PostalAddress",
    "PrintBatchPdf",
    "catalog_status",
    "ensure_compiled",
    "letter_title",
    "render_letter_html",
    "render_pdf",
    "render_print_batch",
    "split_letter",
]
