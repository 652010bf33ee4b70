"""Interview + playbook + what the user did + today → the planned items. Pure: no clock, no I/O.

The playbook says when each step is *meant* to happen; the rules of PLAYBOOK.md, "Two
people's calendars", then place it: on a working day of both people (rule 1), inside the
user's hours (2), messages on the contact's working day too (3), calls in both people's
windows (4), in order with gaps (5), and what follows an overdue step counted from today (6).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from followup.core import placing
from followup.core.memo import bounded
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
    Gap,
    Step,
    When,
    title,
    title_word,
)
from followup.core.schedule import (
    DEFAULT_HOURS,
    ONE_DAY,
    Busy,
    Hours,
    Person,
    TwoCalendars,
    add_elapsed,
    at_wall_time,
    start_of_day,
    two_calendars,
)

DEADLINE_ALARM_TIME = dt.time(9, 0)
PREPARE_TRIES = 10  # working days a call may move so that its preparation fits before it
STRICTLY = dt.timedelta(minutes=1)  # "simply later" in rule 5
NO_STATE = ItemState()  # an item the user has not touched (frozen: one for all)


@dataclass(frozen=True)
class People:
    """Who the plan is for: the user (zone, holidays, hours) and the contact's holidays
    (their zone is the interviewer's, else the interview's). No user: the interview's zone."""

    user: Person | None = None
    contact_holidays: Container[dt.date] = field(default_factory=frozenset)
    hours: Hours = DEFAULT_HOURS


class _Ref(NamedTuple):
    """What a later step counts from (rule 5): when an item was sent, or is due; or the
    start of today when it is overdue by more than a day (rule 6). A tuple: made for every
    step of every plan, and a frozen dataclass costs a call per field to build."""

    moment: dt.datetime
    rolled: bool
    day: dt.date  # the moment's date in the user's zone (every plan's calendars share the user)


