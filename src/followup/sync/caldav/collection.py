"""A CalDAV collection as a storage, built on the ``caldav`` library.

This is the only module that imports ``caldav`` (and, through it, niquests and
lxml); it does so inside functions so that ``followup --help`` stays fast.

Protocol choices (CALENDAR_RULES.md, rules 15-18):

- the collection is one whose supported-calendar-component-set has our
  component type (VTODO or VEVENT), chosen by display name, URL, or as the
  first suitable one;
- create is ``PUT`` with ``If-None-Match: *``, update and delete carry
  ``If-Match: <etag>``; 412 becomes :class:`PreconditionFailed`, and so does a
  ``CALDAV:no-uid-conflict`` answer (409 Radicale, 412 Xandikos, 403 Cyrus),
  with ``.href`` set when the server names the resource holding the UID;
- hrefs are the server's paths (percent-decoded, as python-caldav reports
  them); the href given at creation is kept, never rebuilt from a UID;
- an ETag missing from a PUT answer is fetched with a PROPFIND;
- :meth:`CalDAVStorage.changes` uses sync-collection (RFC 6578) where the
  collection advertises it, else the ctag (``CS:getctag``) plus an ETag listing;
  an invalid or expired sync-token gives a full listing, not an error;
- objects are fetched with calendar-multiget, and sent byte for byte.

All request bodies are built from the library's XML element classes.
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

from followup.sync.storage import (
    AuthError,
    Changes,
    Hrefs,
    Listing,
    Listings,
    NotFoundError,
    PreconditionFailed,
    StorageError,
    href_for_uid,
)

__all__ = ["CalDAVStorage", "discover_collections", "make_collection", "CollectionInfo"]

log = logging.getLogger(__name__)

CollectionInfo = tuple[str, str, set[str]]  # (display name, URL, components)

_C = "{urn:ietf:params:xml:ns:caldav}"
_D = "{DAV:}"
_CS_GETCTAG = "{http://calendarserver.org/ns/}getctag"
_UID_CONFLICT = (f"{_C}no-uid-conflict", f"{_C}unique-scheduling-object-resource")
_ALL_COMPONENTS = {"VEVENT", "VTODO", "VJOURNAL"}  # RFC 4791 5.2.3: property absent = all
_MULTIGET_BATCH = 100
_ICS_HEADERS = {"Content-Type": "text/calendar; charset=utf-8"}
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def _redact(url: str) -> str:
    """The URL without user:password@."""
    parts = urlsplit(str(url))
    if "@" not in parts.netloc:
        return str(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and everything it wraps (causes, contexts, args, .reason)."""
    out: list[BaseException] = []
    stack: list[Any] = [exc]
    while stack:
        e = stack.pop()
        if isinstance(e, BaseException) and all(e is not o for o in out):
            out.append(e)
            stack += [e.__cause__, e.__context__, getattr(e, "reason", None), *e.args]
    return out


def _network_cause(exc: BaseException, timeout: float | None) -> str | None:
    """A short cause for a network failure, or None if ``exc`` is not one."""
    import socket
    import ssl

    chain = _chain(exc)
    names = {type(e).__name__ for e in chain}

    def has(*types: type[BaseException]) -> bool:
        return any(isinstance(e, types) for e in chain)

    unverified = next((e for e in chain if isinstance(e, ssl.SSLCertVerificationError)), None)
    if unverified is not None:
        return f"the TLS certificate cannot be verified ({unverified.verify_message or 'untrusted'})"
    if has(socket.gaierror) or "NameResolutionError" in names:
        return "host name not found"
    if has(ConnectionRefusedError):
        return "connection refused"
    limit = f" after {timeout:g} s" if timeout else ""
    if names & {"ConnectTimeout", "ConnectTimeoutError"}:
        return f"timed out connecting{limit}"
    if has(TimeoutError) or names & {"ReadTimeout", "ReadTimeoutError", "Timeout"}:
        return f"no answer within {timeout:g} s" if timeout else "timed out"
    tls = next((e for e in chain if isinstance(e, ssl.SSLError)), None)
    if tls is not None:
        return f"TLS error ({tls.reason or tls})"
    if has(ConnectionResetError, ConnectionAbortedError, BrokenPipeError):
        return "the connection was closed by the server"
    for e in reversed(chain):
        if isinstance(e, OSError) and e.strerror:
            return str(e.strerror).lower()
    return None


