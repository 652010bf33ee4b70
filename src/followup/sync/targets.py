"""A remote's storages as sync targets: which CalDAV collections take events and tasks
(discovered, or created with `--create`), or the vdir folder.
"""

from __future__ import annotations

from typing import Any

from followup.config import Remote
from followup.core.render import CALENDAR_NAME
from followup.credentials import password
from followup.errors import FollowupError
from followup.sync.caldav import CalDAVStorage, discover_collections, make_collection
from followup.sync.storage import NotFoundError, Target
from followup.sync.vdir import VdirStorage


def _caldav(remote: Remote, secret: str | None, calendar: str | None, component: str) -> CalDAVStorage:
    return CalDAVStorage(remote.name, remote.url or "", remote.username, secret,
                         calendar=calendar, component=component, timeout=remote.timeout,
                         verify=remote.verify)


def resolve_collections(remote: Remote, secret: str | None,
                        create: bool = False) -> tuple[str | None, str | None]:
    """(events collection URL, tasks collection URL) for a CalDAV remote.

    A named or given collection must accept its component type; one that accepts both
    serves both.  Missing ones are created (MKCALENDAR) when ``create`` is set.
    """
    url, user = remote.url or "", remote.username
    args: dict[str, Any] = dict(timeout=remote.timeout, verify=remote.verify, name=remote.name)
    infos = discover_collections(url, user, secret, **args)

    def comps(url: str) -> set[str]:
        key = url.rstrip("/")
        return next((c for _, u, c in infos if u.rstrip("/") == key), set())

    def named(spec: str, component: str) -> str:
        storage = _caldav(remote, secret, spec, component)
        try:
            return str(storage.collection_url)
        except NotFoundError:
            if not create or "/" in spec:
                raise
            return make_collection(remote.url or "", remote.username, secret, display_name=spec,
                                   components=[component], **args)[1]
        finally:
            storage.close()

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
        events = tasks = make_collection(remote.url or "", remote.username, secret,
                                         display_name=CALENDAR_NAME,
                                         components=["VEVENT", "VTODO"], **args)[1]
    elif create and not tasks:
        tasks = make_collection(remote.url or "", remote.username, secret,
                                display_name=f"{CALENDAR_NAME} (tasks)", components=["VTODO"],
                                **args)[1]
    elif create and not events:
        events = make_collection(remote.url or "", remote.username, secret,
                                 display_name=f"{CALENDAR_NAME} (events)",
                                 components=["VEVENT"], **args)[1]
    if not events and not tasks:
        raise FollowupError(f"remote '{remote.name}': no calendar on the server takes events or "
                            "tasks; name one with --calendar, or add --create")
    return events, tasks


def open_targets(remote: Remote) -> list[Target]:
    """The storages of a remote as engine targets (nothing is sent until first use)."""
    both = frozenset({"VEVENT", "VTODO"})
    if remote.vdir:
        return [Target("all", VdirStorage(remote.name, remote.vdir, batch=True), both)]
    secret = password(remote)
    events, tasks = remote.calendar, remote.tasks_calendar
    if not events or not tasks:  # written by hand: find what the server offers
        events, tasks = resolve_collections(remote, secret)
    if events and tasks and events.rstrip("/") == tasks.rstrip("/"):
        return [Target("all", _caldav(remote, secret, tasks, "VTODO"), both)]
    out = []
    if events:
        out.append(Target("events", _caldav(remote, secret, events, "VEVENT"),
                          frozenset({"VEVENT"})))
    if tasks:
        out.append(Target("tasks", _caldav(remote, secret, tasks, "VTODO"), frozenset({"VTODO"})))
    return out


def close_targets(targets: list[Target]) -> None:
    for target in targets:
        close = getattr(target.storage, "close", None)
        if close is not None:
            close()
