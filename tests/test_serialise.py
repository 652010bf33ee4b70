"""core/serialise.py writes icalendar's exact bytes (issue 14 item 2). Every render in the
suite is compared as well (conftest sets FOLLOWUP_CHECK_RENDER=1); these pin the parts."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar.parser.string import _foldline

from followup.core import render, serialise
from followup.core.serialise import Lines, fold

# Lines as our properties make them: ASCII, accents, CJK, emoji, escapes next to the fold.
text = st.text(alphabet=st.sampled_from(list("ab ;,:\\^\"'é漢😀-")), max_size=400)


@settings(max_examples=300)
@given(text)
def test_fold_is_icalendars_foldline(line: str) -> None:
    line = "DESCRIPTION:" + line
    assert fold(line) == _foldline(line)


@settings(max_examples=200)
@given(st.text(max_size=200).filter(lambda s: "\n" not in s and "\r" not in s))
def test_fold_is_icalendars_foldline_for_any_text(line: str) -> None:
    try:
        expected = _foldline(line)
    except UnicodeEncodeError:  # lone surrogates: icalendar cannot write them either
        return
    assert fold(line) == expected


def _both(cases: list[tuple[str, object, dict[str, str] | None]], name: str = "VTODO"
          ) -> tuple[str, str]:
    ours, theirs = Lines(name), icalendar.Component.get_component_class(name)()
    for prop, value, params in cases:
        ours.add(prop, value, parameters=params)
        theirs.add(prop, value, parameters=dict(params) if params else None)
    return ours.text(), theirs.to_ical().decode()


def test_a_component_is_byte_for_byte_icalendars() -> None:
    london = ZoneInfo("Europe/London")
    cases: list[tuple[str, object, dict[str, str] | None]] = [
        ("summary", "Ünïcode, with; \\ escapes\nand lines " * 3, None),
        ("dtstart", dt.datetime(2026, 12, 1, 9, 30, tzinfo=london), None),
        ("due", dt.date(2026, 12, 4), None),
        ("dtstamp", dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.timezone.utc), None),
        ("trigger", dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.timezone.utc), {"VALUE": "DATE-TIME"}),
        ("related-to", "followup-x-interview", {"RELTYPE": "PARENT"}),
        ("sequence", 3, None),
        ("categories", ["Job search", "a,b"], None),
        ("contact", "Jane <jane@example.com>", None),
        ("contact", "Bo Li", None),
        ("x-followup-step", "thank-you-email", None),
        ("x-odd", "value", {"X-PARAM": "needs \"quoting\"; and ^ caret"}),
    ]
    ours, theirs = _both(cases)
    assert ours == theirs


def test_values_the_cache_must_tell_apart() -> None:
    """Equal as Python values, different as text: each must get its own line."""
    instant = dt.datetime(2026, 12, 1, 14, 0, tzinfo=dt.timezone.utc)
    fixed = dt.timezone(dt.timedelta(hours=-5))
    for cases in (
        [("percent-complete", 1, None), ("percent-complete", True, None)],
        [("dtstart", instant, None), ("dtstart", instant.astimezone(ZoneInfo("Europe/Berlin")), None),
         ("dtstart", instant.astimezone(ZoneInfo("America/New_York")), None),
         ("dtstart", instant.astimezone(fixed), None),
         ("dtstart", instant.astimezone(dt.timezone(dt.timedelta(hours=-5), "EST")), None),
         ("dtstart", instant.replace(tzinfo=None), None)],
        [("due", dt.date(2026, 12, 1), None), ("due", dt.datetime(2026, 12, 1), None)],
        [("related-to", "x", {"RELTYPE": "PARENT"}), ("related-to", "x", None)],
    ):
        for _ in range(2):  # the second time from the cache
            ours, theirs = _both(cases)
            assert ours == theirs


def test_a_valarm_inside_a_vevent() -> None:
    ours, theirs = Lines("VEVENT"), icalendar.Event()
    for component in (ours, theirs):
        component.add("uid", "u-1")
        component.add("summary", "Call Jane")
        alarm = Lines("VALARM") if isinstance(component, Lines) else icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", dt.datetime(2026, 12, 1, 8, tzinfo=dt.timezone.utc),
                  parameters={"VALUE": "DATE-TIME"})
        component.add_component(alarm)  # type: ignore[arg-type]
    assert ours.text() == theirs.to_ical().decode()


def test_the_check_is_on_in_the_suite() -> None:
    assert render.CHECK_RENDER


def test_lines_of_one_shape_share_what_comes_before_the_value() -> None:
    """The text before the value is written once per property, value type, zone and
    parameters: each of these must still get its own."""
    london, tokyo = ZoneInfo("Europe/London"), ZoneInfo("Asia/Tokyo")
    cases: list[tuple[str, object, dict[str, str] | None]] = [
        ("dtstart", dt.datetime(2026, 12, 1, 9, tzinfo=london), None),
        ("dtstart", dt.datetime(2027, 6, 1, 9, tzinfo=london), None),  # summer time: same TZID
        ("dtstart", dt.datetime(2026, 12, 1, 9, tzinfo=tokyo), None),
        ("dtstart", dt.date(2026, 12, 2), None),
        ("dtstart", dt.datetime(2026, 12, 1, 9, tzinfo=dt.timezone.utc), None),
        ("x-note", "plain", None),
        ("x-note", "with a parameter", {"LANGUAGE": "fr"}),
        ("x-note", "with another", {"LANGUAGE": "de"}),
        ("sequence", 0, None),
        ("sequence", 12, None),
    ]
    for order in (cases, cases[::-1]):  # the property order is icalendar's either way
        ours, theirs = _both(order, "VEVENT")
        assert ours == theirs


# ASCII lines heavy in what the fold must not split: backslashes and carets at every place.
ascii_text = st.text(alphabet=st.sampled_from(list("ab \\^,;:n")), max_size=600)


@settings(max_examples=300)
@given(ascii_text)
def test_an_ascii_line_folds_as_icalendars_foldline(line: str) -> None:
    for whole in (line, "DESCRIPTION:" + line, "X:" + line):
        assert fold(whole) == _foldline(whole)


@settings(max_examples=200)
@given(st.lists(st.text(max_size=60).filter(lambda s: "\x00" not in s), min_size=1, max_size=8))
def test_one_vtext_escapes_as_each_value_alone(values: list[str]) -> None:
    """Lines escapes a component's new texts with one vText, joined by NUL: the same text as
    a vText for each value (icalendar's escaping has no pattern across a NUL)."""
    try:
        alone = [icalendar.vText(value).to_ical().decode("utf-8") for value in values]
    except UnicodeEncodeError:  # lone surrogates: icalendar cannot write them either
        return
    assert serialise._escaped(values) == alone


def test_times_in_zones_icalendar_takes_for_utc_end_as_it_ends_them() -> None:
    """icalendar writes "Z" (and no TZID) for UTC whatever names it: dt.timezone.utc,
    ZoneInfo("UTC"), ZoneInfo("Etc/UTC"); an interview's zone may be "UTC"."""
    moment = dt.datetime(2026, 12, 1, 12, 0)
    for zone in (dt.timezone.utc, ZoneInfo("UTC"), ZoneInfo("Etc/UTC"), ZoneInfo("Etc/GMT")):
        cases: list[tuple[str, object, dict[str, str] | None]] = [
            ("dtstart", moment.replace(tzinfo=zone), None),
            ("due", moment.replace(tzinfo=zone), None),
            ("dtstamp", moment.replace(tzinfo=dt.timezone.utc), None),
        ]
        for _ in range(2):
            ours, theirs = _both(cases)
            assert ours == theirs
    assert "\r\nDTSTART:20261201T120000Z\r\n" in _both([("dtstart", moment.replace(
        tzinfo=ZoneInfo("UTC")), None)])[0]


def test_equal_wall_times_in_other_zones_and_folds_keep_their_own_lines() -> None:
    """The digits of a wall time are shared across properties and zones; the text before
    them is not, and the second 01:30 of a night the clocks go back is written as the first
    (icalendar writes the wall time and the TZID, not the fold)."""
    london, tokyo = ZoneInfo("Europe/London"), ZoneInfo("Asia/Tokyo")
    wall = dt.datetime(2026, 10, 25, 1, 30)
    cases: list[tuple[str, object, dict[str, str] | None]] = [
        ("dtstart", wall.replace(tzinfo=london), None),
        ("due", wall.replace(tzinfo=london, fold=1), None),
        ("dtstart", wall.replace(tzinfo=tokyo), None),
        ("dtstamp", wall.replace(tzinfo=dt.timezone.utc), None),
        ("dtend", wall, None),
    ]
    for _ in range(2):  # the second time from the tables
        ours, theirs = _both(cases, "VEVENT")
        assert ours == theirs


# Components as a re-plan writes them together: few distinct texts, so that the same new text
# falls in several components, several properties and both a component and its alarm.
few_texts = st.sampled_from(["Call Jane", "a; b, c\\d", "Ünïcode " * 12, "x" * 80 + "\\n", ""])
a_component = st.tuples(
    st.sampled_from(["VTODO", "VEVENT"]),
    st.lists(st.tuples(st.sampled_from(["summary", "description", "location", "contact"]),
                       few_texts), max_size=5),
    st.one_of(st.none(), few_texts),  # an alarm's description
    st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 12, 31),
                 timezones=st.sampled_from([ZoneInfo("Europe/London"), ZoneInfo("Asia/Tokyo"),
                                            dt.timezone.utc]), allow_imaginary=False),
)


