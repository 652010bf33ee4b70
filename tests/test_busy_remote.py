"""Busy times from a calendar on a CalDAV remote (Radicale and Xandikos, real servers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Run, by_step
from davservers import dav_calendar, dav_server, radicale_server, xandikos_server  # noqa: F401
from followup.sync.caldav import CalDAVStorage

PW_ENV = "FOLLOWUP_TEST_DAV_PASSWORD"
MEETING = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//work//EN\r
BEGIN:VEVENT\r
UID:standup@work.example\r
DTSTAMP:20261101T000000Z\r
DTSTART;TZID=Europe/London:20261104T090000\r
DTEND;TZID=Europe/London:20261104T100000\r
RRULE:FREQ=WEEKLY;BYDAY=WE\r
SUMMARY:Team meeting\r
END:VEVENT\r
END:VCALENDAR\r
"""


@pytest.fixture
def work_calendar(run: Run, dav_calendar, home: Path, monkeypatch: pytest.MonkeyPatch):
    """A remote for followup's own calendar, and the user's work calendar beside it."""
    monkeypatch.setenv(PW_ENV, dav_calendar.password)
    assert run("remote", "add", "work", dav_calendar.base_url, "--username", dav_calendar.username,
               "--password-env", PW_ENV, "--calendar", dav_calendar.url,
               "--no-auto-push").exit_code == 0
    work_url = dav_calendar.server.make_collection(components=("VEVENT",))
    with CalDAVStorage("test", dav_calendar.base_url, dav_calendar.username, dav_calendar.password,
                       calendar=work_url, component="VEVENT") as storage:
        storage.create("standup@work.example", MEETING)
    config = home / "config.toml"
    # `busy` is a top-level key: it goes before the [remote.work] table.
    config.write_text(f'busy = ["remote:work:{work_url}"]\n' + config.read_text())
    return work_url


def test_a_remote_work_calendar_moves_the_call(run: Run, run_json, work_calendar, home: Path) -> None:
    result = run("add", "--company", "Acme", "--role", "Dev", "--at", "2026-12-04 14:00",
                 "--tz", "Europe/London", "--deadline", "2026-12-11")
    assert (result.exit_code, result.stderr) == (0, "")
    items = by_step(run_json("show", "1")["items"])
    assert items["call"]["start"] == "2026-12-16T10:00:00+00:00"  # Wednesday 09:00 is the meeting
    assert items["second-call"]["start"] == "2026-12-30T10:00:00+00:00"
    assert len(list(home.glob("busy-*.json"))) == 1  # cached with the collection's token
    again = run("edit", "1", "--location", "Room 2")
    assert (again.exit_code, again.stderr) == (0, "")
    assert by_step(run_json("show", "1")["items"])["call"]["start"] == "2026-12-16T10:00:00+00:00"


def test_an_unknown_remote_is_a_warning_not_a_failure(run: Run, run_json, home: Path) -> None:
    config = home / "config.toml"
    config.write_text('busy = ["remote:nowhere"]\n' + config.read_text())
    result = run("add", "--company", "Acme", "--role", "Dev", "--at", "2026-12-04 14:00",
                 "--tz", "Europe/London", "--deadline", "2026-12-11")
    assert result.exit_code == 0
    assert result.stderr == ("Warning: busy calendar remote:nowhere cannot be read (no remote"
                             " 'nowhere'; `followup remote list` shows them); skipped\n")
    assert by_step(run_json("show", "1")["items"])["call"]["start"] == "2026-12-16T09:00:00+00:00"
