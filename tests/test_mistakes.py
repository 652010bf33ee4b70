"""Correcting mistakes (issue 11): outcome --replace and --clear, one outcome per interview,
`--at` bounds on done and outcome, and `rm` everywhere but on remotes (see
test_remove_remote.py for those)."""

from __future__ import annotations

import json
from pathlib import Path

import icalendar
import pytest

from conftest import Run, by_step
from terminal import on_terminal

ADD = ("add", "--company", "Acme", "--role", "Data Engineer", "--at", "2026-12-04 14:00",
       "--tz", "Europe/London", "--interviewer", "Jane Doe <jane@acme.example>",
       "--deadline", "2026-12-11")
ADD_2 = ("add", "--company", "Globex", "--role", "SRE", "--at", "2026-12-07 10:00",
         "--tz", "Europe/London", "--interviewer", "Bo Li <bo@globex.example>")
AFTER = "2026-12-08T12:00:00+00:00"  # after both interviews
CHASE = ["response-deadline", "status-email", "call-script", "call", "call-event",
         "second-call", "second-call-event", "let-go"]


def objects(path: Path) -> dict[str, icalendar.cal.Component]:
    """The calendar file's components by UID."""
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(c["UID"]): c for c in cal.walk() if c.name in ("VEVENT", "VTODO")}


def key(uid: str) -> str:
    """The item's key: what follows "followup-<interview uid>-"."""
    return uid.split("-", 2)[2]


def raw(path: Path) -> dict[str, bytes]:
    return {key: comp.to_ical() for key, comp in objects(path).items()}


def statuses(run_json, interview: str = "1") -> dict[str, str]:
    return {key: item["status"] for key, item in by_step(run_json("show", interview, now=AFTER)["items"]).items()}


# -- outcome: one per interview, --replace, --clear ---------------------------------------


def test_a_second_outcome_is_refused_with_a_hint_and_changes_nothing(run: Run, home: Path) -> None:
    assert run(*ADD).exit_code == 0
    assert run("outcome", "1", "rejected", now=AFTER).exit_code == 0
    before = (home / "followup.ics").read_bytes()
    result = run("outcome", "1", "offer", now=AFTER)
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", "Error: interview 1 already has the outcome 'rejected'; give --replace to replace"
               " it with 'offer', or `followup outcome 1 --clear` to remove it\n")
    assert (home / "followup.ics").read_bytes() == before
    again = run("outcome", "1", "rejected", now=AFTER)
    assert (again.exit_code, again.stdout) == (
        0, "Interview 1 already has the outcome 'rejected'; nothing changed.\n")


def test_after_reply_a_later_answer_joins_it(run: Run, run_json) -> None:
    assert run(*ADD).exit_code == 0
    assert run("outcome", "1", "reply", now=AFTER).exit_code == 0
    assert run("outcome", "1", "offer", now="2026-12-09T12:00:00+00:00").exit_code == 0
    doc = run_json("show", "1", now=AFTER)["interview"]
    assert [o["outcome"] for o in doc["outcomes"]] == ["reply", "offer"]


def test_replace_turns_a_rejection_into_an_offer(run: Run, run_json, home: Path) -> None:
    assert run(*ADD).exit_code == 0
    assert run("outcome", "1", "rejected", now=AFTER).exit_code == 0
    rejected = statuses(run_json)
    assert (rejected["thank-you-email"], rejected["gracious-reply"]) == ("cancelled", "needs-action")
    result = run("outcome", "1", "offer", "--replace", now=AFTER)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Replaced the outcome with 'offer' for interview 1.\n")
    after = statuses(run_json)
    assert "gracious-reply" not in after
    assert (after["thank-you-email"], after["formal-note-1"], after["reply-offer"]) == (
        "needs-action", "needs-action", "needs-action")
    assert {after[k] for k in CHASE if k in after} == {"cancelled"}
    doc = run_json("show", "1", now=AFTER)["interview"]
    assert doc["outcomes"] == [{"outcome": "offer", "recorded": AFTER}]
    assert "gracious-reply" not in {key(uid) for uid in objects(home / "followup.ics")}


def two_interviews_published(run: Run, home: Path) -> Path:
    """ADD and ADD_2 with the calendar also published to a file; that file's path."""
    config = home / "config.toml"
    published = home / "events.ics"
    config.write_text(config.read_text() + f'[feed]\npublish = ["{published}"]\n')
    assert run(*ADD).exit_code == 0
    assert run(*ADD_2).exit_code == 0
    return published


