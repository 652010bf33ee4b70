"""Sync with a vdir folder (todoman as the other client), and the remote definitions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import Run, by_step
from test_sync_caldav import ADD, KEYS, counts, sync

CONFIG = """\
# my settings
timezone = "Europe/London"  # where I live

[feed]
base_url = "https://cal.example.org"
"""


def todo(config: Path, *args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "todoman", "--config", str(config), *args],
                          capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8"))
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture
def vdir(run: Run, tmp_path: Path) -> Path:
    folder = tmp_path / "lists" / "jobs"
    result = run("remote", "add", "tasks", "--vdir", str(folder), "--create")
    assert (result.exit_code, result.stdout) == (0, f"Added remote 'tasks': vdir {folder}\n")
    return folder


def test_vdir_holds_the_full_profile_one_file_per_component(run: Run, run_json, vdir) -> None:
    run(*ADD)  # pushed at once
    prefix = by_step(run_json("show", "1")["items"])["notes"]["uid"].removesuffix("notes")
    assert sorted(p.name for p in vdir.iterdir()) == sorted(f"{prefix}{k}.ics" for k in KEYS)
    assert counts(sync(run)) == (0, 0, 0, 0, 0)


def test_todoman_completing_a_task_is_pulled(run: Run, run_json, vdir, tmp_path: Path) -> None:
    run(*ADD)
    config = tmp_path / "todoman.py"
    config.write_text(f"path = {str(vdir.parent / '*')!r}\n"
                      f"cache_path = {str(tmp_path / 'cache.sqlite3')!r}\n"
                      'date_format = "%Y-%m-%d"\ntime_format = "%H:%M"\n')
    tasks = json.loads(todo(config, "--porcelain", "list"))
    [ours] = [t for t in tasks if t["summary"] == "Write interview notes (Acme)"]
    todo(config, "done", str(ours["id"]))
    # todoman stamps its own clock; a completion "in the future" counts as now
    assert counts(sync(run)) == (0, 1, 0, 1, 0)
    notes = by_step(run_json("show", "1")["items"])["notes"]
    assert (notes["status"], notes["completed"]) == ("completed", "2026-11-28T12:00:00+00:00")
    [again] = [t for t in json.loads(todo(config, "--porcelain", "list", "--status", "ANY"))
               if t["summary"] == "Write interview notes (Acme)"]
    assert again["completed"] is True
    assert counts(sync(run)) == (0, 0, 0, 0, 0)


def test_a_file_deleted_by_hand_is_dismissed(run: Run, run_json, vdir) -> None:
    run(*ADD)
    notes = by_step(run_json("show", "1")["items"])["notes"]["uid"]
    (vdir / f"{notes}.ics").unlink()
    assert counts(sync(run)) == (0, 1, 0, 1, 0)  # the interview event records the dismissal
    assert by_step(run_json("show", "1")["items"])["notes"]["status"] == "cancelled"
    assert not (vdir / f"{notes}.ics").exists()


def test_offline_and_auto_push_off_leave_the_push_to_sync(run: Run, run_json, vdir, home,
                                                          monkeypatch) -> None:
    monkeypatch.setenv("FOLLOWUP_OFFLINE", "1")
    run(*ADD)
    assert list(vdir.iterdir()) == []
    monkeypatch.delenv("FOLLOWUP_OFFLINE")
    config = home / "config.toml"
    config.write_text(config.read_text().replace('vdir = "', 'auto_push = false\nvdir = "'))
    run("done", by_step(run_json("show", "1")["items"])["notes"]["uid"])
    assert list(vdir.iterdir()) == []
    assert counts(sync(run)) == (14, 0, 0, 0, 0)


# -- remote add / list / remove -------------------------------------------------------------


def test_remote_add_list_remove_keep_the_rest_of_the_config(run: Run, home: Path,
                                                           tmp_path: Path) -> None:
    config = home / "config.toml"
    config.write_text(CONFIG)
    assert run("remote", "add", "box", "--vdir", str(tmp_path / "box"), "--create").exit_code == 0
    assert run("remote", "add", "todo", "--vdir", str(tmp_path / "t"), "--no-auto-push",
               "--create"
               ).exit_code == 0
    assert config.read_text() == CONFIG + (
        f'\n[remote.box]\nvdir = "{tmp_path / "box"}"\n'
        f'\n[remote.todo]\nvdir = "{tmp_path / "t"}"\nauto_push = false\n')
    listed = run("remote", "list", "--json")
    assert json.loads(listed.stdout) == [
        {"name": "box", "kind": "vdir", "url": None, "vdir": str(tmp_path / "box"),
         "username": None, "calendar": None, "tasks_calendar": None, "password": "-",
         "auto_push": True},
        {"name": "todo", "kind": "vdir", "url": None, "vdir": str(tmp_path / "t"),
         "username": None, "calendar": None, "tasks_calendar": None, "password": "-",
         "auto_push": False},
    ]
    assert run("remote", "list").stdout == (
        f"box   vdir  {tmp_path / 'box'}\n"
        f"todo  vdir  {tmp_path / 't'}    sync only\n")
    again = run("remote", "add", "box", "--vdir", str(tmp_path / "x"))
    assert (again.exit_code, again.stderr) == (
        2, "Error: remote 'box' exists; `followup remote remove box` first\n")
    assert run("remote", "remove", "box").stdout == "Removed remote 'box'.\n"
    assert config.read_text() == CONFIG + f'\n[remote.todo]\nvdir = "{tmp_path / "t"}"\n' \
        "auto_push = false\n"
    assert run("remote", "remove", "todo").exit_code == 0
    assert config.read_text() == CONFIG


@pytest.mark.parametrize("args, message", [
    (("x",), "give either a URL (CalDAV) or --vdir PATH"),
    (("bad name", "--vdir", "v"), "remote name 'bad name': use letters, digits, '-' and '_' "
                                  "(at most 40)"),
    (("x", "ftp://h/"), "'ftp://h/' is not an http(s) URL"),
    (("x", "https://h/", "--password-env", "A", "--password-command", "b"),
     "give --password-env or --password-command, not both"),
    (("x", "--vdir", "v", "--username", "me"), "--vdir takes no login or calendar options"),
])
def test_remote_add_usage_errors(run: Run, args, message) -> None:
    result = run("remote", "add", *args)
    assert (result.exit_code, result.stderr) == (2, f"Error: {message}\n")


def test_a_password_in_the_config_is_refused(run: Run, home: Path) -> None:
    (home / "config.toml").write_text('[remote.w]\nurl = "https://h/"\npassword = "hunter22"\n')
    result = run("sync")
    assert result.exit_code == 2
    assert "a password must not be written in the config" in result.stderr
    assert "hunter22" not in result.stderr


# -- passwords ------------------------------------------------------------------------------


def test_password_sources(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from followup.config import Remote
    from followup.credentials import password
    from followup.errors import FollowupError

    monkeypatch.setenv("DAV_PW", "from-env")
    assert password(Remote("w", url="https://h/", password_env="DAV_PW")) == "from-env"
    monkeypatch.delenv("DAV_PW")
    with pytest.raises(FollowupError) as exc:
        password(Remote("w", url="https://h/", password_env="DAV_PW"))
    assert str(exc.value) == ("remote 'w': the environment variable DAV_PW (its password_env) "
                              "is not set")
    script = tmp_path / "pw.py"
    script.write_text("import sys\nprint(' s3cret with spaces ')\n")
    command = f"{sys.executable} {script}"
    assert password(Remote("w", url="https://h/", password_command=command)) == \
        "s3cret with spaces"
    script.write_text("import sys\nprint('secret-on-stdout')\n"
                      "sys.exit('gpg: decryption failed')\n")
    with pytest.raises(FollowupError) as exc:
        password(Remote("w", url="https://h/", password_command=command))
    assert str(exc.value) == (f"remote 'w': the password command {sys.executable!r} failed "
                              "(exit 1): gpg: decryption failed")
    with pytest.raises(FollowupError) as exc:
        password(Remote("w", url="https://h/", password_command="no-such-command-here x"))
    assert str(exc.value) == "remote 'w': the password command 'no-such-command-here' was not found"


def test_saved_config_parses_back(home: Path) -> None:
    from followup.config import Remote, parse_remotes
    from followup.config_edit import save_remote

    remote = Remote("w", url="https://h/dav/", username='a "quoted" user\\',
                    calendar="https://h/dav/cal/", tasks_calendar="Tasks; mine",
                    password_command="pass show 'dav'", verify=False, timeout=5.5)
    save_remote(home / "config.toml", remote)
    raw = tomllib.loads((home / "config.toml").read_text())
    assert parse_remotes(raw) == {"w": remote}
    assert raw["timezone"] == "Europe/London"


def _has_offline_option() -> bool:
    from followup.cli import cli

    return any(p.name == "offline" for p in cli.params)


@pytest.mark.skipif(not _has_offline_option(), reason="the global --offline option is not in cli.py")
def test_global_offline_option_leaves_the_push_to_sync(run: Run, vdir) -> None:
    assert run("--offline", *ADD).exit_code == 0
    assert list(vdir.iterdir()) == []
    assert counts(sync(run)) == (14, 0, 0, 0, 0)


def test_the_engine_reports_push_progress(run: Run, home: Path, tmp_path: Path) -> None:
    from followup.app.remotes import sync_remote
    from followup.cli.context import App
    from followup.cli.operations import service_of

    run("--offline", "add", "--company", "Acme", "--role", "Dev", "--at", "2026-12-04 14:00")
    run("remote", "add", "folder", "--vdir", str(tmp_path / "v"), "--no-auto-push", "--create")
    app = App()
    seen: list[tuple[int, int]] = []
    report = sync_remote(service_of(app), app.config.remotes["folder"], progress=lambda d, t: seen.append((d, t)))
    assert report.created == 14
    assert seen == [(n, 14) for n in range(15)]


def test_a_password_in_the_url_is_refused_and_never_repeated(run: Run, home: Path) -> None:
    result = run("remote", "add", "work", "https://me:s3cret-pw@dav.example.org/")
    assert result.exit_code == 2
    assert result.stderr == ("Error: the URL holds a password; give the URL without it, the login"
                             " with --username and the password with --password-env or"
                             " --password-command\n")
    assert "s3cret-pw" not in result.stdout + result.stderr
    assert "s3cret-pw" not in (home / "config.toml").read_text()
