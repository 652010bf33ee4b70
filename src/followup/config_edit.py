"""Changes that commands make to config.toml (`remote add`, `remote remove`, `mail setup`).

Writing rewrites only the remote's (or `[mail]`'s) own table in the file's text and leaves every other
line (comments included) as it was; the result is parsed and checked again before it
atomically replaces the file. `[mail]` is rewritten in place, key by key: a key whose
value stays keeps its line (and its comment), as do the table's comment lines.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

from followup.config import MailSettings, Remote, parse_mail, parse_remotes
from followup.errors import FollowupError
from followup.files import write_atomic


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


def _line(key: str, value: Any) -> str:
    if isinstance(value, tuple):
        return f"{key} = [{', '.join(_toml_value(v) for v in value)}]\n"
    return f"{key} = {_toml_value(value)}\n"


def _table(header: str, values: Remote | MailSettings, defaults: Remote | MailSettings) -> str:
    lines = [f"[{header}]\n"]
    for f in fields(values):
        value = getattr(values, f.name)
        if f.name == "name" or value is None or value == getattr(defaults, f.name):
            continue
        lines.append(_line(f.name, value))
    return "".join(lines)


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def _table_of(line: str) -> str | None:
    """The table a header line opens ("remote.work"), None for any other line."""
    m = _HEADER.match(line)
    return re.sub(r"\s*\.\s*", ".", m.group(1)) if m else None


def _without_table(text: str, name: str) -> tuple[str, bool]:
    """The text with the ``[remote.NAME]`` table (header to next header) cut out."""
    return _cut(text, {f"remote.{name}", f'remote."{name}"', f"remote.'{name}'"})


def _cut(text: str, wanted: set[str]) -> tuple[str, bool]:
    """The text with the tables named `wanted` (and their sub-tables) cut out."""
    lines = text.splitlines(keepends=True)
    out, skipping, found = [], False, False
    for line in lines:
        key = _table_of(line)
        if key is not None:
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


def _write(path: Path, text: str, check: Callable[[dict[str, Any]], None]) -> None:
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # pragma: no cover - our own output
        raise FollowupError(f"cannot update {path}: {exc}") from None
    check(parsed)
    try:
        write_atomic(path, text.encode("utf-8"), private=True)  # may name password commands
    except OSError as exc:
        raise FollowupError(f"cannot write the config file {path}: {exc.strerror or exc}") from None


def save_remote(path: Path, remote: Remote) -> None:
    """Add (or replace) ``[remote.NAME]`` in the config file, leaving the rest as it was."""
    text, _ = _without_table(_read(path), remote.name)
    if text and not text.endswith("\n"):
        text += "\n"
    text += ("\n" if text.strip() else "") + _table(f"remote.{remote.name}", remote,
                                                     Remote(name=remote.name))

    def check(parsed: dict[str, Any]) -> None:
        if parse_remotes(parsed, path).get(remote.name) != remote:
            raise FollowupError(f"cannot update {path}: [remote.{remote.name}] is defined in a "
                                "form this command cannot rewrite; edit the file by hand")

    _write(path, text, check)


def delete_remote(path: Path, name: str) -> None:
    text, found = _without_table(_read(path), name)

    def check(parsed: dict[str, Any]) -> None:
        if name in parse_remotes(parsed, path):
            raise FollowupError(f"cannot update {path}: [remote.{name}] is defined in a "
                                "form this command cannot rewrite; edit the file by hand")

    if found:
        _write(path, text.rstrip("\n") + "\n" if text.strip() else "", check)
    else:
        check(tomllib.loads(text) if text else {})




def save_mail(path: Path, mail: MailSettings) -> None:
    """Write (or rewrite in place) the ``[mail]`` table, leaving the rest of the file as it was."""
    text = _read(path)
    lines = text.splitlines(keepends=True)
    starts = [n for n, line in enumerate(lines) if _table_of(line) is not None]
    mine = [n for n in starts if _table_of(lines[n]) == "mail"]
    if len(mine) == 1:
        start = mine[0] + 1
        end = next((n for n in starts if n > mine[0]), len(lines))
        text = "".join(lines[:start] + _rewrite(lines[start:end], mail) + lines[end:])
    else:  # none yet (or one the check below refuses)
        if text and not text.endswith("\n"):
            text += "\n"
        text += ("\n" if text.strip() else "") + _table("mail", mail, MailSettings(url=""))

    def check(parsed: dict[str, Any]) -> None:
        if parse_mail(parsed, path) != mail:
            raise FollowupError(f"cannot update {path}: [mail] is defined in a form this "
                                "command cannot rewrite; edit the file by hand")

    _write(path, text, check)


_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")


def _rewrite(body: list[str], mail: MailSettings) -> list[str]:
    """The lines of `[mail]` (after its header) with `mail`'s values: an unchanged key keeps
    its line, a changed one gets a new line in its place, a key now unset (or back to its
    default) goes, a new one follows the last key; comment and blank lines stay."""
    unset = MailSettings(url="")
    keys = [f.name for f in fields(MailSettings)]
    out: list[str] = []
    after_keys, seen, n = 0, set(), 0
    while n < len(body):
        match = _KEY.match(body[n])
        if match is None:
            out.append(body[n])
            n += 1
            continue
        key, end, parsed = match.group(1), n + 1, None
        while parsed is None:  # a value may span lines (a folder list): read until it parses
            try:
                parsed = tomllib.loads("".join(body[n:end]))
            except tomllib.TOMLDecodeError:
                if end == len(body):
                    break
                end += 1
        old = parsed.get(key) if parsed is not None else None
        block, n = body[n:end], end
        if key in keys and old is not None:
            seen.add(key)
            new = getattr(mail, key)
            if not _same(old, new):
                block = [] if new is None or new == getattr(unset, key) else [_line(key, new)]
        out += block
        after_keys = len(out) if block else after_keys
    added = [_line(k, getattr(mail, k)) for k in keys if k not in seen
             and getattr(mail, k) is not None and getattr(mail, k) != getattr(unset, k)]
    if added and after_keys and not out[after_keys - 1].endswith("\n"):
        out[after_keys - 1] += "\n"
    return out[:after_keys] + added + out[after_keys:]


def _same(old: Any, new: Any) -> bool:
    """Whether a value read from the file is the one to write (`folders` may be one string)."""
    if isinstance(new, tuple):
        return tuple(old if isinstance(old, list) else [old]) == new
    return bool(old == new and isinstance(old, bool) == isinstance(new, bool))
