"""A remote's storages as sync targets: which CalDAV collections take events and tasks
(discovered, or created with `--create`), or the vdir folder.
"""

from __future__ import annotations

from followup.config import Remote
from followup.core.render import CALENDAR_NAME
from followup.credentials import password
from followup.errors import FollowupError
from followup.sync.caldav import CalDAVStorage, Connection, connect, create_collection, find_collections
from followup.sync.storage import NotFoundError, Target
from followup.sync.vdir import VdirStorage


def _connect(remote: Remote, secret: str | None) -> Connection:
    return connect(remote.url or "", remote.username, secret, timeout=remote.timeout,
                   verify=remote.verify, name=remote.name)


def _caldav(remote: Remote, connection: Connection, calendar: str | None,
            component: str) -> CalDAVStorage:
    return CalDAVStorage(remote.name, remote.url or "", calendar=calendar, component=component,
                         connection=connection)


def resolve_collections(remote: Remote, secret: str | None, create: bool = False,
                        connection: Connection | None = None) -> tuple[str | None, str | None]:
    """(events collection URL, tasks collection URL) for a CalDAV remote.

    A named or given collection must accept its component type; one that accepts both
    serves both.  Missing ones are created (MKCALENDAR) when ``create`` is set.
    """
    conn = connection or _connect(remote, secret)
    try:
        return _resolve(remote, conn, create)
    finally:
        if connection is None:
            conn.close()


def _resolve(remote: Remote, conn: Connection, create: bool) -> tuple[str | None, str | None]:
    infos = find_collections(conn)

    def comps(url: str) -> set[str]:
        key = url.rstrip("/")
        return next((c for _, u, c in infos if u.rstrip("/") == key), set())

    def named(spec: str, component: str) -> str:
        storage = _caldav(remote, conn, spec, component)
        try:
            storage.check()
            return str(storage.collection_url)
        except NotFoundError:
            if not create or "/" in spec:
                raise
            # `--calendar jobs --create` makes one calendar for everything, unless the
            # tasks go to a calendar of their own
            alone = component == "VTODO" or remote.tasks_calendar not in (None, spec)
            made = create_collection(conn, display_name=spec,
                                     components=[component] if alone else ["VEVENT", "VTODO"])
            infos.append(made)
            return made[1]

    def first(component: str) -> str | None:
        return next((u for _, u, c in infos if component in c), None)

    events = named(remote.calendar, "VEVENT") if remote.calendar else None
    tasks = named(remote.tasks_calendar, "VTODO") if remote.tasks_calendar else None
    if events and not tasks and not remote.tasks_calendar and "VTODO" in comps(events):
        tasks = events
    if tasks and not events and not remote.calendar and "VEVENT" in comps(tasks):
        events = tasks
    if not remote.calendar and not remote.tasks_calendar:
        both = next((u for _, u, c in infos if {"VEVENT", "VTODO"} <= c), None)
        events = tasks = both
    events = events or (None if remote.calendar else first("VEVENT"))
    tasks = tasks or (None if remote.tasks_calendar else first("VTODO"))
    if create and not events and not tasks:
        events = tasks = create_collection(conn, display_name=CALENDAR_NAME,
                                           components=["VEVENT", "VTODO"])[1]
    elif create and not tasks:
        tasks = create_collection(conn, display_name=f"{CALENDAR_NAME} (tasks)",
                                  components=["VTODO"])[1]
    elif create and not events:
        events = create_collection(conn, display_name=f"{CALENDAR_NAME} (events)",
                                   components=["VEVENT"])[1]
    if not events and not tasks:
        raise FollowupError(f"remote '{remote.name}': no calendar on the server takes events or "
                            "tasks; name one with --calendar, or add --create")
    return events, tasks


def open_targets(remote: Remote) -> list[Target]:
    """The storages of a remote as engine targets (nothing is sent until first use)."""
    both = frozenset({"VEVENT", "VTODO"})
    if remote.vdir:
        return [Target("all", VdirStorage(remote.name, remote.vdir, batch=True), both)]
    conn = _connect(remote, password(remote))  # one HTTP session for both collections
    try:
        events, tasks = remote.calendar, remote.tasks_calendar
        if not events or not tasks:  # written by hand: find what the server offers
            events, tasks = resolve_collections(remote, None, connection=conn)
    except BaseException:
        conn.close()
        raise
    if events and tasks and events.rstrip("/") == tasks.rstrip("/"):
        return [Target("all", _caldav(remote, conn, tasks, "VTODO"), both)]
    out = []
    if events:
        out.append(Target("events", _caldav(remote, conn, events, "VEVENT"),
                          frozenset({"VEVENT"})))
    if tasks:
        out.append(Target("tasks", _caldav(remote, conn, tasks, "VTODO"), frozenset({"VTODO"})))
    return out


def close_targets(targets: list[Target]) -> None:
    for target in targets:
        close = getattr(target.storage, "close", None)
        if close is not None:
            close()
