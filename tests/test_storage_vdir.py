"""VdirStorage: the vdir conventions, conditional writes, and a round trip with todoman."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followup.sync.storage import (
    Listing,
    NotFoundError,
    PreconditionFailed,
    Storage,
    StorageError,
)
from followup.sync.vdir import VdirStorage, href_for_uid

STAMP = datetime(2025, 3, 4, 9, 0, tzinfo=timezone.utc)


def vtodo(uid: str, summary: str = "Send thank-you note", sequence: int = 0) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//followup tests//EN")
    cal.add("version", "2.0")
    todo = icalendar.Todo()
    todo.add("uid", uid)
    todo.add("dtstamp", STAMP)
    todo.add("summary", summary)
    todo.add("status", "NEEDS-ACTION")
    todo.add("sequence", sequence)
    cal.add_component(todo)
    return cal.to_ical()


def etag_on_disk(path: Path) -> str:
    st_ = os.stat(path)
    return f"{st_.st_mtime_ns};{st_.st_ino}"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "tasks"
    d.mkdir()
    return d


@pytest.fixture
def vdir(folder: Path) -> VdirStorage:
    return VdirStorage("tasks", folder)


def test_is_a_storage(vdir):
    assert isinstance(vdir, Storage)
    assert vdir.name == "tasks"


def test_create_names_file_after_uid_and_lists_exact_href_and_etag(vdir, folder):
    data = vtodo("fu-1.step-2")
    href, etag = vdir.create("fu-1.step-2", data)
    assert href == "fu-1.step-2.ics"
    assert (folder / href).read_bytes() == data
    assert etag == etag_on_disk(folder / href)
    assert vdir.list() == [Listing("fu-1.step-2.ics", etag)]
    assert vdir.get([href]) == {href: (data, etag)}
    assert sorted(os.listdir(folder)) == ["fu-1.step-2.ics"]  # no temp file left


@pytest.mark.parametrize("uid", ["a/b", "with space", "ümlaut", ".hidden", "", "x" * 300, "a@b"])
def test_unsafe_uid_gets_random_file_name(vdir, folder, uid):
    href, etag = vdir.create(uid, b"data")
    assert href.endswith(".ics") and len(href) == 36 + 4
    assert vdir.list() == [Listing(href, etag)]
    assert (folder / href).read_bytes() == b"data"


def test_href_for_safe_uids():
    assert href_for_uid("A-z_0.9+x") == "A-z_0.9+x.ics"
    assert href_for_uid("-dash") == "-dash.ics"


def test_create_does_not_overwrite(vdir, folder):
    href, etag = vdir.create("u1", vtodo("u1", "first"))
    with pytest.raises(PreconditionFailed) as exc:
        vdir.create("u1", vtodo("u1", "second"))
    assert exc.value.href == "u1.ics"
    assert "vdir 'tasks'" in str(exc.value)
    assert (folder / "u1.ics").read_bytes() == vtodo("u1", "first")
    assert vdir.list() == [Listing(href, etag)]
    assert sorted(os.listdir(folder)) == ["u1.ics"]


def test_concurrent_creates_exactly_one_wins(vdir, folder):
    n = 12
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def worker(i: int) -> None:
        barrier.wait()
        try:
            results[i] = vdir.create("race", vtodo("race", f"writer {i}"))
        except PreconditionFailed as e:
            results[i] = e

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wins = [r for r in results if isinstance(r, tuple)]
    assert len(wins) == 1
    assert sum(isinstance(r, PreconditionFailed) for r in results) == n - 1
    winner = results.index(wins[0])
    assert (folder / "race.ics").read_bytes() == vtodo("race", f"writer {winner}")
    assert os.listdir(folder) == ["race.ics"]


def test_update_if_match(vdir, folder):
    href, etag = vdir.create("u1", vtodo("u1", "v1"))
    new_etag = vdir.update(href, vtodo("u1", "v2", 1), etag)
    assert new_etag != etag
    assert new_etag == etag_on_disk(folder / href)
    assert (folder / href).read_bytes() == vtodo("u1", "v2", 1)
    assert vdir.list() == [Listing(href, new_etag)]

    with pytest.raises(PreconditionFailed) as exc:
        vdir.update(href, vtodo("u1", "v3", 2), etag)  # stale
    assert exc.value.href == href
    assert (folder / href).read_bytes() == vtodo("u1", "v2", 1)
    assert vdir.list() == [Listing(href, new_etag)]
    assert sorted(os.listdir(folder)) == ["u1.ics"]


def test_update_missing_is_not_found(vdir):
    with pytest.raises(NotFoundError, match="vdir 'tasks'"):
        vdir.update("nope.ics", b"x", "1;1")


def test_rapid_updates_never_repeat_an_etag(vdir):
    href, etag = vdir.create("u1", b"0")
    seen = {etag}
    for i in range(1, 40):
        etag = vdir.update(href, str(i).encode(), etag)
        assert etag not in seen
        seen.add(etag)
    assert vdir.list() == [Listing(href, etag)]


def test_delete_if_match(vdir, folder):
    href, etag = vdir.create("u1", b"v1")
    new_etag = vdir.update(href, b"v2", etag)
    with pytest.raises(PreconditionFailed):
        vdir.delete(href, etag)  # stale
    assert (folder / href).read_bytes() == b"v2"
    vdir.delete(href, new_etag)
    assert vdir.list() == []
    with pytest.raises(NotFoundError):
        vdir.delete(href, new_etag)


def test_get_leaves_out_missing(vdir):
    h1, e1 = vdir.create("a", b"A")
    h2, e2 = vdir.create("b", b"B")
    assert vdir.get([h2, "gone.ics", h1]) == {h1: (b"A", e1), h2: (b"B", e2)}
    assert vdir.get([]) == {}


def test_list_ignores_hidden_temp_and_foreign_files(vdir, folder):
    (folder / ".u1.ics.abc.tmp").write_bytes(b"partial")
    (folder / ".hidden.ics").write_bytes(b"x")
    (folder / "displayname").write_text("Tasks")
    (folder / "color").write_text("#ff0000")
    (folder / "sub.ics").mkdir()
    href, etag = vdir.create("u1", b"x")
    assert vdir.list() == [Listing(href, etag)]


def test_bad_href_is_rejected(vdir):
    with pytest.raises(NotFoundError):
        vdir.get(["../escape.ics"])
    with pytest.raises(NotFoundError):
        vdir.delete(".hidden.ics", "1;1")


def test_changes(vdir, folder):
    token0, changed, deleted = vdir.changes(None)
    assert (changed, deleted) == ([], [])
    assert vdir.changes(token0) == (token0, [], [])

    h1, e1 = vdir.create("a", b"A")
    h2, e2 = vdir.create("b", b"B")
    token1, changed, deleted = vdir.changes(None)
    assert changed == [Listing(h1, e1), Listing(h2, e2)]
    assert deleted == []
    assert vdir.changes(token1) == (token1, [], [])
    assert vdir.changes("garbage") == (token1, [Listing(h1, e1), Listing(h2, e2)], [])

    # another program rewrites b (new inode, like every atomic writer)
    tmp = folder / "b.new"
    tmp.write_bytes(b"B2")
    os.replace(tmp, folder / "b.ics")
    e2b = etag_on_disk(folder / "b.ics")
    assert e2b != e2
    token2, changed, deleted = vdir.changes(token1)
    assert token2 != token1
    assert changed == [Listing(h1, e1), Listing(h2, e2b)]
    assert deleted == []

    os.remove(folder / "a.ics")
    token3, changed, deleted = vdir.changes(token2)
    assert token3 not in (token1, token2)
    assert changed == [Listing(h2, e2b)]
    assert vdir.changes(token3) == (token3, [], [])


def test_missing_folder(tmp_path):
    v = VdirStorage("gone", tmp_path / "nope")
    with pytest.raises(NotFoundError) as exc:
        v.list()
    assert str(exc.value) == f"vdir 'gone': folder {tmp_path / 'nope'} does not exist"
    assert exc.value.exit_code == 1
    with pytest.raises(NotFoundError):
        v.create("u", b"x")

    v = VdirStorage("made", tmp_path / "a" / "b", create=True)
    assert v.list() == []
    assert (tmp_path / "a" / "b").is_dir()


def test_file_instead_of_folder(tmp_path):
    (tmp_path / "f").write_text("")
    with pytest.raises(StorageError) as exc:
        VdirStorage("f", tmp_path / "f").list()
    assert str(exc.value) == f"vdir 'f': {tmp_path / 'f'} is not a folder"


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_unwritable_folder_is_a_storage_error(vdir, folder):
    folder.chmod(0o500)
    try:
        with pytest.raises(StorageError, match="vdir 'tasks': cannot write"):
            vdir.create("u", b"x")
    finally:
        folder.chmod(0o700)


@settings(max_examples=25, deadline=None)
@given(data=st.binary(max_size=3000))
def test_bytes_round_trip_unchanged(tmp_path_factory, data):
    v = VdirStorage("t", tmp_path_factory.mktemp("rt"))
    href, etag = v.create("x", data)
    assert v.get([href]) == {href: (data, etag)}
    etag2 = v.update(href, data + b"!", etag)
    assert v.get([href]) == {href: (data + b"!", etag2)}


# -- todoman ---------------------------------------------------------------


def todo_cli(config: Path, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "todoman", "--config", str(config), *args],
        capture_output=True, text=True, timeout=60,
        env=dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8"),
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_todoman_lists_our_task_and_its_done_shows_in_changes(tmp_path):
    lists = tmp_path / "lists"
    (lists / "jobs").mkdir(parents=True)
    config = tmp_path / "todoman.py"
    config.write_text(
        f"path = {str(lists / '*')!r}\n"
        f"cache_path = {str(tmp_path / 'cache.sqlite3')!r}\n"
        'date_format = "%Y-%m-%d"\n'
        'time_format = "%H:%M"\n'
    )
    vdir = VdirStorage("jobs", lists / "jobs")
    href, etag = vdir.create("fu-42.thanks", vtodo("fu-42.thanks", "Send thank-you note"))
    other_href, other_etag = vdir.create("fu-42.call", vtodo("fu-42.call", "Call back"))
    token, _, _ = vdir.changes(None)

    tasks = json.loads(todo_cli(config, "--porcelain", "list"))
    by_summary = {t["summary"]: t for t in tasks}
    assert set(by_summary) == {"Send thank-you note", "Call back"}
    ours = by_summary["Send thank-you note"]
    assert ours["list"] == "jobs"
    assert ours["completed"] is False
    # reading is not writing: todoman left our files alone
    assert vdir.changes(token) == (token, [], [])

    todo_cli(config, "done", str(ours["id"]))

    new_token, changed, deleted = vdir.changes(token)
    assert new_token != token
    assert deleted == []
    assert [c.href for c in changed] == sorted([href, other_href])
    now = dict((c.href, c.etag) for c in changed)
    assert now[other_href] == other_etag
    assert now[href] != etag

    data, got_etag = vdir.get([href])[href]
    assert got_etag == now[href]
    todo = icalendar.Calendar.from_ical(data).walk("VTODO")[0]
    assert todo["UID"] == "fu-42.thanks"
    assert str(todo["STATUS"]) == "COMPLETED"
    assert "COMPLETED" in todo

    # our stale etag can no longer overwrite the check-off
    with pytest.raises(PreconditionFailed):
        vdir.update(href, vtodo("fu-42.thanks", "Send thank-you note", 1), etag)


def test_temp_files_a_killed_batch_left_are_removed_when_stale(tmp_path: Path) -> None:
    """kill -9 during a batched push leaves up to BATCH_FILES temp files: the next listing
    removes ours that are an hour old, and leaves fresh ones (a live run's) and others'."""
    storage = VdirStorage("v", tmp_path, batch=True)
    href, _ = storage.create("a", vtodo("a"))
    storage.flush()
    old = tmp_path / f".{href}.0123456789ab.tmp"
    fresh = tmp_path / f".{href}.ba9876543210.tmp"
    other = tmp_path / ".someone-elses.tmp"
    for path in (old, fresh, other):
        path.write_bytes(b"BEGIN:VCALENDAR")
    hour_ago = os.stat(old).st_mtime - 3601
    os.utime(old, (hour_ago, hour_ago))
    os.utime(other, (hour_ago, hour_ago))
    assert [listing.href for listing in storage.list()] == [href]
    assert not old.exists()
    assert fresh.exists() and other.exists()
