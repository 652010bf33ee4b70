"""The store's schema steps: a database written by an earlier followup opens and keeps its data."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followup.core.model import Contact, Interview
from followup.core.vocab import HELD
from followup.store import MIGRATIONS, SCHEMA_VERSION, Store


def old_database(path: Path, sync_tables: bool) -> None:
    """A database as followup 0.1 left it: schema step 1 only, sync tables made on first use."""
    db = sqlite3.connect(path)
    for statement in MIGRATIONS[0].split(";"):
        if statement.strip():
            db.execute(statement)
    db.execute("INSERT INTO interviews (uid, company, role, start, start_utc, tz, duration_s, channel,"
               " note, created) VALUES ('u1', 'Acme', 'Dev', '2026-12-04T14:00:00+00:00',"
               " '2026-12-04T14:00:00+00:00', 'Europe/London', 3600, 'email', 'email', 'x')")
    if sync_tables:
        db.execute("CREATE TABLE sync_tokens (remote TEXT NOT NULL, target TEXT NOT NULL, token TEXT,"
                   " PRIMARY KEY (remote, target))")
        db.execute("INSERT INTO sync_tokens VALUES ('work', 'all', 'sync:42')")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()


@pytest.mark.parametrize("sync_tables", [False, True])
def test_an_old_database_is_brought_up_to_date(tmp_path: Path, sync_tables: bool) -> None:
    path = tmp_path / "followup.db"
    old_database(path, sync_tables)
    store = Store(path)
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.interview_ids() == [1]
    assert store.revision() == 0
    tokens = store.db.execute("SELECT remote, target, token FROM sync_tokens").fetchall()
    assert [tuple(t) for t in tokens] == ([("work", "all", "sync:42")] if sync_tables else [])
    assert store.interview(1).language is None  # step 3: the config's language until one is set
    store.close()


def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "followup.db"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(Exception) as exc:
        Store(path)
    assert str(exc.value) == f"the database {path} was written by a newer followup; upgrade followup"


def test_the_people_step_holds_how_an_interview_was_held_and_who_decides(tmp_path: Path) -> None:
    """An interview stored before `held` existed: at a link it was a video interview."""
    path = tmp_path / "followup.db"
    db = sqlite3.connect(path)
    for statement in ";".join(MIGRATIONS[:2]).split(";"):
        if statement.strip():
            db.execute(statement)
    for n, location in enumerate(("https://meet.example/x", "  WWW.zoom.example/y", "1 Main St"), 1):
        db.execute("INSERT INTO interviews (uid, company, role, start, start_utc, tz, duration_s,"
                   " channel, note, location, created) VALUES (?, 'Acme', 'Dev', ?, ?,"
                   " 'Europe/London', 3600, 'email', 'email', ?, 'x')",
                   (f"u{n}", f"2026-12-0{n}T14:00:00+00:00", f"2026-12-0{n}T14:00:00+00:00",
                    location))
    db.execute("INSERT INTO contacts (interview_id, key, name, email) VALUES (1, 1, 'Jane', NULL)")
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    store = Store(path)
    assert [store.interview(i).held for i in (1, 2, 3)] == ["video", "video", "onsite"]
    first = store.interview(1)
    assert (first.round, first.round_of, first.decision_key) == (1, None, None)
    assert first.contacts[0].interviewer and first.decision_contact == first.contacts[0]
    assert not store.was_removed("u1")
    store.close()


def test_a_new_database_has_16_kib_pages_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    """Item rows hold ~2.5 KB of renders: 16 KiB pages hold six (issue 14). SQLite cannot
    change the page size of a WAL database, and a database made earlier keeps 4 KiB."""
    new, old = tmp_path / "new.db", tmp_path / "old.db"
    Store(new).close()
    old_database(old, sync_tables=False)
    Store(old).close()
    sizes = []
    for path in (new, old):
        db = sqlite3.connect(path)
        sizes.append((db.execute("PRAGMA page_size").fetchone()[0],
                      db.execute("PRAGMA journal_mode").fetchone()[0]))
        db.close()
    assert sizes == [(16384, "wal"), (4096, "wal")]
    store = Store(old)
    assert store.interview_ids() == [1]
    store.close()


ZONES = ("Europe/London", "America/New_York", "Asia/Kathmandu", "Australia/Sydney", "UTC")
NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.timezone.utc)


@st.composite
def new_interviews(draw: st.DrawFn) -> Interview:
    """Interviews as any caller may hand them over: the start in another zone than `tz`,
    seconds in the length, contacts sharing a key (the last one wins), numbers as booleans
    (SQLite gives True back as 1)."""
    tz = draw(st.sampled_from(ZONES))
    start = draw(st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2027, 12, 31),
                              timezones=st.sampled_from(ZONES).map(ZoneInfo)))
    contacts = tuple(Contact(
        key=draw(st.integers(1, 4) | st.just(True)), name=draw(st.sampled_from(("", "Jane", "Bo Li"))),
        email=draw(st.none() | st.just("jane@example.com")), tz=draw(st.none() | st.sampled_from(ZONES)),
        removed=draw(st.booleans()), phone=draw(st.none() | st.just("+44 20 7946 0000")),
        title=draw(st.none() | st.just("Dr")), interviewer=draw(st.booleans()),
    ) for _ in range(draw(st.integers(0, 4))))
    return Interview(
        uid=draw(st.uuids()).hex, company=draw(st.text(max_size=8)), role="Dev", start=start,
        duration=dt.timedelta(seconds=draw(st.integers(60, 86400))), tz=tz,
        deadline=draw(st.none() | st.dates(dt.date(2026, 1, 1), dt.date(2028, 1, 1))),
        channel=draw(st.sampled_from(("email", "phone"))), location=draw(st.text(max_size=8)),
        contacts=contacts, country=draw(st.none() | st.just("GB")),
        subdivision=draw(st.none() | st.just("ENG")), held=draw(st.sampled_from(HELD)),
        decision_key=draw(st.none() | st.integers(1, 4) | st.just(True)),
        round=draw(st.integers(1, 3) | st.just(True)),
        round_of=draw(st.none() | st.just(1)), language=draw(st.none() | st.just("de")),
    )


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One database for every example, holding interview 1 (a later round's earlier one)."""
    store = Store(tmp_path_factory.mktemp("store") / "followup.db")
    start = dt.datetime(2025, 1, 6, 9, 0, tzinfo=ZoneInfo("UTC"))
    with store.transaction():
        store.insert_interview(Interview(uid="first", company="First", role="Dev", start=start,
                                         duration=dt.timedelta(hours=1), tz="UTC"), NOW)
    yield store
    store.close()


