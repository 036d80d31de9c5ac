"""What ``/api/v1`` answers, as marshmallow schemas: the OpenAPI document's response bodies.

The handlers build their JSON by hand; these schemas say what it holds, and the
schemathesis run (tests/test_api_contract.py) checks every answer against the
document built from them. They are strict (no key left undescribed), so a new
key in an answer fails that run until it is described here. Timeline events
are the one open shape: each kind of event carries data of its own.
"""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields


def _nullable(field: type[fields.Field], **kwargs: object) -> fields.Field:
    return field(required=True, allow_none=True, **kwargs)  # type: ignore[arg-type]


class ErrorSchema(Schema):
    """Every refusal: a code, a sentence, and for 422 the messages per field."""

    error = fields.String(required=True, metadata={"description": "A stable code to branch on"})
    message = fields.String(required=True, metadata={"description": "For a person to read"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        metadata={
            "description": "Per field (dotted for nested fields, ``_schema`` for the whole "
            "body): a list of messages, or an object of the nested fields' errors"
        },
    )


class LadderSchema(Schema):
    round = fields.Integer(required=True)
    state = fields.String(required=True)
    letter_sent_at = _nullable(fields.DateTime)
    contact_started_at = _nullable(fields.DateTime)


class CaseHouseholdSchema(Schema):
    children = fields.List(fields.Integer(), required=True)
    adults = _nullable(fields.Integer)


class CaseClientSchema(Schema):
    status = fields.String(required=True)
    district = _nullable(fields.String)


class CaseTenantSchema(Schema):
    """The tenant as staff read them: no national id, no address, no phone number."""

    name = fields.String(required=True)
    birth_date = _nullable(fields.Date)
    language = fields.String(required=True)
    has_phone = fields.Boolean(required=True)
    sms_opted_out = fields.Boolean(required=True)


class CaseSchema(Schema):
    id = fields.Integer(required=True)
    reference = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["open", "paused", "closed"]})
    district = _nullable(fields.String)
    opened_at = fields.DateTime(required=True)
    closed_at = _nullable(fields.DateTime)
    outcome = _nullable(fields.String)
    repeat_case = fields.Boolean(required=True)
    # The mapping (issue 15): no earlier case at all, and the staff marker with its reason.
    first_timer = fields.Boolean(required=True)
    system_failure = fields.Boolean(required=True)
    system_failure_reason = _nullable(fields.String)
    crisis = fields.Boolean(required=True)
    eviction_date = _nullable(fields.Date)
    ladder = fields.Nested(LadderSchema, required=True)
    household = fields.Nested(CaseHouseholdSchema, required=True)
    client = fields.Nested(CaseClientSchema, required=True)
    tenant = fields.Nested(CaseTenantSchema, required=True)
    needs_match_review = fields.Boolean(required=True)


class StepSchema(Schema):
    id = fields.Integer(required=True)
    rule = fields.String(required=True)
    channel = fields.String(required=True)
    status = fields.String(required=True)
    due_at = fields.DateTime(required=True)
    deadline_at = _nullable(fields.DateTime)
    detail = fields.String(required=True)


class CaseWithStepsSchema(CaseSchema):
    steps = fields.List(fields.Nested(StepSchema), required=True)


class TimelineEventSchema(Schema):
    """One event, oldest first; each kind adds its own data (times in Oslo time)."""

    class Meta:
        unknown = INCLUDE

    at = fields.DateTime(required=True)
    event = fields.String(required=True)
    channel = _nullable(fields.String)
    actor = _nullable(fields.String)


class MatchSchema(Schema):
    method = fields.String(required=True)
    confidence = fields.Float(required=True)


class TriggerResultSchema(Schema):
    """What a staff token learns of its trigger: the case it joined or opened."""

    trigger_id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    case_reference = fields.String(required=True)
    district = _nullable(fields.String)
    case_created = fields.Boolean(required=True)
    duplicate = fields.Boolean(required=True)
    match = fields.Nested(MatchSchema, required=True)
    review_id = _nullable(fields.Integer)
    # The same notice sent again with other details: the fields it corrected (names only).
    corrected = fields.List(fields.String(), required=True)


