"""The subscription feed: a read-only WSGI app serving `/<token>/<profile>.ics` from the store.

Pure over the store and the renderer (no Click, no clock): `followup serve` wires it to
waitress, `followup publish` and the `[feed] publish` config use the same bytes.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import hmac
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from followup import __version__
from followup.feed.publish import FEED_PROFILES, SINCE_KEY, TOKEN_KEY, feed_properties
from followup.store import Store

RETRY_AFTER_SECONDS = 5
# A reader under WAL never waits for a writer; when SQLite still says busy (recovery,
# an exclusive lock) answer 503 quickly instead of tying up a worker for 30 s.
BUSY_TIMEOUT_MS = 2000

# Waitress settings for a feed: calendar clients send a few small headers and no body.
SERVER_OPTIONS: dict[str, Any] = {
    "threads": 4,
    "connection_limit": 100,
    "max_request_header_size": 32 * 1024,
    "max_request_body_size": 64 * 1024,
    "channel_timeout": 30,
    "asyncore_use_poll": True,  # select() fails past 1024 descriptors
    "expose_tracebacks": False,
    "ident": "followup",
}

_PATH = re.compile(r"/([A-Za-z0-9_-]{16,128})/([a-z]+)\.ics")
_FILE = re.compile(r"[a-z]{1,16}\.ics")


def redact(path: str) -> str:
    """A request path fit for a log: only a profile file name may show, never a token.

    Any segment could be a token (`/../<token>/events.ics`), so all but such a last one go.
    """
    if path in ("", "/"):
        return path
    last = path.rsplit("/", 1)[-1]
    return "/***/" + last if _FILE.fullmatch(last) else "/***"


# -- what the feed renders -----------------------------------------------------------------


class Source(Protocol):
    """What the feed reads: a store and a renderer over it (followup.app.service.Service
    satisfies it; feed.calendar.calendar_bytes does the rendering)."""

    @property
    def store(self) -> Store: ...

    def calendar_bytes(self, profile: str = ..., feed: Any = ...) -> bytes: ...


# -- HTTP ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    token: str | None
    revision: int
    last_modified: dt.datetime | None


def read_state(store: Store) -> State:
    """Token, revision and newest change, in the caller's snapshot."""
    newest = store.newest_modified()
    newest = newest or store.get_meta(SINCE_KEY)
    return State(
        token=store.get_meta(TOKEN_KEY),
        revision=store.revision(),
        last_modified=dt.datetime.fromisoformat(newest).replace(microsecond=0) if newest else None,
    )


def entity_tag(revision: int, profile: str, user_tz: str) -> str:
    """Same state, same tag, whatever the token; X-WR-TIMEZONE is part of the bytes."""
    digest = hashlib.sha256(f"{revision}\x1f{profile}\x1f{user_tz}\x1f{__version__}".encode())
    return f'"{digest.hexdigest()[:32]}"'


def http_date(moment: dt.datetime) -> str:
    return email.utils.format_datetime(moment.astimezone(dt.timezone.utc), usegmt=True)


def not_modified(environ: Mapping[str, Any], etag: str, last_modified: dt.datetime | None) -> bool:
    """RFC 9110 13.2.2: If-None-Match decides when present; If-Modified-Since otherwise."""
    match = environ.get("HTTP_IF_NONE_MATCH")
    if match is not None:
        tags = [t.strip().removeprefix("W/") for t in match.split(",")]
        return "*" in tags or etag in tags
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if since is None or last_modified is None:
        return False
    try:
        when = email.utils.parsedate_to_datetime(since)
    except (TypeError, ValueError, IndexError):
        return False  # an unparsable date is ignored, as the RFC says
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return last_modified <= when


Headers = list[tuple[str, str]]
StartResponse = Callable[..., Any]

TEXT = ("Content-Type", "text/plain; charset=utf-8")


