"""The case page itself and what every action on it shares.

``render_case`` builds the page (also with a failed action's forms and status
400), ``visible_case`` loads a case the signed-in user may see (else 404),
``action_done``/``action_failed`` end an action, and ``action_message`` says the
core's English messages in Norwegian. Opening the page, or a page or file with
the case's personal data (``log_page``), is written to the access log.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.cases import caseworker as cases_caseworker
from outreach.cases import followups
from outreach.cases.flags import FLAG_DECISIONS, THRESHOLD_TEXT
from outreach.cases.tasks import outcomes_for_kind
from outreach.models import Case, Flag, Task, Trigger, User
from outreach.models.staff import CaseDocument, FollowUpItem
from outreach.models.visits import HomeVisit
from outreach.permissions import Action, may
from outreach.staff import access_log
from outreach.staff.queries import age_on
from outreach.vocabulary import COUNTING
from outreach.web.context import db_session, rt
from outreach.web.forms import options
from outreach.web.i18n import OSLO, format_phone
from outreach.web.staff import bp, labels
from outreach.web.staff.auth import acting_user, allowed, principal
from outreach.web.staff.forms import (
    CaseworkerForm,
    CloseForm,
    ContactDetailsForm,
    ContactForm,
    DocumentForm,
    FlagDecisionForm,
    FollowUpForm,
    ForwardForm,
    NoteForm,
    NoticeMappingForm,
    PauseForm,
    ReopenForm,
    SystemFailureForm,
    TaskOutcomeForm,
)
from outreach.web.staff.next_steps import what_happens_next
from outreach.web.staff.timeline_view import (
    district_name,
    district_staff,
    open_tasks,
    timeline,
)

# The core's English messages (outreach.cases, outreach.cases.flags, actions) on the page.
_ACTION_MESSAGES = {
    "The case is closed.": _l("Saken er avsluttet."),
    "The case is already closed.": _l("Saken er allerede avsluttet."),
    "Give a reason.": _l("Skriv en begrunnelse."),
    "Not one of Oslo's 15 district codes.": _l("Velg en av Oslos 15 bydeler."),
    "The flag is already decided.": _l("Vurderingen er allerede besluttet."),
    "Write the reason for the decision (at least 10 characters).": _l(
        "Skriv begrunnelsen (minst 10 tegn)."
    ),
    "The task is no longer open.": _l("Oppgaven er ikke lenger åpen."),
    "Only an open case can be paused.": _l("Bare en åpen sak kan settes på pause."),
    "Write why the ladder is paused.": _l("Skriv hvorfor stigen settes på pause."),
    "The ladder is not paused.": _l("Stigen er ikke på pause."),
    "Write the note.": _l("Skriv notatet."),
    "Unknown follow-up measure.": _l("Ukjent tiltak."),
    "Only follow-up after help on a closed case.": _l(
        "Saken er avsluttet: bare oppfølging etter hjelp kan legges til."
    ),
    "Already done.": _l("Allerede utført."),
    "Not a caseworker in the case's district.": _l("Ikke saksbehandler i sakens bydel."),
    "Already the case's caseworker.": _l("Er allerede saksbehandler for saken."),
    "Only a closed case can be reopened.": _l("Bare en avsluttet sak kan åpnes igjen."),
    "A merged case lives on in the case it was merged into.": _l(
        "Saken er slått sammen med en annen sak og fortsetter der."
    ),
    "Write why the case is reopened.": _l("Skriv hvorfor saken åpnes igjen."),
    "The person has another open case.": _l("Personen har en annen åpen sak."),
    "Write the street and a four-digit postal code.": _l(
        "Skriv gateadressen og et postnummer med fire sifre."
    ),
    "Not a phone number.": _l("Ikke et gyldig telefonnummer."),
    "Not a language.": _l("Velg et språk."),
    "Give a short reason (3–300 characters).": _l("Skriv en kort begrunnelse (3–300 tegn)."),
    "Only a petition or a scheduled eviction has an outcome.": _l(
        "Bare en begjæring eller en berammet utkastelse har et utfall."
    ),
    "The notice belongs to another case.": _l("Meldingen hører til en annen sak."),
}


def action_message(exc: Exception) -> str:
    text = str(exc)
    if text in _ACTION_MESSAGES:
        return str(_ACTION_MESSAGES[text])
    if text.startswith("Must be one of"):
        return _("Velg et av alternativene.")
    return text


def visible_case(case_id: int) -> Case:
    """The case to read (GET) or act on (any other method); 404 either way keeps it hidden.

    The caseworker who registered an unrouted case reads it, central intake acts on it.
    """
    case = db_session().get(Case, case_id)
    reading = request.method in {"GET", "HEAD"}
    if case is None or not (principal().can_see if reading else principal().can_act)(case):
        abort(404)
    return case


def case_url(case: Case) -> str:
    """The case page after an action (the access log says "action")."""
    return url_for("staff.case", case_id=case.id, via="action")


def outcomes_for(task: Task) -> tuple[str, ...]:
    """The outcomes a task of this kind can record."""
    return outcomes_for_kind(task.kind)


# Several forms share field names ("note", "reason"); a prefix per form keeps
# every id on the case page unique, so each label names its own field (WCAG
# 1.3.1). The CSRF token is one plain hidden input per form, checked for the
# whole blueprint in ``auth._check_csrf``.
_PREFIXES = {
    ContactForm: "contact",
    NoteForm: "note",
    ForwardForm: "forward",
    PauseForm: "pause",
    CloseForm: "close",
    FollowUpForm: "followup",
    CaseworkerForm: "caseworker",
    DocumentForm: "document",
    ContactDetailsForm: "details",
    ReopenForm: "reopen",
    NoticeMappingForm: "mapping",
    SystemFailureForm: "failure",
}


def case_form(cls: Any, *, blank: bool = False) -> Any:
    """One of the case page's forms, prefixed; ``blank`` ignores the request's data."""
    extra: dict[str, Any] = {"formdata": None} if blank else {}
    return cls(prefix=_PREFIXES[cls], meta={"csrf": False}, **extra)


def case_caseworkers(session: Session, case: Case) -> list[User]:
    """Who can be the case's caseworker: active caseworkers and leads of its district."""
    if case.district_code is None:
        return []
    return [
        u
        for u in district_staff(session, case.district_code)
        if case.district_code in u.district_set
        and u.role_set & set(cases_caseworker.CASEWORKER_ROLES)
    ]


