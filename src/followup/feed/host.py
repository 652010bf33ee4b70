"""What the feed server needs from the application, and how it is set up.

A lower layer declares the small interface it needs; the application's Service
(followup.app.service) satisfies it, and `followup serve` wires it in. This keeps
imports pointing down (ARCHITECTURE.md, rule 1), as sync/host.py does for the sync engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from followup.core.wording import DEFAULT_LANGUAGE, DEFAULT_LOCALE
from followup.store import Store


class Source(Protocol):
    """What the feed reads: a store and a renderer over it (feed.calendar.calendar_bytes)."""

    @property
    def store(self) -> Store: ...

    def calendar_bytes(self, profile: str = ..., feed: Mapping[str, object] | None = ...,
                       leave_out: Collection[int] = ...) -> bytes: ...


class Operations(Protocol):
    """What the page's buttons do, exactly as the CLI does it: every change inside
    `change()`, so the calendar file, the published files and the remotes follow."""

    warnings: list[str]

    @property
    def store(self) -> Store: ...

    def change(self, *, push: bool = True) -> AbstractContextManager[None]: ...

    def done(self, refs: Sequence[str], when: dt.datetime | None = None) -> object: ...

    def undo(self, refs: Sequence[str]) -> object: ...

    def snooze_as_typed(self, ref: str, when: str | None) -> object: ...

    def outcome(self, interview_id: int, kind: str, when: dt.datetime | None = None) -> bool: ...


@dataclass(frozen=True)
class Settings:
    user_tz: str
    keep_days: int = 30  # ended chains leave the events feed after this (CALENDAR_RULES 24)
    base_url: str | None = None  # the public address: the page's subscribe links and QR codes
    # Host headers a write may arrive with (DNS rebinding); None: any (a wildcard address).
    hosts: frozenset[str] | None = None
    name: str | None = None  # signs the drafts
    template_dir: Path | None = None  # the user's own draft templates
    language: str = DEFAULT_LANGUAGE  # the drafts' language, unless an interview has its own
    locale: str = DEFAULT_LOCALE
