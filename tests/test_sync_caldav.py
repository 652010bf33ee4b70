"""`followup sync` against real Radicale and Xandikos servers (see davservers.py).

Another client is the caldav library used directly: it completes, moves and deletes our
items between syncs, and edits them between our read and our write.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import icalendar
import pytest

from conftest import Run, by_step
from davservers import (  # noqa: F401  (fixtures)
    dav_calendar,
    dav_server,
    radicale_server,
    xandikos_server,
)
from followup.sync.caldav import CalDAVStorage

ADD = ("add", "--company", "Acme", "--role", "Data Engineer", "--at", "2026-12-04 14:00",
       "--tz", "Europe/London", "--interviewer", "Jane Doe <jane@acme.example>",
       "--deadline", "2026-12-11")
ADD_2 = ("add", "--company", "Globex", "--role", "SRE", "--at", "2026-12-07 10:00",
         "--tz", "Europe/London")
KEYS = ["ask-timeline", "business-card", "call", "call-event", "call-script", "formal-note-1",
        "interview", "let-go", "notes", "response-deadline", "second-call", "second-call-event",
        "status-email", "thank-you-email"]
PW_ENV = "FOLLOWUP_TEST_DAV_PASSWORD"
LONDON = "Europe/London"
LASTACK = icalendar.vDDDTypes(dt.datetime(2026, 11, 28, 11, 0, tzinfo=dt.timezone.utc))


def path_of(url: str) -> str:
    return unquote(urlsplit(url).path)


@pytest.fixture
def remote(run: Run, dav_calendar, monkeypatch: pytest.MonkeyPatch):
    """`followup remote add work` for the test's fresh collection."""
    monkeypatch.setenv(PW_ENV, dav_calendar.password)
    result = run("remote", "add", "work", dav_calendar.base_url, "--username",
                 dav_calendar.username, "--password-env", PW_ENV, "--calendar", dav_calendar.url)
    assert result.exit_code == 0, result.stderr
    return dav_calendar


def sync(run: Run, *args: str, now: str | None = None, code: int = 0) -> dict[str, Any]:
    result = run("sync", *args, "--json", now=now)
    assert result.exit_code == code, result.stderr
    [doc] = json.loads(result.stdout)
    return doc


def counts(doc: dict[str, Any]) -> tuple[int, ...]:
    return tuple(doc[k] for k in ("created", "updated", "deleted", "pulled", "conflicts"))


def server(cal, component: str = "VTODO") -> dict[str, icalendar.cal.Component]:
    """href -> the object's VTODO/VEVENT, as the server holds it now."""
    with CalDAVStorage("check", cal.base_url, cal.username, cal.password,
                       calendar=cal.url, component=component) as storage:
        got = storage.get([x.href for x in storage.list()])
    out = {}
    for href, (data, _) in got.items():
        [comp] = [c for c in icalendar.Calendar.from_ical(data).subcomponents
                  if c.name in ("VTODO", "VEVENT")]
        out[href] = comp
    return out


def href(cal, uid: str) -> str:
    return path_of(cal.url) + uid + ".ics"


def edit(cal, href_: str, change: Callable[[icalendar.cal.Component], None]) -> None:
    """Another client changes an object (an unconditional PUT, like many clients)."""
    import caldav

    with cal.client() as client:
        obj = caldav.CalendarObjectResource(client=client, url=cal.base_url.rstrip("/") + href_,
                                            parent=cal.calendar(client))
        obj.load()
        data = icalendar.Calendar.from_ical(obj.data)
        [comp] = [c for c in data.subcomponents if c.name in ("VTODO", "VEVENT")]
        change(comp)
        resp = client.put(str(obj.url), data.to_ical(), {"Content-Type": "text/calendar"})
        assert resp.status in (200, 204), resp.status


def delete(cal, href_: str) -> None:
    with cal.client() as client:
        resp = client.delete(cal.base_url.rstrip("/") + href_)
        assert resp.status in (200, 204), resp.status


def complete(when: dt.datetime) -> Callable[[icalendar.cal.Component], None]:
    def change(comp: icalendar.cal.Component) -> None:
        comp["STATUS"] = icalendar.vText("COMPLETED")
        comp.pop("COMPLETED", None)
        comp.add("completed", when)
        comp.pop("PERCENT-COMPLETE", None)
        comp.add("percent-complete", 100)
    return change


