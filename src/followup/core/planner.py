"""Interview + playbook + what the user did → the planned items. Pure: no clock, no I/O."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from followup.core.model import (
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
from followup.core.playbook import (
    ALSO_CANCELS,
    DEFAULT_PLAYBOOK,
    PROOFREAD,
    Step,
    When,
    title,
    title_word,
)
from followup.core.schedule import (
    BusinessDays,
    Busy,
    add_elapsed,
    at_wall_time,
    free_slot,
    overlapping,
)

DEADLINE_ALARM_TIME = dt.time(9, 0)
SEARCH_DAYS = 10  # business days a time-boxed step may move to find a free slot


@dataclass
class _Context:
    interview: Interview
    states: Mapping[str, ItemState]
    days: BusinessDays
    busy: Sequence[Busy]
    outcomes: Sequence[Outcome]
    language: str = "en"
    outcome_times: dict[str, dt.datetime] = field(default_factory=dict)
    due: dict[str, dt.datetime] = field(default_factory=dict)  # by key, for anchors

    @property
    def contacts(self) -> tuple[Contact, ...]:
        return self.interview.interviewers

    @property
    def contact_tz(self) -> str:
        """The zone calls are placed in: the decision contact's when known, else the first
        interviewer's whose zone is known."""
        lead = self.interview.decision_contact
        if lead is not None and lead.tz:
            return lead.tz
        return next((c.tz for c in self.contacts if c.tz), self.interview.tz)


def item_key(step: Step, contact: Contact | None) -> str:
    return f"{step.id}-{contact.key}" if contact is not None else step.id


def plan(
    interview: Interview,
    *,
    states: Mapping[str, ItemState] | None = None,
    outcomes: Sequence[Outcome] = (),
    days: BusinessDays | None = None,
    busy: Sequence[Busy] = (),
    playbook: Sequence[Step] = DEFAULT_PLAYBOOK,
    language: str = "en",
) -> list[PlannedItem]:
    """Every item of the interview's follow-up, soonest first.

    `states` holds, by item key, what the user did (completions, snoozes, pinned times of
    closed items); `outcomes` the employer's answers in the order they were recorded;
    `busy` the times the user's own calendars are taken; `language` that of the titles.
    """
    ctx = _Context(interview, states or {}, days or BusinessDays(), busy, outcomes, language)
    for outcome in outcomes:
        ctx.outcome_times.setdefault(outcome.kind, outcome.recorded.astimezone(interview.start.tzinfo))
    items: list[PlannedItem] = []
    for step in playbook:
        if step.outcome is not None and step.outcome not in ctx.outcome_times:
            continue
        if not step.per_interviewer:
            items.append(_plan_step(ctx, step, None))
            continue
        # Removed interviewers keep their (cancelled) note, and the note to "the hiring
        # team" planned before any interviewer was known stays cancelled once one is.
        for contact in interview.contacts:
            if contact.interviewer:
                items.append(_plan_step(ctx, step, contact, retired=contact.removed))
        if not ctx.contacts or step.id in ctx.states:
            items.append(_plan_step(ctx, step, None, retired=bool(ctx.contacts)))
    items.sort(key=lambda item: (item.sort_time, _order(playbook, item.step), item.key))
    return items


def _order(playbook: Sequence[Step], step_id: str) -> int:
    return next(i for i, step in enumerate(playbook) if step.id == step_id)