class TriggerReceiptSchema(Schema):
    """What a system token learns of its trigger: only that it was received; and a
    caseworker whose notice joined a case they may not see: that it was passed on
    (issue 13, item 2), never that case's id, reference or district."""

    trigger_id = fields.Integer(required=True)
    duplicate = fields.Boolean(required=True)
    status = fields.String(required=True, metadata={"enum": ["received", "passed_on"]})


class ContactResultSchema(Schema):
    case_id = fields.Integer(required=True)
    ladder = fields.String(required=True)
    cancelled_steps = fields.Integer(required=True)


class CloseResultSchema(Schema):
    case_id = fields.Integer(required=True)
    status = fields.String(required=True)
    cancelled_steps = fields.Integer(required=True)


class DistrictResultSchema(Schema):
    case_id = fields.Integer(required=True)
    district = _nullable(fields.String)


class CaseworkerResultSchema(Schema):
    case_id = fields.Integer(required=True)
    caseworker = fields.String(required=True)
    flags = fields.List(
        fields.Integer(),
        required=True,
        metadata={"description": "The ids of the case's flags the new caseworker now holds"},
    )


class LandlordCopyResultSchema(Schema):
    case_id = fields.Integer(required=True)
    step_id = fields.Integer(required=True)
    rule = fields.String(required=True)
    status = fields.String(required=True)
    due_at = fields.DateTime(required=True)


class FlagResultSchema(Schema):
    flag_id = fields.Integer(required=True)
    status = fields.String(required=True)
    decision = _nullable(fields.String)


class TaskResultSchema(Schema):
    task_id = fields.Integer(required=True)
    status = fields.String(required=True)
    outcome = _nullable(fields.String)


class PrintBatchSchema(Schema):
    id = fields.Integer(required=True)
    district = _nullable(fields.String)
    status = fields.String(required=True)
    created_at = _nullable(fields.DateTime)
    rendered_at = _nullable(fields.DateTime)
    posted_at = _nullable(fields.DateTime)
    pages = _nullable(fields.Integer)
    pdf_sha256 = _nullable(fields.String)
    letters = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "How many of the batch's letters are in each status"},
    )


class RenderResultSchema(Schema):
    batch_id = fields.Integer(required=True)
    job_id = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["rendering"]})


class MatchReviewSchema(Schema):
    id = fields.Integer(required=True)
    case = fields.Nested(CaseSchema, required=True)
    candidate = fields.Nested(CaseSchema, required=True)
    confidence = fields.Float(required=True)
    reasons = fields.String(required=True)


class MatchReviewResultSchema(Schema):
    review_id = fields.Integer(required=True)
    status = fields.String(required=True)
    case_id = fields.Integer(required=True)


class WarningReceiptSchema(Schema):
    """A landlord's receipt: says nothing of whether NAV knows the tenant."""

    receipt = fields.String(required=True)
    status = fields.String(
        required=True,
        metadata={
            "enum": ["received", "passed_on"],
            "description": "received: NAV has the warning; passed_on: it is with the district "
            "office that follows the tenant up. Never anything about the tenant's relationship "
            "with NAV.",
        },
    )
    kind = fields.String(required=True)
    reference = fields.String(required=True)
    received_at = fields.DateTime(required=True)
    earliest_petition_on = _nullable(fields.Date)
    duplicate = fields.Boolean(required=True)


class ReservationResultSchema(Schema):
    id = fields.Integer(required=True)
    label = fields.String(required=True)
    registered_at = fields.DateTime(required=True)
    withdrawn_at = _nullable(fields.DateTime)


class ListRowCountsSchema(Schema):
    pending = fields.Integer(required=True)
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    refused = fields.Integer(required=True)
    reserved = fields.Integer(required=True)


class LandlordListSchema(Schema):
    """An arrears list's progress: rows done of the total, and each row's outcome."""

    id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": ["queued", "running", "done"]})
    format = fields.String(required=True, metadata={"enum": ["csv", "json"]})
    filename = fields.String(required=True)
    uploaded_at = fields.DateTime(required=True)
    finished_at = _nullable(fields.DateTime)
    total_rows = fields.Integer(required=True)
    rows_done = fields.Integer(required=True)
    rows = fields.Nested(ListRowCountsSchema, required=True)
    duplicate = fields.Boolean(metadata={"description": "Only on upload: the same list again"})
