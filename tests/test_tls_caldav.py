"""`followup sync` over https:// against real CalDAV servers with TLS: Radicale with
``ssl = True`` (tests/davservers.py ``radicale_tls_server``) and Cyrus's ``httpd -s``
listener (tests/cyrus.py ``cyrus_tls_server``), each certificate signed by a CA made for
the session. A remote trusts it with `verify = "CA file"` in [remote.NAME]; the system's
store does not, and then nothing is written anywhere."""

from __future__ import annotations

import datetime as dt
import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import icalendar
import pytest

from conftest import USER_TZ, Run, by_step, store_dump
from cyrus import cyrus_tls_server  # noqa: F401  (fixture)
from davservers import radicale_tls_server  # noqa: F401  (fixture)
from followup.sync.caldav import CalDAVStorage

PW_ENV = "FOLLOWUP_TEST_DAV_PASSWORD"
ADD = ("add", "--company", "Acme", "--role", "Data Engineer", "--at", "2026-12-04 14:00",
       "--interviewer", "Jane Doe <jane@acme.example>", "--deadline", "2026-12-11")
OBJECTS = 14  # the Acme interview's events and tasks


@dataclass
class TlsCalendar:
    """A fresh collection on a server that speaks https, as followup and another client see it."""

    kind: str
    url: str  # the server over https, as a user gives it
    calendar: str  # the collection over https
    username: str
    password: str
    ca_file: Path
    other: Any  # the server as another client reaches it (its DavServer / CyrusServer)
    other_calendar: str  # the same collection, for that client


@pytest.fixture(params=["radicale", "cyrus"])
def tls_calendar(request, monkeypatch: pytest.MonkeyPatch) -> TlsCalendar:
    if request.param == "radicale":
        server = request.getfixturevalue("radicale_tls_server")
        calendar = server.make_collection()
        found = TlsCalendar("radicale", server.base_url, calendar, server.username, server.password,
                            server.ca_file, server, calendar)
    else:
        # a fresh user: Cyrus keeps a UID unique across a user's calendars
        user = request.getfixturevalue("cyrus_tls_server").make_user()
        plain = user.make_collection()  # made over the plain listener; the same path over https
        calendar = user.https_url + plain.removeprefix(user.base_url)
        found = TlsCalendar("cyrus", user.https_url, calendar, user.username, user.password,
                            user.ca_file, user, plain)
    monkeypatch.setenv(PW_ENV, found.password)
    return found


def write_remote(home: Path, cal: TlsCalendar, verify: str | None) -> None:
    """[remote.work] as a user writes it by hand."""
    (home / "config.toml").write_text(
        f'timezone = "{USER_TZ}"\n[remote.work]\nurl = "{cal.url}"\ncalendar = "{cal.calendar}"\n'
        f'username = "{cal.username}"\npassword_env = "{PW_ENV}"\n'
        + (f"verify = {verify}\n" if verify is not None else ""))


def on_server(cal: TlsCalendar) -> dict[str, icalendar.cal.Component]:
    """UID -> the VEVENT/VTODO the server holds, read over https trusting the CA."""
    out = {}
    for component in ("VEVENT", "VTODO"):
        with CalDAVStorage("check", cal.url, cal.username, cal.password, calendar=cal.calendar,
                           component=component, verify=str(cal.ca_file)) as storage:
            for data, _ in storage.get([x.href for x in storage.list()]).values():
                for comp in icalendar.Calendar.from_ical(data).walk(component):
                    out[str(comp["UID"])] = comp
    return out


def complete_elsewhere(cal: TlsCalendar, uid: str, when: dt.datetime) -> None:
    """Another client checks a task off (an unconditional PUT, like many clients)."""
    with cal.other.client() as client:
        collection = client.calendar(url=cal.other_calendar)
        obj = collection.object_by_uid(uid)
        data = icalendar.Calendar.from_ical(obj.data)
        [todo] = data.walk("VTODO")
        todo["STATUS"] = icalendar.vText("COMPLETED")
        todo.add("completed", when)
        todo.add("percent-complete", 100)
        response = client.put(str(obj.url), data.to_ical(), {"Content-Type": "text/calendar"})
        assert response.status in (200, 204), response.status


