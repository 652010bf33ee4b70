"""Notes, drafts, .eml files and proofreading (issue 6), through the CLI on the samples."""

from __future__ import annotations

import email.parser
import email.policy
import json
import os
import sys
import urllib.parse
from pathlib import Path

import pytest

from conftest import Run, by_step
from followup.core import drafts
from followup.core.model import Contact, Interview
from followup.store import Store

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
NAME = "Alex Morgan"
NOTES = """\
What they stressed (skills, experience, traits)
- ownership of pipelines end to end

Questions and how they went
- a streaming design question: went well

What to improve
- shorter answers

Points to mention in follow-ups
- moving nightly batch jobs to streaming
- the data quality checks on the ingestion layer.
- a third point that no draft uses
"""
POINTS = ("moving nightly batch jobs to streaming and the data quality checks on the "
          "ingestion layer")

NORTHWIND_TO = ("To: Priya Shah <priya.shah@northwind.example>,"
                " Tom O'Neill <tom.oneill@northwind.example>")
# What `draft` says on stderr when the config has no name.
NO_NAME = 'Note: the draft is signed [Your name]; to sign with your name, add name = "Your Name" to {}\n'

# The samples' drafts for an en_US user (conftest pins LANG), written on NOW (28 November).
THANK_YOU_1 = f"""\
{NORTHWIND_TO}
Subject: Thank you for the Senior Data Engineer interview

Dear Priya and Tom,

Thank you for meeting with me to discuss the Senior Data Engineer role at Northwind Analytics on Thursday, December 3. I enjoyed learning more about the team and its plans.

Everything I heard confirmed my interest, and I would be glad to bring my experience to your team.

You mentioned that you hope to decide by Thursday, December 10; I look forward to hearing from you then.

Kind regards,
Alex Morgan
"""

FORMAL_NOTE_1 = """\
To: Priya Shah <priya.shah@northwind.example>
Subject: Following up on my Senior Data Engineer interview

Dear Priya,

Thank you again for interviewing me for the Senior Data Engineer role at Northwind Analytics on Thursday, December 3.

What I learned about the role and the team matches my experience and the work I enjoy most.

I would welcome the chance to contribute to Northwind Analytics. Please let me know if I can provide anything further to help your decision.

Sincerely,
Alex Morgan
"""

FORMAL_NOTE_2 = """\
To: Tom O'Neill <tom.oneill@northwind.example>
Subject: Following up on my Senior Data Engineer interview

Dear Tom,

I am grateful for the time you gave me on Thursday, December 3, when I interviewed for the Senior Data Engineer role at Northwind Analytics.

What I learned about the role and the team matches my experience and the work I enjoy most.

I would welcome the chance to contribute to Northwind Analytics. Please let me know if I can provide anything further to help your decision.

Sincerely,
Alex Morgan
"""

STATUS_1 = """\
To: Priya Shah <priya.shah@northwind.example>
Subject: Senior Data Engineer role: following up on my interview

Dear Priya,

I hope you are well. My name is Alex Morgan, and I interviewed for the Senior Data Engineer role at Northwind Analytics on Thursday, December 3. You mentioned that you hoped to decide by Thursday, December 10, so I am writing to ask whether there is any news.

I remain very interested in the role and convinced that my experience is a good fit.

If there is anything else you need from me, I would be glad to provide it. Thank you, and I look forward to hearing from you.

Kind regards,
Alex Morgan
"""

CALL_1 = """\
Call script: Senior Data Engineer at Northwind Analytics

Before you call
- Call early in the morning or in the evening, and ask for Priya Shah directly rather than leaving a voice message.
- The number to dial is not recorded yet: find it and keep it with `followup edit --decision-contact`.
- Have your interview notes in front of you.

1. Introduce yourself
   "Hello, this is Alex Morgan. I interviewed for the Senior Data Engineer role on Thursday, December 3. Is now a good time for a quick question?"
2. Ask about the decision
   "You mentioned that you hoped to decide by Thursday, December 10. I am calling to ask whether there is any news."
3. Say why you fit
   "I am still very interested, and I am confident that my experience fits the role."
4. Agree on next steps
   Ask when they expect to decide and how they will let you know (phone or email).
5. Close
   "Thank you for your time. I look forward to hearing from you."

Afterwards, write down what they said and record the outcome.
"""
LAST_CALL = ("\n\nThis is your last call: if there is still no answer, close the application"
             " politely and keep searching.")

THANK_YOU_2 = """\
To: Dana Whitfield <dana.whitfield@contoso.example>
Subject: Thank you for the Platform Engineer interview

Dear Dana,

Thank you for speaking with me about the Platform Engineer role at Contoso Robotics, Inc. on Monday, December 7. I enjoyed learning more about the team and its plans.

Everything I heard confirmed my interest, and I would be glad to bring my experience to your team.

I look forward to hearing from you.

Kind regards,
Alex Morgan
"""

CARD_2 = """\
Dear Dana,

Thank you for speaking with me about the Platform Engineer role on Monday, December 7.

I would be delighted to join Contoso Robotics, Inc., and I hope to hear from you soon.

With best wishes,
Alex Morgan
"""

STATUS_2 = """\
To: Dana Whitfield <dana.whitfield@contoso.example>
Subject: Platform Engineer role: following up on my interview

Dear Dana,

I hope you are well. My name is Alex Morgan, and I interviewed for the Platform Engineer role at Contoso Robotics, Inc. on Monday, December 7. I am writing to ask whether there is any news about your decision.

I remain very interested in the role and convinced that my experience is a good fit.

If there is anything else you need from me, I would be glad to provide it. Thank you, and I look forward to hearing from you.

Kind regards,
Alex Morgan
"""

