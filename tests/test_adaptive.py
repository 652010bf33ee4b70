"""Issue 3: the chain follows reality. Exact dates through the real CLI and store."""

from __future__ import annotations

from pathlib import Path

import icalendar
import pytest

from conftest import Run, by_step


def add(run: Run, *extra: str, at: str = "2026-12-03 14:00", deadline: str | None = "2026-12-10") -> None:
    args = ["add", "--company", "Acme", "--role", "Dev", "--at", at, "--tz", "Europe/London",
            "--interviewer", "Jane Doe <jane@acme.example>", *extra]
    if deadline:
        args += ["--deadline", deadline]
    result = run(*args)
    assert result.exit_code == 0, result.stderr


def steps(run_json) -> dict[str, dict]:
    return by_step(run_json("show", "1")["items"])


def calendar(home: Path) -> dict[str, icalendar.cal.Component]:
    cal = icalendar.Calendar.from_ical((home / "followup.ics").read_bytes())
    return {str(c["UID"]): c for c in cal.walk() if c.name in ("VEVENT", "VTODO")}


def test_deadline_moved_twice(run: Run, run_json, home: Path) -> None:
    add(run)
    before = steps(run_json)
    assert before["status-email"]["due"] == "2026-12-11T10:00:00+00:00"
    first_bytes = calendar(home)
    assert run("edit", "1", "--deadline", "2026-12-15").exit_code == 0
    assert run("edit", "1", "--deadline", "2026-12-17").exit_code == 0
    after = steps(run_json)
    assert after["response-deadline"]["start"] == "2026-12-17"
    assert after["status-email"]["due"] == "2026-12-18T10:00:00+00:00"
    assert after["call-script"]["due"] == "2026-12-21T17:00:00+00:00"
    assert after["call"]["start"] == "2026-12-22T09:00:00+00:00"
    assert after["second-call"]["start"] == "2027-01-05T09:00:00+00:00"
    assert after["let-go"]["due"] == "2027-01-12T10:00:00+00:00"
    assert {k: v["uid"] for k, v in after.items()} == {k: v["uid"] for k, v in before.items()}
    cal = calendar(home)
    sequences = {str(c.get("X-FOLLOWUP-KEY", c["X-FOLLOWUP-STEP"])) + ("/event" if c.name == "VEVENT" else ""): int(c["SEQUENCE"])
                 for c in cal.values()}
    # The open thank-you's draft names the decision date ("You mentioned that you hope to
    # decide by …"), so it changes with it.
    assert sequences == {
        "interview/event": 0, "ask-timeline": 0, "business-card": 0, "notes": 0,
        "thank-you-email": 2, "formal-note-1": 0, "response-deadline/event": 2,
        "status-email": 2, "call-script": 2, "call": 2, "call/event": 2, "second-call": 2,
        "second-call/event": 2, "let-go": 2}
    for uid, component in cal.items():  # unchanged items keep their bytes exactly
        if int(component["SEQUENCE"]) == 0:
            assert component.to_ical() == first_bytes[uid].to_ical()


def tick_thank_yous(run: Run) -> None:
    """A careful user sent the thank-you and the formal note on time: left open, they would
    be overdue by the time the status email is due, and rule 6 counts what follows from today."""
    assert run("done", "5", "--at", "2026-12-04 18:00", now="2026-12-04T18:05:00+00:00").exit_code == 0
    assert run("done", "6", "--at", "2026-12-07 10:00", now="2026-12-07T10:05:00+00:00").exit_code == 0


def test_status_email_sent_three_days_late_moves_the_call_and_undo_restores(run: Run, run_json) -> None:
    add(run)
    assert steps(run_json)["call"]["start"] == "2026-12-15T09:00:00+00:00"
    tick_thank_yous(run)
    result = run("done", "8", "--at", "2026-12-14 10:00", now="2026-12-14T10:05:00+00:00")
    assert result.stdout == "8  done: Email Acme for a status update\n"
    late = steps(run_json)
    assert late["status-email"]["due"] == "2026-12-11T10:00:00+00:00"  # completed items never move
    assert late["call"]["start"] == "2026-12-16T09:00:00+00:00"
    assert late["call-script"]["due"] == "2026-12-15T17:00:00+00:00"
    assert late["second-call"]["start"] == "2026-12-30T09:00:00+00:00"
    run("undo", "8")
    assert steps(run_json)["call"]["start"] == "2026-12-15T09:00:00+00:00"


