"""What `followup mail` remembers, in the store's own database (store.py, MAIL_TABLES).

- ``mail_folders``: per folder, the UIDVALIDITY and UIDNEXT where the last check ended;
  a check reads only the messages after it (a new UIDVALIDITY means the server numbered
  the folder anew: the check reads back to the oldest open interview).
- ``mail_drafts``: the Message-IDs of the drafts we put into the Drafts folder, with a
  digest of the bytes we wrote: a draft the user has edited since is never deleted.
- ``mail_invitations``: invitation UIDs, added (with their interview) or found in the
  mailbox and not added yet (with where the message is).
- ``mail_threads``: the recruiter's last Message-ID per interview: drafts answer it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

__all__ = ["Draft", "FolderMark", "MailState", "Pending"]


@dataclass(frozen=True)
class FolderMark:
    folder: str
    uidvalidity: int
    uidnext: int


@dataclass(frozen=True)
class Draft:
    message_id: str
    interview_id: int
    item_uid: str
    folder: str
    digest: str


@dataclass(frozen=True)
class Pending:
    """An invitation found in the mailbox and not added yet."""

    uid: str
    folder: str
    uidvalidity: int
    message_uid: int


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat()


class MailState:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    # -- folders --------------------------------------------------------------------

    def mark(self, folder: str) -> FolderMark | None:
        row = self.db.execute("SELECT uidvalidity, uidnext FROM mail_folders WHERE folder = ?",
                              (folder,)).fetchone()
        return FolderMark(folder, row[0], row[1]) if row else None

    def set_mark(self, mark: FolderMark, now: dt.datetime) -> None:
        self.db.execute(
            "INSERT INTO mail_folders VALUES (?, ?, ?, ?) ON CONFLICT (folder) DO UPDATE SET"
            " uidvalidity = excluded.uidvalidity, uidnext = excluded.uidnext,"
            " checked = excluded.checked",
            (mark.folder, mark.uidvalidity, mark.uidnext, _utc(now)),
        )

    # -- drafts -----------------------------------------------------------------------

    def draft_ids(self) -> dict[int, frozenset[str]]:
        """Every draft's Message-ID (replaced ones too: the user may have sent one), by interview."""
        found: dict[int, set[str]] = {}
        for interview_id, message_id in self.db.execute(
                "SELECT interview_id, message_id FROM mail_drafts"):
            found.setdefault(interview_id, set()).add(message_id)
        return {k: frozenset(v) for k, v in found.items()}

    def current_draft(self, item_uid: str) -> Draft | None:
        row = self.db.execute(
            "SELECT message_id, interview_id, item_uid, folder, digest FROM mail_drafts"
            " WHERE item_uid = ? AND current = 1 ORDER BY created DESC LIMIT 1", (item_uid,)
        ).fetchone()
        return Draft(*row) if row else None

    def drafted_items(self, interview_id: int) -> set[str]:
        """The items whose current draft is in the mailbox."""
        return {r[0] for r in self.db.execute(
            "SELECT item_uid FROM mail_drafts WHERE interview_id = ? AND current = 1",
            (interview_id,))}

    def add_draft(self, draft: Draft, now: dt.datetime) -> None:
        self.db.execute("UPDATE mail_drafts SET current = 0 WHERE item_uid = ?", (draft.item_uid,))
        self.db.execute(
            "INSERT INTO mail_drafts (message_id, interview_id, item_uid, folder, digest, created,"
            " current) VALUES (?, ?, ?, ?, ?, ?, 1)",
            (draft.message_id, draft.interview_id, draft.item_uid, draft.folder, draft.digest,
             _utc(now)),
        )

    # -- invitations ----------------------------------------------------------------------

    def invitation(self, uid: str) -> tuple[int | None] | None:
        """(the interview it was added as, or None when only found) or None when unknown."""
        row = self.db.execute("SELECT interview_id FROM mail_invitations WHERE uid = ?",
                              (uid,)).fetchone()
        return (row[0],) if row else None

    def add_invitation(self, uid: str, interview_id: int, now: dt.datetime) -> None:
        self.db.execute(
            "INSERT INTO mail_invitations (uid, interview_id, found) VALUES (?, ?, ?)"
            " ON CONFLICT (uid) DO UPDATE SET interview_id = excluded.interview_id,"
            " folder = NULL, uidvalidity = NULL, message_uid = NULL",
            (uid, interview_id, _utc(now)),
        )

    def found_invitation(self, pending: Pending, now: dt.datetime) -> None:
        self.db.execute(
            "INSERT INTO mail_invitations (uid, folder, uidvalidity, message_uid, found)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (uid) DO UPDATE SET folder = excluded.folder,"
            " uidvalidity = excluded.uidvalidity, message_uid = excluded.message_uid"
            " WHERE interview_id IS NULL",
            (pending.uid, pending.folder, pending.uidvalidity, pending.message_uid, _utc(now)),
        )

    def pending(self) -> list[Pending]:
        return [Pending(*row) for row in self.db.execute(
            "SELECT uid, folder, uidvalidity, message_uid FROM mail_invitations"
            " WHERE interview_id IS NULL ORDER BY folder, message_uid")]

    def forget_pending(self, uid: str) -> None:
        self.db.execute("DELETE FROM mail_invitations WHERE uid = ? AND interview_id IS NULL", (uid,))

    # -- threads --------------------------------------------------------------------------

    def thread(self, interview_id: int) -> str | None:
        row = self.db.execute("SELECT message_id FROM mail_threads WHERE interview_id = ?",
                              (interview_id,)).fetchone()
        return row[0] if row else None

    def set_thread(self, interview_id: int, message_id: str, sent: dt.datetime) -> None:
        """Remember the recruiter's message when it is their latest."""
        self.db.execute(
            "INSERT INTO mail_threads VALUES (?, ?, ?) ON CONFLICT (interview_id) DO UPDATE SET"
            " message_id = excluded.message_id, sent = excluded.sent"
            " WHERE excluded.sent >= mail_threads.sent",
            (interview_id, message_id, _utc(sent)),
        )
