"""The subscription feed (issue 5): the real `followup serve` on a free port, over HTTP."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import logging
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import icalendar
import pytest
from click.testing import CliRunner, Result
from ical.calendar_stream import IcsCalendarStream

from conftest import NOW, USER_TZ
from followup.app.service import Service
from followup.cli import cli
from followup.config import Paths, load_config
from followup.feed import server as feed
from followup.feed.publish import ensure_token

ACME = ("add", "--company", "Acme", "--role", "Data Engineer", "--at", "2026-12-01 14:00",
        "--tz", "Europe/London", "--interviewer", "Jane Doe <jane@acme.example>")
GLOBEX = ("add", "--company", "Globex", "--role", "Analyst", "--at", "2026-12-03 10:00",
          "--tz", "America/New_York", "--interviewer", "Bo Li <bo@globex.example>")
DONE_AT = "2026-12-01T16:00:00+00:00"
OUTCOME_AT = "2026-12-04T09:30:00+00:00"
ETAG = re.compile(r'"[0-9a-f]{32}"')
NOT_FOUND = b"Not found.\n"
NOW_DT = dt.datetime.fromisoformat(NOW)


def followup(home: Path, *args: str, now: str = NOW) -> Result:
    env = {"FOLLOWUP_HOME": str(home), "FOLLOWUP_NOW": now, "FOLLOWUP_DEBUG": None}
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result


def make_home(folder: Path, config: str = "") -> Path:
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text(f'timezone = "{USER_TZ}"\n{config}')
    return folder


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    token: str
    stdout: Path
    stderr: Path
    lines: list[str] = field(default_factory=list)

    def url(self, profile: str = "events", token: str | None = None) -> str:
        return f"/{self.token if token is None else token}/{profile}.ics"

    def request(self, path: str, method: str = "GET", headers: dict[str, str] | None = None,
                body: bytes | None = None) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            # skip_host etc. are not wanted: a plain client, as calendar apps are.
            conn.request(method, path, body=body, headers=headers or {})
            answer = conn.getresponse()
            return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()},
                            answer.read())
        finally:
            conn.close()

    def raw(self, data: bytes) -> bytes:
        """Bytes on a socket, for what http.client refuses to send."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
            sock.sendall(data)
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.process.send_signal(sig)
        return self.process.wait(timeout=15)


@contextmanager
def serving(home: Path, *options: str) -> Iterator[Server]:
    """`followup serve --port 0` in a subprocess; the port and token come from what it prints."""
    out, err = home / "serve.out", home / "serve.err"
    env = {**os.environ, "FOLLOWUP_HOME": str(home), "FOLLOWUP_NOW": NOW}
    env.pop("FOLLOWUP_DEBUG", None)
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "followup", "serve", "--port", "0",
                                    *options], stdout=stdout, stderr=stderr, env=env)
    try:
        deadline = time.monotonic() + 15
        while "Serving on" not in out.read_text("utf-8"):
            assert process.poll() is None, err.read_text("utf-8")
            assert time.monotonic() < deadline, "serve did not start"
            time.sleep(0.02)
        lines = out.read_text("utf-8").splitlines()
        port = int(lines[-1].split(":")[2].split()[0])
        token = lines[1].split("/")[3]
        yield Server(process, port, token, out, err, lines)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=15)
    assert process.returncode == 0, err.read_text("utf-8")