def show(run_json, interview: str = "1") -> dict[str, Any]:
    return run_json("show", interview)


def uid_of(run_json, key: str) -> str:
    return by_step(show(run_json)["items"])[key]["uid"]


# -- push ---------------------------------------------------------------------------------


def test_objects_carry_our_properties_and_the_interview_data(run: Run, run_json, remote) -> None:
    run(*ADD)
    sync(run)
    objects = {str(c["UID"]): c for c in server(remote).values()}
    uid = uid_of(run_json, "interview")
    head = objects[uid]
    packed = str(head["X-FOLLOWUP-DATA"])  # base64url of the JSON: no client "fixes" it (rule 22)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", packed)
    data = json.loads(base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4)))
    assert data == {
        "v": 1, "company": "Acme", "role": "Data Engineer",
        "start": "2026-12-04T14:00:00+00:00", "tz": LONDON, "duration": 3600,
        "deadline": "2026-12-11", "channel": "email", "note": "email", "location": "",
        "country": None, "subdivision": None,
        "contacts": [{"key": 1, "name": "Jane Doe", "email": "jane@acme.example", "tz": None,
                      "removed": False, "phone": None, "title": None, "interviewer": True}],
        "held": "onsite", "decision": None, "round": 1, "round_of": None,
        "outcomes": [], "dismissed": [],
    }
    todo = objects[uid_of(run_json, "thank-you-email")]
    assert todo.name == "VTODO" and str(todo["STATUS"]) == "NEEDS-ACTION"
    # A Friday interview: the thank-you is due that evening (PLAYBOOK.md, `thank-you-email`).
    assert todo.decoded("DUE") == dt.datetime(2026, 12, 4, 20, 0, tzinfo=todo.decoded("DUE").tzinfo)


# -- pull: another client's edits ------------------------------------------------------------


def test_completion_elsewhere_counts_like_done_and_replans_the_call(
        run: Run, run_json, remote) -> None:
    run(*ADD)
    steps = by_step(show(run_json)["items"])
    # Sent on time: left open, they would roll the chain forward from the day of the sync (rule 6).
    run("done", str(steps["thank-you-email"]["id"]), "--at", "2026-12-04 18:00",
        now="2026-12-04T18:05:00+00:00")
    run("done", str(steps["formal-note-1"]["id"]), "--at", "2026-12-07 10:00",
        now="2026-12-07T10:05:00+00:00")
    sync(run)
    steps = by_step(show(run_json)["items"])
    assert steps["call"]["due"] == "2026-12-16T09:00:00+00:00"
    when = dt.datetime(2026, 12, 16, 14, 0, tzinfo=dt.timezone.utc)  # later than planned
    edit(remote, href(remote, steps["status-email"]["uid"]), complete(when))
    later = "2026-12-16T15:00:00+00:00"
    # status-email, call (task and slot), call-script, second-call (both), let-go
    assert counts(sync(run, now=later)) == (0, 7, 0, 1, 0)
    steps = by_step(show(run_json)["items"])
    assert steps["status-email"]["status"] == "completed"
    assert steps["status-email"]["completed"] == "2026-12-16T14:00:00+00:00"
    assert steps["call"]["due"] == "2026-12-18T09:00:00+00:00"  # 2 business days after
    call = server(remote)[href(remote, steps["call"]["uid"])]
    assert call.decoded("DUE").astimezone(dt.timezone.utc) == dt.datetime(
        2026, 12, 18, 9, 0, tzinfo=dt.timezone.utc)
    assert counts(sync(run, now=later)) == (0, 0, 0, 0, 0)


def test_percent_complete_100_alone_means_done(run: Run, run_json, remote) -> None:
    run(*ADD)
    sync(run)
    uid = uid_of(run_json, "notes")

    def change(comp):
        comp.add("percent-complete", 100)

    edit(remote, href(remote, uid), change)
    assert counts(sync(run)) == (0, 1, 0, 1, 0)
    notes = by_step(show(run_json)["items"])["notes"]
    assert (notes["status"], notes["completed"]) == ("completed", "2026-11-28T12:00:00+00:00")


