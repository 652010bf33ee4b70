"""The SQLite store: the source of truth. No planning or rendering happens here."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from followup.core.model import Contact, Interview, ItemState, Outcome
from followup.core.text import NOT_UTF8
from followup.errors import FollowupError, UsageError
from followup.files import make_private

# The schema as a list of steps: a database at user_version N runs steps N+1, N+2, ... in
# one transaction. Add a step at the end for every change; never edit a step that shipped.
SCHEMA_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE interviews (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    company TEXT NOT NULL,
    role TEXT NOT NULL,
    start TEXT NOT NULL,          -- ISO 8601 with offset, wall time in tz
    start_utc TEXT NOT NULL,
    tz TEXT NOT NULL,
    duration_s INTEGER NOT NULL,
    deadline TEXT,
    channel TEXT NOT NULL,
    note TEXT NOT NULL,
    location TEXT NOT NULL DEFAULT '',
    country TEXT,
    subdivision TEXT,
    next_contact_key INTEGER NOT NULL DEFAULT 1,
    created TEXT NOT NULL,
    UNIQUE (company, role, start_utc)
);
CREATE TABLE contacts (
    interview_id INTEGER NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    key INTEGER NOT NULL,
    name TEXT NOT NULL,
    email TEXT,
    tz TEXT,
    removed INTEGER NOT NULL DEFAULT 0,  -- kept so the removed interviewer's note stays cancelled
    PRIMARY KEY (interview_id, key)
);
CREATE TABLE notes (
    interview_id INTEGER PRIMARY KEY REFERENCES interviews(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE outcomes (
    id INTEGER PRIMARY KEY,
    interview_id INTEGER NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    recorded TEXT NOT NULL
);
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    interview_id INTEGER NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    step TEXT NOT NULL,
    kind TEXT NOT NULL,
    summary TEXT NOT NULL,
    status TEXT NOT NULL,
    tz TEXT NOT NULL,
    start TEXT,
    due TEXT,
    end TEXT,
    sort_utc TEXT NOT NULL,
    completed TEXT,
    override TEXT,
    dismissed INTEGER NOT NULL DEFAULT 0,
    fingerprint TEXT NOT NULL,
    sequence INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL,
    modified TEXT NOT NULL,
    vtodo TEXT,
    vevent TEXT NOT NULL,
    UNIQUE (interview_id, key)
);
CREATE INDEX items_open ON items (kind, status, sort_utc);
INSERT INTO meta VALUES ('revision', '0');
"""

# What the sync engine remembers per remote (sync/state.py). Before this step the tables
# were made on first use, so a database may have them already.
SYNC_TABLES = """
CREATE TABLE IF NOT EXISTS sync_objects (
    remote TEXT NOT NULL,
    target TEXT NOT NULL,
    href TEXT NOT NULL,
    etag TEXT NOT NULL,
    uid TEXT,
    ours INTEGER NOT NULL,
    sequence INTEGER NOT NULL DEFAULT -1,
    data_hash TEXT,
    pushed TEXT,
    server TEXT,
    PRIMARY KEY (remote, target, href)
);
CREATE INDEX IF NOT EXISTS sync_objects_uid ON sync_objects (remote, target, uid);
CREATE TABLE IF NOT EXISTS sync_gone (
    remote TEXT NOT NULL,
    target TEXT NOT NULL,
    uid TEXT NOT NULL,
    PRIMARY KEY (remote, target, uid)
);
CREATE TABLE IF NOT EXISTS sync_tokens (
    remote TEXT NOT NULL,
    target TEXT NOT NULL,
    token TEXT,
    PRIMARY KEY (remote, target)
);
"""

# What `followup mail` remembers (mail/state.py): where each folder's last check ended,
# our drafts, the invitations seen, the recruiter's last message. No message bodies.
MAIL_TABLES = """
CREATE TABLE mail_folders (
    folder TEXT PRIMARY KEY,
    uidvalidity INTEGER NOT NULL,
    uidnext INTEGER NOT NULL,
    checked TEXT NOT NULL
);
CREATE TABLE mail_drafts (
    message_id TEXT PRIMARY KEY,
    interview_id INTEGER NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    item_uid TEXT NOT NULL,
    folder TEXT NOT NULL,
    digest TEXT NOT NULL,
    created TEXT NOT NULL,
    current INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX mail_drafts_item ON mail_drafts (interview_id, item_uid, current);
CREATE TABLE mail_invitations (
    uid TEXT PRIMARY KEY,
    interview_id INTEGER REFERENCES interviews(id) ON DELETE CASCADE,
    folder TEXT,
    uidvalidity INTEGER,
    message_uid INTEGER,
    found TEXT NOT NULL
);
CREATE TABLE mail_threads (
    interview_id INTEGER PRIMARY KEY REFERENCES interviews(id) ON DELETE CASCADE,
    message_id TEXT NOT NULL,
    sent TEXT NOT NULL
);
"""

# The language an interview's drafts and titles are written in (NULL: the config's).
INTERVIEW_LANGUAGE = "ALTER TABLE interviews ADD COLUMN language TEXT"

