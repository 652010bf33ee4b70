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
  distinct line is written by icalendar once and kept in bounded tables, one `_Slot` per
  property; the new texts of all the components written together (`texts()`: a re-plan's
  items) are escaped by one vText, and a wall time's digits are written once whatever the
  property or zone.
- Each `add` finds its line at once and `lay` puts the lines in order through a
  permutation cached per set of names (`_order`).

The bytes are icalendar's by test, not by hope: with FOLLOWUP_CHECK_RENDER=1 (the test
suite sets it) every render is also made by icalendar's `to_ical()` and compared byte for
byte (render.py).
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from followup.core.memo import bounded

FOLD_LIMIT = 75  # octets, as icalendar: a folded piece holds at most 74 of them
# Entries kept in the tables shared by all properties (slots, value writers, digits).
LINES_KEPT = 4096
# Lines kept per property (each table of a _Slot): a line is shared mostly within an
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
        known = bounded(_PREFIXES, LINES_KEPT)[shape] = _prefix(name, value, parameters)
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
    if any(type(item) is not str for _, item in params):  # a list of values, a number
        return None
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


NUL = "\x00"
UTC = dt.timezone.utc
# A wall time's digits by its parts (_wall_digits): days and times of day, whatever the zone.
_DAYS: dict[dt.date, str] = {}
_CLOCKS: dict[tuple[int, int, int], str] = {}
_COMPOSED: list[bool] = []  # whether vDate + "T" + vTime is vDatetime here (asked once)
# The text before a wall time's digits, after them, and the lines by value, in one zone.
TimeTable = tuple[str, str, dict[dt.datetime, str]]


class _Slot:
    """One property as `add` names it, with its parameters: its NAME and the lines written
    for it so far, by the kind of value. Nearly every line is one of these lookups:

    - `texts`: TEXT values (icalendar writes them with vText), value → line; None when the
      property's text values are not vText's (an X- property is written as it is). A new
      value's line is `prefix` and the escaped value: the new values of all the components
      written together are escaped by ONE vText (`_escaped`; `texts()` below).
    - `zones`: date-times floating, in UTC or in an IANA zone (vDatetime), per zone (equal
      instants in two zones are written differently; within one zone equal values have equal
      wall times, which is all that is written): the text before the value as icalendar
      writes it ("DTSTART;TZID=Europe/London:"), what it writes after the digits ("Z" in
      UTC, learnt from icalendar: `_time_table`), and the lines; None: the general way.
    - `others`: any other value whose text `_other_key` can tell apart (SEQUENCE, CATEGORIES,
      X- properties, dates), written whole by icalendar (`written`)."""

    __slots__ = ("name", "parameters", "upper", "texts", "prefix", "zones", "others")

    def __init__(self, name: str, parameters: Mapping[str, str] | None) -> None:
        from icalendar.prop import vText

        self.name, self.parameters, self.upper = name, parameters, name.upper()
        self.texts: dict[str, str] | None = None
        self.prefix = ""
        if _value_class(name, parameters.get("VALUE") if parameters else None) is vText:
            prefix, kind = _prefix(name, "text", parameters)
            if kind is vText:
                self.texts, self.prefix = {}, prefix
        self.zones: dict[object, TimeTable | None] = {}
        self.others: dict[object, str] = {}


# Slots by property, and its parameters as (key, value) pairs when it has any: a few dozen in
# all, bounded for a long-running server all the same; each slot's tables keep TABLE_KEPT
# lines.
_SLOTS: dict[object, _Slot] = {}


def _slot(shape: object, name: str, parameters: Mapping[str, str] | None) -> _Slot | None:
    """The slot of a property and its parameters, or None: parameters other than text (the
    line is written whole every time)."""
    if parameters and not all(type(key) is str and type(item) is str
                              for key, item in parameters.items()):
        return None
    slot = bounded(_SLOTS, LINES_KEPT)[shape] = _Slot(name, parameters)
    return slot


def _time_table(slot: _Slot, value: dt.datetime) -> TimeTable | None:
    from icalendar.prop import vDatetime

    zone = value.tzinfo
    found: TimeTable | None = None
    # Floating, UTC, or an IANA zone by its key (others: the general way). What vDatetime
    # writes after the digits ("Z" for UTC and zones icalendar takes for it, such as
    # ZoneInfo("UTC")) depends on the zone alone: learnt from icalendar on the first value.
    if zone is None or zone is UTC or (type(zone) is ZoneInfo and zone.key is not None):
        prefix, kind = _prefix(slot.name, value, slot.parameters)
        if kind is vDatetime:
            writer: Any = vDatetime  # untyped in icalendar
            whole: str = writer(value).to_ical().decode("ascii")
            digits: str = writer(value.replace(tzinfo=None)).to_ical().decode("ascii")
            if whole.startswith(digits):
                found = (prefix, whole[len(digits):], {})
    bounded(slot.zones, LINES_KEPT)[zone] = found
    return found


def _time_line(table: TimeTable, value: dt.datetime) -> str:
    prefix, suffix, lines = table
    line = bounded(lines, TABLE_KEPT)[value] = fold(prefix + _wall_digits(value) + suffix)
    return line


