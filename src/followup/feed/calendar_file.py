"""Calendar files kept current after every change, at a cost that does not grow with them.

A change touches one interview; its calendar file holds all of them (20 MB at 1,000
interviews). So the store remembers what it last wrote to each path (`written_files`: the
revision, the file's identity, the SHA-256 of its header; `written_blocks`: the bytes of
each interview's block), and the next write copies the unchanged runs of the old file in
the kernel (`copy_file_range`) and writes only the interviews changed since
(`calendar_changes`, kept by a trigger on `items`) and, when it differs from the one
written, the header (made afresh every time: a new zone, a zone data or icalendar update).
Anything unexpected (the file was replaced, edited, truncated or is not ours) means a full
rewrite, streamed one interview at a time.

Always called under the store's write lock (`store.transaction()`) and after the change
was committed: the file shows what is committed, and concurrent runs take turns, each
writing the latest state, so no run leaves an older state behind. The file is not fsynced:
it is made again from the database at any time, the rename means readers see the old file
or the new one, and after a crash a file that does not match what we remember is rewritten.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from followup.feed.calendar import CLOSING, blocks, calendar_chunks, header
from followup.files import copy_range, existing, replace_with, resolve, write_all, write_atomic
from followup.store import Store

# Past this share of interviews changed, rendering them one query each costs more than a
# full rewrite.
SPLICE_AT_MOST = 0.25


def identity(st: os.stat_result) -> str:
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


def write_calendar_file(store: Store, path: Path, profile: str = "full",
                        feed: Mapping[str, object] | None = None) -> None:
    """Make `path` show the store's committed state in `profile` (under the write lock)."""
    target = resolve(path)
    st = existing(target)
    if st is not None and not stat.S_ISREG(st.st_mode):
        write_atomic(target, calendar_chunks(store, profile, feed))  # a FIFO, /dev/stdout
        return
    name = f"{profile}:{os.path.abspath(target)}"
    known = store.written_file(name)
    revision = store.revision()
    head = header(store, profile, feed)
    digest = hashlib.sha256(head).hexdigest()
    if known is None or st is None or known["identity"] != identity(st) or not _whole(target, st):
        _rewrite(store, target, st, name, revision, profile, head, digest)
        return
    changed = store.changed_interviews(int(known["revision"]))
    same_head = digest == known["header_sha256"]
    if not changed and same_head:
        if int(known["revision"]) != revision:  # nothing it shows moved
            store.save_written_file(name, revision, known["identity"], digest,
                                    int(known["header_length"]), (), replace_all=False)
        return
    old = store.written_blocks(name)
    if len(changed) > max(16, SPLICE_AT_MOST * len(old)):
        _rewrite(store, target, st, name, revision, profile, head, digest)
        return
    fresh = {number: b"" for number in changed}  # an interview with no items: no block
    for number in changed:
        fresh.update(blocks(store, profile, number))
    old_header = int(known["header_length"])
    where: dict[int, tuple[int, int]] = {}
    offset = old_header
    for number, length in old:
        where[number] = (offset, length)
        offset += length
    order = sorted(set(where) | set(fresh))

    def write(fd: int) -> None:
        with open(target, "rb") as source:
            old_fd = source.fileno()
            if same_head:
                copy_range(old_fd, fd, 0, old_header)
            else:
                write_all(fd, head)
            run_start, run_length = old_header, 0  # unchanged neighbours: one copy
            for number in order:
                if number in fresh:
                    copy_range(old_fd, fd, run_start, run_length)
                    run_length = 0
                    write_all(fd, fresh[number])
                    continue
                start, length = where[number]
                if run_length == 0:
                    run_start = start
                run_length += length
            copy_range(old_fd, fd, run_start, run_length)
            write_all(fd, CLOSING)

    written = replace_with(target, write, st, fsync=False)
    store.save_written_file(
        name, revision, identity(written), digest, len(head),
        [(number, len(fresh[number])) for number in sorted(fresh)], replace_all=False)


def _rewrite(store: Store, target: Path, st: os.stat_result | None, name: str, revision: int,
             profile: str, head: bytes, digest: str) -> None:
    """The whole file, streamed one interview at a time; remembers where each one is."""
    lengths: list[tuple[int, int]] = []

    def write(fd: int) -> None:
        write_all(fd, head)
        for number, block in blocks(store, profile):
            write_all(fd, block)
            lengths.append((number, len(block)))
        write_all(fd, CLOSING)

    written = replace_with(target, write, st, fsync=False)
    store.save_written_file(name, revision, identity(written), digest, len(head), lengths,
                            replace_all=True)


def _whole(target: Path, st: os.stat_result) -> bool:
    """The file still ends as we wrote it (a crash can leave zeros where data was due)."""
    if st.st_size < len(CLOSING):
        return False
    try:
        with open(target, "rb") as handle:
            return os.pread(handle.fileno(), len(CLOSING), st.st_size - len(CLOSING)) == CLOSING
    except OSError:
        return False
