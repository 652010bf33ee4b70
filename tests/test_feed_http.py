"""The feed server over HTTP (issue 12, item 15): idle connections do not starve real
clients, gzip when the client accepts it (each coding with its own ETag), and a
Last-Modified that tells apart two changes made within the same second."""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
import socket
from pathlib import Path

import pytest

from conftest import NOW
from followup.feed import server as feed
from test_feed import ACME, followup, make_home, serving


def parse_http_date(text: str) -> dt.datetime:
    return email.utils.parsedate_to_datetime(text)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = make_home(tmp_path_factory.mktemp("http") / "home")
    assert followup(folder, *ACME).exit_code == 0
    return folder


def test_a_crowd_of_idle_connections_does_not_starve_a_real_client(home: Path) -> None:
    """110 clients that connect and say nothing: with a limit of 100 connections and idle
    ones closed only after 30 s, the 111th client waited 30 s. Now it is answered at once."""
    with serving(home) as running:
        idle = [socket.create_connection(("127.0.0.1", running.port), timeout=10) for _ in range(110)]
        try:
            with socket.create_connection(("127.0.0.1", running.port), timeout=3) as client:
                client.sendall(f"GET {running.url()} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                head = client.recv(64)  # raises TimeoutError when starved
        finally:
            for sock in idle:
                sock.close()
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")


def test_the_server_settings_for_many_clients() -> None:
    assert {key: feed.SERVER_OPTIONS[key] for key in
            ("connection_limit", "channel_timeout", "cleanup_interval", "asyncore_use_poll")} == {
        "connection_limit": 1000, "channel_timeout": 10, "cleanup_interval": 2,
        "asyncore_use_poll": True}
    import resource

    limit = feed._connection_limit()
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    assert limit == 1000 or limit == soft - 64


@pytest.mark.parametrize(("header", "wanted"), [
    (None, False), ("", False), ("identity", False), ("deflate", False), ("br", False),
    ("gzip", True), ("GZIP", True), ("x-gzip", True), ("gzip, deflate, br", True),
    ("br;q=1.0, gzip;q=0.8, *;q=0.1", True), ("*", True),
    ("gzip;q=0", False), ("gzip; q=0.000", False), ("*;q=0", False), ("gzip;q=0, *", False),
    ("deflate, *;q=0.5", True), ("gzip;q=nonsense", False),
])
def test_accept_encoding_is_honoured(header: str | None, wanted: bool) -> None:
    assert feed.accepts_gzip(header) is wanted


def test_gzip_when_asked_with_its_own_etag_and_the_same_bytes_inside(home: Path) -> None:
    with serving(home) as running:
        plain = running.request(running.url("full"))
        packed = running.request(running.url("full"), headers={"Accept-Encoding": "gzip, deflate, br"})
        head = running.request(running.url("full"), method="HEAD",
                               headers={"Accept-Encoding": "gzip"})
        again = running.request(running.url("full"), headers={"Accept-Encoding": "gzip"})
        # A tag names one representation: the plain one's tag does not match the gzip one.
        cross = running.request(running.url("full"), headers={
            "Accept-Encoding": "gzip", "If-None-Match": plain.headers["etag"]})
        same = running.request(running.url("full"), headers={
            "Accept-Encoding": "gzip", "If-None-Match": packed.headers["etag"]})
        back = running.request(running.url("full"), headers={"If-None-Match": packed.headers["etag"]})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["vary"] == plain.headers["vary"] == "Accept-Encoding"
    assert gzip.decompress(packed.body) == plain.body
    assert len(packed.body) < len(plain.body) / 4
    assert packed.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'
    assert packed.headers["last-modified"] == plain.headers["last-modified"]
    assert packed.headers["content-length"] == str(len(packed.body))
    assert (head.status, head.body, head.headers["content-length"]) == (200, b"", str(len(packed.body)))
    assert again.body == packed.body  # deterministic: no time stamp in the gzip header
    assert (cross.status, cross.body) == (200, packed.body)
    assert (same.status, same.body) == (304, b"")
    assert same.headers["vary"] == "Accept-Encoding"
    assert (back.status, back.body) == (200, plain.body)


def test_if_modified_since_sees_a_second_change_within_the_same_second(tmp_path: Path) -> None:
    """HTTP dates have one-second resolution: two changes in one second used to share a
    Last-Modified, and a client asking If-Modified-Since got 304 for the second."""
    home = make_home(tmp_path / "home")
    assert followup(home, *ACME).exit_code == 0
    with serving(home) as running:
        first = running.request(running.url())
        assert followup(home, "done", "3", now=NOW).exit_code == 0  # the same second as the add
        second = running.request(running.url(), headers={
            "If-Modified-Since": first.headers["last-modified"]})
        assert second.status == 200
        assert b"SUMMARY:\xe2\x9c\x93 Get Acme interviewers' contact details" in second.body
        assert parse_http_date(second.headers["last-modified"]) == (
            parse_http_date(first.headers["last-modified"]) + dt.timedelta(seconds=1))
        assert running.request(running.url(), headers={
            "If-Modified-Since": second.headers["last-modified"]}).status == 304
        # A later change at a later time takes its own time again.
        assert followup(home, "done", "4", now="2026-11-28T15:00:00+00:00").exit_code == 0
        third = running.request(running.url(), headers={
            "If-Modified-Since": second.headers["last-modified"]})
    assert third.status == 200
    assert third.headers["last-modified"] == "Sat, 28 Nov 2026 15:00:00 GMT"


def test_last_modified_of_a_database_from_before_the_stamp(tmp_path: Path) -> None:
    """A revision made by an older followup (no stamp) still gets a later Last-Modified."""
    from followup.feed.publish import STAMP_KEY, Hidden, last_modified
    from followup.store import Store

    home = make_home(tmp_path / "home")
    assert followup(home, *ACME).exit_code == 0
    store = Store(home / "followup.db")
    assert last_modified(store, Hidden()) == dt.datetime.fromisoformat(NOW)
    store.db.execute("UPDATE meta SET value = value + 1 WHERE key = 'revision'")  # no stamp
    assert last_modified(store, Hidden()) == dt.datetime.fromisoformat(NOW) + dt.timedelta(seconds=1)
    store.db.execute("DELETE FROM meta WHERE key = ?", (STAMP_KEY,))
    assert last_modified(store, Hidden()) == dt.datetime.fromisoformat(NOW)  # the items' newest
    store.close()
