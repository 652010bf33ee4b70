"""What the sync engine remembers per remote, in the store's own SQLite database.

The tables are part of the store's schema (store.py, SYNC_TABLES).

- ``sync_objects``: one row per object a remote holds that we have seen: where it lives
  (``target``, ``href``), its ``etag``, its ``uid``; for our own objects also the item
  ``sequence`` last pushed or reconciled, the component text we ``pushed`` (our render,
  used to tell the user's edits from ours and to find our own alarm again) and, when the
  server's copy differs from it (foreign properties or alarms), the ``server`` copy we
  patch on the next update.  Foreign objects are remembered by href and etag only, so a
  full listing does not fetch them again.
- ``sync_gone``: our objects deleted on a remote by another client: never recreated there.
- ``sync_tokens``: per remote and target, the storage's ``changes()`` token.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

__all__ = ["ObjectRow", "SyncState"]

@dataclass(slots=True)
class ObjectRow:
    remote: str
    target: str
    href: str
    etag: str
    uid: str | None
    ours: int
    sequence: int = -1  # -1: not known to match the item (update on next push)
    data_hash: str | None = None  # X-FOLLOWUP-DATA of an interview object, hashed
    pushed: str | None = None
    server: str | None = None

    @property
    def base(self) -> str | None:
        """The server's copy as we last knew it (what an update patches)."""
        return self.server if self.server is not None else self.pushed


_COLUMNS = ", ".join(ObjectRow.__dataclass_fields__)


class SyncState:
    """Reads and writes the sync tables; every write runs in the caller's transaction."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    # -- objects -----------------------------------------------------------------

    def objects(self, remote: str, target: str) -> dict[str, ObjectRow]:
        """href -> row for one target of a remote."""
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM sync_objects WHERE remote = ? AND target = ?",
            (remote, target))
        return {r[2]: ObjectRow(*r) for r in rows}

    def put(self, row: ObjectRow) -> None:
        self.db.execute(
            f"INSERT OR REPLACE INTO sync_objects ({_COLUMNS}) VALUES "
            f"({', '.join('?' * len(ObjectRow.__dataclass_fields__))})",
            (row.remote, row.target, row.href, row.etag, row.uid, row.ours, row.sequence,
             row.data_hash, row.pushed, row.server))

    def drop(self, remote: str, target: str, href: str) -> None:
        self.db.execute("DELETE FROM sync_objects WHERE remote = ? AND target = ? AND href = ?",
                        (remote, target, href))

    # -- deleted by the user ---------------------------------------------------------

    def gone(self, remote: str, target: str) -> set[str]:
        return {r[0] for r in self.db.execute(
            "SELECT uid FROM sync_gone WHERE remote = ? AND target = ?", (remote, target))}

    def mark_gone(self, remote: str, target: str, uid: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO sync_gone VALUES (?, ?, ?)", (remote, target, uid))

    # -- change tokens ---------------------------------------------------------------

    def token(self, remote: str, target: str) -> str | None:
        row = self.db.execute("SELECT token FROM sync_tokens WHERE remote = ? AND target = ?",
                              (remote, target)).fetchone()
        return row[0] if row else None

    def set_token(self, remote: str, target: str, token: str | None) -> None:
        self.db.execute("INSERT OR REPLACE INTO sync_tokens VALUES (?, ?, ?)",
                        (remote, target, token))

    def forget_remote(self, remote: str) -> None:
        """Everything known about a remote (``remote remove``)."""
        for table in ("sync_objects", "sync_gone", "sync_tokens"):
            self.db.execute(f"DELETE FROM {table} WHERE remote = ?", (remote,))