def test_reopened_elsewhere_is_undone(run: Run, run_json, remote) -> None:
    run(*ADD)
    sync(run)
    uid = uid_of(run_json, "notes")
    assert run("done", uid).exit_code == 0  # pushed at once (auto_push)
    assert str(server(remote)[href(remote, uid)]["STATUS"]) == "COMPLETED"

    def reopen(comp):
        comp["STATUS"] = icalendar.vText("NEEDS-ACTION")
        comp.pop("COMPLETED")
        comp.pop("PERCENT-COMPLETE")

    edit(remote, href(remote, uid), reopen)
    assert counts(sync(run))[3] == 1
    assert by_step(show(run_json)["items"])["notes"]["status"] == "needs-action"


def test_moved_due_becomes_an_override(run: Run, run_json, remote) -> None:
    run(*ADD)
    sync(run)
    uid = uid_of(run_json, "thank-you-email")

    def move(comp):
        from zoneinfo import ZoneInfo

        new = dt.datetime(2026, 12, 7, 9, 30, tzinfo=ZoneInfo(LONDON))
        for name in ("DUE", "DTSTART"):
            comp.pop(name)
            comp.add(name, new)

    edit(remote, href(remote, uid), move)
    doc = sync(run)
    assert (doc["pulled"], doc["conflicts"], doc["errors"]) == (1, 0, [])
    item = by_step(show(run_json)["items"])["thank-you-email"]
    assert (item["due"], item["overridden"]) == ("2026-12-07T09:30:00+00:00", True)
    assert counts(sync(run)) == (0, 0, 0, 0, 0)


def test_deleted_elsewhere_is_dismissed_and_never_recreated(run: Run, run_json, remote) -> None:
    run(*ADD)
    sync(run)
    uid = uid_of(run_json, "notes")
    delete(remote, href(remote, uid))
    # one update: the interview event's X-FOLLOWUP-DATA tells other machines of the dismissal
    assert counts(sync(run)) == (0, 1, 0, 1, 0)
    assert by_step(show(run_json)["items"])["notes"]["status"] == "cancelled"
    assert href(remote, uid) not in server(remote)
    assert len(server(remote)) == 13
    assert counts(sync(run)) == (0, 0, 0, 0, 0)
    assert len(server(remote)) == 13


# -- rule 18: foreign properties and alarms survive our updates ---------------------------


def test_foreign_property_and_alarm_survive_our_update(run: Run, run_json, remote) -> None:
    run(*ADD)
    sync(run)
    uid = uid_of(run_json, "thank-you-email")

    def thunderbird(comp):
        comp.add("x-moz-lastack", LASTACK)
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", "my own reminder")
        alarm.add("trigger", dt.timedelta(minutes=-30), parameters={"RELATED": "END"})
        comp.add_component(alarm)

    edit(remote, href(remote, uid), thunderbird)
    assert counts(sync(run)) == (0, 0, 0, 0, 0)  # nothing of ours changed there
    assert run("done", uid).exit_code == 0  # auto push: patches the server's copy
    comp = server(remote)[href(remote, uid)]
    assert str(comp["STATUS"]) == "COMPLETED"
    assert comp["X-MOZ-LASTACK"].to_ical() == b"20261128T110000Z"
    alarms = [a for a in comp.subcomponents if a.name == "VALARM"]
    assert [(str(a["DESCRIPTION"]), a.decoded("TRIGGER")) for a in alarms] == [
        ("my own reminder", dt.timedelta(minutes=-30))]  # ours went: done items ring no more
    # re-opened: our alarm comes back, once, beside theirs
    assert run("undo", uid).exit_code == 0
    comp = server(remote)[href(remote, uid)]
    assert sorted(str(a["DESCRIPTION"]) for a in comp.subcomponents if a.name == "VALARM") == [
        "Send a thank-you email to Acme", "my own reminder"]
    assert comp["X-MOZ-LASTACK"].to_ical() == b"20261128T110000Z"
    assert counts(sync(run)) == (0, 0, 0, 0, 0)


# -- 412: an edit between our read and our write -----------------------------------------------


