"""files.py: atomic writes that keep the mode and the kind of what they replace (issue 12,
items 11 and 12; CALENDAR_RULES.md rule 26), on real files, FIFOs and devices."""

from __future__ import annotations

import os
import stat
import threading
import time
from pathlib import Path

import pytest

from conftest import Run
from followup.files import STALE_AFTER_S, sweep, write_atomic

ADD = ("add", "--company", "Acme", "--role", "Dev", "--at", "2026-12-01 10:00")


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_file_is_0666_less_the_umask_and_an_existing_one_keeps_its_mode(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "new.ics", b"one")
        assert mode(tmp_path / "new.ics") == 0o644
        (tmp_path / "kept.ics").write_bytes(b"old")
        os.chmod(tmp_path / "kept.ics", 0o640)
        write_atomic(tmp_path / "kept.ics", [b"t", b"wo"])
        assert (mode(tmp_path / "kept.ics"), (tmp_path / "kept.ics").read_bytes()) == (0o640, b"two")
    finally:
        os.umask(old)


def test_private_files_are_0600_even_when_they_were_wider(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("x")
    os.chmod(path, 0o644)
    write_atomic(path, b"y", private=True)
    assert mode(path) == 0o600


def test_a_fifo_is_written_into_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_atomic(fifo, [b"BEGIN:", b"VCALENDAR\r\n"])
    reader.join(timeout=10)
    assert got == [b"BEGIN:VCALENDAR\r\n"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_dev_null_stays_a_device(run: Run) -> None:
    run(*ADD)
    before = os.stat("/dev/null")
    result = run("export", "-o", "/dev/null")
    assert result.exit_code == 0, result.stderr
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_a_symlink_is_followed_and_survives(tmp_path: Path) -> None:
    real = tmp_path / "real.ics"
    real.write_bytes(b"old")
    link = tmp_path / "link.ics"
    link.symlink_to(real)
    write_atomic(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"


def test_export_and_publish_keep_the_mode_of_the_file_they_replace(run: Run, tmp_path: Path) -> None:
    run(*ADD)
    for command in (("export", "-o"), ("publish",)):
        target = tmp_path / f"{command[0]}.ics"
        target.write_text("")
        os.chmod(target, 0o604)
        assert run(*command, str(target)).exit_code == 0
        assert mode(target) == 0o604
        assert target.read_bytes().startswith(b"BEGIN:VCALENDAR")


def test_the_database_and_the_config_are_0600(run: Run, home: Path) -> None:
    os.chmod(home / "config.toml", 0o644)
    run(*ADD)
    assert mode(home / "followup.db") == 0o600
    assert run("remote", "add", "folder", "--vdir", str(home / "vdir"), "--create").exit_code == 0
    assert mode(home / "config.toml") == 0o600
    assert mode(home / "followup.ics") == 0o644


def test_a_changed_calendar_file_keeps_its_mode(run: Run, home: Path) -> None:
    run(*ADD)
    os.chmod(home / "followup.ics", 0o640)
    assert run("done", "2").exit_code == 0
    assert mode(home / "followup.ics") == 0o640


def test_stale_temp_files_of_ours_go_and_nothing_else_does(tmp_path: Path) -> None:
    target = tmp_path / "followup.ics"
    old = time.time() - STALE_AFTER_S - 60
    ours = tmp_path / ".followup.ics.0123456789ab.followup-tmp"
    legacy = tmp_path / ".followup.ics.k3j_9xq2"  # tempfile.mkstemp's, from before
    fresh = tmp_path / ".followup.ics.ba9876543210.followup-tmp"  # a live run's
    foreign = tmp_path / ".followup.ics.backup01"  # looks legacy, is not our calendar
    other = tmp_path / ".other.ics.0123456789ab.followup-tmp"  # another file's
    for path in (ours, legacy, fresh, foreign, other):
        path.write_bytes(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//followup//followup//EN\r\n")
    foreign.write_bytes(b"my own backup")
    for path in (ours, legacy, foreign, other):
        os.utime(path, (old, old))
    assert sorted(sweep(target)) == sorted([ours, legacy])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [fresh.name, foreign.name, other.name])


def test_a_rewrite_removes_what_a_killed_run_left(run: Run, home: Path) -> None:
    run(*ADD)
    left = home / ".followup.ics.0123456789ab.followup-tmp"
    left.write_bytes(b"half a calendar")
    old = time.time() - STALE_AFTER_S - 1
    os.utime(left, (old, old))
    assert run("done", "2").exit_code == 0
    assert not left.exists()


def test_a_folder_in_the_way_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "x.ics").mkdir()
    with pytest.raises(IsADirectoryError):
        write_atomic(tmp_path / "x.ics", b"data")
