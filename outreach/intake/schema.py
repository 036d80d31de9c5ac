"""The trigger document, checked at the edge (marshmallow).

One schema serves the API, the staff form's JSON, bulk lists and
``outreach simulate``. Errors come back per field (``tenant.phone``) so the
caller can fix exactly what is wrong; nothing is written before this passes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates,
    validates_schema,
)

from outreach import identity
from outreach.districts import is_routable
from outreach.vocabulary import (
    CLIENT_STATUSES,
    NOTICE_REASONS,
    PLAINTIFF_TYPES,
    SOURCE_TYPES,
    TRIGGER_KINDS,
)

# A sender's clock may run a little ahead of ours.
CLOCK_SKEW = timedelta(minutes=5)
# A notice NAV received longer ago than this is a typo, not a trigger to act on.
MAX_AGE = timedelta(days=366)


def _is_valid_district(code: str) -> None:
    if not is_routable(code):
        raise ValidationError(
            "Not one of Oslo's 15 district codes (030101–030115); "
            "Sentrum and Marka are not districts of their own."
        )


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class JsonBoolean(fields.Boolean):
    """``true`` or ``false``: marshmallow's ``Boolean`` also takes "yes", "on", 1 and "t".

    The document promises a JSON boolean, and a guessed "protected address: yes"
    is not the caller's word for it.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class WholeNumber(fields.Integer):
    """An integer that is never truncated: 2.5 adults is an error, not 2.

    marshmallow's ``Integer`` turns 2.5 into 2 (and 1e-42 into 0) unless
    strict, and strict would refuse the staff form's "3"; 2.0 and "3" stay whole.
    """

    def _validated(self, value: Any) -> int:
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid")
        return int(super()._validated(value))


class SourceSchema(StrictSchema):
    type = fields.String(required=True, validate=validate.OneOf(SOURCE_TYPES))
    name = fields.String(load_default="", validate=validate.Length(max=200))
    org_number = fields.String(load_default=None, allow_none=True)
    reference = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(min=1, max=120)
    )
    # The sender's postal address: where the copy to the bailiff goes (issue 3).
    address = fields.Nested(lambda: AddressSchema(), load_default=None, allow_none=True)

    @validates("org_number")
    def _org(self, value: str | None, **_: Any) -> None:
        if value:
            try:
                identity.validate_org_number(value)
            except ValueError as exc:
                raise ValidationError(str(exc)) from exc


class CounterpartSchema(StrictSchema):
    """The landlord (petition) or plaintiff (forced sale) the notice names (issue 3).

    The tenant letter names them; the copy to the plaintiff or landlord goes to this
    address (seeds/000: «kopi sendes til saksøker»).
    """

    role = fields.String(required=True, validate=validate.OneOf(("landlord", "plaintiff")))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    org_number = fields.String(load_default=None, allow_none=True)
    address = fields.Nested(lambda: AddressSchema(), load_default=None, allow_none=True)

    _org = SourceSchema._org


class AddressSchema(StrictSchema):
    street = fields.String(required=True, validate=validate.Length(min=1, max=200))
    postal_code = fields.String(
        required=True, validate=validate.Regexp(r"^\d{4}$", error="Must be four digits.")
    )
    city = fields.String(load_default="Oslo", validate=validate.Length(max=80))


class TenantSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    national_id = fields.String(load_default=None, allow_none=True)
    birth_date = fields.Date(load_default=None, allow_none=True)
    address = fields.Nested(AddressSchema, required=True)
    phone = fields.String(load_default=None, allow_none=True)
    email = fields.Email(load_default=None, allow_none=True)
    email_consent = JsonBoolean(load_default=None, allow_none=True)
    language = fields.String(load_default="nb")
    protected_address = JsonBoolean(load_default=False)
    vulnerable = JsonBoolean(load_default=False)

    @validates("national_id")
    def _national_id(self, value: str | None, **_: Any) -> None:
        if value:
            try:
                identity.parse_national_id(value)
            except ValueError as exc:
                raise ValidationError(str(exc)) from exc

    @validates("phone")
    def _phone(self, value: str | None, **_: Any) -> None:
        if value:
            try:
                identity.normalize_phone(value)
            except ValueError as exc:
                raise ValidationError(str(exc)) from exc

    @validates("language")
    def _language(self, value: str, **_: Any) -> None:
        try:
            identity.normalize_language(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc

    @validates_schema
    def _birth_date_agrees(self, data: dict[str, Any], **_: Any) -> None:
        national_id = data.get("national_id")
        birth_date = data.get("birth_date")
        if national_id and birth_date:
            try:
                derived = identity.parse_national_id(national_id).birth_date
            except ValueError:
                return
            # The id may not decide the century (from 2032 the register is
            # the truth): only a known, different date is a conflict.
            if derived is not None and derived != birth_date:
                raise ValidationError(
                    "Does not match the birth date in the national id.", "birth_date"
                )

    @post_load
    def _normalise(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if data.get("national_id"):
            parsed = identity.parse_national_id(data["national_id"])
            data["national_id"] = parsed.digits
            data["birth_date"] = data.get("birth_date") or parsed.birth_date
        if data.get("phone"):
            data["phone"] = identity.normalize_phone(data["phone"])
        data["language"] = identity.normalize_language(data.get("language") or "nb")
        if data.get("email"):
            data["email"] = data["email"].strip().lower()
        return data


class HouseholdSchema(StrictSchema):
    children = fields.List(
        WholeNumber(validate=validate.Range(min=0, max=25)),
        load_default=list,
        validate=validate.Length(max=20),
    )
    adults = WholeNumber(load_default=None, allow_none=True, validate=validate.Range(min=0, max=20))


class ClientSchema(StrictSchema):
    status = fields.String(load_default="none", validate=validate.OneOf(CLIENT_STATUSES))
    district = fields.String(load_default=None, allow_none=True)

    @validates("district")
    def _district(self, value: str | None, **_: Any) -> None:
        if value:
            _is_valid_district(value)


class TriggerSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(TRIGGER_KINDS))
    received_at = fields.AwareDateTime(load_default=None, allow_none=True)
    source = fields.Nested(SourceSchema, required=True)
    tenant = fields.Nested(TenantSchema, required=True)
    household = fields.Nested(HouseholdSchema, load_default=dict)
    eviction_date = fields.Date(load_default=None, allow_none=True)
    client = fields.Nested(ClientSchema, load_default=dict)
    district = fields.String(load_default=None, allow_none=True)
    arrears_amount = fields.Decimal(
        load_default=None, allow_none=True, places=2, validate=validate.Range(min=0, max=10_000_000)
    )
    notes = fields.String(load_default="", validate=validate.Length(max=5000))
    counterpart = fields.Nested(CounterpartSchema, load_default=None, allow_none=True)
    # The mapping (issue 15): who asks for the eviction and why. Left out, intake
    # derives what the sender and kind tell (``cases.mapping.default_plaintiff_type``).
    plaintiff_type = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(PLAINTIFF_TYPES)
    )
    reason = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(NOTICE_REASONS)
    )

    @validates("district")
    def _district(self, value: str | None, **_: Any) -> None:
        if value:
            _is_valid_district(value)

    @validates("eviction_date")
    def _eviction_date(self, value: date | None, **_: Any) -> None:
        if value is not None and not (date(2000, 1, 1) <= value <= date(2100, 1, 1)):
            raise ValidationError("Not a plausible date.")

    @validates_schema
    def _received_at_plausible(self, data: dict[str, Any], **_: Any) -> None:
        """When NAV received the notice: not ahead of our clock, not long ago.

        The clock counts from it (3 working days for the letter), so a typo
        in the year would plan a ladder that is over before it starts.
        """
        received = data.get("received_at")
        if received is None:
            return
        now = self.context_now()
        if received > now + CLOCK_SKEW:
            raise ValidationError(
                "Lies in the future (more than 5 minutes ahead of the service's clock).",
                "received_at",
            )
        oldest = self.oldest_received()
        if oldest is not None and received < oldest:
            raise ValidationError(
                "Lies more than a year in the past; give the time NAV received the notice.",
                "received_at",
            )

    def __init__(self, *args: Any, now: datetime | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._now = now

    def context_now(self) -> datetime:
        return self._now or datetime.now(UTC)

    def oldest_received(self) -> datetime | None:
        return self.context_now() - MAX_AGE


class TriggerForSimulationSchema(TriggerSchema):
    """``simulate`` replays triggers from any date, past or future."""

    def context_now(self) -> datetime:
        return datetime.max.replace(tzinfo=UTC) - CLOCK_SKEW

    def oldest_received(self) -> datetime | None:
        return None


def load_trigger(
    document: Any, *, simulation: bool = False, now: datetime | None = None
) -> dict[str, Any]:
    """Validate and normalise; raises ValidationError with per-field messages.

    ``now`` is the service's clock (principle 4), used to refuse triggers
    received in the future.
    """
    if not isinstance(document, dict):
        raise ValidationError({"_schema": ["Expected a JSON object."]})
    schema: Schema = TriggerForSimulationSchema() if simulation else TriggerSchema(now=now)
    result: dict[str, Any] = schema.load(document)
    return result


__all__ = ["TriggerSchema", "ValidationError", "load_trigger"]