def sync(run: Run, code: int = 0, now: str | None = None) -> dict[str, Any]:
    result = run("sync", "--json", now=now)
    assert result.exit_code == code, result.stderr
    [doc] = json.loads(result.stdout)
    return doc


def counts(doc: dict[str, Any]) -> tuple[int, ...]:
    return tuple(doc[k] for k in ("created", "updated", "deleted", "pulled", "conflicts"))



def steps(run: Run) -> dict[str, dict[str, Any]]:
    result = run("show", "1", "--json")
    assert result.exit_code == 0, result.stderr
    return by_step(json.loads(result.stdout)["items"])


def test_sync_pushes_and_pulls_over_https_with_the_private_ca(tls_calendar: TlsCalendar, home: Path,
                                                             run: Run) -> None:
    write_remote(home, tls_calendar, f'"{tls_calendar.ca_file}"')
    added = run(*ADD)  # pushed at once
    assert (added.exit_code, added.stderr) == (0, "")
    assert counts(sync(run)) == (0, 0, 0, 0, 0)
    held = on_server(tls_calendar)
    assert len(held) == OBJECTS
    thank_you = steps(run)["thank-you-email"]
    assert str(held[thank_you["uid"]]["STATUS"]) == "NEEDS-ACTION"
    when = dt.datetime(2026, 12, 4, 18, 0, tzinfo=dt.timezone.utc)
    complete_elsewhere(tls_calendar, thank_you["uid"], when)
    doc = sync(run, now="2026-12-04T19:00:00+00:00")
    assert (doc["pulled"], doc["conflicts"], doc["errors"]) == (1, 0, [])
    assert steps(run)["thank-you-email"]["status"] == "completed"
    assert steps(run)["thank-you-email"]["completed"] == "2026-12-04T18:00:00+00:00"


def untrusted(url: str, hint: str = 'set verify = "/path/to/ca.pem" in [remote.work]') -> str:
    return (f"remote 'work': cannot read {url}: the TLS certificate cannot be verified (unable to get"
            f" local issuer certificate); for a private CA {hint}")


def test_an_untrusted_certificate_is_one_line_and_nothing_is_written(tls_calendar: TlsCalendar, home: Path,
                                                                    run: Run) -> None:
    write_remote(home, tls_calendar, None)  # no verify: the system's CA store
    added = run(*ADD)
    assert added.exit_code == 0  # stored; the push waits for a trusted sync
    assert added.stderr == (f"Warning: {untrusted(tls_calendar.url)}; the change is saved here"
                            " and `followup sync` will send it\n")
    before, calendar_file = store_dump(home), (home / "followup.ics").read_bytes()
    result = run("sync")
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "work: 0 created, 0 updated, 0 deleted, 0 pulled, 0 conflicts\n",
        f"Error: {untrusted(tls_calendar.url)}\n")
    assert tls_calendar.password not in result.stdout + result.stderr
    assert store_dump(home) == before
    assert (home / "followup.ics").read_bytes() == calendar_file
    assert on_server(tls_calendar) == {}
    # Trusted: everything goes up.
    write_remote(home, tls_calendar, f'"{tls_calendar.ca_file}"')
    assert counts(sync(run)) == (OBJECTS, 0, 0, 0, 0)
    assert len(on_server(tls_calendar)) == OBJECTS


def test_remote_add_refuses_an_untrusted_certificate(tls_calendar: TlsCalendar, home: Path, run: Run) -> None:
    before = (home / "config.toml").read_text()
    result = run("remote", "add", "work", tls_calendar.url, "--username", tls_calendar.username,
                 "--password-env", PW_ENV)
    assert (result.exit_code, result.stdout) == (1, "")
    # The command takes the CA file as an option: the hint names it, not the config key.
    assert result.stderr == f"Error: {untrusted(tls_calendar.url, 'give --verify /path/to/ca.pem')}\n"
    assert (home / "config.toml").read_text() == before


def test_verify_false_syncs_without_library_warnings(tls_calendar: TlsCalendar, home: Path, run: Run) -> None:
    write_remote(home, tls_calendar, "false")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run("sync")
    assert (result.exit_code, result.stderr) == (0, "")
    assert [str(w.message) for w in caught] == []


