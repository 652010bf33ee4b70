"""Issue 10: a plan a careful person would follow (PLAYBOOK.md, "Two people's calendars").
Exact dates for every example of the issue, through the real CLI and store; the rules in
general are properties in tests/test_properties.py."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest

from conftest import Run, by_step
from followup.app.service import Service
from followup.config import Paths, load_config
from followup.core.model import Contact, Interview
from followup.core.planner import People, plan
from followup.core.schedule import Hours, Person, public_holidays
from followup.feed.publish import ensure_token
from followup.feed.server import FeedApp

BEFORE = "2026-11-20T12:00:00+00:00"  # a week before the interviews below


def config(home: Path, text: str) -> None:
    (home / "config.toml").write_text(text)


def steps(run_json: Any, interview: str = "1", now: str | None = None) -> dict[str, dict[str, Any]]:
    return by_step(run_json("show", interview, now=now)["items"])


def due(items: dict[str, dict[str, Any]]) -> dict[str, str]:
    return {key: item["start"] or item["due"] for key, item in items.items()}


def why(stdout: str) -> list[str]:
    """The lines after the table: what moved a step and why."""
    return stdout.split("\n\n")[-1].splitlines() if "\n\n" in stdout else []


# -- the examples at the top of the issue ----------------------------------------------------


def test_a_new_york_user_with_a_london_interview_works_in_new_york_hours(run: Run, run_json, home: Path) -> None:
    config(home, 'timezone = "America/New_York"\n')
    result = run("add", "--company", "Acme", "--role", "Dev", "--at", "2026-12-03 14:00",
                 "--tz", "Europe/London", "--interviewer", "Jane Doe <jane@acme.example>",
                 "--deadline", "2026-12-10")
    assert result.exit_code == 0, result.stderr
    # Each time in the zone of the clock it follows: the user's for their own steps.
    assert due(steps(run_json)) == {
        "interview": "2026-12-03T14:00:00+00:00",
        "ask-timeline": "2026-12-03T15:00:00+00:00",
        "business-card": "2026-12-03T15:00:00+00:00",
        "notes": "2026-12-03T12:00:00-05:00",
        # The end of the user's Friday, cut where London's Saturday begins.
        "thank-you-email": "2026-12-04T18:45:00-05:00",
        "formal-note-1": "2026-12-07T10:00:00-05:00",  # was 05:00 New York
        "response-deadline": "2026-12-10",
        "status-email": "2026-12-11T10:00:00-05:00",  # was 05:00 New York
        "call-script": "2026-12-14T17:00:00-05:00",
        "call": "2026-12-15T17:00:00+00:00",  # London's evening: 12:00 New York (was 04:00)
        "second-call": "2026-12-29T17:00:00+00:00",
        "let-go": "2027-01-05T10:00:00-05:00",
    }
    assert why(result.stdout.removesuffix(f"\n\nCalendar file: {home / 'followup.ics'}\n")) == [
        "thank-you-email: at 18:45: 20:00 your time is Saturday in London",
        "call, second-call: 17:00 London = 12:00 your time",
    ]
    shown = run("show", "1").stdout
    assert shown.endswith("\n\nthank-you-email: at 18:45: 20:00 your time is Saturday in London\n"
                          "call, second-call: 17:00 London = 12:00 your time\n")
    assert "10  Tue 15 Dec 2026 12:00" in shown


def test_a_close_deadline_moves_the_status_email_after_the_notes(run: Run) -> None:
    result = run("plan", "--company", "Acme", "--role", "Dev", "--at", "2026-11-10 14:00",
                 "--deadline", "2026-11-11", now="2026-11-05T12:00:00+00:00")
    assert result.exit_code == 0, result.stderr
    def when(step: str) -> str:
        return next(" ".join(line.split()[:5]) for line in result.stdout.splitlines()
                    if f"  {step}  " in line)

    assert [when(step) for step in ("thank-you-email", "formal-note", "status-email",
                                     "call-script", "call")] == [
        "Wed 11 Nov 2026 20:00",
        "Fri 13 Nov 2026 10:00",
        "Tue 17 Nov 2026 10:00",  # was Thu 12 Nov 10:00, before the thank-you
        "Wed 18 Nov 2026 17:00",
        "Thu 19 Nov 2026 09:00",
    ]
    assert why(result.stdout) == ["status-email: moved to Tuesday 17 Nov: 2 working days after formal-note"]


def test_a_thursday_interview_s_thank_you_is_due_friday(run: Run, run_json) -> None:
    assert run("add", "--company", "Acme", "--role", "Dev", "--at", "2026-12-03 14:00").exit_code == 0
    assert steps(run_json)["thank-you-email"]["due"] == "2026-12-04T20:00:00+00:00"  # was Saturday


def test_thanksgiving_in_the_users_country(run: Run, run_json, home: Path) -> None:
    config(home, 'timezone = "America/New_York"\ncountry = "US"\n')
    tuesday = run("add", "--company", "Acme", "--role", "Dev", "--at", "2026-11-24 10:00", now=BEFORE)
    assert tuesday.exit_code == 0
    # The end of the next working day, Wednesday (E + 48 h was Thanksgiving).
    assert steps(run_json, now=BEFORE)["thank-you-email"]["due"] == "2026-11-25T20:00:00-05:00"
    wednesday = run("add", "--company", "Globex", "--role", "Dev", "--at", "2026-11-25 10:00", now=BEFORE)
    assert steps(run_json, "2", now=BEFORE)["thank-you-email"]["due"] == "2026-11-27T11:00:00-05:00"
    assert "thank-you-email: moved to Friday 27 Nov: Thanksgiving Day in US" in wednesday.stdout


def test_a_reply_to_an_offer_never_falls_on_a_saturday(run: Run, run_json) -> None:
    assert run("add", "--company", "Acme", "--role", "Dev", "--at", "2026-12-03 14:00").exit_code == 0
    assert run("outcome", "1", "offer", "--at", "2026-12-11 15:30", now="2026-12-11T15:35:00+00:00"
               ).exit_code == 0
    # 24 h after a Friday afternoon is Saturday: the end of Friday instead, never later.
    reply = steps(run_json, now="2026-12-11T15:35:00+00:00")["reply-offer"]
    assert reply["due"] == "2026-12-11T20:00:00+00:00"


def tick_on_time(run: Run, ids: dict[str, int]) -> None:
    assert run("done", str(ids["thank-you-email"]), "--at", "2026-12-04 18:00",
               now="2026-12-04T18:05:00+00:00").exit_code == 0
    assert run("done", str(ids["formal-note-1"]), "--at", "2026-12-07 10:00",
               now="2026-12-07T10:05:00+00:00").exit_code == 0


def test_an_open_status_email_rolls_what_follows_forward_from_today(run: Run, run_json, home: Path) -> None:
    assert run("add", "--company", "Acme", "--role", "Dev", "--at", "2026-12-03 14:00", "--interviewer",
               "Jane Doe <jane@acme.example>", "--deadline", "2026-12-10").exit_code == 0
    tick_on_time(run, {key: item["id"] for key, item in steps(run_json).items()})
    # Two weeks and more after the status email was due; the first command of the day re-plans.
    today = "2026-12-28T09:00:00+00:00"
    assert run("export", "-o", str(home / "out.ics"), now=today).exit_code == 0
    got = due(steps(run_json, now=today))
    assert got["status-email"] == "2026-12-11T10:00:00+00:00"  # stays, shown overdue
    assert (got["call-script"], got["call"], got["second-call"], got["let-go"]) == (
        "2026-12-29T17:00:00+00:00", "2026-12-30T09:00:00+00:00",  # was 14 and 15 Dec
        "2027-01-13T09:00:00+00:00", "2027-01-20T10:00:00+00:00")
    shown = run("show", "1", now=today).stdout
    assert "8   ✓  Fri 11 Dec" not in shown and \
        "8      Fri 11 Dec 2026 10:00      overdue 16 days  Email Acme for a status update" in shown
    assert shown.endswith("\n\ncall: status-email is overdue, so this counts from today\n")
    # The next day, again from today.
    tomorrow = "2026-12-29T09:00:00+00:00"
    assert run("export", "-o", str(home / "out.ics"), now=tomorrow).exit_code == 0
    assert due(steps(run_json, now=tomorrow))["call"] == "2026-12-31T09:00:00+00:00"


def calendar(home: Path) -> dict[str, icalendar.cal.Component]:
    cal = icalendar.Calendar.from_ical((home / "followup.ics").read_bytes())
    # Events carry the step only (one item per step among them), tasks their key.
    return {str(c.get("X-FOLLOWUP-KEY", c["X-FOLLOWUP-STEP"])) + ("/event" if c.name == "VEVENT" else ""): c
            for c in cal.walk() if c.name in ("VEVENT", "VTODO")}


def test_adding_a_country_replans_every_stored_interview(run: Run, run_json, home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "vdir"
    assert run("remote", "add", "box", "--vdir", str(folder), "--create").exit_code == 0
    assert run("add", "--company", "Acme", "--role", "Dev", "--at", "2026-11-24 14:00",
               "--deadline", "2026-12-01", now=BEFORE).exit_code == 0
    assert steps(run_json, now=BEFORE)["let-go"]["due"] == "2026-12-25T10:00:00+00:00"
    files = {p.name: p.read_bytes() for p in folder.iterdir()}
    text = (home / "config.toml").read_text()
    config(home, 'country = "US"\n' + text)
    # `list` shows what is stored; the next command that plans or changes re-plans (rule 7)
    # and sends the moves to the remotes.
    assert run("sync", now=BEFORE).stdout == "box: 0 created, 1 updated, 0 deleted, 0 pulled, 0 conflicts\n"
    got = steps(run_json, now=BEFORE)
    assert got["let-go"]["due"] == "2026-12-28T10:00:00+00:00"
    sequences = {key: int(c["SEQUENCE"]) for key, c in calendar(home).items()}
    assert {key for key, n in sequences.items() if n} == {"let-go"}
    assert sequences["let-go"] == 1
    changed = {p.name for p in folder.iterdir() if files.get(p.name) != p.read_bytes()}
    assert changed == {f"{got['let-go']['uid']}.ics"}
    assert run("show", "1", now=BEFORE).stdout.endswith(
        "\n\nlet-go: moved to Monday 28 Dec: Christmas Day in US\n")


def test_hours_timezone_and_playbook_changes_replan_on_the_next_command(run: Run, run_json, home: Path) -> None:
    assert run("add", "--company", "Acme", "--role", "Dev", "--at", "2026-12-03 14:00",
               "--deadline", "2026-12-10").exit_code == 0
    before = {key: int(c["SEQUENCE"]) for key, c in calendar(home).items()}
    assert set(before.values()) == {0}
    config(home, 'timezone = "Europe/London"\nhours = "09:00-18:00"\n')
    assert run("export", "-o", str(home / "out.ics")).exit_code == 0
    got = due(steps(run_json))
    assert got["thank-you-email"] == "2026-12-04T18:00:00+00:00"  # the end of the new hours
    assert got["call-script"] == "2026-12-14T17:00:00+00:00"
    # The thank-you moved; the calls' reminders (08:50) moved into the hours.
    moved = {key for key, c in calendar(home).items() if int(c["SEQUENCE"])}
    assert moved == {"thank-you-email", "call", "call/event", "second-call", "second-call/event"}
    (home / "playbook.toml").write_text('[status-email]\nat = "15:00"\n')
    assert run("export", "-o", str(home / "out.ics")).exit_code == 0
    assert due(steps(run_json))["status-email"] == "2026-12-11T15:00:00+00:00"
    assert {key for key, c in calendar(home).items() if int(c["SEQUENCE"])} == moved | {"status-email"}
    config(home, 'timezone = "America/New_York"\nhours = "09:00-18:00"\n')
    assert run("export", "-o", str(home / "out.ics")).exit_code == 0
    got = due(steps(run_json))
    assert got["status-email"] == "2026-12-11T15:00:00-05:00"  # 15:00 in the new zone
    assert got["interview"] == "2026-12-03T14:00:00+00:00"  # the interview never moves


def test_a_changed_zone_leaves_completed_items_alone(run: Run, run_json, home: Path) -> None:
    assert run("add", "--company", "Acme", "--role", "Dev", "--at", "2026-12-03 14:00").exit_code == 0
    thank_you = steps(run_json)["thank-you-email"]
    assert run("done", str(thank_you["id"]), now="2026-12-04T18:05:00+00:00").exit_code == 0
    before = calendar(home)["thank-you-email"].to_ical()
    config(home, 'timezone = "Asia/Tokyo"\n')
    assert run("export", "-o", str(home / "out.ics"), now="2026-12-04T18:10:00+00:00").exit_code == 0
    after = calendar(home)
    # Same bytes: the London TZID it was closed with (never a fixed offset), SEQUENCE 1.
    assert after["thank-you-email"].to_ical() == before
    assert b"DUE;TZID=Europe/London:20261204T200000" in before
    assert after["formal-note"].decoded("DUE").isoformat() == "2026-12-07T10:00:00+09:00"


def test_a_thank_you_sent_late_moves_both_notes_a_working_day_later(run: Run, run_json) -> None:
    assert run("add", "--company", "Acme", "--role", "Dev", "--at", "2026-12-03 14:00", "--deadline",
               "2026-12-10", "--interviewer", "Jane Doe <jane@acme.example>",
               "--interviewer", "Bo Li <bo@acme.example>").exit_code == 0
    monday = "2026-12-07T09:05:00+00:00"
    thank_you = steps(run_json)["thank-you-email"]["id"]
    result = run("done", str(thank_you), "--at", "2026-12-07 09:00", now=monday)
    assert result.exit_code == 0
    got = due(steps(run_json, now=monday))
    # Not Monday 10:00, an hour after the thank-you: Tuesday.
    assert (got["formal-note-1"], got["formal-note-2"]) == (
        "2026-12-08T10:00:00+00:00", "2026-12-08T10:00:00+00:00")
    assert got["status-email"] == "2026-12-11T10:00:00+00:00"
    assert run("show", "1", now=monday).stdout.endswith(
        "\n\nformal-note-1, formal-note-2: moved to Tuesday 8 Dec: 1 working day after thank-you-email\n")


# -- call windows that never meet ------------------------------------------------------------


def test_london_and_sydney_call_windows_never_meet_in_december(run: Run, run_json) -> None:
    args = ("--company", "Koala", "--role", "Dev", "--tz", "Australia/Sydney",
            "--interviewer", "Kim <kim@koala.example>")
    result = run("plan", *args, "--at", "2026-12-03 10:00", "--deadline", "2026-12-10")
    # Sydney's evening (17:00-19:00, UTC+11) is London's 06:00-08:00: the nearest slot.
    assert why(result.stdout) == [
        "thank-you-email: at 12:45: 20:00 your time is Saturday in Sydney",
        "Warning: call, second-call: your hours (08:00-20:00) never meet Sydney's call windows"
        " (09:00-11:00, 17:00-19:00); the slot nearest to your hours is taken",
        "call, second-call: 18:45 Sydney = 07:45 your time",
    ]
    assert run("add", *args, "--at", "2026-12-03 10:00", "--deadline", "2026-12-10").exit_code == 0
    assert "Warning: call, second-call: your hours" in run("show", "1").stdout
    assert steps(run_json)["call"]["start"] == "2026-12-15T18:45:00+11:00"
    # In June London is UTC+1 and Sydney UTC+10: Sydney 17:00 is London 08:00.
    june = run("plan", *args, "--at", "2027-06-03 10:00", "--deadline", "2027-06-10",
               now="2027-05-01T12:00:00+00:00")
    assert why(june.stdout) == ["thank-you-email: at 14:45: 20:00 your time is Saturday in Sydney",
                                "call, second-call: 17:00 Sydney = 08:00 your time"]


def test_preparation_that_finds_no_working_day_moves_the_call() -> None:
    # 06:00-08:00 in London is the evening before in Honolulu: Monday morning in London is
    # Sunday there, so the call script cannot go on the Monday before a Tuesday call.
    interview = Interview(
        uid="x", company="Acme", role="Dev", tz="Europe/London", duration=dt.timedelta(minutes=15),
        start=dt.datetime(2026, 11, 26, 7, 0, tzinfo=ZoneInfo("Europe/London")),
        contacts=(Contact(1, "Pua", "pua@acme.example", "Pacific/Honolulu"),))
    people = People(Person("Europe/London"), frozenset(), Hours(dt.time(6), dt.time(8)))
    got = {i.key: (i.due or i.start) for i in plan(interview, people=people)}
    london = ZoneInfo("Europe/London")
    assert got["status-email"].astimezone(london).isoformat() == "2026-12-04T08:00:00+00:00"
    assert got["call-script"].astimezone(london).isoformat() == "2026-12-08T08:00:00+00:00"
    assert got["call"].astimezone(london).isoformat() == "2026-12-09T04:45:00+00:00"


# -- which holidays count ----------------------------------------------------------------------


@pytest.mark.parametrize(("country", "day", "closed"), [
    ("US", "2026-10-12", False),  # Columbus Day: federal offices close, companies work
    ("US", "2026-11-11", False),  # Veterans Day
    ("US", "2026-11-26", True),  # Thanksgiving
    ("US", "2026-07-03", True),  # Independence Day (observed)
    ("GB", "2026-12-28", True),  # Boxing Day (observed)
    ("DE", "2026-10-03", True),  # German Unity Day
    ("AU", "2026-08-03", False),  # NSW Bank Holiday: the BANK category, not PUBLIC
])
def test_holidays_that_close_private_employers(country: str, day: str, closed: bool) -> None:
    assert (dt.date.fromisoformat(day) in public_holidays(country)) is closed


# -- same state, same day, same bytes (rule 6 and the feed) -----------------------------------


def feed_etag(home: Path, now: str) -> tuple[str, bytes]:
    where = Paths(data=home, config=home)
    moment = dt.datetime.fromisoformat(now)
    service = Service(where, load_config(where), moment)
    token = ensure_token(service.store, moment)
    answer: list[Any] = []
    app = FeedApp(lambda: Service(where, load_config(where), moment), "Europe/London")
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": f"/{token}/full.ics", "SERVER_PROTOCOL": "HTTP/1.1"}
    body = b"".join(app(environ, lambda status, headers: answer.extend(headers)))
    service.store.close()
    return dict(answer)["ETag"], body


def test_the_feed_changes_at_most_once_a_day(run: Run, run_json, home: Path) -> None:
    assert run("add", "--company", "Acme", "--role", "Dev", "--at", "2026-12-03 14:00").exit_code == 0
    first_day, later = "2026-12-14T08:00:00+00:00", "2026-12-14T19:00:00+00:00"
    assert run("export", now=first_day).exit_code == 0  # the first command of the day re-plans
    etag, body = feed_etag(home, first_day)
    assert run("export", now=later).exit_code == 0
    assert feed_etag(home, later) == (etag, body)  # same state, same day: the same bytes
    next_day = "2026-12-15T08:00:00+00:00"
    assert feed_etag(home, next_day)[0] == etag  # the feed reads what is stored
    assert run("export", now=next_day).exit_code == 0
    moved, _ = feed_etag(home, next_day)
    assert moved != etag  # the overdue thank-you: what follows counts from the new day
    assert run("export", now="2026-12-15T18:00:00+00:00").exit_code == 0
    assert feed_etag(home, next_day)[0] == moved


# -- bad input -----------------------------------------------------------------------------------


def items_table(home: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(home / "followup.db") as db:
        return db.execute("SELECT uid, due, start, sequence, notes FROM items ORDER BY uid").fetchall()


@pytest.mark.parametrize(("setting", "message"), [
    ('hours = ""', "'hours': the hours are empty; give them as \"08:00-20:00\""),
    ('hours = "20:00-08:00"', "'hours': the hours '20:00-08:00' end before they start; give them"
     " as \"08:00-20:00\" (hours past midnight are not supported)"),
    ('hours = "09:00-10:00"', "'hours': the hours '09:00-10:00' are shorter than 2 hours; a plan"
     " needs room"),
    ('country = "XX"', "'country' 'XX' is not a country; use an ISO 3166 code such as GB, US or DE"),
])
def test_bad_hours_or_country_change_nothing(run: Run, home: Path, setting: str, message: str) -> None:
    assert run("add", "--company", "Acme", "--role", "Dev", "--at", "2026-12-03 14:00").exit_code == 0
    calendar_bytes, stored = (home / "followup.ics").read_bytes(), items_table(home)
    config(home, f'timezone = "Europe/London"\n{setting}\n')
    result = run("edit", "1", "--deadline", "2026-12-18")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", f"Error: {home / 'config.toml'}: {message}\n")
    assert (home / "followup.ics").read_bytes() == calendar_bytes
    assert items_table(home) == stored