def test_an_early_status_email_does_not_pull_the_call_forward(run: Run, run_json) -> None:
    add(run)
    tick_thank_yous(run)
    run("done", "8", "--at", "2026-12-09 10:00", now="2026-12-09T10:05:00+00:00")
    assert steps(run_json)["call"]["start"] == "2026-12-15T09:00:00+00:00"


def test_completed_call_moves_the_second_call_and_let_go(run: Run, run_json) -> None:
    add(run)
    run("done", "10", "--at", "2026-12-17 09:10", now="2026-12-17T09:20:00+00:00")
    got = steps(run_json)
    assert got["call"]["status"] == "completed"
    assert got["second-call"]["start"] == "2026-12-31T09:00:00+00:00"
    run("done", "11", "--at", "2027-01-04 09:05", now="2027-01-04T09:10:00+00:00")
    assert steps(run_json)["let-go"]["due"] == "2027-01-11T10:00:00+00:00"


def test_holidays_move_the_call(run: Run, run_json) -> None:
    # Status email Wed 23 Dec; the 2nd business day after is Christmas, then Boxing Day
    # (observed Mon 28): the call lands on Tue 29 Dec in GB.
    add(run, "--country", "GB", at="2026-12-15 10:00", deadline="2026-12-22")
    got = steps(run_json)
    assert got["status-email"]["due"] == "2026-12-23T10:00:00+00:00"
    assert got["call"]["start"] == "2026-12-29T09:00:00+00:00"
    assert got["call-script"]["due"] == "2026-12-24T17:00:00+00:00"
    run("edit", "1", "--country", "none")
    assert steps(run_json)["call"]["start"] == "2026-12-25T09:00:00+00:00"
    # US: Christmas is closed, Boxing Day is not.
    run("edit", "1", "--country", "US")
    assert steps(run_json)["call"]["start"] == "2026-12-28T09:00:00+00:00"


def test_new_years_day_moves_the_second_call(run: Run, run_json, home: Path) -> None:
    (home / "config.toml").write_text('timezone = "Europe/London"\ncountry = "GB"\n')
    add(run, at="2026-12-08 10:00", deadline="2026-12-15")
    got = steps(run_json)
    assert got["call"]["start"] == "2026-12-18T09:00:00+00:00"
    assert got["second-call"]["start"] == "2027-01-04T09:00:00+00:00"  # 1 Jan is a holiday


def test_dst_change_between_interview_and_call(run: Run, run_json) -> None:
    # Planned before the interview: planned after it, everything would count from today (rule 6).
    before = "2026-10-01T12:00:00+01:00"
    result = run("add", "--company", "Acme", "--role", "Dev", "--at", "2026-10-20 14:00", "--tz",
                 "Europe/London", "--interviewer", "Jane Doe <jane@acme.example>", "--deadline",
                 "2026-10-27", now=before)
    assert result.exit_code == 0, result.stderr
    got = by_step(run_json("show", "1", now=before)["items"])
    assert got["interview"]["start"] == "2026-10-20T14:00:00+01:00"
    assert got["status-email"]["due"] == "2026-10-28T10:00:00+00:00"
    assert got["call"]["start"] == "2026-10-30T09:00:00+00:00"


def test_a_contact_nine_hours_away_gets_called_in_their_morning(run: Run, run_json) -> None:
    result = run("add", "--company", "Globex", "--role", "SRE", "--at", "2026-12-03 14:00",
                 "--tz", "Europe/Berlin", "--deadline", "2026-12-10",
                 "--interviewer", "Hank Scorpio <hank@globex.example>",
                 "--contact-tz", "America/Los_Angeles")
    assert result.exit_code == 0, result.stderr
    got = steps(run_json)
    assert got["call"]["start"] == "2026-12-15T09:00:00-08:00"
    assert got["second-call"]["start"] == "2026-12-29T09:00:00-08:00"
    # 17:00 in the user's zone (London), where the table's clock times are read (PLAYBOOK.md).
    assert got["call-script"]["due"] == "2026-12-14T17:00:00+00:00"
    lines = [line for line in run("show", "1").stdout.splitlines() if "Call Globex" in line]
    # Shown in the user's zone (London): 09:00 in Los Angeles is 17:00 there.
    assert "Tue 15 Dec 2026 17:00" in lines[0]


