"""X-FOLLOWUP-DATA survives other clients' "fixes" (CALENDAR_RULES.md rule 22, issue 12 item 4).

python-caldav's `vcal.fix()` runs on every object a client built on it loads: it strips the
backslash before each `"`. The JSON we wrote there broke for a company named with quotes,
and a rebuild on a second machine silently dropped that interview.
"""

from __future__ import annotations

import json
from pathlib import Path

import icalendar
import pytest
from caldav.lib.vcal import fix

from conftest import USER_TZ, Run
from followup.sync.objects import read_data

COMPANY = 'Acme "Robots" \\ Co; Ltd, ünïcode'
ROLE = 'Data "Wrangler"'
ADD = ("add", "--company", COMPANY, "--role", ROLE, "--at", "2026-12-04 14:00",
       "--interviewer", 'Jo Lee <jo@acme.example>', "--deadline", "2026-12-11")


@pytest.fixture
def vdir(run: Run, tmp_path: Path) -> Path:
    folder = tmp_path / "cal" / "jobs"
    assert run("remote", "add", "cal", "--vdir", str(folder), "--create").exit_code == 0
    return folder


def interview_file(folder: Path) -> Path:
    [path] = [p for p in folder.iterdir() if p.name.endswith("-interview.ics")]
    return path


def data_of(text: str | bytes) -> dict[str, object] | None:
    [event] = icalendar.Calendar.from_ical(text).walk("VEVENT")
    return read_data(event)


def test_the_data_reads_back_after_python_caldavs_fix(run: Run, vdir: Path) -> None:
    assert run(*ADD).exit_code == 0
    pushed = interview_file(vdir).read_bytes().decode("utf-8")
    doc = data_of(pushed)
    assert doc is not None and doc["company"] == COMPANY and doc["role"] == ROLE
    assert doc["contacts"] == [{"key": 1, "name": "Jo Lee", "email": "jo@acme.example",
                                "tz": None, "removed": False, "phone": None, "title": None,
                                "interviewer": True}]
    assert data_of(fix(pushed)) == doc


def test_the_old_json_form_is_still_read() -> None:
    """Objects pushed before the change hold plain JSON, escaped as TEXT."""
    doc = {"v": 1, "company": 'Acme "Robots"', "role": "Eng; ops, dev"}
    event = icalendar.Event()
    event.add("uid", "followup-abc-interview")
    event.add("x-followup-data", icalendar.vText(json.dumps(doc, sort_keys=True, separators=(",", ":"))))
    cal = icalendar.Calendar()
    cal.add_component(event)
    text = cal.to_ical().decode()
    assert 'X-FOLLOWUP-DATA:{"company":"Acme \\\\"Robots\\\\""\\,"role"' in text  # what fix() unescapes
    assert data_of(text) == doc
    assert data_of(fix(text)) is None  # what python-caldav did to it: the reason for base64url


def test_a_rebuild_after_a_python_caldav_client_edited_the_interview(
        run: Run, run_json, vdir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The issue's case: a client on python-caldav edits the interview event (it saves what
    fix() made of it, plus its own change); a second machine still rebuilds the interview."""
    assert run(*ADD).exit_code == 0
    before = run_json("show", "1")["interview"]
    path = interview_file(vdir)
    edited = fix(path.read_bytes().decode("utf-8")).replace(
        "END:VEVENT", "X-CALDAV-CLIENT-NOTE:bring the portfolio\r\nEND:VEVENT")
    path.write_text(edited, encoding="utf-8")

    second = tmp_path / "second"
    second.mkdir()
    (second / "config.toml").write_text(f'timezone = "{USER_TZ}"\n')
    monkeypatch.setenv("FOLLOWUP_HOME", str(second))
    assert run("remote", "add", "cal", "--vdir", str(vdir)).exit_code == 0
    result = run("sync", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)[0]["pulled"] == 1
    after = run_json("show", "1")["interview"]
    assert (after["company"], after["role"]) == (COMPANY, ROLE)
    assert after == before