class FeedApp:
    """The WSGI application. `open_source` is called once per worker thread (one SQLite
    connection each); renders are cached by (revision, profile), so a burst of polls
    renders once per change."""

    def __init__(self, open_source: Callable[[], Source], user_tz: str,
                 log: Callable[[str], None] | None = None) -> None:
        self.open_source = open_source
        self.user_tz = user_tz
        self.log = log
        self._local = threading.local()
        self._cache: dict[tuple[int, str], bytes] = {}
        self._render_lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "")
        path = environ.get("PATH_INFO", "")
        try:
            status, headers, body = self.respond(method, path, environ)
        except sqlite3.OperationalError as exc:
            self._drop_source()
            if "locked" not in str(exc) and "busy" not in str(exc):
                status, headers, body = self._failed(path, exc)
            else:
                status, headers, body = "503 Service Unavailable", [
                    TEXT, ("Retry-After", str(RETRY_AFTER_SECONDS))], b"Busy; try again shortly.\n"
        except Exception as exc:  # noqa: BLE001 - waitress would log the path, token and all
            self._drop_source()
            status, headers, body = self._failed(path, exc)
        if not status.startswith("304"):
            headers.append(("Content-Length", str(len(body))))
        if self.log is not None:
            self.log(f'{environ.get("REMOTE_ADDR", "-")} "{method} {redact(path)} '
                     f'{environ.get("SERVER_PROTOCOL", "")}" {status.split()[0]} {len(body)}')
        start_response(status, headers)
        return [b"" if method == "HEAD" else body]

    def _failed(self, path: str, exc: Exception) -> tuple[str, Headers, bytes]:
        if self.log is not None:
            self.log(f"error serving {redact(path)}: {type(exc).__name__}: {exc}")
        return "500 Internal Server Error", [TEXT], b"Internal error.\n"

    def respond(self, method: str, path: str,
                environ: Mapping[str, Any]) -> tuple[str, Headers, bytes]:
        if method not in ("GET", "HEAD"):
            return "405 Method Not Allowed", [TEXT, ("Allow", "GET, HEAD")], b"Read-only.\n"
        found = _PATH.fullmatch(path)
        if found is None or found.group(2) not in FEED_PROFILES:
            return _not_found()
        token, profile = found.groups()
        source = self._source()
        with source.store.snapshot():
            state = read_state(source.store)
            if state.token is None or not hmac.compare_digest(token, state.token):
                return _not_found()
            etag = entity_tag(state.revision, profile, self.user_tz)
            headers: Headers = [("ETag", etag), ("Cache-Control", "private, no-cache")]
            if state.last_modified is not None:
                headers.append(("Last-Modified", http_date(state.last_modified)))
            if not_modified(environ, etag, state.last_modified):
                return "304 Not Modified", headers, b""
            body = self._render(source, state.revision, profile)
        return "200 OK", [
            ("Content-Type", "text/calendar; charset=utf-8"),
            ("Content-Disposition", f'inline; filename="followup-{profile}.ics"'),
            ("X-Content-Type-Options", "nosniff"),
            *headers,
        ], body

    def _render(self, source: Source, revision: int, profile: str) -> bytes:
        key = (revision, profile)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        with self._render_lock:  # 200 simultaneous polls after a change render once
            cached = self._cache.get(key)
            if cached is not None:
                return cached
            body = source.calendar_bytes(profile, feed=feed_properties(self.user_tz))
            newest = max((rev for rev, _ in self._cache), default=revision)
            if revision >= newest:
                # Only the newest revision is worth keeping; a slow reader's older one is not.
                self._cache = {k: v for k, v in self._cache.items() if k[0] >= revision}
                self._cache[key] = body
            return body

    def _source(self) -> Source:
        source: Source | None = getattr(self._local, "source", None)
        if source is None:
            source = self.open_source()
            source.store.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._local.source = source
        return source

    def _drop_source(self) -> None:
        # After a failure the connection may sit inside a transaction: start afresh.
        source = getattr(self._local, "source", None)
        self._local.source = None
        if source is not None:
            try:
                source.store.close()
            except sqlite3.Error:
                pass


def _not_found() -> tuple[str, Headers, bytes]:
    # The same bare answer for a wrong token, an unknown profile or any other path.
    return "404 Not Found", [TEXT], b"Not found.\n"


# -- the server ----------------------------------------------------------------------------


class RedactTokens:
    """A logging filter for waitress, whose messages can quote a request path."""

    pattern = re.compile(r"/[A-Za-z0-9_-]{16,}(?=/|\b)")

    def filter(self, record: Any) -> bool:
        message = record.getMessage()
        if self.pattern.search(message):
            record.msg, record.args = self.pattern.sub("/***", message), ()
        return True


def create_server(app: FeedApp, host: str, port: int) -> Any:
    """A waitress server bound and listening (port 0: any free one); `.run()` serves."""
    import logging

    import waitress.server

    for name in ("waitress", "waitress.queue"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
    # "Task queue depth is N" for every poll of a burst; a burst is normal for a feed.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    return waitress.server.create_server(app, host=host, port=port, **SERVER_OPTIONS)