GRACIOUS_2 = """\
To: Dana Whitfield <dana.whitfield@contoso.example>
Subject: Platform Engineer role: thank you

Dear Dana,

Thank you for letting me know your decision about the Platform Engineer role. Although I am disappointed, I appreciated the chance to learn about Contoso Robotics, Inc. and to speak with you on Monday, December 7.

If you have a moment, I would be grateful for any feedback on what I could improve.

I remain very interested in Contoso Robotics, Inc. and would welcome being considered for other suitable roles in the future.

Kind regards,
Alex Morgan
"""

SECOND_INTERVIEW_1 = """\
To: Priya Shah <priya.shah@northwind.example>
Subject: Senior Data Engineer role: second interview

Dear Priya,

Thank you for inviting me to a second interview for the Senior Data Engineer role at Northwind Analytics. I am delighted to accept.

Please let me know which times suit you, and whether there is anything I should prepare beforehand. I look forward to continuing our conversation.

Kind regards,
Alex Morgan
"""

OFFER_1 = """\
To: Priya Shah <priya.shah@northwind.example>
Subject: Senior Data Engineer offer: thank you

Dear Priya,

Thank you very much for offering me the Senior Data Engineer role at Northwind Analytics. I am delighted to receive it.

I would like to review the details carefully. Could you send me the written offer, including the salary, benefits and start date, if you have not already? I will come back to you with my answer shortly.

Thank you again for your confidence in me. I look forward to speaking with you soon.

Kind regards,
Alex Morgan
"""


@pytest.fixture
def samples(run: Run, home: Path) -> None:
    with_name(home)
    result = run("import", str(SAMPLES / "interviews.toml"))
    assert result.exit_code == 0, result.stderr


@pytest.fixture
def uids(run_json, samples: None):
    """The UID of an item by interview and key: drafts are asked for by UID here."""
    def uid(interview: int, key: str) -> str:
        return by_step(run_json("show", str(interview))["items"])[key]["uid"]
    return uid


def with_name(home: Path) -> None:
    with (home / "config.toml").open("a") as config:
        config.write(f'name = "{NAME}"\n')


def without_name(home: Path) -> None:
    config = home / "config.toml"
    config.write_text(config.read_text().replace(f'name = "{NAME}"\n', ""))


def draft(run: Run, uid: str, *args: str) -> str:
    result = run("draft", uid, *args)
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    return result.stdout


# -- the drafts of the samples, without notes ---------------------------------------------

def test_every_draft_of_the_samples_without_notes(run: Run, uids) -> None:
    assert draft(run, uids(1, "thank-you-email")) == THANK_YOU_1
    assert draft(run, uids(1, "formal-note-1")) == FORMAL_NOTE_1
    assert draft(run, uids(1, "formal-note-2")) == FORMAL_NOTE_2
    assert draft(run, uids(1, "status-email")) == STATUS_1
    assert draft(run, uids(1, "call-script")) == CALL_1
    assert draft(run, uids(1, "call")) == CALL_1
    assert draft(run, uids(1, "second-call")) == CALL_1.replace(
        "Northwind Analytics\n", "Northwind Analytics" + LAST_CALL + "\n", 1)
    assert draft(run, uids(2, "thank-you-email")) == THANK_YOU_2
    assert draft(run, uids(2, "formal-note-1")) == CARD_2
    assert draft(run, uids(2, "status-email")) == STATUS_2
    assert draft(run, uids(2, "call")) == (
        CALL_1.replace("Senior Data Engineer at Northwind Analytics", "Platform Engineer at Contoso Robotics, Inc.")
        .replace("Priya Shah", "Dana Whitfield")
        .replace("Senior Data Engineer role on Thursday, December 3", "Platform Engineer role on Monday, December 7")
        .replace('"You mentioned that you hoped to decide by Thursday, December 10. I am calling'
                 ' to ask whether there is any news."',
                 '"I am calling to ask whether you have reached a decision."'))


def test_the_drafts_of_the_outcomes(run: Run, uids) -> None:
    assert run("outcome", "1", "second-interview", now="2026-12-09T10:00:00+00:00").exit_code == 0
    assert draft(run, uids(1, "reply-second-interview")) == SECOND_INTERVIEW_1
    assert run("outcome", "1", "offer", "--replace", now="2026-12-18T10:00:00+00:00").exit_code == 0
    assert run("outcome", "2", "rejected", now="2026-12-18T10:00:00+00:00").exit_code == 0
    assert draft(run, uids(1, "reply-offer")) == OFFER_1
    assert draft(run, uids(2, "gracious-reply")) == GRACIOUS_2


def test_a_draft_by_its_short_id_and_by_a_call_event_uid(run: Run, uids) -> None:
    assert draft(run, "5") == THANK_YOU_1
    assert draft(run, uids(1, "call") + "-event") == CALL_1


