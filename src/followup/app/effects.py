"""What follows every change of state, in one place (ARCHITECTURE.md, rule 2).

`Service.change()` is the only way to change state; when a change moved the store's
revision it calls, inside the transaction, `write_calendar` (the calendar file shows what
the database holds), and after the commit `publish` (the `[feed] publish` files) and
`push` (remotes with auto_push, unless offline). Every writing command and the pull side
of `followup sync` come through here, so no output is ever stale. What fails after the
commit is a warning: the change itself is saved.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

from followup.app.remotes import sync_remote
from followup.config import Config, Paths
from followup.errors import FollowupError
from followup.feed.calendar import calendar_bytes
from followup.feed.publish import publish_configured
from followup.files import write_atomic
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

    def write_calendar(self, store: Store) -> Path:
        """The full calendar, from the caller's transaction: it shows what is committed."""
        path = self.calendar_path()
        write_atomic(path, calendar_bytes(store, "full"))
        return path

    def publish(self, store: Store, now: dt.datetime) -> None:
        """Refresh the `[feed] publish` files; a file that cannot be written is a warning."""
        if not self.config.feed.publish:
            return
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
