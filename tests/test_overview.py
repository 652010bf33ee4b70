"""Seeing the whole search (issue 11): `interviews`, `list` for one interview or a period,
when a completed step was done, shell completion, and `remote add --vdir` refusing a
folder that does not exist."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import NOW, Run, by_step

ACME = ("add", "--company", "Acme", "--role", "Data Engineer", "--at", "2026-12-04 14:00",
        "--tz", "Europe/London", "--interviewer", "Jane Doe <jane@acme.example>",
        "--deadline", "2026-12-11")
GLOBEX = ("add", "--company", "Globex", "--role", "SRE", "--at", "2026-12-07 10:00",
          "--tz", "Europe/London")
INITECH = ("add", "--company", "Initech", "--role", "QA Lead", "--at", "2026-11-20 10:00",
           "--tz", "Europe/London")
THURSDAY = "2026-12-10T12:00:00+00:00"


@pytest.fixture
def search(run: Run) -> None:
    """Acme (active) and Globex (rejected on Thursday 10 December)."""
    for args in (ACME, GLOBEX):
        assert run(*args).exit_code == 0
    assert run("outcome", "2", "rejected", now=THURSDAY).exit_code == 0


def test_interviews_lists_the_active_ones_with_their_next_step(run: Run, search: None) -> None:
    result = run("interviews", now=THURSDAY)
    assert (result.exit_code, result.stdout) == (0, (
        "ID  Start                  Company  Role           Round  State   Next step\n"
        "1   Fri 04 Dec 2026 14:00  Acme     Data Engineer  1      active  Fri 04 Dec 2026 15:00,"
        " overdue 5 days  Ask Acme when they will decide\n"))


def test_interviews_all_and_json(run: Run, run_json, search: None) -> None:
    assert run(*INITECH).exit_code == 0
    let_go = by_step(run_json("show", "3")["items"])["let-go"]["id"]
    assert run("done", str(let_go), now=THURSDAY).exit_code == 0
    lines = run("interviews", "--all", now=THURSDAY).stdout.splitlines()
    assert [line[:4].strip() for line in lines] == ["ID", "3", "1", "2"]
    column = lines[0].index("State")
    assert [line[column:column + 8].strip() for line in lines] == [
        "State", "let go", "active", "rejected"]
    docs = run_json("interviews", "--all", now=THURSDAY)
    assert [(d["id"], d["state"]) for d in docs] == [(3, "let go"), (1, "active"), (2, "rejected")]
    assert docs[1] == {
        "id": 1, "uid": docs[1]["uid"], "company": "Acme", "role": "Data Engineer", "round": 1,
        "round_of": None, "start": "2026-12-04T14:00:00+00:00", "state": "active",
        "next": {"id": 2, "step": "ask-timeline", "summary": "Ask Acme when they will decide",
                 "due": "2026-12-04T15:00:00+00:00"},
    }
    assert run_json("interviews", now=THURSDAY) == [docs[1]]


def test_interviews_when_there_are_none(run: Run) -> None:
    assert run("interviews").stdout == "No interviews yet; add one with `followup add`.\n"
    assert run(*GLOBEX).exit_code == 0
    assert run("outcome", "1", "offer", now=THURSDAY).exit_code == 0
    assert run("interviews", now=THURSDAY).stdout == (
        "No active interviews; `followup interviews --all` shows them all.\n")


def test_list_one_interview(run: Run, run_json, search: None) -> None:
    items = run_json("list", "2", "--all", now=THURSDAY)
    assert {i["interview"] for i in items} == {2}
    assert [i["status"] for i in items].count("needs-action") == 4
    text = run("list", "2", now=THURSDAY).stdout.splitlines()
    assert [line.split()[0] for line in text] == ["14", "15", "16", "25"]
    assert all("Globex" in line for line in text)
    unknown = run("list", "9")
    assert (unknown.exit_code, unknown.stderr) == (
        2, "Error: no interview 9; `followup interviews --all` shows them\n")


TODAY = [2, 3, 4, 5, 14, 15, 16]  # all overdue: Acme's first steps, Globex's at the interview


@pytest.mark.parametrize(("args", "ids"), [
    (("--today",), TODAY),
    (("--until", "2026-12-11 09:59"), TODAY),
    (("--until", "2026-12-11 10:00"), [*TODAY, 6]),  # Acme's formal note, Friday 10:00
    (("--until", "2026-12-14"), [*TODAY, 6, 25]),  # and Globex's gracious reply, Monday
    (("--week",), [*TODAY, 6, 25, 8, 9]),  # up to the end of Wednesday 16th: the call script
    (("2", "--week"), [14, 15, 16, 25]),
])
def test_list_a_period_overdue_included(run: Run, run_json, search: None, args, ids) -> None:
    assert [i["id"] for i in run_json("list", *args, now=THURSDAY)] == ids
    text = run("list", *args, now=THURSDAY).stdout.splitlines()
    assert [int(line.split()[0]) for line in text] == ids


@pytest.mark.parametrize(("args", "message"), [
    (("--today", "--week"), "Error: give one of --today, --week and --until\n"),
    (("--until", "Friday"),
     "Error: --until: invalid time 'Friday'; write it as 'YYYY-MM-DD HH:MM', e.g."
     " '2026-12-01 14:00'\n"),
])
def test_list_period_errors(run: Run, args, message: str) -> None:
    result = run("list", *args)
    assert (result.exit_code, result.stderr) == (2, message)


def test_show_says_when_a_step_was_done_and_json_has_the_notes(run: Run, run_json) -> None:
    assert run(*ACME).exit_code == 0
    assert run("done", "3", "--at", "2026-12-04 15:20", now=THURSDAY).exit_code == 0
    line = next(x for x in run("show", "1", now=THURSDAY).stdout.splitlines() if x.startswith("3 "))
    assert line.endswith("Get Acme interviewers' contact details (done Fri 04 Dec 2026 15:20)")
    assert run("notes", "1", "--file", "-", input="Points to mention in follow-ups\n- Spark\n",
               now=THURSDAY).exit_code == 0
    assert run_json("show", "1")["notes"] == "## Points to mention in follow-ups\n- Spark"


# -- shell completion ---------------------------------------------------------------------


def complete(home: Path, words: str, shell: str = "bash") -> list[str]:
    """What the shell would offer after `words` (the last word is being typed)."""
    parts = words.split(" ")
    env = {**os.environ, "FOLLOWUP_HOME": str(home), "FOLLOWUP_NOW": NOW,
           "_FOLLOWUP_COMPLETE": f"{shell}_complete", "COMP_WORDS": words,
           "COMP_CWORD": str(len(parts) - 1)}
    out = subprocess.run([sys.executable, "-m", "followup"], env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return [line for line in out.stdout.splitlines() if line]


def test_completion_offers_interview_and_task_ids(run: Run, home: Path) -> None:
    assert run(*ACME).exit_code == 0
    assert run(*GLOBEX).exit_code == 0
    assert run("done", "2").exit_code == 0
    assert complete(home, "followup show ") == ["plain,1", "plain,2"]
    assert complete(home, "followup outcome 1") == ["plain,1"]
    assert complete(home, "followup rm ") == ["plain,1", "plain,2"]
    done = complete(home, "followup done ")
    assert "plain,2" not in done and done[:2] == ["plain,3", "plain,4"]
    assert complete(home, "followup undo ") == ["plain,2"]
    assert complete(home, "followup inter") == ["plain,interviews"]
    zsh = complete(home, "followup show ", "zsh")
    assert zsh[:3] == ["plain", "1", "Data Engineer at Acme"]


def test_completion_creates_no_database(home: Path) -> None:
    assert complete(home, "followup show ") == []
    assert not (home / "followup.db").exists()


def test_completion_is_documented() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert 'eval "$(_FOLLOWUP_COMPLETE=bash_source followup)"' in readme


# -- remote add --vdir ----------------------------------------------------------------------


def test_remote_add_refuses_a_missing_vdir_unless_create(run: Run, home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "calendars" / "jobs"
    config = (home / "config.toml").read_text()
    result = run("remote", "add", "mine", "--vdir", str(folder))
    assert (result.exit_code, result.stderr) == (
        2, f"Error: --vdir: there is no folder {folder}; check the path, or give --create to"
           " make it\n")
    assert not folder.exists() and (home / "config.toml").read_text() == config
    made = run("remote", "add", "mine", "--vdir", str(folder), "--create")
    assert (made.exit_code, made.stdout) == (0, f"Added remote 'mine': vdir {folder}\n")
    assert folder.is_dir()