def _forms(session: Session, case: Case, **given: Any) -> dict[str, Any]:
    forms: dict[str, Any] = {
        "contact_form": given.get("contact_form") or case_form(ContactForm, blank=True),
        "note_form": given.get("note_form") or case_form(NoteForm, blank=True),
        "forward_form": given.get("forward_form") or case_form(ForwardForm, blank=True),
        "pause_form": given.get("pause_form") or case_form(PauseForm, blank=True),
        "close_form": given.get("close_form") or case_form(CloseForm, blank=True),
        "followup_form": given.get("followup_form") or case_form(FollowUpForm, blank=True),
        "caseworker_form": given.get("caseworker_form") or case_form(CaseworkerForm, blank=True),
        "document_form": given.get("document_form") or case_form(DocumentForm, blank=True),
        "details_form": given.get("details_form") or _details_form(case),
        "reopen_form": given.get("reopen_form") or case_form(ReopenForm, blank=True),
        "failure_form": given.get("failure_form") or _failure_form(case),
        "mapping_forms": _mapping_forms(session, case, given.get("mapping_form")),
    }
    forms["caseworker_form"].fill_choices(
        [(str(u.id), u.display_name) for u in case_caseworkers(session, case)]
    )
    forms["contact_form"].fill_choices()
    forms["forward_form"].fill_choices()
    forms["close_form"].fill_choices()
    forms["details_form"].fill_choices()
    owners = [(str(u.id), u.display_name) for u in district_staff(session, case.district_code)]
    forms["followup_form"].fill_choices(owners, followups.kinds_for(case))
    if not forms["followup_form"].owner.data:
        forms["followup_form"].owner.data = str(acting_user().id)
    return forms


def _failure_form(case: Case) -> Any:
    form = case_form(SystemFailureForm, blank=True)
    form.reason.data = case.system_failure_reason or ""
    return form


def _mapping_forms(session: Session, case: Case, failed: Any) -> dict[int, Any]:
    """A mapping form per notice that counts, filled with what is recorded. They share
    the field names (one handler reads them); each gets its own ids on the page."""
    forms: dict[int, Any] = {}
    notices = session.scalars(
        select(Trigger).where(Trigger.case_id == case.id).order_by(Trigger.id.desc())
    )
    for notice in notices:
        if notice.review not in COUNTING:
            continue
        if failed is not None and failed.trigger_id.data == str(notice.id):
            form = failed
        else:
            form = case_form(NoticeMappingForm, blank=True)
            form.trigger_id.data = str(notice.id)
            form.plaintiff_type.data = notice.plaintiff_type or ""
            form.reason.data = notice.reason or ""
            form.petition_outcome.data = notice.petition_outcome or ""
        form.fill_choices()
        for fld in form:
            fld.id = f"mapping-{notice.id}-{fld.short_name}"
        forms[notice.id] = form
    return forms


def _details_form(case: Case) -> Any:
    """The correction form, filled with what is on the person now."""
    person = case.person
    form = case_form(ContactDetailsForm, blank=True)
    # A protected address is shown nowhere, not even in a form (Person.shown_address):
    # left blank, the correction keeps it (cases.contact_details).
    street, postal_code, city = person.shown_address or ("", "", "")
    form.street.data, form.postal_code.data, form.city.data = street, postal_code, city
    form.phone.data = format_phone(person.phone)
    form.language.data = person.language
    return form


def render_case(
    case: Case,
    status: int = 200,
    *,
    flag_forms: dict[int, Any] | None = None,
    task_forms: dict[int, Any] | None = None,
    **given: Any,
) -> Any:
    session = db_session()
    now = rt().now()
    person = case.person
    flags = list(
        session.scalars(select(Flag).where(Flag.case_id == case.id).order_by(Flag.raised_at.desc()))
    )
    open_flags = [f for f in flags if f.status != "decided"]
    flag_forms = dict(flag_forms or {})
    for flag in open_flags:
        form = flag_forms.get(flag.id) or FlagDecisionForm(
            formdata=None, prefix=f"flag{flag.id}", meta={"csrf": False}
        )
        form.decision.choices = options(
            [("", _("– velg –"))]
            + [
                (d, labels.label(labels.FLAG_DECISIONS, d))
                for d in FLAG_DECISIONS.get(flag.kind, ())
            ]
        )
        flag_forms[flag.id] = form
    tasks = open_tasks(session, case)
    task_forms = dict(task_forms or {})
    for task in tasks:
        form = task_forms.get(task.id) or TaskOutcomeForm(
            formdata=None, prefix=f"task{task.id}", meta={"csrf": False}
        )
        form.outcome.choices = options(
            [("", _("– velg –"))]
            + [(o, labels.label(labels.TASK_OUTCOMES, o)) for o in outcomes_for(task)]
        )
        task_forms[task.id] = form
    triggers = list(
        session.scalars(
            select(Trigger).where(Trigger.case_id == case.id).order_by(Trigger.id.desc())
        )
    )
    documents = list(session.scalars(select(CaseDocument).where(CaseDocument.case_id == case.id)))
    followups = list(
        session.scalars(
            select(FollowUpItem)
            .where(FollowUpItem.case_id == case.id)
            .order_by(FollowUpItem.due_on)
        )
    )
    users = {u.id: u for u in session.scalars(select(User))}
    today = now.astimezone(OSLO).date()
    # Each home-visit task's visit page (move, cancel, .ics), linked from the task.
    visit_ids = {
        task_id: visit_id
        for task_id, visit_id in session.execute(
            select(HomeVisit.task_id, HomeVisit.id).where(HomeVisit.case_id == case.id)
        )
    }
    return render_template(
        "staff/case.html",
        case=case,
        # The registrant of an unrouted case reads it; only its handlers act on it.
        may_act=principal().can_act(case),
        person=person,
        age=age_on(person.birth_date, today),
        district_name=district_name,
        triggers=triggers,
        # The newest notice that counts: a held one (intake.trust) is no fact yet.
        latest=next((t for t in triggers if t.review in COUNTING), None),
        documents=documents,
        next_steps=what_happens_next(session, case, rt().policy),
        entries=timeline(session, case),
        open_flags=open_flags,
        flag_forms=flag_forms,
        threshold={kind: labels.threshold(kind) for kind in THRESHOLD_TEXT},
        tasks=tasks,
        task_forms=task_forms,
        visit_ids=visit_ids,
        followups=followups,
        users=users,
        labels=labels,
        today=today,
        can_take=can_take(case),
        can_assign=can_assign(case),
        page_errors=status >= 400,
        **_forms(session, case, **given),
    ), status


