"""Mistakes corrected on remotes (issue 11): `followup rm` deletes the interview's objects
there with If-Match, the other interview's stay, and a sync never brings a removed
interview back (real Radicale and Xandikos servers, a vdir folder that todoman edits);
an outcome taken back, and a round link, reach a second machine."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest

from conftest import Run, by_step
from davservers import (  # noqa: F401  (fixtures)
    dav_calendar,
    dav_server,
    radicale_server,
    xandikos_server,
)
from test_sync_caldav import (  # noqa: F401  (the `remote` fixture)
    ADD,
    ADD_2,
    complete,
    counts,
    edit,
    path_of,
    remote,
    server,
    sync,
)
from test_sync_vdir import todo

LATER = "2026-12-05T12:00:00+00:00"
LATER_2 = "2026-12-16T12:00:00+00:00"  # after the second round
UTC = dt.timezone.utc


@pytest.fixture
def requests(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, dict[str, str]]]:
    """Every HTTP request python-caldav sends: (method, path, headers)."""
    from caldav import davclient

    log: list[tuple[str, str, dict[str, str]]] = []
    real = davclient.DAVClient._sync_request

    def counted(self, url, method="GET", body="", headers=None):
        log.append((method, path_of(str(url)), dict(headers or {})))
        return real(self, url, method, body, headers)

    monkeypatch.setattr(davclient.DAVClient, "_sync_request", counted)
    return log


def uids(run_json, interview: str) -> set[str]:
    return {item["uid"] for item in run_json("show", interview)["items"]}


def test_rm_deletes_the_objects_on_a_caldav_server_with_if_match(
        run: Run, run_json, remote, requests: list[tuple[str, str, dict[str, Any]]]) -> None:
    assert run(*ADD).exit_code == 0  # pushed at once
    assert run(*ADD_2).exit_code == 0
    acme = uids(run_json, "1")
    on_objects = [c["UID"] for c in server(remote).values()]
    assert acme <= {str(u).removesuffix("-event") for u in on_objects} and len(on_objects) == 28
    # Another client completed one of Acme's tasks: its ETag moved since our push.
    notes = by_step(run_json("show", "1")["items"])["notes"]["uid"]
    edit(remote, path_of(remote.url) + notes + ".ics",
         complete(dt.datetime(2026, 12, 4, 17, 0, tzinfo=UTC)))
    requests.clear()
    result = run("rm", "1", "--yes")
    assert (result.exit_code, result.stderr) == (0, "")
    deletes = [(path, headers) for method, path, headers in requests if method == "DELETE"]
    assert {path.rsplit("/", 1)[-1] for path, _ in deletes} == {
        f"{uid}{suffix}.ics" for uid in acme for suffix in ("", "-event")
        if f"{uid}{suffix}" in {str(c) for c in on_objects}}
    assert all(headers.get("If-Match") for _, headers in deletes)
    # The edited one was refused (412) with the ETag we knew, then deleted with the new one.
    tried = [headers["If-Match"] for path, headers in deletes if path.endswith(f"/{notes}.ics")]
    assert len(set(tried)) == 2
    left = {str(c["UID"]).removesuffix("-event") for c in server(remote).values()}
    assert left == uids(run_json, "2")
    assert counts(sync(run)) == (0, 0, 0, 0, 0)
    assert [d["id"] for d in run_json("interviews", "--all")] == [2]


def test_an_interview_removed_offline_is_never_rebuilt_by_a_sync(run: Run, run_json, remote) -> None:
    assert run(*ADD).exit_code == 0
    notes = by_step(run_json("show", "1")["items"])["notes"]["uid"]
    head = by_step(run_json("show", "1")["items"])["interview"]["uid"]
    assert run("--offline", "rm", "1", "--yes").exit_code == 0
    # Meanwhile another client touches the interview event and a task: both come back on
    # the next pull, with all the data a rebuild would need.
    edit(remote, path_of(remote.url) + notes + ".ics",
         complete(dt.datetime(2026, 12, 4, 17, 0, tzinfo=UTC)))
    edit(remote, path_of(remote.url) + head + ".ics",
         lambda comp: comp.add("x-moz-lastack", dt.datetime(2026, 12, 4, 9, 0, tzinfo=UTC)))
    doc = sync(run, now=LATER)
    assert doc["deleted"] == 14 and doc["errors"] == []
    assert server(remote) == {}
    assert run_json("interviews", "--all") == []


@pytest.fixture
def folder(run: Run, tmp_path: Path) -> Path:
    path = tmp_path / "lists" / "jobs"
    assert run("remote", "add", "tasks", "--vdir", str(path), "--create").exit_code == 0
    return path


def todoman_config(tmp_path: Path, folder: Path) -> Path:
    config = tmp_path / "todoman.py"
    config.write_text(f"path = {str(folder.parent / '*')!r}\n"
                      f"cache_path = {str(tmp_path / 'cache.sqlite3')!r}\n"
                      'date_format = "%Y-%m-%d"\ntime_format = "%H:%M"\n')
    return config


def test_rm_deletes_the_files_of_a_vdir_even_one_todoman_changed(
        run: Run, run_json, folder: Path, tmp_path: Path) -> None:
    assert run(*ADD).exit_code == 0
    assert run(*ADD_2).exit_code == 0
    assert len(list(folder.iterdir())) == 28
    config = todoman_config(tmp_path, folder)
    [notes] = [t for t in json.loads(todo(config, "--porcelain", "list"))
               if t["summary"] == "Write interview notes (Acme)"]
    todo(config, "done", str(notes["id"]))  # changes the file behind our back
    assert run("rm", "1", "--yes").exit_code == 0
    left = {p.name.removesuffix(".ics").removesuffix("-event") for p in folder.iterdir()}
    assert left == uids(run_json, "2")
    assert counts(sync(run)) == (0, 0, 0, 0, 0)
    assert [t["summary"] for t in json.loads(todo(config, "--porcelain", "list"))
            if "Acme" in t["summary"]] == []


def test_rm_of_a_later_round_reopens_the_chase_it_closed(run: Run, run_json, folder: Path) -> None:
    assert run(*ADD).exit_code == 0
    assert run("add", "--round-of", "1", "--at", "2026-12-15 10:00").exit_code == 0
    assert run("outcome", "2", "offer", now="2026-12-16T09:00:00+00:00").exit_code == 0
    chase = by_step(run_json("show", "1")["items"])
    assert (chase["status-email"]["status"], chase["call"]["status"]) == ("cancelled", "cancelled")
    assert run("rm", "2", "--yes", now="2026-12-16T09:00:00+00:00").exit_code == 0
    chase = by_step(run_json("show", "1")["items"])
    assert (chase["status-email"]["status"], chase["call"]["status"]) == (
        "needs-action", "needs-action")
    left = {p.name.removesuffix(".ics").removesuffix("-event") for p in folder.iterdir()}
    assert left == uids(run_json, "1")


def test_a_second_machine_follows_an_outcome_taken_back_and_keeps_the_round_link(
        run: Run, run_json, folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = Path(os.environ["FOLLOWUP_HOME"])
    assert run(*ADD).exit_code == 0
    assert run("add", "--round-of", "1", "--at", "2026-12-15 10:00", "--held", "phone",
               "--decision-contact", "Sam Lee <sam@acme.example> +44 20 7946 0001").exit_code == 0
    assert run("outcome", "2", "rejected", now=LATER_2).exit_code == 0
    second = tmp_path / "second"
    second.mkdir()
    (second / "config.toml").write_text('timezone = "Europe/London"\n')
    monkeypatch.setenv("FOLLOWUP_HOME", str(second))
    assert run("remote", "add", "tasks", "--vdir", str(folder)).exit_code == 0
    assert sync(run, now=LATER_2)["errors"] == []
    rebuilt = run_json("show", "2", now=LATER_2)["interview"]
    assert (rebuilt["round"], rebuilt["round_of"], rebuilt["held"], rebuilt["outcome"]) == (
        2, 1, "phone", "rejected")
    assert rebuilt["decision_contact"]["phone"] == "+44 20 7946 0001"
    assert by_step(run_json("show", "1", now=LATER_2)["items"])["call"]["status"] == "cancelled"

    monkeypatch.setenv("FOLLOWUP_HOME", str(first))
    assert run("outcome", "2", "--clear", now=LATER_2).exit_code == 0  # pushed at once
    monkeypatch.setenv("FOLLOWUP_HOME", str(second))
    assert sync(run, now=LATER_2)["errors"] == []
    assert run_json("show", "2", now=LATER_2)["interview"]["outcomes"] == []
    steps = by_step(run_json("show", "2", now=LATER_2)["items"])
    assert "gracious-reply" not in steps and steps["call"]["status"] == "needs-action"
    assert by_step(run_json("show", "1", now=LATER_2)["items"])["call"]["status"] == "needs-action"
