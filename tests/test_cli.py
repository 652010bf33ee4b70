"""The command-line contract of issue 2, through Click's runner on a real FOLLOWUP_HOME."""

from __future__ import annotations

from pathlib import Path

import icalendar
import pytest

from conftest import Run, by_step

ADD = ("add", "--company", "Acme", "--role", "Data Engineer", "--at", "2026-12-04 14:00",
       "--tz", "Europe/London", "--interviewer", "Jane Doe <jane@acme.example>",
       "--deadline", "2026-12-11")


JANE_DOC = {"name": "Jane Doe", "email": "jane@acme.example", "tz": None, "phone": None,
            "title": None}


def components(path_or_bytes: Path | bytes) -> list[icalendar.cal.Component]:
    data = path_or_bytes.read_bytes() if isinstance(path_or_bytes, Path) else path_or_bytes
    cal = icalendar.Calendar.from_ical(data)
    return [c for c in cal.walk() if c.name in ("VEVENT", "VTODO")]


def by_uid(path_or_bytes: Path | bytes) -> dict[str, icalendar.cal.Component]:
    return {str(c["UID"]): c for c in components(path_or_bytes)}


def test_add_prints_the_id_the_timeline_and_the_calendar_file(run: Run, home: Path) -> None:
    result = run(*ADD)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:6] == [
        "Added interview 1.",
        "Data Engineer at Acme (interview 1)",
        "  When:      Fri 04 Dec 2026 14:00–15:00 Europe/London",
        "  Decision:  Fri 11 Dec 2026",
        "  With:      Jane Doe <jane@acme.example>",
        "  Held:      on site",
    ]
    assert lines[7].split() == ["1", "Fri", "04", "Dec", "2026", "14:00", "in", "6", "days",
                                "Interview:", "Data", "Engineer", "at", "Acme"]
    assert lines[-1] == f"Calendar file: {home / 'followup.ics'}"
    assert len(components(home / "followup.ics")) == 14  # 12 items + call slots as events


def test_add_json_is_the_show_document(run: Run, run_json) -> None:
    added = run_json(*ADD)
    assert added == run_json("show", "1")
    interview = added["interview"]
    assert interview == {
        "id": 1, "uid": interview["uid"], "company": "Acme", "role": "Data Engineer",
        "start": "2026-12-04T14:00:00+00:00", "end": "2026-12-04T15:00:00+00:00",
        "duration_minutes": 60, "tz": "Europe/London", "deadline": "2026-12-11",
        "deadline_assumed": False,
        "interviewers": [JANE_DOC], "decision_contact": JANE_DOC, "held": "onsite",
        "round": 1, "round_of": None,
        "channel": "email", "note": "email", "location": "", "country": None, "language": None,
        "outcome": None, "outcomes": [],
    }
    steps = by_step(added["items"])
    assert steps["call"] == {
        "id": 10, "uid": f"followup-{interview['uid']}-call", "interview": 1, "step": "call",
        "kind": "task", "summary": "Call Acme about the Data Engineer role",
        "start": "2026-12-16T09:00:00+00:00", "due": "2026-12-16T09:00:00+00:00",
        "end": "2026-12-16T09:15:00+00:00", "status": "needs-action", "completed": None,
        "overridden": False,
    }
    assert steps["interview"]["kind"] == "event"
    assert steps["response-deadline"]["start"] == "2026-12-11"
    assert [i["step"] for i in added["items"]] == [
        "interview", "ask-timeline", "business-card", "notes", "thank-you-email", "formal-note",
        "response-deadline", "status-email", "call-script", "call", "second-call", "let-go"]


def test_list_shows_open_tasks_soonest_first_and_marks_overdue(run: Run, run_json) -> None:
    run(*ADD)
    items = run_json("list")
    assert [i["step"] for i in items] == [
        "ask-timeline", "business-card", "notes", "thank-you-email", "formal-note",
        "status-email", "call-script", "call", "second-call", "let-go"]
    later = run("list", now="2026-12-05T12:00:00+00:00")
    lines = later.stdout.splitlines()
    assert "overdue 21 hours" in lines[0] and "Ask Acme when they will decide" in lines[0]
    assert "overdue 19 hours" in lines[2]
    assert "in 2 days" in lines[4] and "Send a formal note to Jane Doe (Acme)" in lines[4]


