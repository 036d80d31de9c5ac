"""A letter as HTML: its Norwegian frame around its body parts, and the document around letters.

What a letter says is decided here: which template, which values, which catalog, and the
check that every letter is complete before any is rendered. The frame domain's own strings
(keyword ``f_``, the preview banner) are extracted from this module by ``make
catalogs-update``. :mod:`outreach.letters.bidi` marks up the values;
:mod:`outreach.letters.pdf` lays the HTML out.

Not ``html.py``: a module of that name would shadow the standard library's ``html`` when a
letters module is run by its path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from outreach.letters import i18n
from outreach.letters.bidi import Inline, ltr, opening_hours
from outreach.letters.fonts import font_face_css
from outreach.letters.model import AUDIENCES, KINDS, LetterData, MissingContactPerson
from outreach.letters.privacy import privacy_contact
from outreach.letters.slots import fill, is_blank
from outreach.vocabulary import LANDLORD_SOURCES

TEMPLATES_DIR = i18n.ROOT / "templates"
CSS_PATH = TEMPLATES_DIR / "letters" / "letter.css"

#: Which copy letter an audience gets (the circular: bailiff for petitions, plaintiff for
#: forced sales, landlord at the caseworker's discretion).
COPY_TEMPLATES: dict[str, str] = {
    "copy_bailiff": "letters/copies/copy_bailiff.html",
    "copy_plaintiff": "letters/copies/copy_plaintiff.html",
    "copy_landlord": "letters/copies/copy_landlord.html",
}

Gettext = Callable[..., Markup]

#: Stand-ins for the page number and page count in the translated footer text, which
#: letter.html splits into the named strings around ``counter(page)`` in the page margin.
PAGE_MARK = Markup("\ue000")
PAGES_MARK = Markup("\ue001")


@cache
def jinja_env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


def html_gettext(language: str, domain: str = "messages") -> Gettext:
    """``_()`` for HTML templates: translate, escape, then fill escaped placeholders."""
    trans = i18n.translations(language, domain)

    def gettext(message: str, **values: Any) -> Markup:
        text = escape(trans.gettext(message))
        return fill(text, values, language) if values else text

    return gettext


def validate(letters: Sequence[LetterData]) -> None:
    """Check every letter before any is rendered: a batch never half-renders."""
    for data in letters:
        if data.contact is None or is_blank(data.contact.name) or is_blank(data.contact.phone):
            raise MissingContactPerson(
                "contact_person",
                f"letter {data.reference}: no contact person with name and phone; the circular "
                "requires both in every letter",
                data.language,
            )
        if data.kind not in KINDS:
            raise ValueError(f"letter {data.reference}: unknown kind {data.kind!r}")
        if data.audience not in AUDIENCES:
            raise ValueError(f"letter {data.reference}: unknown audience {data.audience!r}")
        if data.language not in i18n.LANGUAGES:
            raise ValueError(f"letter {data.reference}: unsupported language {data.language!r}")


def _tenant_part(data: LetterData, language: str, is_translation: bool) -> Markup:
    assert data.contact is not None  # checked by validate()
    office = data.office
    appointment = data.appointment
    inline = Inline(language)
    context: dict[str, Any] = {
        "_": html_gettext(language),
        "lang": language,
        "direction": "rtl" if i18n.is_rtl(language) else "ltr",
        "script_class": f"script-{i18n.SCRIPT[language]}" if language in i18n.SCRIPT else "",
        "is_translation": is_translation,
        "received_on": inline.isolated(i18n.fmt_date(data.received_on, language), nowrap=True),
        "source": inline.isolated(data.source_name),
        # The landlord (petition) or plaintiff (forced sale) the notice names, if known.
        "counterpart": inline.isolated(data.counterpart_name) if data.counterpart_name else None,
        "amount": inline.ltr(i18n.fmt_amount(data.arrears_amount, language))
        if data.arrears_amount is not None
        else None,
        "eviction_date": inline.isolated(i18n.fmt_date(data.eviction_date, language), nowrap=True)
        if data.eviction_date
        else None,
        "appointment": appointment,
        "office_address": inline.isolated(f"{office.street}, {office.postal_code} {office.city}"),
        "opening_hours": opening_hours(office.opening_hours, language, inline),
        "office_name": inline.isolated(office.name),
        "contact_name": inline.isolated(data.contact.name),
        "contact_phone": inline.ltr(data.contact.phone),
        "booking_code": inline.ltr(data.booking_code) if data.booking_code else None,
        "booking_address": inline.ltr(data.booking_address or ""),
        # GDPR article 14(1)(b): the district's data protection officer (privacy.py).
        "privacy_contact": inline.ltr(contact)
        if (contact := privacy_contact(office.district_code))
        else None,
    }
    if appointment is not None:
        context["appt_date"] = inline.isolated(
            i18n.fmt_weekday_date(appointment.starts_at, language), nowrap=True
        )
        context["appt_time"] = inline.ltr(i18n.fmt_time(appointment.starts_at, language))
        context["appt_place"] = inline.isolated(appointment.place)
    template = jinja_env().get_template(f"letters/tenant/{data.kind}.html")
    return Markup(template.render(context))  # noqa: S704 - autoescaped template output or a constant


def _copy_part(data: LetterData) -> Markup:
    assert data.contact is not None
    template = jinja_env().get_template(COPY_TEMPLATES[data.audience])
    return Markup(  # noqa: S704 - autoescaped template output or a constant
        template.render(
            f_=html_gettext("nb", "frame"),
            received_on=i18n.fmt_date(data.received_on, "nb"),
            tenant=data.tenant_name,
            contact_name=data.contact.name,
            contact_phone=ltr(data.contact.phone),
            office_name=data.office.name,
            # The copy to the landlord: did the landlord send the notice themselves?
            from_recipient=data.source_type in LANDLORD_SOURCES,
            source=data.source_name,
        )
    )


def preview_banner(data: LetterData) -> str:
    """The preview's banner: not a sent letter, and the review status of its catalog.

    Issue 3: unreviewed catalogs are usable, but the letter preview says so. Real
    letters never carry it (``render_print_batch`` passes no banner).
    """
    f_ = html_gettext("nb", "frame")
    language = data.language if data.audience == "tenant" else "nb"
    return str(
        f_(
            "Preview, not a letter that was sent. Translation (%(language)s): %(status)s",
            language=i18n.language_name(language),
            status=i18n.catalog_status(language),
        )
    )


def letter_section(data: LetterData, index: int, banner: str | None = None) -> Markup:
    """One letter as a ``<section>``: the Norwegian frame around its body parts."""
    assert data.contact is not None
    f_ = html_gettext("nb", "frame")
    tenant_letter = data.audience == "tenant"
    bilingual = tenant_letter and i18n.needs_translation(data.language)
    if tenant_letter:
        parts = [_tenant_part(data, "nb", is_translation=False)]
        if bilingual:
            parts.append(_tenant_part(data, data.language, is_translation=True))
    else:
        parts = [_copy_part(data)]
    notice = None
    if bilingual:
        notice = Markup(  # noqa: S704 - autoescaped template output or a constant
            jinja_env()
            .get_template("letters/tenant/_notice.html")
            .render(_=html_gettext(data.language))
            .strip()
        )
    lang = data.language
    return Markup(  # noqa: S704 - autoescaped template output or a constant
        jinja_env()
        .get_template("letters/letter.html")
        .render(
            f_=f_,
            index=index,
            page_name="la" if index % 2 == 0 else "lb",
            bookmark=data.reference.replace("'", ""),
            office=data.office,
            recipient=data.recipient,
            reference=data.reference,
            source_reference=data.source_reference,
            letter_date=i18n.fmt_date(data.letter_date, "nb"),
            contact=data.contact,
            audience=data.audience,
            parts=parts,
            page_mark=PAGE_MARK,
            pages_mark=PAGES_MARK,
            translation_notice=notice,
            language=lang,
            direction="rtl" if i18n.is_rtl(lang) else "ltr",
            notice_class=f"script-{i18n.SCRIPT[lang]}" if lang in i18n.SCRIPT else "",
            banner=banner,
        )
    )


@cache
def css_text() -> str:
    return CSS_PATH.read_text(encoding="utf-8")


def document_html(
    sections: Sequence[Markup], title: str, lang: str = "nb", inline_css: bool = True
) -> str:
    return (
        jinja_env()
        .get_template("letters/document.html")
        .render(
            sections=sections,
            title=title,
            lang=lang,
            inline_css=inline_css,
            font_css=Markup(font_face_css()),  # noqa: S704 - autoescaped template output or a constant
            css=Markup(css_text()),  # noqa: S704 - autoescaped template output or a constant
        )
    )


def document_title(letters: Sequence[LetterData]) -> str:
    if len(letters) == 1:
        return f"NAV {letters[0].office.name} – {letters[0].reference}".replace("NAV NAV ", "NAV ")
    return f"NAV – {len(letters)}"


def render_letter_html(data: LetterData) -> str:
    """One letter as a self-contained HTML document (preview, staff UI, email body)."""
    validate([data])
    return document_html([letter_section(data, 0)], document_title([data]))