@dataclass
class _Context:
    interview: Interview
    states: Mapping[str, ItemState]
    people: People
    busy: Sequence[Busy]
    outcomes: Sequence[Outcome]
    today: dt.date | None
    steps: Mapping[str, Step]
    language: str = "en"
    outcome_times: dict[str, dt.datetime] = field(default_factory=dict)
    due: dict[str, dt.datetime] = field(default_factory=dict)  # by key, for anchors
    refs: dict[str, dict[str, _Ref]] = field(default_factory=dict)  # by step id, then key
    pushed: dict[str, dt.datetime] = field(default_factory=dict)  # extra floors, by key
    unplaced: set[str] = field(default_factory=set)  # preparation with no working day left
    clocks: dict[str, TwoCalendars] = field(default_factory=dict)  # by the contact's zone
    plain: dict[int, TwoCalendars] = field(default_factory=dict)  # weekends_only, by id(clock)
    # What people_of made: by the contact's id, or "lead" or "panel".
    shown: dict[int | str, tuple[tuple[str, ...], str]] = field(default_factory=dict)

    # The interview does not change while it is planned: its people and times are looked
    # up once, when the plan starts, not once per step (cached_property takes a lock).
    contacts: tuple[Contact, ...] = field(init=False)
    lead: Contact | None = field(init=False)
    end: dt.datetime = field(init=False)
    deadline: dt.date = field(init=False)
    about: str = field(init=False)  # the interview line that every description has
    zone: ZoneInfo = field(init=False)
    contact_tz: str = field(init=False)
    overdue: dt.date | None = field(init=False)  # the latest due date that rolls (rule 6)

    def __post_init__(self) -> None:
        interview = self.interview
        self.contacts = interview.interviewers
        self.lead = interview.decision_contact
        self.end = interview.end
        self.deadline = interview.effective_deadline
        self.about = _about(interview.role, interview.company,
                            interview.start.replace(tzinfo=None), interview.tz)
        self.zone = ZoneInfo(interview.tz)
        self.contact_tz = self._contact_tz()
        self.overdue = self.today - 2 * ONE_DAY if self.today is not None else None

    def _contact_tz(self) -> str:
        """The zone the company is reached in: the decision contact's when known, else the
        first interviewer's whose zone is known."""
        lead = self.lead
        if lead is not None and lead.tz:
            return lead.tz
        return next((c.tz for c in self.contacts if c.tz), self.interview.tz)

    def calendars(self, contact: Contact | None) -> TwoCalendars:
        tz = (contact.tz or self.interview.tz) if contact is not None else self.contact_tz
        found = self.clocks.get(tz)
        if found is None:
            user = self.people.user or Person(self.interview.tz)
            found = self.clocks[tz] = two_calendars(
                user, Person(tz, self.people.contact_holidays), self.people.hours)
        return found

    def weekends_only(self, calendars: TwoCalendars) -> TwoCalendars:
        """placing.weekends_only(calendars), looked up once per plan and pair of people
        (by identity: the plan's calendars stay in `clocks` while it runs)."""
        found = self.plain.get(id(calendars))
        if found is None:
            found = self.plain[id(calendars)] = placing.weekends_only(calendars)
        return found

    def start_of(self, day: dt.date, calendars: TwoCalendars) -> dt.datetime:
        return start_of_day(day, calendars.user.tz)

    def ref(self, calendars: TwoCalendars, due: dt.datetime, done: dt.datetime | None) -> _Ref:
        """What the steps after an item count from: when it was done, else when it is due,
        else (rule 6: overdue by more than a day, dates in the user's zone) today."""
        if done is not None:
            return _Ref(done, False, calendars.user_date(done))
        day = calendars.user_date(due)
        if self.overdue is not None and self.today is not None and day <= self.overdue:
            start = self.start_of(self.today, calendars)
            return _Ref(start, True, calendars.user_date(start))
        return _Ref(due, False, day)

    def people_of(self, contact: Contact | None, step: Step) -> tuple[tuple[str, ...], str]:
        """(the item's contacts as shown, the contacts part of its description), made
        once per plan for each of the three kinds of item: about one interviewer (a
        formal note), what the decision contact hears about, the rest (the panel)."""
        # By identity: the interview's own contacts stay alive while it is planned.
        key = id(contact) if contact is not None else (
            "lead" if step.chase or step.outcome is not None else "panel")
        found = self.shown.get(key)
        if found is None:
            contacts: tuple[Contact, ...] = (
                (contact,) if contact is not None else self.contacts if key == "panel" else
                (self.lead,) if self.lead is not None else ())
            found = self.shown[key] = (
                tuple(c.display for c in contacts),
                "Contacts:\n" + "\n".join(f"- {c.card}" for c in contacts) if contacts else "")
        return found


def item_key(step: Step, contact: Contact | None) -> str:
    return f"{step.id}-{contact.key}" if contact is not None else step.id


def plan(
    interview: Interview,
    *,
    states: Mapping[str, ItemState] | None = None,
    outcomes: Sequence[Outcome] = (),
    people: People | None = None,
    busy: Sequence[Busy] = (),
    playbook: Sequence[Step] = DEFAULT_PLAYBOOK,
    today: dt.date | None = None,
    language: str = "en",
) -> list[PlannedItem]:
    """Every item of the interview's follow-up, soonest first.

    `states` holds, by item key, what the user did (completions, snoozes, pinned times of
    closed items); `outcomes` the employer's answers in the order they were recorded;
    `busy` the times the user's own calendars are taken; `today` (the user's date) moves
    what follows an overdue step (rule 6): without it nothing rolls forward; `language`
    that of the titles.
    """
    steps, order = _index(playbook)
    ctx = _Context(interview, states or {}, people or People(), busy, outcomes, today, steps,
                   language)
    for outcome in outcomes:
        ctx.outcome_times.setdefault(outcome.kind, outcome.recorded.astimezone(interview.start.tzinfo))
    items: dict[str, PlannedItem] = {}
    for step in playbook:
        if step.outcome is not None and step.outcome not in ctx.outcome_times:
            continue
        for contact, retired in _who(ctx, step):
            item = _plan_step(ctx, step, contact, retired)
            items[item.key] = item
        if step.when.business_days < 0 and step.when.anchor in items and not step.per_interviewer:
            _prepare_before(ctx, step, items)
    return sorted(items.values(), key=lambda i: (i.sort_time, order[i.step], i.key))