# What the feed server last served to each kind of client, per profile (feed/status.py):
# `followup feed status` and the page tell from it whether a calendar has caught up.
FEED_FETCHES = """
CREATE TABLE feed_fetches (
    profile TEXT NOT NULL,
    client TEXT NOT NULL,         -- google, microsoft, apple, other
    revision INTEGER NOT NULL,
    fetched TEXT NOT NULL,        -- UTC ISO 8601
    PRIMARY KEY (profile, client)
);
"""

# Why the planner put an open item where it is ("moved to Friday: Thanksgiving Day in US"),
# one reason a line: `show` prints them without loading the planner. Not calendar data.
ITEM_NOTES = "ALTER TABLE items ADD COLUMN notes TEXT NOT NULL DEFAULT ''"

# How the interview was held, who announces the decision, rounds; phone and title of a
# contact, and whether they interviewed you; interviews removed with `followup rm`, so a
# sync never brings them back.
PEOPLE_AND_ROUNDS = """
ALTER TABLE interviews ADD COLUMN held TEXT NOT NULL DEFAULT 'onsite';
UPDATE interviews SET held = 'video' WHERE lower(ltrim(location)) LIKE 'http://%'
    OR lower(ltrim(location)) LIKE 'https://%' OR lower(ltrim(location)) LIKE 'www.%';
ALTER TABLE interviews ADD COLUMN decision_key INTEGER;
ALTER TABLE interviews ADD COLUMN round INTEGER NOT NULL DEFAULT 1;
ALTER TABLE interviews ADD COLUMN round_of INTEGER REFERENCES interviews(id) ON DELETE SET NULL;
ALTER TABLE contacts ADD COLUMN phone TEXT;
ALTER TABLE contacts ADD COLUMN title TEXT;
ALTER TABLE contacts ADD COLUMN interviewer INTEGER NOT NULL DEFAULT 1;
CREATE TABLE removed_interviews (uid TEXT PRIMARY KEY, removed TEXT NOT NULL);
"""

# What the calendar files show, so a change rewrites only the interviews it touched
# (feed/calendar_file.py). A trigger notes, per interview, the revision at which any of its
# items last changed (the revision before the change's bump: a file written at revision R
# is missing every change noted at R or later; since step 10 the statements that insert
# items note it themselves). `written_files` is what we last wrote to a
# path, `written_blocks` how many bytes each interview takes there, in interview order.
# (An upsert, not INSERT OR REPLACE: the conflict clause of the statement that fired a
# trigger overrides the trigger's own.)
CALENDAR_FILES = """
CREATE TABLE calendar_changes (interview_id INTEGER PRIMARY KEY, revision INTEGER NOT NULL);
CREATE INDEX calendar_changes_revision ON calendar_changes (revision);
CREATE TRIGGER items_inserted AFTER INSERT ON items BEGIN
    INSERT INTO calendar_changes SELECT NEW.interview_id, CAST(value AS INTEGER) FROM meta
        WHERE key = 'revision' ON CONFLICT (interview_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER items_updated AFTER UPDATE ON items BEGIN
    INSERT INTO calendar_changes SELECT moved.id, CAST(value AS INTEGER) FROM meta,
        (SELECT NEW.interview_id AS id UNION SELECT OLD.interview_id) AS moved
        WHERE key = 'revision' ON CONFLICT (interview_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER items_deleted AFTER DELETE ON items BEGIN
    INSERT INTO calendar_changes SELECT OLD.interview_id, CAST(value AS INTEGER) FROM meta
        WHERE key = 'revision' ON CONFLICT (interview_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE INDEX items_zones ON items (kind, tz);
CREATE TABLE written_files (
    path TEXT PRIMARY KEY,
    revision INTEGER NOT NULL,
    identity TEXT NOT NULL,       -- device, inode, size and mtime of the file we wrote
    header_sha256 TEXT NOT NULL,  -- of the header bytes written (feed/calendar.py)
    header_length INTEGER NOT NULL,
    left_out TEXT NOT NULL        -- the interviews a feed leaves out (feed/publish.py), JSON
);
CREATE TABLE written_blocks (
    path TEXT NOT NULL,
    interview_id INTEGER NOT NULL,
    length INTEGER NOT NULL,
    PRIMARY KEY (path, interview_id)
) WITHOUT ROWID;
"""

# `later_rounds` asks for the interviews that continue one: every re-plan of an interview asks.
ROUND_INDEX = "CREATE INDEX interviews_round_of ON interviews (round_of)"

# Items are inserted only by Store.add_items and upsert_items, which note the interviews in
# `calendar_changes` once per statement; a trigger per row made an import's item writes
# twice as slow (issue 14). Updates and deletes keep their triggers: those rows are few, and
# a cascade from a removed interview reaches them too.
NO_INSERT_TRIGGER = "DROP TRIGGER items_inserted"

MIGRATIONS: tuple[str, ...] = (
    SCHEMA_V1,           # 1: interviews, contacts, notes, outcomes, items, meta
    SYNC_TABLES,         # 2: sync state
    MAIL_TABLES,         # 3: mail state
    INTERVIEW_LANGUAGE,  # 4: interviews.language
    FEED_FETCHES,        # 5: what the feed served to whom
    ITEM_NOTES,          # 6: items.notes
    PEOPLE_AND_ROUNDS,   # 7: held, decision contact, rounds, phone and title; removed interviews
    CALENDAR_FILES,      # 8: what the calendar files show
    ROUND_INDEX,         # 9: later rounds found without reading every interview
    NO_INSERT_TRIGGER,   # 10: new items noted by the statement that stores them
)
SCHEMA_VERSION = len(MIGRATIONS)