def can_take(case: Case) -> bool:
    """«Ta saken» is offered: an open case in one of my districts, not mine yet."""
    me = acting_user()
    return (
        case.status != "closed"
        and case.caseworker_id != me.id
        and case.district_code in me.district_set
        and bool(me.role_set & set(cases_caseworker.CASEWORKER_ROLES))
    )


def can_assign(case: Case) -> bool:
    """«Tildel saksbehandler» is offered: the lead of the case's district (the table)."""
    me = acting_user()
    return (
        case.status != "closed"
        and case.district_code in me.district_set
        and may(me.role_set, Action.ASSIGN_CASEWORKER)
    )


@bp.get("/saker/<int:case_id>")
@allowed(Action.READ_CASE)
def case(case_id: int) -> Any:
    case = visible_case(case_id)
    session = db_session()
    access_log.log_view(session, acting_user(), case, request.args.get("via", "link"), rt().now())
    session.commit()
    return render_case(case)


def action_done(message: str, case: Case) -> Any:
    """Commit the action and go back to the case page with ``message``."""
    db_session().commit()
    flash(message, "success")
    return redirect(case_url(case))


def action_failed(case: Case, exc: Exception, form: Any, field: str, key: str) -> Any:
    """Roll back; the case page (400) shows the error on the form's field, or flashed."""
    db_session().rollback()
    target = getattr(form, field, None) if field != "_schema" else None
    message = action_message(exc)
    if target is not None:
        target.errors = [*list(target.errors or []), message]
    else:
        flash(message, "error")
    return render_case(case, 400, **{key: form})


@bp.get(
    "/saker/<int:case_id>/<any(kontakt, notat, videresend, ta, saksbehandler, pause, fortsett,"
    " avslutt, oppfolging, dokument, 'kopi-utleier', kontaktopplysninger, gjenapne,"
    " kartlegging, systemsvikt):action>"
)
@allowed(Action.READ_CASE)
def case_action_url(case_id: int, action: str) -> Any:
    """An action's URL opened or reloaded as a page: go to the case (review, point 9).

    A failed action renders the case page with its errors at the action's URL
    (status 400, nothing written). We render rather than redirect-after-post
    because a redirect would have to keep what was typed (notes about the tenant)
    in the session cookie; a reload re-posts the same invalid form and fails the
    same way, and opening the address later lands here instead of a 405.
    """
    visible_case(case_id)  # another district's case: 404, like the page itself
    return redirect(url_for("staff.case", case_id=case_id))


def log_page(case: Case, page: str) -> None:
    """Opening a page with the case's personal data is logged like opening the case."""
    session = db_session()
    access_log.log_view(session, acting_user(), case, page, rt().now())
    session.commit()