def _index(playbook: Sequence[Step]) -> tuple[Mapping[str, Step], Mapping[str, int]]:
    """The playbook's steps by id, and each id's place (its first step's) in the order of
    the items. Made once for a tuple (an import plans a thousand interviews with one):
    remembered with the tuple itself, found again only for that same tuple of frozen
    steps; a list may change between plans, so it is indexed anew each time."""
    remember = type(playbook) is tuple
    if remember:
        found = _INDEXES.get(id(playbook))
        if found is not None and found[0] is playbook:
            return found[1], found[2]
    steps = {step.id: step for step in playbook}
    order: dict[str, int] = {}
    for index, step in enumerate(playbook):
        order.setdefault(step.id, index)
    if remember:  # the entry holds the tuple: its id is not reused while it is kept
        bounded(_INDEXES, PLAYBOOKS_KEPT)[id(playbook)] = (playbook, steps, order)
    return steps, order


PLAYBOOKS_KEPT = 8  # a command plans with one playbook; tests with a few
_INDEXES: dict[int, tuple[Sequence[Step], Mapping[str, Step], Mapping[str, int]]] = {}


def _who(ctx: _Context, step: Step) -> list[tuple[Contact | None, bool]]:
    if not step.per_interviewer:
        return [(None, False)]
    # Removed interviewers keep their (cancelled) note, and the note to "the hiring team"
    # planned before any interviewer was known stays cancelled once one is.
    who: list[tuple[Contact | None, bool]] = [(c, c.removed) for c in ctx.interview.contacts
                                              if c.interviewer]
    if not ctx.contacts or step.id in ctx.states:
        who.append((None, bool(ctx.contacts)))
    return who


def _prepare_before(ctx: _Context, step: Step, items: dict[str, PlannedItem]) -> None:
    """A preparation step (the call script) comes after what it follows and on the working
    day before what it prepares (rule 5): when that day is too early, the prepared step
    moves a working day later."""
    anchor_key = step.when.anchor
    for _ in range(PREPARE_TRIES):
        item, anchor = items[step.id], items[anchor_key]
        if NEEDS_ACTION != item.status or NEEDS_ACTION != anchor.status or item.overridden \
                or anchor.overridden or not isinstance(anchor.start, dt.datetime):
            return
        calendars = ctx.calendars(None)
        floor, _ = _floor(ctx, step, step.id, calendars)
        fits = floor is None or (item.due is not None and item.due >= floor)
        if fits and step.id not in ctx.unplaced:
            return
        later = calendars.shift(calendars.user_date(anchor.start), 1)
        ctx.pushed[anchor_key] = ctx.start_of(later, calendars)
        items[anchor_key] = _plan_step(ctx, ctx.steps[anchor_key], None, False)
        items[step.id] = _plan_step(ctx, step, None, False)