def test_done_and_undo_round_trip(run: Run, run_json, home: Path) -> None:
    run(*ADD)
    calendar = home / "followup.ics"
    uid = run_json("show", "1")["items"][4]["uid"]
    assert run_json("show", "1")["items"][4]["step"] == "thank-you-email"
    result = run("done", "5", now="2026-12-05T09:30:00+00:00")
    assert (result.exit_code, result.stdout) == (0, "5  done: Send a thank-you email to Acme\n")
    todo = by_uid(calendar)[uid]
    assert str(todo["STATUS"]) == "COMPLETED"
    assert todo["COMPLETED"].dt.isoformat() == "2026-12-05T09:30:00+00:00"
    assert int(todo["PERCENT-COMPLETE"]) == 100
    assert int(todo["SEQUENCE"]) == 1
    assert todo["LAST-MODIFIED"].dt.isoformat() == "2026-12-05T09:30:00+00:00"
    assert not todo.walk("VALARM")
    assert b"COMPLETED;VALUE" not in calendar.read_bytes()  # todoman #310
    assert run_json("list", "--all")[3]["completed"] == "2026-12-05T09:30:00+00:00"

    again = run("done", uid)
    assert (again.exit_code, again.stdout) == (0, "5  already done: Send a thank-you email to Acme\n")

    undone = run("undo", "5", now="2026-12-05T10:00:00+00:00")
    assert (undone.exit_code, undone.stdout) == (0, "5  re-opened: Send a thank-you email to Acme\n")
    todo = by_uid(calendar)[uid]
    assert str(todo["STATUS"]) == "NEEDS-ACTION"
    assert "COMPLETED" not in todo and "PERCENT-COMPLETE" not in todo
    assert int(todo["SEQUENCE"]) == 2
    assert len(todo.walk("VALARM")) == 1


def test_done_on_an_event_is_a_clear_error(run: Run, home: Path) -> None:
    run(*ADD)
    before = (home / "followup.ics").read_bytes()
    result = run("done", "1")
    assert result.exit_code == 2
    assert result.stderr == ("Error: item 1 (Interview: Data Engineer at Acme) is a calendar event,"
                             " not a task; only tasks can be marked done\n")
    assert (home / "followup.ics").read_bytes() == before


def test_done_with_several_refs_is_all_or_nothing(run: Run, run_json) -> None:
    run(*ADD)
    result = run("done", "2", "99")
    assert (result.exit_code, result.stderr) == (
        2, "Error: no item '99'; `followup list --all` shows the ids\n")
    assert by_step(run_json("show", "1")["items"])["ask-timeline"]["status"] == "needs-action"


def test_outcome_offer_cancels_the_chase(run: Run, run_json, home: Path) -> None:
    run(*ADD)
    result = run("outcome", "1", "offer", now="2026-12-08T15:30:00+00:00")
    assert result.exit_code == 0
    assert result.stdout.startswith("Recorded 'offer' for interview 1.\n")
    doc = run_json("show", "1")
    assert doc["interview"]["outcome"] == "offer"
    steps = {i["step"]: i["status"] for i in doc["items"]}
    assert steps == {
        "interview": "needs-action", "ask-timeline": "needs-action",
        "business-card": "needs-action", "notes": "needs-action",
        "thank-you-email": "needs-action", "formal-note": "needs-action",
        "response-deadline": "cancelled", "status-email": "cancelled",
        "call-script": "cancelled", "call": "cancelled", "second-call": "cancelled",
        "let-go": "cancelled", "reply-offer": "needs-action"}
    assert by_step(doc["items"])["reply-offer"]["due"] == "2026-12-09T15:30:00+00:00"
    events = by_uid(run("export", "--profile", "events").stdout_bytes)
    call = events[f"followup-{doc['interview']['uid']}-call-event"]
    assert (str(call["STATUS"]), int(call["SEQUENCE"])) == ("CANCELLED", 1)
    again = run("outcome", "1", "offer")
    assert again.stdout == "Interview 1 already has the outcome 'offer'; nothing changed.\n"


