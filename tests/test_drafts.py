"""Notes, drafts, .eml files and proofreading (issue 6), through the CLI on the samples."""

from __future__ import annotations

import email.parser
import email.policy
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

THANK_YOU_1 = f"""\
{NORTHWIND_TO}
Subject: Thank you for the Senior Data Engineer interview

Dear Priya Shah and Tom O'Neill,

Thank you for taking the time to meet me on Thursday 3 December 2026 to discuss the Senior Data Engineer role at Northwind Analytics. I enjoyed learning more about the team and its plans.

Our conversation confirmed my interest in the role, and I would be glad to bring my experience to your team.

I look forward to hearing from you.

Kind regards,
[Your name]
"""

FORMAL_NOTE_1 = """\
To: Priya Shah <priya.shah@northwind.example>
Subject: Following up on my Senior Data Engineer interview

Dear Priya Shah,

Thank you again for interviewing me for the Senior Data Engineer role at Northwind Analytics on Thursday 3 December 2026. Having reflected on our conversation, I would like to say why I believe I am a strong fit.

What I learned about the role and the team matches my experience and the work I enjoy most.

I am confident that I could contribute from the first weeks, and I would welcome the chance to do so at Northwind Analytics.

Please let me know if I can provide anything further to help your decision.

Yours sincerely,
[Your name]
"""

STATUS_1 = """\
To: Priya Shah <priya.shah@northwind.example>
Subject: Senior Data Engineer role: following up on my interview

Dear Priya Shah,

I hope you are well. My name is [Your name], and I interviewed for the Senior Data Engineer role at Northwind Analytics on Thursday 3 December 2026. You mentioned that you hoped to decide by Thursday 10 December 2026, so I am writing to ask whether there is any news.

I remain very interested in the role and convinced that my experience is a good fit.

If there is anything else you need from me, I would be glad to provide it. Thank you, and I look forward to hearing from you.

Kind regards,
[Your name]
"""

CALL_1 = """\
Call script: Senior Data Engineer at Northwind Analytics

Before you call
- Call early in the morning or in the evening, and ask for Priya Shah directly rather than leaving a voice message.
- The number to dial is not recorded yet: find it and keep it with `followup edit --decision-contact`.
- Have your interview notes in front of you.

1. Introduce yourself
   "Hello, this is [Your name]. I interviewed for the Senior Data Engineer role on Thursday 3 December 2026. Is now a good time for a quick question?"
2. Ask about the decision
   "You mentioned that you hoped to decide by Thursday 10 December 2026. I am calling to ask whether there is any news."
3. Restate your fit
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

Dear Dana Whitfield,

Thank you for taking the time to meet me by video on Monday 7 December 2026 to discuss the Platform Engineer role at Contoso Robotics, Inc. I enjoyed learning more about the team and its plans.

Our conversation confirmed my interest in the role, and I would be glad to bring my experience to your team.

I look forward to hearing from you.

Kind regards,
[Your name]
"""

CARD_2 = """\
Dear Dana Whitfield,

Thank you for meeting me by video on Monday 7 December 2026 to talk about the Platform Engineer role.

I would be delighted to join Contoso Robotics, Inc., and I hope to hear from you soon.

With best wishes,
[Your name]
"""

STATUS_2 = """\
To: Dana Whitfield <dana.whitfield@contoso.example>
Subject: Platform Engineer role: following up on my interview

Dear Dana Whitfield,

I hope you are well. My name is [Your name], and I interviewed for the Platform Engineer role at Contoso Robotics, Inc. on Monday 7 December 2026. I am writing to ask whether there is any news about your decision.

I remain very interested in the role and convinced that my experience is a good fit.

If there is anything else you need from me, I would be glad to provide it. Thank you, and I look forward to hearing from you.

Kind regards,
[Your name]
"""