def _wall_digits(value: dt.datetime) -> str:
    """What vDatetime writes for the wall time (without a zone's "Z"). RFC 5545's DATE-TIME
    is a DATE, "T" and a TIME, and icalendar writes the parts with vDate and vTime: an import
    has thousands of wall times but a few hundred days and times of day, so each part is
    written by icalendar once (a vDatetime for each wall time was 3 % of an import). The
    first wall time of a process is also written by vDatetime: should a release write them
    otherwise, every one is (and the suite compares every render with icalendar's)."""
    date_of, datetime_of, time_of = _prop("vDate", "vDatetime", "vTime")
    day, clock = value.date(), (value.hour, value.minute, value.second)
    day_text = _DAYS.get(day)
    if day_text is None:
        day_text = bounded(_DAYS, LINES_KEPT)[day] = _ascii(date_of(day).to_ical())
    clock_text = _CLOCKS.get(clock)
    if clock_text is None:
        clock_text = _ascii(time_of(dt.time(*clock)).to_ical())
        bounded(_CLOCKS, LINES_KEPT)[clock] = clock_text
    digits = f"{day_text}T{clock_text}"
    if not _COMPOSED or not _COMPOSED[0]:
        whole = _ascii(datetime_of(dt.datetime.combine(day, dt.time(*clock))).to_ical())
        if not _COMPOSED:
            _COMPOSED.append(digits == whole)
        digits = whole
    return digits


@lru_cache(maxsize=8)
def _prop(*names: str) -> tuple[Any, ...]:
    """icalendar's value classes of those names (untyped in icalendar), imported on first
    use: an import statement in a function runs importlib's fromlist code at every call, and
    a render makes a hundred calls that need them."""
    from icalendar import prop

    return tuple(getattr(prop, name) for name in names)


def _ascii(written: bytes | str) -> str:
    """A value's text: vTime's to_ical() gives a str where the others give bytes."""
    return written.decode("ascii") if isinstance(written, bytes) else written


def _other_key(value: Any) -> object | None:
    """What tells this value's line apart from every other's of its property, or None: not
    kept. The type is part of it (True == 1, a date is no datetime), and so is the time zone:
    equal instants in two zones are written differently. Zones other than UTC and IANA ones
    (fixed offsets compare equal across names) are written every time."""
    kind = type(value)
    if kind is str:
        return str(value)
    if kind is int or kind is dt.date:
        return kind, value
    if kind is dt.datetime:
        zone = value.tzinfo
        if zone is None or zone is UTC or type(zone) is ZoneInfo:
            return kind, value, zone
        return None
    if kind is list and list(map(type, value)) == [str] * len(value):  # CATEGORIES
        return list, tuple(value)
    return None


def _other_line(slot: _Slot, value: object) -> str:
    """Any other value's line: written whole by icalendar, kept by `_other_key`."""
    key = _other_key(value)
    line = slot.others.get(key) if key is not None else None
    if line is None:
        line = written(slot.name, value, slot.parameters)
        if key is not None:
            bounded(slot.others, TABLE_KEPT)[key] = line
    return line


def _escaped(values: list[str]) -> list[str]:
    """vText's text of each value, by one vText for them all: icalendar's TEXT escaping
    replaces patterns none of which holds a NUL (and no value does: render.py drops control
    characters), so escaping "a\0b" gives escape(a) + "\0" + escape(b); a vText costs
    several times its escaping (its Parameters). Tested value by value against vText
    (tests/test_serialise.py)."""
    (vText,) = _prop("vText")
    joined = NUL.join(values)
    if len(values) == 1 or joined.count(NUL) != len(values) - 1:  # one, or a value has a NUL
        return [vText(value).to_ical().decode("utf-8") for value in values]
    written: str = vText(joined).to_ical().decode("utf-8")
    return written.split(NUL)


Property = tuple[str, Any, "Mapping[str, str] | None"]  # add(name, value, parameters=...)
# A line still to be written: (its component's lines, its place there, its slot, the text).
Hole = tuple[list[str], int, _Slot, str]


