"""Letters to tenants at risk of eviction, and the copies the circular asks for.

The first rung of the ladder (Oslo's circular «Bydelenes arbeid med å forebygge utkastelser
fra bolig», «Videre saksbehandling»): within three working days of a notice, NAV social
services write to the tenant, bilingual when the tenant reads another language than
bokmål, and send copies to the bailiff, the plaintiff or the landlord.
"""

from outreach.letters.batch import render_print_batch
from outreach.letters.i18n import LANGUAGES, RTL_LANGUAGES, catalog_status, ensure_compiled
from outreach.letters.markup import render_letter_html
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
from outreach.letters.pdf import render_pdf
from outreach.letters.split import letter_title, split_letter

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
