"""Bounded memos: the caches a command fills as it goes (an import asks the same questions
thousands of times) stay bounded for a process that runs for months (the feed server)."""

from __future__ import annotations

from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


def bounded(memo: dict[K, V], size: int) -> dict[K, V]:
    """`memo`, with room for one more entry: emptied when it holds `size` (what is asked
    again is made again). Use as `bounded(memo, SIZE)[key] = value`."""
    if len(memo) >= size:
        memo.clear()
    return memo
