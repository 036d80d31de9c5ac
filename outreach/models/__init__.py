"""The system of record: people, cases, triggers, planned steps, attempts, timeline.

Every promise the service makes is a row here before anything else happens
(DESIGN.md principle 1). Rows are changed by the actions in ``outreach.cases``,
``outreach.intake`` and ``outreach.jobs``, each of which appends a timeline
``Event`` in the same transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.db import Base, UTCDateTime, utcnow


class District(Base):
    __tablename__ = "districts"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    office_name: Mapped[str] = mapped_column(String(120), default="")
    street: Mapped[str] = mapped_column(String(120), default="")
    postal_code: Mapped[str] = mapped_column(String(4), default="")
    city: Mapped[str] = mapped_column(String(60), default="Oslo")
    opening_hours: Mapped[str] = mapped_column(String(120), default="")
    duty_contact_name: Mapped[str] = mapped_column(String(120), default="")
    duty_contact_phone: Mapped[str] = mapped_column(String(20), default="")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20), default="")
    # Optional: where the staff member's home-visit invitations (.ics) go by
    # email; without it they reach the team's outbox (outreach.reach.visit).
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Comma-separated: caseworker, district_lead, medical_officer,
    # central_intake, admin.
    roles: Mapped[str] = mapped_column(String(200), default="caseworker")
    districts: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Logging out bumps it: a session of an older generation ends (web.sessions).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def role_set(self) -> set[str]:
        return {r for r in self.roles.split(",") if r}

    @property
    def district_set(self) -> set[str]:
        return {d for d in self.districts.split(",") if d}


class ApiToken(Base):
    """Bearer tokens for the JSON API; only a SHA-256 of the token is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # A landlord's token may only send warnings (``/api/v1/landlord``).
    landlord_id: Mapped[int | None] = mapped_column(ForeignKey("landlords.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship()


class Person(Base):
    """A tenant (or, for a forced sale, the defendant).

    The national id is stored encrypted (Fernet) with a keyed HMAC beside it
    for look-ups; ``name_key`` and ``address_key`` are normalised forms used
    by matching when a petition carries only name, birth date and address.
    """

    __tablename__ = "persons"
    __table_args__ = (
        # Close names are looked for among those born the same day at the same door:
        # one index look-up even when thousands share 1 January (intake.matching).
        Index("ix_persons_birth_date_address_key", "birth_date", "address_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    national_id_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    national_id_hmac: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    # The name's parts, written and folded, normalised once when the name is written
    # (``intake.matching.stored_tokens``) so matching never normalises a candidate again.
    name_tokens: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Indexed: the blocking key for close-name matching (outreach.intake.matching).
    birth_date: Mapped[date | None] = mapped_column(Date, index=True)
    street: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(80), default="")
    address_key: Mapped[str] = mapped_column(String(220), default="")
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(20), default="nb")
    sms_opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_invalid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The tenant agreed to get letter copies by email (issue 4); KRR is still asked.
    email_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    protected_address: Mapped[bool] = mapped_column(Boolean, default=False)
    vulnerable: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who recorded each contact field ({"address": "bailiff", ...}; issue 13, item 1):
    # a less trusted source never replaces it (``vocabulary.SOURCE_TRUST``).
    contact_sources: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Data a less trusted sender gave that was not used, by field, for staff to confirm:
    # {"phone": {"value": ..., "source": "landlord", "trigger_id": 7, "at": "..."}}.
    reported: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def shown_address(self) -> tuple[str, str, str] | None:
        """(street, postal code, city) as staff pages and previews may show it; None for
        a protected address (DOMAIN.md: fortrolig / strengt fortrolig – shown nowhere)."""
        if self.protected_address:
            return None
        return (self.street, self.postal_code, self.city)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        # One open case per person (DESIGN.md: intake -> case).
        Index(
            "uq_cases_open_person",
            "person_id",
            unique=True,
            sqlite_where=text("status != 'closed'"),
            postgresql_where=text("status != 'closed'"),
        ),
        Index("ix_cases_district_status", "district_code", "status"),
        Index("ix_cases_opened_at", "opened_at"),
        # The figures count cases closed in a period (outreach.reports.cases).
        Index("ix_cases_closed_at", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    district_code: Mapped[str | None] = mapped_column(ForeignKey("districts.code"))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | paused | closed
    outcome: Mapped[str | None] = mapped_column(String(40))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_repeat: Mapped[bool] = mapped_column(Boolean, default=False)
    # Issue 15: no earlier case at all ("debutant"); staff's "systemsvikt" marker (seeds/004).
    first_timer: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    system_failure: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    system_failure_reason: Mapped[str | None] = mapped_column(String(300))
    system_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    client_status: Mapped[str] = mapped_column(String(10), default="none")
    client_district: Mapped[str | None] = mapped_column(String(6))
    caseworker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    children_ages: Mapped[list[int]] = mapped_column(JSON, default=list)
    # Who recorded the household facts ({"children": "bailiff"}), as ``Person.contact_sources``.
    fact_sources: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    adults: Mapped[int | None] = mapped_column(Integer)
    eviction_date: Mapped[date | None] = mapped_column(Date)
    # Set when the eviction date is too near for the normal ladder (rule 6);
    # the compressed ladder counts from this moment.
    crisis_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The contact ladder: ``round`` counts ladders started on this case; a
    # response ends the current round.
    ladder_round: Mapped[int] = mapped_column(Integer, default=1)
    ladder_state: Mapped[str] = mapped_column(String(16), default="running")
    letter_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    contact_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    needs_match_review: Mapped[bool] = mapped_column(Boolean, default=False)

    person: Mapped[Person] = relationship()
    district: Mapped[District | None] = relationship()
    caseworker: Mapped[User | None] = relationship()

    @property
    def crisis(self) -> bool:
        return self.crisis_since is not None

    triggers: Mapped[list[Trigger]] = relationship(back_populates="case", order_by="Trigger.id")
    steps: Mapped[list[Step]] = relationship(back_populates="case", order_by="Step.id")


class Trigger(Base):
    __tablename__ = "triggers"
    __table_args__ = (
        # "The same trigger sent twice (same kind + source reference) is
        # accepted once" (issue 2) – per sender: two landlords may both use
        # reference "2024-1", and the second must not get the first's case.
        Index(
            "uq_triggers_source_reference",
            "kind",
            "source_key",
            "source_reference",
            unique=True,
            sqlite_where=text("source_reference IS NOT NULL"),
            postgresql_where=text("source_reference IS NOT NULL"),
        ),
        Index("ix_triggers_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source_type: Mapped[str] = mapped_column(String(24))
    source_name: Mapped[str] = mapped_column(String(200), default="")
    source_org_number: Mapped[str | None] = mapped_column(String(9))
    source_reference: Mapped[str | None] = mapped_column(String(120))
    # Who sent it, for scoping the reference: "type:org_number", or
    # "type:name:<name>" when the sender has no org number (intake.accept).
    source_key: Mapped[str] = mapped_column(String(240), default="")
    # Stored already scoped by the caller ("user:3:<key>", "token:7:<key>",
    # "landlord:2:<key>"), so one caller's key never answers for another's.
    idempotency_key: Mapped[str | None] = mapped_column(String(240), unique=True)
    # SHA-256 of the request body sent with the Idempotency-Key: the same key
    # with another body is a conflict (409), not a silent duplicate.
    request_hash: Mapped[str | None] = mapped_column(String(64))
    arrears_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    eviction_date: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    round: Mapped[int] = mapped_column(Integer, default=1)
    match_method: Mapped[str] = mapped_column(String(24), default="new")
    match_confidence: Mapped[float] = mapped_column(Float, default=1.0)
    # None: it counts. "pending": sent by someone not party to the case (another
    # district's caseworker, another landlord), held for staff (issue 13, items 1-2);
    # "confirmed" or "dismissed" once they decided. Only counting notices reach the plan.
    review: Mapped[str | None] = mapped_column(String(12))
    # Issue 15 (vocabulary.PLAINTIFF_TYPES, ...): the outcome's source is "notice" or "staff".
    plaintiff_type: Mapped[str | None] = mapped_column(String(24))
    reason: Mapped[str | None] = mapped_column(String(24))
    petition_outcome: Mapped[str | None] = mapped_column(String(16))
    petition_outcome_source: Mapped[str | None] = mapped_column(String(8))
    petition_outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="triggers")

    # Where the copies go (issue 3, outreach.parties): the sender's postal
    # address, and the landlord or plaintiff the notice names (a petition
    # comes from the bailiff, a forced sale notice from the court).
    source_street: Mapped[str | None] = mapped_column(String(200))
    source_postal_code: Mapped[str | None] = mapped_column(String(4))
    source_city: Mapped[str | None] = mapped_column(String(80))
    counterpart_role: Mapped[str | None] = mapped_column(String(16))
    counterpart_name: Mapped[str | None] = mapped_column(String(200))
    counterpart_org_number: Mapped[str | None] = mapped_column(String(9))
    counterpart_street: Mapped[str | None] = mapped_column(String(200))
    counterpart_postal_code: Mapped[str | None] = mapped_column(String(4))
    counterpart_city: Mapped[str | None] = mapped_column(String(80))


class Step(Base):
    """One planned rung of the ladder: a row with a due time and a status.

    ``key`` makes planning idempotent: a rule fires at most once per key on a
    case (``letter:t<trigger>``, ``sms:r<round>``), enforced by a unique index.
    """

    __tablename__ = "steps"
    __table_args__ = (
        UniqueConstraint("case_id", "key"),
        Index("ix_steps_status_due", "status", "due_at"),
        # The figures' letters: the plan's "letter" steps, done or not (reports.compliance).
        Index("ix_steps_rule_status", "rule", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    trigger_id: Mapped[int | None] = mapped_column(ForeignKey("triggers.id"))
    rule: Mapped[str] = mapped_column(String(48))
    key: Mapped[str] = mapped_column(String(80))
    channel: Mapped[str] = mapped_column(String(24))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    tries: Mapped[int] = mapped_column(Integer, default=0)
    job_generation: Mapped[int] = mapped_column(Integer, default=0)
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    detail: Mapped[str] = mapped_column(Text, default="")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="steps")
    attempts: Mapped[list[Attempt]] = relationship(back_populates="step", order_by="Attempt.try_no")


class Attempt(Base):
    """Every try to reach someone, written before the provider is called."""

    __tablename__ = "attempts"
    __table_args__ = (UniqueConstraint("step_id", "try_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("steps.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    try_no: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(24))
    recipient: Mapped[str] = mapped_column(String(254), default="")
    language: Mapped[str] = mapped_column(String(20), default="nb")
    content: Mapped[str] = mapped_column(Text, default="")
    provider_ref: Mapped[str | None] = mapped_column(String(120), index=True)
    status: Mapped[str] = mapped_column(String(16), default="sending")
    segments: Mapped[int | None] = mapped_column(Integer)
    error_code: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    step: Mapped[Step] = relationship(back_populates="attempts")

    @property
    def idempotency_key(self) -> str:
        return f"attempt-{self.id}"


class AttemptStatus(Base):
    """Status history of an attempt; provider events are deduplicated by id."""

    __tablename__ = "attempt_statuses"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    provider_event_id: Mapped[str | None] = mapped_column(String(120), unique=True)
    detail: Mapped[str] = mapped_column(Text, default="")


class Event(Base):
    """The case timeline: append-only."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_case_at", "case_id", "at"),
        # The figures' first contact and unreachable cases: one kind, by case (reports.reach).
        Index("ix_events_kind_case", "kind", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str | None] = mapped_column(String(24))
    actor: Mapped[str | None] = mapped_column(String(120))
    step_id: Mapped[int | None] = mapped_column(ForeignKey("steps.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Task(Base):
    """Work for a person: a phone call, a home visit, an assessment, a review."""

    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    step_id: Mapped[int | None] = mapped_column(ForeignKey("steps.id"))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assignee_role: Mapped[str] = mapped_column(String(40), default="caseworker")
    district_code: Mapped[str | None] = mapped_column(String(6))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="open")
    outcome: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    # The number to call when it is not the person's: the one the tenant typed on
    # the booking page (kept off the person: a code holder must not change it).
    call_number: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Flag(Base):
    """A question for a named person, never an automatic report (principle 5)."""

    __tablename__ = "flags"
    __table_args__ = (
        UniqueConstraint("case_id", "kind", "round"),
        Index("ix_flags_raised_at", "raised_at"),  # flags by the period raised (reports)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    round: Mapped[int] = mapped_column(Integer, default=1)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | escalated | decided
    decision: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MatchReview(Base):
    """A doubtful person match, kept apart for staff instead of merged wrongly."""

    __tablename__ = "match_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    trigger_id: Mapped[int] = mapped_column(ForeignKey("triggers.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    candidate_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    confidence: Mapped[float] = mapped_column(Float)
    reasons: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PrintBatch(Base):
    """A district's letters for one posting: rendered as one PDF, posted by staff.

    Rendering many letters as one document is what makes letters cheap
    (TECH-NOTES: font subsetting dominates a one-letter document), and the
    posting time is the "letter sent" time that starts the one-week clock.
    """

    __tablename__ = "print_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_code: Mapped[str | None] = mapped_column(String(6))
    # open -> rendering -> rendered -> posted
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    posted_by: Mapped[str | None] = mapped_column(String(120))
    pdf_path: Mapped[str | None] = mapped_column(String(400))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    page_count: Mapped[int | None] = mapped_column(Integer)


class PrintItem(Base):
    """One letter in a print batch; its own PDF is cut from the batch."""

    __tablename__ = "print_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("print_batches.id"), index=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), unique=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("steps.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    audience: Mapped[str] = mapped_column(String(24))
    language: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    page_from: Mapped[int | None] = mapped_column(Integer)
    page_to: Mapped[int | None] = mapped_column(Integer)
    pdf_path: Mapped[str | None] = mapped_column(String(400))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))


# Tables owned by the other modules of this package, imported so Alembic and the tests see them.
from outreach.models import booking, inbound, landlord, landlord_lists  # noqa: E402, F401, I001
from outreach.models import sms, staff, statistics, visits  # noqa: E402, F401