def test_dates_are_relative_where_natural(run: Run, uids) -> None:
    """Written on the interview's day it is "today"; the next day "yesterday"; later the
    same week "on Thursday"; the week after, the date; the year only in another year."""
    def opening(now: str) -> str:
        return draft_at(run, uids(1, "thank-you-email"), now).split("\n")[5]

    start = "Thank you for meeting with me to discuss the Senior Data Engineer role at Northwind Analytics"
    assert opening("2026-12-03T17:00:00+00:00").startswith(start + " today. ")
    assert opening("2026-12-04T09:00:00+00:00").startswith(start + " yesterday. ")
    assert opening("2026-12-06T09:00:00+00:00").startswith(start + " on Thursday. ")
    assert opening("2026-12-07T09:00:00+00:00").startswith(start + " on Thursday, December 3. ")
    assert opening("2027-01-04T09:00:00+00:00").startswith(start + " on Thursday, December 3, 2026. ")
    deadline = draft_at(run, uids(1, "thank-you-email"), "2026-12-07T09:00:00+00:00").split("\n")[9]
    assert deadline == ("You mentioned that you hope to decide by this Thursday; I look forward to"
                        " hearing from you then.")
    tomorrow = draft_at(run, uids(1, "thank-you-email"), "2026-12-09T09:00:00+00:00").split("\n")[9]
    assert tomorrow.startswith("You mentioned that you hope to decide by tomorrow; ")
    passed = draft_at(run, uids(1, "status-email"), "2026-12-11T09:00:00+00:00").split("\n")[5]
    assert passed.endswith(" You mentioned that you hoped to decide by Thursday, December 10, so I am"
                           " writing to ask whether there is any news.")


def draft_at(run: Run, uid: str, now: str) -> str:
    result = run("draft", uid, now=now)
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    return result.stdout


def test_a_phone_or_video_interview_is_speaking_not_meeting(run: Run, uids) -> None:
    """The Contoso interview was held by video (its location is a link)."""
    text = draft(run, uids(2, "thank-you-email"))
    assert "speaking with me about" in text and "meet" not in text
    assert run("edit", "2", "--location", "1 Main St, New York").exit_code == 0
    assert "Thank you for meeting with me to discuss the Platform Engineer role" in draft(
        run, uids(2, "thank-you-email"))


def test_british_english(run: Run, uids, home: Path) -> None:
    with (home / "config.toml").open("a") as config:
        config.write('locale = "en_GB"\n')
    assert draft(run, uids(1, "thank-you-email")) == (
        THANK_YOU_1.replace("Dear Priya and Tom,", "Dear Priya Shah and Tom O'Neill,")
        .replace("on Thursday, December 3.", "on Thursday, 3 December.")
        .replace("by Thursday, December 10;", "by Thursday, 10 December;"))
    assert draft(run, uids(1, "formal-note-2")).endswith("\n\nYours sincerely,\nAlex Morgan\n")


# -- notes feed the drafts -------------------------------------------------------------------

NOTES_1 = """\
## What they stressed (skills, experience, traits)
- ownership of pipelines end to end

## With Priya Shah
- moving nightly batch jobs to streaming

## With Tom
- the data quality checks on the ingestion layer.

## Questions and how they went
- a streaming design question: went well

## What to improve
- shorter answers

## Why I fit
- five years of building streaming pipelines
- a habit of writing the documentation first

## Points to mention in follow-ups
- the migration plan for the reporting warehouse
- the team's code review culture
- a third point that no draft uses
"""


def test_each_message_takes_its_own_points_from_the_notes(run: Run, uids) -> None:
    saved = run("notes", "1", "--file", "-", input=NOTES_1)
    assert saved.exit_code == 0, saved.stderr
    assert saved.stdout == ("Saved the notes on interview 1.\n"
                            "4  done: Write interview notes (Northwind Analytics)\n")
    assert draft(run, uids(1, "thank-you-email")) == THANK_YOU_1.replace(
        "I enjoyed learning more about the team and its plans.",
        "I especially enjoyed our conversation about the migration plan for the reporting warehouse.")
    assert draft(run, uids(1, "formal-note-1")) == FORMAL_NOTE_1.replace(
        "What I learned about the role and the team matches my experience and the work I enjoy most.",
        "You stressed moving nightly batch jobs to streaming. That is where I can contribute most:"
        " I bring five years of building streaming pipelines.")
    assert draft(run, uids(1, "formal-note-2")) == FORMAL_NOTE_2.replace(
        "What I learned about the role and the team matches my experience and the work I enjoy most.",
        "You stressed the data quality checks on the ingestion layer. That is where I can"
        " contribute most: I bring a habit of writing the documentation first.")
    assert draft(run, uids(1, "status-email")) == STATUS_1.replace(
        "I remain very interested in the role and convinced that my experience is a good fit.",
        "I remain very interested in the role, and I believe I am a strong fit: I bring five years"
        " of building streaming pipelines and a habit of writing the documentation first. Since we spoke,"
        " I have kept thinking about the team's code review culture.")
    assert draft(run, uids(1, "call")) == CALL_1.replace(
        '   "I am still very interested, and I am confident that my experience fits the role."\n',
        '   "I am still very interested, and I believe I am a strong fit."\n'
        "   - I bring five years of building streaming pipelines.\n"
        "   - I bring a habit of writing the documentation first.\n")
    assert run("outcome", "1", "second-interview", now="2026-12-09T10:00:00+00:00").exit_code == 0
    assert draft(run, uids(1, "reply-second-interview")) == SECOND_INTERVIEW_1.replace(
        "continuing our conversation.",
        "continuing our conversation about the migration plan for the reporting warehouse.")


