"""The operations behind the commands: validate, plan, store, render.

`with service.change():` is the only way to change state: one transaction, and when the
revision moved, what follows every change (app/effects.py). The operations below run
inside it; nothing here prints (problems that do not stop a command go to `warnings`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import operator
from collections.abc import Collection, Container, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

from followup.app.edits import Edit, apply_edit
from followup.app.effects import Effects
from followup.busy import load_busy
from followup.config import Config, Paths
from followup.core import inputs
from followup.core.drafts import calendar_draft_text, has_draft
from followup.core.letters import IN_MAILBOX
from followup.core.memo import bounded
from followup.core.model import (
    COMPLETED,
    LAST_YEAR,
    NEEDS_ACTION,
    Interview,
    ItemState,
    Outcome,
    PlannedItem,
)
from followup.core.notes import clean as clean_notes
from followup.core.planner import People, plan
from followup.core.render import RENDER_VERSION, Meta, Render, render_item, render_items
from followup.core.schedule import Busy, Person, public_holidays
from followup.core.vocab import OUTCOMES
from followup.core.wording import Style
from followup.errors import UsageError
from followup.feed.calendar import calendar_bytes
from followup.feed.publish import stamp_revision
from followup.mail.state import MailState
from followup.store import ItemRow, ReadOnlyStoreError, Store, iso, parse_moment, utc_iso
from followup.sync.remote_calendar import remote_objects

# The outcome that closes an earlier round's chase once a later round has an answer: derived
# when planning, never stored, never reported.
NEXT_ROUND = "next-round"


def item_uid(interview: Interview, key: str) -> str:
    return f"followup-{interview.uid}-{key}"


def validate(interview: Interview) -> None:
    # Interviews from invitations and files meet the same limits as typed ones: the planner
    # and the zone data are safe only within them.
    inputs.about("at", lambda: inputs.in_range(
        interview.start, f"{interview.start:%Y-%m-%d %H:%M}", "interview time"))
    if not interview.company.strip():
        raise UsageError("the company is empty", field="company")
    if not interview.role.strip():
        raise UsageError("the role is empty", field="role")
    if interview.deadline is not None and interview.deadline < interview.start.date():
        raise UsageError(f"the deadline {interview.deadline} is before the interview"
                         f" ({interview.start.date()})", field="deadline")


# Part of the settings fingerprint: raise it when the planner's rules change, so that the
# next command re-plans every stored interview by the new rules (PLAYBOOK.md, rule 7).
PLAN_RULES = 2
SETTINGS_KEY = "plan_settings"
DAY_KEY = "plan_day"
RENDER_KEY = "render_version"  # the form of the stored renders (render_version())


def fingerprint(item: PlannedItem) -> str:
    """A digest of what the item renders to: equal values give equal digests whatever
    tzinfo object carries them (a time read back from the store has a fixed offset).
    The planner's notes are not rendered: a new reason alone is no new SEQUENCE."""
    values = list(_item_fields(item))
    for index in _TIMES:
        value = values[index]
        if value is not None:  # most items have no start, end or completed time
            values[index] = _canonical(value)
    # The notes as () (what they were when the digest was first made: stored digests stay).
    values[_NOTES] = ()
    return hashlib.sha256(repr(values).encode()).hexdigest()


def _canonical(value: object) -> object:
    if isinstance(value, dt.datetime):
        return _utc_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _utc_text(moment: dt.datetime) -> str:
    """The UTC ISO text of the instant, remembered: an import's 13,000 items share a few
    thousand times. Keyed by the value as it comes (no conversion for a time seen before)
    and its fold: datetimes of one tzinfo compare by their wall times, and the two 01:30 of
    an autumn night are different instants; equal keys of other tzinfos are one instant."""
    key = (moment, moment.fold)
    text = _UTC_TEXTS.get(key)
    if text is None:
        text = bounded(_UTC_TEXTS, TIME_TEXTS_KEPT)[key] = (
            moment.astimezone(dt.timezone.utc).isoformat())
    return text


