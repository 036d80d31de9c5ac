"""National ids, organisation numbers, phone numbers and language tags."""

from __future__ import annotations

from datetime import date

import pytest

from outreach.identity import (
    can_receive_sms,
    is_norwegian_mobile,
    mask_national_id,
    mask_phone,
    nearest_language,
    normalize_language,
    normalize_phone,
    parse_national_id,
    validate_national_id,
    validate_org_number,
)

# -- a small generator, independent of the code under test ------------------------

W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _mod11(digits: str, weights: tuple[int, ...]) -> int | None:
    """Classic check digit: 11 - (sum mod 11), 11 -> 0, 10 -> unusable."""
    check = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return {11: 0, 10: None}.get(check, check)


def make_id(
    day: int,
    month: int,
    year: int,
    individual: int,
    *,
    dnr: bool = False,
    month_offset: int = 0,
) -> str:
    """A national id with correct check digits, trying individual numbers upwards
    within the same century range until both check digits are usable."""
    d = day + (40 if dnr else 0)
    m = month + month_offset
    for ind in range(individual, individual + 50):
        base = f"{d:02d}{m:02d}{year % 100:02d}{ind:03d}"
        k1 = _mod11(base, W1)
        if k1 is None:
            continue
        k2 = _mod11(base + str(k1), W2)
        if k2 is None:
            continue
        return f"{base}{k1}{k2}"
    raise AssertionError("no usable individual number")


def with_k1_remainder(base9: str, remainder: int) -> str:
    """A number whose first check digit is valid only under the 2032 rule."""
    total = sum(int(d) * w for d, w in zip(base9, W1, strict=True))
    k1 = (remainder - total) % 11
    assert k1 < 10
    k2 = _mod11(base9 + str(k1), W2)
    assert k2 is not None
    return f"{base9}{k1}{k2}"


def corrupt_last(value: str) -> str:
    return value[:-1] + str((int(value[-1]) + 1) % 10)


# -- national ids -----------------------------------------------------------------


def test_fnr_born_in_the_1900s() -> None:
    number = make_id(1, 1, 1990, 123)
    parsed = parse_national_id(number)
    assert parsed.kind == "fnr"
    assert not parsed.synthetic
    assert parsed.birth_date == date(1990, 1, 1)
    assert parsed.digits == number
    assert not parsed.new_check_rule


def test_fnr_century_from_individual_number() -> None:
    assert parse_national_id(make_id(24, 12, 2005, 512)).birth_date == date(2005, 12, 24)
    assert parse_national_id(make_id(3, 6, 1880, 600)).birth_date == date(1880, 6, 3)
    assert parse_national_id(make_id(15, 3, 1955, 920)).birth_date == date(1955, 3, 15)


def test_fnr_without_a_fixed_century_has_no_birth_date() -> None:
    # 750-899 with year >= 40 is not an issued combination.
    parsed = parse_national_id(make_id(15, 3, 1955, 760))
    assert parsed.birth_date is None


def test_leap_day() -> None:
    assert parse_national_id(make_id(29, 2, 2000, 520)).birth_date == date(2000, 2, 29)
    with pytest.raises(ValueError, match="birth date"):
        parse_national_id(make_id(29, 2, 1900, 100))  # 1900 was not a leap year


def test_spaces_are_allowed() -> None:
    number = make_id(1, 1, 1990, 123)
    assert validate_national_id(f"{number[:6]} {number[6:]}") == number


def test_d_number() -> None:
    parsed = parse_national_id(make_id(31, 12, 1985, 200, dnr=True))
    assert parsed.kind == "dnr"
    assert parsed.birth_date == date(1985, 12, 31)
    assert not parsed.synthetic


def test_h_number() -> None:
    parsed = parse_national_id(make_id(5, 5, 1970, 300, month_offset=40))
    assert parsed.kind == "hnr"
    assert parsed.birth_date == date(1970, 5, 5)


