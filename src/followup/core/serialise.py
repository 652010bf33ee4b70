"""Our components' text, written by icalendar line by line; only the fold is ours.

`render.py` describes each component with icalendar's calls (`add(name, value,
parameters=...)`, `add_component`). Made into real icalendar components and serialised
with `to_ical()`, a component costs about 0.7 ms, and an import of 1,000 interviews
renders 24,000 of them. `Lines` takes the same calls and writes the same bytes for less:

- icalendar folds one character at a time (21 % of a render): `fold` is its `_foldline`
  working on whole runs (a regular expression for ASCII lines), the one piece of ICS
  writing that is ours (issue 14).
- Component.add and to_ical go through generic machinery for every property (a case-less
  dict, type inference, a Contentlines list). `Lines` asks icalendar for each line at its
  cheapest public entry points: the value class icalendar picks for the property writes
  the value (`vText` escapes, `vDatetime` formats, `vCategory` joins), and
  `Contentline.from_parts` writes what comes before it, the name and the quoted
  parameters (a TZID, VALUE=DATE), once per property, zone and parameters. The lines keep
  the order `to_ical()` gives them: icalendar's canonical order, then by name;
  subcomponents after the properties; BEGIN and END lines as icalendar writes them.
- A render writes the same lines again and again: DTSTAMP, CREATED and CATEGORIES are the
  same for every item of an import, the contacts for every item of an interview. Each
  distinct line is written by icalendar once and kept in bounded tables (`_TEXTS`,
  `_TIMES`, `_LINES`); a component's new texts are escaped by one vText, and a wall
  time's digits are written once whatever the property or zone (see `_TEXTS`).

The bytes are icalendar's by test, not by hope: with FOLLOWUP_CHECK_RENDER=1 (the test
suite sets it) every render is also made by icalendar's `to_ical()` and compared byte for
byte (render.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

FOLD_LIMIT = 75  # octets, as icalendar: a folded piece holds at most 74 of them
# Distinct lines kept: an interview's lines (about 120) many times over, and the few
# every item shares; a description is a few hundred bytes.
LINES_KEPT = 4096
# Lines kept per property (a table of _TEXTS or _TIMES): a line is shared mostly within an
# interview (its contacts, a task's summary as its alarm's text) and with the next few
# (a day's wall times); a description with its draft is a few kilobytes.
TABLE_KEPT = 256


# An ASCII line's folded pieces (one character is one octet): 74 characters, or 73 when the
# 74th is a backslash or caret and more follows (icalendar moves it to the next piece, so
# that its escape is not split); the rest as it is. The loop below does the same octet by
# octet for other lines; tests compare both with icalendar's `_foldline`.
ASCII_PIECE = re.compile(r".{73}[^\\^](?=.)|.{73}(?=..)|.+", re.DOTALL)


def fold(line: str) -> str:
    """icalendar's `_foldline(line)` (RFC 5545 folding at 75 octets on character boundaries,
    never right after a `\\` or `^` so an escape is not split), same output."""
    if line.isascii():
        if len(line) < FOLD_LIMIT:
            return line
        return "\r\n ".join(ASCII_PIECE.findall(line))
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


@lru_cache(maxsize=16)
def _component_class(name: str) -> Any:
    import icalendar

    return icalendar.Component.get_component_class(name)


@lru_cache(maxsize=16)
def _shape(name: str) -> tuple[tuple[str, ...], str, str]:
    """(icalendar's canonical property order, BEGIN line, END line) of a component."""
    cls = _component_class(name)
    begin, end = cls().to_ical().decode("utf-8").splitlines()
    return tuple(cls.canonical_order or ()), begin, end


def written(name: str, value: object, parameters: Mapping[str, str] | None = None) -> str:
    """The content line icalendar writes for `add(name, value, parameters)`, folded.

    The class icalendar picks for the property (`types_factory.for_property`, as
    `Component.add` does) writes the value and the parameters it implies (a TZID, VALUE=DATE);
    `Contentline.from_parts` joins them with ours, quoted. What `add` would change first
    (DTSTAMP, CREATED and LAST-MODIFIED made UTC) render.py gives in UTC already.

    Most lines differ from others of their property only in the value: "DTSTART;TZID=
    Europe/London:" is the same for every such start. So the part before the value is
    written by `from_parts` once per property, value class, time zone and parameters, and
    each value by its class's `to_ical()` alone (a third of the cost of the whole line)."""
    shape = _shape_key(name, value, parameters)
    if shape is None:
        return fold(_whole_line(name, value, parameters))
    known = _PREFIXES.get(shape)
    if known is None:  # zones and names are few, but a server runs long
        known = _bounded(_PREFIXES)[shape] = _prefix(name, value, parameters)
    prefix, kind = known
    return fold(prefix + kind(value).to_ical().decode("utf-8"))


def _whole_line(name: str, value: object, parameters: Mapping[str, str] | None) -> str:
    from icalendar.parser import Contentline

    typed = _typed(name, value, parameters)
    return str(Contentline.from_parts(name.upper(), typed.params, typed))


def _typed(name: str, value: object, parameters: Mapping[str, str] | None) -> Any:
    kind = _value_class(name, parameters.get("VALUE") if parameters else None)
    typed = kind(value)
    for key, item in (parameters or {}).items():
        typed.params[key] = item
    return typed


@lru_cache(maxsize=64)
def _value_class(name: str, value_type: str | None) -> Any:
    import icalendar

    return icalendar.Component.types_factory.for_property(name, value_type)


# (property, value type, time zone, parameters) → (the line before the value, the class
# that writes the value): a few dozen shapes in all.
_PREFIXES: dict[tuple[Any, ...], tuple[str, Any]] = {}
_PREFIX_TYPES = (str, int, dt.date, dt.datetime)


def _shape_key(name: str, value: object, parameters: Mapping[str, str] | None
               ) -> tuple[Any, ...] | None:
    """What decides the text before the value, or None: the whole line is written.

    Only values whose class adds no parameter, or only the TZID of an IANA zone or UTC
    (equal fixed offsets of other names would share a key but not a TZID)."""
    kind = type(value)
    if kind not in _PREFIX_TYPES:
        return None
    zone = getattr(value, "tzinfo", None)
    if zone is not None and zone is not dt.timezone.utc and type(zone) is not ZoneInfo:
        return None
    params = tuple(sorted(parameters.items())) if parameters else ()
    return name, kind, zone, params


def _prefix(name: str, value: object, parameters: Mapping[str, str] | None
            ) -> tuple[str, Any]:
    """icalendar's text before the value ("DTSTART;TZID=Europe/London:"), and the class
    whose `to_ical()` writes the value: the one icalendar's own class hands it to."""
    from icalendar.parser import Contentline

    typed = _typed(name, value, parameters)
    prefix = str(Contentline.from_parts(name.upper(), typed.params, ""))
    to_type = getattr(typed, "to_property_type", None)  # vDDDTypes hands over to vDatetime, ...
    kind = type(to_type()) if to_type is not None else type(typed)
    return prefix, kind


# Lines written so far, by what tells them apart (_key); emptied when full: the lines
# every item shares are written again once per few dozen interviews.
_LINES: dict[tuple[Any, ...], str] = {}
_UPPER: dict[str, str] = {}


def _key(name: str, value: object, parameters: Mapping[str, str] | None
         ) -> tuple[Any, ...] | None:
    """What tells this line's text apart from every other's, or None: not cached.

    The type is part of it (True == 1, a date is no datetime), and so is the time zone:
    equal instants in two zones are written differently. Zones other than UTC and IANA
    ones (fixed offsets compare equal across names) are written every time."""
    kind = type(value)
    key: tuple[Any, ...]
    if kind is str or kind is int or kind is dt.date:
        key = (name, kind, value)
    elif isinstance(value, dt.datetime) and kind is dt.datetime:
        zone = value.tzinfo
        if not (zone is None or zone is dt.timezone.utc or type(zone) is ZoneInfo):
            return None
        key = (name, kind, value, zone)
    elif isinstance(value, list) and all(type(each) is str for each in value):
        key = (name, list, tuple(value))
    else:
        return None
    if parameters:
        params = tuple(sorted(parameters.items()))
        if any(type(v) is not str for _, v in params):
            return None
        key += params
    return key


# The fast paths of Lines.text, for the two kinds of value nearly every line holds: tables
# of the lines written so far, by the property (as `add` names it, with its parameters:
# `_shape_of`) and the value. A shape maps to None when its values go the general way.
# - Text (icalendar writes it with vText): one table per shape, value → line. The new
#   values of a component are escaped by ONE vText: icalendar's TEXT escaping replaces
#   patterns none of which holds a NUL (and no value does: render.py drops control
#   characters), so escaping "a\0b" gives escape(a) + "\0" + escape(b); a vText costs
#   several times its escaping (its Parameters). Tested value by value against vText
#   (tests/test_serialise.py).
# - Date-times floating, in UTC or in an IANA zone (vDatetime): one table per shape and
#   zone (equal instants in two zones are written differently; within one zone equal values
#   have equal wall times, which is all that is written). A new value's line is the text
#   before the value as icalendar writes it ("DTSTART;TZID=Europe/London:") and the wall
#   time as vDatetime writes it: the same digits, without the zone lookups a zoned
#   vDatetime makes to find its TZID (in the prefix already); then what icalendar writes
#   after the digits in that zone ("Z" in UTC, learnt from icalendar: _time_shape).
TextShape = tuple[str, str, dict[str, str]]  # NAME, text before the value, value → line
TimeShape = tuple[str, str, str, dict[dt.datetime, str]]  # ..., text after the digits
_TEXTS: dict[object, TextShape | None] = {}
_TIMES: dict[object, dict[object, TimeShape | None]] = {}
_DIGITS: dict[dt.datetime, str] = {}  # wall time → vDatetime's digits, whatever the zone
DIGITS_KEPT = 4096  # short strings; an import's steps fall on a few thousand wall times
NUL = "\x00"
UTC = dt.timezone.utc
_UNKNOWN: Any = object()


def _shape_of(name: str, parameters: Mapping[str, str] | None) -> object | None:
    """The key of a property and its parameters, or None: parameters we cannot key on."""
    if not parameters:
        return name
    items = tuple(parameters.items())
    if all(type(key) is str and type(item) is str for key, item in items):
        return name, items
    return None


def _bounded(cache: dict[Any, Any], size: int = LINES_KEPT) -> dict[Any, Any]:
    """The cache, emptied when full: the feed server runs long."""
    if len(cache) >= size:
        cache.clear()
    return cache


def _text_shape(shape: object, name: str, parameters: Mapping[str, str] | None
                ) -> TextShape | None:
    from icalendar.prop import vText

    found: TextShape | None = None
    if _value_class(name, parameters.get("VALUE") if parameters else None) is vText:
        prefix, kind = _prefix(name, "text", parameters)
        if kind is vText:
            found = (name.upper(), prefix, {})
    _bounded(_TEXTS)[shape] = found
    return found


def _time_shape(shape: object, name: str, value: dt.datetime,
                parameters: Mapping[str, str] | None) -> TimeShape | None:
    from icalendar.prop import vDatetime

    zone = value.tzinfo
    found: TimeShape | None = None
    # Floating, UTC, or an IANA zone by its key (others: the general way). What vDatetime
    # writes after the digits ("Z" for UTC and zones icalendar takes for it, such as
    # ZoneInfo("UTC")) depends on the zone alone: learnt from icalendar on the first value.
    if zone is None or zone is UTC or (type(zone) is ZoneInfo and zone.key is not None):
        prefix, kind = _prefix(name, value, parameters)
        if kind is vDatetime:
            writer: Any = vDatetime  # untyped in icalendar
            whole: str = writer(value).to_ical().decode("ascii")
            digits: str = writer(value.replace(tzinfo=None)).to_ical().decode("ascii")
            if whole.startswith(digits):
                found = (name.upper(), prefix, whole[len(digits):], {})
    zones = _TIMES.get(shape)
    if zones is None:
        zones = _bounded(_TIMES)[shape] = {}
    _bounded(zones)[zone] = found
    return found


def _time_line(shape: TimeShape, value: dt.datetime) -> str:
    _, prefix, suffix, table = shape
    wall = value.replace(tzinfo=None)
    digits = _DIGITS.get(wall)
    if digits is None:  # a task's DTSTART is its DUE; its VTODO and VEVENT share a TRIGGER
        from icalendar.prop import vDatetime

        writer: Any = vDatetime  # untyped in icalendar
        digits = _bounded(_DIGITS, DIGITS_KEPT)[wall] = writer(wall).to_ical().decode("ascii")
    line = _bounded(table, TABLE_KEPT)[value] = fold(prefix + digits + suffix)
    return line


def _escaped(values: list[str]) -> list[str]:
    """vText's text of each value, by one vText for them all (see _TEXTS)."""
    from icalendar.prop import vText

    if len(values) == 1 or any(NUL in value for value in values):
        return [vText(value).to_ical().decode("utf-8") for value in values]
    return vText(NUL.join(values)).to_ical().decode("utf-8").split(NUL)


class Lines:
    """Takes the calls icalendar's Component takes; `text()` gives icalendar's bytes."""

    __slots__ = ("name", "properties", "subcomponents")

    def __init__(self, name: str) -> None:
        self.name = name
        self.properties: list[tuple[str, Any, Mapping[str, str] | None]] = []
        self.subcomponents: list[Lines] = []

    def add(self, name: str, value: object,
            parameters: Mapping[str, str] | None = None) -> None:
        self.properties.append((name, value, parameters))

    def add_component(self, component: Lines) -> None:
        self.subcomponents.append(component)

    def text(self) -> str:
        """The component's text. Written inline, one property at a time: a render is about
        20 lines, an import's 24,000 renders half a million."""
        lines: dict[str, list[str]] = {}  # by property name, in the order added
        new: list[tuple[list[str], int, str, dict[str, str], str]] = []  # texts to escape
        for name, value, parameters in self.properties:
            shape = name if parameters is None else _shape_of(name, parameters)
            kind = type(value)
            upper: str | None = None  # set by a fast path that takes the value
            line: str | None = None  # None with `upper`: a new text, escaped below
            if kind is str and shape is not None:
                text_shape = _TEXTS.get(shape, _UNKNOWN)
                if text_shape is _UNKNOWN:
                    text_shape = _text_shape(shape, name, parameters)
                if text_shape is not None:
                    upper, prefix, table = text_shape
                    line = table.get(value)
            elif kind is dt.datetime and shape is not None:
                zones = _TIMES.get(shape)
                time_shape = zones.get(value.tzinfo, _UNKNOWN) if zones is not None else _UNKNOWN
                if time_shape is _UNKNOWN:
                    time_shape = _time_shape(shape, name, value, parameters)
                if time_shape is not None:
                    upper = time_shape[0]
                    line = time_shape[3].get(value) or _time_line(time_shape, value)
            if upper is None:
                upper, line = _general(name, value, parameters)
            group = lines.get(upper)
            if group is None:
                group = lines[upper] = []
            if line is None:
                new.append((group, len(group), prefix, table, value))
                line = ""
            group.append(line)
        if new:
            for (group, index, prefix, table, value), escaped in zip(
                    new, _escaped([each[4] for each in new]), strict=True):
                line = group[index] = fold(prefix + escaped)
                _bounded(table, TABLE_KEPT)[value] = line
        begin, names, end = _order(self.name, tuple(lines))
        out = [begin]
        for name in names:
            out.extend(lines[name])
        out.append("")
        text = "\r\n".join(out)
        if self.subcomponents:
            text += "".join(sub.text() for sub in self.subcomponents)
        return text + end + "\r\n"


def _general(name: str, value: object, parameters: Mapping[str, str] | None) -> tuple[str, str]:
    """(NAME, line) of any other value: written whole by icalendar, kept by `_key`."""
    key = _key(name, value, parameters)
    line = _LINES.get(key) if key is not None else None
    if line is None:
        line = written(name, value, parameters)
        if key is not None:
            _bounded(_LINES)[key] = line
    upper = _UPPER.get(name)
    if upper is None:
        upper = _UPPER[name] = name.upper()
    return upper, line


@lru_cache(maxsize=256)
def _order(component: str, names: tuple[str, ...]) -> tuple[str, tuple[str, ...], str]:
    """(BEGIN line, the properties in the order to_ical() writes them, END line): icalendar's
    canonical order, then the rest by name. Components of one kind mostly have the same
    properties, added in the same order."""
    order, begin, end = _shape(component)
    first = [name for name in order if name in names]
    return begin, tuple(first + sorted(name for name in names if name not in order)), end


def library_component(name: str) -> Any:
    """A real icalendar component of that name (VTODO, VEVENT, VALARM)."""
    return _component_class(name)()


Factory = Callable[[str], Any]
