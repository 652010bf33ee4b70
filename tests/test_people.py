"""Who, how and which round (issue 11): interviewers with a title and a phone number, the
decision contact, how the interview was held, rounds; through the CLI and the importer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import Run, by_step
from followup.core import inputs
from followup.core.model import Contact, Interview, Outcome
from followup.core.planner import plan
from followup.errors import UsageError

AT = ("--company", "Acme", "--role", "Data Engineer", "--at", "2026-12-04 14:00",
      "--tz", "Europe/London", "--deadline", "2026-12-11")
JANE = "Dr Jane Doe <jane@acme.example> +44 20 7946 0000"
SAM = "Sam Lee <sam@acme.example> +44 20 7946 0001"
LATER = "2026-12-18T12:00:00+00:00"


def draft(run: Run, run_json, interview: str, key: str) -> str:
    uid = by_step(run_json("show", interview)["items"])[key]["uid"]
    result = run("draft", uid)
    assert result.exit_code == 0, result.stderr
    return result.stdout


# -- people ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    (JANE, Contact(1, "Jane Doe", "jane@acme.example", phone="+44 20 7946 0000", title="Dr")),
    ("Prof. Ana de la Cruz <ana@uni.example>",
     Contact(1, "Ana de la Cruz", "ana@uni.example", title="Prof.")),
    ("Jane Doe +1 (555) 010-4477", Contact(1, "Jane Doe", None, phone="+1 (555) 010-4477")),
    ("jane@acme.example 020 7946 0000", Contact(1, "", "jane@acme.example", phone="020 7946 0000")),
    ("Dr Jones", Contact(1, "Jones", None, title="Dr")),
    ("Drew Barry", Contact(1, "Drew Barry", None)),
    ("Agent 47", Contact(1, "Agent 47", None)),  # too few digits for a phone number
])
def test_an_interviewer_as_typed(text: str, expected: Contact) -> None:
    assert inputs.interviewer(text, 1) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("Jane <jane@acme.example> call me",
     "invalid phone number 'call me'; write it with digits, spaces and an optional leading +,"
     " e.g. +44 20 7946 0000"),
    ("Jane <jane@acme.example> +44 20 7946 0000 0000 0000",
     "invalid phone number '+44 20 7946 0000 0000 0000'; write it with digits, spaces and an"
     " optional leading +, e.g. +44 20 7946 0000"),
])
def test_a_bad_phone_number_is_refused(text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        inputs.interviewer(text, 1)
    assert str(caught.value) == message


def test_title_and_phone_are_shown_and_the_drafts_use_the_title(run: Run, run_json) -> None:
    result = run("add", *AT, "--interviewer", JANE)
    assert result.exit_code == 0, result.stderr
    assert "  With:      Dr Jane Doe <jane@acme.example> +44 20 7946 0000" in result.stdout
    doc = run_json("show", "1")
    assert doc["interview"]["interviewers"] == [{"name": "Jane Doe", "title": "Dr",
                                                 "email": "jane@acme.example",
                                                 "phone": "+44 20 7946 0000", "tz": None}]
    assert by_step(doc["items"])["formal-note-1"]["summary"] == "Send a formal note to Dr Jane Doe (Acme)"
    thanks = draft(run, run_json, "1", "thank-you-email").split("\n")
    assert (thanks[0], thanks[3]) == ("To: Dr Jane Doe <jane@acme.example>", "Dear Dr. Doe,")
    script = draft(run, run_json, "1", "call")
    assert "- The number to dial: +44 20 7946 0000\n" in script
    assert "ask for Dr. Doe directly" in script


def test_the_decision_contact_gets_the_status_email_the_calls_and_the_replies(
        run: Run, run_json, home: Path) -> None:
    result = run("add", *AT, "--interviewer", JANE, "--interviewer", "Bo Li <bo@acme.example>",
                 "--decision-contact", SAM)
    assert result.exit_code == 0, result.stderr
    assert "  Decides:   Sam Lee <sam@acme.example> +44 20 7946 0001" in result.stdout
    doc = run_json("show", "1")
    assert doc["interview"]["decision_contact"] == {
        "name": "Sam Lee", "title": None, "email": "sam@acme.example", "phone": "+44 20 7946 0001",
        "tz": None}
    assert [c["name"] for c in doc["interview"]["interviewers"]] == ["Jane Doe", "Bo Li"]
    steps = by_step(doc["items"])
    assert sorted(k for k in steps if k.startswith("formal-note")) == ["formal-note-1", "formal-note-2"]
    assert draft(run, run_json, "1", "thank-you-email").startswith(
        "To: Dr Jane Doe <jane@acme.example>, Bo Li <bo@acme.example>\n")
    status = draft(run, run_json, "1", "status-email").split("\n")
    assert (status[0], status[3]) == ("To: Sam Lee <sam@acme.example>", "Dear Sam,")
    script = draft(run, run_json, "1", "call-script")
    assert "ask for Sam Lee directly" in script and "- The number to dial: +44 20 7946 0001\n" in script
    calendar = (home / "followup.ics").read_text()
    call = calendar[calendar.index("SUMMARY:Call Acme about"):]
    assert "CONTACT:Sam Lee <sam@acme.example>" in calendar
    description = "".join(line[1:] if line.startswith(" ") else "\n" + line
                          for line in calendar.split("\r\n"))
    assert "Contacts:\\n- Sam Lee <sam@acme.example> +44 20 7946 0001" in description
    assert call  # the call is in the file
    assert run("outcome", "1", "rejected", now=LATER).exit_code == 0
    assert draft(run, run_json, "1", "gracious-reply").startswith("To: Sam Lee <sam@acme.example>\n")
    report = run("report", "--format", "csv", now=LATER).stdout.splitlines()
    assert report[-1] == "2026-12-18,Acme,Data Engineer,Not selected,email,Sam Lee"


def test_a_decision_contact_on_the_panel_is_that_interviewer(run: Run, run_json) -> None:
    assert run("add", *AT, "--interviewer", "Jane Doe <jane@acme.example>",
               "--interviewer", "Bo Li <bo@acme.example>",
               "--decision-contact", "Bo Li <BO@acme.example> +1 555 010 4477").exit_code == 0
    doc = run_json("show", "1")["interview"]
    assert doc["decision_contact"] == {"name": "Bo Li", "title": None, "email": "bo@acme.example",
                                       "phone": "+1 555 010 4477", "tz": None}
    assert [c["name"] for c in doc["interviewers"]] == ["Jane Doe", "Bo Li"]
    assert draft(run, run_json, "1", "status-email").startswith("To: Bo Li <bo@acme.example>\n")


def test_edit_the_decision_contact_and_an_interviewers_phone(run: Run, run_json) -> None:
    assert run("add", *AT, "--interviewer", "Jane Doe <jane@acme.example>").exit_code == 0
    keys = set(by_step(run_json("show", "1")["items"]))
    assert run("edit", "1", "--decision-contact", SAM).exit_code == 0
    assert run_json("show", "1")["interview"]["decision_contact"]["name"] == "Sam Lee"
    assert draft(run, run_json, "1", "status-email").startswith("To: Sam Lee <sam@acme.example>\n")
    assert run("edit", "1", "--decision-contact", "none").exit_code == 0
    doc = run_json("show", "1")
    assert doc["interview"]["decision_contact"]["name"] == "Jane Doe"
    assert draft(run, run_json, "1", "status-email").startswith("To: Jane Doe <jane@acme.example>\n")
    result = run("edit", "1", "--add-interviewer", "Dr Jane Doe <jane@acme.example> +44 20 7946 0000")
    assert result.exit_code == 0, result.stderr
    doc = run_json("show", "1")
    assert doc["interview"]["interviewers"] == [{"name": "Jane Doe", "title": "Dr",
                                                 "email": "jane@acme.example",
                                                 "phone": "+44 20 7946 0000", "tz": None}]
    assert set(by_step(doc["items"])) == keys  # no second note for the same person
    bad = run("edit", "1", "--decision-contact", "Sam <sam@>")
    assert (bad.exit_code, bad.stderr) == (
        2, "Error: --decision-contact: malformed interviewer 'Sam <sam@>'; write it as \"Name"
           " <email> phone\", e.g. \"Jane Doe <jane@acme.example> +44 20 7946 0000\"\n")


# -- how it was held ------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "held"), [
    ((), "onsite"),
    (("--location", "2 Canal Street, Manchester"), "onsite"),
    (("--location", "https://meet.example/abc"), "video"),
    (("--location", "https://meet.example/abc", "--held", "phone"), "phone"),
    (("--held", "video"), "video"),
])
def test_held_defaults_to_video_at_a_link(run: Run, run_json, args, held: str) -> None:
    assert run("add", *AT, *args).exit_code == 0
    assert run_json("show", "1")["interview"]["held"] == held


def test_a_new_location_moves_the_default_but_not_a_choice(run: Run, run_json) -> None:
    assert run("add", *AT).exit_code == 0
    assert run("edit", "1", "--location", "https://meet.example/abc").exit_code == 0
    assert run_json("show", "1")["interview"]["held"] == "video"
    assert run("edit", "1", "--held", "phone").exit_code == 0
    assert run("edit", "1", "--location", "Reception, 1 Main Street").exit_code == 0
    assert run_json("show", "1")["interview"]["held"] == "phone"


def test_report_and_drafts_after_held_phone(run: Run, run_json, home: Path) -> None:
    (home / "config.toml").write_text('timezone = "Europe/London"\nname = "Sam Carter"\n')
    assert run("add", *AT, "--interviewer", "Jane Doe <jane@acme.example>", "--held", "phone",
               "--note", "handwritten").exit_code == 0
    for key in ("ask-timeline", "business-card", "thank-you-email"):
        uid = by_step(run_json("show", "1")["items"])[key]["uid"]
        assert run("done", uid, "--at", "2026-12-04 15:00", now=LATER).exit_code == 0
    assert run("outcome", "1", "rejected", "--at", "2026-12-10 09:00", now=LATER).exit_code == 0
    report = run("report", "--format", "csv", now=LATER).stdout.splitlines()
    assert report == [
        "date,company,role,step,channel,contact",
        "2026-12-04,Acme,Data Engineer,Interview,phone,Jane Doe",
        "2026-12-04,Acme,Data Engineer,Asked when they will decide,phone,Jane Doe",
        "2026-12-04,Acme,Data Engineer,Got the interviewers' contact details,phone,Jane Doe",
        "2026-12-04,Acme,Data Engineer,Sent a thank-you email,email,Jane Doe",
        "2026-12-10,Acme,Data Engineer,Not selected,email,Jane Doe",
    ]
    thanks = draft(run, run_json, "1", "thank-you-email")
    assert ("Thank you for speaking with me about the Data Engineer role at Acme on Friday,"
            " December 4.") in thanks
    card = draft(run, run_json, "1", "formal-note-1")
    assert "Thank you for speaking with me about the Data Engineer role on Friday, December 4." in card
    gracious = draft(run, run_json, "1", "gracious-reply")
    assert "to learn about Acme and to speak with you on Friday, December 4." in gracious
    assert "meet" not in (thanks + card + gracious).lower()


def test_drafts_follow_held(run: Run, run_json) -> None:
    assert run("add", *AT, "--location", "https://meet.example/abc").exit_code == 0
    assert "Thank you for speaking with me about" in draft(run, run_json, "1", "thank-you-email")
    assert run("edit", "1", "--held", "onsite").exit_code == 0
    assert "Thank you for meeting with me to discuss" in draft(run, run_json, "1", "thank-you-email")


# -- rounds ---------------------------------------------------------------------------------


def test_a_second_round_is_linked_and_named(run: Run, run_json) -> None:
    assert run("add", *AT, "--interviewer", "Jane Doe <jane@acme.example>").exit_code == 0
    added = run("add", "--round-of", "1", "--at", "2026-12-15 10:00",
                "--interviewer", "Bo Li <bo@acme.example>")
    assert added.exit_code == 0, added.stderr
    assert added.stdout.splitlines()[1:6] == [
        "Data Engineer at Acme, round 2 (interview 2)",
        "  When:      Tue 15 Dec 2026 10:00–11:00 Europe/London",
        "  Decision:  Tue 22 Dec 2026 (assumed: none was given; ask them)",
        "  With:      Bo Li <bo@acme.example>",
        "  Round of:  interview 1",
    ]
    doc = run_json("show", "2")
    assert (doc["interview"]["round"], doc["interview"]["round_of"]) == (2, 1)
    summaries = {k: i["summary"] for k, i in by_step(doc["items"]).items()}
    assert summaries["interview"] == "Interview: Data Engineer at Acme (round 2)"
    assert summaries["notes"] == "Write interview notes (Acme, round 2)"
    assert summaries["response-deadline"] == "Acme said they would decide (round 2, assumed)"
    assert summaries["formal-note-1"] == "Send a formal note to Bo Li (Acme, round 2)"


def test_an_answer_in_round_two_closes_a_first_round_without_one(run: Run, run_json) -> None:
    assert run("add", *AT).exit_code == 0
    assert run("add", "--round-of", "1", "--at", "2026-12-15 10:00").exit_code == 0
    assert {d["id"]: d["state"] for d in run_json("interviews")} == {1: "active", 2: "active"}
    assert run("outcome", "2", "offer", now=LATER).exit_code == 0
    first = by_step(run_json("show", "1")["items"])
    assert (first["call"]["status"], first["thank-you-email"]["status"]) == ("cancelled", "needs-action")
    assert {d["id"]: d["state"] for d in run_json("interviews", "--all", now=LATER)} == {
        1: "next round", 2: "offer"}
    assert run_json("interviews", now=LATER) == []
    assert run("outcome", "2", "--clear", now=LATER).exit_code == 0
    assert by_step(run_json("show", "1")["items"])["call"]["status"] == "needs-action"


def test_second_interview_suggests_the_next_round(run: Run) -> None:
    assert run("add", *AT).exit_code == 0
    result = run("outcome", "1", "second-interview", now=LATER)
    assert result.stdout.endswith(
        "\nOnce you know its time, add the second interview with:\n"
        "  followup add --round-of 1 --at \"YYYY-MM-DD HH:MM\"\n")


@pytest.mark.parametrize(("args", "message"), [
    (("--round-of", "1", "--at", "2026-12-01 10:00"),
     "Error: --at: a later round starts after the earlier one: interview 1 is at"
     " 2026-12-04 14:00 Europe/London\n"),
    (("--round-of", "9", "--at", "2026-12-20 10:00"),
     "Error: no interview 9; `followup interviews --all` shows them\n"),
    (("--at", "2026-12-20 10:00", "--role", "Dev"),
     "Error: Missing option '--company' (see 'followup add --help')\n"),
])
def test_round_of_errors(run: Run, args, message: str) -> None:
    assert run("add", *AT).exit_code == 0
    result = run("add", *args)
    assert (result.exit_code, result.stderr) == (2, message)


# -- import ---------------------------------------------------------------------------------


def test_import_reads_held_people_and_rounds(run: Run, run_json, tmp_path: Path) -> None:
    file = tmp_path / "interviews.toml"
    file.write_text('''
[[interview]]
company = "Acme"
role = "Data Engineer"
at = "2026-12-04 14:00"
held = "phone"
interviewers = [{ name = "Jane Doe", title = "Dr", email = "jane@acme.example", phone = "+44 20 7946 0000" }]
decision_contact = { name = "Sam Lee", email = "sam@acme.example" }

[[interview]]
company = "Acme"
role = "Data Engineer"
at = "2026-12-15 10:00"
location = "https://meet.example/abc"
round = 2
interviewers = ["Bo Li <bo@acme.example> +1 555 010 4477"]
''')
    result = run("import", str(file))
    assert result.exit_code == 0, result.stderr
    first = run_json("show", "1")["interview"]
    assert (first["held"], first["decision_contact"]["name"], first["interviewers"][0]["title"],
            first["interviewers"][0]["phone"]) == ("phone", "Sam Lee", "Dr", "+44 20 7946 0000")
    second = run_json("show", "2")["interview"]
    assert (second["held"], second["round"], second["round_of"],
            second["interviewers"][0]["phone"]) == ("video", 2, 1, "+1 555 010 4477")


def test_import_csv_columns(run: Run, run_json, tmp_path: Path) -> None:
    file = tmp_path / "interviews.csv"
    file.write_text("company,role,at,held,interviewers,decision_contact,round\n"
                    "Acme,Dev,2026-12-04 14:00,video,Jane Doe <jane@acme.example>,"
                    "Sam Lee <sam@acme.example> +44 20 7946 0001,1\n"
                    "Acme,Dev,2026-12-15 10:00,,,,2\n")
    assert run("import", str(file)).exit_code == 0
    first = run_json("show", "1")["interview"]
    assert (first["held"], first["decision_contact"]["phone"]) == ("video", "+44 20 7946 0001")
    assert run_json("show", "2")["interview"]["round_of"] == 1


@pytest.mark.parametrize(("entry", "message"), [
    ('round = 2', "interview 1 (round): no earlier interview at Acme for the Dev role to be"
                  " round 2 of; add round 1 first"),
    ('round = "two"', "interview 1 (round): the round 'two' is not a whole number such as 1 or 2"),
    ('held = "zoom"', "interview 1 (held): unknown way the interview is held 'zoom'; use one of:"
                      " onsite, video, phone"),
    ('interviewers = [{ name = "Jane", phone = "call me" }]',
     "interview 1 (interviewers): invalid phone number 'call me'; write it with digits, spaces"
     " and an optional leading +, e.g. +44 20 7946 0000"),
    ('interviewers = [{ name = "Jane", mobile = "1" }]',
     "interview 1 (interviewers): unknown field(s) mobile of a person; use name, email, tz,"
     " phone, title"),
])
def test_import_errors_name_the_entry_and_field(run: Run, tmp_path: Path, entry: str,
                                                message: str) -> None:
    file = tmp_path / "bad.toml"
    file.write_text(f'[[interview]]\ncompany = "Acme"\nrole = "Dev"\nat = "2026-12-04 14:00"\n{entry}\n')
    result = run("import", str(file))
    assert (result.exit_code, result.stderr) == (2, f"Error: {file}, {message}\n")


# -- every title names the company ------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(company=st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=30)
       .filter(str.strip),
       contacts=st.integers(0, 3), round_=st.integers(1, 3),
       note=st.sampled_from(("email", "handwritten")),
       outcome=st.sampled_from((None, "reply", "second-interview", "offer", "rejected", "withdrawn")),
       decision=st.booleans())
def test_every_title_names_the_company(company: str, contacts: int, round_: int, note: str,
                                       outcome: str | None, decision: bool) -> None:
    start = dt.datetime(2026, 12, 4, 14, 0, tzinfo=ZoneInfo("Europe/London"))
    people = tuple(Contact(n, f"Person {n}", f"p{n}@example.com") for n in range(1, contacts + 1))
    interview = Interview(uid="x", company=company, role="Dev", start=start,
                          duration=dt.timedelta(hours=1), tz="Europe/London", note=note,
                          contacts=people, round=round_)
    if decision:
        interview = interview.with_decision_contact(Contact(0, "HR", "hr@example.com"))
    outcomes = [Outcome(outcome, start + dt.timedelta(days=3))] if outcome else []
    for item in plan(interview, outcomes=outcomes):
        assert company in item.summary, item.summary
        assert (f"round {round_}" in item.summary) == (round_ > 1), item.summary


def test_a_playbook_title_must_name_the_company(run: Run, home: Path) -> None:
    (home / "playbook.toml").write_text('[notes]\ntitle = "Write your notes"\n')
    result = run("list")
    assert (result.exit_code, result.stderr) == (
        2, f"Error: {home / 'playbook.toml'}: [notes]: 'title' must name the company: put"
           " {company} in it\n")


def test_a_company_name_ending_in_a_parenthesis_keeps_it() -> None:
    """Found by the property above: "0)" became "0, round 2)". Only the title's own
    parenthesis takes the round."""
    start = dt.datetime(2026, 12, 4, 14, 0, tzinfo=ZoneInfo("Europe/London"))
    interview = Interview(uid="x", company="Acme (UK)", role="Dev", start=start,
                          duration=dt.timedelta(hours=1), tz="Europe/London",
                          contacts=(Contact(1, "Jane Doe", "jane@acme.example"),), round=2)
    titles = {item.key: item.summary for item in plan(interview)}
    assert titles["interview"] == "Interview: Dev at Acme (UK) (round 2)"
    assert titles["notes"] == "Write interview notes (Acme (UK), round 2)"
    assert titles["formal-note-1"] == "Send a formal note to Jane Doe (Acme (UK), round 2)"
    assert titles["let-go"] == "Close the Acme (UK) application and move on (round 2)"