def test_export_profiles(run: Run, home: Path) -> None:
    run(*ADD)
    run("done", "5", now="2026-12-05T09:30:00+00:00")
    full = run("export").stdout_bytes
    events = run("export", "--profile", "events").stdout_bytes
    tasks = run("export", "--profile", "tasks").stdout_bytes
    assert full == (home / "followup.ics").read_bytes()
    assert [c.name for c in components(events)] == ["VEVENT"] * 12
    assert b"VTODO" not in events
    assert [c.name for c in components(tasks)] == ["VTODO"] * 10
    assert b"VEVENT" not in tasks
    kinds = sorted(c.name for c in components(full))
    assert kinds == ["VEVENT"] * 4 + ["VTODO"] * 10
    summaries = {str(c["X-FOLLOWUP-STEP"]): str(c["SUMMARY"]) for c in components(events)}
    assert summaries["thank-you-email"] == "✓ Send a thank-you email to Acme"
    uids = [str(c["UID"]) for c in components(full)]
    assert len(uids) == len(set(uids))
    assert all(set(u) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-")
               for u in uids)


def test_export_to_a_file(run: Run, tmp_path: Path) -> None:
    run(*ADD)
    target = tmp_path / "out" / "google.ics"
    result = run("export", "--profile", "events", "-o", str(target))
    assert (result.exit_code, result.stderr) == (0, f"Wrote events calendar to {target}\n")
    assert b"BEGIN:VEVENT" in target.read_bytes()


def test_same_state_gives_identical_bytes_and_untouched_items_keep_theirs(run: Run) -> None:
    run(*ADD)
    first = run("export").stdout_bytes
    assert run("export").stdout_bytes == first
    # Another day with nothing overdue yet: the same bytes (rule 6 moves only what follows
    # a step overdue by more than a day; tests/test_two_calendars.py has that).
    assert run("export", now="2026-12-01T09:00:00+00:00").stdout_bytes == first
    before = by_uid(first)
    run("done", "2", now="2026-12-04T15:05:00+00:00")
    after = by_uid(run("export").stdout_bytes)
    changed = sorted(uid for uid in before if before[uid].to_ical() != after[uid].to_ical())
    assert changed == [next(uid for uid in before if uid.endswith("-ask-timeline"))]


def test_plan_prints_the_timeline_and_stores_nothing(run: Run, home: Path) -> None:
    result = run("plan", *ADD[1:])
    assert result.exit_code == 0
    assert "call" in result.stdout and "Call Acme about the Data Engineer role" in result.stdout
    assert not (home / "followup.db").exists()
    assert not (home / "followup.ics").exists()


def test_plan_json_has_the_show_shape(run_json) -> None:
    doc = run_json("plan", *ADD[1:])
    assert sorted(doc) == ["interview", "items"]
    assert doc["items"][9]["step"] == "call" and doc["items"][9]["id"] is None


def test_text_with_separators_quotes_emoji_and_newlines_survives(run: Run, run_json, home: Path) -> None:
    company = 'Acme; Inc, "Robots" 😀\nLine two\r\nthree'
    role = "Dev, Ops; SRE\\"
    result = run("add", "--company", company, "--role", role, "--at", "2026-12-04 14:00",
                 "--location", "Room 1; floor 2, \"B\"")
    assert result.exit_code == 0, result.stderr
    assert run_json("show", "1")["interview"]["company"] == company
    cal = icalendar.Calendar.from_ical((home / "followup.ics").read_bytes())
    event = next(c for c in cal.walk("VEVENT") if str(c["X-FOLLOWUP-STEP"]) == "interview")
    # iCalendar TEXT has no bare CR: a CRLF line break comes back as LF, nothing else changes.
    assert str(event["SUMMARY"]) == f"Interview: {role} at {company}".replace("\r\n", "\n")
    assert str(event["LOCATION"]) == 'Room 1; floor 2, "B"'
    for line in (home / "followup.ics").read_bytes().split(b"\r\n"):
        assert not line.startswith((b"Line two", b"three"))  # no property injected


