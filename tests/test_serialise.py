"""core/serialise.py writes icalendar's exact bytes (issue 14 item 2). Every render in the
suite is compared as well (conftest sets FOLLOWUP_CHECK_RENDER=1); these pin the parts."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar.parser.string import _foldline

from followup.core import render
from followup.core.serialise import Unsupported, escape_text, fold, recorder

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


@settings(max_examples=100)
@given(st.text(max_size=120))
def test_text_escaping_is_icalendars(value: str) -> None:
    assert escape_text(value) == icalendar.vText(value).to_ical().decode()


def test_a_component_is_byte_for_byte_icalendars() -> None:
    london = ZoneInfo("Europe/London")
    cases = [
        ("summary", "Ünïcode, with; \\ escapes\nand lines " * 3, None),
        ("dtstart", dt.datetime(2026, 12, 1, 9, 30, tzinfo=london), None),
        ("due", dt.date(2026, 12, 4), None),
        ("dtstamp", dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.timezone.utc), None),
        ("created", dt.datetime(2026, 11, 28, 13, 0, tzinfo=london), None),  # made UTC
        ("trigger", dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.timezone.utc), {"VALUE": "DATE-TIME"}),
        ("related-to", "followup-x-interview", {"RELTYPE": "PARENT"}),
        ("sequence", 3, None),
        ("categories", ["Job search", "a,b"], None),
        ("contact", "Jane <jane@example.com>", None),
        ("contact", "Bo Li", None),
        ("x-followup-step", "thank-you-email", None),
    ]
    ours, theirs = recorder("VTODO"), icalendar.Todo()
    for name, value, params in cases:
        ours.add(name, value, parameters=params)
        theirs.add(name, value, parameters=dict(params) if params else None)
    assert ours.text() == theirs.to_ical().decode()


def test_values_it_does_not_know_go_to_icalendar() -> None:
    fixed = dt.timezone(dt.timedelta(hours=-5))
    for name, value in (("dtstart", dt.datetime(2026, 12, 1, 9, tzinfo=fixed)),
                        ("dtstart", dt.datetime(2026, 12, 1, 9)),
                        ("dtstart", dt.datetime(2026, 12, 1, 9, tzinfo=ZoneInfo("Etc/UTC"))),
                        ("percent-complete", True)):
        try:
            recorder("VTODO").add(name, value)
        except Unsupported:
            continue
        raise AssertionError(f"{name}={value!r} should be icalendar's to write")


def test_the_check_is_on_in_the_suite() -> None:
    assert render.CHECK_RENDER
