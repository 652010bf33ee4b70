"""samples/: the files import, and samples/followup.ics is exactly what they produce."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import NOW, Run

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def test_sample_calendar_is_in_sync(run: Run, home: Path) -> None:
    result = run("import", str(SAMPLES / "interviews.toml"))
    assert result.exit_code == 0, result.stderr
    produced = (home / "followup.ics").read_bytes()
    expected = SAMPLES / "followup.ics"
    if os.environ.get("FOLLOWUP_UPDATE_SAMPLES"):
        expected.write_bytes(produced)
    assert produced == expected.read_bytes(), (
        "samples/followup.ics is stale: run FOLLOWUP_UPDATE_SAMPLES=1 pytest tests/test_samples.py")


def test_import_output(run: Run, home: Path) -> None:
    result = run("import", str(SAMPLES / "interviews.toml"))
    assert result.stdout.splitlines() == [
        f"Imported 2 interviews from {SAMPLES / 'interviews.toml'}.",
        "  1  Thu 03 Dec 2026 14:00 Europe/London  Senior Data Engineer at Northwind Analytics",
        "  2  Mon 07 Dec 2026 09:30 America/New_York  Platform Engineer at Contoso Robotics, Inc.",
        f"Calendar file: {home / 'followup.ics'}",
    ]


def test_csv_sample_imports_a_panel(run: Run, run_json) -> None:
    assert run("import", str(SAMPLES / "interviews.csv")).exit_code == 0
    doc = run_json("show", "1")
    assert doc["interview"]["interviewers"] == [
        {"name": "Lena Vogel", "email": "lena.vogel@fabrikam.example", "tz": None, "phone": None, "title": None},
        {"name": "Jonas Berg", "email": "jonas.berg@fabrikam.example", "tz": None, "phone": None, "title": None},
    ]
    assert doc["interview"]["location"] == "Fabrikam HQ, Berlin"
    assert [i["summary"] for i in doc["items"] if i["step"] == "formal-note"] == [
        "Send a formal note to Lena Vogel (Fabrikam)", "Send a formal note to Jonas Berg (Fabrikam)"]


def test_toml_sample_contact_time_zone_and_handwritten_note(run: Run, run_json) -> None:
    run("import", str(SAMPLES / "interviews.toml"))
    doc = run_json("show", "2")
    assert doc["interview"]["interviewers"][0]["tz"] == "America/Los_Angeles"
    note = next(i for i in doc["items"] if i["step"] == "formal-note")
    # Rule 5: a working day after the thank-you (due Tue 8 Dec at the end of the London
    # user's hours), at 10:00 in the user's zone (was Tue 8 Dec, 10:00 New York).
    assert (note["summary"], note["due"]) == (
        "Write a handwritten note to Dana Whitfield (Contoso Robotics, Inc.)", "2026-12-09T10:00:00+00:00")


def test_import_is_all_or_nothing(run: Run, home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[interview]]\ncompany = "A"\nrole = "B"\nat = "2026-12-01 10:00"\n\n'
        '[[interview]]\ncompany = "C"\nrole = "D"\nat = "2026-12-02 10:00"\ntz = "Nowhere/City"\n'
    )
    result = run("import", str(bad))
    assert (result.exit_code, result.stderr) == (
        2, f"Error: {bad}, interview 2 (tz): unknown time zone 'Nowhere/City'; use an IANA name such as"
           " Europe/London or America/New_York\n")
    assert not (home / "followup.ics").exists()
    assert run("list", "--all").stdout == "No tasks yet; add an interview with `followup add`.\n"


def test_import_refuses_an_interview_already_stored(run: Run, home: Path) -> None:
    run("import", str(SAMPLES / "interviews.toml"))
    before = (home / "followup.ics").read_bytes()
    result = run("import", str(SAMPLES / "interviews.toml"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {SAMPLES / 'interviews.toml'}, interview 1: this interview is stored"
                                    " already as interview 1 ('Northwind Analytics'")
    assert (home / "followup.ics").read_bytes() == before


def test_malformed_toml_is_named(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "broken.toml"
    bad.write_text("[[interview]\ncompany = 'x'\n")
    result = run("import", str(bad))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {bad} is not valid TOML: ")
    assert result.stderr.count("\n") == 1


def test_real_subprocess(home: Path) -> None:
    env = {**os.environ, "FOLLOWUP_HOME": str(home), "FOLLOWUP_NOW": NOW}
    added = subprocess.run(
        [sys.executable, "-m", "followup", "add", "--company", "Acme", "--role", "Dev",
         "--at", "2026-12-04 14:00", "--tz", "Europe/London", "--json"],
        capture_output=True, text=True, env=env, check=False)
    assert added.returncode == 0, added.stderr
    assert '"company": "Acme"' in added.stdout
    bad = subprocess.run([sys.executable, "-m", "followup", "show", "9"],
                         capture_output=True, text=True, env=env, check=False)
    assert (bad.returncode, bad.stdout, bad.stderr) == (
        2, "", "Error: no interview 9; `followup interviews --all` shows them\n")
    assert "Traceback" not in bad.stderr


def test_import_takes_a_country_for_holidays(run: Run, run_json, tmp_path: Path) -> None:
    source = tmp_path / "uk.toml"
    source.write_text('[[interview]]\ncompany = "A"\nrole = "B"\nat = "2026-12-15 10:00"\n'
                      'tz = "Europe/London"\ndeadline = "2026-12-22"\ncountry = "GB"\n')
    assert run("import", str(source)).exit_code == 0
    doc = run_json("show", "1")
    assert doc["interview"]["country"] == "GB"
    call = next(i for i in doc["items"] if i["step"] == "call")
    assert call["start"] == "2026-12-29T09:00:00+00:00"  # not Christmas, not Boxing Day
