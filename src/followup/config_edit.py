"""Changes that commands make to config.toml (`remote add`, `remote remove`, `mail setup`).

Writing rewrites only the remote's (or `[mail]`'s) own table in the file's text and leaves every other
line (comments included) as it was; the result is parsed and checked again before it
atomically replaces the file.
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


def _table(header: str, values: Remote | MailSettings, defaults: Remote | MailSettings) -> str:
    lines = [f"[{header}]"]
    for f in fields(values):
        value = getattr(values, f.name)
        if f.name == "name" or value is None or value == getattr(defaults, f.name):
            continue
        if isinstance(value, tuple):
            lines.append(f"{f.name} = [{', '.join(_toml_value(v) for v in value)}]")
        else:
            lines.append(f"{f.name} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def _without_table(text: str, name: str) -> tuple[str, bool]:
    """The text with the ``[remote.NAME]`` table (header to next header) cut out."""
    return _cut(text, {f"remote.{name}", f'remote."{name}"', f"remote.'{name}'"})


def _cut(text: str, wanted: set[str]) -> tuple[str, bool]:
    """The text with the tables named `wanted` (and their sub-tables) cut out."""
    lines = text.splitlines(keepends=True)
    out, skipping, found = [], False, False
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
    """Write (or replace) the ``[mail]`` table, leaving the rest of the file as it was."""
    text, _ = _cut(_read(path), {"mail"})
    if text and not text.endswith("\n"):
        text += "\n"
    text += ("\n" if text.strip() else "") + _table("mail", mail, MailSettings(url=""))

    def check(parsed: dict[str, Any]) -> None:
        if parse_mail(parsed, path) != mail:
            raise FollowupError(f"cannot update {path}: [mail] is defined in a form this "
                                "command cannot rewrite; edit the file by hand")

    _write(path, text, check)
