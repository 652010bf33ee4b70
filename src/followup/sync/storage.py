"""The storage interface shared by every sync target, and its errors.

A storage holds calendar objects, one per item (an ``href``), each with an
``etag`` that changes whenever the item's bytes change.  The sync engine
decides what to push and pull; a storage only moves bytes.  The data is a
complete VCALENDAR (one component plus its VTIMEZONEs) rendered elsewhere.

Rules every implementation keeps (CALENDAR_RULES.md, rules 15-18):

- ``create`` never overwrites (``If-None-Match: *``); ``update`` and ``delete``
  only act when the etag still matches (``If-Match``).  A lost race raises
  :class:`PreconditionFailed`, never silently clobbers another client's edit.
- The href returned by ``create`` is the one to keep; never rebuild it from a UID.
- ``changes(None)`` (or an unknown/expired token) is a full listing, not an error.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from followup.errors import FollowupError

__all__ = [
    "Listing",
    "StorageError",
    "PreconditionFailed",
    "NotFoundError",
    "AuthError",
    "Storage",
    "href_for_uid",
    "Target",
    "Listings",
    "Hrefs",
    "Changes",
]


@dataclass(frozen=True)
class Listing:
    """One item in a storage: where it lives and its current version."""

    href: str
    etag: str


class StorageError(FollowupError):
    """A storage operation failed.

    The message is one human-readable line that names the storage and the
    cause, e.g. ``remote 'work': cannot connect to https://x: connection
    refused``.  It never contains a password.  (A FollowupError, so the CLI
    boundary prints it as ``Error: ...`` and exits with ``exit_code``.)
    """

    exit_code = 1


class PreconditionFailed(StorageError):
    """The target changed under us: create on an existing item, or an etag
    mismatch on update/delete (HTTP 412), or a UID already used by another
    item (CalDAV no-uid-conflict).

    ``href`` names the conflicting item when the storage knows it (for a UID
    conflict: the resource that already holds the UID), else ``None``.
    """

    def __init__(self, message: str, href: str | None = None) -> None:
        super().__init__(message)
        self.href = href


class NotFoundError(StorageError):
    """The item (or the collection itself) does not exist."""


class AuthError(StorageError):
    """The credentials were refused (HTTP 401) or access was denied (403)."""


# Module-level names for the types a storage hands around: inside a class with a `list`
# method, `list[...]` in an annotation would name the method, not the builtin.
Listings = list[Listing]
Hrefs = list[str]
Changes = tuple[str | None, Listings | None, Hrefs]  # (new token, changed, deleted)


@runtime_checkable
class Storage(Protocol):
    """What the sync engine needs from a place that holds calendar objects."""

    name: str

    def list(self) -> Listings:
        """Every item: href and etag."""
        ...

    def get(self, hrefs: Hrefs) -> dict[str, tuple[bytes, str]]:
        """href -> (ics bytes, etag) for the hrefs that exist (multiget on CalDAV).

        Hrefs that no longer exist are left out of the result.
        """
        ...

    def create(self, uid: str, data: bytes) -> tuple[str, str]:
        """Store a new item; returns (href, etag).

        Raises PreconditionFailed if the target already exists.
        """
        ...

    def update(self, href: str, data: bytes, etag: str) -> str:
        """Replace an item if its etag still is ``etag``; returns the new etag."""
        ...

    def delete(self, href: str, etag: str) -> None:
        """Remove an item if its etag still is ``etag``."""
        ...

    def changes(self, token: str | None) -> Changes:
        """Incremental listing since ``token``.

        Returns (new_token, changed listings, deleted hrefs).  A ``None``,
        unknown or expired token gives a full listing in ``changed`` and no
        deletions: the caller compares it with what it knows.
        """
        ...


_SAFE_NAME = re.compile(r"[A-Za-z0-9_+-][A-Za-z0-9_.+-]*\Z")
_MAX_NAME = 200  # bytes; most file systems allow 255 per name


def href_for_uid(uid: str, fileext: str = ".ics") -> str:
    """The resource (file) name for a new item: ``uid + fileext`` when the UID
    is file-name and URL safe (``[A-Za-z0-9_.+-]``, no leading dot, not too
    long), else a random UUID + ``fileext`` (vdirsyncer does the same)."""
    if _SAFE_NAME.match(uid) and len(uid) + len(fileext) <= _MAX_NAME:
        return uid + fileext
    return str(uuid.uuid4()) + fileext


@dataclass(frozen=True)
class Target:
    """Where one remote keeps some of its objects (a storage and the component types it
    takes): a vdir folder or a collection for both, or separate ones for events and tasks.
    ``name`` keys the sync state."""

    name: str
    storage: Storage
    components: frozenset[str]