def test_a_card_uses_what_they_stressed_and_why_you_fit(run: Run, uids) -> None:
    assert run("notes", "2", "--file", "-", input=NOTES_1).exit_code == 0
    assert draft(run, uids(2, "formal-note-1")) == CARD_2.replace(
        "the Platform Engineer role on Monday, December 7.",
        "the Platform Engineer role on Monday, December 7. What you said about ownership of"
        " pipelines end to end has stayed with me. I would bring five years of building"
        " streaming pipelines to your team.")
    assert run("outcome", "2", "rejected", now="2026-12-18T10:00:00+00:00").exit_code == 0
    assert draft(run, uids(2, "gracious-reply")) == GRACIOUS_2.replace(
        "to speak with you on Monday, December 7.\n",
        "to speak with you on Monday, December 7. Our conversation about the migration plan for"
        " the reporting warehouse was especially valuable to me.\n")


def test_old_notes_without_the_new_sections_still_feed_the_drafts(run: Run, uids) -> None:
    """Notes written before "## With …" and "## Why I fit": bare headings, points to mention."""
    assert run("notes", "1", "--file", "-", input=NOTES).exit_code == 0
    assert "I especially enjoyed our conversation about moving nightly batch jobs to streaming." in (
        draft(run, uids(1, "thank-you-email")))
    assert "Since we spoke, I have kept thinking about the data quality checks on the ingestion layer." in (
        draft(run, uids(1, "status-email")))


# -- the name ------------------------------------------------------------------------------------

def test_without_a_name_draft_says_how_to_set_it_and_check_fails(run: Run, uids, home: Path,
                                                                  tmp_path: Path) -> None:
    without_name(home)
    result = run("draft", uids(1, "thank-you-email"))
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, THANK_YOU_1.replace("Alex Morgan", "[Your name]"), NO_NAME.format(home / "config.toml"))
    check = run("draft", uids(1, "status-email"), "--check")
    assert (check.exit_code, check.stdout, check.stderr) == (
        1, "[Your name]\n", NO_NAME.format(home / "config.toml"))
    target = tmp_path / "never.eml"
    assert run("draft", uids(1, "status-email"), "--check", "--eml", str(target)).exit_code == 1
    assert not target.exists()  # the README's `--check && --eml` stops before the .eml


# -- salutations -------------------------------------------------------------------------

# -- notes -------------------------------------------------------------------------------

def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> Path:
    """$EDITOR as a script that saves what it was given next to it and runs `body`."""
    script = tmp_path / "editor.py"
    script.write_text("import pathlib, sys\n"
                      "path = pathlib.Path(sys.argv[1])\n"
                      "text = path.read_text()\n"
                      f"pathlib.Path({str(tmp_path / 'seen.txt')!r}).write_text(text)\n"
                      + body)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)
    return tmp_path / "seen.txt"


def stored_notes(home: Path, interview: int) -> str | None:
    store = Store(home / "followup.db")
    try:
        return store.notes(interview)
    finally:
        store.close()


def notes_status(run_json, interview: int = 1) -> str:
    return by_step(run_json("show", str(interview))["items"])["notes"]["status"]