def test_synthetic_test_number_month_plus_80() -> None:
    parsed = parse_national_id(make_id(10, 7, 1992, 400, month_offset=80))
    assert parsed.synthetic
    assert parsed.kind == "fnr"
    assert parsed.birth_date == date(1992, 7, 10)
    synthetic_dnr = parse_national_id(make_id(10, 7, 1992, 400, dnr=True, month_offset=80))
    assert synthetic_dnr.kind == "dnr"
    assert synthetic_dnr.synthetic


def test_2032_check_digit_rule() -> None:
    base = "010190123"
    for remainder in (1, 2, 3):
        try:
            number = with_k1_remainder(base, remainder)
        except AssertionError:
            continue
        parsed = parse_national_id(number)
        assert parsed.new_check_rule
        with pytest.raises(ValueError, match="check digits"):
            parse_national_id(number, allow_2032_rule=False)
        break
    else:
        pytest.fail("no remainder gave a usable test number")


def test_remainder_four_is_never_valid() -> None:
    base = "010190124"
    total = sum(int(d) * w for d, w in zip(base, W1, strict=True))
    k1 = (4 - total) % 11
    if k1 == 10:
        base = "010190125"
        total = sum(int(d) * w for d, w in zip(base, W1, strict=True))
        k1 = (4 - total) % 11
    k2 = _mod11(base + str(k1), W2)
    assert k2 is not None
    with pytest.raises(ValueError, match="check digits"):
        parse_national_id(f"{base}{k1}{k2}")


def test_bad_check_digit() -> None:
    with pytest.raises(ValueError, match="check digits"):
        parse_national_id(corrupt_last(make_id(1, 1, 1990, 123)))