def test_a_country_with_one_zone_gives_the_contact_zone(run: Run, run_json) -> None:
    add(run, "--contact-tz", "JP")
    assert run_json("show", "1")["interview"]["interviewers"][0]["tz"] == "Asia/Tokyo"
    # Tokyo's morning is the London user's night (rule 4): Tokyo's evening, 08:00 in London.
    assert steps(run_json)["call"]["start"] == "2026-12-15T17:00:00+09:00"
    result = run("edit", "1", "--contact-tz", "jane@acme.example=US")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --contact-tz: US has several time zones (America/New_York,")


BUSY = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//busy//EN
BEGIN:VEVENT
UID:standup@example.com
DTSTAMP:20261101T000000Z
DTSTART;TZID=Europe/London:20261104T090000
DTEND;TZID=Europe/London:20261104T100000
RRULE:FREQ=WEEKLY;BYDAY=WE
EXDATE;TZID=Europe/London:20261223T090000
SUMMARY:Team meeting
END:VEVENT
END:VCALENDAR
"""


def test_weekly_busy_event_moves_the_call_except_on_its_exception_date(run: Run, run_json, home: Path) -> None:
    busy = home / "work.ics"
    busy.write_text(BUSY)
    (home / "config.toml").write_text(f'timezone = "Europe/London"\nbusy = ["{busy}"]\n')
    # Call planned Wed 16 Dec 09:00, on the team meeting: next free slot is 10:00.
    add(run, at="2026-12-04 14:00", deadline="2026-12-11")
    got = steps(run_json)
    assert got["call"]["start"] == "2026-12-16T10:00:00+00:00"
    # Second call Wed 30 Dec 09:00: meeting again, moved to 10:00 too.
    assert got["second-call"]["start"] == "2026-12-30T10:00:00+00:00"
    # Call on Wed 23 Dec: the meeting's exception date, so 09:00 stays.
    result = run("add", "--company", "Initech", "--role", "Dev", "--at", "2026-12-11 14:00",
                 "--tz", "Europe/London", "--deadline", "2026-12-18")
    assert result.exit_code == 0
    initech = by_step(run_json("show", "2")["items"])
    assert initech["call"]["start"] == "2026-12-23T09:00:00+00:00"
    plan = run("plan", "--company", "Umbrella", "--role", "Dev", "--at", "2026-12-04 15:00",
               "--tz", "Europe/London", "--deadline", "2026-12-11")
    assert plan.stdout.endswith(
        "\ncall: moved from Wed 16 Dec 09:00: busy with Team meeting"
        "\nsecond-call: moved from Wed 30 Dec 09:00: busy with Team meeting\n")


def test_a_malformed_busy_calendar_is_named_and_skipped(run: Run, run_json, home: Path) -> None:
    broken = home / "broken.ics"
    broken.write_text("BEGIN:VCALENDAR\nthis is not a calendar\n")
    (home / "config.toml").write_text(f'timezone = "Europe/London"\nbusy = ["{broken}"]\n')
    result = run("add", "--company", "Acme", "--role", "Dev", "--at", "2026-12-03 14:00",
                 "--tz", "Europe/London", "--deadline", "2026-12-10")
    assert result.exit_code == 0
    assert result.stderr.startswith(f"Warning: busy calendar {broken} cannot be read (")
    assert result.stderr.endswith("); skipped\n")
    assert steps(run_json)["call"]["start"] == "2026-12-15T09:00:00+00:00"


def test_snooze_survives_a_replan_and_can_be_cleared(run: Run, run_json, home: Path) -> None:
    add(run)
    result = run("snooze", "8", "2026-12-14 09:30")
    assert (result.exit_code, result.stdout) == (
        0, "8  snoozed to Mon 14 Dec 2026 09:30: Email Acme for a status update\n")
    got = steps(run_json)
    assert (got["status-email"]["due"], got["status-email"]["overridden"]) == (
        "2026-12-14T09:30:00+00:00", True)
    assert got["call"]["start"] == "2026-12-16T09:00:00+00:00"  # follows the snoozed email
    run("edit", "1", "--deadline", "2026-12-09")
    got = steps(run_json)
    assert got["status-email"]["due"] == "2026-12-14T09:30:00+00:00"
    assert "(snoozed)" in run("list").stdout
    run("snooze", "8", "--clear")
    assert steps(run_json)["status-email"]["due"] == "2026-12-10T10:00:00+00:00"


def test_snooze_by_a_duration(run: Run, run_json) -> None:
    add(run)
    assert run("snooze", "8", "2d").stdout == "8  snoozed to Sun 13 Dec 2026 10:00: Email Acme for a status update\n"


@pytest.mark.parametrize(("args", "message"), [
    (("snooze", "8", "2026-12-01 10:00"),
     "Error: 2026-12-01 10:00 is before the interview ended (2026-12-03 15:00); snooze to a later time"),
    (("snooze", "1", "2d"), "Error: item 1 (Interview: Dev at Acme) is a calendar event, not a task;"
     " only tasks can be snoozed"),
    (("snooze", "8", "someday"),
     "Error: invalid snooze 'someday'; give a duration (2d, 3h, 1w) or 'YYYY-MM-DD HH:MM'"),
    (("snooze", "8"), "Error: give either DURATION|DATETIME or --clear (see 'followup snooze --help')"),
    (("edit", "1", "--country", "XX"), "Error: --country: unknown country 'XX'; use an ISO 3166 code such as GB, US or DE"),
    (("edit", "1", "--country", "GB-XYZ"),
     "Error: --country: unknown subdivision 'XYZ' of GB; use one of: ENG, NIR, SCT, WLS"),
    (("edit", "1"), "Error: nothing to change; give at least one option (see 'followup edit --help')"),
    (("edit", "1", "--remove-interviewer", "bob@acme.example"),
     "Error: --remove-interviewer: no interviewer 'bob@acme.example' on this interview; `followup show` lists them"),
    (("edit", "1", "--deadline", "2026-11-30"),
     "Error: --deadline: the deadline 2026-11-30 is before the interview (2026-12-03)"),
])
def test_bad_input_changes_nothing(run: Run, home: Path, args, message) -> None:
    add(run)
    before = (home / "followup.ics").read_bytes()
    result = run(*args)
    assert (result.exit_code, result.stderr) == (2, message + "\n")
    assert (home / "followup.ics").read_bytes() == before


def test_adding_and_removing_interviewers(run: Run, run_json) -> None:
    add(run)
    run("edit", "1", "--add-interviewer", "Bo Li <bo@acme.example>")
    got = steps(run_json)
    assert (got["formal-note-2"]["summary"], got["formal-note-2"]["due"]) == (
        "Send a formal note to Bo Li (Acme)", "2026-12-07T10:00:00+00:00")
    run("edit", "1", "--remove-interviewer", "jane@acme.example")
    got = steps(run_json)
    assert got["formal-note-1"]["status"] == "cancelled"
    assert got["formal-note-2"]["status"] == "needs-action"
    assert run_json("show", "1")["interview"]["interviewers"] == [
        {"name": "Bo Li", "email": "bo@acme.example", "tz": None, "phone": None, "title": None}]


def test_first_interviewer_added_retires_the_note_to_the_hiring_team(run: Run, run_json) -> None:
    assert run("add", "--company", "Acme", "--role", "Dev", "--at", "2026-12-03 14:00").exit_code == 0
    assert steps(run_json)["formal-note"]["status"] == "needs-action"
    run("edit", "1", "--add-interviewer", "Jane Doe <jane@acme.example>")
    got = steps(run_json)
    assert got["formal-note"]["status"] == "cancelled"
    assert got["formal-note-1"]["status"] == "needs-action"


def test_moving_the_interview_keeps_completed_items(run: Run, run_json) -> None:
    add(run)
    run("done", "4", now="2026-12-03T17:00:00+00:00")
    run("edit", "1", "--at", "2026-12-04 10:00")
    got = steps(run_json)
    assert got["interview"]["start"] == "2026-12-04T10:00:00+00:00"
    assert got["notes"]["due"] == "2026-12-03T17:00:00+00:00"  # done: never moves
    assert got["ask-timeline"]["due"] == "2026-12-04T11:00:00+00:00"