# An item row holds ~2.5 KB of cached renders: 4 KiB pages (SQLite's default) fit one row
# each, so an import of 1,000 interviews wrote, checkpointed and read back 8,600 pages,
# each a system call or two. 16 KiB pages hold six rows: a fifth of the pages, a sixth
# smaller file, and the import's SQLite work a fifth cheaper (issue 14).
PAGE_SIZE = 16384

# Python 3.11's sqlite3 binds None only after looking for an adapter: it asks the protocol
# type for __adapt__, which formats an AttributeError and drops it, for every NULL (an
# import binds 35,000: a sixth of its item writes). An adapter of its own is found first.
sqlite3.register_adapter(type(None), lambda value: value)


@dataclass(slots=True)  # not frozen: frozen __init__ is several times slower per row
class ItemRow:
    """An item as stored: planned values plus revision metadata and cached renders."""

    id: int
    uid: str
    interview_id: int
    key: str
    step: str
    kind: str
    summary: str
    status: str
    tz: str
    start: str | None
    due: str | None
    end: str | None
    sort_utc: str
    completed: str | None
    override: str | None
    dismissed: int
    fingerprint: str
    sequence: int
    created: str
    modified: str
    notes: str = ""  # why the planner moved it, one reason a line
    vtodo: str | None = None  # cached renders: left out by `items(light=True)`
    vevent: str | None = None

    @property
    def state(self) -> ItemState:
        closed = self.status != "needs-action"
        return ItemState(
            completed=_parse_dt(self.completed),
            override=_parse_dt(self.override),
            dismissed=bool(self.dismissed),
            pinned_due=_parse_dt(self.due) if closed else None,
        )


ITEM_COLUMNS = ", ".join(ItemRow.__dataclass_fields__)


def item_json(row: ItemRow) -> dict[str, object]:
    """An item as `--json` shows it (README): the short id, the UID, its interview, times."""
    return {
        "id": row.id,
        "uid": row.uid,
        "interview": row.interview_id,
        "step": row.step,
        "kind": row.kind,
        "summary": row.summary,
        "start": row.start,
        "due": row.due,
        "end": row.end,
        "status": row.status,
        "completed": row.completed,
        "overridden": row.override is not None,
    }
LIGHT_COLUMNS = ", ".join(c for c in ItemRow.__dataclass_fields__ if c not in ("vtodo", "vevent"))


class ReadOnlyStoreError(FollowupError):
    """A change asked of a database this process may only read."""


def _cannot_write(exc: sqlite3.DatabaseError) -> bool:
    """An error that means the database or its folder cannot be written (not a lock)."""
    text = str(exc).lower()
    return "unable to open" in text or "readonly" in text or "read-only" in text


def row_id(text: str) -> int | None:
    """An id as typed ("12"), or None when it cannot be one: not ASCII digits ("²" is a digit
    to Python), or too large for SQLite's 64-bit integers."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        return None
    return int(text)


def parse_moment(text: str | None, tz: str | None = None) -> dt.datetime | dt.date | None:
    """A stored start/due/end: a date for all-day values, else an aware date-time. The text
    keeps only the UTC offset; given the item's `tz`, the time comes back in that zone."""
    if not text:
        return None
    if len(text) == 10:
        return dt.date.fromisoformat(text)
    moment = dt.datetime.fromisoformat(text)
    if tz is None:
        return moment
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(tz))


