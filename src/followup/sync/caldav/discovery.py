"""Finding an account's calendars, and making one (MKCALENDAR).

Discovery (RFC 4791 section 6, RFC 5397, RFC 6764; CALENDAR_RULES.md, rule 23), from
the URL the user gave, stopping at the first step that answers:

1. one Depth-0 PROPFIND on the URL: a calendar is itself the answer; a principal names
   its calendar-home-set; anything else may name the current-user-principal;
2. when it names none (Cyrus's ``<d:unauthenticated/>``, a web page at ``/``):
   ``/.well-known/caldav``, its redirects followed with the PROPFIND body kept;
3. the principal's calendar-home-set;
4. failing all that, the calendars just below the URL itself.
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from followup.sync.caldav.connection import C, Connection, D, component_set, is_a, redact
from followup.sync.storage import PreconditionFailed, StorageError

__all__ = ["CollectionInfo", "connect", "create_collection", "discover_collections", "find_collections",
           "make_collection"]

CollectionInfo = tuple[str, str, set[str]]  # (display name, URL, components)


def connect(url: str, username: str | None, password: str | None, *, timeout: float = 30,
            verify: bool | str = True, name: str | None = None, trust: str | None = None) -> Connection:
    """A connection for ``remote 'name'`` (or the server, when it has no name yet); `trust`
    says how to trust a private CA when the config key is not the way (see Connection)."""
    label = f"remote '{name}'" if name else f"CalDAV server {urlsplit(redact(url)).netloc or url}"
    return Connection(label, url, username, password, timeout, verify, name, trust)


def _info(url: str, props: dict[str, Any]) -> CollectionInfo:
    last = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
    name = props.get(f"{D}displayname") or last
    comps = component_set(props.get(f"{C}supported-calendar-component-set"))
    return (str(name), url if url.endswith("/") else url + "/", comps)


def _href(value: Any) -> str | None:
    """One href from a property value (python-caldav gives a string or a list)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _home(conn: Connection, base: str) -> CollectionInfo | str:
    """The calendar home below which the account's calendars live, or the calendar at
    ``base`` itself."""
    from caldav.elements import cdav, dav

    props = [dav.ResourceType, dav.DisplayName, cdav.SupportedCalendarComponentSet,
             dav.CurrentUserPrincipal, cdav.CalendarHomeSet]
    here = conn.propfind(base, props, 0, strict=False)
    found = here[0].properties if here else {}
    if found and is_a(f"{C}calendar", found):
        return _info(conn.abs(here[0].href) if here[0].href else base, found)
    home = _href(found.get(f"{C}calendar-home-set"))
    principal = _href(found.get(f"{D}current-user-principal"))
    if home is None and principal is None:
        there = conn.propfind_redirected(urljoin(base, "/.well-known/caldav"), props[3:])
        found = there[0].properties if there else {}
        home = _href(found.get(f"{C}calendar-home-set"))
        principal = _href(found.get(f"{D}current-user-principal"))
    if home is None and principal is not None:
        owner = conn.propfind(conn.abs(principal, decoded=False), [cdav.CalendarHomeSet], 0,
                              strict=False)
        home = _href(owner[0].properties.get(f"{C}calendar-home-set")) if owner else None
    return conn.abs(home, decoded=False) if home else base


def find_collections(conn: Connection) -> list[CollectionInfo]:
    """Calendar collections: the URL itself if it is one, else those of the user's home."""
    from caldav.elements import cdav, dav

    home = _home(conn, str(conn.client.url))
    if isinstance(home, tuple):
        return [home]
    props = [dav.ResourceType, dav.DisplayName, cdav.SupportedCalendarComponentSet]
    return [_info(conn.abs(r.href), r.properties) for r in conn.propfind(home, props, 1)
            if is_a(f"{C}calendar", r.properties)]


def discover_collections(
    url: str, username: str | None = None, password: str | None = None, *,
    timeout: float = 30, verify: bool | str = True, name: str | None = None,
) -> list[CollectionInfo]:
    """The calendar collections the account can see: (display name, URL, components).

    ``url`` may be the server, the user's principal, or a collection itself.
    """
    conn = connect(url, username, password, timeout=timeout, verify=verify, name=name)
    try:
        return find_collections(conn)
    finally:
        conn.close()


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]
    return s or str(uuid.uuid4())


def _exists(conn: Connection, url: str) -> bool:
    from caldav.elements import dav

    try:
        return bool(conn.propfind(url, [dav.ResourceType], 0))
    except StorageError:  # not found, or not ours to look at: not "already exists"
        return False


def make_collection(
    url: str, username: str | None = None, password: str | None = None, *,
    display_name: str, components: tuple[str, ...] | list[str] = ("VTODO",),
    cal_id: str | None = None, timeout: float = 30, verify: bool | str = True,
    name: str | None = None,
) -> CollectionInfo:
    """:func:`create_collection` on a connection of its own."""
    conn = connect(url, username, password, timeout=timeout, verify=verify, name=name)
    try:
        return create_collection(conn, display_name=display_name, components=components,
                                 cal_id=cal_id)
    finally:
        conn.close()


def create_collection(conn: Connection, *, display_name: str,
                      components: tuple[str, ...] | list[str] = ("VTODO",),
                      cal_id: str | None = None) -> CollectionInfo:
    """Create a calendar collection (MKCALENDAR) in the user's calendar home.

    ``cal_id`` is the last path segment (default: from the display name).
    Raises PreconditionFailed if something already lives there.
    """
    from caldav.collection import CalendarSet
    from caldav.lib import error

    comps = [c.upper() for c in components]
    cal_id = cal_id or _slug(display_name)
    home = _home(conn, str(conn.client.url))
    if isinstance(home, tuple):  # the URL is a calendar: make the new one beside it
        home = urljoin(home[1], "..")
    target = conn.abs(home.rstrip("/") + "/" + cal_id + "/")
    with conn.errors("create a calendar at", target):
        try:
            made: Any = CalendarSet(conn.client, url=home).make_calendar(
                name=display_name, cal_id=cal_id, supported_calendar_component_set=comps)
        except (error.MkcalendarError, error.AuthorizationError) as e:
            taken = f"{D}resource-must-be-null" in e.preconditions
            if not taken and e.status in (403, 405, 409):
                # these also mean "no calendars here" (Cyrus outside the home: 405)
                taken = _exists(conn, target)
            if taken:
                raise conn.fail(PreconditionFailed, f"cannot create calendar {cal_id!r}: "
                                f"it already exists (HTTP {e.status})") from None
            if e.status in (403, 405, 409):
                raise conn.fail(StorageError, f"cannot create calendar {cal_id!r} in "
                                f"{redact(home)}: the server does not allow it there "
                                f"(HTTP {e.status})") from None
            raise
    return (display_name, conn.abs(str(made.url), decoded=False), set(comps))