def _components(value: Any) -> set[str]:
    if not value:
        return set(_ALL_COMPONENTS)
    if isinstance(value, str):
        value = [value]
    return {str(v).upper() for v in value}


def _is(kind: str, props: dict[str, Any]) -> bool:
    """Does the resourcetype in ``props`` include ``kind`` (Clark notation)?"""
    rt = props.get(f"{_D}resourcetype") or []
    return kind in (rt if isinstance(rt, list) else [rt])


def _uid_conflict_href(body: Any) -> str | None:
    """The DAV:href inside a no-uid-conflict error body, if the server names one."""
    if isinstance(body, str):
        body = body.encode()
    if not body or not isinstance(body, bytes):
        return None
    from lxml import etree

    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        root = etree.fromstring(body, parser=parser)
    except Exception:
        return None
    for tag in _UID_CONFLICT:
        for el in root.iter(tag):
            for h in el.iter(f"{_D}href"):
                if h.text and h.text.strip():
                    return unquote(urlsplit(h.text.strip()).path)
    return None


def _preconditions(body: Any) -> list[str]:
    """The precondition elements of a DAV:error body (Clark notation)."""
    from caldav.lib.error import parse_preconditions

    return [p for p in parse_preconditions(body) if p != f"{_D}responsedescription"]