class Interleave:
    """Wraps a storage: runs ``edit`` once, just before our first write to ``target``."""

    def __init__(self, storage, target: str, edit: Callable[[], None]) -> None:
        self.storage, self.target, self.edit = storage, target, edit
        self.name = storage.name
        self.done = False

    def __getattr__(self, name):
        return getattr(self.storage, name)

    def update(self, href_, data, etag):
        if href_ == self.target and not self.done:
            self.done = True
            self.edit()
        return self.storage.update(href_, data, etag)


def interleave(monkeypatch, target: str, edit_: Callable[[], None]) -> None:
    from followup.sync import targets as remotes
    from followup.sync.engine import Target

    real = remotes.open_targets

    def wrapped(remote):
        return [Target(t.name, Interleave(t.storage, target, edit_), t.components)
                for t in real(remote)]

    monkeypatch.setattr(remotes, "open_targets", wrapped)


def test_412_merges_a_foreign_edit_with_our_completion(run: Run, run_json, remote,
                                                        monkeypatch) -> None:
    run(*ADD)
    sync(run)
    uid = uid_of(run_json, "thank-you-email")
    monkeypatch.setenv("FOLLOWUP_OFFLINE", "1")
    assert run("done", uid).exit_code == 0
    monkeypatch.delenv("FOLLOWUP_OFFLINE")

    def other():
        edit(remote, href(remote, uid), lambda c: c.add("x-moz-lastack", LASTACK))

    interleave(monkeypatch, href(remote, uid), other)
    doc = sync(run)
    assert (doc["updated"], doc["conflicts"], doc["errors"]) == (1, 1, [])
    comp = server(remote)[href(remote, uid)]
    assert str(comp["STATUS"]) == "COMPLETED"
    assert comp["X-MOZ-LASTACK"].to_ical() == b"20261128T110000Z"


def test_412_never_loses_their_completion(run: Run, run_json, remote, monkeypatch) -> None:
    run(*ADD)
    sync(run)
    uid = uid_of(run_json, "status-email")
    monkeypatch.setenv("FOLLOWUP_OFFLINE", "1")
    assert run("outcome", "1", "reply").exit_code == 0  # cancels the chase here
    monkeypatch.delenv("FOLLOWUP_OFFLINE")
    when = dt.datetime(2026, 11, 28, 11, 0, tzinfo=dt.timezone.utc)
    interleave(monkeypatch, href(remote, uid),
               lambda: edit(remote, href(remote, uid), complete(when)))
    doc = sync(run)
    assert (doc["conflicts"], doc["pulled"], doc["errors"]) == (1, 1, [])
    steps = by_step(show(run_json)["items"])
    assert (steps["status-email"]["status"], steps["status-email"]["completed"]) == (
        "completed", "2026-11-28T11:00:00+00:00")
    assert steps["call"]["status"] == "cancelled"  # our outcome survived too
    objects = server(remote)
    assert str(objects[href(remote, uid)]["STATUS"]) == "COMPLETED"
    assert str(objects[href(remote, steps["call"]["uid"])]["STATUS"]) == "CANCELLED"
    assert counts(sync(run)) == (0, 0, 0, 0, 0)


def without_ids(doc: dict[str, Any]) -> dict[str, Any]:
    """Item numbers are short refs local to a machine; everything else must match."""
    return {"interview": doc["interview"],
            "items": [{k: v for k, v in item.items() if k != "id"} for item in doc["items"]]}


# -- a second machine -----------------------------------------------------------------------


def second_machine(run: Run, cal, tmp_path: Path, monkeypatch) -> None:
    """From now on `run` is another machine: an empty FOLLOWUP_HOME with the same remote."""
    second = tmp_path / "second"
    second.mkdir()
    (second / "config.toml").write_text(f'timezone = "{LONDON}"\n')
    monkeypatch.setenv("FOLLOWUP_HOME", str(second))
    assert run("remote", "add", "work", cal.base_url, "--username", cal.username,
               "--password-env", PW_ENV, "--calendar", cal.url).exit_code == 0