@given(interview=new_interviews())
@settings(max_examples=60, deadline=None)
def test_a_stored_interview_is_what_reading_it_back_gives(scratch: Store,
                                                          interview: Interview) -> None:
    """insert_interview does not read the interview back (an import stores thousands):
    what it returns must be what `interview(id)` reads, value for value and type for type."""
    scratch.db.execute("BEGIN")  # rolled back: every example starts from the same database
    try:
        stored = scratch.insert_interview(interview, NOW)
        assert stored.id is not None
        read = scratch.interview(stored.id)
        assert stored == read and repr(stored) == repr(read)
        assert stored.start.tzinfo is read.start.tzinfo
    finally:
        scratch.db.execute("ROLLBACK")


def test_an_interview_stored_with_contacts_sharing_a_key_keeps_the_last(tmp_path: Path) -> None:
    """Contacts are upserted by key: the second of two with key 1 is the one kept."""
    start = dt.datetime(2026, 12, 4, 14, 0, tzinfo=ZoneInfo("Europe/London"))
    interview = Interview(uid="u", company="Acme", role="Dev", start=start,
                          duration=dt.timedelta(hours=1), tz="Europe/London",
                          contacts=(Contact(2, "Bo"), Contact(1, "Jane"), Contact(1, "Janet")))
    store = Store(tmp_path / "followup.db")
    with store.transaction():
        stored = store.insert_interview(interview, NOW)
    assert [(c.key, c.name) for c in stored.contacts] == [(1, "Janet"), (2, "Bo")]
    assert stored == store.interview(1)
    store.close()


def test_a_null_is_bound_through_an_adapter_of_its_own(tmp_path: Path) -> None:
    """store.py registers one, so that binding None skips sqlite3's search for __adapt__
    (a formatted and dropped AttributeError per NULL); a NULL is still a NULL."""
    store = Store(tmp_path / "followup.db")
    assert sqlite3.adapters[(type(None), sqlite3.PrepareProtocol)](None) is None
    assert store.db.execute("SELECT ? IS NULL, typeof(?)", (None, None)).fetchone()[:] == (1, "null")
