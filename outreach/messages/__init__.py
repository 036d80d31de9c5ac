"""Short neutral messages that try to reach a tenant by other means than a letter.

The circular asks NAV to try to reach the tenant if nothing is heard a week after the
letter; the peer review (004) names phone, SMS and home visits: «Ikke gi seg dersom klienten
ikke svarer på skriftlige henvendelser. Konvoluttskrek er utbredt.»

Everything here is deliberately neutral. Even the fact that someone is in contact with NAV
is confidential (NAV-loven § 7, sosialtjenesteloven § 44), and a phone or inbox may be read
by others: no word about eviction, rent, debt or amounts, and no links (NAV's rule against
phishing). The letter itself goes as a PDF attachment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from outreach.letters import i18n
from outreach.letters.slots import EmptySlot, fill
from outreach.messages.segments import SmsLength, sms_length

SMS_PURPOSES: tuple[str, ...] = (
    "first_contact", "appointment_offer", "visit_notice", "visit_cancelled", "reminder",
)  # fmt: skip
EMAIL_PURPOSES: tuple[str, ...] = ("letter", "appointment")

#: A message longer than this many segments is not worth sending: it costs per segment and
#: long concatenated messages arrive split or out of order on some phones.
MAX_SMS_SEGMENTS = 3


@dataclass(frozen=True)
class SmsText:
    text: str
    languages: tuple[str, ...]
    length: SmsLength

    @property
    def segments(self) -> int:
        return self.length.segments


@dataclass(frozen=True)
class EmailText:
    subject: str
    body: str
    languages: tuple[str, ...]


@cache
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(i18n.ROOT / "templates")),
        autoescape=False,  # noqa: S701 - plain-text SMS and email bodies, never HTML
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def _text_gettext(language: str) -> Any:
    trans = i18n.translations(language)

    def gettext(message: str, **values: Any) -> str:
        text = trans.gettext(message)
        # The one empty-slot check (letters.slots): an SMS or e-mail saying
        # "call ." is never rendered, so never sent.
        return fill(text, values, language) if values else text

    return gettext


def _render_text(template: str, language: str, **values: Any) -> str:
    return _env().get_template(template).render(_=_text_gettext(language), **values).strip()


#: Typography that Babel's CLDR formats and our catalogs use, but that would push a whole
#: SMS out of GSM-7 into UCS-2 (less than half the characters per segment).
_SMS_PLAIN = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2013": "-",
                            "\u2019": "'", "\u200e": None, "\u200f": None})  # fmt: skip


#: Unicode bidi isolates (LEFT-TO-RIGHT ISOLATE ... POP DIRECTIONAL ISOLATE). In an
#: Arabic, Persian or Urdu SMS a phone number or a time is a left-to-right run inside
#: right-to-left text: without isolation "+47 55 55 33 33" can show its digit groups in
#: reverse order. The LRM/RLM marks are stripped above, so the isolates do the work;
#: they are not GSM-7 characters, but an RTL text is UCS-2 anyway (and counted so).
LRI, PDI = "\u2066", "\u2069"


def _isolated(value: str, language: str) -> str:
    return f"{LRI}{value}{PDI}" if value and i18n.is_rtl(language) else value


def _sms_in(purpose: str, language: str, phone: str, office: str, when: datetime | None) -> str:
    when_text = ""
    if when is not None:
        when_text = f"{i18n.fmt_weekday_date(when, language)} {i18n.fmt_time(when, language)}"
        when_text = _isolated(when_text.translate(_SMS_PLAIN), language)
    text = _render_text(
        f"sms/{purpose}.txt",
        language,
        office=office,
        phone=_isolated(phone, language),
        when=when_text,
    )
    return text.translate(_SMS_PLAIN)


#: Purposes whose text names a time (``when=``), and the anchors whose steps are
#: planned by code that puts that time on the step (``outreach.reach.visit``,
#: ``outreach.inbound.booking``); the planner's own steps carry none.
TIMED_SMS_PURPOSES: frozenset[str] = frozenset({"appointment_offer", "visit_notice"})
ANCHORS_WITH_A_TIME: frozenset[str] = frozenset({"visit_scheduled", "appointment_booked"})


def sms_rule_problem(purpose: str | None, anchor: str) -> str | None:
    """Why an SMS rule of the policy cannot work, or None (checked at policy load).

    A purpose outside :data:`SMS_PURPOSES` has no template; a purpose that names
    a time, planned from an anchor that gives none, would fail at every sending.
    """
    if purpose is None:
        return None  # the SMS handler sends the first-contact text
    if purpose not in SMS_PURPOSES:
        return f"unknown SMS purpose {purpose!r} (one of {', '.join(SMS_PURPOSES)})"
    if purpose in TIMED_SMS_PURPOSES and anchor not in ANCHORS_WITH_A_TIME:
        return (
            f"SMS purpose {purpose!r} names a time: its anchor must be one that "
            f"supplies it ({', '.join(sorted(ANCHORS_WITH_A_TIME))}), not {anchor!r}"
        )
    return None


def render_sms(
    purpose: str,
    language: str,
    *,
    contact_phone: str,
    office_name: str,
    when: datetime | None = None,
) -> SmsText:
    """An SMS in the tenant's language, plus Norwegian when both fit in 3 segments.

    Norwegian is added so that someone helping the tenant (or the tenant, if the preferred
    language was recorded wrongly) can read it; but a message split into many parts is worse
    than one in a single language, so the tenant's language wins when space is short.
    """
    if purpose not in SMS_PURPOSES:
        raise ValueError(f"unknown SMS purpose {purpose!r}")
    if language not in i18n.LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    if purpose in ("appointment_offer", "visit_notice", "visit_cancelled") and when is None:
        raise ValueError(f"SMS purpose {purpose!r} needs a time (when=)")
    if when is not None and when.tzinfo is None:
        raise ValueError("when must be timezone-aware (Europe/Oslo)")
    own = _sms_in(purpose, language, contact_phone, office_name, when)
    if language != "nb":
        norwegian = _sms_in(purpose, "nb", contact_phone, office_name, when)
        both = f"{own}\n\n{norwegian}"
        length = sms_length(both)
        if length.segments <= MAX_SMS_SEGMENTS:
            return SmsText(both, (language, "nb"), length)
    return SmsText(own, (language,), sms_length(own))


def render_email(
    purpose: str,
    language: str,
    *,
    office_name: str,
    contact_phone: str,
    when: datetime | None = None,
    office_address: str = "",
    **_: Any,
) -> EmailText:
    """A neutral email (subject and body); the content travels as the attachment.

    ``letter``: the letter as a PDF. ``appointment``: a confirmation of a time
    booked on the booking page (``when``, the office and its address), with
    the ``.ics`` file. Bilingual like the letters: the tenant's language
    first, then bokmål.
    """
    if purpose not in EMAIL_PURPOSES:
        raise ValueError(f"unknown email purpose {purpose!r}")
    if language not in i18n.LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    if purpose == "appointment" and when is None:
        raise ValueError("email purpose 'appointment' needs a time (when=)")
    if when is not None and when.tzinfo is None:
        raise ValueError("when must be timezone-aware (Europe/Oslo)")
    languages = (language, "nb") if language != "nb" else ("nb",)

    def values(lang: str) -> dict[str, str]:
        when_text = ""
        if when is not None:
            when_text = f"{i18n.fmt_weekday_date(when, lang)} {i18n.fmt_time(when, lang)}"
        return {
            "office": office_name,
            "phone": contact_phone,
            "when": when_text,
            "address": office_address,
        }

    subjects = [
        _render_text(f"email/{purpose}/subject.txt", lang, **values(lang)) for lang in languages
    ]
    bodies = [_render_text(f"email/{purpose}/body.txt", lang, **values(lang)) for lang in languages]
    subject = " / ".join(dict.fromkeys(subjects))
    return EmailText(subject, "\n\n— — —\n\n".join(bodies) + "\n", languages)


__all__ = [
    "EMAIL_PURPOSES",
    "MAX_SMS_SEGMENTS",
    "SMS_PURPOSES",
    "EmailText",
    "EmptySlot",
    "SmsLength",
    "SmsText",
    "render_email",
    "render_sms",
    "sms_length",
    "sms_rule_problem",
]
