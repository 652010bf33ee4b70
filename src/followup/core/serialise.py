"""icalendar's exact bytes for our components, without icalendar's cost per line.

`render.py` describes each component with icalendar's own calls (`add(name, value,
parameters=...)`, `add_component`). Building real icalendar components and calling
`to_ical()` costs about 0.7 ms a component, 21 % of it in the line folding alone; an import
of 1,000 interviews renders 24,000 of them. `Recorder` takes the same calls, writes the
value types our components use (text, integers, categories, dates, date-times in UTC or an
IANA zone) the way icalendar 7 writes them, and folds with `fold`, a port of icalendar's
`_foldline` that works on whole runs of bytes instead of one character at a time. Any
value it does not know raises `Unsupported`, and the caller lets icalendar do that one.

The bytes are icalendar's by test, not by hope: with FOLLOWUP_CHECK_RENDER=1 (the test
suite sets it) every render is also made by icalendar and compared byte for byte.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

FOLD_LIMIT = 75  # octets, as icalendar: a folded piece holds at most 74 of them
_PLAIN_PARAM = re.compile(r"[A-Za-z0-9/_+.-]+\Z")  # needs no quoting or RFC 6868 escape
# Zones icalendar writes as UTC ("Z") or otherwise specially: leave those to it.
_UTC_LIKE = re.compile(r"UTC|UCT|GMT|Zulu|Universal|Greenwich", re.IGNORECASE)


class Unsupported(Exception):
    """A value `Recorder` does not write itself: let icalendar render the component."""


def fold(line: str) -> str:
    """icalendar's `_foldline(line)` (RFC 5545 folding at 75 octets on character boundaries,
    never right after a `\\` or `^` so an escape is not split), same output."""
    if len(line) < FOLD_LIMIT and line.isascii():
        return line
    data = line.encode("utf-8")
    size = len(data)
    limit = FOLD_LIMIT - 1
    pieces = []
    start = 0
    while size - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # do not cut a character in two
            end -= 1
        # icalendar moves a trailing backslash or caret to the next piece (when the piece
        # has more than that one character): its escape must not be split by a fold.
        if data[end - 1] in b"\\^" and end - 1 > start:
            end -= 1
        pieces.append(data[start:end])
        start = end
    pieces.append(data[start:])
    return b"\r\n ".join(pieces).decode("utf-8")


def escape_text(text: str) -> str:
    """icalendar's TEXT escaping (`_escape_char`), replacement order and all."""
    return (
        text.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


@lru_cache(maxsize=256)
def _value_type(name: str, value_param: str | None) -> str:
    """The name of icalendar's class for a property (`vText`, `vDDDTypes`, ...)."""
    import icalendar

    return str(icalendar.Component.types_factory.for_property(name, value_param).__name__)


@lru_cache(maxsize=64)
def _zone_tzid(zone: ZoneInfo) -> str:
    key = zone.key
    if not key or _UTC_LIKE.search(key):
        raise Unsupported(key)
    return str(key)


def _moment(value: dt.date, params: dict[str, str]) -> str:
    if isinstance(value, dt.datetime):
        text = (f"{value.year:04d}{value.month:02d}{value.day:02d}T"
                f"{value.hour:02d}{value.minute:02d}{value.second:02d}")
        zone = value.tzinfo
        if zone is dt.timezone.utc:
            return text + "Z"
        if isinstance(zone, ZoneInfo):
            params["TZID"] = _zone_tzid(zone)
            return text
        raise Unsupported(repr(zone))  # floating, fixed offsets, pytz: icalendar's call
    params["VALUE"] = "DATE"
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def _value(name: str, value: object, params: dict[str, str]) -> str:
    kind = _value_type(name, params.get("VALUE"))
    if isinstance(value, str) and kind == "vText":
        return escape_text(value)
    if isinstance(value, str) and kind == "vUnknown" and "\n" not in value and "\r" not in value:
        return value  # X- properties: icalendar 7 writes them verbatim
    if type(value) is int and kind == "vInt":
        return str(value)
    if kind == "vDDDTypes" and isinstance(value, dt.date):
        if name in ("dtstamp", "created", "last-modified") and isinstance(value, dt.datetime):
            if value.tzinfo is None:
                raise Unsupported(name)
            value = value.astimezone(dt.timezone.utc)  # what icalendar's add() does
        return _moment(value, params)
    if (kind == "vCategory" and isinstance(value, list)
            and all(isinstance(each, str) for each in value)):
        return ",".join(escape_text(each) for each in value)
    raise Unsupported(f"{name}={value!r}")


class Recorder:
    """Takes the calls icalendar's Component takes; `text()` gives icalendar's bytes."""

    def __init__(self, name: str, order: tuple[str, ...]) -> None:
        self.name = name
        self.order = order  # icalendar's canonical_order for this component class
        self.lines: dict[str, list[str]] = {}
        self.subcomponents: list[Recorder] = []

    def add(self, name: str, value: object,
            parameters: Mapping[str, str] | None = None) -> None:
        key = name.upper()
        params: dict[str, str] = {k.upper(): v for k, v in (parameters or {}).items()}
        encoded = _value(name.lower(), value, params)
        if params:
            if not all(isinstance(v, str) and _PLAIN_PARAM.match(v) for v in params.values()):
                raise Unsupported(f"{name} parameters {params!r}")
            head = key + ";" + ";".join(f"{k}={params[k]}" for k in sorted(params))
        else:
            head = key
        self.lines.setdefault(key, []).append(fold(f"{head}:{encoded}"))

    def add_component(self, component: Recorder) -> None:
        self.subcomponents.append(component)

    def text(self) -> str:
        out = [f"BEGIN:{self.name}\r\n"]
        leading = [key for key in self.order if key in self.lines]
        rest = sorted(key for key in self.lines if key not in self.order)
        for key in leading + rest:
            for line in self.lines[key]:
                out.append(line + "\r\n")
        out.extend(sub.text() for sub in self.subcomponents)
        out.append(f"END:{self.name}\r\n")
        return "".join(out)


@lru_cache(maxsize=16)
def _canonical_order(name: str) -> tuple[str, ...]:
    import icalendar

    order = icalendar.Component.get_component_class(name).canonical_order
    return tuple(order or ())


def recorder(name: str) -> Recorder:
    return Recorder(name, _canonical_order(name))


def library_component(name: str) -> Any:
    """A real icalendar component of that name (VTODO, VEVENT, VALARM)."""
    import icalendar

    return icalendar.Component.get_component_class(name)()


Factory = Callable[[str], Any]