class _Remote:
    """A caldav DAVClient that turns every failure into a one-line StorageError."""

    def __init__(self, label: str, url: str, username: str | None, password: str | None,
                 timeout: float, verify: bool | str) -> None:
        self.label = label
        self.timeout = timeout
        self._password = password or ""
        self.url = _redact(url)
        with self.errors("connect to", self.url):
            from caldav.davclient import DAVClient

            # Typed loosely on purpose: python-caldav's annotations are partial (a float
            # timeout works, principal() is untyped); our own wrapper is what is checked.
            options: dict[str, Any] = dict(url=url, username=username, password=password,
                                           timeout=timeout, ssl_verify_cert=verify)
            self.client: Any = DAVClient(**options)
        self.url = _redact(str(self.client.url))
        self._password = str(self.client.password or "")

    def fail(self, cls: type[StorageError], text: str, **kw: Any) -> StorageError:
        msg = f"{self.label}: {text}"
        if len(self._password) >= 3:
            msg = msg.replace(self._password, "***")
        return cls(msg, **kw) if kw else cls(msg)

    def abs(self, href_or_url: str, decoded: bool = True) -> str:
        """Absolute, percent-encoded URL for an href or URL.

        Our hrefs are decoded server paths (``decoded=True``: every ``%`` is a
        literal); a URL or path from the user is taken as already encoded
        (``decoded=False``: existing escapes are kept, spaces etc. get escaped).
        """
        parts = urlsplit(str(href_or_url)) if not decoded else None
        if parts is None:
            path = quote(href_or_url, safe=_PATH_SAFE)
        else:
            path = quote(parts.path, safe=_PATH_SAFE + "%")
        if parts is not None and parts.scheme:
            return urlunsplit(parts._replace(path=path))
        return urljoin(str(self.client.url), path)

    @contextmanager
    def errors(self, action: str, url: str) -> Iterator[None]:
        from caldav.lib import error

        url = _redact(url)
        try:
            yield
        except StorageError:
            raise
        except error.AuthorizationError as e:
            if e.status == 401 or e.status is None:
                raise self.fail(
                    AuthError, "wrong username or password (HTTP 401) — check --username "
                    "and the password source") from None
            raise self.fail(AuthError, f"access denied (HTTP {e.status}) to {url}") from None
        except error.RateLimitError as e:
            raise self.fail(
                StorageError, f"the server is busy (HTTP {e.status or 503}), try again later"
            ) from None
        except error.NotFoundError:
            raise self.fail(NotFoundError, f"{url} not found (HTTP 404)") from None
        except error.DAVError as e:
            raise self.http_error(action, url, e.status, getattr(e, "reason", ""), e.body) from None
        except NotImplementedError as e:  # no usable auth scheme offered
            raise self.fail(StorageError, f"cannot log in to {url}: {e}") from None
        except OSError as e:  # niquests' errors are OSErrors too
            cause = (_network_cause(e, self.timeout) or str(e).splitlines()[0][:200]
                     or type(e).__name__)
            raise self.fail(StorageError, f"cannot {action} {url}: {cause}") from None
        except Exception as e:
            if type(e).__name__ == "XMLSyntaxError":
                raise self.fail(
                    StorageError, f"{url} did not answer like a CalDAV server (invalid XML)"
                ) from None
            raise

    def http_error(self, action: str, url: str, status: int | None, reason: str = "",
                   body: Any = None) -> StorageError:
        from http import HTTPStatus

        pre = [p.split("}")[-1] for p in _preconditions(body)]
        extra = f" [{', '.join(pre)}]" if pre else ""
        if status == 404:
            return self.fail(NotFoundError, f"{url} not found (HTTP 404)")
        if status == 401:
            return self.fail(AuthError, "wrong username or password (HTTP 401) — check "
                             "--username and the password source")
        if not reason or reason == "no reason":  # python-caldav's DAVError default
            known = status is not None and status in HTTPStatus._value2member_map_
            reason = HTTPStatus(status).phrase if known and status is not None else ""
        why = f"HTTP {status} {reason.splitlines()[0] if reason else ''}".strip()
        if status and status >= 500:
            return self.fail(StorageError, f"server error ({why}) on {action} {url}{extra}")
        return self.fail(StorageError, f"cannot {action} {url}: {why}{extra}")

    def request(self, method: str, url: str, body: Any, headers: dict[str, str], action: str) -> Any:
        """Send a request; answers with status >= 400 come back, not raised (401/403 do raise)."""
        from caldav.lib.error import AuthorizationError

        with self.errors(action, url):
            try:
                return self.client.request(url, method, body, headers or {})
            except AuthorizationError as e:
                if e.status == 403 and e.preconditions:
                    return _Failed(403, e.reason, e.body)  # a refused precondition, not a login
                raise

    def propfind(self, url: str, props: list[Any], depth: int, strict: bool = True) -> list[Any]:
        """PROPFIND with a library-built body; returns the parsed results.

        ``strict=False``: an HTTP error answer gives ``[]`` (network errors still raise).
        """
        with self.errors("read", url):
            from caldav.elements import dav

            wanted = [p() if isinstance(p, type) else p for p in props]
            root = dav.Propfind() + (dav.Prop() + wanted)
            resp = self.client.propfind(url, _xml(root), depth)
            if not strict:
                return (resp.results or []) if resp.status in (200, 207) else []
            if resp.status == 404:
                raise self.fail(NotFoundError, f"{url} not found (HTTP 404)")
            if resp.status >= 400:
                raise self.http_error("read", url, resp.status, resp.reason, resp._raw)
            if resp.all_responses_not_found():  # Xandikos: 207 holding only a 404
                raise self.fail(NotFoundError, f"{url} not found (HTTP 404)")
            return resp.results or []

    def collections(self) -> list[CollectionInfo]:
        """Calendar collections: the URL itself if it is one, else those of the user's home."""
        from caldav.elements import cdav, dav

        props = [dav.ResourceType, dav.DisplayName, cdav.SupportedCalendarComponentSet]
        base = str(self.client.url)
        here = self.propfind(base, props, 0, strict=False)  # may be a calendar itself
        if here and _is(f"{_C}calendar", here[0].properties):
            return [_info(self.abs(here[0].href) if here[0].href else base, here[0].properties)]
        with self.errors("find the calendars at", base):
            from caldav.lib.error import DAVError

            try:
                principal = self.client.principal()
                home = str(principal.calendar_home_set.url)
            except (DAVError, AttributeError, KeyError) as e:
                if isinstance(e, DAVError) and e.status in (401, 403):
                    raise
                home = base  # no principal: look for calendars below the URL given
        out = []
        for r in self.propfind(home, props, 1):
            if _is(f"{_C}calendar", r.properties):
                out.append(_info(self.abs(r.href), r.properties))
        return out


class _Failed:
    """Stands in for a DAVResponse when the client raised on a 403 precondition."""

    headers: dict[str, str] = {}

    def __init__(self, status: int, reason: str, body: Any) -> None:
        self.status, self.reason, self._raw = status, reason, body


def _xml(root: Any) -> bytes:
    from lxml import etree

    return bytes(etree.tostring(root.xmlelement(), encoding="utf-8", xml_declaration=True))


def _info(url: str, props: dict[str, Any]) -> CollectionInfo:
    last = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
    name = props.get(f"{_D}displayname") or last
    comps = _components(props.get(f"{_C}supported-calendar-component-set"))
    return (str(name), url if url.endswith("/") else url + "/", comps)


def _label(name: str | None, url: str) -> str:
    return f"remote '{name}'" if name else f"CalDAV server {urlsplit(_redact(url)).netloc or url}"


