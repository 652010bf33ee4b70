"""What follows a change happens in one place (app/effects.py): the calendar file, the
published files and the push, for every writing command and for what `sync` pulls."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Run, by_step
from test_sync_caldav import ADD
from test_sync_vdir import todo


def test_a_check_off_pulled_from_todoman_refreshes_every_published_file(
        run: Run, run_json, home: Path, tmp_path: Path) -> None:
    events, full = tmp_path / "pub" / "events.ics", tmp_path / "pub" / "full.ics"
    config = home / "config.toml"
    config.write_text(config.read_text() + f'\n[feed]\npublish = ["{events}", {{path = "{full}", '
                      'profile = "full"}]\n')
    vdir = tmp_path / "lists" / "jobs"
    assert run("remote", "add", "tasks", "--vdir", str(vdir), "--create").exit_code == 0
    assert run(*ADD).exit_code == 0  # pushed to the folder at once, published files written
    assert b"STATUS:COMPLETED" not in full.read_bytes()
    assert "✓ Write interview notes" not in events.read_text()

    todoman = tmp_path / "todoman.py"
    todoman.write_text(f"path = {str(vdir.parent / '*')!r}\n"
                       f"cache_path = {str(tmp_path / 'cache.sqlite3')!r}\n"
                       'date_format = "%Y-%m-%d"\ntime_format = "%H:%M"\n')
    [notes] = [t for t in json.loads(todo(todoman, "--porcelain", "list"))
               if t["summary"] == "Write interview notes (Acme)"]
    todo(todoman, "done", str(notes["id"]))
    result = run("sync")
    assert (result.exit_code, result.stderr) == (0, "")
    assert by_step(run_json("show", "1")["items"])["notes"]["status"] == "completed"

    assert "SUMMARY:✓ Write interview notes (Acme)" in events.read_text()
    for path, profile in ((events, "events"), (full, "full")):  # each as current as a fresh publish
        fresh = tmp_path / f"fresh-{profile}.ics"
        assert run("publish", str(fresh), "--profile", profile).exit_code == 0
        assert path.read_bytes() == fresh.read_bytes()


BAD_CONFIG = 'timezone = "Europe/London"\nname = 3\n'
EVERY_KIND_OF_COMMAND = [
    ("list",), ("list", "--json"), ("show", "1"), ("export",), ("report",), ("sync",),
    ("remote", "list"), ("feed", "urls"), ("publish",), ("done", "3"), ("undo", "3"),
    ("outcome", "1", "offer"), ("edit", "1", "--deadline", "2026-12-20"), ("snooze", "8", "2d"),
    ("draft", "5"), ("notes", "1", "--file", "-"),
    ("plan", "--company", "A", "--role", "B", "--at", "2026-12-04 14:00"),
    ("add", "--company", "A", "--role", "B", "--at", "2026-12-04 14:00"),
]


@pytest.mark.parametrize("args", EVERY_KIND_OF_COMMAND, ids=" ".join)
def test_a_wrong_type_in_the_config_stops_every_command_with_one_line(
        run: Run, home: Path, args: tuple[str, ...]) -> None:
    assert run(*ADD).exit_code == 0
    before = (home / "followup.ics").read_bytes()
    (home / "config.toml").write_text(BAD_CONFIG)
    result = run(*args, input="notes\n")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", f"Error: {home / 'config.toml'}: 'name' must be a string\n")
    assert (home / "followup.ics").read_bytes() == before


@pytest.mark.parametrize(("config", "message"), [
    ('timezone = "Mars/Base"\n', "'timezone' 'Mars/Base' is not a time zone; use an IANA name such as"
     " Europe/London or America/New_York"),
    ('country = "XX"\n', "'country' 'XX' is not a country; use an ISO 3166 code such as GB, US or DE"),
    ("busy = 3\n", "'busy' must be a list of paths to .ics files or vdir folders"),
    ("[feed]\npublish = 3\n", "[feed] publish must be a list of paths"),
    ('[feed]\npublish = [{path = "x.ics", profile = "all"}]\n',
     "[feed] publish profile 'all' must be one of: full, events, tasks"),
    ('[feed]\nbase = "x"\n', "unknown setting 'base' in [feed]; use base_url, publish, keep_days"),
    ("[feed]\nkeep_days = -1\n", "[feed] keep_days must be a whole number of days from 0 to 3650"),
    ("[feed]\nkeep_days = true\n", "[feed] keep_days must be a whole number of days from 0 to 3650"),
    ('[feed]\nkeep_days = "30"\n', "[feed] keep_days must be a whole number of days from 0 to 3650"),
    ('colour = "red"\n', "unknown setting 'colour'; the settings are: busy, calendar_file, country,"
     " email, feed, hours, language, locale, mail, name, playbook, remote, subdivision, timezone"),
    ('hours = ""\n', "'hours': the hours are empty; give them as \"08:00-20:00\""),
    ('hours = "20:00-08:00"\n', "'hours': the hours '20:00-08:00' end before they start; give them"
     " as \"08:00-20:00\" (hours past midnight are not supported)"),
    ('hours = "09:00-10:30"\n', "'hours': the hours '09:00-10:30' are shorter than 2 hours; a plan"
     " needs room"),
    ('hours = "9 to 5"\n', "'hours': the hours '9 to 5' are not a range such as \"08:00-20:00\""),
    ('hours = "08:00-25:00"\n', "'hours': the hours '08:00-25:00' are not a range such as"
     " \"08:00-20:00\""),
    ("hours = 8\n", "'hours' must be a string such as \"08:00-20:00\""),
    ('[remote.w]\nurl = "https://h/"\ntimeout = true\n',
     "[remote.w]: 'timeout' must be a positive number of seconds"),
    ('playbook = "nowhere.toml"\n', "no playbook file nowhere.toml"),
])
def test_config_errors_name_the_key(run: Run, home: Path, config: str, message: str) -> None:
    (home / "config.toml").write_text(config)
    result = run("list")
    expected = message if message.startswith("no playbook") else f"{home / 'config.toml'}: {message}"
    assert (result.exit_code, result.stderr) == (2, f"Error: {expected}\n")


def test_the_playbook_beside_the_config_is_checked_up_front_too(run: Run, home: Path) -> None:
    (home / "playbook.toml").write_text("[call]\nafter = \"2h\"\n")
    result = run("list")
    assert (result.exit_code, result.stderr) == (
        2, f"Error: {home / 'playbook.toml'}: [call]: this step is set by days, not 'after'\n")


def test_nothing_follows_a_command_that_changed_nothing(run: Run, run_json, home: Path) -> None:
    assert run(*ADD).exit_code == 0
    notes = str(by_step(run_json("show", "1")["items"])["notes"]["id"])
    calendar = home / "followup.ics"
    assert run("done", notes).exit_code == 0
    assert b"STATUS:COMPLETED" in calendar.read_bytes()
    calendar.write_bytes(b"stale on purpose")  # nothing changes below: nobody rewrites it
    result = run("done", notes)
    assert (result.exit_code, result.stdout) == (0, f"{notes}  already done: Write interview notes (Acme)\n")
    assert calendar.read_bytes() == b"stale on purpose"