@settings(max_examples=150)
@given(st.lists(a_component, min_size=1, max_size=6))
def test_components_written_together_are_each_icalendars(
        components: list[tuple[str, list[tuple[str, str]], str | None, dt.datetime]]) -> None:
    """`texts()` writes many components at once, their new texts escaped together and
    dropped into place afterwards: each must come out as icalendar writes it alone."""
    serialise._SLOTS.clear()  # every text new, as in a fresh process
    ours: list[Lines] = []
    theirs: list[str] = []
    for name, properties, alarm_text, moment in components:
        mine, library = Lines(name), icalendar.Component.get_component_class(name)()
        for component, alarm in ((mine, Lines("VALARM")), (library, icalendar.Alarm())):
            component.add("uid", f"u-{len(ours)}")
            component.add("dtstart", moment)
            for prop, value in properties:
                component.add(prop, value)
            if alarm_text is not None:
                alarm.add("action", "DISPLAY")
                alarm.add("description", alarm_text)
                alarm.add("trigger", moment.astimezone(dt.timezone.utc),
                          parameters={"VALUE": "DATE-TIME"})
                component.add_component(alarm)  # type: ignore[arg-type]
        ours.append(mine)
        theirs.append(library.to_ical().decode())
    assert serialise.texts(ours) == theirs


def test_parameters_that_are_not_one_text_each_are_written_whole() -> None:
    """A list of values as a parameter (unhashable): no table keys on it, the line is written
    by icalendar every time, as it writes it."""
    for _ in range(2):
        ours, theirs = _both([
            ("attendee", "mailto:a@example.com", {"DELEGATED-FROM": ["mailto:b@example.com",  # type: ignore[dict-item]
                                                                     "mailto:c@example.com"]}),
            ("attendee", "mailto:a@example.com", {"DELEGATED-FROM": "mailto:b@example.com"}),
        ])
        assert ours == theirs


def test_a_block_added_again_is_written_as_its_properties_one_by_one() -> None:
    """Lines.add_all keeps the lines of a block passed again as the same object; a block with
    a text never seen is written in full (its text escaped with the others), and kept once
    all its lines are known."""
    serialise._SLOTS.clear()
    serialise._BLOCKS.clear()
    moment = dt.datetime(2026, 12, 1, 9, tzinfo=dt.timezone.utc)
    written_once = (("dtstamp", moment, None), ("sequence", 2, None),
                    ("categories", ["Job search"], None), ("x-followup-interview", "i-1", None))
    with_text = (("created", moment, None), ("summary", "Never; seen, before", None))
    kept = []
    for block in (written_once, with_text):
        for uid in ("u-1", "u-2", "u-3"):  # then from what the first (or second) kept
            ours, theirs = Lines("VTODO"), icalendar.Todo()
            for component in (ours, theirs):
                component.add("uid", uid)
                serialise.add_all(component, block)
                component.add("description", f"Item {uid}")
            assert ours.text() == theirs.to_ical().decode()
            kept.append([entry[0] for entry in serialise._BLOCKS.values()])
    assert kept == [[written_once]] * 4 + [[written_once, with_text]] * 2


@settings(max_examples=300)
@given(st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(9999, 12, 31)),
       st.sampled_from([None, dt.timezone.utc, ZoneInfo("Europe/London"), ZoneInfo("Asia/Tokyo")]))
def test_a_wall_times_digits_are_vdatetimes(moment: dt.datetime, zone: dt.tzinfo | None) -> None:
    """Written from vDate's day and vTime's time of day (each once), a wall time's digits are
    what vDatetime writes for it, seconds and microseconds included, whatever the zone."""
    value = moment.replace(tzinfo=zone)
    assert serialise._wall_digits(value) == icalendar.vDatetime(moment).to_ical().decode()


def test_if_vdate_and_vtime_ever_differ_from_vdatetime_every_digit_is_vdatetimes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The first wall time of a process is also written by vDatetime; should a release write
    a TIME otherwise (here: with a fraction), vDatetime writes every one."""
    monkeypatch.setattr(serialise, "_COMPOSED", [])
    monkeypatch.setattr(serialise, "_DAYS", {})
    monkeypatch.setattr(serialise, "_CLOCKS", {})
    monkeypatch.setattr(icalendar.vTime, "to_ical", lambda self: "093000.0")
    moments = [dt.datetime(2026, 12, 1, 9, 30), dt.datetime(2026, 12, 2, 9, 30)]
    assert [serialise._wall_digits(m) for m in moments] == ["20261201T093000", "20261202T093000"]
    assert serialise._COMPOSED == [False]
