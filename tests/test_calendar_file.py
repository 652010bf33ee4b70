"""The calendar file after every change (issue 12 item 10, issue 14 item 1): written after
the commit, equal to a fresh export, and only the changed interviews re-rendered."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import NOW, Run
from followup.app.service import Service
from followup.config import load_config, paths
from followup.store import Store

INTERVIEWS = [
    ("Acme", "2026-12-01 10:00", "Europe/London"),
    ("Globex", "2026-12-02 15:00", "America/New_York"),
    ("Initech", "2026-12-03 09:00", "Asia/Tokyo"),
]


def add_all(run: Run) -> None:
    for company, at, tz in INTERVIEWS:
        assert run("add", "--company", company, "--role", "Dev", "--at", at, "--tz", tz).exit_code == 0


def export(run: Run) -> bytes:
    result = run("export")
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


def test_every_change_leaves_the_file_equal_to_a_fresh_export(run: Run, home: Path) -> None:
    add_all(run)
    calendar = home / "followup.ics"
    for step in (("done", "2"), ("done", "15", "16"), ("undo", "2"), ("snooze", "17", "3d"),
                 ("outcome", "3", "offer"), ("edit", "1", "--tz", "Australia/Sydney"),
                 ("add", "--company", "Umbrella", "--role", "Dev", "--at", "2027-01-05 11:00")):
        result = run(*step)
        assert result.exit_code == 0, (step, result.stderr)
        assert calendar.read_bytes() == export(run), step


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["done", "undo"]), st.integers(1, 39)), min_size=1,
                max_size=4))
def test_any_check_offs_leave_the_file_equal_to_a_fresh_export(
        run: Run, home: Path, steps: list[tuple[str, int]]) -> None:
    calendar = home / "followup.ics"
    if not calendar.exists():
        add_all(run)
    for verb, ref in steps:
        run(verb, str(ref))  # events refuse: exit 2, nothing changes
        assert calendar.read_bytes() == export(run)


def test_unchanged_interviews_are_copied_not_rendered_again(run: Run, home: Path) -> None:
    add_all(run)
    calendar = home / "followup.ics"
    data = calendar.read_bytes()
    # Mark a line of Initech's (interview 3) in place, keeping size, inode and mtime: a copy
    # keeps the mark, a render would not.
    st_before = os.stat(calendar)
    marked = data.replace(b"SUMMARY:Interview: Dev at Initech", b"SUMMARY:Interview: Dev at INITECH", 1)
    assert marked != data and len(marked) == len(data)
    with open(calendar, "r+b") as handle:
        handle.write(marked)
    os.utime(calendar, ns=(st_before.st_atime_ns, st_before.st_mtime_ns))
    assert run("done", "2").exit_code == 0  # Acme's
    after = calendar.read_bytes()
    assert b"at INITECH" in after
    assert after.replace(b"at INITECH", b"at Initech") == export(run)


def test_a_file_changed_by_another_program_is_rewritten_whole(run: Run, home: Path) -> None:
    add_all(run)
    calendar = home / "followup.ics"
    calendar.write_bytes(calendar.read_bytes()[:5000])  # truncated by someone else
    assert run("done", "2").exit_code == 0
    assert calendar.read_bytes() == export(run)
    calendar.unlink()
    assert run("undo", "2").exit_code == 0
    assert calendar.read_bytes() == export(run)


def test_a_failed_commit_leaves_the_file_as_it_was(run: Run, home: Path) -> None:
    """The commit fails (as on a full disk; here SQLite's authorizer refuses it): the file
    must not show the change, which the database does not have."""
    add_all(run)
    calendar = home / "followup.ics"
    before = calendar.read_bytes()
    service = Service(paths(), load_config(paths()), dt.datetime.fromisoformat(NOW))

    def no_commit(action: int, what: str | None, *_: object) -> int:
        if action == sqlite3.SQLITE_TRANSACTION and what == "COMMIT":
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    service.store.db.set_authorizer(no_commit)
    with pytest.raises(sqlite3.DatabaseError):
        with service.change():
            service.done(["2"])
    service.store.db.set_authorizer(None)
    service.store.close()
    assert calendar.read_bytes() == before
    assert Store(home / "followup.db").item_by_ref("2").status == "needs-action"


def test_a_header_written_differently_now_replaces_the_one_in_the_file(
        run: Run, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """New zone data or a new icalendar change the VTIMEZONEs without any item changing:
    the header is made afresh for every write, never copied from the old file."""
    from followup.feed import calendar as feed_calendar

    add_all(run)
    calendar = home / "followup.ics"
    original = feed_calendar.calendar_header

    def updated(*args: object, **kwargs: object) -> object:
        made = original(*args, **kwargs)  # type: ignore[arg-type]
        made.add("x-zone-data", "2099a")
        return made

    monkeypatch.setattr(feed_calendar, "calendar_header", updated)
    monkeypatch.setattr(feed_calendar, "_HEADERS", {})  # as in a new process
    assert run("done", "2").exit_code == 0
    data = calendar.read_bytes()
    assert b"\r\nX-ZONE-DATA:2099a\r\n" in data
    assert data == export(run)


def test_a_published_events_feed_follows_the_chains_it_leaves_out(run: Run, home: Path) -> None:
    """The events feed leaves out chains that ended more than keep_days ago (issue 15): that
    set moves with the clock, not with a change, and the published file follows it."""
    from followup.feed.publish import feed_bytes, hidden_in, publish

    add_all(run)
    store = Store(home / "followup.db")
    open_tasks = [str(row[0]) for row in store.db.execute(
        "SELECT id FROM items WHERE interview_id = 1 AND kind = 'task' AND status = 'needs-action'")]
    assert run("done", *open_tasks).exit_code == 0  # its chain ends: no task is open
    path = home / "events.ics"
    now = dt.datetime.fromisoformat(NOW)
    moments = (now, now + dt.timedelta(days=400), now + dt.timedelta(days=401))
    hidden = []
    for moment in moments:
        with store.transaction():
            size = publish(store, path, "events", "Europe/London", moment, keep_days=30)
        hidden.append(hidden_in(store, "events", moment, 30).interviews)
        assert path.read_bytes() == feed_bytes(store, "events", "Europe/London", moment, 30)
        assert size == path.stat().st_size
    assert hidden == [frozenset(), frozenset({1}), frozenset({1})]
    assert run("done", "15").exit_code == 0  # a change while interview 1 stays out
    with store.transaction():
        publish(store, path, "events", "Europe/London", moments[-1], keep_days=30)
    assert path.read_bytes() == feed_bytes(store, "events", "Europe/London", moments[-1], 30)
    assert b"Acme" not in path.read_bytes() and b"Globex" in path.read_bytes()
    store.close()


def _renders(home: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(home / "followup.db") as db:
        return db.execute("SELECT uid, sequence, created, modified, vtodo, vevent FROM items"
                          " ORDER BY uid").fetchall()


def _age_renders(home: Path, version: str | None) -> None:
    """Make the stored renders look as an older version wrote them (another CATEGORIES
    line); `version`: the render version to record with them (None: leave it)."""
    db = sqlite3.connect(home / "followup.db")
    with db:
        db.execute("UPDATE items SET vtodo = replace(vtodo, 'CATEGORIES:Job search',"
                   " 'CATEGORIES:Job search,Old'), vevent = replace(vevent,"
                   " 'CATEGORIES:Job search', 'CATEGORIES:Job search,Old')")
        if version is not None:
            db.execute("UPDATE meta SET value = ? WHERE key = 'render_version'", (version,))
    db.close()


def test_renders_of_an_older_version_are_made_again_by_the_next_command(
        run: Run, home: Path) -> None:
    from followup.app.service import render_version

    add_all(run)
    fresh, rows = export(run), _renders(home)
    calendar = home / "followup.ics"
    _age_renders(home, "0:icalendar 0.0")
    calendar.write_bytes(fresh.replace(b"CATEGORIES:Job search", b"CATEGORIES:Job search,Old"))
    assert export(run) == fresh  # the export's refresh renders every item again first
    assert calendar.read_bytes() == fresh
    # The same items in the new form: SEQUENCE, CREATED and LAST-MODIFIED (DTSTAMP) kept.
    assert _renders(home) == rows
    with sqlite3.connect(home / "followup.db") as db:
        stored = db.execute("SELECT value FROM meta WHERE key = 'render_version'").fetchone()
    assert stored == (render_version(),)


def test_renders_of_this_version_are_not_made_again(run: Run, home: Path) -> None:
    add_all(run)
    with sqlite3.connect(home / "followup.db") as db:
        revision = db.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
    _age_renders(home, None)
    aged = _renders(home)
    assert b"CATEGORIES:Job search,Old" in export(run)  # shown as stored, not rendered again
    assert _renders(home) == aged
    with sqlite3.connect(home / "followup.db") as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone() == revision
