"""The feed server: a WSGI app serving `/<token>/<profile>.ics` and the page at `/<token>/`.

Pure over the store and the renderer (no Click): `followup serve` wires it to waitress
and to the application's Service (feed/host.py); `followup publish` and the `[feed]
publish` config use the same bytes. The page and its buttons are in page.py and
actions.py; this module routes, answers the feeds with their validators, and logs.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
import hashlib
import hmac
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from followup import __version__
from followup.feed import actions, page
from followup.feed.host import Operations, Settings, Source
from followup.feed.html import error
from followup.feed.publish import (
    FEED_PROFILES,
    TOKEN_KEY,
    Hidden,
    feed_properties,
    hidden_chains,
    last_modified,
)
from followup.feed.status import FetchLog, client_kind
from followup.store import Store

__all__ = ["FeedApp", "Settings", "Source", "create_server", "redact"]

RETRY_AFTER_SECONDS = 5
# A reader under WAL never waits for a writer; when SQLite still says busy (recovery,
# an exclusive lock) answer 503 quickly instead of tying up a worker for 30 s.
BUSY_TIMEOUT_MS = 2000

# Waitress settings. Calendar clients send a few small headers and no body; the page's
# forms a few fields. An idle connection costs a descriptor, not a thread: allow many and
# close idle ones soon, so a crowd of idle clients cannot starve real ones (issue 12).
SERVER_OPTIONS: dict[str, Any] = {
    "threads": 4,
    "connection_limit": 1000,
    "channel_timeout": 10,  # seconds a connection may sit idle
    "cleanup_interval": 2,  # how often idle connections are looked for
    "max_request_header_size": 32 * 1024,
    "max_request_body_size": 64 * 1024,
    "asyncore_use_poll": True,  # select() fails past 1024 descriptors
    "expose_tracebacks": False,
    "ident": "followup",
}
GZIP_LEVEL = 6

TOKEN = r"([A-Za-z0-9_-]{16,128})"
_FEED = re.compile(rf"/{TOKEN}/([a-z]+)\.ics")
_PAGE = re.compile(rf"/{TOKEN}/")
_DRAFT = re.compile(rf"/{TOKEN}/steps/([0-9]{{1,9}})/draft")
_ACTION = re.compile(rf"/{TOKEN}/(steps|interviews)/([0-9]{{1,9}})/([a-z]{{1,16}})")
_FILE = re.compile(r"[a-z]{1,16}\.ics")

Headers = list[tuple[str, str]]
Response = tuple[str, Headers, bytes]
StartResponse = Callable[..., Any]
TEXT = ("Content-Type", "text/plain; charset=utf-8")


def redact(path: str) -> str:
    """A request path fit for a log: only a profile file name may show, never a token.

    Any segment could be a token (`/../<token>/events.ics`), so all but such a last one go.
    """
    if path in ("", "/"):
        return path
    last = path.rsplit("/", 1)[-1]
    return "/***/" + last if _FILE.fullmatch(last) else "/***"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


# -- validators ----------------------------------------------------------------------------


NOTHING_HIDDEN = Hidden()


def entity_tag(revision: int, profile: str, user_tz: str, hidden: Hidden = NOTHING_HIDDEN,
               encoding: str = "identity") -> str:
    """Same state, same tag, whatever the token; X-WR-TIMEZONE and the chains left out are
    part of the bytes, and each content coding is a representation with its own tag."""
    gone = ",".join(str(i) for i in sorted(hidden.interviews))
    digest = hashlib.sha256(
        f"{revision}\x1f{profile}\x1f{user_tz}\x1f{__version__}\x1f{gone}".encode())
    suffix = "" if encoding == "identity" else f"-{encoding}"
    return f'"{digest.hexdigest()[:32]}{suffix}"'


def http_date(moment: dt.datetime) -> str:
    return email.utils.format_datetime(moment.astimezone(dt.timezone.utc), usegmt=True)


def not_modified(environ: Mapping[str, Any], etag: str, last_modified: dt.datetime | None) -> bool:
    """RFC 9110 13.2.2: If-None-Match decides when present; If-Modified-Since otherwise.
    Every revision has its own Last-Modified second (publish.stamp_revision), so a date
    comparison cannot hide a second change made within the same second."""
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


def accepts_gzip(header: str | None) -> bool:
    """Accept-Encoding (RFC 9110 12.5.3): gzip, or `*`, with a q-value above 0; an explicit
    gzip entry wins over `*`."""
    if not header:
        return False
    weights: dict[str, float] = {}
    for part in header.split(","):
        coding, *params = (p.strip() for p in part.split(";"))
        weight = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[coding.lower()] = weight
    for coding in ("gzip", "x-gzip", "*"):
        if coding in weights:
            return weights[coding] > 0
    return False


@dataclass
class Rendered:
    body: bytes
    gzipped: bytes | None = None

    def encoded(self) -> bytes:
        if self.gzipped is None:  # mtime=0: the same state gives the same bytes
            self.gzipped = gzip.compress(self.body, compresslevel=GZIP_LEVEL, mtime=0)
        return self.gzipped


# -- the application -----------------------------------------------------------------------


class FeedApp:
    """The WSGI application. `open_source` is called once per worker thread (one SQLite
    connection each); renders are cached by (revision, profile, chains left out), so a
    burst of polls renders once per change. With `open_operations` (a Service at a given
    time, one per write) the page has buttons; without, it only shows."""

    def __init__(self, open_source: Callable[[], Source], user_tz: str,
                 log: Callable[[str], None] | None = None, *,
                 settings: Settings | None = None,
                 open_operations: Callable[[dt.datetime], Operations] | None = None,
                 clock: Callable[[], dt.datetime] = utc_now) -> None:
        self.open_source = open_source
        self.settings = settings or Settings(user_tz)
        self.user_tz = self.settings.user_tz
        self.log = log
        self.open_operations = open_operations
        self.clock = clock
        self.fetches = FetchLog(BUSY_TIMEOUT_MS)
        self._local = threading.local()
        self._cache: dict[tuple[int, str, frozenset[int]], Rendered] = {}
        self._render_lock = threading.Lock()
        self._ends: tuple[int, dict[int, str | None]] | None = None

    @property
    def writable(self) -> bool:
        return self.open_operations is not None

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

    def _failed(self, path: str, exc: Exception) -> Response:
        if self.log is not None:
            self.log(f"error serving {redact(path)}: {type(exc).__name__}: {exc}")
        return "500 Internal Server Error", [TEXT], b"Internal error.\n"

    def respond(self, method: str, path: str, environ: Mapping[str, Any]) -> Response:
        if method == "POST" and (found := _ACTION.fullmatch(path)):
            return self._act(found, environ)
        if method not in ("GET", "HEAD"):
            return "405 Method Not Allowed", [TEXT, ("Allow", "GET, HEAD")], b"Read-only.\n"
        if (found := _FEED.fullmatch(path)) and found.group(2) in FEED_PROFILES:
            return self._feed(found.group(1), found.group(2), environ)
        if found := _PAGE.fullmatch(path):
            return self._view(found.group(1), environ, None)
        if found := _DRAFT.fullmatch(path):
            return self._view(found.group(1), environ, int(found.group(2)))
        return _not_found()

    # -- feeds ------------------------------------------------------------------------------

    def _feed(self, token: str, profile: str, environ: Mapping[str, Any]) -> Response:
        source = self._source()
        now = self.clock()
        with source.store.snapshot():
            if not _token_ok(source.store, token):
                return _not_found()
            revision = source.store.revision()
            hidden = self._hidden(source.store, revision, profile, now)
            encoding = "gzip" if accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING")) else "identity"
            etag = entity_tag(revision, profile, self.user_tz, hidden, encoding)
            modified = last_modified(source.store, hidden)
            headers: Headers = [("ETag", etag), ("Cache-Control", "private, no-cache"),
                                ("Vary", "Accept-Encoding")]
            if modified is not None:
                headers.append(("Last-Modified", http_date(modified)))
            if not_modified(environ, etag, modified):
                answer: Response = ("304 Not Modified", headers, b"")
            else:
                rendered = self._render(source, revision, profile, hidden)
                if encoding == "gzip":
                    headers.append(("Content-Encoding", "gzip"))
                answer = ("200 OK", [
                    ("Content-Type", "text/calendar; charset=utf-8"),
                    ("Content-Disposition", f'inline; filename="followup-{profile}.ics"'),
                    ("X-Content-Type-Options", "nosniff"),
                    *headers,
                ], rendered.encoded() if encoding == "gzip" else rendered.body)
        # The client has this revision now (a 304 too): recorded after the snapshot.
        self.fetches.record(source.store, profile, client_kind(environ.get("HTTP_USER_AGENT")),
                            revision, now)
        return answer

    def _hidden(self, store: Store, revision: int, profile: str, now: dt.datetime) -> Hidden:
        """The chains the events feed leaves out now; when chains ended changes only with
        the revision, so a poll that gets a 304 does not scan every item for it."""
        if profile != "events":
            return NOTHING_HIDDEN
        ends = self._ends
        if ends is None or ends[0] != revision:
            ends = self._ends = (revision, store.chain_ends())
        return hidden_chains(ends[1], now, self.settings.keep_days)

    def _render(self, source: Source, revision: int, profile: str, hidden: Hidden) -> Rendered:
        key = (revision, profile, hidden.interviews)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        with self._render_lock:  # 200 simultaneous polls after a change render once
            cached = self._cache.get(key)
            if cached is not None:
                return cached
            rendered = Rendered(source.calendar_bytes(
                profile, feed=feed_properties(self.user_tz), leave_out=hidden.interviews))
            newest = max((rev for rev, _, _ in self._cache), default=revision)
            if revision >= newest:
                # Only the newest revision is worth keeping; a slow reader's older one is not.
                self._cache = {k: v for k, v in self._cache.items()
                               if k[0] >= revision and (k[1] != profile or k == key)}
                self._cache[key] = rendered
            return rendered

    # -- the page ---------------------------------------------------------------------------

    def _view(self, token: str, environ: Mapping[str, Any], step: int | None) -> Response:
        source = self._source()
        now = self.clock()
        with source.store.snapshot():
            if not _token_ok(source.store, token):
                return _not_found()
            view = page.View(source.store, token, self.settings, now, self.writable,
                             page.base_url(self.settings, environ))
            status, headers, body = (view.page(environ.get("QUERY_STRING", "")) if step is None
                                     else view.draft(step))
        headers.append(("Vary", "Accept-Encoding"))
        if accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING")):  # a long plan is 100s of KB
            headers.append(("Content-Encoding", "gzip"))
            body = gzip.compress(body, compresslevel=GZIP_LEVEL)
        return status, headers, body

    def _act(self, found: re.Match[str], environ: Mapping[str, Any]) -> Response:
        token, target, ident, verb = found.groups()
        source = self._source()
        with source.store.snapshot():
            if not _token_ok(source.store, token):
                return _not_found()
        if self.open_operations is None:
            return error(405, "This page is read-only: `followup serve --read-only`"
                                   " serves it without buttons. Change things with `followup`.",
                         back=True, headers=[("Allow", "GET, HEAD")])
        request = actions.Request(target, int(ident), verb, environ)
        refused = request.refused(self.settings)
        if refused is not None:
            return refused
        now = self.clock()
        operations = self.open_operations(now)
        try:
            answer = request.apply(operations, token, now)
        finally:
            operations.store.close()
        if self.log is not None:
            for warning in dict.fromkeys(operations.warnings):
                self.log(f"warning: {warning}")
        return answer

    # -- one connection per worker thread ------------------------------------------------------

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


def _token_ok(store: Store, token: str) -> bool:
    expected = store.get_meta(TOKEN_KEY)
    return expected is not None and hmac.compare_digest(token, expected)


def _not_found() -> Response:
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
    options = dict(SERVER_OPTIONS, connection_limit=_connection_limit())
    return waitress.server.create_server(app, host=host, port=port, **options)


def _connection_limit() -> int:
    """SERVER_OPTIONS' limit, within the descriptors this process may open (raised to the
    hard limit where the soft one is lower, as it is on many desktops: 1024)."""
    wanted = int(SERVER_OPTIONS["connection_limit"])
    try:
        import resource
    except ImportError:  # not on Unix
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    spare = 64  # the database, its WAL, logs, the listening socket
    if soft != resource.RLIM_INFINITY and soft < wanted + spare:
        target = wanted + spare if hard == resource.RLIM_INFINITY else min(hard, wanted + spare)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return wanted if soft == resource.RLIM_INFINITY else max(16, min(wanted, soft - spare))
