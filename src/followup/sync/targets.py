"""Remote definitions (``[remote.NAME]`` in config.toml) and their passwords.

A remote is a CalDAV server (``url``, ``username``, ``calendar`` for events,
``tasks_calendar`` for tasks, ``password_env`` or ``password_command``, ``verify``,
``timeout``) or a vdir folder (``vdir``); both may set ``auto_push = false``.

Writing rewrites only the remote's own table in the file's text and leaves every other
line (comments included) as it was; the result is parsed again before it atomically
replaces the file.  Passwords never enter the file: they come from an environment
variable, a command, or the system keyring when the optional ``keyring`` package is
installed.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from followup.errors import FollowupError, UsageError

__all__ = ["Remote", "load_remotes", "save_remote", "delete_remote", "password", "KEYRING_SERVICE"]

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}\Z")
KEYRING_SERVICE = "followup"
COMMAND_TIMEOUT = 60


@dataclass(frozen=True)
class Remote:
    name: str
    url: str | None = None
    username: str | None = None
    calendar: str | None = None
    tasks_calendar: str | None = None
    password_env: str | None = None
    password_command: str | None = None
    vdir: str | None = None
    auto_push: bool = True
    verify: bool | str = True  # TLS verification; a path names a CA bundle
    timeout: float = 30

    @property
    def kind(self) -> str:
        return "vdir" if self.vdir else "caldav"

    @property
    def password_source(self) -> str:
        if self.kind == "vdir":
            return "-"
        if self.password_env:
            return f"env {self.password_env}"
        if self.password_command:
            return "command"
        return "keyring" if _keyring() is not None else "none"


_STRINGS = ("url", "username", "calendar", "tasks_calendar", "password_env",
            "password_command", "vdir")


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise UsageError(f"remote name {name!r}: use letters, digits, '-' and '_' (at most 40)")
    return name


def load_remotes(raw: dict[str, Any], config_file: Path | str = "config.toml") -> dict[str, Remote]:
    """The remotes of a parsed config, by name; a malformed entry is a usage error."""
    section = raw.get("remote", {})
    if not isinstance(section, dict):
        raise UsageError(f"{config_file}: 'remote' must be a table of [remote.NAME] tables")
    out = {}
    for name, table in section.items():
        where = f"{config_file}: [remote.{name}]"
        if not isinstance(table, dict):
            raise UsageError(f"{where} must be a table")
        if "password" in table:
            raise UsageError(f"{where}: a password must not be written in the config; use "
                             "password_env, password_command or the system keyring")
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key in _STRINGS:
                if not isinstance(value, str):
                    raise UsageError(f"{where}: '{key}' must be a string")
            elif key == "auto_push":
                if not isinstance(value, bool):
                    raise UsageError(f"{where}: 'auto_push' must be true or false")
            elif key == "verify":
                if not isinstance(value, (bool, str)):
                    raise UsageError(f"{where}: 'verify' must be true, false or a CA file path")
            elif key == "timeout":
                if not isinstance(value, (int, float)) or value <= 0:
                    raise UsageError(f"{where}: 'timeout' must be a positive number of seconds")
            else:
                raise UsageError(f"{where}: unknown key '{key}'")
            values[key] = value
        if bool(values.get("url")) == bool(values.get("vdir")):
            raise UsageError(f"{where}: give either 'url' (CalDAV) or 'vdir' (a folder)")
        out[name] = Remote(name=name, **values)
    return out


# -- writing config.toml -------------------------------------------------------------


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    out = []
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _table(remote: Remote) -> str:
    lines = [f"[remote.{remote.name}]"]
    defaults = Remote(name=remote.name)
    for f in fields(Remote):
        value = getattr(remote, f.name)
        if f.name == "name" or value is None or value == getattr(defaults, f.name):
            continue
        lines.append(f"{f.name} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def _without_table(text: str, name: str) -> tuple[str, bool]:
    """The text with the ``[remote.NAME]`` table (header to next header) cut out."""
    lines = text.splitlines(keepends=True)
    out, skipping, found = [], False, False
    wanted = {f"remote.{name}", f'remote."{name}"', f"remote.'{name}'"}
    for line in lines:
        m = _HEADER.match(line)
        if m:
            key = re.sub(r"\s*\.\s*", ".", m.group(1))
            skipping = key in wanted or key.startswith(tuple(w + "." for w in wanted))
            found = found or skipping
        if not skipping:
            out.append(line)
    return "".join(out), found


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except OSError as exc:
        raise FollowupError(f"cannot read the config file {path}: {exc.strerror or exc}") from None


def _write(path: Path, text: str, check: Any) -> None:
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # pragma: no cover - our own output
        raise FollowupError(f"cannot update {path}: {exc}") from None
    check(parsed)
    from followup.app.service import write_atomic

    try:
        write_atomic(path, text.encode("utf-8"))
    except OSError as exc:
        raise FollowupError(f"cannot write the config file {path}: {exc.strerror or exc}") from None


def save_remote(path: Path, remote: Remote) -> None:
    """Add (or replace) ``[remote.NAME]`` in the config file, leaving the rest as it was."""
    text, _ = _without_table(_read(path), remote.name)
    if text and not text.endswith("\n"):
        text += "\n"
    text += ("\n" if text.strip() else "") + _table(remote)

    def check(parsed: dict[str, Any]) -> None:
        if load_remotes(parsed, path).get(remote.name) != remote:
            raise FollowupError(f"cannot update {path}: [remote.{remote.name}] is defined in a "
                                "form this command cannot rewrite; edit the file by hand")

    _write(path, text, check)


def delete_remote(path: Path, name: str) -> None:
    text, found = _without_table(_read(path), name)

    def check(parsed: dict[str, Any]) -> None:
        if name in load_remotes(parsed, path):
            raise FollowupError(f"cannot update {path}: [remote.{name}] is defined in a "
                                "form this command cannot rewrite; edit the file by hand")

    if found:
        _write(path, text.rstrip("\n") + "\n" if text.strip() else "", check)
    else:
        check(tomllib.loads(text) if text else {})


# -- passwords -------------------------------------------------------------------------


def _keyring() -> Any:
    try:
        import keyring  # optional
    except Exception:  # noqa: BLE001 - any failure to load means "no keyring"
        return None
    return keyring


def password(remote: Remote) -> str | None:
    """The remote's password: environment variable, command, keyring, else None.

    The errors say where the password should have come from, never what it is.
    """
    label = f"remote '{remote.name}'"
    if remote.password_env:
        value = os.environ.get(remote.password_env)
        if value is None:
            raise FollowupError(f"{label}: the environment variable {remote.password_env} "
                                "(its password_env) is not set")
        return value
    if remote.password_command:
        try:
            args = shlex.split(remote.password_command)
        except ValueError as exc:
            raise UsageError(f"{label}: cannot parse password_command: {exc}") from None
        if not args:
            raise UsageError(f"{label}: password_command is empty")
        try:
            done = subprocess.run(args, shell=False, capture_output=True, text=True,
                                  timeout=COMMAND_TIMEOUT, stdin=subprocess.DEVNULL)
        except FileNotFoundError:
            raise FollowupError(f"{label}: the password command {args[0]!r} was not found") \
                from None
        except subprocess.TimeoutExpired:
            raise FollowupError(f"{label}: the password command {args[0]!r} did not finish "
                                f"within {COMMAND_TIMEOUT} s") from None
        except OSError as exc:
            raise FollowupError(f"{label}: cannot run the password command {args[0]!r}: "
                                f"{exc.strerror or exc}") from None
        if done.returncode != 0:
            why = (done.stderr or "").strip().splitlines()
            detail = f": {why[-1][:200]}" if why else ""
            raise FollowupError(f"{label}: the password command {args[0]!r} failed "
                                f"(exit {done.returncode}){detail}")
        value = done.stdout.strip()
        if not value:
            raise FollowupError(f"{label}: the password command {args[0]!r} printed nothing")
        return value
    keyring = _keyring()
    if keyring is None or not remote.username:
        return None
    try:
        found = keyring.get_password(f"{KEYRING_SERVICE}:{remote.name}", remote.username)
        return str(found) if found is not None else None
    except Exception as exc:  # noqa: BLE001 - a locked or missing backend
        raise FollowupError(f"{label}: cannot read the password from the system keyring: "
                            f"{type(exc).__name__}") from None


# -- storages ----------------------------------------------------------------------------

CALENDAR_NAME = "Job search follow-up"


def _caldav(remote: Remote, secret: str | None, calendar: str | None, component: str) -> Any:
    from followup.sync.caldav import CalDAVStorage

    return CalDAVStorage(remote.name, remote.url or "", remote.username, secret,
                         calendar=calendar, component=component, timeout=remote.timeout,
                         verify=remote.verify)


def resolve_collections(remote: Remote, secret: str | None,
                        create: bool = False) -> tuple[str | None, str | None]:
    """(events collection URL, tasks collection URL) for a CalDAV remote.

    A named or given collection must accept its component type; one that accepts both
    serves both.  Missing ones are created (MKCALENDAR) when ``create`` is set.
    """
    from followup.sync.caldav import discover_collections, make_collection
    from followup.sync.storage import NotFoundError

    url, user = remote.url or "", remote.username
    args: dict[str, Any] = dict(timeout=remote.timeout, verify=remote.verify, name=remote.name)
    infos = discover_collections(url, user, secret, **args)

    def comps(url: str) -> set[str]:
        key = url.rstrip("/")
        return next((c for _, u, c in infos if u.rstrip("/") == key), set())

    def named(spec: str, component: str) -> str:
        storage = _caldav(remote, secret, spec, component)
        try:
            return str(storage.collection_url)
        except NotFoundError:
            if not create or "/" in spec:
                raise
            return make_collection(remote.url or "", remote.username, secret, display_name=spec,
                                   components=[component], **args)[1]
        finally:
            storage.close()

    def first(component: str) -> str | None:
        return next((u for _, u, c in infos if component in c), None)

    events = named(remote.calendar, "VEVENT") if remote.calendar else None
    tasks = named(remote.tasks_calendar, "VTODO") if remote.tasks_calendar else None
    if events and not tasks and not remote.tasks_calendar and "VTODO" in comps(events):
        tasks = events
    if tasks and not events and not remote.calendar and "VEVENT" in comps(tasks):
        events = tasks
    if not remote.calendar and not remote.tasks_calendar:
        both = next((u for _, u, c in infos if {"VEVENT", "VTODO"} <= c), None)
        events = tasks = both
    events = events or (None if remote.calendar else first("VEVENT"))
    tasks = tasks or (None if remote.tasks_calendar else first("VTODO"))
    if create and not events and not tasks:
        events = tasks = make_collection(remote.url or "", remote.username, secret,
                                         display_name=CALENDAR_NAME,
                                         components=["VEVENT", "VTODO"], **args)[1]
    elif create and not tasks:
        tasks = make_collection(remote.url or "", remote.username, secret,
                                display_name=f"{CALENDAR_NAME} (tasks)", components=["VTODO"],
                                **args)[1]
    elif create and not events:
        events = make_collection(remote.url or "", remote.username, secret,
                                 display_name=f"{CALENDAR_NAME} (events)",
                                 components=["VEVENT"], **args)[1]
    if not events and not tasks:
        raise FollowupError(f"remote '{remote.name}': no calendar on the server takes events or "
                            "tasks; name one with --calendar, or add --create")
    return events, tasks


def open_targets(remote: Remote) -> list[Any]:
    """The storages of a remote as engine targets (nothing is sent until first use)."""
    from followup.sync.engine import Target

    both = frozenset({"VEVENT", "VTODO"})
    if remote.vdir:
        from followup.sync.vdir import VdirStorage

        return [Target("all", VdirStorage(remote.name, remote.vdir), both)]
    secret = password(remote)
    events, tasks = remote.calendar, remote.tasks_calendar
    if not events or not tasks:  # written by hand: find what the server offers
        events, tasks = resolve_collections(remote, secret)
    if events and tasks and events.rstrip("/") == tasks.rstrip("/"):
        return [Target("all", _caldav(remote, secret, tasks, "VTODO"), both)]
    out = []
    if events:
        out.append(Target("events", _caldav(remote, secret, events, "VEVENT"),
                          frozenset({"VEVENT"})))
    if tasks:
        out.append(Target("tasks", _caldav(remote, secret, tasks, "VTODO"), frozenset({"VTODO"})))
    return out


def close_targets(targets: list[Any]) -> None:
    for target in targets:
        close = getattr(target.storage, "close", None)
        if close is not None:
            close()
