"""The store's schema steps: a database written by an earlier followup opens and keeps its data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

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