def _local_text(value: dt.datetime | dt.date | None) -> str | None:
    """store.iso(value), a time's text remembered as `_utc_text` does, its tzinfo in the key
    too: the text gives the wall time and its offset (equal tzinfos have equal offsets)."""
    if not isinstance(value, dt.datetime):
        return iso(value)
    key = (value, value.fold, value.tzinfo)
    text = _LOCAL_TEXTS.get(key)
    if text is None:
        text = bounded(_LOCAL_TEXTS, TIME_TEXTS_KEPT)[key] = value.isoformat()
    return text


def _sort_text(item: PlannedItem) -> str:
    """item.sort_time.isoformat(): for a time, the UTC text its fingerprint remembered."""
    moment = item.due or item.start
    if isinstance(moment, dt.datetime):
        return _utc_text(moment)
    return item.sort_time.isoformat()


TIME_TEXTS_KEPT = 4096  # entries of each table of time texts (UTC, local)
_UTC_TEXTS: dict[tuple[dt.datetime, int], str] = {}
_LOCAL_TEXTS: dict[tuple[dt.datetime, int, dt.tzinfo | None], str] = {}
_ITEM_FIELDS = tuple(f.name for f in dataclasses.fields(PlannedItem))  # in declared order
_item_fields = operator.attrgetter(*_ITEM_FIELDS)  # the values in that order, as a tuple
# The places of the fields that may hold a date or a time (the rest are text, flags and
# tuples of text), and of the notes.
_TIMES = tuple(n for n, f in enumerate(dataclasses.fields(PlannedItem))
               if "date" in str(f.type) or "datetime" in str(f.type))
_NOTES = _ITEM_FIELDS.index("notes")


def settings_fingerprint(config: Config) -> str:
    """What every plan depends on besides the interview: the user's zone, country, hours
    and playbook (rule 7), the planner's rules themselves, and the settings every open
    item's title and draft are written with (language, locale, name)."""
    text = repr((PLAN_RULES, config.user_tz, config.country, config.subdivision,
                 str(config.hours), config.steps, config.language, config.locale, config.name))
    return hashlib.sha256(text.encode()).hexdigest()


def render_version() -> str:
    """What the stored renders were made by: our renderer's version and icalendar's. Only
    commands that change state ask (they render, so icalendar is loaded for them anyway;
    its package metadata would take as long to read)."""
    import icalendar

    return f"{RENDER_VERSION}:icalendar {icalendar.__version__}"


@dataclasses.dataclass
class _ItemRows:
    """The rows a re-plan stores: new items (inserted) and changed ones (updated), and what
    their renders are made from (rendered together: `render()`)."""

    new: list[dict[str, object]] = dataclasses.field(default_factory=list)
    changed: list[dict[str, object]] = dataclasses.field(default_factory=list)
    renders: list[tuple[dict[str, object], Render]] = dataclasses.field(default_factory=list)

    def render(self) -> None:
        """Give the rows their VTODO and VEVENT texts, written in one go (render_items)."""
        made = render_items([render for _, render in self.renders])
        for (row, _), (vtodo, vevent) in zip(self.renders, made, strict=True):
            row["vtodo"], row["vevent"] = vtodo, vevent
        self.renders.clear()


def _frozen(item: PlannedItem, row: ItemRow) -> PlannedItem:
    """Closed items never move: keep the times they had when they were closed, in their zone
    (an IANA zone, never the store's fixed offset: CALENDAR_RULES 20), so that a changed
    setting leaves them, and their SEQUENCE, alone."""
    due = parse_moment(row.due, row.tz)
    return dataclasses.replace(
        item,
        start=parse_moment(row.start, row.tz),
        due=due if isinstance(due, dt.datetime) else None,
        end=parse_moment(row.end, row.tz),
        tz=row.tz,
    )