class Lines:
    """Takes the calls icalendar's Component takes; `text()` gives icalendar's bytes.

    Each `add` finds its line at once (one property at a time, inline: an import writes half
    a million lines); `lay` puts them in the order to_ical() writes them."""

    __slots__ = ("name", "uppers", "lines", "new", "subcomponents")

    def __init__(self, name: str) -> None:
        self.name = name
        self.uppers: list[str] = []  # each property's NAME, in the order added
        self.lines: list[str] = []  # and its line ("" until `texts` writes a new text's)
        self.new: list[tuple[int, _Slot, str]] = []  # the new texts: (index, slot, value)
        self.subcomponents: list[Lines] = []

    def add(self, name: str, value: Any,
            parameters: Mapping[str, str] | None = None) -> None:
        shape = (name, tuple(parameters.items())) if parameters else name
        try:
            slot = _SLOTS.get(shape) or _slot(shape, name, parameters)
        except TypeError:  # a parameter's value that cannot be a key
            slot = None
        if slot is None:
            self.uppers.append(name.upper())
            self.lines.append(written(name, value, parameters))
            return
        self.uppers.append(slot.upper)
        kind = type(value)
        if kind is str:
            table = slot.texts
            if table is None:  # a property written as it is (X-)
                line = slot.others.get(value) or _other_line(slot, value)
            else:
                known = table.get(value)
                if known is None:
                    self.new.append((len(self.lines), slot, value))
                    known = ""
                line = known
        elif kind is dt.datetime:
            times = slot.zones.get(value.tzinfo, _UNKNOWN)
            if times is _UNKNOWN:
                times = _time_table(slot, value)
            if times is None:
                line = _other_line(slot, value)
            else:
                line = times[2].get(value) or _time_line(times, value)
        elif kind is int:
            line = slot.others.get((int, value)) or _other_line(slot, value)
        else:
            line = _other_line(slot, value)
        self.lines.append(line)

    def add_all(self, properties: Sequence[Property]) -> None:
        """`add` each property. A block its caller passes again as the same object (render.py
        keeps one per revision of an interview) has its lines written once and kept (it
        must not change while it lives)."""
        known = _BLOCKS.get(id(properties))
        if known is not None and known[0] is properties:
            self.uppers += known[1]
            self.lines += known[2]
            return
        block = Lines(self.name)
        for name, value, parameters in properties:
            block.add(name, value, parameters)
        if not block.new:  # no new text in it: its lines are all written
            # Keyed by identity, holding the block: its id is not reused while it is kept.
            bounded(_BLOCKS, TABLE_KEPT)[id(properties)] = (properties, block.uppers,
                                                             block.lines)
        offset = len(self.lines)
        self.new += [(offset + index, slot, value) for index, slot, value in block.new]
        self.uppers += block.uppers
        self.lines += block.lines

    def add_component(self, component: Lines) -> None:
        self.subcomponents.append(component)

    def text(self) -> str:
        return texts((self,))[0]

    def lay(self, out: list[str], holes: list[Hole]) -> None:
        """Append the component's lines to `out` in the order to_ical() writes them, BEGIN
        and END included, its subcomponents' after its properties; the places of its new
        texts go to `holes`, for `texts` to fill."""
        begin, pick, place, end = _order(self.name, tuple(self.uppers))
        start = len(out) + 1
        out.append(begin)
        out += pick(self.lines)
        if self.new:
            holes += [(out, start + place[index], slot, value) for index, slot, value in self.new]
        for sub in self.subcomponents:
            sub.lay(out, holes)
        out.append(end)


_UNKNOWN: Any = object()
_BLOCKS: dict[int, tuple[object, list[str], list[str]]] = {}  # Lines.add_all


_TEXT_OF_HOLE = operator.itemgetter(3)


def texts(components: Sequence[Lines]) -> list[str]:
    """The text of each component. The text values no line was kept for, in all of them, are
    escaped together (`_escaped`): an import writes a re-plan's items in one call."""
    holes: list[Hole] = []
    laid: list[list[str]] = []
    for component in components:
        out: list[str] = []
        component.lay(out, holes)
        laid.append(out)
    if holes:
        values = list(dict.fromkeys(map(_TEXT_OF_HOLE, holes)))  # each text once
        escaped = dict(zip(values, _escaped(values), strict=True))
        for out, index, slot, value in holes:
            table: Any = slot.texts
            line = table.get(value)
            if line is None:  # not filled yet (a task's summary is new in its VEVENT too)
                line = bounded(table, TABLE_KEPT)[value] = fold(slot.prefix + escaped[value])
            out[index] = line
    return [CRLF.join(out) + CRLF for out in laid]


CRLF = "\r\n"


@lru_cache(maxsize=256)
def _order(component: str, names: tuple[str, ...]
           ) -> tuple[str, Callable[[list[str]], Sequence[str]], tuple[int, ...], str]:
    """(BEGIN line, what picks the properties' lines in the order to_ical() writes them, the
    place of each property in that order, END line): icalendar's canonical order, then the
    rest by name, a name's lines in the order added. Components of one kind mostly have the
    same properties, added in the same order."""
    canonical, begin, end = _shape(component)
    rank = {name: place for place, name in enumerate(canonical)}
    order = sorted(range(len(names)), key=lambda index: (
        (0, rank[names[index]], "") if names[index] in rank else (1, 0, names[index]), index))
    place = [0] * len(names)
    for position, index in enumerate(order):
        place[index] = position
    # One C call for all the lines (an itemgetter of one index gives the line alone).
    pick = operator.itemgetter(*order) if len(order) > 1 else lambda lines: lines[:len(order)]
    return begin, pick, tuple(place), end


def add_all(component: Any, properties: Sequence[Property]) -> None:
    """Add each property to a component: icalendar's one by one, a Lines at once
    (`Lines.add_all`)."""
    if isinstance(component, Lines):
        component.add_all(properties)
        return
    for name, value, parameters in properties:
        component.add(name, value, parameters=parameters)


def library_component(name: str) -> Any:
    """A real icalendar component of that name (VTODO, VEVENT, VALARM)."""
    return _component_class(name)()


Factory = Callable[[str], Any]