@pytest.mark.parametrize(
    ("day", "month"),
    [(32, 1), (31, 4), (0, 5), (15, 13), (15, 0)],
)
def test_impossible_dates(day: int, month: int) -> None:
    base = f"{day:02d}{month:02d}90123"
    k1 = _mod11(base, W1)
    if k1 is None:
        base = f"{day:02d}{month:02d}90124"
        k1 = _mod11(base, W1)
    assert k1 is not None
    k2 = _mod11(base + str(k1), W2)
    if k2 is None:
        pytest.skip("no usable check digit for this base")
    with pytest.raises(ValueError, match="birth date"):
        parse_national_id(f"{base}{k1}{k2}")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0101901234", "11 digits"),
        ("010190123456", "11 digits"),
        ("0101901234X", "only digits"),
        ("010190-12345", "only digits"),
        ("٠١٠١٩٠١٢٣٤٥", "only digits"),  # Arabic-Indic digits are digits to Python
        ("", "11 digits"),
    ],
)
def test_malformed_national_ids(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_national_id(value)


def test_errors_and_repr_never_show_the_number() -> None:
    number = make_id(1, 1, 1990, 123)
    bad = corrupt_last(number)
    with pytest.raises(ValueError) as info:
        parse_national_id(bad)
    assert bad not in str(info.value)
    assert "010190" not in str(info.value)
    parsed = parse_national_id(number)
    assert number not in repr(parsed)
    assert number not in str(parsed)


def test_mask_national_id() -> None:
    number = make_id(1, 1, 1990, 123)
    masked = mask_national_id(number)
    assert masked == "*********" + number[-2:]
    assert mask_national_id("1234") == "****"


# -- organisation numbers -----------------------------------------------------------


def test_org_number_valid() -> None:
    assert validate_org_number("974760673") == "974760673"  # Brønnøysundregistrene
    assert validate_org_number("974 760 673") == "974760673"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("123456789", "check digit"),
        ("974760674", "check digit"),
        ("97476067", "9 digits"),
        ("97476067A", "only digits"),
        ("000000000", "all zeros"),  # passes mod 11
        ("000 000 000", "all zeros"),
    ],
)
def test_org_number_invalid(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_org_number(value)


# -- phone numbers ---------------------------------------------------------------


def test_norwegian_mobile() -> None:
    e164 = normalize_phone("+47 412 34 567")
    assert e164 == "+4741234567"
    assert is_norwegian_mobile(e164)
    assert can_receive_sms(e164)
    assert normalize_phone("412 34 567") == "+4741234567"
    assert normalize_phone("0047 91234567") == "+4791234567"


def test_norwegian_landline_is_valid_but_not_mobile() -> None:
    e164 = normalize_phone("22 22 22 22")
    assert e164 == "+4722222222"
    assert not is_norwegian_mobile(e164)
    assert not can_receive_sms(e164)


def test_machine_to_machine_numbers_are_refused_for_sms() -> None:
    for m2m in ("+47580012345678", "+47590012345678", "+4758001234"):
        assert not is_norwegian_mobile(m2m)
        assert not can_receive_sms(m2m)
    with pytest.raises(ValueError):
        normalize_phone("+47 5800 1234 5678")


def test_foreign_mobiles() -> None:
    uk = normalize_phone("+44 7400 123456")
    assert not is_norwegian_mobile(uk)
    assert can_receive_sms(uk)
    swedish = normalize_phone("+46 70 123 45 67")
    assert can_receive_sms(swedish)
    assert not can_receive_sms(normalize_phone("+46 8 123 456 78"))  # Stockholm landline


@pytest.mark.parametrize("value", ["", "abc", "123", "+47 1234"])
def test_invalid_phone_numbers(value: str) -> None:
    with pytest.raises(ValueError) as info:
        normalize_phone(value)
    if value:
        assert value not in str(info.value)


def test_not_e164_is_not_a_mobile() -> None:
    assert not is_norwegian_mobile("41234567")
    assert not can_receive_sms("41234567")


def test_mask_phone() -> None:
    assert mask_phone("+4741234567") == "+47******67"
    assert mask_phone("412 34 567") == "******67"
    assert "41234567" not in mask_phone("+4741234567")


# -- languages -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("nb", "nb"),
        ("no", "nb"),
        ("no-NO", "nb-NO"),
        ("nb_NO", "nb-NO"),
        ("NN", "nn"),
        ("ar", "ar"),
        ("ar-EG", "ar-EG"),
        ("ar-sy", "ar-SY"),
        ("prs", "prs"),
        ("fa-AF", "fa-AF"),
        ("ckb", "ckb"),
        ("ti", "ti"),
        ("so", "so"),
        ("ur", "ur"),
        ("pl", "pl"),
        ("uk", "uk"),
        ("se", "se"),
        ("iw", "he"),
        ("sr-latn", "sr-Latn"),
        ("pa-arab-pk", "pa-Arab-PK"),
        ("de-CH-1996", "de-CH-1996"),
        ("es-419", "es-419"),
        ("zh-yue-HK", "zh-yue-HK"),
        ("en-US-u-ca-gregory", "en-US-u-ca-gregory"),
        ("nb-NO-x-private", "nb-NO-x-private"),
        (" en-GB ", "en-GB"),
    ],
)
def test_normalize_language(tag: str, expected: str) -> None:
    assert normalize_language(tag) == expected


@pytest.mark.parametrize(
    "tag",
    ["", "x", "zz", "und", "english", "x-private", "i-klingon", "12", "ar-", "ar--SY",
     "sl-Latn-IT-rozaj-biske-1994"],
)  # fmt: skip
def test_normalize_language_refuses(tag: str) -> None:
    with pytest.raises(ValueError):
        normalize_language(tag)


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("ar-SY", "ar"),
        ("so-SO", "so"),
        ("prs", "prs"),
        ("fa-AF", "prs"),
        ("fa-IR", "fa"),
        ("no-NO", "nb"),
        ("pa-Arab-PK", None),
        ("sr-Latn", None),
        ("de-CH-1996", None),
    ],
)
def test_nearest_letter_language(tag: str, expected: str | None) -> None:
    from outreach.letters.i18n import LANGUAGES

    assert nearest_language(tag, LANGUAGES) == expected
    assert nearest_language("sr-Latn-RS", {"sr-Latn", "sr"}) == "sr-Latn"


def test_message_language_maps_a_full_tag_to_a_catalog() -> None:
    from outreach.reach.base import message_language

    assert message_language("ar-SY") == "ar"
    assert message_language("fa-AF") == "prs"
    assert message_language("pa-Arab-PK") == "en"  # no Punjabi catalog: English beside Norwegian
