"""Validators for who a trigger is about: national ids, org numbers, phones, languages.

The intake schema (marshmallow) wraps these; here they are plain functions that
raise ``ValueError`` with a short English message naming the problem. Messages
never repeat the input: a national id or phone number in an error message ends
up in logs and HTTP responses, and the fact that a person is in contact with
NAV is itself confidential (NAV-loven § 7, sosialtjenesteloven § 44).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import phonenumbers
from babel import Locale, UnknownLocaleError

# -- national id numbers --------------------------------------------------------

NationalIdKind = Literal["fnr", "dnr", "hnr"]

# Weights of the two mod-11 check digits (Skatteetaten; navikt/fnrvalidator).
_K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
# From 1 January 2032 (Skatteetaten, «Nye fødselsnummer og d-nummer fra 2032»)
# the first check digit is valid when the weighted sum *including* k1 (weight 1)
# leaves remainder 0, 1, 2 or 3 mod 11; until then only remainder 0 is issued.
# The second check digit keeps today's rule. Systems must accept both now.
_K1_REMAINDERS_2032 = frozenset({0, 1, 2, 3})


@dataclass(frozen=True)
class NationalId:
    """A parsed fødselsnummer, D-number or H-number.

    ``birth_date`` is derived from the digits and the individual-number ranges;
    it is ``None`` when the ranges do not fix a century. From 2032 Skatteetaten
    tells systems to read birth date and sex from the population register, not
    the number, so treat this as a cross-check, not the truth.
    ``synthetic`` marks test persons: month + 80 (Skatteetaten's Tenor/TestNorge)
    and D-numbers with month + 40 (NAV's Dolly). NAV's Dolly also marks plain
    numbers with month + 40, which cannot be told from an H-number; those are
    reported as ``hnr``.
    """

    digits: str = field(repr=False)
    kind: NationalIdKind
    synthetic: bool
    birth_date: date | None
    new_check_rule: bool = False  # k1 valid only under the 2032 rule

    def __str__(self) -> str:
        return mask_national_id(self.digits)

    def __repr__(self) -> str:
        return (
            f"NationalId({mask_national_id(self.digits)}, kind={self.kind!r}, "
            f"synthetic={self.synthetic!r}, birth_date={self.birth_date!r})"
        )


def _weighted(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True))


def _check_digits_valid(digits: str, *, allow_2032_rule: bool) -> tuple[bool, bool]:
    """(valid, only valid under the 2032 rule)."""
    k1 = int(digits[9])
    k1_remainder = (_weighted(digits[:9], _K1_WEIGHTS) + k1) % 11
    if k1_remainder != 0 and not (allow_2032_rule and k1_remainder in _K1_REMAINDERS_2032):
        return False, False
    k2_ok = _weighted(digits[:10], _K2_WEIGHTS) % 11 == (11 - int(digits[10])) % 11
    return k2_ok, k2_ok and k1_remainder != 0


def _centuries(individual: int, yy: int) -> tuple[int, ...]:
    """The century the individual number (digits 7–9) gives, by Skatteetaten's ranges.

    000–499: 1900–1999; 500–749 with year 54–99: 1854–1899; 500–999 with year
    00–39: 2000–2039; 900–999 with year 40–99: 1940–1999. Other combinations
    fix no century: then every century is a candidate for the date check.
    """
    if individual <= 499:
        return (1900,)
    if individual <= 749 and yy >= 54:
        return (1800,)
    if yy <= 39:
        return (2000,)
    if individual >= 900:
        return (1900,)
    return ()


def _valid_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_national_id(value: str, *, allow_2032_rule: bool = True) -> NationalId:
    """Parse and check an 11-digit Norwegian national id; raise ValueError if wrong.

    Spaces are removed (people write ``DDMMYY NNNNN``); anything else that is
    not a digit is refused. D-numbers add 4 to the first digit, H-numbers 40 to
    the month, synthetic test numbers 80 to the month. The 2032 check-digit
    rule is accepted unless ``allow_2032_rule`` is False (navikt/fnrvalidator
    accepts it already; numbers under it are issued from 1 January 2032).
    """
    digits = value.replace(" ", "")
    if digits and not (digits.isascii() and digits.isdigit()):
        raise ValueError("national id must contain only digits")
    if len(digits) != 11:
        raise ValueError("national id must have 11 digits")
    valid, new_rule = _check_digits_valid(digits, allow_2032_rule=allow_2032_rule)
    if not valid:
        raise ValueError("national id check digits do not match")

    day, month, yy = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    kind: NationalIdKind = "fnr"
    synthetic = False
    if day > 40:
        kind, day = "dnr", day - 40
    if month > 80:
        synthetic, month = True, month - 80
    elif month > 40:
        month -= 40
        if kind == "dnr":
            synthetic = True  # NAV's Dolly marks synthetic D-numbers this way
        else:
            kind = "hnr"

    centuries = _centuries(int(digits[6:9]), yy)
    candidates = [_valid_date(c + yy, month, day) for c in centuries or (1800, 1900, 2000)]
    if not any(candidates):
        raise ValueError("national id does not contain a valid birth date")
    birth_date = candidates[0] if centuries else None
    return NationalId(digits, kind, synthetic, birth_date, new_rule)


def validate_national_id(value: str) -> str:
    """The digits of a valid national id (see :func:`parse_national_id`)."""
    return parse_national_id(value).digits


def mask_national_id(value: str) -> str:
    """For logs: every digit hidden but the last two (``*********42``).

    The birth date and the individual number are what identify a person; the
    two check digits alone do not, yet let staff tell records apart.
    """
    digits = re.sub(r"\D", "", value)
    if len(digits) < 9:
        return "*" * len(digits)
    return "*" * (len(digits) - 2) + digits[-2:]


# -- organisation numbers ----------------------------------------------------------

_ORG_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def validate_org_number(value: str) -> str:
    """Check a Brønnøysund organisation number (9 digits, mod 11); return its digits.

    Landlords and housing co-ops are identified by it. Spaces are allowed
    (``974 760 673``), as printed on letters.
    """
    digits = value.replace(" ", "")
    if not digits.isascii() or not digits.isdigit():
        raise ValueError("organisation number must contain only digits")
    if len(digits) != 9:
        raise ValueError("organisation number must have 9 digits")
    if set(digits) == {"0"}:
        # 000000000 passes mod 11 but is no one's number: a placeholder typed in.
        raise ValueError("organisation number cannot be all zeros")
    remainder = _weighted(digits[:8], _ORG_WEIGHTS) % 11
    check = (11 - remainder) % 11
    if check == 10 or check != int(digits[8]):
        raise ValueError("organisation number check digit does not match")
    return digits


# -- phone numbers ---------------------------------------------------------------

_SMS_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.MOBILE,
        # Some countries (the US, Canada) cannot tell mobiles from landlines.
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
)


def normalize_phone(value: str, default_region: str = "NO") -> str:
    """A valid phone number in E.164 (``+4741234567``); raise ValueError otherwise.

    Numbers without a country code are read as ``default_region``; ``00``
    prefixes work as phonenumbers handles them for Norway.
    """
    try:
        number = phonenumbers.parse(value, default_region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("phone number could not be read") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("phone number is not a valid number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _parse_e164(e164: str) -> phonenumbers.PhoneNumber | None:
    if not e164.startswith("+"):
        return None
    try:
        return phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None


def is_norwegian_mobile(e164: str) -> bool:
    """True for a Norwegian mobile: +47 and 8 digits starting with 4 or 9.

    Norway's numbering plan (Nkom) gives mobiles the 4 and 9 series; 58 and 59
    are 12-digit machine-to-machine numbers (alarms, meters) that must never get
    an SMS meant for a person.
    """
    number = _parse_e164(e164)
    if number is None or number.country_code != 47:
        return False
    national = str(number.national_number)
    if national.startswith(("58", "59")):
        return False
    return len(national) == 8 and national[0] in "49"


def can_receive_sms(e164: str) -> bool:
    """Whether an SMS may be sent: a Norwegian mobile, or a valid foreign mobile."""
    number = _parse_e164(e164)
    if number is None:
        return False
    if number.country_code == 47:
        return is_norwegian_mobile(e164)
    return phonenumbers.is_valid_number(number) and (phonenumbers.number_type(number) in _SMS_TYPES)


def mask_phone(value: str) -> str:
    """For logs: country code and the last two digits (``+47******67``)."""
    number = _parse_e164(value.strip())
    if number is not None:
        national = str(number.national_number)
        return f"+{number.country_code}" + "*" * (len(national) - 2) + national[-2:]
    digits = re.sub(r"\D", "", value)
    if len(digits) < 6:
        return "*" * len(digits)
    return "*" * (len(digits) - 2) + digits[-2:]


# -- languages -----------------------------------------------------------------

# A BCP 47 language tag (RFC 5646 "langtag"): language[-extlang][-Script][-REGION]
# [-variant]*[-extension]*[-x-private]. Grandfathered and private-use-only tags
# name no language a letter could be written in, and are refused.
_TAG = re.compile(
    r"^(?P<language>[a-z]{2,3})"
    r"(?P<extlang>(?:-[a-z]{3}){0,3})"
    r"(?:-(?P<script>[a-z]{4}))?"
    r"(?:-(?P<region>[a-z]{2}|\d{3}))?"
    r"(?P<variants>(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*)"
    r"(?P<extensions>(?:-[\da-wyz](?:-[a-z\d]{2,8})+)*)"
    r"(?P<private>-x(?:-[a-z\d]{1,8})+)?$"
)
#: ``persons.language`` (String(20)) holds the tag; a longer one is refused, not
#: cut. Language, script, region and a variant fit (``sl-Latn-IT-nedis``).
MAX_LANGUAGE_TAG = 20
# Browsers and older systems send ``no``; NAV writes Bokmål (DOMAIN.md, i18n).
_ALIASES = {"no": "nb"}
# Valid ISO 639-3 codes for languages NAV meets in Oslo that babel (CLDR) has
# no locale data for, so ``Locale.parse`` would refuse them.
_KNOWN_WITHOUT_CLDR = frozenset({"prs"})  # Dari (Afghanistan)


def normalize_language(tag: str) -> str:
    """A BCP 47 tag in canonical case (``nb``, ``ar-SY``, ``sr-Latn``, ``pa-Arab-PK``).

    The whole tag is kept – region, variants and extensions are the tenant's
    (an interpreter for Syrian Arabic is booked from ``ar-SY``) – with ``-``
    or ``_``, in any case. The primary language is checked with babel, ``no``
    becomes ``nb`` and old codes current ones (``iw`` -> ``he``). Which
    catalog a letter is written from is ``nearest_language``'s decision.
    """
    text = tag.strip().replace("_", "-")
    if len(text) > MAX_LANGUAGE_TAG:
        raise ValueError(f"language tag is too long (at most {MAX_LANGUAGE_TAG} characters)")
    match = _TAG.match(text.lower())
    if match is None:
        raise ValueError("language must be a BCP 47 language tag like nb, ar-SY or sr-Latn")
    language = _ALIASES.get(match["language"], match["language"])
    if language == "und":
        raise ValueError("language is undetermined")
    if language not in _KNOWN_WITHOUT_CLDR:
        try:
            language = Locale.parse(language).language
        except (UnknownLocaleError, ValueError) as exc:
            raise ValueError("language code is not known") from exc
    parts = [language + match["extlang"]]
    if match["script"]:
        parts.append(match["script"].title())
    if match["region"]:
        parts.append(match["region"].upper())
    rest = (match["variants"] or "") + (match["extensions"] or "") + (match["private"] or "")
    return "-".join(parts) + rest


def nearest_language(tag: str, supported: Collection[str]) -> str | None:
    """The supported language closest to a tag, or None: ``ar-SY`` -> ``ar``.

    Language and script first (``sr-Latn``), then the primary language. Dari is
    ``prs`` in BCP 47 but also written ``fa-AF`` (Afghan Persian): both get the
    Dari catalog (``prs``, kept in ``locales/fa_AF``).
    """
    try:
        canonical = normalize_language(tag)
    except ValueError:
        return None
    match = _TAG.match(canonical.lower())
    assert match is not None
    language = match["language"]
    region = (match["region"] or "").upper()
    if language == "fa" and region == "AF":
        language = "prs"
    script = match["script"].title() if match["script"] else None
    for candidate in ((f"{language}-{script}" if script else None), language):
        if candidate and candidate in supported:
            return candidate
    return None