def test_clear_restores_the_plan_byte_for_byte_where_nothing_else_changed(
        run: Run, run_json, home: Path) -> None:
    """Untouched items keep their bytes; what the outcome cancelled re-opens exactly as it
    was but with a higher SEQUENCE (so subscribed calendars take it back); the reply task
    it added is gone from the calendar file and the published feed."""
    published = two_interviews_published(run, home)
    # A change before the outcome; the rest happens the same day (the plan rolls overdue
    # steps forward from today, PLAYBOOK.md rule 6: another day is another plan).
    assert run("done", "2", now=AFTER).exit_code == 0
    calendar = home / "followup.ics"
    before, parsed, feed_before = raw(calendar), objects(calendar), published.read_bytes()
    assert run("outcome", "1", "rejected", now="2026-12-08T13:00:00+00:00").exit_code == 0
    assert "gracious-reply" in {key(uid) for uid in raw(calendar)}
    result = run("outcome", "1", "--clear", now="2026-12-08T14:00:00+00:00")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Cleared 'rejected' from interview 1.\n")
    after = raw(calendar)
    assert sorted(after) == sorted(before)
    changed = sorted(uid for uid in before if after[uid] != before[uid])
    acme = next(uid for uid in before if uid.endswith("-interview") and b"Acme" in before[uid])
    prefix = acme.removesuffix("interview")
    assert changed == sorted(prefix + k for k in ["thank-you-email", "formal-note-1", *CHASE])
    current = objects(calendar)
    for uid in changed:
        assert int(current[uid]["SEQUENCE"]) == int(parsed[uid]["SEQUENCE"]) + 2  # cancelled, re-opened
        for name in ("SEQUENCE", "DTSTAMP", "LAST-MODIFIED"):
            current[uid].pop(name)
            parsed[uid].pop(name)
        assert current[uid].to_ical() == parsed[uid].to_ical()
    feed_after = published.read_bytes()
    assert b"gracious" not in feed_after.lower()
    assert feed_after.count(b"BEGIN:VEVENT") == feed_before.count(b"BEGIN:VEVENT")
    assert run_json("show", "1", now=AFTER)["interview"]["outcomes"] == []


@pytest.mark.parametrize(("args", "message"), [
    (("outcome", "1", "--clear"), "Error: interview 1 has no outcome to clear\n"),
    (("outcome", "1", "offer", "--replace"),
     "Error: --replace: interview 1 has no outcome to replace; leave out --replace\n"),
    (("outcome", "1", "offer", "--clear"), "Error: --clear takes no OUTCOME, --at or --replace\n"),
    (("outcome", "1"),
     "Error: give the OUTCOME (one of: reply, second-interview, offer, rejected, withdrawn),"
     " or --clear\n"),
])
def test_outcome_usage_errors(run: Run, args: tuple[str, ...], message: str) -> None:
    assert run(*ADD).exit_code == 0
    result = run(*args, now=AFTER)
    assert (result.exit_code, result.stderr) == (2, message)


# -- --at: not in the future, not before the interview ---------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    (("done", "4", "--at", "2026-12-08 12:01"),
     "Error: --at: 2026-12-08 12:01 is in the future; give the time you did it\n"),
    (("done", "4", "--at", "2026-11-22 10:00"),
     "Error: --at: 2026-11-22 10:00 is before interview 1 started (2026-12-04 14:00); give the"
     " time you did it\n"),
    (("outcome", "1", "offer", "--at", "2026-12-09 09:00"),
     "Error: --at: 2026-12-09 09:00 is in the future; give the time they answered\n"),
    (("outcome", "1", "offer", "--at", "2026-12-04 13:59"),
     "Error: --at: 2026-12-04 13:59 is before interview 1 started (2026-12-04 14:00); give the"
     " time they answered\n"),
])
def test_at_is_bounded_by_now_and_the_interview(run: Run, home: Path, args, message) -> None:
    assert run(*ADD).exit_code == 0
    before = (home / "followup.ics").read_bytes()
    result = run(*args, now=AFTER)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message)
    assert (home / "followup.ics").read_bytes() == before


def test_at_within_the_bounds_is_kept(run: Run, run_json) -> None:
    assert run(*ADD).exit_code == 0
    assert run("done", "4", "--at", "2026-12-04 14:00", now=AFTER).exit_code == 0
    assert run("outcome", "1", "offer", "--at", "2026-12-08 12:00", now=AFTER).exit_code == 0
    doc = run_json("show", "1", now=AFTER)
    assert by_step(doc["items"])["notes"]["completed"] == "2026-12-04T14:00:00+00:00"
    assert doc["interview"]["outcomes"][0]["recorded"] == "2026-12-08T12:00:00+00:00"