def test_a_missing_ca_file_is_named(tls_calendar: TlsCalendar, home: Path, run: Run, tmp_path: Path) -> None:
    write_remote(home, tls_calendar, f'"{tmp_path / "ca.pem"}"')
    result = run("sync")
    assert (result.exit_code, result.stderr) == (
        1, f"Error: remote 'work': cannot use the CA file {tmp_path / 'ca.pem'} (verify in [remote.work]):"
           " no such file or directory\n")


def test_a_hand_written_remote_finds_its_calendar_over_https(cyrus_tls_server, home: Path, run: Run,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """As the README shows for a private CA: no `calendar` key, the server's root as `url`.
    Cyrus answers an anonymous PROPFIND on / with 207, not 401 (CALENDAR_RULES.md rule 23):
    only credentials sent up front over https find the user's Default calendar."""
    user = cyrus_tls_server.make_user()
    monkeypatch.setenv(PW_ENV, user.password)
    (home / "config.toml").write_text(
        f'timezone = "{USER_TZ}"\n[remote.nas]\nurl = "{user.https_url}"\nusername = "{user.username}"\n'
        f'password_env = "{PW_ENV}"\nverify = "{user.ca_file}"\n')
    assert run("--offline", *ADD).exit_code == 0
    result = run("sync")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, f"nas: {OBJECTS} created, 0 updated, 0 deleted, 0 pulled, 0 conflicts\n", "")
    with user.client() as client:
        [calendar] = [c for c in client.principal().calendars() if c.get_supported_components()]
        assert len(calendar.search()) == OBJECTS


# -- `remote add --verify / --no-verify` (issue: a private CA from the command line) ------


def added(cal: TlsCalendar) -> str:
    return (f"Added remote 'work': CalDAV {cal.url}\n  events: {cal.calendar}\n  tasks:  {cal.calendar}\n"
            "Run `followup sync` to send your follow-up there.\n")


def saved_remote(cal: TlsCalendar, verify: str) -> str:
    return (f'timezone = "{USER_TZ}"\n\n[remote.work]\nurl = "{cal.url}"\nusername = "{cal.username}"\n'
            f'calendar = "{cal.calendar}"\ntasks_calendar = "{cal.calendar}"\npassword_env = "{PW_ENV}"\n'
            f"verify = {verify}\n")


def add_remote(run: Run, cal: TlsCalendar, *options: str):
    return run("remote", "add", "work", cal.url, "--username", cal.username, "--password-env", PW_ENV,
               "--calendar", cal.calendar, *options)


def test_remote_add_with_verify_saves_the_ca_file_and_syncs(tls_calendar: TlsCalendar, home: Path, run: Run,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tls_calendar.ca_file.parent))  # `~` is expanded and saved absolute
    result = add_remote(run, tls_calendar, "--verify", f"~/{tls_calendar.ca_file.name}")
    assert (result.exit_code, result.stdout, result.stderr) == (0, added(tls_calendar), "")
    assert (home / "config.toml").read_text() == saved_remote(tls_calendar, f'"{tls_calendar.ca_file}"')
    assert tls_calendar.password not in result.stdout + result.stderr
    pushed = run(*ADD)  # the saved table trusts the CA: pushed at once
    assert (pushed.exit_code, pushed.stderr) == (0, "")
    assert len(on_server(tls_calendar)) == OBJECTS


def test_remote_add_with_no_verify_warns_once_and_saves_false(tls_calendar: TlsCalendar, home: Path,
                                                              run: Run) -> None:
    result = add_remote(run, tls_calendar, "--no-verify")
    assert (result.exit_code, result.stdout) == (0, added(tls_calendar))
    where = tls_calendar.url.split("/")[2]
    assert result.stderr == (f"Warning: the TLS certificate of {where} is not checked (--no-verify): the"
                             " connection is encrypted, but anyone on the way can pose as the server and"
                             " read your password\n")
    assert (home / "config.toml").read_text() == saved_remote(tls_calendar, "false")
    assert counts(sync(run)) == (0, 0, 0, 0, 0)
