"""What the sync engine needs from the application, and what it reports back.

A lower layer declares the small interface it needs; the application (followup.app)
satisfies it. This keeps imports pointing down (ARCHITECTURE.md, rule 1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from followup.core.model import Interview
from followup.store import Store


class Host(Protocol):
    """What the engine needs from the application (followup.app.service.Service): the
    store, the clock, check-offs and re-planning by the playbook, and `change()`, the one
    way to change state, so the calendar file and the published files follow a pull."""

    @property
    def store(self) -> Store: ...

    @property
    def now(self) -> dt.datetime: ...

    def change(self, *, push: bool = True) -> AbstractContextManager[None]: ...

    def done(self, refs: Sequence[str], when: dt.datetime | None = None) -> object: ...

    def undo(self, refs: Sequence[str]) -> object: ...

    def replan(self, interview: Interview) -> int: ...


@dataclass
class Report:
    remote: str
    created: int = 0
    updated: int = 0
    deleted: int = 0
    pulled: int = 0
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def doc(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in
                ("remote", "created", "updated", "deleted", "pulled", "conflicts", "errors")}


