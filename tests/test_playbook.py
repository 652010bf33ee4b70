"""A user's playbook.toml changes the default timings; it cannot add a fourth chase."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Run, by_step

ADD = ("add", "--company", "Acme", "--role", "Dev", "--at", "2026-12-03 14:00",
       "--tz", "Europe/London", "--deadline", "2026-12-10")


def test_changed_timings_are_planned(run: Run, run_json, home: Path) -> None:
    (home / "playbook.toml").write_text(
        '[thank-you-email]\nafter = "24h"\nalarm_after = "1h"\n'
        '[call]\nat = "10:00"\nbusiness_days = 3\n'
        '[second-call]\ndays = 21\n'
        '[status-email]\ntitle = "Ask {company} how it went"\n')
    assert run(*ADD).exit_code == 0
    got = by_step(run_json("show", "1")["items"])
    assert got["thank-you-email"]["due"] == "2026-12-04T15:00:00+00:00"
    assert got["status-email"]["summary"] == "Ask Acme how it went"
    assert got["call"]["start"] == "2026-12-16T10:00:00+00:00"
    assert got["call-script"]["due"] == "2026-12-15T17:00:00+00:00"
    assert got["second-call"]["start"] == "2027-01-06T09:00:00+00:00"


def test_a_call_time_outside_the_call_windows_takes_the_next_window(run: Run, run_json, home: Path) -> None:
    # Rule 4 wins over the table: 08:30 is before the contact's morning window (09:00-11:00).
    (home / "playbook.toml").write_text('[call]\nat = "08:30"\n[status-email]\nat = "06:00"\n')
    assert run(*ADD).exit_code == 0
    got = by_step(run_json("show", "1")["items"])
    assert got["call"]["start"] == "2026-12-15T09:00:00+00:00"
    # Rule 2: 06:00 is before the user's hours (08:00-20:00).
    assert got["status-email"]["due"] == "2026-12-11T08:00:00+00:00"
    assert "status-email: at 08:00: your hours are 08:00-20:00" in run("show", "1").stdout


@pytest.mark.parametrize(("text", "message"), [
    ('[fourth-call]\ndays = 3\n', "unknown step [fourth-call]; steps are: interview, ask-timeline,"),
    ('[call]\nafter = "2h"\n', "[call]: this step is set by days, not 'after'"),
    ('[thank-you-email]\nat = "10:00"\n', "[thank-you-email]: this step is set by elapsed time, not a time of day"),
    ('[call]\ncolour = "red"\n', "[call]: unknown key(s) colour; use"),
    ('[notes]\nafter = "soon"\n', "[notes]: 'soon' is not a duration such as \"24h\", \"2d\" or \"1h30m\""),
    ('[call-script]\nbusiness_days = 1\n', "[call-script]: this step comes before what it prepares"),
    ('[second-call]\ndays = 10\n', "[second-call]: days = 10 is too soon: it comes at least 14 days"
     " after [call] (PLAYBOOK.md, rule 5)"),
    ('[let-go]\ndays = 3\n', "[let-go]: days = 3 is too soon: it comes at least 7 days after"
     " [second-call] (PLAYBOOK.md, rule 5)"),
    ('[call]\nbusiness_days = 0\n', "[call]: business_days = 0 is too soon: it comes at least 1"
     " working day(s) after [status-email] (PLAYBOOK.md, rule 5)"),
])
def test_bad_playbook_is_a_clear_error(run: Run, home: Path, text: str, message: str) -> None:
    path = home / "playbook.toml"
    path.write_text(text)
    result = run(*ADD)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {path}: {message}")
    assert result.stderr.count("\n") == 1
    assert not (home / "followup.ics").exists()