def parse(body: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(body)


# -- one shared server over two interviews: one step done, one interview rejected ----------


@pytest.fixture(scope="module")
def shared_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = make_home(tmp_path_factory.mktemp("feed") / "home")
    assert followup(home, *ACME).exit_code == 0
    assert followup(home, *GLOBEX).exit_code == 0
    assert followup(home, "done", "2", now=DONE_AT).exit_code == 0
    assert followup(home, "outcome", "2", "rejected", now=OUTCOME_AT).exit_code == 0
    return home


@pytest.fixture(scope="module")
def server(shared_home: Path) -> Iterator[Server]:
    with serving(shared_home) as running:
        yield running


def test_serve_prints_each_profile_s_urls_and_how_to_subscribe(server: Server) -> None:
    base = f"http://127.0.0.1:{server.port}/{server.token}"
    webcal = f"webcal://127.0.0.1:{server.port}/{server.token}"
    assert len(server.token) == 32
    assert server.lines == [
        "page    Your plan with buttons, and QR codes to subscribe from a phone",
        f"  {base}/",
        "events  Google Calendar, Outlook, Apple Calendar",
        f"  {base}/events.ics",
        f"  {webcal}/events.ics",
        "full    Thunderbird, Evolution, Nextcloud (events and tasks)",
        f"  {base}/full.ics",
        f"  {webcal}/full.ics",
        "tasks   Apple Reminders, todoman (tasks only)",
        f"  {base}/tasks.ics",
        f"  {webcal}/tasks.ics",
        "",
        "Google Calendar:  Settings → Add calendar → From URL; paste the events http(s) URL.",
        "Apple Calendar:   File → New Calendar Subscription; paste the events webcal:// URL.",
        "Outlook:          Add calendar → Subscribe from web; paste the events webcal:// URL.",
        "Phones and Google Calendar fetch the feed from the internet, so these URLs work for them",
        "only if this address is reachable from there: put the server behind a reverse proxy with",
        "https and print its URLs with --base-url (or base_url under [feed] in config.toml).",
        "",
        f"Serving on http://127.0.0.1:{server.port} (Ctrl-C stops).",
    ]


def test_feed_urls_prints_the_same_urls_without_serving(server: Server, shared_home: Path) -> None:
    result = followup(shared_home, "feed", "urls", "--port", str(server.port), "--json")
    assert result.exit_code == 0, result.stderr
    base = f"http://127.0.0.1:{server.port}"
    assert json.loads(result.stdout) == {
        "base_url": base,
        "page": f"{base}/{server.token}/",
        "feeds": {
            profile: {
                "url": f"{base}/{server.token}/{profile}.ics",
                "webcal": f"webcal://127.0.0.1:{server.port}/{server.token}/{profile}.ics",
                "clients": clients,
            }
            for profile, clients in (
                ("events", "Google Calendar, Outlook, Apple Calendar"),
                ("full", "Thunderbird, Evolution, Nextcloud (events and tasks)"),
                ("tasks", "Apple Reminders, todoman (tasks only)"),
            )
        },
    }
    text = followup(shared_home, "feed", "urls", "--port", str(server.port)).stdout
    assert text.splitlines() == server.lines[:-2]


def test_get_answers_with_the_feed_headers(server: Server) -> None:
    for profile in ("events", "full", "tasks"):
        answer = server.request(server.url(profile))
        assert answer.status == 200
        assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
        assert answer.headers["content-disposition"] == f'inline; filename="followup-{profile}.ics"'
        assert ETAG.fullmatch(answer.headers["etag"])
        assert answer.headers["last-modified"] == "Fri, 04 Dec 2026 09:30:00 GMT"
        assert answer.headers["cache-control"] == "private, no-cache"
        assert answer.headers["content-length"] == str(len(answer.body))
        assert answer.body.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    tags = {server.request(server.url(p)).headers["etag"] for p in ("events", "full", "tasks")}
    assert len(tags) == 3


def test_no_content_negotiation(server: Server) -> None:
    plain = server.request(server.url())
    for accept in ("text/html", "application/json", "*/*", "nonsense"):
        answer = server.request(server.url(), headers={"Accept": accept})
        assert (answer.status, answer.body) == (200, plain.body)
        assert answer.headers["content-type"] == "text/calendar; charset=utf-8"


def test_calendar_header_follows_the_feed_rules(server: Server) -> None:
    body = server.request(server.url()).body
    lines = body.split(b"BEGIN:VTIMEZONE")[0].decode().split("\r\n")
    assert lines == [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//followup//followup//EN",
        "CALSCALE:GREGORIAN", "NAME:Job search follow-up", "X-WR-CALNAME:Job search follow-up",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H",
        "X-WR-TIMEZONE:Europe/London", "",
    ]
    cal = parse(body)
    assert cal["X-WR-TIMEZONE"] == "Europe/London"
    assert "METHOD" not in cal


def test_every_profile_parses_in_icalendar_and_the_strict_ical_package(server: Server) -> None:
    counts = {}
    for profile in ("events", "full", "tasks"):
        text = server.request(server.url(profile)).body.decode("utf-8")
        strict = IcsCalendarStream.calendar_from_ics(text)
        loose = parse(text.encode())
        counts[profile] = (len(strict.events), len(strict.todos))
        assert counts[profile] == (len(loose.walk("VEVENT")), len(loose.walk("VTODO")))
        assert {tz.tz_id for tz in strict.timezones} == {"Europe/London", "America/New_York"}
    # events: all 12 Acme and 13 Globex items (the rejection added a gracious reply).
    # full: per interview the interview, the decision day and the two call slots as
    # events, and every action (10 and 11) as a VTODO.
    assert counts == {"events": (25, 0), "full": (8, 21), "tasks": (0, 21)}


def test_events_feed_shows_check_offs_and_cancellations(server: Server) -> None:
    cal = parse(server.request(server.url("events")).body)
    assert cal.walk("VTODO") == []
    summaries = {str(e["SUMMARY"]): str(e["STATUS"]) for e in cal.walk("VEVENT")}
    assert summaries["✓ Ask Acme when they will decide"] == "CONFIRMED"
    assert "Ask Acme when they will decide" not in summaries
    assert [s for s in summaries if s.startswith("✓ ")] == ["✓ Ask Acme when they will decide"]
    cancelled = sorted(s for s, status in summaries.items() if status == "CANCELLED")
    assert cancelled == [  # Outlook shows only the title of a cancelled appointment (rule 25)
        "Cancelled: Call Globex a second time", "Cancelled: Call Globex about the Analyst role",
        "Cancelled: Close the Globex application and move on",
        "Cancelled: Email Globex for a status update",
        "Cancelled: Globex said they would decide (assumed)", "Cancelled: Prepare the call to Globex",
        "Cancelled: Send a formal note to Bo Li (Globex)", "Cancelled: Send a thank-you email to Globex",
    ]
    assert len({str(e["UID"]) for e in cal.walk("VEVENT")}) == len(cal.walk("VEVENT")) == 25


def test_same_state_gives_the_same_bytes_and_etag(server: Server) -> None:
    first, second = server.request(server.url()), server.request(server.url())
    assert first.body == second.body
    assert first.headers["etag"] == second.headers["etag"]
    assert first.headers["last-modified"] == second.headers["last-modified"]


def test_if_none_match_and_if_modified_since_give_304(server: Server) -> None:
    full = server.request(server.url())
    etag, modified = full.headers["etag"], full.headers["last-modified"]
    for headers in (
        {"If-None-Match": etag},
        {"If-None-Match": f'"other", W/{etag}'},
        {"If-None-Match": "*"},
        {"If-Modified-Since": modified},
        {"If-Modified-Since": "Sat, 05 Dec 2026 00:00:00 GMT"},
    ):
        answer = server.request(server.url(), headers=headers)
        assert (answer.status, answer.body) == (304, b""), headers
        assert answer.headers["etag"] == etag
        assert answer.headers["last-modified"] == modified
        assert "content-type" not in answer.headers
    for headers in (
        {"If-None-Match": '"other"'},
        # If-None-Match decides when both are sent (RFC 9110 13.2.2)
        {"If-None-Match": '"other"', "If-Modified-Since": modified},
        {"If-Modified-Since": "Fri, 04 Dec 2026 09:29:59 GMT"},
        {"If-Modified-Since": "not a date"},
    ):
        answer = server.request(server.url(), headers=headers)
        assert (answer.status, answer.body) == (200, full.body), headers


def test_head_gives_the_get_headers_without_a_body(server: Server) -> None:
    get = server.request(server.url("full"))
    head = server.request(server.url("full"), method="HEAD")
    assert head.status == 200
    assert head.body == b""
    get.headers.pop("date"), head.headers.pop("date")
    assert head.headers == get.headers
    assert server.request(server.url("full"), method="HEAD",
                          headers={"If-None-Match": get.headers["etag"]}).status == 304


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND"])
def test_anything_but_get_and_head_is_405(server: Server, method: str) -> None:
    for path in (server.url(), "/wrong/events.ics"):
        answer = server.request(path, method=method, body=b"x" if method != "DELETE" else None)
        assert answer.status == 405
        assert answer.headers["allow"] == "GET, HEAD"
        assert answer.body == b"Read-only.\n"


def test_wrong_token_unknown_profile_and_traversal_are_a_bare_404(server: Server) -> None:
    token = server.token
    wrong = ("A" if token[0] != "A" else "B") + token[1:]
    paths = [
        f"/{wrong}/events.ics", "/events.ics", f"/{token}", f"/{wrong}/", "/", f"/{token}//",
        f"/{token}/all.ics", f"/{token}/events.ICS", f"/{token}/events.ics/",
        f"/{token}/../{token}/events.ics", f"/../{token}/events.ics", "/../../etc/passwd",
        f"/%2e%2e/{token}/events.ics", f"/{token}/..%2fevents.ics",
        f"/{token}/events", f"/{token}x/events.ics", f"/{token.lower()}/events.ics",
    ]
    baseline = server.request(f"/{wrong}/events.ics")
    for path in paths:
        answer = server.request(path)
        assert (answer.status, answer.body) == (404, NOT_FOUND), path
        assert set(answer.headers) == set(baseline.headers), path
        assert answer.headers["content-type"] == "text/plain; charset=utf-8"
    assert server.request(server.url()).status == 200


def test_two_hundred_concurrent_gets_all_succeed_alike(server: Server) -> None:
    def get(_: int) -> Response:
        return server.request(server.url())

    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(get, range(200)))
    assert [a.status for a in answers] == [200] * 200
    assert len({a.body for a in answers}) == 1
    assert len({a.headers["etag"] for a in answers}) == 1


