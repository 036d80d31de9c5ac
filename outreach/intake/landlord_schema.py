"""A landlord's warning, as the portal and ``POST /api/v1/landlord/warnings`` take it.

Narrower than the trigger document: the landlord cannot say who it is (the
source comes from the logged-in landlord), cannot backdate, cannot say
anything about a client relationship or a district, and must declare what
husleieloven § 9-11 asks of it (seeds/000: the tenant may reserve against the
warning in writing to the landlord; DOMAIN.md: the landlord gives the tenant
a copy). The tenant's part reuses the trigger schema's rules, so a national
id, a phone number or a postal code is checked the same way everywhere.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from outreach import identity
from outreach.intake.schema import HouseholdSchema, JsonBoolean, StrictSchema, TenantSchema

#: What a landlord may send: the § 9-11 warning of unpaid rent, and the
#: circular's "henvendelse ... fra utleier ... om gjennomført utkastelse".
LANDLORD_KINDS = ("unpaid_rent_warning", "eviction_completed")
#: The kind a reservation stops: the reservation in § 9-11 is against the warning only.
RESERVABLE_KIND = "unpaid_rent_warning"

MUST_BE_TRUE = "Must be confirmed (true) before NAV can receive the warning."


class LandlordTenantSchema(TenantSchema):
    """The tenant as the landlord knows them; what only NAV may record is left out."""

    class Meta(TenantSchema.Meta):
        exclude = ("email_consent", "protected_address", "vulnerable")

    @validates_schema
    def _identified(self, data: dict[str, Any], **_: Any) -> None:
        # Bailiff-style matching needs name + birth date + address at least.
        if not data.get("national_id") and not data.get("birth_date"):
            raise ValidationError("Give the birth date or the national id number.", "birth_date")


class DeclarationsSchema(StrictSchema):
    tenant_not_reserved = JsonBoolean(required=True)
    tenant_informed = JsonBoolean(required=True)

    @validates_schema
    def _both_true(self, data: dict[str, Any], **_: Any) -> None:
        errors = {key: [MUST_BE_TRUE] for key, value in data.items() if value is not True}
        if errors:
            raise ValidationError(errors)


class LandlordWarningSchema(StrictSchema):
    kind = fields.String(load_default=RESERVABLE_KIND, validate=validate.OneOf(LANDLORD_KINDS))
    reference = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[\w./-]{1,80}$",
            error="1 to 80 letters, digits, '.', '/', '-' or '_' (your own reference).",
        ),
    )
    tenant = fields.Nested(LandlordTenantSchema, required=True)
    household = fields.Nested(HouseholdSchema, load_default=dict)
    arrears_amount = fields.Decimal(
        load_default=None, allow_none=True, places=2, validate=validate.Range(min=1, max=10_000_000)
    )
    arrears_since = fields.Date(load_default=None, allow_none=True)
    eviction_date = fields.Date(load_default=None, allow_none=True)
    declarations = fields.Nested(DeclarationsSchema, load_default=None, allow_none=True)
    notes = fields.String(load_default="", validate=validate.Length(max=2000))

    @validates_schema
    def _per_kind(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("kind", RESERVABLE_KIND) == RESERVABLE_KIND:
            errors: dict[str, list[str]] = {}
            if data.get("arrears_amount") is None:
                errors["arrears_amount"] = ["Required for a warning of unpaid rent."]
            if data.get("declarations") is None:
                errors["declarations"] = [
                    "Required: confirm tenant_not_reserved and tenant_informed (§ 9-11)."
                ]
            if errors:
                raise ValidationError(errors)
        elif data.get("eviction_date") is None:
            raise ValidationError("The date the eviction was carried out.", "eviction_date")


def load_warning(document: Any) -> dict[str, Any]:
    """Validate a landlord's warning; raises ValidationError with per-field messages."""
    if not isinstance(document, dict):
        raise ValidationError({"_schema": ["Expected a JSON object."]})
    result: dict[str, Any] = LandlordWarningSchema().load(document)
    return result


class ReservationSchema(StrictSchema):
    """A tenant's reservation as the landlord registers it: enough to recognise, no more."""

    label = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[\w./ -]{1,80}$",
            error="1 to 80 letters, digits, spaces, '.', '/', '-' or '_' (e.g. the lease number).",
        ),
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    national_id = fields.String(load_default=None, allow_none=True)
    birth_date = fields.Date(load_default=None, allow_none=True)

    _national_id = TenantSchema._national_id
    _birth_date_agrees = TenantSchema._birth_date_agrees
    _identified = LandlordTenantSchema._identified

    @post_load
    def _normalise(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if data.get("national_id"):
            parsed = identity.parse_national_id(data["national_id"])
            data["national_id"] = parsed.digits
            data["birth_date"] = data.get("birth_date") or parsed.birth_date
        return data


def load_reservation(document: Any) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise ValidationError({"_schema": ["Expected a JSON object."]})
    result: dict[str, Any] = ReservationSchema().load(document)
    return result


__all__ = [
    "LANDLORD_KINDS",
    "LandlordWarningSchema",
    "ReservationSchema",
    "load_reservation",
    "load_warning",
]
