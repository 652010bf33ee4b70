"""The user's IMAP server: log in, find the folders, read what is new, put drafts in the
Drafts folder, wait with IDLE. The only importer of imapclient.

imapclient, not imap-tools: a check works at the protocol's level (UIDVALIDITY and UIDNEXT
from EXAMINE, UID ranges, header fields and BODYSTRUCTURE without bodies, RFC 6154
special-use flags from LIST, UIDPLUS's UID EXPUNGE of one draft, IDLE), which imapclient
exposes as it is, parsed and typed, where imap-tools wraps it in message objects.

Folders are opened read-only (EXAMINE) and bodies fetched with BODY.PEEK: a check never
marks the user's mail as read. Every failure becomes a FollowupError of one line that
names the server and never the password.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from followup.config import UNKNOWN_ISSUER, MailSettings, tls_verify
from followup.core.letters import HEADER_FIELDS
from followup.errors import FollowupError

DRAFT_NAMES = ("Drafts", "[Gmail]/Drafts", "INBOX.Drafts", "INBOX/Drafts")
BATCH = 200  # messages per FETCH
IDLE_RENEW = 25 * 60  # RFC 2177: re-issue IDLE before the server's 30-minute timeout


class MailError(FollowupError):
    """The mailbox could not be used: log-in, connection, or an answer of the server."""


@dataclass(frozen=True)
class Header:
    """One message as a check first sees it: no body."""

    uid: int
    header: bytes
    arrived: dt.datetime | None  # INTERNALDATE
    has_calendar: bool  # a text/calendar part or an .ics attachment


@dataclass(frozen=True)
class FolderState:
    uidvalidity: int
    uidnext: int


def digest(data: bytes) -> str:
    return hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()


class Mailbox:
    """One logged-in connection; use it as a context manager (it logs out)."""

    def __init__(self, mail: MailSettings, password: str | None, trust: str | None = None) -> None:
        """`trust` says how to trust a private CA when the command takes it as an option
        (`mail setup --verify`); else the hint names the config key."""
        self.mail = mail
        self.trust = trust or 'set verify = "/path/to/ca.pem" in [mail]'
        tls, self.login, self.host, self.port = mail.parts
        self.where = f"{self.host}:{self.port}"
        if password is None:
            raise MailError(
                "mail: no password; give one with `followup mail setup URL --password-env VAR`"
                " (or --password-command), or store it in the system keyring as"
                f" 'followup:mail' for {self.login}")
        with self._errors("connecting to"):
            from imapclient import IMAPClient

            context = _tls_context(mail.verify) if tls else None
            self.client: Any = IMAPClient(self.host, port=self.port, ssl=tls, ssl_context=context,
                                          timeout=mail.timeout)
        with self._errors("logging in to"):
            from imapclient.exceptions import LoginError

            try:
                self.client.login(self.login, password)
            except LoginError as exc:
                self._close()
                reason = _text(exc) or "no reason given"
                raise MailError(f"mail: {self.where} refused the login for {self.login}"
                                f" ({reason}); check the user name and the password") from None
        self._folders: list[tuple[tuple[bytes, ...], str]] | None = None

    def __enter__(self) -> Mailbox:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if kind is not None and issubclass(kind, KeyboardInterrupt):
            # Ctrl-C may land inside a command (IDLE, a FETCH): the connection is then
            # mid-answer and a LOGOUT would wait for a reply that never comes. Just close.
            self._close()
            return
        self.logout()

    def logout(self) -> None:
        try:
            self.client.logout()
        except Exception:  # noqa: BLE001 - the connection may be gone already
            self._close()

    def _close(self) -> None:
        try:
            self.client.shutdown()
        except Exception:  # noqa: BLE001 - closing a dead socket
            pass

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """One line for every way the server or the network can fail."""
        import imaplib
        import socket

        try:
            yield
        except MailError:
            raise
        except socket.gaierror:
            raise MailError(f"mail: cannot find the server {self.host}") from None
        except ssl.SSLCertVerificationError as exc:
            hint = f"; {self.trust} for a private CA" if exc.verify_code in UNKNOWN_ISSUER else ""
            raise MailError(f"mail: the TLS certificate of {self.where} is not trusted"
                            f" ({exc.verify_message}){hint}") from None
        except ssl.SSLError as exc:
            raise MailError(f"mail: TLS failed with {self.where} ({exc.reason or exc});"
                            " is the port right for imaps://?") from None
        except (TimeoutError, socket.timeout):
            raise MailError(f"mail: {self.where} did not answer within {self.mail.timeout:g} s"
                            f" while {doing} it") from None
        except ConnectionRefusedError:
            raise MailError(f"mail: {self.where} refused the connection; is the server running"
                            " and the port right?") from None
        except (imaplib.IMAP4.abort, ConnectionError, EOFError, OSError) as exc:
            raise MailError(f"mail: the connection to {self.where} was lost while {doing} it"
                            f" ({_text(exc) or type(exc).__name__})") from None
        except imaplib.IMAP4.error as exc:  # imapclient's IMAPClientError is one
            raise MailError(f"mail: {self.where} answered an error while {doing} it:"
                            f" {_text(exc)}") from None

    # -- folders -------------------------------------------------------------------------

    def folders(self) -> list[tuple[tuple[bytes, ...], str]]:
        if self._folders is None:
            with self._errors("listing the folders of"):
                self._folders = [(tuple(flags), name) for flags, _, name in self.client.list_folders()]
        return self._folders

    def watched(self) -> list[str]:
        """The folders a check reads: each must exist."""
        names = {name.lower(): name for _, name in self.folders()}
        out = []
        for folder in self.mail.folders:
            found = names.get(folder.lower()) if folder.upper() != "INBOX" else "INBOX"
            if found is None:
                raise MailError(f"mail: {self.where} has no folder {folder!r}; the folders are:"
                                f" {', '.join(sorted(n for _, n in self.folders()))}")
            out.append(found)
        return out

    def drafts_folder(self) -> tuple[str, str]:
        """(the Drafts folder, how it was found): the configured one, the one flagged
        \\Drafts (RFC 6154), else one named Drafts or [Gmail]/Drafts."""
        folders = self.folders()
        if self.mail.drafts:
            for _, name in folders:
                if name == self.mail.drafts:
                    return name, "set in [mail] drafts"
            raise MailError(f"mail: {self.where} has no folder {self.mail.drafts!r} ([mail] drafts)")
        for flags, name in folders:
            if b"\\Drafts" in flags:
                return name, "flagged \\Drafts"
        by_name = {name.lower(): name for _, name in folders}
        for candidate in DRAFT_NAMES:
            if candidate.lower() in by_name:
                return by_name[candidate.lower()], "by its name"
        raise MailError(f"mail: {self.where} flags no folder as \\Drafts and has none named"
                        " Drafts or [Gmail]/Drafts; create one, or name yours with"
                        ' drafts = "…" in [mail]')

    # -- reading -------------------------------------------------------------------------

    def examine(self, folder: str) -> FolderState:
        with self._errors(f"opening {folder} on"):
            answer = self.client.select_folder(folder, readonly=True)
        return FolderState(int(answer[b"UIDVALIDITY"]), int(answer.get(b"UIDNEXT", 0) or 0))

    def uids_from(self, first: int) -> list[int]:
        """UIDs of the open folder from `first` on ("N:*" also names the last message when
        none is that new: dropped)."""
        with self._errors("searching"):
            found = self.client.search(["UID", f"{first}:*"])
        return sorted(uid for uid in found if uid >= first)

    def uids_since(self, day: dt.date) -> list[int]:
        with self._errors("searching"):
            return sorted(self.client.search(["SINCE", day]))

    def headers(self, uids: Sequence[int]) -> Iterator[Header]:
        """The header fields and structure of messages of the open folder, in UID order."""
        fields = " ".join(HEADER_FIELDS).upper()
        wanted = [b"INTERNALDATE", b"BODYSTRUCTURE", f"BODY.PEEK[HEADER.FIELDS ({fields})]".encode()]
        for start in range(0, len(uids), BATCH):
            batch = list(uids[start:start + BATCH])
            with self._errors("reading messages from"):
                answer = self.client.fetch(batch, wanted)
            for uid in sorted(answer):
                data = answer[uid]
                header = next((v for k, v in data.items() if k.startswith(b"BODY[HEADER")), b"")
                arrived = data.get(b"INTERNALDATE")
                if isinstance(arrived, dt.datetime) and arrived.tzinfo is None:
                    arrived = arrived.astimezone()  # imapclient gives local time without a zone
                yield Header(uid, header or b"", arrived, _has_calendar(data.get(b"BODYSTRUCTURE")))

    def message(self, uid: int) -> bytes | None:
        """A whole message of the open folder (without marking it read); None when gone."""
        with self._errors("reading a message from"):
            answer = self.client.fetch([uid], [b"BODY.PEEK[]"])
        data = answer.get(uid, {})
        body = data.get(b"BODY[]")
        return body if isinstance(body, bytes) else None

    # -- drafts --------------------------------------------------------------------------

    def append_draft(self, folder: str, data: bytes, when: dt.datetime) -> None:
        with self._errors(f"saving the draft to {folder} on"):
            self.client.append(folder, data, flags=(b"\\Draft", b"\\Seen"), msg_time=when)

    def remove_draft(self, folder: str, message_id: str, expected: str) -> str:
        """Delete our earlier draft when it is as we wrote it. Returns "removed", "gone"
        (sent or deleted meanwhile) or "edited" (changed by the user: kept)."""
        with self._errors(f"replacing the draft in {folder} on"):
            self.client.select_folder(folder)
            uids = self.client.search(["HEADER", "Message-ID", message_id])
            if not uids:
                return "gone"
            answer = self.client.fetch(uids, [b"BODY.PEEK[]"])
            ours = [uid for uid in uids if digest(answer.get(uid, {}).get(b"BODY[]", b"")) == expected]
            if not ours:
                return "edited"
            self.client.delete_messages(ours)
            if self.client.has_capability("UIDPLUS"):
                self.client.uid_expunge(ours)  # only ours: never the user's other deleted mail
            self.client.unselect_folder() if self.client.has_capability("UNSELECT") \
                else self.client.close_folder()
        return "removed"

    # -- waiting -------------------------------------------------------------------------

    def idle(self, folder: str, seconds: float = IDLE_RENEW) -> bool:
        """Wait until the server says something changed in `folder` (True) or `seconds`
        passed (False). IDLE where the server has it, else a plain wait and NOOP."""
        with self._errors(f"waiting for mail in {folder} on"):
            self.client.select_folder(folder, readonly=True)
            if not self.client.has_capability("IDLE"):
                import time

                time.sleep(min(seconds, 60))
                return bool(self.client.noop()[1])
            self.client.idle()
            try:
                responses = self.client.idle_check(timeout=seconds)
            finally:
                self.client.idle_done()
        return any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses)


def _tls_context(verify: bool | str) -> ssl.SSLContext:
    """The system's CA store, the CA file `verify` names, or (verify = false) no check."""
    try:
        cafile = tls_verify(verify)
    except ValueError as exc:
        raise MailError(f"mail: cannot use the CA file {verify} (verify in [mail]): {exc}") from None
    if cafile is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=cafile if isinstance(cafile, str) else None)


def _text(exc: BaseException) -> str:
    parts = [a.decode(errors="replace") if isinstance(a, bytes) else str(a) for a in exc.args]
    text = " ".join(" ".join(parts).split())
    text = re.sub(r"^b'(.*)'$", r"\1", text)
    return text[:200]


def _has_calendar(structure: Any) -> bool:
    """Whether a BODYSTRUCTURE holds a text/calendar or application/ics part or an .ics file."""
    if structure is None:
        return False
    if getattr(structure, "is_multipart", False):
        return any(_has_calendar(part) for part in structure[0])
    try:
        kind = (bytes(structure[0]).lower(), bytes(structure[1]).lower())
    except (TypeError, IndexError):
        return False
    if kind in ((b"text", b"calendar"), (b"application", b"ics")):
        return True
    return b".ics" in repr(structure).lower().encode()