def test_rebuild_into_an_empty_home(run: Run, run_json, remote, tmp_path: Path,
                                    monkeypatch) -> None:
    run(*ADD)
    run(*ADD_2)
    run("outcome", "2", "rejected")
    sync(run)
    steps = by_step(show(run_json)["items"])
    run("done", steps["notes"]["uid"])
    edit(remote, href(remote, steps["thank-you-email"]["uid"]), complete(
        dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.timezone.utc)))

    def move(comp):
        new = dt.datetime(2026, 12, 8, 11, 0, tzinfo=dt.timezone.utc)
        for name in ("DUE", "DTSTART"):
            comp.pop(name)
            comp.add(name, new)

    edit(remote, href(remote, steps["formal-note-1"]["uid"]), move)
    delete(remote, href(remote, steps["business-card"]["uid"]))
    sync(run)
    before = [without_ids(show(run_json, "1")), without_ids(show(run_json, "2"))]

    second_machine(run, remote, tmp_path, monkeypatch)
    doc = sync(run)
    assert (doc["created"], doc["updated"], doc["pulled"], doc["errors"]) == (0, 0, 2, [])
    after = [without_ids(show(run_json, "1")), without_ids(show(run_json, "2"))]
    assert after == before
    assert counts(sync(run)) == (0, 0, 0, 0, 0)


def test_a_rebuild_keeps_steps_deleted_elsewhere_without_any_completion(
        run: Run, run_json, remote, tmp_path: Path, monkeypatch) -> None:
    """Issue 12, item 6: the dismissal travels in X-FOLLOWUP-DATA and holds on its own."""
    run(*ADD)
    sync(run)
    steps = by_step(show(run_json)["items"])
    for key in ("business-card", "thank-you-email"):
        delete(remote, href(remote, steps[key]["uid"]))
    assert counts(sync(run)) == (0, 1, 0, 2, 0)
    before = without_ids(show(run_json))
    cancelled = sorted(k for k, item in by_step(before["items"]).items()
                       if item["status"] == "cancelled")
    assert cancelled == ["business-card", "thank-you-email"]

    second_machine(run, remote, tmp_path, monkeypatch)
    assert counts(sync(run)) == (0, 0, 0, 1, 0)
    assert without_ids(show(run_json)) == before
    assert href(remote, steps["business-card"]["uid"]) not in server(remote)
    assert len(server(remote)) == 12
    assert counts(sync(run)) == (0, 0, 0, 0, 0)
    assert len(server(remote)) == 12


# -- events and tasks in separate collections ------------------------------------------------


def test_separate_task_and_event_collections(run: Run, run_json, dav_server, monkeypatch) -> None:
    tasks_url = dav_server.make_collection(["VTODO"], name="Reminders")
    events_url = dav_server.make_collection(["VEVENT"], name="Calendar")
    monkeypatch.setenv(PW_ENV, dav_server.password)
    added = run("remote", "add", "work", dav_server.base_url, "--username", dav_server.username,
                "--password-env", PW_ENV, "--calendar", events_url, "--tasks-calendar", "Reminders")
    assert added.exit_code == 0, added.stderr
    assert added.stdout.splitlines()[1:3] == [f"  events: {events_url}", f"  tasks:  {tasks_url}"]
    run(*ADD)
    prefix = uid_of(run_json, "notes").removesuffix("notes")

    def holds(url: str, component: str) -> list[str]:
        cal = type("Cal", (), {"base_url": dav_server.base_url, "username": dav_server.username,
                               "password": dav_server.password, "url": url})
        return sorted(f"{c.name} {c['UID']}" for c in server(cal, component).values())

    events = ["call-event", "interview", "response-deadline", "second-call-event"]
    assert holds(events_url, "VEVENT") == sorted(f"VEVENT {prefix}{k}" for k in events)
    assert holds(tasks_url, "VTODO") == sorted(f"VTODO {prefix}{k}" for k in KEYS if k not in events)
    assert counts(sync(run)) == (0, 0, 0, 0, 0)