def test_huge_header_is_431_and_the_server_goes_on(server: Server) -> None:
    answer = server.request(server.url(), headers={"X-Big": "x" * 100_000})
    assert answer.status == 431
    assert server.request(server.url()).status == 200


@pytest.mark.parametrize(("junk", "status_line"), [
    (b"NONSENSE\r\n\r\n", b"HTTP/1.0 400 Bad Request"),
    (b"GET /x HTTP/1.1\r\nNo colon here\r\n\r\n", b"HTTP/1.0 400 Bad Request"),
    (b"GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n", b"HTTP/1.1 400 Bad Request"),
    (b"GET /\xff\xfe HTTP/1.1\r\n\r\n", b"HTTP/1.1 400 Bad Request"),
    (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", b"HTTP/1.0 400 Bad Request"),  # TLS
    (b"GET /x HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", b"HTTP/1.1 501 Not Implemented"),
])
def test_malformed_requests_are_refused_and_the_server_goes_on(
        server: Server, junk: bytes, status_line: bytes) -> None:
    assert server.raw(junk).split(b"\r\n", 1)[0] == status_line
    assert server.request(server.url()).status == 200


def test_a_writer_holding_the_lock_does_not_stop_the_feed(server: Server,
                                                          shared_home: Path) -> None:
    before = server.request(server.url())
    writer = sqlite3.connect(shared_home / "followup.db", isolation_level=None)
    try:
        # What `followup done` does while it works: BEGIN IMMEDIATE and uncommitted writes.
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE meta SET value = value + 1 WHERE key = 'revision'")
        writer.execute("UPDATE items SET summary = 'half-written'")
        started = time.monotonic()
        during = server.request(server.url())
        elapsed = time.monotonic() - started
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    # WAL: the reader sees the last committed state at once, not a 503.
    assert (during.status, during.body) == (200, before.body)
    assert during.headers["etag"] == before.headers["etag"]
    assert elapsed < 1.0


def test_access_log_never_shows_the_token(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    followup(home, *ACME)
    with serving(home) as running:
        token = running.token
        running.request(running.url())
        running.request(f"/../{token}/events.ics")
        running.request(f"/{token}/nope/../events.ics?token={token}")
        running.request(f"/{token}", method="POST")
        running.request(running.url(), headers={"X-Big": "x" * 100_000})
    log = running.stderr.read_text("utf-8")
    assert token not in log
    assert token not in running.stdout.read_text("utf-8").split("Serving on")[1]
    requests = [line.split(" ", 2)[2] for line in log.splitlines()]
    assert requests == [
        '127.0.0.1 "GET /***/events.ics HTTP/1.1" 200 ' + str(len(followup_bytes(home))),
        '127.0.0.1 "GET /***/events.ics HTTP/1.1" 404 11',
        '127.0.0.1 "GET /***/events.ics HTTP/1.1" 404 11',
        '127.0.0.1 "POST /*** HTTP/1.1" 405 11',
    ]


def followup_bytes(home: Path, profile: str = "events") -> bytes:
    out = home / f"published-{profile}.ics"
    assert followup(home, "publish", str(out), "--profile", profile).exit_code == 0
    return out.read_bytes()


# -- servers of their own, for tests that change the store -----------------------------------


def test_a_change_gives_a_new_etag_without_a_restart(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    followup(home, *ACME)
    with serving(home) as running:
        first = running.request(running.url())
        assert b"SUMMARY:Send a thank-you email to Acme\r\n" in first.body

        assert followup(home, "done", "5", now=DONE_AT).exit_code == 0
        checked = running.request(running.url(), headers={"If-None-Match": first.headers["etag"]})
        assert checked.status == 200
        assert checked.headers["etag"] != first.headers["etag"]
        assert checked.headers["last-modified"] == "Tue, 01 Dec 2026 16:00:00 GMT"
        assert b"SUMMARY:\xe2\x9c\x93 Send a thank-you email to Acme\r\n" in checked.body
        assert running.request(running.url(),
                               headers={"If-None-Match": checked.headers["etag"]}).status == 304

        assert followup(home, "outcome", "1", "offer", now=OUTCOME_AT).exit_code == 0
        offered = running.request(running.url())
        assert offered.headers["etag"] not in (first.headers["etag"], checked.headers["etag"])
        statuses = {str(e["SUMMARY"]): str(e["STATUS"]) for e in parse(offered.body).walk("VEVENT")}
        assert statuses["Cancelled: Call Acme a second time"] == "CANCELLED"

        assert followup(home, *GLOBEX).exit_code == 0
        added = running.request(running.url())
        assert added.headers["etag"] != offered.headers["etag"]
        assert b"Interview: Analyst at Globex" in added.body
        assert added.body == followup_bytes(home)
    # A new process over the same state: the same bytes and the same tag.
    with serving(home) as again:
        restarted = again.request(again.url())
    assert (restarted.body, restarted.headers["etag"]) == (added.body, added.headers["etag"])


def test_rotate_invalidates_the_old_token_at_once(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    followup(home, *ACME)
    with serving(home) as running:
        old = running.request(running.url())
        assert old.status == 200
        result = followup(home, "feed", "rotate", "--json")
        assert result.exit_code == 0, result.stderr
        new_url = json.loads(result.stdout)["feeds"]["events"]["url"]
        new_token = new_url.split("/")[3]
        assert new_token != running.token and len(new_token) == 32
        gone = running.request(running.url())
        assert (gone.status, gone.body) == (404, NOT_FOUND)
        fresh = running.request(running.url(token=new_token))
        assert fresh.status == 200
        # The token is not part of the state: same bytes, same tag.
        assert (fresh.body, fresh.headers["etag"]) == (old.body, old.headers["etag"])
    text = followup(home, "feed", "rotate").stdout.splitlines()
    assert text[0] == "New feed token issued; the old URLs now answer 404. Subscribe again with:"
    assert new_token not in "\n".join(text)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_stops_cleanly_on_a_signal(tmp_path: Path, sig: int) -> None:
    home = make_home(tmp_path / "home")
    with serving(home) as running:
        assert running.request(running.url()).status == 200
        assert running.stop(sig) == 0
    assert running.stdout.read_text("utf-8").splitlines()[-1] == "Stopped."
    assert running.stderr.read_text("utf-8").count("Traceback") == 0
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", running.port), timeout=2).close()


# -- without a server -----------------------------------------------------------------------


def wsgi_get(app: Any, path: str, headers: dict[str, str] | None = None
             ) -> tuple[str, dict[str, str], bytes]:
    answer: list[Any] = []

    def start_response(status: str, response_headers: list[tuple[str, str]]) -> None:
        answer.extend([status, dict(response_headers)])

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "SERVER_PROTOCOL": "HTTP/1.1",
               **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in (headers or {}).items()}}
    body = b"".join(app(environ, start_response))
    return answer[0], answer[1], body


def service_for(home: Path) -> Service:
    where = Paths(data=home, config=home)
    return Service(where, load_config(where), NOW_DT)


def test_a_locked_database_is_503_with_retry_after_and_the_app_recovers(tmp_path: Path) -> None:
    """A reader under WAL is not blocked by a writer; when SQLite still says busy (recovery,
    an exclusive lock), the answer is a quick 503 and the next request opens a fresh
    connection."""
    home = make_home(tmp_path / "home")
    followup(home, *ACME)

    class LockedStore:
        db = sqlite3.connect(":memory:")
        closed = False

        def snapshot(self) -> Any:
            raise sqlite3.OperationalError("database is locked")

        def close(self) -> None:
            LockedStore.closed = True

    class LockedSource:
        store = LockedStore()

    sources: list[Any] = [LockedSource(), service_for(home)]
    token = ensure_token(sources[1].store, NOW_DT)
    log: list[str] = []
    app = feed.FeedApp(lambda: sources.pop(0), USER_TZ, log=log.append)
    status, headers, body = wsgi_get(app, f"/{token}/events.ics")
    assert (status, headers["Retry-After"], body) == (
        "503 Service Unavailable", "5", b"Busy; try again shortly.\n")
    assert LockedStore.closed
    status, headers, body = wsgi_get(app, f"/{token}/events.ics")
    assert status == "200 OK"
    assert body.startswith(b"BEGIN:VCALENDAR")
    assert log == ['- "GET /***/events.ics HTTP/1.1" 503 25',
                   f'- "GET /***/events.ics HTTP/1.1" 200 {len(body)}']


def test_a_burst_of_polls_renders_once_per_change(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    followup(home, *ACME)
    renders: list[str] = []

    class Counting(Service):
        def calendar_bytes(self, profile: str = "full", feed: Any = None,
                           leave_out: Any = ()) -> bytes:
            renders.append(profile)
            time.sleep(0.05)  # long enough for the whole burst to arrive meanwhile
            return super().calendar_bytes(profile, feed, leave_out)

    token = ensure_token(service_for(home).store, NOW_DT)
    app = feed.FeedApp(lambda: Counting(Paths(home, home), load_config(Paths(home, home)),
                                        NOW_DT), USER_TZ)
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda _: wsgi_get(app, f"/{token}/events.ics"), range(64)))
    assert {a[0] for a in answers} == {"200 OK"}
    assert len({a[2] for a in answers}) == 1
    assert renders == ["events"]
    followup(home, "done", "3", now=DONE_AT)
    wsgi_get(app, f"/{token}/events.ics")
    wsgi_get(app, f"/{token}/events.ics")
    assert renders == ["events", "events"]


def test_waitress_log_messages_lose_the_token() -> None:
    token = "9ld2oZmmEfG32R7CflVMi8hbzFoZswaS"
    record = logging.LogRecord("waitress", logging.INFO, __file__, 1,
                               "Client disconnected while serving %s",
                               (f"/{token}/events.ics",), None)
    assert feed.RedactTokens().filter(record)
    assert record.getMessage() == "Client disconnected while serving /***/events.ics"
    assert [feed.redact(p) for p in ("/", f"/{token}/events.ics", f"/../{token}/tasks.ics",
                                     f"/{token}", f"/{token}/../x")] == [
        "/", "/***/events.ics", "/***/tasks.ics", "/***", "/***"]


def test_publish_writes_the_served_bytes_atomically(server: Server, shared_home: Path,
                                                    tmp_path: Path) -> None:
    target = tmp_path / "site" / "feed.ics"
    result = followup(shared_home, "publish", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Published the events feed to {target}\n"
    assert target.read_bytes() == server.request(server.url()).body
    assert [p.name for p in target.parent.iterdir()] == ["feed.ics"]  # no temp file left
    followup(shared_home, "publish", str(target), "--profile", "tasks")
    assert target.read_bytes() == server.request(server.url("tasks")).body


def test_publish_without_a_path_refreshes_the_configured_files(tmp_path: Path) -> None:
    a, b = tmp_path / "a.ics", tmp_path / "sync" / "b.ics"
    home = make_home(tmp_path / "home",
                     f'[feed]\npublish = ["{a}", {{path = "{b}", profile = "full"}}]\n')
    followup(home, *ACME)
    result = followup(home, "publish")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Published {a}\nPublished {b}\n"
    assert a.read_bytes() == followup_bytes(home, "events")
    assert b.read_bytes() == followup_bytes(home, "full")


def test_every_change_refreshes_the_configured_files(tmp_path: Path) -> None:
    a = tmp_path / "a.ics"
    home = make_home(tmp_path / "home", f'[feed]\npublish = ["{a}"]\n')
    followup(home, *ACME)
    assert a.read_bytes() == followup_bytes(home)
    assert followup(home, "done", "5", now=DONE_AT).exit_code == 0
    assert "✓ Send a thank-you email to Acme" in a.read_text("utf-8")
    followup(home, "outcome", "1", "offer", now=OUTCOME_AT)
    assert a.read_bytes() == followup_bytes(home)
    assert "STATUS:CANCELLED" in a.read_text("utf-8")


def test_a_publish_file_that_cannot_be_written_warns_and_keeps_the_change(
        tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    home = make_home(tmp_path / "home", f'[feed]\npublish = ["{blocker}/a.ics"]\n')
    result = followup(home, *ACME)
    assert result.exit_code == 0
    assert result.stderr == (f"Warning: cannot publish the feed to {blocker}/a.ics: File exists;"
                             " the change itself is saved.\n")
    assert result.stdout.startswith("Added interview 1.\n")


def test_usage_errors(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home", '[feed]\npublish = "x.ics"\nbase_url = 5\n')
    result = followup(home, "feed", "urls")
    assert (result.exit_code, result.stderr) == (
        2, f"Error: {home / 'config.toml'}: [feed] base_url must be a string\n")
    # The whole config is checked up front: any command names the bad key.
    assert followup(home, "list").stderr == f"Error: {home / 'config.toml'}: [feed] base_url must be a string\n"
    result = followup(make_home(tmp_path / "ok"), "feed", "urls", "--base-url", "cal.example.org")
    assert (result.exit_code, result.stderr) == (
        2, "Error: base URL 'cal.example.org' must look like https://cal.example.org\n")
    result = followup(make_home(tmp_path / "bare"), "publish")
    assert (result.exit_code, result.stderr) == (
        2, "Error: give a PATH, or list files under [feed] publish in config.toml\n")


def test_base_url_from_config_and_option(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home", '[feed]\nbase_url = "https://cal.example.org/me/"\n')
    doc = json.loads(followup(home, "feed", "urls", "--json").stdout)
    token = doc["feeds"]["events"]["url"].split("/")[4]
    assert doc["feeds"]["events"]["url"] == f"https://cal.example.org/me/{token}/events.ics"
    assert doc["feeds"]["events"]["webcal"] == f"webcal://cal.example.org/me/{token}/events.ics"
    text = followup(home, "feed", "urls").stdout
    assert "reverse proxy" not in text  # a public https address needs no warning
    doc = json.loads(followup(home, "feed", "urls", "--json", "--base-url",
                              "http://10.0.0.2:9000").stdout)
    assert doc["base_url"] == "http://10.0.0.2:9000"


def test_serve_on_a_busy_port_says_so(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = followup(home, "serve", "--port", str(port))
    assert result.exit_code == 1
    assert result.stderr == (f"Error: cannot listen on 127.0.0.1:{port}: Address already in use;"
                             " choose another --port\n")