def test_interviews_in_another_zone_are_shown_in_the_users(run: Run) -> None:
    result = run("add", "--company", "Contoso", "--role", "SRE", "--at", "2026-12-07 09:30",
                 "--tz", "America/New_York")
    lines = result.stdout.splitlines()
    assert lines[2:4] == ["  When:      Mon 07 Dec 2026 09:30–10:30 America/New_York",
                          "             Mon 07 Dec 2026 14:30 Europe/London (your time)"]


BAD_INPUTS = [
    (("--at", "2026-13-01 14:00"), "Error: --at: invalid interview time '2026-13-01 14:00'; "
     "write it as 'YYYY-MM-DD HH:MM', e.g. '2026-12-01 14:00'"),
    (("--at", "2026-12-01"), "Error: --at: invalid interview time '2026-12-01'; "
     "write it as 'YYYY-MM-DD HH:MM', e.g. '2026-12-01 14:00'"),
    (("--at", "2026-12-04 14:00", "--tz", "Mars/Olympus"), "Error: --tz: unknown time zone 'Mars/Olympus'; "
     "use an IANA name such as Europe/London or America/New_York"),
    (("--at", "2026-12-04 14:00", "--deadline", "2026-12-01"),
     "Error: --deadline: the deadline 2026-12-01 is before the interview (2026-12-04)"),
    (("--at", "2026-12-04 14:00", "--deadline", "next week"),
     "Error: --deadline: invalid deadline 'next week'; write it as YYYY-MM-DD, e.g. 2026-12-15"),
    (("--at", "2026-12-04 14:00", "--interviewer", "Jane <jane.example"),
     "Error: --interviewer: malformed interviewer 'Jane <jane.example'; write it as \"Name <email> phone\", "
     "e.g. \"Jane Doe <jane@acme.example> +44 20 7946 0000\""),
    (("--at", "2026-12-04 14:00", "--interviewer", "Jane <jane@>"),
     "Error: --interviewer: malformed interviewer 'Jane <jane@>'; write it as \"Name <email> phone\", "
     "e.g. \"Jane Doe <jane@acme.example> +44 20 7946 0000\""),
    (("--at", "2026-12-04 14:00", "--duration", "0m"),
     "Error: --duration: the duration '0m' is zero; give a length such as 45m or 1h"),
    (("--at", "2026-12-04 14:00", "--duration", "soon"),
     "Error: --duration: invalid duration 'soon'; write it like 45m, 1h or 1h30m"),
    (("--at", "2027-03-28 01:30", "--tz", "Europe/London"),
     "Error: --at: '2027-03-28 01:30' does not exist in Europe/London (the clocks skip it for daylight"
     " saving time); pick another time"),
    (("--at", "2026-12-04 14:00", "--channel", "fax"),
     "Error: Invalid value for '--channel': 'fax' is not one of 'email', 'phone' "
     "(see 'followup add --help')"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUTS)
def test_bad_input_is_one_line_exit_2_and_nothing_written(run: Run, home: Path, args, message) -> None:
    result = run("add", "--company", "Acme", "--role", "Dev", *args)
    assert (result.exit_code, result.stderr, result.stdout) == (2, message + "\n", "")
    assert not (home / "followup.ics").exists()


def test_missing_option_is_a_usage_error(run: Run) -> None:
    result = run("add", "--company", "Acme", "--at", "2026-12-04 14:00")
    assert (result.exit_code, result.stderr) == (
        2, "Error: Missing option '--role' (see 'followup add --help')\n")


def test_duplicate_interview_is_refused_and_changes_nothing(run: Run, home: Path) -> None:
    run(*ADD)
    before = (home / "followup.ics").read_bytes()
    result = run(*ADD)
    assert (result.exit_code, result.stderr) == (
        2, "Error: this interview is stored already as interview 1 ('Acme', 'Data Engineer' at"
           " 2026-12-04 14:00); `followup show 1` shows it\n")
    assert (home / "followup.ics").read_bytes() == before


@pytest.mark.parametrize(("args", "message"), [
    (("show", "7"), "Error: no interview 7; `followup interviews --all` shows them"),
    (("show", "acme"), "Error: no interview 'acme'; give the number shown by `followup interviews`"),
    (("outcome", "7", "offer"), "Error: no interview 7; `followup interviews --all` shows them"),
    (("undo", "followup-nope-notes"),
     "Error: no item 'followup-nope-notes'; `followup list --all` shows the ids"),
    (("outcome", "1", "ghosted"), "Error: Invalid value for 'OUTCOME': 'ghosted' is not one of "
     "'reply', 'second-interview', 'offer', 'rejected', 'withdrawn' (see 'followup outcome --help')"),
])
def test_unknown_references(run: Run, args, message) -> None:
    run(*ADD)
    result = run(*args)
    assert (result.exit_code, result.stderr) == (2, message + "\n")


def test_help_works_with_h_and_ends_with_an_example(run: Run) -> None:
    for command in ("add", "plan", "import", "list", "show", "done", "undo", "outcome", "export"):
        result = run(command, "-h")
        assert result.exit_code == 0
        assert "Example:" in result.stdout and f"followup {command}" in result.stdout


def test_colour_marks_overdue_rows_only_when_asked(run: Run, home: Path) -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    from followup.cli.output import item_rows
    from followup.store import Store

    run(*ADD)
    store = Store(home / "followup.db")
    rows = store.items(1, kinds=("task",), light=True)[:2]
    now = dt.datetime(2026, 12, 5, 12, tzinfo=dt.timezone.utc)
    plain = item_rows(rows, now, ZoneInfo("Europe/London"))
    coloured = item_rows(rows, now, ZoneInfo("Europe/London"), color=True)
    assert coloured == [f"\x1b[31m\x1b[1m{line}\x1b[0m" for line in plain]
    assert "\x1b" not in run("list", now="2026-12-05T12:00:00+00:00").stdout


def test_list_json_from_sqlite_matches_the_python_rendering(run: Run, run_json, home: Path) -> None:
    from followup.store import Store, item_json

    run("add", "--company", 'Acme "Ü" 😀\nTwo', "--role", "Dev\\Ops", "--at", "2026-12-04 14:00")
    run("done", "2", now="2026-12-04T15:10:00+00:00")
    run("snooze", "9", "2026-12-20 10:00")
    listed = run_json("list", "--all")
    store = Store(home / "followup.db")
    assert listed == [item_json(row) for row in store.items(kinds=("task",), light=True)]
    assert listed[0]["completed"] == "2026-12-04T15:10:00+00:00"
    assert [i["overridden"] for i in listed].count(True) == 1
    assert listed[2]["summary"] == 'Write interview notes (Acme "Ü" 😀\nTwo)'


def test_an_unwritable_calendar_file_is_one_line_and_changes_nothing(run: Run, run_json, home: Path) -> None:
    run(*ADD)
    (home / "config.toml").write_text(
        'timezone = "Europe/London"\ncalendar_file = "/proc/followup/calendar.ics"\n')
    result = run("done", "2")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot write /proc/followup: ")
    assert result.stderr.endswith("; nothing changed\n")
    assert by_step(run_json("show", "1")["items"])["ask-timeline"]["status"] == "needs-action"


def test_a_locked_database_is_a_clear_error(run: Run, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from followup.store import Store

    run(*ADD)
    original = Store.__init__

    def impatient(self: Store, path: Path) -> None:  # the real 30 s wait, shortened for the test
        original(self, path)
        self.db.execute("PRAGMA busy_timeout = 100")

    monkeypatch.setattr(Store, "__init__", impatient)
    blocker = sqlite3.connect(home / "followup.db", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        result = run("done", "2")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert result.exit_code == 1
    assert result.stderr == ("Error: the database could not be used (database is locked); if another"
                             " followup is still running, try again when it has finished\n")


def test_no_command_prints_the_help(run: Run) -> None:
    result = run()
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.startswith("Usage: followup [OPTIONS] COMMAND [ARGS]...\n")
    assert "  sync        Send your changes" in result.stdout
