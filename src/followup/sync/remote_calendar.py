"""Busy times from a calendar on a CalDAV remote (`busy = ["remote:work:Work"]`).

The objects are cached in the data folder with the collection's change token, so a
command that re-plans costs one request when nothing changed on the server.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from followup.config import Remote
from followup.credentials import password
from followup.errors import FollowupError
from followup.files import write_atomic
from followup.sync.caldav import CalDAVStorage
from followup.sync.storage import StorageError


def remote_objects(entry: str, remotes: Mapping[str, Remote], cache_dir: Path) -> list[bytes]:
    """Every object of the calendar that `entry` ("remote:NAME[:CALENDAR]") names."""
    name, _, calendar = entry.removeprefix("remote:").partition(":")
    remote = remotes.get(name)
    if remote is None:
        raise FollowupError(f"no remote {name!r}; `followup remote list` shows them")
    if remote.vdir:
        folder = Path(remote.vdir).expanduser()
        return [path.read_bytes() for path in sorted(folder.glob("*.ics"))]
    storage = CalDAVStorage(remote.name, remote.url or "", remote.username, password(remote),
                            calendar=calendar or remote.calendar, component="VEVENT",
                            timeout=remote.timeout, verify=remote.verify)
    cache_file = cache_dir / f"busy-{hashlib.sha256(entry.encode()).hexdigest()[:16]}.json"
    try:
        cache = json.loads(cache_file.read_text())
    except (OSError, ValueError):
        cache = {"token": None, "objects": {}}
    try:
        with storage:
            objects = _refresh(storage, cache["token"], cache["objects"], cache)
    except StorageError as exc:
        raise FollowupError(str(exc)) from None
    write_atomic(cache_file, json.dumps(cache).encode())
    return [text.encode() for _, text in objects.values()]


def _refresh(storage: CalDAVStorage, token: str | None, objects: dict[str, list[str]],
             cache: dict[str, Any]) -> dict[str, list[str]]:
    new_token, changed, deleted = storage.changes(token)
    if token is not None and new_token == token:
        return objects
    incremental = bool(token and new_token and token.startswith("sync:")
                       and new_token.startswith("sync:"))
    wanted = {listing.href: listing.etag for listing in changed or []}
    if incremental:
        for href in deleted:
            objects.pop(href, None)
    else:
        objects = {href: value for href, value in objects.items() if href in wanted}
    fetch = [href for href, etag in wanted.items() if objects.get(href, [None])[0] != etag]
    for href, (data, etag) in storage.get(fetch).items() if fetch else ():
        objects[href] = [etag, data.decode("utf-8", "replace")]
    cache["token"], cache["objects"] = new_token, objects
    return objects