GRACIOUS_2 = """\
To: Dana Whitfield <dana.whitfield@contoso.example>
Subject: Platform Engineer role: thank you

Dear Dana Whitfield,

Thank you for letting me know your decision about the Platform Engineer role. Although I am disappointed, I appreciated the chance to meet you by video on Monday 7 December 2026 and to learn about Contoso Robotics, Inc.

If you have a moment, I would be grateful for any feedback on what I could improve.

I remain very interested in Contoso Robotics, Inc. and would welcome being considered for other suitable roles in the future.

Kind regards,
[Your name]
"""

SECOND_INTERVIEW_1 = """\
To: Priya Shah <priya.shah@northwind.example>
Subject: Senior Data Engineer role: second interview

Dear Priya Shah,

Thank you for inviting me to a second interview for the Senior Data Engineer role at Northwind Analytics. I am delighted to accept.

Please let me know which times suit you, and whether there is anything I should prepare beforehand. I look forward to continuing our conversation.

Kind regards,
[Your name]
"""

OFFER_1 = """\
To: Priya Shah <priya.shah@northwind.example>
Subject: Senior Data Engineer offer: thank you

Dear Priya Shah,

Thank you very much for offering me the Senior Data Engineer role at Northwind Analytics. I am delighted to receive it.

I would like to review the details carefully. Could you send me the written offer, including the salary, benefits and start date, if you have not already? I will come back to you with my answer shortly.

Thank you again for your confidence in me. I look forward to speaking with you soon.

Kind regards,
[Your name]
"""


@pytest.fixture
def samples(run: Run) -> None:
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


def draft(run: Run, uid: str, *args: str) -> str:
    result = run("draft", uid, *args)
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    return result.stdout


# -- the drafts of the samples, without notes and without a name ------------------------