def test_one_may_withdraw_before_the_interview(run: Run, run_json) -> None:
    assert run(*ADD).exit_code == 0
    assert run("outcome", "1", "withdrawn", "--at", "2026-12-01 09:00", now=AFTER).exit_code == 0
    assert statuses(run_json)["interview"] == "cancelled"


# -- rm ----------------------------------------------------------------------------------------


def test_rm_without_a_terminal_needs_yes(run: Run, home: Path) -> None:
    assert run(*ADD).exit_code == 0
    before = (home / "followup.ics").read_bytes()
    result = run("rm", "1")
    assert (result.exit_code, result.stderr) == (
        2, "Error: there is no terminal to confirm on; give --yes to go ahead\n")
    assert (home / "followup.ics").read_bytes() == before


def test_rm_removes_the_interview_from_store_calendar_feeds_and_report(
        run: Run, run_json, home: Path) -> None:
    published = two_interviews_published(run, home)
    assert run("done", "2", now=AFTER).exit_code == 0
    assert run("outcome", "1", "offer", now=AFTER).exit_code == 0
    assert run("notes", "1", "--file", "-", input="Points to mention in follow-ups\n- Spark\n",
               now=AFTER).exit_code == 0
    globex = raw(home / "followup.ics")
    globex = {k: v for k, v in globex.items() if b"Globex" in v}
    result = run("rm", "1", "--yes", now=AFTER)
    assert (result.exit_code, result.stdout) == (0, "Removed interview 1 (Data Engineer at Acme).\n")
    shown = run("show", "1", now=AFTER)
    assert (shown.exit_code, shown.stderr) == (
        2, "Error: no interview 1; `followup interviews --all` shows them\n")
    calendar = (home / "followup.ics").read_bytes()
    assert b"Acme" not in calendar and b"Acme" not in published.read_bytes()
    assert {k: v for k, v in raw(home / "followup.ics").items()} == globex  # untouched
    exported = run("export", "--profile", "tasks", now=AFTER).stdout_bytes
    assert b"Acme" not in exported and b"Globex" in exported
    report = run("report", "--format", "csv", now=AFTER).stdout
    assert "Acme" not in report and "Globex" in report
    assert {i["interview"] for i in run_json("list", "--all", now=AFTER)} == {2}
    assert [d["id"] for d in run_json("interviews", "--all", now=AFTER)] == [2]


@pytest.mark.parametrize(("answer", "code", "kept"), [("y", 0, False), ("n", 1, True)])
def test_rm_asks_on_a_terminal(run: Run, home: Path, answer: str, code: int, kept: bool) -> None:
    assert run(*ADD).exit_code == 0
    seen = on_terminal(home, "rm", "1", answer=answer, now=AFTER)
    assert seen.output.startswith(
        "Remove interview 1, Data Engineer at Acme (Fri 04 Dec 2026 14:00), and its 12 items"
        " from followup, the calendar file, the feeds and every remote? [y/N]: ")
    assert seen.code == code, seen.output
    assert seen.output.endswith("Removed interview 1 (Data Engineer at Acme).\n" if not kept
                                else "Error: aborted\n")
    assert (b"Acme" in (home / "followup.ics").read_bytes()) == kept


def test_feed_rotate_asks_on_a_terminal_but_not_with_yes_or_in_a_script(run: Run, home: Path) -> None:
    token = json.loads(run("feed", "urls", "--json").stdout)["feeds"]["events"]["url"]
    refused = on_terminal(home, "feed", "rotate", answer="n", now=AFTER)
    assert "Issue a new feed token? Every calendar subscribed with the old URLs stops" in refused.output
    assert refused.code == 1
    assert json.loads(run("feed", "urls", "--json").stdout)["feeds"]["events"]["url"] == token
    agreed = on_terminal(home, "feed", "rotate", "--yes", "--json", answer="n", now=AFTER)
    assert agreed.code == 0 and "[y/N]" not in agreed.output
    scripted = run("feed", "rotate", "--json")  # no terminal: no question
    assert scripted.exit_code == 0
    urls = {json.loads(agreed.output)["feeds"]["events"]["url"],
            json.loads(scripted.stdout)["feeds"]["events"]["url"], token}
    assert len(urls) == 3