class Service:
    def __init__(self, paths: Paths, config: Config, now: dt.datetime,
                 store: Store | None = None, *, offline: bool = False) -> None:
        self.paths = paths
        self.config = config
        self.now = now.astimezone(dt.timezone.utc).replace(microsecond=0)
        self.offline = offline  # `--offline`: changes reach the remotes on `followup sync`
        self._store: Store | None = store  # opened on first use when not given
        self.warnings: list[str] = []  # said once on stderr by the CLI
        self.effects = Effects(paths, config, self.warnings.append)
        self._busy: list[Busy] | None = None
        self._holidays: dict[tuple[str, str | None], Container[dt.date]] = {}
        self._changing = False
        self._rerender = False  # while _catch_up renders stale stored renders again
        self._user_tz: str | None = None
        self._user_locale: str | None = None
        self._now_text = utc_iso(self.now)  # every row a change stores says when

    @property
    def store(self) -> Store:
        # Opened on first use: `followup plan` never creates a database.
        if self._store is None:
            self._store = Store(self.paths.database)
        return self._store

    def close(self) -> None:
        """Close the database if this service opened it."""
        if self._store is not None:
            self._store.close()

    @contextmanager
    def change(self, *, push: bool = True) -> Iterator[None]:
        """One transaction; when it moved the revision, after the commit the calendar file
        and the published files show it and the remotes get the change (unless `push` is
        False, as for what a sync pulls, or we are offline)."""
        if self._changing:  # already inside a change: it is part of the outer one
            yield
            return
        store = self.store
        with store.transaction():
            before = store.revision()
            self._changing = True
            try:
                self._catch_up()
                yield
            finally:
                self._changing = False
            changed = store.revision() != before
            if changed:
                stamp_revision(store, self.now)  # the feed's Last-Modified
                self.effects.check_calendar()
        if changed:
            self.effects.write_files(store, self.now)  # after the commit: files show it
            if push:
                self.effects.push(self, offline=self.offline)

    def refresh(self, *, push: bool = True) -> None:
        """Bring stored plans up to today and the settings, with nothing else to change; a
        database we may only read (a read-only home) is shown as it is."""
        if self.store.read_only:
            return
        try:
            with self.change(push=push):
                pass
        except ReadOnlyStoreError:
            # Opened for writing because SQLite's -wal and -shm files were left there (a
            # killed run), yet nothing in the folder can be written: show it as it is.
            pass

    def _catch_up(self) -> None:
        """Rule 7: when the zone, country, hours or playbook changed, re-plan the open items
        of every interview; rule 6: on the first change of a new day, re-plan the ones that
        have an overdue item. Items that do not move keep their bytes and SEQUENCE.

        After an upgrade that renders differently (render_version()), every interview is
        planned again so that each item's render can be made again: an item whose plan is
        the same gets the new form with its SEQUENCE, CREATED, LAST-MODIFIED and DTSTAMP
        kept (nothing changed in substance); an item whose plan moved (which the next
        re-plan would do anyway) is saved as any change is. Read-only commands (`list`,
        `show`, the page) show the stored renders as they are until then."""
        store = self.store
        settings, today = settings_fingerprint(self.config), self.today.isoformat()
        renders = render_version()
        stale = store.get_meta(RENDER_KEY) != renders
        if stale or store.get_meta(SETTINGS_KEY) != settings:
            ids = store.interview_ids()
        elif store.get_meta(DAY_KEY) != today:
            zone = ZoneInfo(self.config.user_tz)
            yesterday = dt.datetime.combine(self.today - dt.timedelta(days=1), dt.time(0), zone)
            ids = store.interviews_open_before(yesterday)
        else:
            return
        self._rerender = stale
        try:
            for interview_id in ids:
                self.replan(store.interview(interview_id))
        finally:
            self._rerender = False
        store.set_meta(SETTINGS_KEY, settings)
        store.set_meta(DAY_KEY, today)
        store.set_meta(RENDER_KEY, renders)

    @property
    def user_tz(self) -> str:
        """The config's zone, else the system's (looked up once: an import plans thousands)."""
        if self._user_tz is None:
            self._user_tz = self.config.user_tz
        return self._user_tz

    @property
    def today(self) -> dt.date:
        """The user's date: what a plan rolls forward from (rule 6)."""
        return self.now.astimezone(ZoneInfo(self.user_tz)).date()

    def calendar_path(self) -> Path:
        return self.effects.calendar_path()

    def calendar_bytes(self, profile: str = "full", feed: Mapping[str, object] | None = None,
                       leave_out: Collection[int] = ()) -> bytes:
        return calendar_bytes(self.store, profile, feed, leave_out)

    # -- planning -------------------------------------------------------------------

    def people(self, interview: Interview) -> People:
        """The user (config `timezone`, `country`, `hours`) and the contact's holidays: the
        interview's country, else the user's (the holidays package loads only when a plan
        needs a country)."""
        config = self.config
        try:
            own = self.holidays(config.country, config.subdivision)
        except UsageError as exc:
            raise UsageError(f"{config.file}: 'country': {exc}") from None
        theirs = self.holidays(interview.country, interview.subdivision) if interview.country else own
        return People(Person(self.user_tz, own), theirs, config.hours)

    def holidays(self, country: str | None, subdivision: str | None) -> Container[dt.date]:
        if not country:
            return frozenset()
        key = (country, subdivision)
        if key not in self._holidays:
            self._holidays[key] = public_holidays(country, subdivision)
        return self._holidays[key]

    def busy(self) -> list[Busy]:
        """Busy times of the user's calendars (config `busy`), read once per command."""
        if self._busy is None:
            self._busy = []
            if self.config.busy:
                def remote(entry: str) -> list[bytes]:
                    return remote_objects(entry, self.config.remotes, self.paths.data)

                begin = self.now - dt.timedelta(days=60)
                self._busy = load_busy(self.config.busy, begin, begin + dt.timedelta(days=425),
                                       self.config.user_tz, self.warnings.append, remote)
        return self._busy

    def style(self, interview: Interview) -> Style:
        """How the interview's messages are worded: its language (else the config's) in
        the user's locale."""
        if self._user_locale is None:  # the environment's, read once (an import plans thousands)
            self._user_locale = self.config.user_locale
        return Style(interview.language or self.config.language, self._user_locale)

    def _plan(self, interview: Interview, states: dict[str, ItemState] | None = None,
              outcomes: Sequence[Outcome] = ()) -> list[PlannedItem]:
        return plan(interview, states=states, outcomes=outcomes, playbook=self.config.steps,
                    people=self.people(interview), busy=self.busy(), today=self.today,
                    language=self.style(interview).language)

    def preview(self, interview: Interview) -> list[PlannedItem]:
        validate(interview)
        return self._plan(interview)

    def add(self, interview: Interview) -> Interview:
        validate(interview)
        if interview.round_of is not None:
            interview = self._as_next_round(interview)
        existing = self.store.find_interview(interview.company, interview.role, interview.start)
        if existing is not None:
            raise UsageError(
                f"this interview is stored already as interview {existing} ({interview.company!r},"
                f" {interview.role!r} at {interview.start:%Y-%m-%d %H:%M}); `followup show"
                f" {existing}` shows it"
            )
        stored = self.store.insert_interview(interview, self.now)
        self.replan(stored, new=True)
        return stored

    def _as_next_round(self, interview: Interview) -> Interview:
        assert interview.round_of is not None
        earlier = self.store.interview(interview.round_of)
        if interview.start <= earlier.start:
            raise UsageError(
                f"a later round starts after the earlier one: interview {earlier.id} is at"
                f" {earlier.start:%Y-%m-%d %H:%M} {earlier.tz}", field="at")
        return dataclasses.replace(interview, round=earlier.round + 1)

    def plan_outcomes(self, interview_id: int) -> list[Outcome]:
        """The outcomes the plan follows: the recorded ones, and, once a later round has an
        answer, a `next-round` one that closes this round's chase at that moment."""
        outcomes = self.store.outcomes(interview_id)
        closed = self._later_round_answered(interview_id)
        if closed is not None:
            outcomes.append(Outcome(NEXT_ROUND, closed))
        return outcomes

    def _later_round_answered(self, interview_id: int) -> dt.datetime | None:
        moments = []
        for later in self.store.later_rounds(interview_id):
            moments += [o.recorded for o in self.store.outcomes(later)[:1]]
            deeper = self._later_round_answered(later)
            if deeper is not None:
                moments.append(deeper)
        return min(moments, default=None)

    def replan(self, interview: Interview, *, new: bool = False) -> int:
        """Plan again from what is stored; store what changed. Returns how many items changed.

        An item the plan no longer has (the reply to an outcome taken back) is deleted.
        `new`: the interview was just stored, so it has no items, outcomes, notes, drafts
        in the mailbox or later rounds yet (an import adds thousands: no queries for them)."""
        assert interview.id is not None
        rows: dict[str, ItemRow] = {}
        notes: str | None = None
        in_mailbox: set[str] = set()
        if not new:
            # The stored renders are read only to be compared with fresh ones (_catch_up).
            rows = {row.key: row for row in self.store.items(interview.id,
                                                              light=not self._rerender)}
            notes = self.store.notes(interview.id)
            in_mailbox = MailState(self.store.db).drafted_items(interview.id)
        planned = self._plan(
            interview,
            states={key: row.state for key, row in rows.items()},
            outcomes=self.plan_outcomes(interview.id) if not new else (),
        )
        gone = [row.id for key, row in rows.items() if key not in {i.key for i in planned}]
        self.store.delete_items(gone)
        changed = len(gone)
        purposes = {step.id: step.purpose for step in self.config.steps}
        style = self.style(interview)
        next_id: int | None = None  # new items are numbered in plan order
        rows_out = _ItemRows()  # written together: one statement each per re-plan
        for item in planned:
            old = rows.get(item.key)
            if old is not None and old.status != NEEDS_ACTION and item.status != NEEDS_ACTION:
                item = _frozen(item, old)
            new_id = None
            if old is None:
                new_id = next_id if next_id is not None else self.store.next_item_id()
                next_id = new_id + 1
            where = None
            if item.email and item.status == NEEDS_ACTION and has_draft(item.step):
                item = with_draft(item, interview, notes, self.config.name, style)
                ref = old.id if old is not None else new_id
                where = f"The draft is on your followup page and in `followup draft {ref}`."
                if item_uid(interview, item.key) in in_mailbox:
                    item = item.but(description=f"{item.description}\n\n{IN_MAILBOX}")
                    where = IN_MAILBOX
            shown = event_form(item, purposes.get(item.step), where)
            changed += self._save(interview, item, old, shown, new_id, rows_out)
        rows_out.render()
        self.store.add_items(rows_out.new)
        self.store.upsert_items(rows_out.changed)
        if changed:
            self.store.bump_revision()
        return changed

    def _save(self, interview: Interview, item: PlannedItem, old: ItemRow | None,
              shown: PlannedItem, new_id: int | None,
              rows_out: _ItemRows) -> int:
        """Store an item when it changed; `shown` is its form as a calendar event. A new
        item's row goes to `rows_out.new`, a changed one's to `rows_out.changed`, and what
        it renders from to `rows_out.renders`: the caller renders and writes them."""
        print_ = fingerprint(item)
        notes = "\n".join(item.notes)
        uid = item_uid(interview, item.key)
        if old is not None and old.fingerprint == print_:
            if old.notes != notes:  # a new reason for the same time: no calendar change
                self.store.set_item_notes(old.id, notes)
            if not self._rerender:
                return 0
            # Rendered by an older version: the same item, its revision kept, in the new form.
            kept = Meta(uid, interview.uid, item_uid(interview, "interview"), old.sequence,
                        dt.datetime.fromisoformat(old.created),
                        dt.datetime.fromisoformat(old.modified))
            renders = render_item(item, kept, shown)
            if renders == (old.vtodo, old.vevent):
                return 0
            self.store.set_renders(old.id, *renders)
            return 1
        created = dt.datetime.fromisoformat(old.created) if old else self.now
        sequence = old.sequence + 1 if old else 0
        meta = Meta(
            uid=uid,
            interview_uid=interview.uid,
            parent_uid=item_uid(interview, "interview"),
            sequence=sequence,
            created=created,
            modified=self.now,
        )
        row: dict[str, object] = {
            **({"id": new_id} if new_id is not None else {}),
            "uid": uid,
            "interview_id": interview.id,
            "key": item.key,
            "step": item.step,
            "kind": item.kind,
            "summary": item.summary,
            "status": item.status,
            "tz": item.tz,
            "start": _local_text(item.start),
            "due": _local_text(item.due),
            "end": _local_text(item.end),
            "sort_utc": _sort_text(item),
            "completed": _utc_text(item.completed) if item.completed else None,
            "fingerprint": print_,
            "notes": notes,
            "sequence": sequence,
            "created": utc_iso(created) if old else self._now_text,
            "modified": self._now_text,
        }
        (rows_out.new if old is None else rows_out.changed).append(row)
        rows_out.renders.append((row, (item, meta, shown)))  # rendered with the others
        return 1

    def update(self, interview: Interview) -> Interview:
        """Store an edited interview and re-plan what depends on it."""
        assert interview.id is not None
        validate(interview)
        existing = self.store.find_interview(interview.company, interview.role, interview.start)
        if existing is not None and existing != interview.id:
            raise UsageError(
                f"interview {existing} already has {interview.company!r}, {interview.role!r}"
                f" at {interview.start:%Y-%m-%d %H:%M}; change the time, the company or the role"
            )
        self.store.update_interview(interview)
        stored = self.store.interview(interview.id)
        self.replan(stored)
        return stored

    def edit(self, interview_id: int, edit: Edit) -> Interview | None:
        """Apply an edit and re-plan; None when it changes nothing."""
        if edit.empty:
            raise UsageError("nothing to change; give at least one change")
        current = self.store.interview(interview_id)
        edited = apply_edit(current, edit)
        if edited == current:
            return None
        return self.update(edited)

    def save_notes(self, interview_id: int, text: str) -> tuple[str, list[tuple[ItemRow, str]]]:
        """Store the notes on an interview; saving non-empty notes completes its notes step.

        Returns what happened ("unchanged", "empty" or "saved") and the steps completed."""
        existing = self.store.notes(interview_id)
        cleaned = clean_notes(text)
        if cleaned == existing:
            return "unchanged", []
        if not cleaned:
            return "empty", []
        self.store.set_notes(interview_id, cleaned, self.now)
        open_steps = [str(row.id) for row in self.store.items(interview_id, kinds=("task",))
                      if row.step == "notes" and row.status == NEEDS_ACTION]
        if open_steps:
            return "saved", self.done(open_steps)
        self.replan(self.store.interview(interview_id))  # drafts in the calendar use the notes
        return "saved", []

    def snooze_as_typed(self, ref: str, when: str | None) -> ItemRow:
        """`snooze` by a duration ("2d", counted from the later of the due time and now),
        to a time ("2026-12-17 08:30"), or back to the plan (None)."""
        row = self.store.item_by_ref(ref)
        due = None
        if when is not None:
            base = max(dt.datetime.fromisoformat(row.due), self.now) if row.due else self.now
            due = inputs.snooze_target(when, base, self.config.user_tz)
        return self.snooze(ref, due)

    def snooze(self, ref: str, due: dt.datetime | None) -> ItemRow:
        """Move one open task to `due` (None: back to the plan); the choice survives re-plans."""
        row = self._task_rows([ref], "snoozed")[0]
        if row.status != NEEDS_ACTION:
            raise UsageError(f"item {row.id} is {row.status}; only open tasks can be snoozed")
        interview = self.store.interview(row.interview_id)
        if due is not None:
            if due < interview.end:
                raise UsageError(
                    f"{due:%Y-%m-%d %H:%M} is before the interview ended"
                    f" ({interview.end:%Y-%m-%d %H:%M}); snooze to a later time"
                )
            if due < self.now:
                raise UsageError(f"{due:%Y-%m-%d %H:%M} is in the past; snooze to a later time")
            planned = dt.datetime.fromisoformat(row.due) if row.due else self.now
            if due > max(planned, self.now) + inputs.MAX_SNOOZE or due.year > LAST_YEAR:
                raise UsageError(f"{due:%Y-%m-%d %H:%M} is more than a year off; snooze to an"
                                 " earlier time")
        self.store.set_override(row.id, due)
        self.replan(interview)
        return self.store.item_by_ref(str(row.id))

    # -- check-off and outcomes --------------------------------------------------------

    def done(self, refs: Sequence[str], when: dt.datetime | None = None) -> list[tuple[ItemRow, str]]:
        """Complete tasks. Returns (row, what happened) for each ref, all or nothing."""
        moment = (when or self.now).astimezone(dt.timezone.utc).replace(microsecond=0)
        return self._check_off(refs, moment, "marked done", ("already done", "done"))

    def undo(self, refs: Sequence[str]) -> list[tuple[ItemRow, str]]:
        return self._check_off(refs, None, "re-opened", ("not done", "re-opened"))

    def _check_off(self, refs: Sequence[str], completed: dt.datetime | None, verb: str,
                   said: tuple[str, str]) -> list[tuple[ItemRow, str]]:
        """Set or clear the completion of tasks; `said` is (nothing to do, done it)."""
        rows = self._task_rows(refs, verb)
        results = []
        for row in rows:
            if (row.status == COMPLETED) == (completed is not None):
                results.append((row, said[0]))
                continue
            self.store.set_completed(row.id, completed)
            results.append((row, said[1]))
        self._replan_rows(rows)
        return [(self.store.item_by_ref(str(row.id)), what) for row, what in results]

    def _task_rows(self, refs: Sequence[str], verb: str) -> list[ItemRow]:
        rows = [self.store.item_by_ref(ref) for ref in refs]
        for row in rows:
            if row.kind != "task":
                raise UsageError(
                    f"item {row.id} ({row.summary}) is a calendar event, not a task;"
                    f" only tasks can be {verb}"
                )
        return rows

    def _replan_rows(self, rows: Sequence[ItemRow]) -> None:
        for interview_id in sorted({row.interview_id for row in rows}):
            self.replan(self.store.interview(interview_id))

    def complete(self, refs: Sequence[str], at: dt.datetime | None) -> list[tuple[ItemRow, str]]:
        """`done` as the user typed it: a time given with --at is checked first."""
        if at is not None:
            for ref in refs:
                row = self.store.item_by_ref(ref)
                self.check_moment(self.store.interview(row.interview_id), at, "you did it")
        return self.done(refs, at)

    def check_moment(self, interview: Interview, when: dt.datetime, what: str,
                     after_start: bool = True) -> None:
        """A time the user gave for something that happened: not later than now, and (for
        what follows the interview) not before the interview started."""
        zone = ZoneInfo(self.config.user_tz)
        if when > self.now:
            raise UsageError(f"{when.astimezone(zone):%Y-%m-%d %H:%M} is in the future;"
                             f" give the time {what}", field="at")
        if after_start and when < interview.start:
            raise UsageError(
                f"{when.astimezone(zone):%Y-%m-%d %H:%M} is before interview {interview.id}"
                f" started ({interview.start.astimezone(zone):%Y-%m-%d %H:%M}); give the time"
                f" {what}", field="at")

    def outcome(self, interview_id: int, kind: str, when: dt.datetime | None = None, *,
                replace: bool = False) -> bool:
        """Record the employer's answer; False when that outcome was already recorded.

        One outcome per interview: a second one is refused unless it `replace`s the last
        (after `reply`, "the process goes on", a later answer is recorded beside it)."""
        if kind not in OUTCOMES:
            raise UsageError(f"unknown outcome {kind!r}; use one of: {', '.join(OUTCOMES)}")
        interview = self.store.interview(interview_id)
        if when is not None:  # one may withdraw before the interview
            self.check_moment(interview, when, "they answered", after_start=kind != "withdrawn")
        recorded = self.store.outcomes(interview_id)
        last = recorded[-1] if recorded else None
        if replace:
            if last is None:
                raise UsageError(f"interview {interview_id} has no outcome to replace;"
                                 " leave out --replace", field="replace")
            if any(o.kind == kind for o in recorded[:-1]):
                raise UsageError(f"interview {interview_id} has the outcome {kind!r} already")
            self.store.remove_last_outcome(interview_id)
        elif any(o.kind == kind for o in recorded):
            return False
        elif last is not None and last.kind != "reply":
            raise UsageError(
                f"interview {interview_id} already has the outcome {last.kind!r}; give --replace"
                f" to replace it with {kind!r}, or `followup outcome {interview_id} --clear` to"
                " remove it")
        self.store.add_outcome(interview_id, Outcome(kind, (when or self.now)))
        self._replan_rounds(interview)
        return True

    def clear_outcome(self, interview_id: int) -> Outcome:
        """Take back the outcome recorded last: the plan is what it would be without it."""
        interview = self.store.interview(interview_id)
        removed = self.store.remove_last_outcome(interview_id)
        if removed is None:
            raise UsageError(f"interview {interview_id} has no outcome to clear")
        self._replan_rounds(interview)
        return removed

    def _replan_rounds(self, interview: Interview) -> None:
        """Re-plan an interview and its earlier rounds: an answer in round 2 closes round 1."""
        seen: set[int] = set()
        current: Interview | None = interview
        while current is not None and current.id not in seen:
            assert current.id is not None
            seen.add(current.id)
            self.replan(current)
            earlier = current.round_of
            current = self.store.interview(earlier) if earlier is not None else None

    def remove(self, interview_id: int) -> Interview:
        """Remove an interview and everything planned for it; remotes lose its objects on the
        push that follows, the calendar file and the feeds with this change."""
        interview = self.store.interview(interview_id)
        self.store.delete_interview(interview_id, self.now)
        self.store.bump_revision()
        if interview.round_of is not None:
            self._replan_rounds(self.store.interview(interview.round_of))
        return interview


def with_draft(item: PlannedItem, interview: Interview, notes: str | None,
               name: str | None, style: Style) -> PlannedItem:
    """An open step with a draft: its task (VTODO: task apps, Thunderbird) carries it once.
    Its dates are written as on the day it is due."""
    day = item.due.date() if item.due is not None else None
    text = calendar_draft_text(interview, item.key, item.step, notes, name, style, day)
    return item.but(description=f"{item.description}\n\nDraft:\n\n{text}")


def event_form(item: PlannedItem, purpose: str | None, where: str | None) -> PlannedItem:
    """The item as a calendar event, for the `events` feed that Google and phones read.

    Google drops a feed over 1 MB (CALENDAR_RULES.md rule 24), so an event says each
    thing once: the step's purpose, and where its draft is (the page, `followup draft`),
    never the draft. Who you meet is said once, in the interview's description (Google
    shows no CONTACT); its time and place are DTSTART and LOCATION.
    """
    text = purpose if purpose is not None else item.description.split("\n\n", 1)[0]
    if item.step == "interview" and item.contacts:
        text = "With " + ", ".join(item.contacts)
    return item.but(description=text + (f"\n\n{where}" if where else ""), contacts=())