def test_every_draft_of_the_samples_without_notes(run: Run, uids) -> None:
    assert draft(run, uids(1, "thank-you-email")) == THANK_YOU_1
    assert draft(run, uids(1, "formal-note-1")) == FORMAL_NOTE_1
    assert draft(run, uids(1, "formal-note-2")) == (
        FORMAL_NOTE_1.replace("To: Priya Shah <priya.shah@", "To: Tom O'Neill <tom.oneill@")
        .replace("Dear Priya Shah,", "Dear Tom O'Neill,"))
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
        .replace("Senior Data Engineer role on Thursday 3", "Platform Engineer role on Monday 7")
        .replace('"You mentioned that you hoped to decide by Thursday 10 December 2026. I am calling'
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


# -- notes feed the drafts; the name comes from the config --------------------------------

def test_points_from_the_notes_and_the_name_from_the_config(run: Run, uids, home: Path) -> None:
    with_name(home)
    saved = run("notes", "1", "--file", "-", input=NOTES)
    assert saved.exit_code == 0, saved.stderr
    assert saved.stdout == ("Saved the notes on interview 1.\n"
                            "4  done: Write interview notes (Northwind Analytics)\n")
    assert draft(run, uids(1, "thank-you-email")) == THANK_YOU_1.replace(
        "I enjoyed learning more about the team and its plans.",
        f"I especially enjoyed our conversation about {POINTS}.").replace("[Your name]", NAME)
    assert draft(run, uids(1, "formal-note-1")) == FORMAL_NOTE_1.replace(
        "What I learned about the role and the team matches",
        f"Our discussion of {POINTS} showed me how closely the role matches").replace(
        "[Your name]", NAME)
    assert draft(run, uids(1, "status-email")) == STATUS_1.replace(
        "I remain very interested in the role and convinced that my experience is a good fit.",
        f"Since our conversation about {POINTS}, I am even more convinced that the role is a"
        " good fit for me.").replace("[Your name]", NAME)
    assert draft(run, uids(1, "call")) == CALL_1.replace(
        '"I am still very interested, and I am confident that my experience fits the role."',
        f'"Since we talked about {POINTS}, I am even more convinced that I am a good fit."'
    ).replace("[Your name]", NAME)
    assert run("notes", "2", "--file", "-", input=NOTES).exit_code == 0
    assert draft(run, uids(2, "formal-note-1")) == CARD_2.replace(
        "the Platform Engineer role.",
        f"the Platform Engineer role. I especially enjoyed our conversation about {POINTS}."
    ).replace("[Your name]", NAME)
    assert run("outcome", "1", "second-interview", now="2026-12-09T10:00:00+00:00").exit_code == 0
    assert draft(run, uids(1, "reply-second-interview")) == SECOND_INTERVIEW_1.replace(
        "continuing our conversation.", f"continuing our conversation about {POINTS}.").replace(
        "[Your name]", NAME)
    assert run("outcome", "2", "rejected", now="2026-12-18T10:00:00+00:00").exit_code == 0
    assert draft(run, uids(2, "gracious-reply")) == GRACIOUS_2.replace(
        "to learn about Contoso Robotics, Inc.\n",
        f"to learn about Contoso Robotics, Inc. Our conversation about {POINTS} was especially"
        " valuable to me.\n").replace("[Your name]", NAME)


# -- salutations -------------------------------------------------------------------------

@pytest.mark.parametrize(("names", "expected"), [
    (["Dr. Jane Jones"], "Dear Dr Jones,"),
    (["Ms Jane Jones"], "Dear Ms Jones,"),
    (["Mr Tom O'Neill"], "Dear Mr O'Neill,"),
    (["Prof. Ana de la Cruz"], "Dear Prof de la Cruz,"),
    (["Dr Jones"], "Dear Dr Jones,"),
    (["Jane Jones"], "Dear Jane Jones,"),
    (["Jane"], "Hello Jane,"),
    ([""], "Dear Hiring Team,"),
    ([], "Dear Hiring Team,"),
    (["Jane", "Bo"], "Hello Jane and Bo,"),
    (["Dr. Jane Jones", "Bo Li", "Sam"], "Dear Dr Jones, Bo Li and Sam,"),
    (["", "Bo Li"], "Dear Bo Li,"),
])
def test_salutation_rules(names: list[str], expected: str) -> None:
    contacts = [Contact(key=n, name=name, email=f"c{n}@acme.example") for n, name in enumerate(names, 1)]
    assert drafts.salutation(contacts) == expected


@pytest.mark.parametrize(("interviewer", "greeting"), [
    ("Dr. Jane Jones <jane@acme.example>", "Dear Dr Jones,"),
    ("Jane <jane@acme.example>", "Hello Jane,"),
    ("jane@acme.example", "Dear Hiring Team,"),
])
def test_salutation_in_a_formal_note(run: Run, run_json, interviewer: str, greeting: str) -> None:
    assert run("add", "--company", "Acme", "--role", "Analyst", "--at", "2026-12-04 14:00",
               "--interviewer", interviewer).exit_code == 0
    uid = by_step(run_json("show", "1")["items"])["formal-note-1"]["uid"]
    lines = draft(run, uid).split("\n")
    assert lines[0] == f"To: {interviewer}"
    assert lines[3] == greeting


def test_no_interviewers_no_address(run: Run, run_json) -> None:
    assert run("add", "--company", "Acme", "--role", "Analyst", "--at", "2026-12-04 14:00").exit_code == 0
    uid = by_step(run_json("show", "1")["items"])["formal-note"]["uid"]
    assert draft(run, uid).split("\n")[:4] == [
        "To: (no email address known)", "Subject: Following up on my Analyst interview", "",
        "Dear Hiring Team,"]


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
        "# Notes on the Senior Data Engineer interview at Northwind Analytics, Thursday 3 December 2026.\n"
        "# Lines starting with # are instructions and are not saved.\n"
        "# Write one point per line under each heading, starting with '- '.\n"
        '# Under "Points to mention in follow-ups", write short phrases that complete\n'
        '# "We talked about …": the first two go into your follow-up drafts.\n'
        "# Save and close the editor to store the notes; close it unchanged to keep things as they are.\n"
        "\n"
        "What they stressed (skills, experience, traits)\n- \n\n"
        "Questions and how they went\n- \n\n"
        "What to improve\n- \n\n"
        "Points to mention in follow-ups\n- \n")
    assert stored_notes(home, 1) == (
        "What they stressed (skills, experience, traits)\n\n"
        "Questions and how they went\n\n"
        "What to improve\n- pace\n\n"
        "Points to mention in follow-ups\n- streaming")
    assert notes_status(run_json) == "completed"
    assert by_step(run_json("show", "1")["items"])["notes"]["completed"] == "2026-12-03T16:00:00+00:00"

    # Editing again starts from the stored notes; the step stays done.
    editor(tmp_path, monkeypatch, "path.write_text(text.replace('- pace', '- pace\\n- eye contact'))\n")
    again = run("notes", "1")
    assert again.stdout == "Saved the notes on interview 1.\n"
    assert seen.read_text().endswith("\nWhat to improve\n- pace\n\nPoints to mention in follow-ups\n- streaming\n")
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
    assert stored_notes(home, 2) == NOTES.rstrip("\n")
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
    assert drafts.points(NOTES) == ["moving nightly batch jobs to streaming",
                                    "the data quality checks on the ingestion layer"]
    assert drafts.points("Points to mention in follow-ups:\n1. one\n2) two\n* three") == ["one", "two"]
    assert drafts.points("- stressed, but not a point to mention") == []
    assert drafts.points(None) == []
    assert drafts.clean_notes("# x\nWhat to improve\n-\n\n\n\nfree text  \n") == (
        "What to improve\n\nfree text")
    assert drafts.clean_notes("What to improve\n- \nPoints to mention in follow-ups:\n") == ""


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
        f"{NORTHWIND_TO}\nSubject: Thanks, Priya Shah\n\nDear Priya Shah and Tom O'Neill,\n\n"
        "Thanks for Thursday 3 December 2026 at Northwind Analytics.\n\n[Your name]\n")
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
    ("3", ("Error: item 3 (Get each Northwind Analytics interviewer's contact details) has no draft; drafts exist for"
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
    with_name(home)
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
    body = THANK_YOU_1.split("\n\n", 1)[1].replace("[Your name]", NAME)
    assert message.get_content().replace("\r\n", "\n") == body


def test_eml_keeps_non_ascii_text(run: Run, run_json, tmp_path: Path) -> None:
    assert run("add", "--company", "Zürich Büro", "--role", "Ingénieur", "--at", "2026-12-04 14:00",
               "--interviewer", "Zoë Müller <zoe@zb.example>").exit_code == 0
    uid = by_step(run_json("show", "1")["items"])["formal-note-1"]["uid"]
    target = tmp_path / "note.eml"
    assert run("draft", uid, "--eml", str(target)).exit_code == 0
    message = email.parser.BytesParser(policy=email.policy.default).parsebytes(target.read_bytes())
    assert str(message["To"]) == "Zoë Müller <zoe@zb.example>"
    assert str(message["Subject"]) == "Following up on my Ingénieur interview"
    assert message.get_content().replace("\r\n", "\n").startswith(
        "Dear Zoë Müller,\n\nThank you again for interviewing me for the Ingénieur role at Zürich Büro")


def test_eml_of_a_card_or_a_call_is_refused(run: Run, uids, tmp_path: Path) -> None:
    target = tmp_path / "card.eml"
    result = run("draft", uids(2, "formal-note-1"), "--eml", str(target))
    assert (result.exit_code, result.stderr) == (
        2, ("Error: item 18 (Write a handwritten note to Dana Whitfield at Contoso Robotics, Inc.) is a handwritten note,"
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


def test_check_of_a_clean_draft_exits_0(run: Run, uids, home: Path) -> None:
    with_name(home)
    assert run("notes", "1", "--file", "-", input=NOTES).exit_code == 0
    for key in ("thank-you-email", "formal-note-2", "status-email", "second-call"):
        result = run("draft", uids(1, key), "--check")
        assert (result.exit_code, result.stdout, result.stderr) == (0, "", "No unknown words.\n")


def test_check_knows_british_spelling_and_the_users_own_words(run: Run, uids, home: Path) -> None:
    assert run("notes", "1", "--file", "-",
               input="Points to mention in follow-ups\n- the organisation of Flink jobs\n").exit_code == 0
    result = run("draft", uids(1, "thank-you-email"), "--check")
    assert (result.exit_code, result.stdout) == (1, "Flink\n")
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
    text, mailto = drafts.calendar_text(sample_interview(), "thank-you-email", "thank-you-email",
                                        None, None)
    assert text + "\n" == THANK_YOU_1
    assert mailto is not None
    assert mailto.startswith("mailto:priya.shah@northwind.example,tom.oneill@northwind.example"
                             "?subject=Thank%20you%20for%20the%20Senior%20Data%20Engineer%20interview"
                             "&body=Dear%20Priya%20Shah%20and%20Tom%20O%27Neill%2C%0D%0A%0D%0AThank")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(mailto).query)
    assert query["body"] == [THANK_YOU_1.split("\n\n", 1)[1].rstrip("\n").replace("\n", "\r\n")]
    handwritten = Interview(**{**sample_interview().__dict__, "note": "handwritten"})
    card, none = drafts.calendar_text(handwritten, "formal-note-2", "formal-note", NOTES, NAME)
    assert none is None and card.startswith("Dear Tom O'Neill,\n\nThank you for meeting me")
    with pytest.raises(drafts.NoDraft):
        drafts.calendar_text(sample_interview(), "notes", "notes", None, None)


@pytest.mark.parametrize("command", ["notes", "draft", "report"])
def test_help_ends_with_an_example(run: Run, command: str) -> None:
    result = run(command, "-h")
    assert result.exit_code == 0
    assert result.stdout.rstrip().split("\n")[-1].startswith("  -h, --help")
    assert "Example:" in result.stdout and f"followup {command} " in result.stdout


def test_open_email_tasks_carry_their_draft_and_a_mailto_link(run: Run, uids, home: Path) -> None:
    import icalendar

    def todo(key: str) -> icalendar.Todo:
        calendar = icalendar.Calendar.from_ical((home / "followup.ics").read_bytes())
        return next(c for c in calendar.walk("VTODO") if str(c["UID"]) == uids(1, key))

    assert run("notes", "1", "--file", "-", input=NOTES).exit_code == 0
    text = draft(run, uids(1, "thank-you-email")).rstrip("\n")
    subject, body = text.split("\n", 2)[1].removeprefix("Subject: "), text.split("\n\n", 1)[1]
    mailto = ("mailto:priya.shah@northwind.example,tom.oneill@northwind.example?subject="
              + urllib.parse.quote(subject) + "&body="
              + urllib.parse.quote(body.replace("\n", "\r\n"), safe=""))
    assert POINTS in text
    assert str(todo("thank-you-email")["DESCRIPTION"]).endswith(
        f"\n\nDraft:\n\n{text}\n\nSend it: {mailto}")
    assert "Draft:" not in str(todo("notes")["DESCRIPTION"])
    assert run("done", uids(1, "thank-you-email")).exit_code == 0
    assert "Draft:" not in str(todo("thank-you-email")["DESCRIPTION"])  # only open tasks


def test_show_prints_the_notes(run: Run, run_json, samples: None) -> None:
    assert run("notes", "1", "--file", "-", input="What to improve\n- pace\n").exit_code == 0
    assert run("show", "1").stdout.endswith(
        "\nNotes (change them with `followup notes`):\n  What to improve\n  - pace\n")
    assert run_json("show", "1")["notes"] == "What to improve\n- pace"
    assert run_json("show", "2")["notes"] is None


def test_markdown_headings_name_the_sections() -> None:
    from followup.core.drafts import clean_notes, points

    text = ("# an instruction\n## What they stressed\n- dbt\n\n## Points to mention:\n"
            "- the pipeline migration\n- the on-call rota\n- a third point\n")
    cleaned = clean_notes(text)
    assert cleaned == ("What they stressed (skills, experience, traits)\n- dbt\n\n"
                       "Points to mention in follow-ups\n- the pipeline migration\n"
                       "- the on-call rota\n- a third point")
    assert points(cleaned) == ["the pipeline migration", "the on-call rota"]
    assert clean_notes("## Points to mention\n- \n# only an instruction\n") == ""