def _parse_dt(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def utc_iso(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).isoformat()


def _statements(script: str) -> Iterator[str]:
    """The statements of a schema step (a trigger's body has semicolons of its own)."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                yield pending
            pending = ""


def _filters(args: list[object], interview_id: int | None, statuses: Sequence[str] | None,
             before: dt.datetime | None) -> str:
    """The WHERE conditions the item queries share; their values are appended to `args`."""
    sql = ""
    if interview_id is not None:
        sql += " AND interview_id = ?"
        args.append(interview_id)
    if statuses is not None:
        sql += f" AND status IN ({','.join('?' * len(statuses))})"
        args.extend(statuses)
    if before is not None:
        sql += " AND sort_utc < ?"  # UTC ISO text of one format: text order is time order
        args.append(utc_iso(before))
    return sql


def _forms_sql(forms: Callable[[str, bool], tuple[bool, bool]]) -> str:
    """An SQL expression for the renders `forms(kind, has_slot)` keeps of an item (a task
    with a time has a slot: its event form too); other kinds never have one."""
    def pieces(kind: str, has_slot: bool) -> str:
        todo, event = forms(kind, has_slot)
        kept = (["coalesce(vtodo, '')"] if todo else []) + (["vevent"] if event else [])
        return " || ".join(kept) or "''"

    return (f"CASE WHEN kind = 'task' AND start IS NOT NULL THEN {pieces('task', True)}"
            f" WHEN kind = 'task' THEN {pieces('task', False)}"
            f" WHEN kind = 'event' THEN {pieces('event', False)}"
            f" ELSE {pieces('', False)} END")


@lru_cache(maxsize=8)
def _insert_sql(columns: tuple[str, ...]) -> str:
    """The statement for new items with these columns (made once: an import stores thousands)."""
    return f"INSERT INTO items ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


@lru_cache(maxsize=8)
def _upsert_sql(columns: tuple[str, ...]) -> str:
    """The statement for items with these columns, stored or not."""
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in ("id", "uid"))
    return f"{_insert_sql(columns)} ON CONFLICT (uid) DO UPDATE SET {updates}"


_INTERVIEW_COLUMNS = ("uid", "company", "role", "start", "start_utc", "tz", "duration_s",
                      "deadline", "channel", "note", "location", "country", "subdivision",
                      "next_contact_key", "created", "language", "held", "decision_key", "round",
                      "round_of")
_INSERT_INTERVIEW = (f"INSERT INTO interviews ({', '.join(_INTERVIEW_COLUMNS)})"
                     f" VALUES ({', '.join(':' + column for column in _INTERVIEW_COLUMNS)})")


def _integer(value: int | None) -> int | None:
    """An INTEGER column's value as SQLite gives it back (True is stored as 1)."""
    return None if value is None else int(value)


def _interview_of(row: Mapping[str, Any], contacts: Iterable[Mapping[str, Any]]) -> Interview:
    """An interview from its row and its contacts' rows (in key order), as stored: the one
    reading of them, whether they come from a query or were just written."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(row["tz"])
    return Interview(
        id=row["id"],
        uid=row["uid"],
        company=row["company"],
        role=row["role"],
        start=dt.datetime.fromisoformat(row["start"]).astimezone(zone),
        duration=dt.timedelta(seconds=row["duration_s"]),
        tz=row["tz"],
        deadline=dt.date.fromisoformat(row["deadline"]) if row["deadline"] else None,
        channel=row["channel"],
        note=row["note"],
        location=row["location"],
        contacts=tuple(
            Contact(key=c["key"], name=c["name"], email=c["email"], tz=c["tz"],
                    removed=bool(c["removed"]), phone=c["phone"], title=c["title"],
                    interviewer=bool(c["interviewer"]))
            for c in contacts),
        country=row["country"],
        subdivision=row["subdivision"],
        language=row["language"],
        held=row["held"],
        decision_key=row["decision_key"],
        round=row["round"],
        round_of=row["round_of"],
    )


class Store:
    """One SQLite database; every public command runs inside one `transaction()`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.read_only = False  # a home we may read but not write: see _open_read_only
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # It holds the feed token: 0600, and SQLite gives -wal and -shm the same mode.
            make_private(path)
            self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
        except (OSError, sqlite3.Error) as exc:
            raise FollowupError(f"cannot open the database {path}: {exc}") from None
        try:
            self._prepare()
            # Only a new database takes it (a WAL database keeps the size it was made with).
            self.db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            # WAL lets `list` and the feed read while another run writes.
            self.db.execute("PRAGMA journal_mode = WAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.db.close()
            if not (_cannot_write(exc) and self._open_read_only()):
                raise FollowupError(f"cannot read the database {path}: {exc}") from None

    def _prepare(self) -> None:
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA busy_timeout = 30000")

    def _open_read_only(self) -> bool:
        """Open a database we cannot write (a read-only FOLLOWUP_HOME, a backup on a read-only
        disk) for the commands that only read. A WAL database needs its -shm file even to be
        read; where that cannot be made, `immutable` reads the file as it is, which is what it
        holds when nothing can write it. Commands that change state get a clear error from
        `transaction()`. False when it cannot be read either."""
        if not self.path.is_file():
            return False
        from urllib.parse import quote

        for mode in ("mode=ro", "immutable=1"):
            try:
                self.db = sqlite3.connect(f"file:{quote(str(self.path))}?{mode}", uri=True,
                                          isolation_level=None, timeout=30)
                self._prepare()
                version = self.db.execute("PRAGMA user_version").fetchone()[0]
            except sqlite3.DatabaseError:
                self.db.close()
                continue
            self.read_only = True
            if version != SCHEMA_VERSION:
                self.db.close()
                newer = "a newer" if version > SCHEMA_VERSION else "an older"
                raise FollowupError(
                    f"the database {self.path} was written by {newer} followup and cannot be"
                    " upgraded here: its folder is read-only")
            return True
        return False

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise FollowupError(
                f"the database {self.path} was written by a newer followup; upgrade followup"
            )
        with self.transaction():
            # Re-read under the write lock: another process may have migrated meanwhile.
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            for step in MIGRATIONS[version:]:
                for statement in _statements(step):
                    self.db.execute(statement)
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self, *, durable: bool = True) -> Iterator[None]:
        """A write transaction taken up front, so concurrent runs queue instead of racing.

        durable=False: the commit does not wait for the disk (WAL, synchronous=NORMAL); a
        power cut may undo it, never corrupt it. Only for what can be made again."""
        if self.read_only:
            raise self._read_only_error()
        level = self.db.execute("PRAGMA synchronous").fetchone()[0]
        if not durable:
            self.db.execute("PRAGMA synchronous = NORMAL")
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if _cannot_write(exc):  # opened for writing, as its -wal and -shm were there
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                self.read_only = True  # what we could read stays readable
                raise self._read_only_error() from None
            raise
        finally:
            if not durable:
                self.db.execute(f"PRAGMA synchronous = {int(level)}")

    def _read_only_error(self) -> FollowupError:
        return ReadOnlyStoreError(f"cannot change anything: the database {self.path} is read-only"
                             " here (`list`, `show` and `export` still work)")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """A consistent read of several queries."""
        self.db.execute("BEGIN")
        try:
            yield
        finally:
            self.db.execute("COMMIT")

    # -- revision ------------------------------------------------------------------

    def revision(self) -> int:
        return int(self.db.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0])

    def bump_revision(self) -> int:
        self.db.execute(
            "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'"
        )
        return self.revision()

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def newest_modified(self) -> str | None:
        """The latest `modified` of any item (UTC ISO): the feed's Last-Modified."""
        newest: str | None = self.db.execute("SELECT max(modified) FROM items").fetchone()[0]
        return newest

    # -- interviews ----------------------------------------------------------------

    def find_interview(self, company: str, role: str, start: dt.datetime) -> int | None:
        row = self.db.execute(
            "SELECT id FROM interviews WHERE company = ? AND role = ? AND start_utc = ?",
            (company, role, utc_iso(start)),
        ).fetchone()
        return row[0] if row else None

    def insert_interview(self, interview: Interview, now: dt.datetime) -> Interview:
        """Store a new interview; returns it as `interview(id)` would read it back, made from
        the values written by the same conversions (SQLite gives TEXT and INTEGER values
        back as they were bound): an import stores thousands, two queries each saved."""
        row: dict[str, Any] = {
            "uid": interview.uid, "company": interview.company, "role": interview.role,
            "start": interview.start.isoformat(), "start_utc": utc_iso(interview.start),
            "tz": interview.tz, "duration_s": int(interview.duration.total_seconds()),
            "deadline": iso(interview.deadline), "channel": interview.channel,
            "note": interview.note, "location": interview.location,
            "country": interview.country, "subdivision": interview.subdivision,
            "next_contact_key": max((c.key for c in interview.contacts), default=0) + 1,
            "created": utc_iso(now), "language": interview.language, "held": interview.held,
            "decision_key": _integer(interview.decision_key), "round": int(interview.round),
            "round_of": _integer(interview.round_of),
        }
        cursor = self.db.execute(_INSERT_INTERVIEW, row)
        interview_id = cursor.lastrowid
        assert interview_id is not None
        row["id"] = interview_id
        contacts = self._write_contacts(interview_id, interview.contacts)
        # As `ORDER BY key` reads them: one row per key, the last one written (an upsert).
        by_key = {contact["key"]: contact for contact in contacts}
        return _interview_of(row, [by_key[key] for key in sorted(by_key)])

    def _write_contacts(self, interview_id: int,
                        contacts: Sequence[Contact]) -> list[dict[str, Any]]:
        """Contacts are matched by key, never deleted: a removed one keeps its items' UIDs.
        Returns the rows written, as a read gives them back."""
        rows = [{"interview_id": interview_id, "key": int(c.key), "name": c.name,
                 "email": c.email, "tz": c.tz, "removed": int(c.removed), "phone": c.phone,
                 "title": c.title, "interviewer": int(c.interviewer)} for c in contacts]
        self.db.executemany(
            "INSERT INTO contacts (interview_id, key, name, email, tz, removed, phone, title,"
            " interviewer) VALUES (:interview_id, :key, :name, :email, :tz, :removed, :phone,"
            " :title, :interviewer) ON CONFLICT (interview_id, key)"
            " DO UPDATE SET name = excluded.name, email = excluded.email, tz = excluded.tz,"
            " removed = excluded.removed, phone = excluded.phone, title = excluded.title,"
            " interviewer = excluded.interviewer",
            rows,
        )
        return rows

    def update_interview(self, interview: Interview) -> None:
        """Write an edited interview; contacts are matched by key, never deleted."""
        self.db.execute(
            "UPDATE interviews SET company = ?, role = ?, start = ?, start_utc = ?, tz = ?,"
            " duration_s = ?, deadline = ?, channel = ?, note = ?, location = ?, country = ?,"
            " subdivision = ?, next_contact_key = max(next_contact_key, ?), language = ?,"
            " held = ?, decision_key = ?, round = ?, round_of = ? WHERE id = ?",
            (
                interview.company, interview.role, interview.start.isoformat(),
                utc_iso(interview.start), interview.tz, int(interview.duration.total_seconds()),
                iso(interview.deadline), interview.channel, interview.note, interview.location,
                interview.country, interview.subdivision,
                max((c.key for c in interview.contacts), default=0) + 1, interview.language,
                interview.held, interview.decision_key, interview.round, interview.round_of,
                interview.id,
            ),
        )
        assert interview.id is not None
        self._write_contacts(interview.id, interview.contacts)

    def interview(self, interview_id: int) -> Interview:
        row = self.db.execute("SELECT * FROM interviews WHERE id = ?", (interview_id,)).fetchone()
        if row is None:
            raise UsageError(
                f"no interview {interview_id}; `followup interviews --all` shows them"
            )
        contacts = self.db.execute(
            "SELECT * FROM contacts WHERE interview_id = ? ORDER BY key", (interview_id,))
        return _interview_of(row, contacts)

    def interview_ids(self) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT id FROM interviews ORDER BY start_utc, id")]

    def interview_summaries(self) -> dict[int, sqlite3.Row]:
        return {
            r["id"]: r
            for r in self.db.execute(
                "SELECT id, uid, company, role, start, tz, round FROM interviews")
        }

    def overview(self) -> list[sqlite3.Row]:
        """Every interview with its last outcome and whether it was let go, by start."""
        return self.db.execute(
            "SELECT i.id, i.uid, i.company, i.role, i.round, i.round_of, i.start, i.tz,"
            " (SELECT kind FROM outcomes o WHERE o.interview_id = i.id ORDER BY o.id DESC"
            "  LIMIT 1) AS outcome,"
            " EXISTS (SELECT 1 FROM items t WHERE t.interview_id = i.id AND t.step = 'let-go'"
            "  AND t.status = 'completed') AS let_go"
            " FROM interviews i ORDER BY i.start_utc, i.id").fetchall()

    # -- notes -----------------------------------------------------------------------

    def notes(self, interview_id: int) -> str | None:
        row = self.db.execute("SELECT text FROM notes WHERE interview_id = ?", (interview_id,))
        found = row.fetchone()
        return found[0] if found else None

    def set_notes(self, interview_id: int, text: str, now: dt.datetime) -> None:
        self.db.execute(
            "INSERT INTO notes VALUES (?, ?, ?) ON CONFLICT (interview_id)"
            " DO UPDATE SET text = excluded.text, updated = excluded.updated",
            (interview_id, text, utc_iso(now)),
        )

    # -- outcomes --------------------------------------------------------------------

    def outcomes(self, interview_id: int) -> list[Outcome]:
        return [
            Outcome(kind=r["kind"], recorded=dt.datetime.fromisoformat(r["recorded"]))
            for r in self.db.execute(
                "SELECT kind, recorded FROM outcomes WHERE interview_id = ? ORDER BY id",
                (interview_id,),
            )
        ]

    def add_outcome(self, interview_id: int, outcome: Outcome) -> None:
        self.db.execute(
            "INSERT INTO outcomes (interview_id, kind, recorded) VALUES (?, ?, ?)",
            (interview_id, outcome.kind, utc_iso(outcome.recorded)),
        )

    def remove_last_outcome(self, interview_id: int) -> Outcome | None:
        """Forget the outcome recorded last (a mistake); returns it, or None if there is none."""
        row = self.db.execute(
            "SELECT id, kind, recorded FROM outcomes WHERE interview_id = ? ORDER BY id DESC"
            " LIMIT 1", (interview_id,)).fetchone()
        if row is None:
            return None
        self.db.execute("DELETE FROM outcomes WHERE id = ?", (row["id"],))
        return Outcome(kind=row["kind"], recorded=dt.datetime.fromisoformat(row["recorded"]))

    def remove_outcome(self, interview_id: int, kind: str) -> None:
        self.db.execute("DELETE FROM outcomes WHERE interview_id = ? AND kind = ?",
                        (interview_id, kind))

    # -- removing an interview ---------------------------------------------------------

    def delete_interview(self, interview_id: int, now: dt.datetime) -> None:
        """The interview, its contacts, notes, outcomes and items leave the store; its UID is
        remembered so that a sync never rebuilds it from a remote's copy."""
        uid = self.interview_uid(interview_id)
        self.db.execute("INSERT OR REPLACE INTO removed_interviews VALUES (?, ?)",
                        (uid, utc_iso(now)))
        self.db.execute("DELETE FROM interviews WHERE id = ?", (interview_id,))

    def interview_uid(self, interview_id: int) -> str:
        row = self.db.execute("SELECT uid FROM interviews WHERE id = ?", (interview_id,)).fetchone()
        if row is None:
            self.interview(interview_id)  # raises: no such interview
        return str(row[0])

    def was_removed(self, uid: str) -> bool:
        found = self.db.execute("SELECT 1 FROM removed_interviews WHERE uid = ?", (uid,))
        return found.fetchone() is not None

    def later_rounds(self, interview_id: int) -> list[int]:
        return [r[0] for r in self.db.execute(
            "SELECT id FROM interviews WHERE round_of = ? ORDER BY start_utc, id", (interview_id,))]

    # -- items -----------------------------------------------------------------------

    def items(
        self,
        interview_id: int | None = None,
        *,
        kinds: Sequence[str] = ("task", "event"),
        statuses: Sequence[str] | None = None,
        light: bool = False,
        before: dt.datetime | None = None,
    ) -> list[ItemRow]:
        """Items soonest first; `before` keeps those due (or starting) before that moment."""
        columns = LIGHT_COLUMNS if light else ITEM_COLUMNS
        sql = f"SELECT {columns} FROM items WHERE kind IN ({','.join('?' * len(kinds))})"
        args: list[object] = list(kinds)
        sql += _filters(args, interview_id, statuses, before)
        sql += " ORDER BY sort_utc, id"
        return [ItemRow(*row) for row in self.db.execute(sql, args)]

    def task_json(self, statuses: Sequence[str] | None = None, interview_id: int | None = None,
                  before: dt.datetime | None = None) -> list[str]:
        """Tasks as `list --json` prints them (one JSON object each, keys sorted), made by
        SQLite's json_object: Python dicts and json.dumps for ten thousand tasks would
        double the command's time."""
        args: list[object] = []
        where = "kind = 'task'" + _filters(args, interview_id, statuses, before)
        sql = (
            "SELECT json_object('completed', completed, 'due', due, 'end', end, 'id', id,"
            " 'interview', interview_id, 'kind', kind, 'overridden',"
            " json(CASE WHEN override IS NULL THEN 'false' ELSE 'true' END),"
            " 'start', start, 'status', status, 'step', step, 'summary', summary, 'uid', uid)"
            f" FROM items WHERE {where} ORDER BY sort_utc, id"
        )
        try:
            cursor = self.db.execute(sql, args)
        except sqlite3.OperationalError:  # an SQLite built without JSON functions
            return [json.dumps(item_json(row), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
                    for row in self.items(interview_id, kinds=("task",), statuses=statuses,
                                          light=True, before=before)]
        cursor.row_factory = None
        return [row[0] for row in cursor]

    def item_by_ref(self, ref: str) -> ItemRow:
        """An item by its short id or UID (a task's event UID finds the task too)."""
        found = self.find_item(ref)
        if found is None:
            raise UsageError(f"no item {ref.strip()!r}; `followup list --all` shows the ids")
        return found

    def find_item(self, ref: str) -> ItemRow | None:
        """`item_by_ref`, or None: an item may go while a sync applies changes."""
        ref = ref.strip()
        if NOT_UTF8.search(ref):  # bytes that were not UTF-8 on the command line: no UID has them
            return None
        if row_id(ref) is not None:
            row = self.db.execute(f"SELECT {ITEM_COLUMNS} FROM items WHERE id = ?", (row_id(ref),))
        else:
            uid = ref.removesuffix("-event")
            row = self.db.execute(f"SELECT {ITEM_COLUMNS} FROM items WHERE uid IN (?, ?)", (ref, uid))
        found = row.fetchone()
        return ItemRow(*found) if found is not None else None

    def states(self, interview_id: int) -> dict[str, ItemState]:
        return {row.key: row.state for row in self.items(interview_id)}

    def delete_items(self, item_ids: Sequence[int]) -> None:
        """Items the plan no longer has (the reply to an outcome that was taken back)."""
        self.db.executemany("DELETE FROM items WHERE id = ?", [(i,) for i in item_ids])

    def set_override(self, item_id: int, due: dt.datetime | None) -> None:
        self.db.execute(
            "UPDATE items SET override = ? WHERE id = ?", (iso(due), item_id)
        )

    def set_dismissed(self, item_id: int, dismissed: bool = True) -> None:
        """Deleted in another client: it stays cancelled and is never recreated."""
        self.db.execute("UPDATE items SET dismissed = ? WHERE id = ?", (int(dismissed), item_id))

    def set_item_notes(self, item_id: int, notes: str) -> None:
        self.db.execute("UPDATE items SET notes = ? WHERE id = ?", (notes, item_id))

    def interviews_open_before(self, moment: dt.datetime) -> list[int]:
        """Interviews with an open item due before `moment`: the ones a new day may roll forward."""
        return [r[0] for r in self.db.execute(
            "SELECT DISTINCT interview_id FROM items WHERE status = 'needs-action'"
            " AND sort_utc < ? ORDER BY interview_id", (utc_iso(moment),))]

    def set_completed(self, item_id: int, completed: dt.datetime | None) -> None:
        self.db.execute(
            "UPDATE items SET completed = ? WHERE id = ?",
            (utc_iso(completed) if completed else None, item_id),
        )

    def add_items(self, rows: Sequence[dict[str, object]]) -> None:
        """Insert new items (a uid stored already is an error); rows with the same columns go
        in one statement. The calendar files learn of them here (no insert trigger: a plain
        INSERT without one stores an import's items in half the time of an upsert with it)."""
        self._write_items(rows, _insert_sql)

    def upsert_items(self, rows: Sequence[dict[str, object]]) -> None:
        """Insert or update items by uid; rows with the same columns go in one statement."""
        self._write_items(rows, _upsert_sql)

    def _write_items(self, rows: Sequence[dict[str, object]],
                     statement: Callable[[tuple[str, ...]], str]) -> None:
        by_columns: dict[tuple[str, ...], list[tuple[object, ...]]] = {}
        for values in rows:
            by_columns.setdefault(tuple(values), []).append(tuple(values.values()))
        for columns, values_list in by_columns.items():
            self.db.executemany(statement(columns), values_list)
        self.db.executemany(
            "INSERT INTO calendar_changes SELECT ?, CAST(value AS INTEGER) FROM meta"
            " WHERE key = 'revision'"
            " ON CONFLICT (interview_id) DO UPDATE SET revision = excluded.revision",
            [(interview_id,) for interview_id in {row["interview_id"] for row in rows}])

    def set_renders(self, item_id: int, vtodo: str | None, vevent: str) -> None:
        self.db.execute("UPDATE items SET vtodo = ?, vevent = ? WHERE id = ?",
                        (vtodo, vevent, item_id))

    def next_item_id(self) -> int:
        """The id a new item gets (inside a write transaction): its event names it."""
        return int(self.db.execute("SELECT coalesce(max(id), 0) + 1 FROM items").fetchone()[0])

    def calendar_rows(self, forms: Callable[[str, bool], tuple[bool, bool]],
                      interview_id: int | None = None) -> Iterator[tuple[int, bytes]]:
        """What an export needs, and nothing more: (interview id, the item's cached renders
        that `forms(kind, has_slot)` asks for, as UTF-8: its VTODO, its VEVENT) in a stable
        order, one row at a time (a calendar of 5,000 interviews is 100 MB of text).
        SQLite joins and encodes them: 20 MB of renders never become Python strings."""
        where, args = (("WHERE interview_id = ?", (interview_id,)) if interview_id is not None
                       else ("", ()))
        cursor = self.db.execute(
            f"SELECT interview_id, CAST({_forms_sql(forms)} AS BLOB) FROM items {where}"
            " ORDER BY interview_id, sort_utc, uid", args)
        cursor.row_factory = None
        return cursor

    def calendar_zones(self, kinds: Sequence[str], leave_out: Collection[int] = ()) -> list[str]:
        """The zones of the items of these kinds, but those of the interviews left out."""
        if leave_out:
            return [row[0] for row in self.db.execute(
                f"SELECT DISTINCT tz FROM items WHERE kind IN ({', '.join('?' * len(kinds))})"
                " AND interview_id NOT IN (SELECT value FROM json_each(?)) ORDER BY tz",
                (*kinds, json.dumps(sorted(leave_out))))]
        zones: set[str] = set()
        for kind in kinds:
            zones.update(row[0] for row in self.db.execute(
                # A skip scan of the (kind, tz) index: one look-up per zone, whatever the
                # number of items (the calendar file after every change).
                "WITH RECURSIVE z(tz) AS (SELECT min(tz) FROM items WHERE kind = ?1"
                " UNION ALL SELECT (SELECT min(tz) FROM items WHERE kind = ?1 AND tz > z.tz)"
                " FROM z WHERE z.tz IS NOT NULL) SELECT tz FROM z WHERE tz IS NOT NULL",
                (kind,)))
        return sorted(zones)

    def changed_interviews(self, since: int) -> set[int]:
        """Interviews whose items changed at revision `since` or later."""
        return {row[0] for row in self.db.execute(
            "SELECT interview_id FROM calendar_changes WHERE revision >= ?", (since,))}

    def written_file(self, path: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.db.execute(
            "SELECT * FROM written_files WHERE path = ?", (path,)).fetchone()
        return row

    def written_blocks(self, path: str) -> list[tuple[int, int]]:
        """(interview id, bytes) of each interview in the file, in file order."""
        return [(r[0], r[1]) for r in self.db.execute(
            "SELECT interview_id, length FROM written_blocks WHERE path = ? ORDER BY interview_id",
            (path,))]

    def save_written_file(self, path: str, revision: int, identity: str, header_sha256: str,
                          header_length: int, left_out: str, blocks: Sequence[tuple[int, int]],
                          *, replace_all: bool) -> None:
        """Remember what a file holds; `blocks` are all of them or only those that changed."""
        self.db.execute(
            "INSERT OR REPLACE INTO written_files VALUES (?, ?, ?, ?, ?, ?)",
            (path, revision, identity, header_sha256, header_length, left_out))
        if replace_all:
            self.db.execute("DELETE FROM written_blocks WHERE path = ?", (path,))
        self.db.executemany("INSERT OR REPLACE INTO written_blocks VALUES (?, ?, ?)",
                            [(path, interview_id, length) for interview_id, length in blocks])

    # -- what the feed needs ---------------------------------------------------------

    def chain_ends(self) -> dict[int, str | None]:
        """Per interview, when its chain ended (UTC ISO), or None while a task is open.

        The end is the last thing that happened: a completion, an employer's answer, or
        the time of an item that was not cancelled (an interview, a decision day)."""
        ends: dict[int, str | None] = {}
        for row in self.db.execute(
            "SELECT interview_id, max(kind = 'task' AND status = 'needs-action') AS open,"
            " max(CASE WHEN completed IS NOT NULL THEN completed"
            " WHEN status != 'cancelled' THEN sort_utc END) AS last FROM items"
            " GROUP BY interview_id"
        ):
            ends[row[0]] = None if row[1] else row[2]
        for interview_id, recorded in self.db.execute(
            "SELECT interview_id, max(recorded) FROM outcomes GROUP BY interview_id"
        ):
            last = ends.get(interview_id)
            if last is not None:
                ends[interview_id] = max(last, recorded, key=dt.datetime.fromisoformat)
        return ends

    def record_fetch(self, profile: str, client: str, revision: int, fetched: dt.datetime) -> None:
        self.db.execute(
            "INSERT INTO feed_fetches VALUES (?, ?, ?, ?) ON CONFLICT (profile, client)"
            " DO UPDATE SET revision = excluded.revision, fetched = excluded.fetched",
            (profile, client, revision, utc_iso(fetched)),
        )

    def fetches(self) -> list[tuple[str, str, int, str]]:
        """(profile, client, revision, fetched) of every feed fetch recorded."""
        return [(row[0], row[1], row[2], row[3]) for row in self.db.execute(
            "SELECT profile, client, revision, fetched FROM feed_fetches ORDER BY client, profile")]