def _plan_step(ctx: _Context, step: Step, contact: Contact | None, retired: bool = False) -> PlannedItem:
    interview = ctx.interview
    key = item_key(step, contact)
    state = ctx.states.get(key, NO_STATE)
    status = _status(step, state, interview, ctx.outcomes, retired)
    handwritten = step.id == "formal-note" and interview.note == "handwritten" and step.handwritten
    when = step.handwritten if handwritten and step.handwritten else step.when
    template = title(step, ctx.language, bool(handwritten))
    summary = template.format(
        company=interview.company,
        role=interview.role,
        contact=(contact.full_name or contact.email) if contact else title_word("team", ctx.language),
    )
    tags = ([title_word("round", ctx.language).format(n=interview.round)]
            if interview.round > 1 else [])
    if step.id == "response-deadline" and interview.deadline_assumed:
        tags.append(title_word("assumed", ctx.language).strip("()"))
    if tags:  # "Write interview notes (Acme, round 2)", not "(Acme) (round 2)"; the
        # template's parenthesis, not one the company's name ends with ("Acme (UK)")
        summary = (f"{summary[:-1]}, {', '.join(tags)})" if template.endswith(")")
                   else f"{summary} ({', '.join(tags)})")
    shown, block = ctx.people_of(contact, step)
    # The fields every item has; each kind below adds its times (one PlannedItem an item,
    # made at once: dataclasses.replace costs as much as building one).
    base: dict[str, Any] = dict(
        key=key,
        step=step.id,
        kind=step.kind,
        summary=summary,
        description=_description(ctx, step, block),
        status=status,
        tz=interview.tz,
        completed=state.completed if status == COMPLETED else None,
        contacts=shown,
        email=step.email,
    )
    calendars = ctx.calendars(contact)
    if step.id == "interview":
        return PlannedItem.made(
            base,
            start=interview.start,
            end=ctx.end,
            alarm=add_elapsed(interview.start, -step.alarm_before),
            location=interview.location,
        )
    if step.when.anchor == "deadline" and step.kind == "event":
        day = ctx.deadline
        return PlannedItem.made(
            base,
            start=day,
            end=day + dt.timedelta(days=1),
            # Open: 09:00 in the user's hours; closed: a time no setting changes (it rings no more).
            alarm=calendars.at(day, DEADLINE_ALARM_TIME) if status == NEEDS_ACTION else
            at_wall_time(day, DEADLINE_ALARM_TIME, interview.tz),
        )

    due, notes = _timing(ctx, step, when, key, calendars, status)
    planned = due
    overridden = False
    if state.override is not None:
        due, overridden, notes = state.override, True, ()
    if state.pinned_due is not None and status != NEEDS_ACTION:
        due = state.pinned_due  # closed items never move
    if status != NEEDS_ACTION:
        notes = ()
    ctx.due[key] = due
    if status != CANCELLED:
        done = state.completed if status == COMPLETED else None
        ctx.refs.setdefault(step.id, {})[key] = ctx.ref(calendars, due, done)
    # Each time in the zone of the clock it follows: a call the contact's, what is done
    # before leaving the interview's, every other step the user's (they do it).
    zone = (calendars.contact.zone if step.slot else ctx.zone if step.on_site
            else calendars.user.zone)
    due = due.astimezone(zone)
    base["tz"] = str(zone)
    return PlannedItem.made(
        base,
        start=due if step.slot else None,
        due=due,
        end=add_elapsed(due, step.slot) if step.slot else None,
        alarm=_alarm(ctx, step, when, calendars, due, planned, status).astimezone(zone),
        overridden=overridden,
        notes=notes,
    )


