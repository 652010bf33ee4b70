"""Plain values shared by the planner, the store and the renderers."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["task", "event"]
Status = Literal["needs-action", "completed", "cancelled"]

NEEDS_ACTION: Status = "needs-action"
COMPLETED: Status = "completed"
CANCELLED: Status = "cancelled"


# The years an interview or any time a user gives may fall in: wide enough for any job
# search, far from the edges of what datetime and the zone data handle (steps land weeks
# after the interview), and what every VTIMEZONE covers (core/vtimezone.py).
FIRST_YEAR, LAST_YEAR = 2000, 2099

DEFAULT_DURATION = dt.timedelta(minutes=60)
ASSUMED_DEADLINE_DAYS = 7


@dataclass(frozen=True)
class Contact:
    """An interviewer. `key` is stable for the interview's life: UIDs are built from it."""

    key: int
    name: str
    email: str | None = None
    tz: str | None = None
    removed: bool = False  # taken off the interview: their open note is cancelled

    @property
    def display(self) -> str:
        if self.name and self.email:
            return f"{self.name} <{self.email}>"
        return self.name or self.email or ""


@dataclass(frozen=True)
class Interview:
    uid: str
    company: str
    role: str
    start: dt.datetime  # aware, in `tz`
    duration: dt.timedelta
    tz: str
    deadline: dt.date | None = None
    channel: str = "email"
    note: str = "email"
    location: str = ""
    contacts: tuple[Contact, ...] = ()
    country: str | None = None
    subdivision: str | None = None
    language: str | None = None  # of the drafts and titles; None: the config's `language`
    id: int | None = None

    @property
    def end(self) -> dt.datetime:
        # Elapsed time, not wall-clock: an interview spanning a DST change still lasts its duration.
        return (self.start.astimezone(dt.timezone.utc) + self.duration).astimezone(self.start.tzinfo)

    @property
    def deadline_assumed(self) -> bool:
        return self.deadline is None

    @property
    def effective_deadline(self) -> dt.date:
        if self.deadline is not None:
            return self.deadline
        return self.end.date() + dt.timedelta(days=ASSUMED_DEADLINE_DAYS)

    @property
    def title(self) -> str:
        return f"{self.role} at {self.company}"


def interview_uid(company: str, role: str, start: dt.datetime) -> str:
    """Deterministic, so the same interview added on two machines is one calendar object."""
    text = f"{company}\x1f{role}\x1f{start.astimezone(dt.timezone.utc).isoformat()}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Outcome:
    kind: str
    recorded: dt.datetime  # aware


@dataclass(frozen=True)
class ItemState:
    """What the user did to one item: the planner's input besides the interview."""

    completed: dt.datetime | None = None
    override: dt.datetime | None = None  # a snoozed/moved due time the user chose
    dismissed: bool = False  # deleted in another client: keep it cancelled, never recreate
    pinned_due: dt.datetime | None = None  # the due time it had when it was closed


@dataclass(frozen=True)
class PlannedItem:
    """One step of the plan, as the planner computes it (no storage metadata)."""

    key: str  # unique within the interview: the step id, or step id + contact key
    step: str
    kind: Kind
    summary: str
    description: str
    status: Status
    tz: str
    start: dt.datetime | dt.date | None = None
    due: dt.datetime | None = None
    end: dt.datetime | dt.date | None = None
    alarm: dt.datetime | None = None  # absolute, aware
    completed: dt.datetime | None = None
    contacts: tuple[str, ...] = ()
    location: str = ""
    email: bool = False  # a message step: carries the proofreading checklist
    overridden: bool = False
    notes: tuple[str, ...] = field(default=())  # why a time was moved (busy, holiday, ...)

    @property
    def all_day(self) -> bool:
        return isinstance(self.start, dt.date) and not isinstance(self.start, dt.datetime)

    @property
    def sort_time(self) -> dt.datetime:
        moment = self.due or self.start
        if isinstance(moment, dt.datetime):
            return moment.astimezone(dt.timezone.utc)
        assert isinstance(moment, dt.date)
        return dt.datetime.combine(moment, dt.time(0), tzinfo=dt.timezone.utc)