def test_notes_in_the_editor_are_stored_and_complete_the_step(
        run: Run, run_json, samples: None, home: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    seen = editor(tmp_path, monkeypatch,
                  "text = text.replace('in follow-ups\\n- \\n', 'in follow-ups\\n- streaming\\n')\n"
                  "text = text.replace('What to improve\\n- \\n', 'What to improve\\n# mine\\n- pace\\n')\n"
                  "path.write_text(text)\n")
    result = run("notes", "1", now="2026-12-03T16:00:00+00:00")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == ("Saved the notes on interview 1.\n"
                             "4  done: Write interview notes (Northwind Analytics)\n")
    assert seen.read_text() == (
        "# Notes on the Senior Data Engineer interview at Northwind Analytics, Thursday, December 3.\n"
        "# Lines starting with # are instructions and are not saved.\n"
        "# Write one point per line under each heading, starting with '- '.\n"
        "# Under each interviewer's name, note what that person stressed, as phrases that\n"
        '#   complete "You stressed …": their formal note uses them.\n'
        '# Under "Why I fit", write phrases that complete "I bring …": the formal notes, the\n'
        "#   status email and the call script use them.\n"
        '# Under "Points to mention", write phrases that complete "We talked about …".\n'
        "# Save and close the editor to store the notes; close it unchanged to keep things as they are.\n"
        "\n"
        "## What they stressed (skills, experience, traits)\n- \n\n"
        "## With Priya Shah\n- \n\n"
        "## With Tom O'Neill\n- \n\n"
        "## Questions and how they went\n- \n\n"
        "## What to improve\n- \n\n"
        "## Why I fit\n- \n\n"
        "## Points to mention in follow-ups\n- \n")
    assert stored_notes(home, 1) == (
        "## What they stressed (skills, experience, traits)\n\n"
        "## With Priya Shah\n\n"
        "## With Tom O'Neill\n\n"
        "## Questions and how they went\n\n"
        "## What to improve\n- pace\n\n"
        "## Why I fit\n\n"
        "## Points to mention in follow-ups\n- streaming")
    assert notes_status(run_json) == "completed"
    assert by_step(run_json("show", "1")["items"])["notes"]["completed"] == "2026-12-03T16:00:00+00:00"

    # Editing again starts from the stored notes; the step stays done.
    editor(tmp_path, monkeypatch, "path.write_text(text.replace('- pace', '- pace\\n- eye contact'))\n")
    again = run("notes", "1")
    assert again.stdout == "Saved the notes on interview 1.\n"
    assert seen.read_text().endswith("\n## Why I fit\n\n## Points to mention in follow-ups\n- streaming\n")
    assert "- pace\n- eye contact\n" in stored_notes(home, 1)


def test_notes_closed_unchanged_or_left_empty_change_nothing(
        run: Run, run_json, samples: None, home: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    calendar = (home / "followup.ics").read_bytes()
    editor(tmp_path, monkeypatch, "")  # closed without saving
    result = run("notes", "1")
    assert (result.exit_code, result.stdout) == (
        0, "The notes on interview 1 are unchanged; nothing saved.\n")
    editor(tmp_path, monkeypatch, "path.write_text(text)\n")  # saved as it was: headings only
    result = run("notes", "1")
    assert (result.exit_code, result.stdout) == (0, "The notes on interview 1 are empty; nothing saved.\n")
    empty = run("notes", "1", "--file", "-", input="# only a comment\n\n- \n")
    assert empty.stdout == "The notes on interview 1 are empty; nothing saved.\n"
    assert stored_notes(home, 1) is None
    assert notes_status(run_json) == "needs-action"
    assert (home / "followup.ics").read_bytes() == calendar


def test_notes_from_a_file_and_the_same_notes_twice(
        run: Run, samples: None, home: Path, tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("# dropped\n" + NOTES)
    assert run("notes", "2", "--file", str(source)).stdout == (
        "Saved the notes on interview 2.\n"
        "17  done: Write interview notes (Contoso Robotics, Inc.)\n")
    assert stored_notes(home, 2) == "\n".join(
        f"## {line}" if line and not line.startswith("-") else line
        for line in NOTES.rstrip("\n").split("\n"))
    again = run("notes", "2", "--file", str(source))
    assert again.stdout == "The notes on interview 2 are unchanged; nothing saved.\n"


def test_a_failing_editor_is_one_line_exit_1_and_changes_nothing(
        run: Run, run_json, samples: None, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calendar = (home / "followup.ics").read_bytes()
    monkeypatch.setenv("EDITOR", "false")
    monkeypatch.delenv("VISUAL", raising=False)
    result = run("notes", "1")
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "", ("Error: the editor 'false' failed; nothing changed (set $EDITOR to an editor that"
               " works, or give the notes with --file)\n"))
    assert stored_notes(home, 1) is None
    assert notes_status(run_json) == "needs-action"
    assert (home / "followup.ics").read_bytes() == calendar


@pytest.mark.parametrize(("args", "message"), [
    (("notes", "9"), "Error: no interview 9; `followup interviews --all` shows them"),
    (("notes", "1", "--file", "/no/such/notes.txt"),
     "Error: cannot read the notes file /no/such/notes.txt: No such file or directory"),
])
def test_notes_bad_input(run: Run, samples: None, args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert (result.exit_code, result.stderr) == (2, message + "\n")


def test_notes_parsing() -> None:
    from followup.core.notes import clean, points

    assert points(NOTES).mention == ("moving nightly batch jobs to streaming",
                                     "the data quality checks on the ingestion layer",
                                     "a third point that no draft uses")
    assert points("Points to mention in follow-ups:\n1. one\n2) two\n* three").mention == (
        "one", "two", "three")
    assert points("- stressed, but not a point to mention").mention == ()
    assert points(None).mention == ()
    assert clean("# x\nWhat to improve\n-\n\n\n\nfree text  \n") == "## What to improve\n\nfree text"
    assert clean("What to improve\n- \nPoints to mention in follow-ups:\n") == ""


# -- overridden, broken and unreadable templates -------------------------------------------

def override(home: Path, name: str, text: str | bytes) -> Path:
    folder = home / "templates"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_a_template_in_the_config_folder_wins(run: Run, uids, home: Path) -> None:
    override(home, "thank-you-email.j2",
             "Subject: Thanks, {{ contact }}\n\n{{ salutation }}\n\nThanks for {{ date }}"
             " at {{ company|stop }}\n\n{{ name }}\n")
    assert draft(run, uids(1, "thank-you-email")) == (
        f"{NORTHWIND_TO}\nSubject: Thanks, Priya\n\nDear Priya and Tom,\n\n"
        "Thanks for Thursday, December 3 at Northwind Analytics.\n\nAlex Morgan\n")
    assert draft(run, uids(1, "status-email")) == STATUS_1  # the others stay built in


@pytest.mark.parametrize(("text", "message"), [
    ("Subject: x\n\n{{ name }\n", "has an error on line 3: unexpected '}'"),
    ("Subject: x\n\n{{ salary }}\n", "cannot be filled: 'salary' is undefined"),
    ("Dear {{ contact }}\n", "must start with a 'Subject: …' line"),
])
def test_a_broken_template_is_one_line_exit_1(run: Run, uids, home: Path, text: str,
                                               message: str) -> None:
    path = override(home, "thank-you-email.j2", text)
    result = run("draft", uids(1, "thank-you-email"))
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "", f"Error: the template {path} {message}\n")


def test_an_unreadable_template_is_one_line_exit_1(run: Run, uids, home: Path) -> None:
    path = override(home, "status-email.j2", b"Subject: \xff\xfe\n")
    result = run("draft", uids(1, "status-email"))
    assert (result.exit_code, result.stderr) == (
        1, f"Error: cannot read the template {path}: it is not UTF-8 text\n")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_a_template_without_read_permission(run: Run, uids, home: Path) -> None:
    path = override(home, "status-email.j2", "Subject: x\n")
    path.chmod(0)
    result = run("draft", uids(1, "status-email"))
    assert (result.exit_code, result.stderr) == (
        1, f"Error: cannot read the template {path}: Permission denied\n")


# -- bad references ------------------------------------------------------------------------

@pytest.mark.parametrize(("ref", "message"), [
    ("99", "Error: no item '99'; `followup list --all` shows the ids"),
    ("3", ("Error: item 3 (Get Northwind Analytics interviewers' contact details) has no draft; drafts exist for"
          " the steps thank-you-email, formal-note, status-email, gracious-reply,"
          " reply-second-interview, reply-offer, call-script, call, second-call")),
    ("1", ("Error: item 1 (Interview: Senior Data Engineer at Northwind Analytics) has no draft;"
          " drafts exist for the steps thank-you-email, formal-note, status-email, gracious-reply,"
          " reply-second-interview, reply-offer, call-script, call, second-call")),
])
def test_a_ref_without_a_draft_is_a_usage_error(run: Run, samples: None, ref: str, message: str) -> None:
    result = run("draft", ref)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message + "\n")


# -- .eml ------------------------------------------------------------------------------------

def test_eml_parses_back_as_an_unsent_draft(run: Run, uids, home: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "thanks.eml"
    target.parent.mkdir()
    result = run("draft", uids(1, "thank-you-email"), "--eml", str(target))
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, "", f"Wrote the draft to {target}; open it in your mail client to send it.\n")
    assert [p.name for p in target.parent.iterdir()] == ["thanks.eml"]  # no temp file left
    data = target.read_bytes()
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    message = email.parser.BytesParser(policy=email.policy.default).parsebytes(data)
    assert [(k, str(v)) for k, v in message.items()] == [
        ("To", "Priya Shah <priya.shah@northwind.example>, Tom O'Neill <tom.oneill@northwind.example>"),
        ("Subject", "Thank you for the Senior Data Engineer interview"),
        ("Date", "Sat, 28 Nov 2026 12:00:00 +0000"),
        ("X-Unsent", "1"),
        ("Content-Type", 'text/plain; charset="utf-8"'),
        ("Content-Transfer-Encoding", "quoted-printable"),
        ("MIME-Version", "1.0"),
    ]
    body = THANK_YOU_1.split("\n\n", 1)[1]
    assert message.get_content().replace("\r\n", "\n") == body


def test_eml_from_your_address_with_a_read_receipt(run: Run, uids, home: Path, tmp_path: Path) -> None:
    target = tmp_path / "thanks.eml"
    refused = run("draft", uids(1, "thank-you-email"), "--eml", str(target), "--receipt")
    assert (refused.exit_code, refused.stderr) == (
        2, f'Error: --receipt: a read receipt needs your address; add email = "you@example.org"'
           f" to {home / 'config.toml'}\n")
    alone = run("draft", uids(1, "thank-you-email"), "--receipt")
    assert (alone.exit_code, alone.stderr) == (
        2, "Error: --receipt goes with --eml FILE (a read receipt is a header of the email)\n")
    with (home / "config.toml").open("a") as config:
        config.write('email = "alex.morgan@example.org"\n')
    assert run("draft", uids(1, "thank-you-email"), "--eml", str(target), "--receipt").exit_code == 0
    message = email.parser.BytesParser(policy=email.policy.default).parsebytes(target.read_bytes())
    assert [(k, str(v)) for k, v in message.items()][:5] == [
        ("From", "Alex Morgan <alex.morgan@example.org>"),
        ("To", "Priya Shah <priya.shah@northwind.example>, Tom O'Neill <tom.oneill@northwind.example>"),
        ("Subject", "Thank you for the Senior Data Engineer interview"),
        ("Date", "Sat, 28 Nov 2026 12:00:00 +0000"),
        ("Disposition-Notification-To", "Alex Morgan <alex.morgan@example.org>"),
    ]
    assert run("draft", uids(1, "thank-you-email"), "--eml", str(target)).exit_code == 0
    plain = email.parser.BytesParser(policy=email.policy.default).parsebytes(target.read_bytes())
    assert "Disposition-Notification-To" not in plain and str(plain["From"]) == (
        "Alex Morgan <alex.morgan@example.org>")


def test_eml_keeps_non_ascii_text(run: Run, run_json, home: Path, tmp_path: Path) -> None:
    with (home / "config.toml").open("a") as config:
        config.write('locale = "en_GB"\n')
    assert run("add", "--company", "Zürich Büro", "--role", "Ingénieur", "--at", "2026-12-04 14:00",
               "--interviewer", "Zoë Müller <zoe@zb.example>").exit_code == 0
    uid = by_step(run_json("show", "1")["items"])["formal-note-1"]["uid"]
    target = tmp_path / "note.eml"
    assert run("draft", uid, "--eml", str(target)).exit_code == 0
    message = email.parser.BytesParser(policy=email.policy.default).parsebytes(target.read_bytes())
    assert str(message["To"]) == "Zoë Müller <zoe@zb.example>"
    assert message.get_content().replace("\r\n", "\n").endswith("\n\nYours sincerely,\n[Your name]\n")
    assert str(message["Subject"]) == "Following up on my Ingénieur interview"
    assert message.get_content().replace("\r\n", "\n").startswith(
        "Dear Zoë Müller,\n\nThank you again for interviewing me for the Ingénieur role at Zürich Büro")


def test_eml_of_a_card_or_a_call_is_refused(run: Run, uids, tmp_path: Path) -> None:
    target = tmp_path / "card.eml"
    result = run("draft", uids(2, "formal-note-1"), "--eml", str(target))
    assert (result.exit_code, result.stderr) == (
        # Item 19: rule 5 puts the note a working day after the thank-you, later in the plan.
        2, ("Error: item 19 (Write a handwritten note to Dana Whitfield (Contoso Robotics, Inc.)) is a handwritten note,"
           " not an email; leave out --eml\n"))
    assert not target.exists()


# -- proofreading ---------------------------------------------------------------------------

def test_check_lists_a_misspelling_and_exits_1(run: Run, uids, home: Path, tmp_path: Path) -> None:
    override(home, "thank-you-email.j2",
             "Subject: Our intervew\n\n{{ salutation }}\n\nThank you, {{ contact }}, for the"
             " {{ role }} intervew at {{ company }} (see https://northwind.example/jobs/xq9z or"
             " write to zqxw@northwind.example). I would recieve it gladly.\n\n{{ name }}\n")
    target = tmp_path / "never.eml"
    result = run("draft", uids(1, "thank-you-email"), "--check", "--eml", str(target))
    assert (result.exit_code, result.stdout, result.stderr) == (1, "intervew\nrecieve\n", "")
    assert not target.exists()  # the check runs first and stops the .eml


def test_check_lists_placeholders_left_to_fill(run: Run, uids, home: Path) -> None:
    override(home, "thank-you-email.j2",
             "Subject: Our interview\n\n{{ salutation }}\n\nThank you for the {role} interview"
             " at [Company]. See https://northwind.example/jobs/{id} too.\n\n{{ '{{ name }}' }}\n")
    result = run("draft", uids(1, "thank-you-email"), "--check")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "{role}\n[Company]\n{{ name }}\n", "")


def test_check_of_a_clean_draft_exits_0(run: Run, uids, home: Path) -> None:
    assert run("notes", "1", "--file", "-", input=NOTES_1).exit_code == 0
    for key in ("thank-you-email", "formal-note-2", "status-email", "second-call"):
        result = run("draft", uids(1, key), "--check")
        assert (result.exit_code, result.stdout, result.stderr) == (
            0, "", "No unknown words and no placeholders.\n")


def test_check_knows_british_spelling_and_the_users_own_words(run: Run, uids, home: Path) -> None:
    assert run("notes", "1", "--file", "-",
               input="Points to mention in follow-ups\n- the organisation of Flink jobs\n").exit_code == 0
    result = run("draft", uids(1, "thank-you-email"), "--check")
    assert (result.exit_code, result.stdout) == (1, "Flink\n")
    assert "the organisation of Flink jobs" in draft(run, uids(1, "thank-you-email"))
    (home / "dictionary.txt").write_text("flink\n")
    assert run("draft", uids(1, "thank-you-email"), "--check").exit_code == 0


# -- the calendar's view -------------------------------------------------------------------

def sample_interview() -> Interview:
    import datetime as dt
    from zoneinfo import ZoneInfo

    return Interview(
        uid="x", company="Northwind Analytics", role="Senior Data Engineer",
        start=dt.datetime(2026, 12, 3, 14, 0, tzinfo=ZoneInfo("Europe/London")),
        duration=dt.timedelta(minutes=90), tz="Europe/London", deadline=dt.date(2026, 12, 10),
        contacts=(Contact(1, "Priya Shah", "priya.shah@northwind.example"),
                  Contact(2, "Tom O'Neill", "tom.oneill@northwind.example")))


def test_calendar_text_and_mailto() -> None:
    """The calendar's copy is written as on the day the step is due: full dates, no
    "yesterday" (it is read on some later day), the year only when it is another year."""
    import datetime as dt

    text, mailto = drafts.calendar_text(sample_interview(), "thank-you-email", "thank-you-email",
                                        None, NAME, day=dt.date(2026, 12, 4))
    assert text + "\n" == THANK_YOU_1
    assert mailto is not None
    assert mailto.startswith("mailto:priya.shah@northwind.example,tom.oneill@northwind.example"
                             "?subject=Thank%20you%20for%20the%20Senior%20Data%20Engineer%20interview"
                             "&body=Dear%20Priya%20and%20Tom%2C%0D%0A%0D%0AThank")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(mailto).query)
    assert query["body"] == [THANK_YOU_1.split("\n\n", 1)[1].rstrip("\n").replace("\n", "\r\n")]
    next_year, _ = drafts.calendar_text(sample_interview(), "status-email", "status-email", None,
                                        NAME, day=dt.date(2027, 1, 4))
    assert "Northwind Analytics on Thursday, December 3, 2026. You mentioned that you hoped to decide" \
        " by Thursday, December 10, 2026, so" in next_year
    handwritten = Interview(**{**sample_interview().__dict__, "note": "handwritten"})
    card, none = drafts.calendar_text(handwritten, "formal-note-2", "formal-note", NOTES, NAME)
    assert none is None and card.startswith("Dear Tom,\n\nIt was a pleasure to meet you")
    with pytest.raises(drafts.NoDraft):
        drafts.calendar_text(sample_interview(), "notes", "notes", None, None)