def test_remote_add_creates_a_missing_tasks_calendar_when_asked(run: Run, dav_server,
                                                               monkeypatch) -> None:
    events_url = dav_server.make_collection(["VEVENT"])
    monkeypatch.setenv(PW_ENV, dav_server.password)
    name = f"Jobs {events_url.rstrip('/').rsplit('-', 1)[-1]}"
    base = ("remote", "add", "work", dav_server.base_url, "--username", dav_server.username,
            "--password-env", PW_ENV, "--calendar", events_url, "--tasks-calendar", name)
    refused = run(*base)
    assert refused.exit_code == 1
    assert refused.stderr.startswith(f"Error: remote 'work': no calendar named {name!r} (found: ")
    added = run(*base, "--create")
    assert added.exit_code == 0, added.stderr
    tasks_url = added.stdout.splitlines()[2].split()[-1]
    from followup.sync.caldav import discover_collections

    found = {u: c for _, u, c in discover_collections(
        dav_server.base_url, dav_server.username, dav_server.password)}
    assert found[tasks_url] == {"VTODO"}


def test_a_moved_interview_event_is_reported_not_applied(run: Run, run_json, remote) -> None:
    run(*ADD)
    uid = uid_of(run_json, "interview")

    def move(comp):
        start = comp.decoded("DTSTART") + dt.timedelta(hours=2)
        end = comp.decoded("DTEND") + dt.timedelta(hours=2)
        for name, value in (("DTSTART", start), ("DTEND", end)):
            comp.pop(name)
            comp.add(name, value)

    before = show(run_json)
    edit(remote, href(remote, uid), move)
    result = run("sync")
    assert (result.exit_code, result.stdout) == (
        0, "work: 0 created, 0 updated, 0 deleted, 0 pulled, 0 conflicts\n")
    assert result.stderr == (f"Note: work: {uid} was moved in another app; its time follows the "
                             "interview: change that with `followup edit`\n")
    assert show(run_json) == before


def test_our_uid_under_another_name_is_adopted_not_duplicated(run: Run, run_json, remote, home,
                                                              monkeypatch) -> None:
    monkeypatch.setenv("FOLLOWUP_OFFLINE", "1")
    run(*ADD)
    monkeypatch.delenv("FOLLOWUP_OFFLINE")
    uid = uid_of(run_json, "notes")
    calendar = icalendar.Calendar.from_ical((home / "followup.ics").read_bytes())
    [todo] = [c for c in calendar.subcomponents if c.get("UID") == uid]
    theirs = icalendar.Calendar()
    theirs.add("prodid", "-//another client//EN")
    theirs.add("version", "2.0")
    theirs.add_component(todo)
    with remote.client() as client:  # e.g. imported by hand into the calendar
        assert client.put(remote.url + "theirs.ics", theirs.to_ical(),
                          {"Content-Type": "text/calendar"}).status == 201
    doc = sync(run)
    assert (doc["created"], doc["errors"]) == (13, [])
    objects = server(remote)
    assert len(objects) == 14
    assert str(objects[path_of(remote.url) + "theirs.ics"]["UID"]) == uid
    assert counts(sync(run)) == (0, 0, 0, 0, 0)


class LosesFirstReply:
    """Wraps a storage: the first create lands on the server but its answer is lost."""

    def __init__(self, storage) -> None:
        self.storage, self.name, self.lost = storage, storage.name, False

    def __getattr__(self, name):
        return getattr(self.storage, name)

    def create(self, uid, data):
        result = self.storage.create(uid, data)
        if not self.lost:
            self.lost = True
            from followup.sync.storage import StorageError

            raise StorageError("remote 'work': the connection was closed by the server")
        return result


def test_a_create_whose_answer_was_lost_is_adopted_by_the_next_push(run: Run, run_json, remote,
                                                                    monkeypatch) -> None:
    from followup.sync import targets as remotes
    from followup.sync.engine import Target

    real = remotes.open_targets
    monkeypatch.setattr(remotes, "open_targets", lambda r: [
        Target(t.name, LosesFirstReply(t.storage), t.components) for t in real(r)])
    added = run(*ADD)  # the push after `add` stops at the lost answer
    assert added.exit_code == 0
    assert added.stderr == ("Warning: remote 'work': the connection was closed by the server; "
                            "the change is saved here and `followup sync` will send it\n")
    assert len(server(remote)) == 1
    monkeypatch.setattr(remotes, "open_targets", real)
    assert run("done", uid_of(run_json, "notes")).stderr == ""  # push only: no listing first
    objects = server(remote)
    assert len(objects) == 14
    assert len({str(c["UID"]) for c in objects.values()}) == 14
    assert counts(sync(run)) == (0, 0, 0, 0, 0)