class CalDAVStorage:
    """One calendar collection on a CalDAV server (see the module docstring).

    ``calendar``: a display name, or the URL (or path) of a collection; None
    picks the first collection whose supported-calendar-component-set includes
    ``component``.  Nothing is sent to the server until the first operation.
    ``use_sync_collection=False`` forces the ctag + ETag listing path.
    """

    def __init__(
        self, name: str, url: str, username: str | None = None, password: str | None = None,
        calendar: str | None = None, component: str = "VTODO", timeout: float = 30,
        verify: bool | str = True, *, use_sync_collection: bool = True,
    ) -> None:
        component = component.upper()
        if component not in ("VTODO", "VEVENT"):
            raise ValueError(f"component must be VTODO or VEVENT, not {component!r}")
        self.name = name
        self.component = component
        self._calendar = calendar
        self._remote = _Remote(f"remote '{name}'", url, username, password, timeout, verify)
        self._collection_url: str | None = None
        self._sync_advertised: bool | None = None if use_sync_collection else False

    def __repr__(self) -> str:
        return f"CalDAVStorage({self.name!r}, {self._remote.url!r}, calendar={self._calendar!r})"

    def close(self) -> None:
        self._remote.client.close()

    def __enter__(self) -> CalDAVStorage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- collection --------------------------------------------------------

    @property
    def collection_url(self) -> str:
        """The collection's URL (resolved on first use)."""
        if self._collection_url is None:
            self._collection_url = self._resolve()
        return self._collection_url

    def _resolve(self) -> str:
        r, want = self._remote, self.component
        cal = self._calendar
        if cal and ("/" in cal or cal.startswith(("http:", "https:"))):
            from caldav.elements import cdav, dav

            url = r.abs(cal if cal.endswith("/") else cal + "/", decoded=False)
            found = r.propfind(url, [dav.ResourceType, cdav.SupportedCalendarComponentSet], 0)
            if not found or not _is(f"{_C}calendar", found[0].properties):
                raise r.fail(StorageError, f"{_redact(url)} is not a calendar collection")
            comps = _components(found[0].properties.get(f"{_C}supported-calendar-component-set"))
            if want not in comps:
                raise r.fail(StorageError, f"calendar {_redact(url)} does not accept {want} "
                             f"(it takes {', '.join(sorted(comps))})")
            return url
        infos = r.collections()
        if cal:
            matches = [i for i in infos if i[0] == cal] or [
                i for i in infos if i[0].casefold() == cal.casefold()
                or urlsplit(i[1]).path.rstrip("/").rsplit("/", 1)[-1] == cal]
            if not matches:
                names = ", ".join(repr(i[0]) for i in infos) or "none"
                raise r.fail(NotFoundError, f"no calendar named {cal!r} (found: {names})")
            suitable = [i for i in matches if want in i[2]]
            if not suitable:
                raise r.fail(StorageError, f"calendar {cal!r} does not accept {want} "
                             f"(it takes {', '.join(sorted(matches[0][2]))})")
            return suitable[0][1]
        for _name, url, comps in infos:
            if want in comps:
                return url
        raise r.fail(NotFoundError, f"no calendar on the server accepts {want}; "
                     "create one or name one explicitly")

    def _coll_path(self) -> str:
        return unquote(urlsplit(self.collection_url).path)

    def _href(self, server_href: str) -> str:
        """Our href for a server's: python-caldav hands out decoded paths or URL objects."""
        if server_href.startswith("/"):
            return server_href
        return unquote(urlsplit(server_href).path)

    # -- Storage interface ---------------------------------------------------

    def list(self) -> Listings:
        from caldav.elements import dav

        coll = self.collection_url
        own = self._coll_path().rstrip("/")
        out = []
        for res in self._remote.propfind(coll, [dav.ResourceType, dav.GetEtag], 1):
            href = self._href(res.href)
            etag = res.properties.get(f"{_D}getetag")
            if href.rstrip("/") == own or _is(f"{_D}collection", res.properties) or not etag:
                continue
            out.append(Listing(href, etag))
        out.sort(key=lambda x: x.href)
        return out

    def get(self, hrefs: Hrefs) -> dict[str, tuple[bytes, str]]:
        from caldav.elements import cdav, dav

        r, coll = self._remote, self.collection_url
        out: dict[str, tuple[bytes, str]] = {}
        wanted = {self._href(h): h for h in hrefs}
        todo = list(wanted)
        for i in range(0, len(todo), _MULTIGET_BATCH):
            batch = todo[i:i + _MULTIGET_BATCH]
            root = cdav.CalendarMultiGet() + (dav.Prop() + [dav.GetEtag(), cdav.CalendarData()])
            root += [dav.Href(value=urlsplit(r.abs(h)).path) for h in batch]
            with r.errors("read", coll):  # multiget is a MUST in RFC 4791 (7.9)
                resp = r.client.report(coll, _xml(root), depth=None)
                if resp.status >= 400:
                    raise r.http_error("read", coll, resp.status, resp.reason, resp._raw)
                results = resp.parse_calendar_query()
            for res in results:
                href = self._href(res.href)
                if href not in wanted or res.status != 200 or res.calendar_data is None:
                    continue
                data = res.calendar_data.replace("\r\n", "\n").replace("\n", "\r\n")
                etag = res.etag or self._etag(href)
                if etag:
                    out[wanted[href]] = (data.encode("utf-8"), etag)
        return out

    def _etag(self, href: str) -> str | None:
        from caldav.elements import dav

        try:
            found = self._remote.propfind(self._remote.abs(href), [dav.GetEtag], 0)
        except NotFoundError:
            return None
        etag = found[0].properties.get(f"{_D}getetag") if found else None
        return str(etag) if etag else None

    def _put(self, href: str, data: bytes, headers: dict[str, str], action: str) -> str:
        from caldav.lib.python_utilities import WireBytes

        r = self._remote
        url = r.abs(href)
        resp = r.request("PUT", url, WireBytes(data), {**_ICS_HEADERS, **headers}, action)
        if resp.status < 300:
            etag: str | None = resp.headers.get("ETag") or self._etag(href)
            if not etag:
                raise r.fail(StorageError, f"{href} was saved but the server gives no ETag for it")
            return etag
        self._raise_conflict(resp, href, action)
        raise AssertionError  # pragma: no cover

    def _raise_conflict(self, resp: Any, href: str, action: str) -> None:
        r = self._remote
        pre = _preconditions(resp._raw)
        if any(p in _UID_CONFLICT for p in pre):
            other = _uid_conflict_href(resp._raw)
            where = f" by {other}" if other else ""
            raise r.fail(PreconditionFailed, f"cannot {action} {href}: its UID is already "
                         f"used{where} (HTTP {resp.status} no-uid-conflict)", href=other)
        if resp.status == 412:
            what = ("it already exists" if action == "create"
                    else "it was changed or deleted elsewhere")
            raise r.fail(PreconditionFailed, f"cannot {action} {href}: {what} (HTTP 412)",
                         href=href)
        if resp.status == 404:
            raise r.fail(NotFoundError, f"cannot {action} {href}: it no longer exists (HTTP 404)")
        raise r.http_error(action, href, resp.status, resp.reason, resp._raw)

    def create(self, uid: str, data: bytes) -> tuple[str, str]:
        href = self._coll_path().rstrip("/") + "/" + href_for_uid(uid)
        return href, self._put(href, data, {"If-None-Match": "*"}, "create")

    def update(self, href: str, data: bytes, etag: str) -> str:
        return self._put(href, data, {"If-Match": etag}, "update")

    def delete(self, href: str, etag: str) -> None:
        resp = self._remote.request("DELETE", self._remote.abs(href), b"", {"If-Match": etag},
                                    "delete")
        if resp.status >= 300:
            self._raise_conflict(resp, href, "delete")

    # -- incremental listing -----------------------------------------------

    def changes(self, token: str | None) -> Changes:
        """(new_token, changed, deleted); see the module docstring.

        Tokens are ours: ``sync:<server sync-token>``, ``ctag:<getctag>`` or
        ``etags:<hash of the listing>``.
        """
        from caldav.elements import dav

        if self._sync_advertised is None:
            found = self._remote.propfind(self.collection_url, [dav.SupportedReportSet], 0)
            reports = found[0].properties.get(f"{_D}supported-report-set") if found else None
            self._sync_advertised = f"{_D}sync-collection" in (reports or [])
        if self._sync_advertised:
            server_token = token[5:] if token and token.startswith("sync:") else None
            result = self._sync_collection(server_token)
            if result is None and server_token:  # token unknown or expired
                result = self._sync_collection(None)
            if result is not None:
                return result
            self._sync_advertised = False  # refused the report after all
        return self._ctag_changes(token)

    def _sync_collection(self, server_token: str | None) -> Changes | None:
        """One sync-collection; None if the token or the report was refused."""
        from caldav.lib import error

        r, coll = self._remote, self.collection_url
        cal = r.client.calendar(url=coll)
        with r.errors("sync", coll):
            try:
                res = cal.get_objects_by_sync_token(server_token, load_objects=False,
                                                    disable_fallback=True)
            except (error.ReportError, error.DAVError) as e:
                pre = set(e.preconditions or ())
                if f"{_D}valid-sync-token" in pre or f"{_D}supported-report" in pre:
                    return None
                if isinstance(e, error.AuthorizationError) or e.status == 404:
                    raise
                if e.status in (400, 403, 405, 409, 412, 415, 501):
                    return None
                raise
        if not res.sync_token:
            return None
        deleted = {self._href(str(u)) for u in res.deleted_urls}
        own = self._coll_path().rstrip("/")
        changed: Listings = []
        missing: Hrefs = []
        for obj in res.objects:
            href = self._href(str(obj.url))
            if href in deleted or href.rstrip("/") == own:
                continue
            etag = (obj.props or {}).get(f"{_D}getetag")
            if etag:
                changed.append(Listing(href, etag))
            else:
                missing.append(href)
        for href in missing:  # the server left out the ETag: ask for it
            etag = self._etag(href)
            if etag:
                changed.append(Listing(href, etag))
            else:
                deleted.add(href)
        if res.truncated:
            log.warning("%s: sync-collection reply was truncated", r.label)
        changed.sort(key=lambda x: x.href)
        return "sync:" + str(res.sync_token), changed, sorted(deleted) if server_token else []

    def _ctag_changes(self, token: str | None) -> Changes:
        from caldav.elements.base import ValuedBaseElement

        getctag = type("GetCtag", (ValuedBaseElement,), {"tag": _CS_GETCTAG})
        found = self._remote.propfind(self.collection_url, [getctag], 0)
        ctag = found[0].properties.get(_CS_GETCTAG) if found else None
        if ctag:
            new = f"ctag:{ctag}"
            if token == new:
                return new, [], []
            return new, self.list(), []
        listing = self.list()
        h = hashlib.sha256("\n".join(f"{x.href}\0{x.etag}" for x in listing).encode())
        new = f"etags:{h.hexdigest()}"
        return new, ([] if token == new else listing), []