@pytest.mark.parametrize("command", ["notes", "draft", "report"])
def test_help_ends_with_an_example(run: Run, command: str) -> None:
    result = run(command, "-h")
    assert result.exit_code == 0
    assert result.stdout.rstrip().split("\n")[-1].startswith("  -h, --help")
    assert "Example:" in result.stdout and f"followup {command} " in result.stdout


def test_open_email_tasks_carry_their_draft_once_and_their_events_say_where(
        run: Run, uids, home: Path) -> None:
    """The task carries the draft once (no mailto: body repeating it); the event, which
    goes to Google and phones, only says where the draft is (CALENDAR_RULES.md rule 24)."""
    import icalendar

    def component(key: str, name: str = "VTODO") -> icalendar.cal.Component:
        profile = "events" if name == "VEVENT" else "tasks"
        calendar = icalendar.Calendar.from_ical(run("export", "--profile", profile).stdout)
        uid = uids(1, key) + ("-event" if name == "VEVENT" else "")
        return next(c for c in calendar.walk(name) if str(c["UID"]) == uid)

    assert run("notes", "1", "--file", "-", input=NOTES_1).exit_code == 0
    text = draft_at(run, uids(1, "thank-you-email"), "2026-12-04T09:00:00+00:00").rstrip("\n")
    text = text.replace(" yesterday.", " on Thursday, December 3.")  # the calendar's copy: full dates
    assert "the migration plan for the reporting warehouse" in text
    description = str(component("thank-you-email")["DESCRIPTION"])
    assert description.endswith(f"\n\nDraft:\n\n{text}")
    assert description.count(text) == 1 and "mailto:" not in description and "%20" not in description
    item = run_id(run, uids(1, "thank-you-email"))
    assert str(component("thank-you-email", "VEVENT")["DESCRIPTION"]) == (
        "A short thank-you to the interviewer(s): thank them for their time and restate your"
        " interest. Hard limit: 48 hours after the interview.\n\n"
        f"The draft is on your followup page and in `followup draft {item}`.")
    assert "Draft:" not in str(component("notes")["DESCRIPTION"])
    assert run("done", uids(1, "thank-you-email")).exit_code == 0
    assert "Draft:" not in str(component("thank-you-email")["DESCRIPTION"])  # only open tasks
    assert "draft" not in str(component("thank-you-email", "VEVENT")["DESCRIPTION"])