def _timing(ctx: _Context, step: Step, when: When, key: str, calendars: TwoCalendars,
            status: Status) -> tuple[dt.datetime, tuple[str, ...]]:
    """Where the rules put an open step (closed ones are pinned afterwards), and why."""
    plain_calendars = ctx.weekends_only(calendars)
    if when.after is not None:
        anchor = _anchor_moment(ctx, step, when, calendars)
        assert isinstance(anchor, dt.datetime)
        if step.on_site:
            return add_elapsed(anchor, when.after), ()
        if when.end_of_hours:
            due = placing.end_of_hours(calendars, anchor, when.after)
            plain = placing.end_of_hours(plain_calendars, anchor, when.after)
        else:
            natural = add_elapsed(anchor, when.after)
            if placing.allowed(calendars, natural, step.email):
                due = plain = natural  # the weekend-only calendars allow what these allow
            else:
                due = placing.by_delay(calendars, anchor, natural, working=step.email)
                plain = placing.by_delay(plain_calendars, anchor, natural, working=step.email)
        reason = placing.why_moved(calendars, plain, due)
        return due, (reason,) if reason else ()

    anchor = _anchor_moment(ctx, step, when, calendars)
    ref = ctx.refs.get(when.anchor, {}).get(when.anchor)
    # The anchor is most often what the step follows: its date is known.
    anchor_day = (anchor if not isinstance(anchor, dt.datetime) else ref.day
                  if ref is not None and anchor is ref.moment else calendars.user_date(anchor))
    day = _intended_day(calendars, anchor_day, when)
    plain_day = _intended_day(plain_calendars, anchor_day, when)
    floor, floor_why = _floor(ctx, step, key, calendars)
    assert when.at is not None
    notes: list[str] = []
    if ref is not None and ref.rolled and when.business_days >= 0 and status == NEEDS_ACTION:
        notes.append(f"{when.anchor} is overdue, so this counts from today")
    if step.slot is not None:
        earliest = ctx.start_of(day, calendars)
        if floor is not None and floor > earliest:
            earliest = floor
        placed = placing.call_slot(calendars, earliest, when.at, step.windows, step.slot,
                                   ctx.busy if status == NEEDS_ACTION else ())
        moment = placed.moment
        if floor_why and earliest == floor and calendars.user_date(moment) > plain_day:
            notes.append(f"moved to {placing.day_label(moment, calendars)}: {floor_why}")
        else:
            reason = placing.why_moved(calendars, ctx.start_of(plain_day, calendars), moment,
                                       contact_side=False)
            notes += [reason] if reason else []
        return moment, (*notes, *placed.notes)

    at = calendars.hours.clamp(when.at)
    if at != when.at:
        notes.append(f"at {at:%H:%M}: your hours are {calendars.hours}")
    if when.business_days < 0:  # preparation: on a working day before what it prepares
        before = placing.on_working_day_before(calendars, day, at, floor)
        if before is None:
            ctx.unplaced.add(key)  # the prepared step moves a day (_prepare_before)
            # It cannot when you fixed its time (snooze) or already did it: then the first
            # working moment of both after what this follows (rule 1 holds even where the
            # order can no longer be kept).
            moment = placing.on_working_day(calendars, day, at, floor)
        else:
            ctx.unplaced.discard(key)
            moment = before
    else:
        moment = placing.on_working_day(calendars, day, at, floor)
    if floor_why and floor is not None and calendars.at(day, at) < floor \
            and calendars.user_date(moment) != plain_day:
        notes.append(f"moved to {placing.day_label(moment, calendars)}: {floor_why}")
    else:
        reason = placing.why_moved(calendars, calendars.at(plain_day, at), moment)
        notes += [reason] if reason else []
    if step.box is not None and ctx.busy and status == NEEDS_ACTION:
        placed = placing.fit_box(calendars, moment, step.box, step.windows, step.search,
                                 ctx.busy, floor)
        moment = placed.moment
        notes += placed.notes
    return moment, tuple(notes)


def _intended_day(calendars: TwoCalendars, anchor_day: dt.date, when: When) -> dt.date:
    """The day `when` names from `anchor_day` (asked again by every interview of that day)."""
    return calendars.remembered(
        ("intended_day", anchor_day, when.days, when.business_days, when.next_business_day),
        lambda: _count_days(calendars, anchor_day, when))


def _count_days(calendars: TwoCalendars, anchor_day: dt.date, when: When) -> dt.date:
    day = anchor_day + when.days * ONE_DAY if when.days else anchor_day
    if when.business_days:
        day = calendars.shift(day, when.business_days)
    if when.next_business_day:
        day = calendars.next_or_same(day)
    return day


