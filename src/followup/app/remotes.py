"""Remotes: adding one (checked, its collections found or made), forgetting one, and
syncing one. `followup sync` and the push after every change both use `sync_remote`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from followup.config import Config, Paths, Remote, check_remote_name
from followup.config_edit import delete_remote, save_remote
from followup.credentials import password
from followup.errors import FollowupError, UsageError
from followup.store import Store
from followup.sync import targets
from followup.sync.caldav import connect
from followup.sync.engine import Engine
from followup.sync.host import Host, Report
from followup.sync.state import SyncState


def add_remote(paths: Paths, config: Config, remote: Remote, *, create: bool = False,
               trust: str | None = None) -> Remote:
    """Check a new remote, find (or, with `create`, make) its collections, save it.
    `trust` is how the command lets the user trust a private CA (see Connection)."""
    check_remote_name(remote.name)
    if remote.name in config.remotes:
        raise UsageError(f"remote '{remote.name}' exists; `followup remote remove {remote.name}` first")
    if remote.vdir is not None:
        folder = Path(remote.vdir).expanduser().absolute()
        if not folder.is_dir() and not create:
            # A typo would otherwise sync into a new, empty folder no other app reads.
            raise UsageError(f"there is no folder {folder}; check the path, or give --create"
                             " to make it", field="vdir")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FollowupError(f"cannot create {folder}: {exc.strerror or exc}") from None
        saved = dataclasses.replace(remote, vdir=str(folder))
    else:
        url = remote.url or ""
        if not url.startswith(("http://", "https://")):
            raise UsageError(f"{url!r} is not an http(s) URL", field="url")
        try:
            urlsplit(url).port  # noqa: B018 - raises on a malformed host or port
        except ValueError:
            raise UsageError(f"{url!r} is not a valid URL", field="url") from None
        connection = connect(url, remote.username, password(remote), timeout=remote.timeout,
                             verify=remote.verify, name=remote.name, trust=trust)
        try:
            events, tasks = targets.resolve_collections(remote, None, create, connection)
        finally:
            connection.close()
        saved = dataclasses.replace(remote, calendar=events, tasks_calendar=tasks)
    save_remote(paths.config_file, saved)
    return saved


def remove_remote(paths: Paths, config: Config, store: Store | None, name: str) -> None:
    """Forget a remote and what we remembered of it; what it holds stays there."""
    if name not in config.remotes:
        raise UsageError(f"no remote '{name}'; `followup remote list` shows them")
    delete_remote(paths.config_file, name)
    if store is not None:
        with store.transaction():
            SyncState(store.db).forget_remote(name)


def sync_remote(host: Host, remote: Remote, *, pull: bool = True,
                progress: Callable[[int, int], None] | None = None) -> Report:
    """One remote, both ways (or push only); errors end up in the report."""
    try:
        opened = targets.open_targets(remote)
    except FollowupError as exc:
        report = Report(remote.name)
        report.errors.append(str(exc))
        return report
    try:
        return Engine(host, remote.name, opened, progress=progress).sync(pull=pull)
    finally:
        targets.close_targets(opened)