def run_id(run: Run, uid: str) -> int:
    return next(int(item["id"]) for item in json.loads(run("list", "--json").stdout)
                if item["uid"] == uid)


def test_show_prints_the_notes(run: Run, run_json, samples: None) -> None:
    assert run("notes", "1", "--file", "-", input="What to improve\n- pace\n").exit_code == 0
    assert run("show", "1").stdout.endswith(
        "\nNotes (change them with `followup notes`):\n  ## What to improve\n  - pace\n")
    assert run_json("show", "1")["notes"] == "## What to improve\n- pace"
    assert run_json("show", "2")["notes"] is None


def test_markdown_headings_name_the_sections() -> None:
    from followup.core.notes import clean, points

    text = ("# an instruction\n## What they stressed\n- dbt\n\n## Points to mention:\n"
            "- the pipeline migration\n- the on-call rota\n- a third point\n"
            "### with Jane Doe\n- SLAs\n## Why I fit:\n- ten years of SQL\n")
    cleaned = clean(text)
    assert cleaned == ("## What they stressed (skills, experience, traits)\n- dbt\n\n"
                       "## Points to mention in follow-ups\n- the pipeline migration\n"
                       "- the on-call rota\n- a third point\n## with Jane Doe\n- SLAs\n"
                       "## Why I fit\n- ten years of SQL")
    found = points(cleaned)
    assert (found.stressed, found.mention, found.fit, dict(found.people)) == (
        ("dbt",), ("the pipeline migration", "the on-call rota", "a third point"),
        ("ten years of SQL",), {"Jane Doe": ("SLAs",)})
    assert found.of(Contact(1, "Dr. Jane Doe", None)) == ("SLAs",)
    assert found.of(Contact(2, "", "jane.doe@acme.example")) == ("SLAs",)
    assert found.of(Contact(3, "Bo Li", None)) == ()
    assert clean("## Points to mention\n- \n# only an instruction\n") == ""