def _floor(ctx: _Context, step: Step, key: str,
           calendars: TwoCalendars) -> tuple[dt.datetime | None, str | None]:
    """Rule 5: the earliest moment the step may take after the items it follows (each
    counted from when it was sent, else from when it is due, else from today)."""
    best: dt.datetime | None = ctx.pushed.get(key)
    held: tuple[Gap, str, _Ref] | None = None  # what holds it there: worded at the end
    for gap in step.follows:
        for ref_key, ref in ctx.refs.get(gap.step, {}).items():
            if gap.working_days:
                bound = ctx.start_of(calendars.shift(ref.day, gap.working_days), calendars)
            elif gap.days:
                day = ref.day
                bound = ctx.start_of(day + dt.timedelta(days=gap.days), calendars)
            else:
                bound = add_elapsed(ref.moment, STRICTLY)
            if best is None or bound > best:
                best, held = bound, (gap, ref_key, ref)
    return best, _gap_text(*held) if held is not None else None


def _gap_text(gap: Gap, ref_key: str, ref: _Ref) -> str:
    """Why rule 5 holds a step back: what it follows, and how far."""
    if ref.rolled:
        return f"{ref_key} is overdue, so this counts from today"
    if gap.working_days:
        return (f"{gap.working_days} working day{'s' if gap.working_days > 1 else ''}"
                f" after {ref_key}")
    if gap.days:
        return f"{gap.days} days after {ref_key}"
    return f"after {ref_key}"


def _anchor_moment(ctx: _Context, step: Step, when: When,
                   calendars: TwoCalendars) -> dt.datetime | dt.date:
    interview = ctx.interview
    if when.anchor == "start":
        return interview.start
    if when.anchor == "end":
        return ctx.end
    if when.anchor == "deadline":
        return ctx.deadline
    if when.anchor == "outcome":
        assert step.outcome is not None
        return ctx.outcome_times[step.outcome]
    moment = ctx.due[when.anchor]
    ref = ctx.refs.get(when.anchor, {}).get(when.anchor)
    if ref is not None and ref.rolled and when.business_days >= 0:
        return ref.moment  # rule 6: what follows counts from today (preparation stays before)
    done = ctx.states.get(when.anchor, NO_STATE).completed
    if done is not None:
        done = done.astimezone(moment.tzinfo)
        if when.follow_completion == "always" or (
            when.follow_completion == "later" and done > moment
        ):
            return done
    return moment


def _alarm(ctx: _Context, step: Step, when: When, calendars: TwoCalendars, due: dt.datetime,
           planned: dt.datetime, status: Status) -> dt.datetime:
    """One reminder, inside the user's hours (rule 2) except where the step itself is not:
    at the interview, and for a call whose windows never meet the user's hours. A closed
    item rings no more; its reminder (where the events profile shows it) stays put."""
    if step.alarm_after_anchor is not None:
        anchor = _anchor_moment(ctx, step, when, calendars)
        assert isinstance(anchor, dt.datetime)
        alarm = add_elapsed(anchor, step.alarm_after_anchor)
        if status != NEEDS_ACTION:
            return min(alarm, due)
        alarm = add_elapsed(alarm, due - planned)  # a snooze takes the reminder along
    else:
        alarm = add_elapsed(due, -step.alarm_before)
    if step.on_site or not calendars.in_hours(due) or status != NEEDS_ACTION:
        return alarm
    return placing.alarm_in_hours(calendars, alarm, due)


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


def _description(ctx: _Context, step: Step, contacts: str) -> str:
    """`contacts`: the part that lists them (people_of), empty for nobody."""
    interview = ctx.interview
    parts = [step.purpose, ctx.about]
    if interview.location:
        parts.append(f"Location: {interview.location}")
    if contacts:
        parts.append(contacts)
    if step.id in ("response-deadline", "status-email") and interview.deadline_assumed:
        parts.append("The decision date is assumed (a week after the interview): none was given.")
    if step.email:
        parts.append(PROOFREAD)
    return "\n\n".join(parts)


def _about(role: str, company: str, wall: dt.datetime, tz: str) -> str:
    """The interview line of a description; `wall` is the start as its clock shows it."""
    return f"Interview: {role} at {company}, {wall:%A %-d %B %Y, %H:%M} ({tz})."
