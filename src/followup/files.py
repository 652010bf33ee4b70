"""Writing files so that readers see the old bytes or the new ones, never half.

What we write keeps its mode and its kind (CALENDAR_RULES.md rule 26): a regular file is
replaced by a temp file + rename that carries the old file's mode (a new one gets 0666
less the umask, so a web server can read a published feed); a path that is not a regular
file (`/dev/stdout`, a FIFO, `/dev/null`) is written into, never replaced; a symlink is
followed, so the link survives; files holding secrets are 0600 whatever they were.

A run killed between creating its temp file and the rename leaves the temp file behind:
every write removes such leftovers of ours next to the file it writes (see `_sweep`).
"""

from __future__ import annotations

import os
import re
import secrets
import stat
import time
from collections.abc import Callable, Iterable
from pathlib import Path

PRIVATE = 0o600
# Our temp files: `.<name>.<12 hex>.followup-tmp`, so no one else's file ever matches.
TEMP_SUFFIX = ".followup-tmp"
# Before this marker, temp files were tempfile.mkstemp's `.<name>.<8 of [a-z0-9_]>`; those
# are removed only when their first bytes show they are one of our calendars.
LEGACY_MARK = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//followup//"
# A rewrite takes seconds; a temp file untouched for an hour belongs to a run that died.
STALE_AFTER_S = 3600.0


def write_atomic(path: Path, data: bytes | Iterable[bytes], *, private: bool = False,
                 fsync: bool = True) -> None:
    """Write `data` (bytes, or chunks of it written as they come) to `path`.

    private: the file holds a secret, 0600. fsync: wait until the bytes are on disk before
    the rename (skip it only for files that can be made again from the database)."""
    chunks = (data,) if isinstance(data, bytes) else data
    target = resolve(path)
    st = existing(target)
    if st is not None and not stat.S_ISREG(st.st_mode):
        _write_into(target, chunks)
        return

    def write(fd: int) -> None:
        for chunk in chunks:
            write_all(fd, chunk)

    replace_with(target, write, st, private=private, fsync=fsync)


def existing(target: Path) -> os.stat_result | None:
    """What is at `target` now (None: nothing); a folder there is an error."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return None
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(21, "Is a directory", str(target))
    return st


def replace_with(target: Path, write: Callable[[int], None], st: os.stat_result | None, *,
                 private: bool = False, fsync: bool = True) -> os.stat_result:
    """Replace the regular file `target` (described by `st`, None when new) by what
    `write(fd)` writes to a temp file beside it; returns the new file's stat."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp, fd = open_temp(target, PRIVATE if private else 0o666)
    try:
        try:
            if private:
                os.fchmod(fd, PRIVATE)
            elif st is not None:
                keep_owner(fd, st)
            write(fd)
            if fsync:
                os.fsync(fd)
            written = os.fstat(fd)
        finally:
            os.close(fd)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    sweep(target)
    return written


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def copy_range(source: int, fd: int, offset: int, count: int) -> None:
    """Append `count` bytes of `source` from `offset` to `fd`, in the kernel where it can."""
    while count > 0:
        try:
            done = os.copy_file_range(source, fd, count, offset)
        except (AttributeError, OSError):  # not Linux, or across file systems
            done = len(chunk := os.pread(source, min(count, 1 << 20), offset))
            write_all(fd, chunk)
        if done == 0:
            raise OSError(5, "the file became shorter while it was copied")
        offset += done
        count -= done


def open_temp(target: Path, mode: int) -> tuple[Path, int]:
    """A new temp file beside `target` (same file system, so the rename is atomic).

    The mode passes through the umask, as a plain `open()` would: 0666 gives 0644 usually."""
    while True:
        temp = target.with_name(f".{target.name}.{secrets.token_hex(6)}{TEMP_SUFFIX}")
        try:
            return temp, os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                                 | getattr(os, "O_CLOEXEC", 0), mode)
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue


def keep_owner(fd: int, st: os.stat_result) -> None:
    """The replacement gets the replaced file's mode (and, for root, its owner)."""
    os.fchmod(fd, stat.S_IMODE(st.st_mode))
    if hasattr(os, "geteuid") and os.geteuid() == 0 and (st.st_uid, st.st_gid) != (0, 0):
        try:
            os.fchown(fd, st.st_uid, st.st_gid)
            os.fchmod(fd, stat.S_IMODE(st.st_mode))  # chown clears set-id bits
        except OSError:
            pass


def resolve(path: Path) -> Path:
    """Follow a symlink to the file it names: replacing the link would cut it."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _write_into(target: Path, chunks: Iterable[bytes]) -> None:
    """A device, FIFO or socket path: write into it (O_TRUNC is ignored for these)."""
    with open(target, "wb") as out:
        for chunk in chunks:
            out.write(chunk)


def sweep(target: Path, *, now: float | None = None) -> list[Path]:
    """Remove temp files of ours beside `target` left by a run that was killed.

    Only ours (our name pattern, our user, a regular file; for the pre-marker pattern, our
    calendar header too) and only old ones (untouched for an hour: a live run's temp file
    is fresh). Never fails: this is tidying, not the write."""
    removed: list[Path] = []
    now = time.time() if now is None else now
    ours = re.compile(re.escape(f".{target.name}.") + r"(?:[0-9a-f]{12}"
                      + re.escape(TEMP_SUFFIX) + r"|(?P<legacy>[a-z0-9_]{8}))\Z")
    prefix = f".{target.name}."
    try:
        with os.scandir(target.parent) as entries:
            candidates = [e for e in entries if e.name.startswith(prefix)]
    except OSError:
        return removed
    for entry in candidates:
        match = ours.match(entry.name)
        if match is None:
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if (not stat.S_ISREG(st.st_mode) or now - st.st_mtime < STALE_AFTER_S
                    or (hasattr(os, "getuid") and st.st_uid != os.getuid())):
                continue
            if match["legacy"] is not None:
                with open(entry.path, "rb") as handle:
                    if handle.read(len(LEGACY_MARK)) != LEGACY_MARK:
                        continue
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def make_private(path: Path) -> None:
    """Create `path` empty with mode 0600, or take group and other bits off an existing one
    (with SQLite's -wal and -shm beside it): for files that hold secrets."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
        return
    except FileExistsError:
        pass
    for each in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            st = os.stat(each)
            if st.st_mode & 0o077 and (not hasattr(os, "getuid") or st.st_uid == os.getuid()):
                os.chmod(each, stat.S_IMODE(st.st_mode) & ~0o077)
        except OSError:
            continue