def test_headings_in_every_language_are_sections() -> None:
    from followup.core.notes import clean, points

    text = ("## Warum ich passe\n- zehn Jahre SQL\n## Avec Mme Martin\n- les délais\n"
            "## Puntos para mencionar en el seguimiento\n- la migración\n"
            "## Mit Herrn Weber\n- Qualität\n")
    found = points(clean(text))
    assert (found.fit, found.mention) == (("zehn Jahre SQL",), ("la migración",))
    assert found.of(Contact(1, "Mme Claire Martin", None)) == ("les délais",)


def test_a_read_receipt_goes_to_your_mailbox_without_config_email(run: Run, uids, home: Path,
                                                                  tmp_path: Path) -> None:
    with (home / "config.toml").open("a") as config:
        config.write('[mail]\nurl = "imaps://alex@mail.example.org"\naddress = "alex.morgan@example.org"\n')
    target = tmp_path / "thanks.eml"
    result = run("draft", uids(1, "thank-you-email"), "--eml", str(target), "--receipt")
    assert result.exit_code == 0, result.stderr
    message = email.parser.BytesParser(policy=email.policy.default).parsebytes(target.read_bytes())
    assert (str(message["From"]), str(message["Disposition-Notification-To"])) == (
        "Alex Morgan <alex.morgan@example.org>", "Alex Morgan <alex.morgan@example.org>")
