"""Property tests (Hypothesis) over the real service and a real SQLite file: whatever the
interview and whatever sequence of edits, completions, snoozes and outcomes,
- no open task the playbook places on business days falls on a non-business day,
- the three-shot limit holds (status email, call, second call: each at most once),
- SEQUENCE never goes down,
- completed items never move.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followup.app.service import Service
from followup.config import Config, Paths
from followup.core.model import Contact, Interview, interview_uid
from followup.core.schedule import BusinessDays, public_holidays
from followup.errors import UsageError

BUSINESS_DAY_STEPS = {"formal-note", "status-email", "call-script", "call", "second-call",
                      "let-go", "gracious-reply"}
CHASE = ("status-email", "call", "second-call")
ZONES = ("Europe/London", "America/New_York", "Asia/Tokyo", "Australia/Sydney")
NOW = dt.datetime(2025, 12, 1, tzinfo=dt.timezone.utc)


@st.composite
def interviews(draw: st.DrawFn) -> Interview:
    tz = draw(st.sampled_from(ZONES))
    day = dt.date(2026, 1, 5) + dt.timedelta(days=draw(st.integers(0, 700)))
    day += dt.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() > 4 else 0)
    start = dt.datetime.combine(day, dt.time(draw(st.integers(8, 16)), draw(st.sampled_from((0, 30)))),
                                tzinfo=ZoneInfo(tz))
    deadline = draw(st.none() | st.integers(0, 20).map(lambda n: day + dt.timedelta(days=n)))
    contacts = tuple(
        Contact(key=n, name=f"Person {n}", email=f"p{n}@example.com",
                tz=draw(st.none() | st.sampled_from(ZONES)))
        for n in range(1, draw(st.integers(0, 3)) + 1))
    return Interview(
        uid=interview_uid("Acme", "Dev", start), company="Acme", role="Dev", start=start,
        duration=dt.timedelta(minutes=draw(st.integers(15, 180))), tz=tz, deadline=deadline,
        note=draw(st.sampled_from(("email", "handwritten"))), contacts=contacts,
        country=draw(st.sampled_from((None, "GB", "US"))),
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
    ),
    max_size=6,
)


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
            service.done([row.uid], base + dt.timedelta(days=n))
        elif kind == "undo":
            service.undo([row.uid])
        elif kind == "snooze" and row.status == "needs-action":
            service.snooze(row.uid, dt.datetime.fromisoformat(row.due) + dt.timedelta(hours=n))
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


def check(service: Service, interview_id: int, sequences: dict[str, int],
          completed: dict[str, tuple]) -> None:
    interview = service.store.interview(interview_id)
    holidays = public_holidays(interview.country) if interview.country else frozenset()
    days = BusinessDays(holidays)
    rows = service.store.items(interview_id)
    for row in rows:
        assert row.sequence >= sequences.get(row.uid, 0), row.uid
        sequences[row.uid] = row.sequence
        if row.status == "needs-action" and row.step in BUSINESS_DAY_STEPS and row.override is None:
            due = dt.datetime.fromisoformat(row.due).astimezone(ZoneInfo(row.tz))
            assert days.is_business_day(due.date()), (row.step, row.due)
        times = (row.start, row.due, row.end)
        if row.status == "completed":
            if row.uid in completed:
                assert completed[row.uid] == times, row.uid
            completed[row.uid] = times
        else:
            completed.pop(row.uid, None)
    for step in CHASE:
        assert sum(row.step == step for row in rows) == 1
    assert not any(row.step not in {r.step for r in rows} for row in rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(interview=interviews(), ops=operations)
def test_chain_invariants(interview: Interview, ops: list[tuple[str, str, int]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = Paths(data=Path(folder), config=Path(folder))
        service = Service(paths, Config(timezone="Europe/London"), NOW)
        sequences: dict[str, int] = {}
        completed: dict[str, tuple] = {}
        with service.change():
            stored = service.add(interview)
        assert stored.id is not None
        check(service, stored.id, sequences, completed)
        for op in ops:
            try:
                with service.change():
                    apply(service, stored.id, op)
            except UsageError:
                pass  # refused (a deadline before the moved interview): nothing changed
            check(service, stored.id, sequences, completed)
        service.store.close()
