"""What follows every change of state, in one place (ARCHITECTURE.md, rule 2).

`Service.change()` is the only way to change state; when a change moved the store's
revision it calls, inside the transaction, `check_calendar` (a calendar file that cannot
be written stops the change before anything is saved), and after the commit `write_files`
(the calendar file and the `[feed] publish` files, under the store's write lock, showing
what is committed: a file never shows a change the database does not have, and concurrent
runs never leave an older state in it) and `push` (remotes with auto_push, unless
offline). Every writing command and the pull side of `followup sync` come through here,
so no output is ever stale. What fails after the commit is a warning: the change itself
is saved.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

from followup.app.remotes import sync_remote
from followup.config import Config, Paths
from followup.errors import FollowupError
from followup.feed.calendar_file import write_calendar_file
from followup.feed.publish import publish_configured
from followup.files import existing, resolve
from followup.store import Store
from followup.sync.host import Host

RETRY_HINT = "the change is saved here and `followup sync` will send it"


def offline_by_environment() -> bool:
    """FOLLOWUP_OFFLINE=1 works like `followup --offline` for every command."""
    return os.environ.get("FOLLOWUP_OFFLINE", "") not in ("", "0")


class Effects:
    def __init__(self, paths: Paths, config: Config, warn: Callable[[str], None]) -> None:
        self.paths = paths
        self.config = config
        self.warn = warn

    def calendar_path(self) -> Path:
        if self.config.calendar_file:
            return Path(self.config.calendar_file).expanduser()
        return self.paths.calendar_file

    def check_calendar(self) -> None:
        """Fail before the commit when the calendar file's folder cannot be written."""
        target = resolve(self.calendar_path())
        if existing(target) is None or os.path.isfile(target):
            target.parent.mkdir(parents=True, exist_ok=True)
            if not os.access(target.parent, os.W_OK):
                raise PermissionError(13, "Permission denied", str(target.parent))

    def write_files(self, store: Store, now: dt.datetime) -> None:
        """The calendar file, then the `[feed] publish` files, from what is committed.

        The store's write lock makes concurrent runs take turns: each writes the latest
        committed state, so the last one to write shows every change."""
        path = self.calendar_path()
        # Only what the files hold is recorded here: lost in a power cut, the next write
        # finds the file unlike what is recorded and rewrites it. No disk wait for it.
        with store.transaction(durable=False):
            try:
                write_calendar_file(store, path, "full")
            except OSError as exc:
                self.warn(f"cannot write the calendar file {path}: {exc.strerror or exc};"
                          " the change itself is saved.")
            if self.config.feed.publish:
                try:
                    publish_configured(store, self.config, now)
                except FollowupError as exc:
                    self.warn(f"{exc}; the change itself is saved.")

    def push(self, host: Host, *, offline: bool) -> None:
        """Send the change to every remote with auto_push; failures wait for `followup sync`."""
        if offline or offline_by_environment():
            return
        for name in sorted(self.config.remotes):
            remote = self.config.remotes[name]
            if not remote.auto_push:
                continue
            try:
                errors = sync_remote(host, remote, pull=False).errors
            except Exception as exc:  # noqa: BLE001 - the change is committed: warn, do not fail
                if os.environ.get("FOLLOWUP_DEBUG"):
                    raise
                errors = [f"remote '{remote.name}': unexpected {type(exc).__name__}: {exc}"]
            for error in errors:
                self.warn(f"{error}; {RETRY_HINT}")
