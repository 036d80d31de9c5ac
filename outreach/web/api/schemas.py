"""Request bodies of ``/api/v1`` as marshmallow schemas.

The handlers load with them and the OpenAPI document describes them, so the
document cannot drift from what the API accepts; keeping them apart from the
handlers lets ``openapi`` import them without importing any route.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from outreach.cases import response
from outreach.cases.flags import FLAG_DECISIONS
from outreach.cases.tasks import (
    NOTICE_REVIEW_OUTCOMES,
    PHONE_OUTCOMES,
    TASK_OUTCOMES,
    VISIT_OUTCOMES,
)
from outreach.intake import match_review
from outreach.intake.schema import JsonBoolean

# Every decision of any flag kind, and every outcome of any task kind: the body
# names one of them (a 422 otherwise); the action checks it fits the flag or task.
_DECISIONS = sorted({d for decisions in FLAG_DECISIONS.values() for d in decisions})
_OUTCOMES = sorted({*PHONE_OUTCOMES, *VISIT_OUTCOMES, *TASK_OUTCOMES, *NOTICE_REVIEW_OUTCOMES})


class ContactSchema(Schema):
    channel = fields.String(required=True, validate=validate.OneOf(response.CONTACT_CHANNELS))
    at = fields.AwareDateTime(load_default=None, allow_none=True)
    note = fields.String(load_default="", validate=validate.Length(max=4000))


class CloseSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(response.CLOSE_OUTCOMES))
    note = fields.String(load_default="", validate=validate.Length(max=4000))


class DistrictSchema(Schema):
    district = fields.String(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=3, max=1000))


class CaseworkerSchema(Schema):
    username = fields.String(load_default=None, validate=validate.Length(min=1, max=80))


class FlagDecisionSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(_DECISIONS))
    reason = fields.String(required=True, validate=validate.Length(max=4000))


class TaskOutcomeSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(_OUTCOMES))
    note = fields.String(load_default="", validate=validate.Length(max=4000))
    at = fields.AwareDateTime(load_default=None, allow_none=True)


class PostedSchema(Schema):
    posted_at = fields.AwareDateTime(load_default=None, allow_none=True)


class MatchDecisionSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(match_review.MATCH_DECISIONS))


class ListDeclarationsSchema(Schema):
    """Both must be true: every tenant on the list is told, and none reserved (§ 9-11)."""

    tenant_not_reserved = JsonBoolean(required=True)
    tenant_informed = JsonBoolean(required=True)


class LandlordListUploadSchema(Schema):
    """A list as JSON; each row's keys are the CSV template's English column names."""

    rows = fields.List(
        fields.Dict(keys=fields.String(), values=fields.Raw()),
        required=True,
        validate=validate.Length(min=1, max=20_000),
        metadata={"description": "reference, name, birth_date or national_id, address, "
                  "postal_code, city, phone (optional), arrears_amount, months_in_arrears"},
    )  # fmt: skip
    declarations = fields.Nested(ListDeclarationsSchema, required=True)
    filename = fields.String(validate=validate.Length(max=200))
