"""Property tests (Hypothesis): every rule of PLAYBOOK.md, "Two people's calendars", on
every plan (tests/rules.py checks them by brute force).

- The pure planner over random interviews (zones on every continent, both hemispheres,
  DST weeks, holidays in both countries, deadlines from the same day to six weeks, panels,
  handwritten notes), random user hours, random completions (early, on time, late),
  outcomes, busy times and days: rules 1–6, the three-shot policy, and that an overdue
  step stays where it was while what follows it moves.
- The real service on a real SQLite file, through edits, completions, snoozes, outcomes,
  new days and changed settings (rule 7): the stored plan is the planner's plan, SEQUENCE
  never goes down and grows exactly for the items that changed, completed items never move.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from collections.abc import Container
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followup.app.service import Service
from followup.config import Config, Paths
from followup.core.model import Contact, Interview, ItemState, Outcome, PlannedItem, interview_uid
from followup.core.planner import People, plan
from followup.core.playbook import DEFAULT_PLAYBOOK, with_changes
from followup.core.schedule import Busy, Hours, Person, public_holidays
from followup.errors import UsageError
from rules import CHASE, World, check_plan

# Every continent, both hemispheres, half- and quarter-hour offsets, DST north and south.
ZONES = ("Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles",
         "America/Sao_Paulo", "America/St_Johns", "Africa/Lagos", "Africa/Johannesburg",
         "Asia/Tokyo", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Sydney", "Pacific/Auckland",
         "Pacific/Honolulu")
COUNTRIES = (None, "GB", "US", "DE", "JP", "AU", "BR", "IN", "NZ", "ZA")
# DST changes (US, EU, AU, NZ, BR none since 2019) and holidays (Thanksgiving, Christmas,
# New Year, Easter, Golden Week, the GB August bank holiday): the weeks where plans break.
HOT_DAYS = tuple(dt.date.fromisoformat(d) for d in (
    "2026-03-08", "2026-03-29", "2026-04-05", "2026-09-27", "2026-10-04", "2026-10-25",
    "2026-11-01", "2026-11-26", "2026-12-25", "2027-01-01", "2026-04-03", "2027-03-26",
    "2026-05-04", "2026-08-31", "2027-03-14"))
HOLIDAYS: dict[tuple[str, str | None], Container[dt.date]] = {}


def holidays(country: str | None) -> Container[dt.date]:
    if country is None:
        return frozenset()
    if (country, None) not in HOLIDAYS:
        HOLIDAYS[(country, None)] = public_holidays(country)
    return HOLIDAYS[(country, None)]


@st.composite
def hours(draw: st.DrawFn) -> Hours:
    start = draw(st.integers(6 * 4, 11 * 4)) * 15
    length = draw(st.integers(2 * 4, 14 * 4)) * 15
    end = min(start + length, 23 * 60 + 45)
    return Hours(dt.time(start // 60, start % 60), dt.time(end // 60, end % 60))


@st.composite
def interviews(draw: st.DrawFn) -> Interview:
    tz = draw(st.sampled_from(ZONES))
    day = draw(st.sampled_from(HOT_DAYS)) + dt.timedelta(days=draw(st.integers(-10, 10)))
    start = dt.datetime.combine(day, dt.time(draw(st.integers(7, 19)), draw(st.sampled_from((0, 15, 30, 45)))),
                                tzinfo=ZoneInfo(tz))
    duration = dt.timedelta(minutes=draw(st.integers(15, 180)))
    end_day = (start + duration).date()
    deadline = draw(st.none() | st.integers(0, 42).map(lambda n: end_day + dt.timedelta(days=n)))
    contacts = tuple(
        Contact(key=n, name=f"Person {n}", email=f"p{n}@example.com",
                tz=draw(st.none() | st.sampled_from(ZONES)))
        for n in range(1, draw(st.integers(0, 3)) + 1))
    return Interview(
        uid=interview_uid("Acme", "Dev", start), company="Acme", role="Dev", start=start,
        duration=duration, tz=tz, deadline=deadline,
        note=draw(st.sampled_from(("email", "handwritten"))), contacts=contacts,
        country=draw(st.sampled_from(COUNTRIES)),
    )


COMPLETABLE = ("thank-you-email", "formal-note", "formal-note-1", "formal-note-2", "status-email",
               "call-script", "call", "second-call", "notes")


@given(interview=interviews(), user_tz=st.sampled_from(ZONES), user_country=st.sampled_from(COUNTRIES),
       work=hours(), today_offset=st.none() | st.integers(-3, 70),
       completions=st.lists(st.tuples(st.sampled_from(COMPLETABLE), st.integers(-48, 120)), max_size=5),
       outcome=st.none() | st.tuples(st.sampled_from(("reply", "second-interview", "offer", "rejected",
                                                      "withdrawn")), st.integers(0, 40 * 24)),
       busy=st.lists(st.tuples(st.integers(0, 40 * 24 * 4), st.integers(2, 16)), max_size=3))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_plan_obeys_the_rules(interview: Interview, user_tz: str, user_country: str | None,
                                    work: Hours, today_offset: int | None,
                                    completions: list[tuple[str, int]],
                                    outcome: tuple[str, int] | None,
                                    busy: list[tuple[int, int]]) -> None:
    contact_holidays = holidays(interview.country or user_country)
    people = People(Person(user_tz, holidays(user_country)), contact_holidays, work)
    end = interview.end
    today = None if today_offset is None else (
        end.astimezone(ZoneInfo(user_tz)).date() + dt.timedelta(days=today_offset))
    busy_times = [Busy(end + n * dt.timedelta(minutes=15), end + (n + q) * dt.timedelta(minutes=15), "Busy")
                  for n, q in busy]
    outcomes = [] if outcome is None else [Outcome(outcome[0], end + dt.timedelta(hours=outcome[1]))]
    world = World(interview, user_tz, work, holidays(user_country), contact_holidays, today, busy_times)

    def planned(states: dict[str, ItemState], on: dt.date | None = today) -> list[PlannedItem]:
        return plan(interview, states=states, outcomes=outcomes, people=people, busy=busy_times, today=on)

    # The user works through the plan: each completion early, on time or late, re-planned.
    states: dict[str, ItemState] = {}
    items = planned(states)
    for key, hours_late in completions:
        item = next((i for i in items if i.key == key and i.status == "needs-action"), None)
        if item is None or item.due is None:
            continue
        done = max(end, item.due + dt.timedelta(hours=hours_late))
        states[key] = ItemState(completed=done, pinned_due=item.due)
        items = planned(states)
    check_plan(world, items, states)
    assert planned(states) == items  # same state, same day: the same plan
    if today is not None:
        # Rule 6: an open step overdue by more than a day stays where it was.
        without = {i.key: i.due for i in planned(states, None)}
        for item in items:
            if item.status == "needs-action" and item.kind == "task" and not item.overridden and item.due \
                    and item.due.astimezone(ZoneInfo(user_tz)).date() <= today - dt.timedelta(days=2):
                assert item.due == without[item.key], item.key


# -- the service, its store, and changed settings (rule 7) -----------------------------------

PLAYBOOKS = (
    {},
    {"thank-you-email": {"after": "24h"}, "call": {"at": "17:30"}},
    {"formal-note": {"days": 5}, "status-email": {"at": "06:00"}, "let-go": {"days": 10}},
)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("done"), st.sampled_from(CHASE + ("thank-you-email", "formal-note-1")),
                  st.integers(-3, 10)),
        st.tuples(st.just("undo"), st.sampled_from(CHASE + ("formal-note-1",)), st.just(0)),
        st.tuples(st.just("deadline"), st.just(""), st.integers(0, 25)),
        st.tuples(st.just("move"), st.just(""), st.integers(-2, 5)),
        st.tuples(st.just("snooze"), st.sampled_from(CHASE + ("let-go",)), st.integers(1, 200)),
        st.tuples(st.just("outcome"), st.sampled_from(("reply", "offer", "rejected", "withdrawn")),
                  st.integers(0, 30)),
        st.tuples(st.just("add-interviewer"), st.just(""), st.just(0)),
        st.tuples(st.just("remove-interviewer"), st.just(""), st.just(0)),
        st.tuples(st.just("day"), st.just(""), st.integers(1, 20)),
        st.tuples(st.just("config"), st.sampled_from(ZONES), st.integers(0, 10 ** 6)),
    ),
    max_size=6,
)


def configured(tz: str, seed: int) -> Config:
    country = COUNTRIES[seed % len(COUNTRIES)]
    start = 6 + seed // 10 % 5
    work = Hours(dt.time(start), dt.time(start + 2 + seed // 50 % 12))
    changes = PLAYBOOKS[seed // 1000 % len(PLAYBOOKS)]
    return Config(timezone=tz, country=country, hours=work, steps=with_changes(changes, "playbook.toml"))


def apply(service: Service, interview_id: int, op: tuple[str, str, int]) -> None:
    kind, target, n = op
    store = service.store
    interview = store.interview(interview_id)
    rows = {row.key: row for row in store.items(interview_id)}
    if kind in ("done", "undo", "snooze"):
        row = rows.get(target)
        if row is None:
            return
        if kind == "done" and row.status != "completed":
            base = dt.datetime.fromisoformat(row.due or row.start)
            service.done([row.uid], max(base + dt.timedelta(days=n), interview.end))
        elif kind == "undo":
            service.undo([row.uid])
        elif kind == "snooze" and row.status == "needs-action":
            due = dt.datetime.fromisoformat(row.due) + dt.timedelta(hours=n)
            service.snooze(row.uid, max(due, service.now))
    elif kind == "deadline":
        service.update(dataclasses.replace(interview, deadline=interview.start.date() + dt.timedelta(days=n)))
    elif kind == "move":
        service.update(dataclasses.replace(interview, start=interview.start + dt.timedelta(days=n)))
    elif kind == "outcome":
        service.outcome(interview_id, target, interview.end + dt.timedelta(days=n))
    elif kind == "add-interviewer":
        key = max((c.key for c in interview.contacts), default=0) + 1
        contacts = interview.contacts + (Contact(key, f"New {key}", f"n{key}@example.com"),)
        service.update(dataclasses.replace(interview, contacts=contacts))
    elif kind == "remove-interviewer":
        active = [c for c in interview.contacts if not c.removed]
        if active:
            gone = dataclasses.replace(active[0], removed=True)
            service.update(dataclasses.replace(
                interview, contacts=tuple(gone if c.key == gone.key else c for c in interview.contacts)))


def check(service: Service, interview_id: int, before: dict[str, tuple], completed: dict[str, tuple]) -> None:
    """The stored plan is the planner's plan and obeys every rule; SEQUENCE grows exactly
    for what changed; completed items never move."""
    store = service.store
    interview = store.interview(interview_id)
    rows = {row.key: row for row in store.items(interview_id)}
    states = {key: row.state for key, row in rows.items()}
    outcomes = store.outcomes(interview_id)
    people = service.people(interview)
    items = service._plan(interview, states, outcomes)
    assert people.user is not None
    limit = next(s.when.after for s in service.config.steps if s.id == "thank-you-email")
    assert limit is not None
    world = World(interview, people.user.tz, people.hours, people.user.holidays,
                  people.contact_holidays, service.today, thank_you_limit=limit)
    check_plan(world, items, states)
    for item in items:
        row = rows[item.key]
        if item.status == "needs-action":
            assert (row.due, row.start) == (
                item.due.isoformat() if item.due else None,
                item.start.isoformat() if isinstance(item.start, dt.datetime | dt.date) else None), item.key
    for key, row in rows.items():
        now = (row.start, row.due, row.end, row.status, row.fingerprint)
        if key in before:
            old_sequence, old = before[key][0], before[key][1:]
            moved = old != now
            assert row.sequence == old_sequence + (1 if moved else 0), (key, old, now)
        before[key] = (row.sequence, *now)
        if row.status == "completed":
            if key in completed:
                assert completed[key] == now[:3], key
            completed[key] = now[:3]
        else:
            completed.pop(key, None)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(interview=interviews(), first=st.sampled_from(ZONES), seed=st.integers(0, 10 ** 6), ops=operations)
def test_the_stored_plan_follows_every_change(interview: Interview, first: str, seed: int,
                                              ops: list[tuple[str, str, int]]) -> None:
    now = interview.start.astimezone(dt.timezone.utc) - dt.timedelta(days=2)
    with tempfile.TemporaryDirectory() as folder:
        paths = Paths(data=Path(folder), config=Path(folder))
        service = Service(paths, configured(first, seed), now)
        before: dict[str, tuple] = {}
        completed: dict[str, tuple] = {}
        with service.change():
            stored = service.add(interview)
        assert stored.id is not None
        check(service, stored.id, before, completed)
        for op in ops:
            if op[0] in ("day", "config"):
                # A later command: another day, or the user edited config.toml (rule 7).
                if op[0] == "day":
                    now += dt.timedelta(days=op[2])
                config = configured(op[1], op[2]) if op[0] == "config" else service.config
                closed = {row.key: row.sequence for row in service.store.items(stored.id)
                          if row.status != "needs-action"}
                service = Service(paths, config, now, store=service.store)
                service.refresh()
                # Closed items are left alone, SEQUENCE and all.
                assert closed == {row.key: row.sequence for row in service.store.items(stored.id)
                                  if row.key in closed}
            else:
                try:
                    with service.change():
                        apply(service, stored.id, op)
                except UsageError:
                    pass  # refused (a deadline before the moved interview): nothing changed
            check(service, stored.id, before, completed)
        service.store.close()


def test_the_default_playbook_has_no_fourth_chase() -> None:
    assert [s.id for s in DEFAULT_PLAYBOOK if s.chase and s.kind == "task"] == [
        "status-email", "call", "call-script", "second-call", "let-go"]


def test_the_call_script_before_a_snoozed_call_waits_for_a_working_day_of_both() -> None:
    """Found by the property above. The call is snoozed to Tuesday 24 March, 13:45 in
    Sydney, and the status email is sent a day late, on Thursday. The working day before
    the call is then too early for the script. The call cannot move, because you fixed its
    time. So the script takes the first working moment of both people that is still before
    the call. Friday 10:00 in São Paulo is Saturday in Sydney, so the script goes to
    Monday 23 March."""
    london, sydney = ZoneInfo("Europe/London"), "Australia/Sydney"
    interview = Interview(
        uid="1aef8fdf60ad", company="Acme", role="Dev",
        start=dt.datetime(2026, 3, 10, 7, 0, tzinfo=london), duration=dt.timedelta(minutes=15),
        tz="Europe/London", note="email",
        contacts=(Contact(1, "Person 1", "p1@example.com", sydney),
                  Contact(2, "Person 2", "p2@example.com"), Contact(3, "Person 3", "p3@example.com")))
    with tempfile.TemporaryDirectory() as folder:
        paths = Paths(data=Path(folder), config=Path(folder))
        service = Service(paths, configured("America/Sao_Paulo", 66),
                          dt.datetime(2026, 3, 8, 7, 0, tzinfo=dt.timezone.utc))
        with service.change():
            stored = service.add(interview)
        assert stored.id is not None
        for op in (("snooze", "call", 91), ("done", "status-email", 1)):
            with service.change():
                apply(service, stored.id, op)
        rows = {row.key: row for row in service.store.items(stored.id)}
        assert rows["call"].due == "2026-03-24T13:45:00+11:00"
        assert rows["call-script"].due == "2026-03-23T10:00:00-03:00"
        assert rows["call-script"].notes == (
            "at 10:00: your hours are 07:00-10:00\n"
            "moved to Monday 23 Mar: Friday 10:00 your time is Saturday in Sydney")
        service.store.close()


def test_the_call_script_after_the_call_was_made_stays_on_a_working_day_of_both() -> None:
    """Found by the rules property. The status email is sent a day late and the call is
    already made, so no working day is left before the call. The script that is still
    open goes to the first working moment of both people: Tuesday 17 March, 10:15 in
    Tokyo. The plan had left it on Monday 10:15 in Tokyo, which is Sunday evening in New
    York."""
    interview = Interview(
        uid="3469af07b337", company="Acme", role="Dev",
        start=dt.datetime(2026, 3, 5, 7, 0, tzinfo=ZoneInfo("Europe/London")),
        duration=dt.timedelta(minutes=15), tz="Europe/London", note="email",
        contacts=(Contact(1, "Person 1", "p1@example.com", "America/New_York"),))
    people = People(Person("Asia/Tokyo", holidays(None)), holidays(None), Hours(dt.time(6), dt.time(10, 15)))
    states: dict[str, ItemState] = {}
    items = plan(interview, people=people)
    for key, hours_late in (("call", 0), ("status-email", 1)):
        item = next(i for i in items if i.key == key)
        assert item.due is not None
        states[key] = ItemState(completed=item.due + dt.timedelta(hours=hours_late), pinned_due=item.due)
        items = plan(interview, states=states, people=people)
    script = next(i for i in items if i.key == "call-script")
    assert (script.status, script.due, script.notes) == (
        "needs-action", dt.datetime(2026, 3, 17, 10, 15, tzinfo=ZoneInfo("Asia/Tokyo")),
        ("at 10:15: your hours are 06:00-10:15",
         "moved to Tuesday 17 Mar: Monday 10:15 your time is Sunday in New York"))
