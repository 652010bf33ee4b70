"""Sync faults: a server that dies mid-sync, one that is not there, a wrong password."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import Run
from davservers import _spawn, free_port, radicale_server, start_radicale  # noqa: F401
from test_sync_caldav import ADD, KEYS, PW_ENV, href, server, sync, uid_of


@pytest.fixture
def own_radicale(tmp_path_factory):
    """A Radicale of this test's own, which the test may stop and start again."""
    folder = tmp_path_factory.mktemp("radicale")
    srv = start_radicale(folder)
    yield srv
    srv.stop()
    shutil.rmtree(folder, ignore_errors=True)


def restart(srv) -> None:
    srv.process, srv.log_path = _spawn(["-m", "radicale", "--config", str(srv.folder / "config")],
                                       srv.folder, srv.base_url)


class DiesAfter:
    """Wraps a storage: after the ``n``-th create lands, the server is killed and the
    answer is lost (we raise what the next request to the dead server raises)."""

    def __init__(self, storage, n: int, srv) -> None:
        self.storage, self.n, self.srv = storage, n, srv
        self.name = storage.name
        self.creates = 0

    def __getattr__(self, name):
        return getattr(self.storage, name)

    def create(self, uid, data):
        result = self.storage.create(uid, data)
        self.creates += 1
        if self.creates == self.n:
            self.srv.process.kill()
            self.srv.process.wait(5)
            self.storage.list()  # raises: connection refused
        return result


def test_server_dies_mid_sync_then_the_next_sync_converges_without_duplicates(
        run: Run, run_json, own_radicale, monkeypatch) -> None:
    srv = own_radicale
    url = srv.make_collection()
    monkeypatch.setenv(PW_ENV, srv.password)
    assert run("remote", "add", "work", srv.base_url, "--username", srv.username,
               "--password-env", PW_ENV, "--calendar", url, "--no-auto-push").stderr == ""
    assert run(*ADD).exit_code == 0
    before = run_json("show", "1")

    from followup.sync import targets as remotes
    from followup.sync.engine import Target

    real = remotes.open_targets
    monkeypatch.setattr(remotes, "open_targets", lambda r: [
        Target(t.name, DiesAfter(t.storage, 5, srv), t.components) for t in real(r)])
    result = run("sync", "--json")
    assert result.exit_code == 1
    [doc] = json.loads(result.stdout)
    message = f"remote 'work': cannot read {url}: connection refused"
    assert doc["errors"] == [message] and doc["created"] == 4  # the 5th answer was lost
    assert result.stderr == f"Error: {message}\n"
    assert run_json("show", "1") == before  # nothing lost or changed here

    # while it is down: a sync fails the same way; a check-off is stored here
    monkeypatch.setattr(remotes, "open_targets", real)
    again = run("sync")
    assert again.exit_code == 1 and again.stderr == f"Error: {message}\n"
    notes = uid_of(run_json, "notes")
    assert run("done", notes).exit_code == 0

    restart(srv)
    cal = type("Cal", (), {"base_url": srv.base_url, "username": srv.username,
                           "password": srv.password, "url": url})
    doc = sync(run)
    assert (doc["created"], doc["errors"]) == (9, [])  # 4 recorded + 1 adopted + 9 = 14
    objects = server(cal)
    prefix = notes.removesuffix("notes")
    assert sorted(objects) == sorted(href(cal, prefix + k) for k in KEYS)
    assert sorted(str(c["UID"]) for c in objects.values()) == sorted(prefix + k for k in KEYS)
    assert str(objects[href(cal, notes)]["STATUS"]) == "COMPLETED"
    assert sync(run)["created"] == 0


def test_a_failed_push_after_a_change_is_a_warning_and_the_change_stays(
        run: Run, run_json, home: Path, monkeypatch) -> None:
    port = free_port()  # nothing listens there
    with (home / "config.toml").open("a") as f:
        f.write(f'\n[remote.work]\nurl = "http://127.0.0.1:{port}/"\n'
                f'calendar = "http://127.0.0.1:{port}/alice/cal/"\n'
                f'tasks_calendar = "http://127.0.0.1:{port}/alice/cal/"\n')
    result = run(*ADD)
    assert result.exit_code == 0
    # a push sends its first write at once (the collection was checked by `remote add`)
    first = f"http://127.0.0.1:{port}/alice/cal/{uid_of(run_json, 'interview')}.ics"
    cause = f"remote 'work': cannot create {first}: connection refused"
    assert result.stderr == (f"Warning: {cause}; the change is saved here and "
                             "`followup sync` will send it\n")
    assert len(run_json("show", "1")["items"]) == 12
    synced = run("sync")
    assert synced.exit_code == 1
    cause = f"remote 'work': cannot read http://127.0.0.1:{port}/alice/cal/: connection refused"
    assert synced.stderr == f"Error: {cause}\n"
    assert run("--help").exit_code == 0


def test_wrong_password_exits_1_and_never_shows_it(run: Run, radicale_server, monkeypatch) -> None:
    url = radicale_server.make_collection()
    monkeypatch.setenv(PW_ENV, radicale_server.password)
    assert run("remote", "add", "work", radicale_server.base_url, "--username",
               radicale_server.username, "--password-env", PW_ENV, "--calendar", url,
               ).exit_code == 0
    wrong = "wr0ng-Secret-42"
    monkeypatch.setenv(PW_ENV, wrong)
    result = run("sync")
    assert result.exit_code == 1
    assert result.stderr == ("Error: remote 'work': wrong username or password (HTTP 401) — "
                             "check --username and the password source\n")
    assert wrong not in result.stdout + result.stderr
    assert radicale_server.password not in result.stdout + result.stderr
