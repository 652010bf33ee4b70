"""One calendar collection as a storage (see the package docstring for the protocol)."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import unquote, urlsplit

from followup.sync.caldav.connection import (
    CS_GETCTAG,
    C,
    Connection,
    D,
    component_set,
    getctag,
    is_a,
    preconditions,
    redact,
    server_path,
    xml,
)
from followup.sync.caldav.discovery import connect, find_collections
from followup.sync.storage import (
    Changes,
    Hrefs,
    Listing,
    Listings,
    NotFoundError,
    PreconditionFailed,
    StorageError,
    href_for_uid,
)

__all__ = ["CalDAVStorage"]


_UID_CONFLICT = (f"{C}no-uid-conflict", f"{C}unique-scheduling-object-resource")
_MULTIGET_BATCH = 100
_ICS_HEADERS = {"Content-Type": "text/calendar; charset=utf-8"}


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
            for h in el.iter(f"{D}href"):
                if h.text and h.text.strip():
                    return unquote(urlsplit(h.text.strip()).path)
    return None


class CalDAVStorage:
    """One calendar collection on a CalDAV server.

    ``calendar``: a display name, or the URL (or path) of a collection; None
    picks the first collection whose supported-calendar-component-set includes
    ``component``.  Nothing is sent to the server until the first operation; a
    collection given by URL is checked (a calendar, taking ``component``) by the
    first listing, from the same answer.  ``use_sync_collection=False`` forces
    the ctag + ETag listing path.  ``connection``: share one with the other
    collections of the remote (see :func:`followup.sync.caldav.connect`).
    """

    def __init__(
        self, name: str, url: str, username: str | None = None, password: str | None = None,
        calendar: str | None = None, component: str = "VTODO", timeout: float = 30,
        verify: bool | str = True, *, use_sync_collection: bool = True,
        connection: Connection | None = None,
    ) -> None:
        component = component.upper()
        if component not in ("VTODO", "VEVENT"):
            raise ValueError(f"component must be VTODO or VEVENT, not {component!r}")
        self.name = name
        self.component = component
        self._calendar = calendar
        self._remote = connection or connect(url, username, password, timeout=timeout,
                                             verify=verify, name=name)
        self._collection_url: str | None = None
        self._checked = False
        self._sync_advertised: bool | None = None if use_sync_collection else False

    def __repr__(self) -> str:
        return f"CalDAVStorage({self.name!r}, {self._remote.url!r}, calendar={self._calendar!r})"

    def close(self) -> None:
        self._remote.close()

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
            return r.abs(cal if cal.endswith("/") else cal + "/", decoded=False)
        infos = find_collections(r)
        self._checked = True
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

    def check(self) -> None:
        """Fail unless the collection is a calendar that takes our component."""
        from caldav.elements import cdav, dav

        if not self._checked:
            found = self._remote.propfind(self.collection_url,
                                          [dav.ResourceType, cdav.SupportedCalendarComponentSet], 0)
            self._check(found[0].properties if found else {})

    def _check(self, props: dict[str, Any]) -> None:
        """A collection given by URL: is it a calendar that takes our component?"""
        if self._checked:
            return
        url = redact(self.collection_url)
        if not is_a(f"{C}calendar", props):
            raise self._remote.fail(StorageError, f"{url} is not a calendar collection")
        comps = component_set(props.get(f"{C}supported-calendar-component-set"))
        if self.component not in comps:
            raise self._remote.fail(StorageError, f"calendar {url} does not accept "
                                    f"{self.component} (it takes {', '.join(sorted(comps))})")
        self._checked = True

    def _coll_path(self) -> str:
        return unquote(urlsplit(self.collection_url).path)

    # -- Storage interface ---------------------------------------------------

    def list(self) -> Listings:
        from caldav.elements import cdav, dav

        coll = self.collection_url
        own = self._coll_path().rstrip("/")
        props = [dav.ResourceType, dav.GetEtag, cdav.SupportedCalendarComponentSet]
        out = []
        for res in self._remote.propfind(coll, props, 1):
            href = server_path(res.href)
            if href.rstrip("/") == own:
                self._check(res.properties)
                continue
            etag = res.properties.get(f"{D}getetag")
            if is_a(f"{D}collection", res.properties) or not etag:
                continue
            out.append(Listing(href, etag))
        out.sort(key=lambda x: x.href)
        return out

    def get(self, hrefs: Hrefs) -> dict[str, tuple[bytes, str]]:
        from caldav.elements import cdav, dav

        r, coll = self._remote, self.collection_url
        out: dict[str, tuple[bytes, str]] = {}
        wanted = {server_path(h): h for h in hrefs}
        todo = list(wanted)
        for i in range(0, len(todo), _MULTIGET_BATCH):
            batch = todo[i:i + _MULTIGET_BATCH]
            root = cdav.CalendarMultiGet() + (dav.Prop() + [dav.GetEtag(), cdav.CalendarData()])
            root += [dav.Href(value=urlsplit(r.abs(h)).path) for h in batch]
            with r.errors("read", coll):  # multiget is a MUST in RFC 4791 (7.9)
                resp = r.client.report(coll, xml(root), depth=None)
                if resp.status >= 400:
                    raise r.http_error("read", coll, resp.status, resp.reason, resp._raw)
                results = resp.parse_calendar_query()
            for res in results:
                href = server_path(res.href)
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
        etag = found[0].properties.get(f"{D}getetag") if found else None
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
        pre = preconditions(resp._raw)
        if any(p in _UID_CONFLICT for p in pre):
            other = _uid_conflict_href(resp._raw)
            own = self._coll_path().rstrip("/") + "/"
            if other and not other.startswith(own):
                # Cyrus keeps a UID unique across all of an account's calendars: it is not
                # ours to adopt from here, nor to write to
                raise r.fail(StorageError, f"cannot {action} {href}: another calendar of this "
                             f"account holds the same item ({other}); move or delete it there "
                             f"(HTTP {resp.status} no-uid-conflict)")
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
        """(new_token, changed, deleted); see the package docstring.

        Tokens are ours: ``sync:<server sync-token>``, ``ctag:<getctag>`` or
        ``etags:<hash of the listing>``.  One Depth-0 PROPFIND asks for everything a
        change check needs (the DAV:sync-token and CS:getctag properties, the reports,
        and what the first use checks), so a collection where nothing changed costs
        that one request.
        """
        from caldav.elements import cdav, dav

        props = [dav.ResourceType, cdav.SupportedCalendarComponentSet, dav.SupportedReportSet,
                 dav.SyncToken, getctag()]
        found = self._remote.propfind(self.collection_url, props, 0)
        now = found[0].properties if found else {}
        self._check(now)
        if self._sync_advertised is None:
            self._sync_advertised = f"{D}sync-collection" in (now.get(f"{D}supported-report-set") or [])
        if self._sync_advertised:
            server_token = token[5:] if token and token.startswith("sync:") else None
            if server_token and now.get(f"{D}sync-token") == server_token:
                return token, [], []
            result = self._sync_collection(server_token)
            if result is None and server_token:  # token unknown or expired
                result = self._sync_collection(None)
            if result is not None:
                return result
            self._sync_advertised = False  # refused the report after all
        ctag = now.get(CS_GETCTAG)
        if ctag:
            new = f"ctag:{ctag}"
            return new, ([] if token == new else self.list()), []
        listing = self.list()
        h = hashlib.sha256("\n".join(f"{x.href}\0{x.etag}" for x in listing).encode())
        new = f"etags:{h.hexdigest()}"
        return new, ([] if token == new else listing), []

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
                if f"{D}valid-sync-token" in pre or f"{D}supported-report" in pre:
                    return None
                if isinstance(e, error.AuthorizationError) or e.status == 404:
                    raise
                if e.status in (400, 403, 405, 409, 412, 415, 501):
                    return None
                raise
        if not res.sync_token:
            return None
        deleted = {server_path(str(u)) for u in res.deleted_urls}
        own = self._coll_path().rstrip("/")
        changed: Listings = []
        missing: Hrefs = []
        for obj in res.objects:
            href = server_path(str(obj.url))
            if href in deleted or href.rstrip("/") == own:
                continue
            etag = (obj.props or {}).get(f"{D}getetag")
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
            import logging  # loaded here: every writing command loads this module

            logging.getLogger(__name__).warning("%s: sync-collection reply was truncated",
                                                r.label)
        changed.sort(key=lambda x: x.href)
        return "sync:" + str(res.sync_token), changed, sorted(deleted) if server_token else []
