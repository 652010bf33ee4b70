"""Plain values shared by the planner, the store and the renderers."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import MISSING, dataclass, field, replace
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
    """A person on an interview: an interviewer, or the decision contact who did not
    interview you. `key` is stable for the interview's life: UIDs are built from it."""

    key: int
    name: str
    email: str | None = None
    tz: str | None = None
    removed: bool = False  # taken off the interview: their open note is cancelled
    phone: str | None = None  # the number to dial for calls
    title: str | None = None  # how they are addressed formally, as written: "Dr", "Prof."
    # False for a decision contact who did not interview you (often HR): they get the
    # status email and the calls, but no thank-you and no formal note.
    interviewer: bool = True

    @property
    def full_name(self) -> str:
        return f"{self.title} {self.name}" if self.title and self.name else self.name

    @property
    def display(self) -> str:
        if self.full_name and self.email:
            return f"{self.full_name} <{self.email}>"
        return self.full_name or self.email or ""

    @property
    def card(self) -> str:
        """Everything known about how to reach them: "Dr Jane Doe <jane@…> +44 20 …"."""
        return f"{self.display} {self.phone}".strip() if self.phone else self.display


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
    held: str = "onsite"  # onsite | video | phone (vocab.HELD)
    decision_key: int | None = None  # the contact who announces the decision; None: the lead
    round: int = 1  # 2 for a second interview, ...
    round_of: int | None = None  # the id of the earlier round, when it is stored
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

    @property
    def interviewers(self) -> tuple[Contact, ...]:
        """The panel still on the interview (a decision contact who did not interview you is not)."""
        return tuple(c for c in self.contacts if c.interviewer and not c.removed)

    @property
    def decision_contact(self) -> Contact | None:
        """Who announces the decision: the one named, else the first interviewer."""
        named = next((c for c in self.contacts if c.key == self.decision_key and not c.removed),
                     None)
        return named or next(iter(self.interviewers), None)

    def with_decision_contact(self, person: Contact | None) -> Interview:
        """The interview with `person` as its decision contact (None: unchanged).

        Someone already on the interview (same email, or same name when neither has an
        email) is that contact, with what `person` adds (phone, title); anyone else joins
        as a contact who did not interview you. A previous decision contact who did not
        interview you is taken off."""
        if person is None:
            return self
        contacts = list(self.contacts)
        # A removed interviewer stays removed; a decision contact named again comes back.
        index = next((i for i, c in enumerate(contacts)
                      if (not c.removed or not c.interviewer) and _same(c, person)), None)
        if index is None:
            key = max((c.key for c in contacts), default=0) + 1
            contacts.append(replace(person, key=key, interviewer=False, removed=False))
        else:
            found = contacts[index]
            key = found.key
            contacts[index] = replace(found, phone=person.phone or found.phone,
                                      title=person.title or found.title,
                                      name=found.name or person.name, removed=False)
        contacts = [replace(c, removed=True) if not c.interviewer and c.key != key else c
                    for c in contacts]
        return replace(self, contacts=tuple(contacts), decision_key=key)

    def without_decision_contact(self) -> Interview:
        """Back to the default: the first interviewer announces the decision."""
        contacts = tuple(replace(c, removed=True) if not c.interviewer else c
                         for c in self.contacts)
        return replace(self, contacts=contacts, decision_key=None)


def _same(a: Contact, b: Contact) -> bool:
    if a.email and b.email:
        return a.email.lower() == b.email.lower()
    return not a.email and not b.email and a.name.lower() == b.name.lower()


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

    @staticmethod
    def made(fields: dict[str, object], **more: object) -> PlannedItem:
        """PlannedItem(**fields, **more) at a third of its cost (the planner makes one per
        item: 13,000 for an import): the frozen __init__ sets each field through
        object.__setattr__; this fills the new item's __dict__ in one call, in the same
        order, with the same checks (every field without a default, no unknown field)."""
        item = object.__new__(PlannedItem)
        values = item.__dict__
        values.update(_PLANNED_DEFAULTS, **fields, **more)  # a name given twice: TypeError
        # An unknown field adds a key; a required one may come in `fields` (the planner's
        # way: no union of the keys) or in `more`.
        if len(values) != len(_PLANNED_DEFAULTS) or not (
                _PLANNED_REQUIRED <= fields.keys() or _PLANNED_REQUIRED <= fields.keys() | more.keys()):
            given = fields.keys() | more.keys()
            raise TypeError(f"PlannedItem fields missing {sorted(_PLANNED_REQUIRED - given)},"
                            f" unknown {sorted(given - _PLANNED_FIELDS)}")
        return item

    def but(self, **changes: object) -> PlannedItem:
        """dataclasses.replace(self, **changes) at a fifth of its cost (an import makes
        17,000 such copies): PlannedItem has no __post_init__ and no init=False field, so a
        copy of its fields with some of them changed is the item replace would build."""
        if not changes.keys() <= _PLANNED_FIELDS:
            raise TypeError(f"PlannedItem has no field {sorted(changes.keys() - _PLANNED_FIELDS)}")
        copy = object.__new__(PlannedItem)
        copy.__dict__.update(self.__dict__, **changes)  # past the frozen __setattr__
        return copy

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


_PLANNED_FIELDS = frozenset(PlannedItem.__dataclass_fields__)
# Every field in order, with its default (None for those without: made() checks they are given).
_PLANNED_DEFAULTS = {name: None if f.default is MISSING else f.default
                     for name, f in PlannedItem.__dataclass_fields__.items()}
_PLANNED_REQUIRED = frozenset(name for name, f in PlannedItem.__dataclass_fields__.items()
                              if f.default is MISSING)
