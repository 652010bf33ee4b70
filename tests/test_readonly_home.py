"""A read-only FOLLOWUP_HOME still answers `list`, `show` and `export` (issue 12, item 14).

A WAL database needs its -shm file even to be read, and a read-only folder cannot hold a
new one; every command failed. Root ignores file modes, so as root the folder and its
files are made immutable (chattr +i) instead of read-only.
"""

from __future__ import annotations

import gc
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import Run

ADD = ("add", "--company", "Acme", "--role", "Dev", "--at", "2026-12-04 14:00",
       "--interviewer", "Jane Doe <jane@acme.example>")
READING = (("list", "--all"), ("list", "--json"), ("show", "1"), ("show", "1", "--json"),
           ("export",), ("export", "--profile", "events"), ("draft", "5"), ("report",))


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    paths = [folder, *folder.iterdir()]
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in paths}
        for p in paths:
            p.chmod(modes[p] & ~0o222)
        try:
            yield
        finally:
            for p in paths:
                p.chmod(modes[p])
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", *map(str, paths)], capture_output=True).returncode:
        pytest.skip("as root, a read-only folder needs chattr +i (e2fsprogs, on ext4/xfs/btrfs)")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", *map(str, paths)], check=True)


def test_reading_commands_work_in_a_read_only_home(run: Run, home: Path) -> None:
    assert run(*ADD).exit_code == 0
    assert run("done", "2").exit_code == 0
    before = {args: run(*args) for args in READING}
    assert all(r.exit_code == 0 for r in before.values())
    # The commands ran in this process: their connections close (and SQLite removes the
    # -wal and -shm files) when the garbage collector gets to them, as a real run's do at
    # exit. Left to chance, the folder was made read-only with them still open.
    gc.collect()
    files = sorted(p.name for p in home.iterdir())
    with read_only(home):
        for args, expected in before.items():
            result = run(*args)
            assert (result.exit_code, result.stdout, result.stderr) == (0, expected.stdout, expected.stderr), args
        for args in (("done", "3"), ("edit", "1", "--role", "Developer"), ("add", *ADD[1:-2], "--role", "X")):
            result = run(*args)
            assert (result.exit_code, result.stderr) == (
                1, f"Error: cannot change anything: the database {home / 'followup.db'} is read-only here"
                   " (`list`, `show` and `export` still work)\n"), args
        assert sorted(p.name for p in home.iterdir()) == files


def test_a_database_that_cannot_be_read_still_says_so(run: Run, home: Path) -> None:
    (home / "followup.db").write_bytes(b"not a database" * 100)
    with read_only(home):
        result = run("list")
    assert (result.exit_code, result.stderr) == (
        1, f"Error: cannot read the database {home / 'followup.db'}: file is not a database\n")


def test_without_wal_files_in_a_fresh_process(home: Path) -> None:
    """The case of the issue: nothing holds the database open, so its -wal and -shm files are
    gone, and SQLite cannot make the -shm it needs in the read-only folder."""
    def followup(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "followup", *args], capture_output=True, text=True,
                              env={**os.environ, "FOLLOWUP_OFFLINE": "1"}, timeout=120)

    assert followup(*ADD).returncode == 0
    assert sorted(p.name for p in home.iterdir()) == ["config.toml", "followup.db", "followup.ics"]
    before = {args: followup(*args) for args in READING[:5]}
    with read_only(home):
        for args, expected in before.items():
            result = followup(*args)
            assert (result.returncode, result.stdout, result.stderr) == (0, expected.stdout, ""), args
        result = followup("done", "2")
        assert (result.returncode, result.stderr) == (
            1, f"Error: cannot change anything: the database {home / 'followup.db'} is read-only here"
               " (`list`, `show` and `export` still work)\n")
        assert sorted(p.name for p in home.iterdir()) == ["config.toml", "followup.db", "followup.ics"]


def test_export_in_a_read_only_home_with_the_wal_files_left_behind(run: Run, home: Path) -> None:
    """A killed run leaves SQLite's -wal and -shm files: the store then opens as if it could
    write, and `export`'s refresh (rule 6) found out only when it began to change. It
    exports what is stored instead of failing with "cannot change anything"."""
    assert run(*ADD).exit_code == 0
    expected = run("export")
    later = "2026-12-09T12:00:00+00:00"  # a new day with overdue steps: a refresh would re-plan
    left = sqlite3.connect(home / "followup.db")  # holds -wal and -shm as a killed run does
    try:
        left.execute("SELECT count(*) FROM items").fetchall()
        assert (home / "followup.db-wal").exists() and (home / "followup.db-shm").exists()
        with read_only(home):
            result = run("export", now=later)
    finally:
        left.close()
    assert (result.exit_code, result.stdout, result.stderr) == (0, expected.stdout, "")
