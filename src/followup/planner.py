"""Interview + playbook + what the user did → the planned items. Pure: no clock, no I/O."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from followup.model import (
    CANCELLED,
    COMPLETED,
    NEEDS_ACTION,
    Contact,
    Interview,
    ItemState,
    Outcome,
    PlannedItem,
    Status,
)
from followup.playbook import ALSO_CANCELS, DEFAULT_PLAYBOOK, PROOFREAD, Step, When
from followup.schedule import BusinessDays, add_elapsed, at_wall_time

DEADLINE_ALARM_TIME = dt.time(9, 0)


@dataclass
class _Context:
    interview: Interview
    states: Mapping[str, ItemState]
    days: BusinessDays
    outcome_times: dict[str, dt.datetime]
    due: dict[str, dt.datetime] = field(default_factory=dict)  # by key, for anchors


def item_key(step: Step, contact: Contact | None) -> str:
    return f"{step.id}-{contact.key}" if contact is not None else step.id


def plan(
    interview: Interview,
    *,
    states: Mapping[str, ItemState] | None = None,
    outcomes: Sequence[Outcome] = (),
    days: BusinessDays | None = None,
    playbook: Sequence[Step] = DEFAULT_PLAYBOOK,
) -> list[PlannedItem]:
    """Every item of the interview's follow-up, soonest first.

    `states` holds, by item key, what the user did (completions, snoozes, pinned times of
    closed items); `outcomes` the employer's answers in the order they were recorded.
    """
    ctx = _Context(
        interview=interview,
        states=states or {},
        days=days or BusinessDays(),
        outcome_times={},
    )
    for outcome in outcomes:
        ctx.outcome_times.setdefault(outcome.kind, outcome.recorded.astimezone(interview.start.tzinfo))
    items: list[PlannedItem] = []
    for step in playbook:
        if step.outcome is not None and step.outcome not in ctx.outcome_times:
            continue
        if step.per_interviewer and interview.contacts:
            for contact in interview.contacts:
                items.append(_plan_step(ctx, step, contact, outcomes))
        else:
            items.append(_plan_step(ctx, step, None, outcomes))
    items.sort(key=lambda item: (item.sort_time, _order(playbook, item.step), item.key))
    return items


def _order(playbook: Sequence[Step], step_id: str) -> int:
    return next(i for i, step in enumerate(playbook) if step.id == step_id)


def _plan_step(
    ctx: _Context, step: Step, contact: Contact | None, outcomes: Sequence[Outcome]
) -> PlannedItem:
    interview = ctx.interview
    key = item_key(step, contact)
    state = ctx.states.get(key, ItemState())
    status = _status(step, state, interview, outcomes)
    fields = {
        "company": interview.company,
        "role": interview.role,
        "contact": (contact.name or contact.email) if contact else "the hiring team",
    }
    title = step.title
    when = step.when
    if step.id == "formal-note" and interview.note == "handwritten" and step.handwritten:
        title, when = "Write a handwritten note to {contact}", step.handwritten
    summary = title.format(**fields)
    if step.id == "response-deadline" and interview.deadline_assumed:
        summary += " (assumed)"
    contacts = (contact,) if contact else interview.contacts
    common = dict(
        key=key,
        step=step.id,
        kind=step.kind,
        summary=summary,
        description=_description(step, interview, contacts),
        status=status,
        tz=interview.tz,
        completed=state.completed if status == COMPLETED else None,
        contacts=tuple(c.display for c in contacts),
        email=step.email,
    )
    if step.id == "interview":
        return PlannedItem(
            **common,
            start=interview.start,
            end=interview.end,
            alarm=add_elapsed(interview.start, -step.alarm_before),
            location=interview.location,
        )
    if step.when.anchor == "deadline" and step.kind == "event":
        day = interview.effective_deadline
        return PlannedItem(
            **common,
            start=day,
            end=day + dt.timedelta(days=1),
            alarm=at_wall_time(day, DEADLINE_ALARM_TIME, interview.tz),
        )

    planned = _resolve(ctx, when, step)
    due, overridden = planned, False
    if state.override is not None:
        due, overridden = state.override.astimezone(planned.tzinfo), True
    if state.pinned_due is not None and status != NEEDS_ACTION:
        due = state.pinned_due.astimezone(planned.tzinfo)  # closed items never move
    ctx.due[key] = due
    if step.alarm_after_anchor is not None:
        anchor = _anchor_moment(ctx, step.when, planned_only=True)
        assert isinstance(anchor, dt.datetime)
        alarm = add_elapsed(anchor, step.alarm_after_anchor)
        alarm = add_elapsed(alarm, due - planned)  # a snoozed item's alarm moves with it
    else:
        alarm = add_elapsed(due, -step.alarm_before)
    return PlannedItem(
        **common,
        start=due if step.slot else None,
        due=due,
        end=add_elapsed(due, step.slot) if step.slot else None,
        alarm=alarm,
        overridden=overridden,
    )


def _anchor_moment(ctx: _Context, when: When, planned_only: bool = False) -> dt.datetime | dt.date:
    interview = ctx.interview
    if when.anchor == "start":
        return interview.start
    if when.anchor == "end":
        return interview.end
    if when.anchor == "deadline":
        return interview.effective_deadline
    moment = ctx.due[when.anchor]
    done = ctx.states.get(when.anchor, ItemState()).completed
    if done is not None and not planned_only:
        done = done.astimezone(interview.start.tzinfo)
        if when.follow_completion == "always" or (
            when.follow_completion == "later" and done > moment
        ):
            return done
    return moment


def _resolve(ctx: _Context, when: When, step: Step) -> dt.datetime:
    if when.anchor == "outcome":
        assert step.outcome is not None
        anchor: dt.datetime | dt.date = ctx.outcome_times[step.outcome]
    else:
        anchor = _anchor_moment(ctx, when)
    if when.after is not None:
        assert isinstance(anchor, dt.datetime)
        return add_elapsed(anchor, when.after)
    day = anchor.date() if isinstance(anchor, dt.datetime) else anchor
    day += dt.timedelta(days=when.days)
    if when.business_days:
        day = ctx.days.shift(day, when.business_days)
    if when.next_business_day:
        day = ctx.days.next_or_same(day)
    assert when.at is not None
    return at_wall_time(day, when.at, ctx.interview.tz)


def _status(
    step: Step, state: ItemState, interview: Interview, outcomes: Sequence[Outcome]
) -> Status:
    if step.kind == "task" and state.completed is not None:
        return COMPLETED
    if state.dismissed:
        return CANCELLED
    for outcome in outcomes:
        if step.outcome == outcome.kind:
            continue  # the item this outcome added
        if step.kind == "event" and step.id == "interview":
            if outcome.kind == "withdrawn" and interview.start > outcome.recorded:
                return CANCELLED
            continue
        if step.chase or step.id in ALSO_CANCELS.get(outcome.kind, ()):
            if step.outcome is None or outcome.recorded >= _recorded(outcomes, step.outcome):
                return CANCELLED
    return NEEDS_ACTION


def _recorded(outcomes: Sequence[Outcome], kind: str) -> dt.datetime:
    return next(o.recorded for o in outcomes if o.kind == kind)


def _description(step: Step, interview: Interview, contacts: Sequence[Contact]) -> str:
    when = interview.start.strftime("%A %-d %B %Y, %H:%M")
    parts = [step.purpose, f"Interview: {interview.role} at {interview.company}, {when} ({interview.tz})."]
    if interview.location:
        parts.append(f"Location: {interview.location}")
    if contacts:
        parts.append("Contacts:\n" + "\n".join(f"- {c.display}" for c in contacts))
    if step.id in ("response-deadline", "status-email") and interview.deadline_assumed:
        parts.append("The decision date is assumed (a week after the interview): none was given.")
    if step.email:
        parts.append(PROOFREAD)
    return "\n\n".join(parts)