def _remote_for(url: str, username: str | None, password: str | None, timeout: float,
                verify: bool | str, name: str | None) -> _Remote:
    return _Remote(_label(name, url), url, username, password, timeout, verify)


def discover_collections(
    url: str, username: str | None = None, password: str | None = None, *,
    timeout: float = 30, verify: bool | str = True, name: str | None = None,
) -> list[CollectionInfo]:
    """The calendar collections the account can see: (display name, URL, components).

    ``url`` may be the server, the user's principal, or a collection itself.
    """
    remote = _remote_for(url, username, password, timeout, verify, name)
    try:
        return remote.collections()
    finally:
        remote.client.close()


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]
    return s or str(uuid.uuid4())


def make_collection(
    url: str, username: str | None = None, password: str | None = None, *,
    display_name: str, components: tuple[str, ...] | list[str] = ("VTODO",),
    cal_id: str | None = None, timeout: float = 30, verify: bool | str = True,
    name: str | None = None,
) -> CollectionInfo:
    """Create a calendar collection (MKCALENDAR) in the user's calendar home.

    ``cal_id`` is the last path segment (default: from the display name).
    Raises PreconditionFailed if something already lives there.
    """
    from caldav.lib import error

    remote = _remote_for(url, username, password, timeout, verify, name)
    comps = [c.upper() for c in components]
    cal_id = cal_id or _slug(display_name)
    try:
        with remote.errors("create a calendar at", remote.url):
            principal = remote.client.principal()
            try:
                made = principal.make_calendar(name=display_name, cal_id=cal_id,
                                               supported_calendar_component_set=comps)
            except (error.MkcalendarError, error.AuthorizationError) as e:
                if e.status in (405, 409) or f"{_D}resource-must-be-null" in e.preconditions:
                    raise remote.fail(PreconditionFailed,
                                      f"cannot create calendar {cal_id!r}: it already exists "
                                      f"(HTTP {e.status})") from None
                raise
        return (display_name, remote.abs(str(made.url), decoded=False), set(comps))
    finally:
        remote.client.close()
