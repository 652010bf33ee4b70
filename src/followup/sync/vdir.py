"""A vdir folder: one ``.ics`` file per item, as khal, todoman and vdirsyncer use.

Conventions (https://vdirsyncer.pimutils.org/en/stable/vdir.html):

- the href is the file name inside the folder; a new item is named
  ``UID + ".ics"`` when the UID is file-name safe (``[A-Za-z0-9_.+-]``, not
  starting with a dot), else a random UUID + ``".ics"``;
- the etag is ``f"{st_mtime_ns};{st_ino}"`` (vdirsyncer uses the same two
  values), so an edit by any program that rewrites or replaces the file changes it;
- files whose names start with a dot or do not end in ``.ics`` are not items;
  our temporary files are ``.<name>.<random>.tmp`` in the same folder.

Writes are atomic: the data goes to a temporary file in the folder, is
flushed and fsynced, then ``os.link``-ed into place (create: fails if the name
exists, with no window for a race) or ``os.replace``-d over the old file
(update).

With ``batch=True`` (what a sync uses) the same happens for many files at once: an fsync
per file waits for the disk each time (a push of 15,000 files spent 70 of its 84 s so), so
the temporary files are written, made durable together (one ``syncfs`` of the folder's
file system, or an fsync each where there is none), then linked or renamed into place, and
the folder is fsynced once. A name never shows data that is not on disk yet. The batch is
made durable before any read or delete, when it holds ``BATCH_FILES`` files, and on
``flush()``/``close()``: the sync engine flushes before it records what it wrote, so what
it remembers is always on disk. A create whose name is taken meanwhile is detected then:
our file is dropped and its etag never matches, so the next update is a conflict, not a
loss.  An update always gives the file an mtime later than the one it
replaces, so an etag never comes back for the same href even when two writes
land in the same clock tick and the file system reuses the inode.

Update and delete compare the etag and then act; another program writing the
same file in the microseconds between the two is not detected (vdirsyncer has
the same window; no vdir client takes locks).
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import stat
import sys
import time
from pathlib import Path

from followup.files import STALE_AFTER_S
from followup.sync.storage import (
    Changes,
    Hrefs,
    Listing,
    Listings,
    NotFoundError,
    PreconditionFailed,
    StorageError,
    href_for_uid,
)

__all__ = ["VdirStorage", "href_for_uid", "etag_of_stat"]

_TOKEN_PREFIX = "vdir-"
BATCH_FILES = 1000  # at most this many files wait for their durable write
_TEMP_NAME = re.compile(r"\..+\.[0-9a-f]{12}\.tmp\Z")  # _write_temp's names


def etag_of_stat(st: os.stat_result) -> str:
    return f"{st.st_mtime_ns};{st.st_ino}"


def _listing_token(listings: Listings) -> str:
    h = hashlib.sha256()
    for item in sorted(listings, key=lambda x: x.href):
        h.update(item.href.encode("utf-8", "surrogateescape"))
        h.update(b"\0")
        h.update(item.etag.encode("ascii"))
        h.update(b"\n")
    return _TOKEN_PREFIX + h.hexdigest()


class VdirStorage:
    """A folder of ``.ics`` files (see the module docstring).

    ``create=True`` makes the folder (and its parents) when it is missing;
    otherwise a missing folder is a :class:`NotFoundError` on first use.
    """

    def __init__(
        self,
        name: str,
        path: str | os.PathLike[str],
        *,
        fileext: str = ".ics",
        create: bool = False,
        fsync: bool = True,
        batch: bool = False,
    ) -> None:
        self.name = name
        self.path = Path(os.path.expanduser(os.fspath(path)))
        self.fileext = fileext
        self.fsync = fsync
        self.batch = batch
        self._queue: list[tuple[Path, Path, bool]] = []  # (temp, target, create?)
        if create:
            try:
                self.path.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise self._os_error("cannot create folder", self.path, e) from e

    def __repr__(self) -> str:
        return f"VdirStorage({self.name!r}, {str(self.path)!r})"

    # -- helpers ---------------------------------------------------------

    def _label(self) -> str:
        return f"vdir '{self.name}'"

    def _os_error(self, what: str, path: Path, e: OSError) -> StorageError:
        reason = e.strerror or str(e)
        if isinstance(e, FileNotFoundError) and path == self.path:
            return NotFoundError(f"{self._label()}: folder {path} does not exist")
        return StorageError(f"{self._label()}: {what} {path}: {reason}")

    def _file(self, href: str) -> Path:
        if (
            not href
            or "/" in href
            or os.sep in href
            or (os.altsep and os.altsep in href)
            or href.startswith(".")
        ):
            raise NotFoundError(f"{self._label()}: {href!r} is not an item name in {self.path}")
        return self.path / href

    def _is_item(self, name: str) -> bool:
        return name.endswith(self.fileext) and not name.startswith(".")

    def _check_folder(self) -> None:
        if not self.path.is_dir():
            if self.path.exists():
                raise StorageError(f"{self._label()}: {self.path} is not a folder")
            raise NotFoundError(f"{self._label()}: folder {self.path} does not exist")

    def _write_temp(self, target: Path, data: bytes, min_mtime_ns: int | None) -> tuple[Path, str]:
        """Write ``data`` to a new temporary file next to ``target``; return it and its etag."""
        tmp = self.path / f".{target.name}.{secrets.token_hex(6)}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            try:
                view = memoryview(data)
                while view:
                    n = os.write(fd, view)
                    view = view[n:]
                if self.fsync and not self.batch:
                    os.fsync(fd)
                st = os.fstat(fd)
                if min_mtime_ns is not None and st.st_mtime_ns < min_mtime_ns:
                    os.utime(tmp, ns=(st.st_atime_ns, min_mtime_ns))
                    st = os.fstat(fd)
            finally:
                os.close(fd)
        except BaseException:
            _unlink_quietly(tmp)
            raise
        return tmp, etag_of_stat(st)

    # -- Storage interface -----------------------------------------------

    def list(self) -> Listings:
        self.flush()
        self._check_folder()
        out = []
        try:
            with os.scandir(self.path) as it:
                every = list(it)
        except OSError as e:
            raise self._os_error("cannot read folder", self.path, e) from e
        entries = [e for e in every if self._is_item(e.name)]
        _remove_stale_temps([e for e in every if _TEMP_NAME.match(e.name)])
        for entry in entries:
            try:
                st = os.stat(entry.path)
            except FileNotFoundError:
                continue  # deleted while we listed
            except OSError as e:
                raise self._os_error("cannot read", Path(entry.path), e) from e
            if _is_regular(st):
                out.append(Listing(entry.name, etag_of_stat(st)))
        out.sort(key=lambda x: x.href)
        return out

    def get(self, hrefs: Hrefs) -> dict[str, tuple[bytes, str]]:
        self.flush()
        self._check_folder()
        out: dict[str, tuple[bytes, str]] = {}
        for href in hrefs:
            path = self._file(href)
            try:
                with open(path, "rb") as f:
                    st = os.fstat(f.fileno())
                    data = f.read()
            except FileNotFoundError:
                continue
            except OSError as e:
                raise self._os_error("cannot read", path, e) from e
            out[href] = (data, etag_of_stat(st))
        return out

    def create(self, uid: str, data: bytes) -> tuple[str, str]:
        self._check_folder()
        href = href_for_uid(uid, self.fileext)
        path = self._file(href)
        if self.batch:
            if os.path.lexists(path) or any(queued == path for _, queued, _ in self._queue):
                raise PreconditionFailed(f"{self._label()}: {href} already exists", href=href)
            try:
                tmp, etag = self._write_temp(path, data, None)
            except OSError as e:
                raise self._os_error("cannot write", path, e) from e
            self._enqueue(tmp, path, True)
            return href, etag
        try:
            tmp, etag = self._write_temp(path, data, None)
        except OSError as e:
            raise self._os_error("cannot write", path, e) from e
        try:
            try:
                os.link(tmp, path)  # atomic, and fails if the name is taken
            except FileExistsError:
                raise PreconditionFailed(
                    f"{self._label()}: {href} already exists", href=href
                ) from None
            except OSError as e:
                if e.errno not in _NO_HARDLINKS:
                    raise self._os_error("cannot write", path, e) from e
                etag = self._create_exclusive(path, href, data)
        finally:
            _unlink_quietly(tmp)
        return href, etag

    def _create_exclusive(self, path: Path, href: str, data: bytes) -> str:
        """Create without hard links (FAT, some network shares): O_EXCL, not atomic content."""
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            raise PreconditionFailed(f"{self._label()}: {href} already exists", href=href) from None
        except OSError as e:
            raise self._os_error("cannot write", path, e) from e
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                if self.fsync:
                    os.fsync(f.fileno())
                return etag_of_stat(os.fstat(f.fileno()))
        except OSError as e:
            _unlink_quietly(path)
            raise self._os_error("cannot write", path, e) from e

    def _current(self, href: str, etag: str, action: str) -> tuple[Path, os.stat_result]:
        self._check_folder()
        path = self._file(href)
        if any(queued == path for _, queued, _ in self._queue):
            self.flush()  # compare with what is really there
        try:
            st = os.stat(path)
        except FileNotFoundError:
            raise NotFoundError(
                f"{self._label()}: cannot {action} {href}: it no longer exists") from None
        except OSError as e:
            raise self._os_error("cannot read", path, e) from e
        if etag_of_stat(st) != etag:
            raise PreconditionFailed(
                f"{self._label()}: cannot {action} {href}: it was changed by another program",
                href=href,
            )
        return path, st

    def update(self, href: str, data: bytes, etag: str) -> str:
        path, st = self._current(href, etag, "update")
        try:
            tmp, new_etag = self._write_temp(path, data, st.st_mtime_ns + 1)
        except OSError as e:
            raise self._os_error("cannot write", path, e) from e
        if self.batch:
            self._enqueue(tmp, path, False)
            return new_etag
        try:
            os.replace(tmp, path)
        except OSError as e:
            _unlink_quietly(tmp)
            raise self._os_error("cannot write", path, e) from e
        return new_etag

    def delete(self, href: str, etag: str) -> None:
        self.flush()
        path, _ = self._current(href, etag, "delete")
        try:
            os.remove(path)
        except FileNotFoundError:
            raise NotFoundError(
                f"{self._label()}: cannot delete {href}: it no longer exists") from None
        except OSError as e:
            raise self._os_error("cannot delete", path, e) from e

    # -- batches -----------------------------------------------------------

    def _enqueue(self, tmp: Path, path: Path, create: bool) -> None:
        self._queue.append((tmp, path, create))
        if len(self._queue) >= BATCH_FILES:
            self.flush()

    def flush(self) -> None:
        """Make the batch durable, then put it in place (see the module docstring)."""
        if not self._queue:
            return
        queue, self._queue = self._queue, []
        try:
            if self.fsync:
                _sync_files([tmp for tmp, _, _ in queue])
            for tmp, path, create in queue:
                try:
                    if create:
                        self._link_new(tmp, path)
                    else:
                        os.replace(tmp, path)
                except OSError as e:
                    raise self._os_error("cannot write", path, e) from e
            if self.fsync:
                _fsync_folder(self.path)
        finally:
            for tmp, _, _ in queue:
                _unlink_quietly(tmp)

    def _link_new(self, tmp: Path, path: Path) -> None:
        try:
            os.link(tmp, path)
        except FileExistsError:
            return  # taken since create(): ours is dropped, its etag will never match
        except OSError as e:
            if e.errno not in _NO_HARDLINKS:
                raise
            if not os.path.lexists(path):  # no hard links here: a rename, nearly as safe
                os.rename(tmp, path)

    def close(self) -> None:
        self.flush()

    def changes(self, token: str | None) -> Changes:
        """A vdir has no change log: the token is a hash of the whole listing.

        Same listing as at ``token`` -> ``(token, [], [])``; otherwise the full
        listing (and no deletions: the caller diffs it against what it knows).
        """
        listings = self.list()
        new_token = _listing_token(listings)
        if token == new_token:
            return new_token, [], []
        return new_token, listings, []


_NO_HARDLINKS = {
    e
    for e in (
        getattr(errno, "EPERM", None),
        getattr(errno, "EOPNOTSUPP", None),
        getattr(errno, "ENOTSUP", None),
        getattr(errno, "EXDEV", None),
        getattr(errno, "ENOSYS", None),
        getattr(errno, "EMLINK", None),
    )
    if e is not None
}


def _remove_stale_temps(entries: list[os.DirEntry[str]]) -> None:
    """Temp files of ours that a killed run left (a batch leaves up to BATCH_FILES): those
    untouched for STALE_AFTER_S are removed; a live run's are fresh. Never fails."""
    now = time.time()
    for entry in entries:
        try:
            st = entry.stat(follow_symlinks=False)
            if (_is_regular(st) and now - st.st_mtime >= STALE_AFTER_S
                    and (not hasattr(os, "getuid") or st.st_uid == os.getuid())):
                os.unlink(entry.path)
        except OSError:
            continue


def _sync_files(paths: list[Path]) -> None:
    """Make these files' data durable: one syncfs(2) for their file system where Linux has
    it (one flush instead of a disk wait per file), else an fsync each."""
    if paths and _syncfs(paths[0].parent):
        return
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _syncfs(folder: Path) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # only here: a vdir sync on Linux

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        call = libc.syncfs
    except (OSError, AttributeError):
        return False
    fd = os.open(folder, os.O_RDONLY)
    try:
        return bool(call(fd) == 0)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """The new names are on disk too (a no-op where folders cannot be fsynced)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _is_regular(st: os.stat_result) -> bool:
    return stat.S_ISREG(st.st_mode)


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
