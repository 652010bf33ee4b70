"""Calendar files kept current after every change, at a cost that does not grow with them.

A change touches one interview; its calendar file holds all of them (20 MB at 1,000
interviews). So the store remembers what it last wrote to each path (`written_files`: the
revision, the file's identity, the SHA-256 of its header; `written_blocks`: the bytes of
each interview's block), and the next write copies the unchanged runs of the old file in
the kernel (`copy_file_range`) and writes only the interviews changed since
(`calendar_changes`, kept by the store: triggers on `items`, and the statements that
insert items) and, when it differs from the one written, the header (made afresh every
time: a new zone, a zone data or icalendar update). Anything unexpected (the file was
replaced, edited, truncated or is not ours) means a full rewrite, streamed one interview
at a time.

Always called under the store's write lock (`store.transaction()`) and after the change
was committed: the file shows what is committed, and concurrent runs take turns, each
writing the latest state, so no run leaves an older state behind. The file is not fsynced:
it is made again from the database at any time, the rename means readers see the old file
or the new one, and after a crash a file that does not match what we remember is rewritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Collection, Mapping
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
                        feed: Mapping[str, object] | None = None,
                        leave_out: Collection[int] = ()) -> int:
    """Make `path` show the store's committed state in `profile`, but the interviews left out
    (under the write lock). Returns the file's size."""
    target = resolve(path)
    st = existing(target)
    if st is not None and not stat.S_ISREG(st.st_mode):  # a FIFO, /dev/stdout
        chunks = list(calendar_chunks(store, profile, feed, leave_out))
        write_atomic(target, chunks)
        return sum(len(chunk) for chunk in chunks)
    name = f"{profile}:{os.path.abspath(target)}"
    known = store.written_file(name)
    revision = store.revision()
    hidden = set(leave_out)
    left_out = json.dumps(sorted(hidden))
    head = header(store, profile, feed, hidden)
    digest = hashlib.sha256(head).hexdigest()
    job = (store, target, st, name, revision, profile, head, digest, hidden, left_out)
    # What the feed leaves out changes with the clock, not with a change: when it moved,
    # every block may have moved, so the whole file is written.
    if (known is None or st is None or known["identity"] != identity(st)
            or known["left_out"] != left_out or not _whole(target, st)):
        return _rewrite(*job)
    changed = store.changed_interviews(int(known["revision"]))
    same_head = digest == known["header_sha256"]
    if not changed and same_head:
        if int(known["revision"]) != revision:  # nothing it shows moved
            store.save_written_file(name, revision, known["identity"], digest,
                                    int(known["header_length"]), left_out, (), replace_all=False)
        return st.st_size
    old = store.written_blocks(name)
    if len(changed) > max(16, SPLICE_AT_MOST * len(old)):
        return _rewrite(*job)
    fresh = {number: b"" for number in changed}  # no items, or left out: no block
    for number in changed:
        fresh.update(blocks(store, profile, number, hidden))
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
        name, revision, identity(written), digest, len(head), left_out,
        [(number, len(fresh[number])) for number in sorted(fresh)], replace_all=False)
    return written.st_size


def _rewrite(store: Store, target: Path, st: os.stat_result | None, name: str, revision: int,
             profile: str, head: bytes, digest: str, hidden: set[int], left_out: str) -> int:
    """The whole file, streamed one interview at a time; remembers where each one is."""
    lengths: list[tuple[int, int]] = []

    def write(fd: int) -> None:
        write_all(fd, head)
        for number, block in blocks(store, profile, leave_out=hidden):
            write_all(fd, block)
            lengths.append((number, len(block)))
        write_all(fd, CLOSING)

    written = replace_with(target, write, st, fsync=False)
    store.save_written_file(name, revision, identity(written), digest, len(head), left_out,
                            lengths, replace_all=True)
    return written.st_size


def _whole(target: Path, st: os.stat_result) -> bool:
    """The file still ends as we wrote it (a crash can leave zeros where data was due)."""
    if st.st_size < len(CLOSING):
        return False
    try:
        with open(target, "rb") as handle:
            return os.pread(handle.fileno(), len(CLOSING), st.st_size - len(CLOSING)) == CLOSING
    except OSError:
        return False
