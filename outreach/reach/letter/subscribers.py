"""The letter's part of what the case and ladder announce (``outreach.hooks``).

A cancelled letter still waiting in a print batch is withdrawn from it. A
tenant letter that will not go takes its copies with it: a copy to the
bailiff or the plaintiff tells them NAV has written to the tenant (seeds/000:
«Kopi sendes til namsfogden»), which is untrue once the letter itself is
withdrawn (issue 12, item 9). A forwarded case's waiting letters join the new
district's batch. Subscribed once, at start-up, by ``outreach.wiring``.
"""

from __future__ import annotations

from sqlalchemy import select

from outreach.hooks import CaseForwarded, Hooks, StepCancelled
from outreach.ladder import steps as ladder_steps
from outreach.models import Step
from outreach.reach.letter.batches import withdraw
from outreach.reach.letter.moves import move_case_letters
from outreach.runtime import Runtime
from outreach.vocabulary import STEP_OPEN


def withdraw_if_waiting(event: StepCancelled) -> None:
    """A cancelled letter still in a print batch must not go out."""
    if event.was == "waiting":
        withdraw(event.session, event.step, event.now, event.reason)


def copies_follow_the_tenant_letter(event: StepCancelled) -> None:
    """The trigger's copies still to go are cancelled with the tenant letter they copy.

    For the same reason as the letter (a response, a pause, a close), with the
    letter's step id on the event: a pause that brings the letter back brings
    its copies back too (``cases.pause`` revives every step it cancelled).
    """
    step, rt = event.step, event.rt
    if not _is_tenant_letter(rt, step):
        return
    if step.trigger_id is None:
        return
    others = event.session.scalars(
        select(Step)
        .where(
            Step.case_id == step.case_id,
            Step.trigger_id == step.trigger_id,
            Step.id != step.id,
        )
        .order_by(Step.id)
    ).all()
    if any(_is_tenant_letter(rt, s) and s.status == "done" for s in others):
        return  # a letter of this notice went out (a resend was cancelled): its copies stand
    for copy in others:
        if copy.status not in STEP_OPEN:
            continue
        copy_rule = rt.policy.by_name.get(copy.rule)
        if copy_rule is None or copy_rule.channel != "letter" or copy_rule.audience == "tenant":
            continue
        ladder_steps.cancel_step(
            event.session, rt, event.case, copy, event.now, event.reason, tenant_letter=step.id
        )


def _is_tenant_letter(rt: Runtime, step: Step) -> bool:
    rule = rt.policy.by_name.get(step.rule)
    return rule is not None and rule.channel == "letter" and rule.audience == "tenant"


def move_forwarded_letters(event: CaseForwarded) -> None:
    move_case_letters(event.session, event.case, event.now, actor=event.actor)


def subscribe(hooks: Hooks) -> None:
    hooks.subscribe(StepCancelled, withdraw_if_waiting)
    hooks.subscribe(StepCancelled, copies_follow_the_tenant_letter)
    hooks.subscribe(CaseForwarded, move_forwarded_letters)