def _plan_step(ctx: _Context, step: Step, contact: Contact | None, retired: bool = False) -> PlannedItem:
    interview = ctx.interview
    key = item_key(step, contact)
    state = ctx.states.get(key, ItemState())
    status = _status(step, state, interview, ctx.outcomes, retired)
    handwritten = step.id == "formal-note" and interview.note == "handwritten" and step.handwritten
    when = step.handwritten if handwritten and step.handwritten else step.when
    summary = title(step, ctx.language, bool(handwritten)).format(
        company=interview.company,
        role=interview.role,
        contact=(contact.full_name or contact.email) if contact else title_word("team", ctx.language),
    )
    tags = ([title_word("round", ctx.language).format(n=interview.round)]
            if interview.round > 1 else [])
    if step.id == "response-deadline" and interview.deadline_assumed:
        tags.append(title_word("assumed", ctx.language).strip("()"))
    if tags:  # "Write interview notes (Acme, round 2)", not "(Acme) (round 2)"
        summary = (f"{summary[:-1]}, {', '.join(tags)})" if summary.endswith(")")
                   else f"{summary} ({', '.join(tags)})")
    if contact is not None:
        contacts: tuple[Contact, ...] = (contact,)
    elif step.chase or step.outcome is not None:  # what the decision contact hears about
        lead = interview.decision_contact
        contacts = (lead,) if lead is not None else ()
    else:
        contacts = ctx.contacts
    base = PlannedItem(
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
        return replace(
            base,
            start=interview.start,
            end=interview.end,
            alarm=add_elapsed(interview.start, -step.alarm_before),
            location=interview.location,
        )
    if step.when.anchor == "deadline" and step.kind == "event":
        day = interview.effective_deadline
        return replace(
            base,
            start=day,
            end=day + dt.timedelta(days=1),
            alarm=at_wall_time(day, DEADLINE_ALARM_TIME, interview.tz),
        )

    planned = _resolve(ctx, when, step)
    due, overridden, notes = planned, False, tuple[str, ...]()
    if state.override is not None:
        due, overridden = state.override.astimezone(planned.tzinfo), True
    elif ctx.busy and (step.slot or step.box) and status == NEEDS_ACTION:
        due, notes = _fit(ctx, step, planned)
    if state.pinned_due is not None and status != NEEDS_ACTION:
        due = state.pinned_due.astimezone(planned.tzinfo)  # closed items never move
    ctx.due[key] = due
    if step.alarm_after_anchor is not None:
        anchor = _anchor_moment(ctx, step.when, planned_only=True)
        assert isinstance(anchor, dt.datetime)
        alarm = add_elapsed(add_elapsed(anchor, step.alarm_after_anchor), due - planned)
    else:
        alarm = add_elapsed(due, -step.alarm_before)
    return replace(
        base,
        tz=str(planned.tzinfo),
        start=due if step.slot else None,
        due=due,
        end=add_elapsed(due, step.slot) if step.slot else None,
        alarm=alarm,
        overridden=overridden,
        notes=notes,
    )


def _anchor_moment(ctx: _Context, when: When, planned_only: bool = False) -> dt.datetime | dt.date:
    interview = ctx.interview
    if when.anchor == "start":
        return interview.start
    if when.anchor == "end":
        return interview.end
    if when.anchor == "deadline":
        return interview.effective_deadline
    if when.anchor == "outcome":
        raise ValueError("an outcome step is anchored on its own outcome")
    moment = ctx.due[when.anchor]
    done = ctx.states.get(when.anchor, ItemState()).completed
    if done is not None and not planned_only:
        done = done.astimezone(moment.tzinfo)
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
    tz = ctx.contact_tz if when.zone == "contact" else ctx.interview.tz
    if isinstance(anchor, dt.datetime):
        from zoneinfo import ZoneInfo

        anchor = anchor.astimezone(ZoneInfo(tz)).date()
    day = anchor + dt.timedelta(days=when.days)
    if when.business_days:
        day = ctx.days.shift(day, when.business_days)
    if when.next_business_day:
        day = ctx.days.next_or_same(day)
    assert when.at is not None
    return at_wall_time(day, when.at, tz)


def _fit(ctx: _Context, step: Step, planned: dt.datetime) -> tuple[dt.datetime, tuple[str, ...]]:
    """Move a time-boxed step off the user's busy times; say why it moved."""
    length = step.slot or step.box
    assert length is not None
    blocker = overlapping(planned, add_elapsed(planned, length), ctx.busy)
    if blocker is None:
        return planned, ()
    tz = str(planned.tzinfo)
    day, first = planned.date(), planned.time()
    for _ in range(SEARCH_DAYS):
        found = free_slot(day, first, step.windows, length, tz, ctx.busy)
        if found is not None:
            reason = f"moved from {planned:%a %d %b %H:%M}: busy with {blocker.summary or 'an event'}"
            return found, (reason,)
        day = ctx.days.shift(day, step.search)
        first = dt.time(0, 0)
    return planned, (f"no free slot found within {SEARCH_DAYS} business days; kept despite "
                     f"{blocker.summary or 'a busy event'}",)


def _status(step: Step, state: ItemState, interview: Interview, outcomes: Sequence[Outcome],
            retired: bool) -> Status:
    if step.kind == "task" and state.completed is not None:
        return COMPLETED
    if state.dismissed or retired:
        return CANCELLED
    for outcome in outcomes:
        if step.outcome == outcome.kind:
            continue  # the item this outcome added
        if step.id == "interview":
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
        parts.append("Contacts:\n" + "\n".join(f"- {c.card}" for c in contacts))
    if step.id in ("response-deadline", "status-email") and interview.deadline_assumed:
        parts.append("The decision date is assumed (a week after the interview): none was given.")
    if step.email:
        parts.append(PROOFREAD)
    return "\n\n".join(parts)
