"""The operations behind the commands: validate, plan, store, render, write the calendar.

Each public method runs inside the caller's `store.transaction()`; nothing here prints.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from followup.config import Config, Paths, system_timezone
from followup.core.drafts import calendar_text, has_draft
from followup.core.model import (
    COMPLETED,
    NEEDS_ACTION,
    Interview,
    ItemState,
    Outcome,
    PlannedItem,
)
from followup.core.planner import plan
from followup.core.playbook import Step
from followup.core.schedule import BusinessDays, Busy, public_holidays
from followup.core.vocab import OUTCOMES
from followup.errors import UsageError
from followup.store import ItemRow, Store, iso, parse_moment, utc_iso

CALENDAR_NAME = "Job search follow-up"


def item_uid(interview: Interview, key: str) -> str:
    return f"followup-{interview.uid}-{key}"


def validate(interview: Interview) -> None:
    if not interview.company.strip():
        raise UsageError("the company is empty; give it with --company")
    if not interview.role.strip():
        raise UsageError("the role is empty; give it with --role")
    if interview.deadline is not None and interview.deadline < interview.start.date():
        raise UsageError(
            f"the deadline {interview.deadline} is before the interview"
            f" ({interview.start.date()}); check --deadline"
        )


def fingerprint(item: PlannedItem) -> str:
    """A digest of what the item renders to: equal values give equal digests whatever
    tzinfo object carries them (a time read back from the store has a fixed offset)."""
    def canonical(value: object) -> object:
        if isinstance(value, dt.datetime):
            return value.astimezone(dt.timezone.utc).isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    values = [canonical(getattr(item, f.name)) for f in dataclasses.fields(item)]
    return hashlib.sha256(repr(values).encode()).hexdigest()


def _frozen(item: PlannedItem, row: ItemRow) -> PlannedItem:
    """Closed items never move: keep the times they had when they were closed."""
    due = parse_moment(row.due)
    return dataclasses.replace(
        item,
        start=parse_moment(row.start),
        due=due if isinstance(due, dt.datetime) else None,
        end=parse_moment(row.end),
    )


class Service:
    def __init__(self, paths: Paths, config: Config, now: dt.datetime,
                 store: Store | None = None) -> None:
        self.paths = paths
        self.config = config
        self.now = now.astimezone(dt.timezone.utc).replace(microsecond=0)
        self._store: Store | None = store  # opened on first use when not given
        self.warnings: list[str] = []  # said once on stderr by the CLI
        self._busy: list[Busy] | None = None
        self._playbook: tuple[Step, ...] | None = None

    @property
    def store(self) -> Store:
        # Opened on first use: `followup plan` never creates a database.
        if self._store is None:
            self._store = Store(self.paths.database)
        return self._store

    # -- planning -------------------------------------------------------------------

    def business_days(self, interview: Interview) -> BusinessDays:
        country = interview.country or self.config.country
        if not country:
            return BusinessDays()
        subdivision = interview.subdivision if interview.country else self.config.subdivision
        return BusinessDays(public_holidays(country, subdivision))

    def busy(self) -> list[Busy]:
        """Busy times of the user's calendars (config `busy`), read once per command."""
        if self._busy is None:
            self._busy = []
            if self.config.busy:
                from followup.busy import load_busy

                def remote(entry: str) -> list[bytes]:
                    from followup.sync.remote_calendar import remote_objects

                    return remote_objects(entry, self.config.raw, self.paths.data)

                begin = self.now - dt.timedelta(days=60)
                self._busy = load_busy(self.config.busy, begin, begin + dt.timedelta(days=425),
                                       self.config.timezone or system_timezone(),
                                       self.warnings.append, remote)
        return self._busy

    @property
    def playbook(self) -> tuple[Step, ...]:
        """The default playbook, or the user's changes to it (config `playbook`, else
        playbook.toml beside the config)."""
        if self._playbook is None:
            from followup.core.playbook import DEFAULT_PLAYBOOK, load_playbook

            configured = self.config.playbook
            path = Path(configured).expanduser() if configured else self.paths.config / "playbook.toml"
            self._playbook = load_playbook(path) if configured or path.exists() else DEFAULT_PLAYBOOK
        return self._playbook

    def _plan(self, interview: Interview, states: dict[str, ItemState] | None = None,
              outcomes: Sequence[Outcome] = ()) -> list[PlannedItem]:
        return plan(interview, states=states, outcomes=outcomes, playbook=self.playbook,
                    days=self.business_days(interview), busy=self.busy())

    def preview(self, interview: Interview) -> list[PlannedItem]:
        validate(interview)
        return self._plan(interview)

    def add(self, interview: Interview) -> Interview:
        validate(interview)
        existing = self.store.find_interview(interview.company, interview.role, interview.start)
        if existing is not None:
            raise UsageError(
                f"interview {existing} already has {interview.company!r}, {interview.role!r}"
                f" at {interview.start:%Y-%m-%d %H:%M}; `followup show {existing}` shows it"
            )
        stored = self.store.insert_interview(interview, self.now)
        self.replan(stored)
        return stored

    def replan(self, interview: Interview) -> int:
        """Plan again from what is stored; store what changed. Returns how many items changed."""
        assert interview.id is not None
        rows = {row.key: row for row in self.store.items(interview.id)}
        planned = self._plan(
            interview,
            states={key: row.state for key, row in rows.items()},
            outcomes=self.store.outcomes(interview.id),
        )
        changed = 0
        notes = self.store.notes(interview.id)
        for item in planned:
            if item.email and item.status == NEEDS_ACTION and has_draft(item.step):
                item = with_draft(item, interview, notes, self.config.name)
            old = rows.get(item.key)
            if old is not None and old.status != NEEDS_ACTION and item.status != NEEDS_ACTION:
                item = _frozen(item, old)
            changed += self._save(interview, item, old)
        if changed:
            self.store.bump_revision()
        return changed

    def _save(self, interview: Interview, item: PlannedItem, old: ItemRow | None) -> int:
        from followup.core.render import Meta, render_item

        print_ = fingerprint(item)
        if old is not None and old.fingerprint == print_:
            return 0
        uid = item_uid(interview, item.key)
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
        vtodo, vevent = render_item(item, meta)
        self.store.upsert_item(
            {
                "uid": uid,
                "interview_id": interview.id,
                "key": item.key,
                "step": item.step,
                "kind": item.kind,
                "summary": item.summary,
                "status": item.status,
                "tz": item.tz,
                "start": iso(item.start),
                "due": iso(item.due),
                "end": iso(item.end),
                "sort_utc": item.sort_time.isoformat(),
                "completed": utc_iso(item.completed) if item.completed else None,
                "fingerprint": print_,
                "sequence": sequence,
                "created": utc_iso(created),
                "modified": utc_iso(self.now),
                "vtodo": vtodo,
                "vevent": vevent,
            }
        )
        return 1

    def update(self, interview: Interview) -> Interview:
        """Store an edited interview and re-plan what depends on it."""
        assert interview.id is not None
        validate(interview)
        existing = self.store.find_interview(interview.company, interview.role, interview.start)
        if existing is not None and existing != interview.id:
            raise UsageError(
                f"interview {existing} already has {interview.company!r}, {interview.role!r}"
                f" at {interview.start:%Y-%m-%d %H:%M}; change --at, --company or --role"
            )
        self.store.update_interview(interview)
        stored = self.store.interview(interview.id)
        self.replan(stored)
        return stored

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

    def outcome(self, interview_id: int, kind: str, when: dt.datetime | None = None) -> bool:
        """Record the employer's answer; False when that outcome was already recorded."""
        if kind not in OUTCOMES:
            raise UsageError(f"unknown outcome {kind!r}; use one of: {', '.join(OUTCOMES)}")
        interview = self.store.interview(interview_id)
        if any(o.kind == kind for o in self.store.outcomes(interview_id)):
            return False
        self.store.add_outcome(interview_id, Outcome(kind, (when or self.now)))
        self.replan(interview)
        return True

    # -- calendar output ----------------------------------------------------------------

    def calendar_bytes(self, profile: str = "full",
                       feed: Mapping[str, object] | None = None) -> bytes:
        from followup.core.render import assemble, calendar_header, in_profile

        texts: list[str] = []
        tzids: set[str] = set()
        years: list[int] = []
        for row in self.store.calendar_rows():
            want_todo, want_event = in_profile(profile, row["kind"], bool(row["has_slot"]))
            if want_todo and row["vtodo"]:
                texts.append(row["vtodo"])
            if want_event:
                texts.append(row["vevent"])
            if want_todo or want_event:
                tzids.add(row["tz"])
                years.append(int(row["year"]))
        span = (min(years), max(years)) if years else (2026, 2026)
        header = calendar_header(CALENDAR_NAME, tzids, span, feed)
        return assemble(header, texts)

    def calendar_path(self) -> Path:
        if self.config.calendar_file:
            return Path(self.config.calendar_file).expanduser()
        return self.paths.calendar_file

    def write_calendar(self) -> Path:
        path = self.calendar_path()
        write_atomic(path, self.calendar_bytes("full"))
        return path


def with_draft(item: PlannedItem, interview: Interview, notes: str | None,
               name: str | None) -> PlannedItem:
    """An open email task carries its draft and a mailto: link: one tap away on a phone."""
    text, mailto = calendar_text(interview, item.key, item.step, notes, name)
    extra = f"Draft:\n\n{text}" + (f"\n\nSend it: {mailto}" if mailto else "")
    return dataclasses.replace(item, description=f"{item.description}\n\n{extra}")


def write_atomic(path: Path, data: bytes) -> None:
    """Temp file in the same folder + rename: readers see the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise

