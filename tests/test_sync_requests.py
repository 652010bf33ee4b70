"""What followup sends over the wire, counted by a real HTTP hop (http_log.RecordingProxy)
in front of real Radicale, Xandikos and Cyrus servers: discovery, credentials (rule 23)
and the cost of a sync with nothing to do (issue 12, items 7-9).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import Run
from davservers import (  # noqa: F401  (fixtures)
    dav_calendar,
    dav_server,
    free_port,
    radicale_server,
    xandikos_server,
)
from followup.sync.caldav import discover_collections, make_collection
from followup.sync.caldav.connection import sends_in_clear
from followup.sync.storage import PreconditionFailed
from http_log import RecordingProxy, Request, network_address
from test_sync_caldav import ADD, ADD_2, KEYS, PW_ENV, counts, href, server, sync, uid_of

PRINCIPAL = {"radicale": "/alice/", "xandikos": "/alice/"}


def path_of(url: str) -> str:
    return urlsplit(url).path


def principal(dav_server) -> str:
    return PRINCIPAL.get(dav_server.kind) or f"/dav/principals/user/{dav_server.username}/"


def add(run: Run, name: str, url: str, *args: str, user: str = "alice"):
    return run("remote", "add", name, url, "--username", user, "--password-env", PW_ENV, *args)


@pytest.fixture
def recorded(run: Run, dav_calendar, monkeypatch: pytest.MonkeyPatch):
    """`remote add work` for the test's fresh collection, through a RecordingProxy."""
    monkeypatch.setenv(PW_ENV, dav_calendar.password)
    with RecordingProxy(dav_calendar.base_url) as proxy:
        result = add(run, "work", proxy.url_for(dav_calendar.base_url), "--calendar",
                     proxy.url_for(dav_calendar.url), user=dav_calendar.username)
        assert result.exit_code == 0, result.stderr
        yield proxy


# -- discovery and credentials (rule 23) --------------------------------------------------


def test_discovery_from_the_server_root_sends_credentials_up_front(
        run: Run, dav_server, monkeypatch) -> None:
    """Cyrus answers an anonymous PROPFIND on / with 207 <d:unauthenticated/>: with Basic
    credentials in the first request the root leads to the principal and its home, and
    Radicale never answers (and delays) a 401."""
    dav_server.make_collection()  # at least one calendar to find
    monkeypatch.setenv(PW_ENV, dav_server.password)
    with RecordingProxy(dav_server.base_url) as proxy:
        added = add(run, "c", proxy.url_for(dav_server.base_url), user=dav_server.username)
    assert added.exit_code == 0, added.stderr
    assert [(r.method, r.path, r.depth, r.authorized, r.status) for r in proxy.requests] == [
        ("PROPFIND", "/", "0", True, 207),
        ("PROPFIND", principal(dav_server), "0", True, 207),
        ("PROPFIND", path_of(dav_server.home_url), "1", True, 207),
    ]


def test_discovery_falls_back_to_the_well_known_url(dav_server) -> None:
    """A URL that is no DAV resource (a web page, a typo'd path): /.well-known/caldav, its
    redirect followed with the PROPFIND body kept (niquests drops it on a 301, and Cyrus
    then answers an allprop without current-user-principal)."""
    url = dav_server.make_collection(["VTODO"], name=f"Known {free_port()}")
    with RecordingProxy(dav_server.base_url) as proxy:
        found = discover_collections(proxy.url_for(dav_server.base_url) + "not-dav/",
                                     dav_server.username, dav_server.password)
    assert (urlsplit(url).path, {"VTODO"}) in [(urlsplit(u).path, c) for _, u, c in found]
    # not there: Radicale 403 (not alice's), Xandikos 207 holding a 404, Cyrus 405
    first, moved, target = {"radicale": (403, 301, "/"), "xandikos": (207, 302, "/"),
                            "cyrus": (405, 301, "/dav/calendars")}[dav_server.kind]
    assert [(r.method, r.path, r.depth, r.authorized, r.status) for r in proxy.requests] == [
        ("PROPFIND", "/not-dav/", "0", True, first),
        ("PROPFIND", "/.well-known/caldav", "0", True, moved),
        ("PROPFIND", target, "0", True, 207),  # with the body: it names the principal
        ("PROPFIND", principal(dav_server), "0", True, 207),
        ("PROPFIND", path_of(dav_server.home_url), "1", True, 207),
    ]


def test_cyrus_root_url_finds_the_default_calendar(run: Run, monkeypatch) -> None:
    """Issue 12, item 7: `remote add c http://HOST/` on Cyrus (a fresh account holds the
    calendar Cyrus provisions, "Default", which takes events and tasks)."""
    from cyrus import cyrus_dav

    user = cyrus_dav().make_user()
    monkeypatch.setenv(PW_ENV, user.password)
    added = add(run, "c", user.base_url, user=user.username)
    assert added.exit_code == 0, added.stderr
    assert added.stdout.splitlines() == [
        f"Added remote 'c': CalDAV {user.base_url}",
        f"  events: {user.home_url}Default/",
        f"  tasks:  {user.home_url}Default/",
        "Run `followup sync` to send your follow-up there.",
    ]
    assert run(*ADD).exit_code == 0
    assert counts(sync(run)) == (0, 0, 0, 0, 0)  # `add` pushed all 14 already
    cal = type("Cal", (), {"base_url": user.base_url, "username": user.username,
                           "password": user.password, "url": f"{user.home_url}Default/"})
    assert sorted(c.name for c in server(cal).values()) == ["VEVENT"] * 4 + ["VTODO"] * 10


def test_remote_add_creates_a_named_calendar_from_the_root(run: Run, dav_server,
                                                           monkeypatch) -> None:
    """Issue 12, item 7: `--calendar jobs --create` made the calendar (Cyrus said
    "already exists (HTTP 405)", its MKCALENDAR having gone to the root)."""
    monkeypatch.setenv(PW_ENV, dav_server.password)
    name = f"jobs-{free_port()}"
    args = ("--calendar", name, "--create")
    added = add(run, "c", dav_server.base_url, *args, user=dav_server.username)
    assert added.exit_code == 0, added.stderr
    made = f"{dav_server.home_url}{name}/"
    assert added.stdout.splitlines()[1:3] == [f"  events: {made}", f"  tasks:  {made}"]
    # a second machine finds it by name, and nothing is made twice
    assert run("remote", "remove", "c").exit_code == 0
    again = add(run, "c", dav_server.base_url, *args, user=dav_server.username)
    assert again.exit_code == 0, again.stderr
    assert again.stdout.splitlines()[1:3] == [f"  events: {made}", f"  tasks:  {made}"]
    with pytest.raises(PreconditionFailed) as exc:
        make_collection(dav_server.base_url, dav_server.username, dav_server.password,
                        display_name=name, cal_id=name, name="c")
    status = {"radicale": 409, "xandikos": 403, "cyrus": 403}[dav_server.kind]
    assert str(exc.value) == (f"remote 'c': cannot create calendar {name!r}: it already exists "
                              f"(HTTP {status})")


@pytest.mark.parametrize("dav_server", ["radicale", "cyrus"], indirect=True)
def test_a_wrong_password_costs_one_request(run: Run, dav_server, monkeypatch) -> None:
    url = dav_server.make_collection()
    monkeypatch.setenv(PW_ENV, "wr0ng-Secret-42")
    with RecordingProxy(dav_server.base_url) as proxy:
        result = add(run, "work", proxy.url_for(dav_server.base_url), "--calendar",
                     proxy.url_for(url), user=dav_server.username)
    assert (result.exit_code, result.stderr) == (
        1, "Error: remote 'work': wrong username or password (HTTP 401) — check --username "
           "and the password source\n")
    assert proxy.requests == [Request("PROPFIND", "/", "0", True, 401)]


@pytest.mark.parametrize("dav_server", ["radicale", "xandikos"], indirect=True)
def test_no_password_in_clear_over_http_to_another_host(run: Run, dav_server,
                                                        monkeypatch) -> None:
    """Over plain http to a host that is not this machine's loopback, no credentials go
    up front, and a server that asks for Basic gets an error, not the password."""
    host = network_address()
    if host is None:
        pytest.skip("this machine has no network address besides loopback")
    monkeypatch.setenv(PW_ENV, dav_server.password)
    url = dav_server.make_collection()
    with RecordingProxy(dav_server.base_url, host=host) as proxy:
        result = add(run, "work", proxy.url_for(dav_server.base_url), "--calendar",
                     proxy.url_for(url), user=dav_server.username)
    assert not any(r.authorized for r in proxy.requests)
    if dav_server.checks_auth:  # Radicale: Basic only
        assert (result.exit_code, result.stderr) == (
            1, f"Error: remote 'work': {host}:{proxy.port} asks for the password over plain "
               "http://, where anyone on the way could read it; use an https:// URL\n")
        assert [r.status for r in proxy.requests] == [401]
    else:  # Xandikos (no authentication here): works without sending the password
        assert result.exit_code == 0, result.stderr
        assert [r.status for r in proxy.requests] == [207, 207, 207, 207]


@given(st.sampled_from(["http", "https", "HTTP", "HTTPS"]),
       st.one_of(st.ip_addresses().map(lambda a: f"[{a}]" if a.version == 6 else str(a)),
                 st.sampled_from(["localhost", "cal.localhost", "dav.example.org", "nas"])),
       st.one_of(st.none(), st.integers(1, 65535)))
def test_a_password_travels_in_clear_only_over_http_off_loopback(scheme, host, port) -> None:
    import ipaddress

    url = f"{scheme}://{host}{f':{port}' if port else ''}/dav/"
    bare = host.strip("[]")
    try:
        loopback = ipaddress.ip_address(bare).is_loopback
    except ValueError:
        loopback = bare == "localhost" or bare.endswith(".localhost")
    assert sends_in_clear(url) == (scheme.lower() == "http" and not loopback)


# -- the cost of a sync (issue 12, item 9) -------------------------------------------------


def test_push_creates_the_full_profile_then_a_noop_sync_is_one_request(
        run: Run, run_json, dav_calendar, recorded, monkeypatch) -> None:
    monkeypatch.setenv("FOLLOWUP_OFFLINE", "1")
    assert run(*ADD).exit_code == 0
    monkeypatch.delenv("FOLLOWUP_OFFLINE")
    prefix = uid_of(run_json, "notes").removesuffix("notes")
    recorded.clear()
    assert counts(sync(run)) == (14, 0, 0, 0, 0)
    assert sorted(server(dav_calendar)) == sorted(href(dav_calendar, prefix + k) for k in KEYS)
    assert [r.method for r in recorded.requests].count("PUT") == 14
    sync(run)  # sees its own writes: the server's sync-token moved
    recorded.clear()
    assert counts(sync(run)) == (0, 0, 0, 0, 0)
    check = Request("PROPFIND", path_of(dav_calendar.url), "0", True, 207)
    assert recorded.requests == [check]
    # twice the items, added online: `add` pushes them at once (conditional PUTs only)
    recorded.clear()
    assert run(*ADD_2).exit_code == 0
    assert [r.method for r in recorded.requests] == ["PUT"] * 14
    sync(run)
    recorded.clear()
    assert counts(sync(run)) == (0, 0, 0, 0, 0)
    assert recorded.requests == [check]


def test_separate_calendars_noop_sync_is_one_check_each_and_done_one_put(
        run: Run, run_json, dav_server, monkeypatch) -> None:
    """Issue 12, item 9: 8 requests (3 identical PROPFINDs per calendar) before."""
    events_url = dav_server.make_collection(["VEVENT"])
    tasks_url = dav_server.make_collection(["VTODO"])
    monkeypatch.setenv(PW_ENV, dav_server.password)
    with RecordingProxy(dav_server.base_url) as proxy:
        added = add(run, "work", proxy.url_for(dav_server.base_url),
                    "--calendar", proxy.url_for(events_url),
                    "--tasks-calendar", proxy.url_for(tasks_url), user=dav_server.username)
        assert added.exit_code == 0, added.stderr
        assert run(*ADD).exit_code == 0
        sync(run)
        proxy.clear()
        assert counts(sync(run)) == (0, 0, 0, 0, 0)
        assert proxy.requests == [Request("PROPFIND", path_of(events_url), "0", True, 207),
                                  Request("PROPFIND", path_of(tasks_url), "0", True, 207)]
        proxy.clear()
        notes = uid_of(run_json, "notes")
        assert run("done", notes).exit_code == 0  # pushed at once: nothing but the write
        assert [(r.method, r.path, r.authorized) for r in proxy.requests] == [
            ("PUT", f"{path_of(tasks_url)}{notes}.ics", True)]
        assert proxy.requests[0].status in (201, 204)
