"""Our components' text, written by icalendar line by line; only the fold is ours.

`render.py` describes each component with icalendar's calls (`add(name, value,
parameters=...)`, `add_component`). Made into real icalendar components and serialised
with `to_ical()`, a component costs about 0.7 ms, and an import of 1,000 interviews
renders 24,000 of them. Three things make that slow, and `Lines` changes only those:

- icalendar folds one character at a time (21 % of a render): `fold` is its `_foldline`
  working on whole runs of bytes, the one piece of ICS writing that is ours (issue 14).
- Component.add and to_ical go through generic machinery for every property (a case-less
  dict, type inference, a Contentlines list). `Lines` asks icalendar for each line at
  its cheapest public entry points: the value class icalendar picks for the property
  writes the value (`vText` escapes, `vDDDTypes` formats and names the TZID, `vCategory`
  joins), `Contentline.from_parts` writes the line with its quoted parameters (`written`).
  The lines keep the order `to_ical()` gives them: icalendar's canonical order, then by
  name; subcomponents after the properties; BEGIN and END lines as icalendar writes them.
- A render writes the same lines again and again: DTSTAMP, CREATED and CATEGORIES are the
  same for every item of an import, the contacts for every item of an interview, and a
  task's VTODO and VEVENT share their description (a whole email draft). Each distinct
  (name, value, parameters) is written by icalendar once per process (an LRU cache).

The bytes are icalendar's by test, not by hope: with FOLLOWUP_CHECK_RENDER=1 (the test
suite sets it) every render is also made by icalendar's `to_ical()` and compared byte for
byte (render.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

FOLD_LIMIT = 75  # octets, as icalendar: a folded piece holds at most 74 of them
# Distinct lines kept: an interview's lines (about 120) many times over, and the few
# every item shares; a description is a few hundred bytes.
LINES_KEPT = 4096


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
    (DTSTAMP, CREATED and LAST-MODIFIED made UTC) render.py gives in UTC already."""
    import icalendar
    from icalendar.parser import Contentline

    kind = icalendar.Component.types_factory.for_property(
        name, parameters.get("VALUE") if parameters else None)
    typed = kind(value)
    for key, item in (parameters or {}).items():
        typed.params[key] = item
    return fold(Contentline.from_parts(name.upper(), typed.params, typed))


@lru_cache(maxsize=LINES_KEPT)
def _written_once(name: str, key: tuple[Any, ...], parameters: tuple[tuple[str, str], ...]) -> str:
    value = list(key[1]) if key[0] is list else key[1]
    return written(name, value, dict(parameters))


def _key(value: object) -> tuple[Any, ...] | None:
    """What tells this value's text apart from every other's, or None: not cached.

    The type is part of it (True == 1, a date is no datetime), and so is the time zone:
    equal instants in two zones are written differently. Zones other than UTC and IANA
    ones (fixed offsets compare equal across names) are written every time."""
    kind = type(value)
    if kind is str or kind is int or kind is dt.date:
        return kind, value
    if isinstance(value, dt.datetime) and kind is dt.datetime:
        zone = value.tzinfo
        if zone is None or zone is dt.timezone.utc or type(zone) is ZoneInfo:
            return kind, value, zone
        return None
    if isinstance(value, list) and all(type(each) is str for each in value):
        return list, tuple(value)
    return None


class Lines:
    """Takes the calls icalendar's Component takes; `text()` gives icalendar's bytes."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.lines: dict[str, list[str]] = {}  # by property name, in the order added
        self.subcomponents: list[Lines] = []

    def add(self, name: str, value: object,
            parameters: Mapping[str, str] | None = None) -> None:
        key = _key(value)
        params: tuple[tuple[str, str], ...] = ()
        if parameters:
            params = tuple(sorted(parameters.items()))
            if any(type(v) is not str for _, v in params):
                key = None
        if key is None:
            line = written(name, value, parameters)
        else:
            line = _written_once(name.lower(), key, params)
        upper = name.upper()
        if upper in self.lines:
            self.lines[upper].append(line)
        else:
            self.lines[upper] = [line]

    def add_component(self, component: Lines) -> None:
        self.subcomponents.append(component)

    def text(self) -> str:
        order, begin, end = _shape(self.name)
        out = [begin]
        names = [name for name in order if name in self.lines]
        names += sorted(name for name in self.lines if name not in order)
        for name in names:
            out.extend(self.lines[name])
        text = "\r\n".join(out) + "\r\n"
        return text + "".join(sub.text() for sub in self.subcomponents) + end + "\r\n"


def library_component(name: str) -> Any:
    """A real icalendar component of that name (VTODO, VEVENT, VALARM)."""
    return _component_class(name)()


Factory = Callable[[str], Any]
