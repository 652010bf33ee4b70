"""The interop readers see what ical.js, libical, icalendar and the strict ical package see.

Each fixture in tests/calendars/ is hand-written; the instants below are what each parser
computes from the file's own VTIMEZONEs. Where a parser gets a file wrong (the March-only
VTIMEZONE for ical.js, a control character for all but `ical`, a fixed-offset TZID), the
expected values pin that behaviour, so these tests prove the harness can see the bugs that
CALENDAR_RULES 19-21 guard against.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from interop.readers import (
    ICALJS_SCRIPT,
    Instant,
    Reading,
    Verdict,
    build_libical_reader,
    ical_strict_accepts,
    icalendar_instants,
    icaljs_instants,
    icaljs_instants_many,
    libical_instants,
    verdicts,
)

CALENDARS = Path(__file__).parent / "calendars"
NEW_YORK_1970 = CALENDARS / "interop-new-york-1970.ics"
NEW_YORK_FROM_MARCH = CALENDARS / "interop-new-york-from-march.ics"
NEW_YORK_NO_VTIMEZONE = CALENDARS / "interop-new-york-no-vtimezone.ics"
SYDNEY_KOLKATA = CALENDARS / "interop-sydney-kolkata.ics"
CONTROL_CHARACTER = CALENDARS / "interop-control-character.ics"
FIXED_OFFSET = CALENDARS / "interop-fixed-offset-tzid.ics"
FIXED_OFFSET_UNQUOTED = CALENDARS / "interop-fixed-offset-tzid-unquoted.ics"

READERS: dict[str, Callable[[Path], Reading]] = {
    "ical.js": icaljs_instants,
    "libical": libical_instants,
    "icalendar": icalendar_instants,
}
every_reader = pytest.mark.parametrize("reader", READERS)

NY = "America/New_York"


def report(pytestconfig: pytest.Config, line: str) -> None:
    """Show a measurement on the terminal, outside pytest's output capture."""
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    capture = pytestconfig.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write("\n")
            reporter.write_line(line)


def event(
    uid: str, tzid: str | None, start: str | None, end: str | None, zone: str = "vtimezone"
) -> tuple[Instant, ...]:
    return (
        Instant(uid, "VEVENT", "DTSTART", tzid, start, zone),
        Instant(uid, "VEVENT", "DTEND", tzid, end, zone),
    )


NEW_YORK_INSTANTS = event("interop-ny-january", NY, "2027-01-20T15:00:00Z", "2027-01-20T16:00:00Z") + (
    Instant("interop-ny-july-task", "VTODO", "DTSTART", NY, "2027-07-15T13:00:00Z", "vtimezone"),
    Instant("interop-ny-july-task", "VTODO", "DUE", NY, "2027-07-15T13:00:00Z", "vtimezone"),
    Instant("interop-ny-july-task", "VTODO", "COMPLETED", None, "2027-07-15T14:00:00Z", "utc"),
)


# (a) A VTIMEZONE whose RRULE observances start in 1970 covers January 2027 in every reader.
@every_reader
def test_new_york_with_a_vtimezone_from_1970(reader: str) -> None:
    assert READERS[reader](NEW_YORK_1970) == Reading(reader, accepted=True, instants=NEW_YORK_INSTANTS)


def test_new_york_with_a_vtimezone_from_1970_is_strictly_valid() -> None:
    assert ical_strict_accepts(NEW_YORK_1970) == Verdict(True, "")


# (b) Observances that start in March 2027: a January time comes before the first one.
def test_ical_js_reads_a_time_before_the_first_observance_as_utc() -> None:
    """Rule 19: Thunderbird puts a 10:00 New York call at 10:00 UTC, five hours early."""
    assert icaljs_instants(NEW_YORK_FROM_MARCH) == Reading(
        "ical.js",
        accepted=True,
        instants=event("interop-ny-january", NY, "2027-01-20T10:00:00Z", "2027-01-20T11:00:00Z"),
    )


@pytest.mark.parametrize("reader", ["libical", "icalendar"])
def test_libical_and_icalendar_use_the_first_observances_offset_from(reader: str) -> None:
    assert READERS[reader](NEW_YORK_FROM_MARCH) == Reading(
        reader,
        accepted=True,
        instants=event("interop-ny-january", NY, "2027-01-20T15:00:00Z", "2027-01-20T16:00:00Z"),
    )


def test_a_vtimezone_from_march_is_strictly_valid_all_the_same() -> None:
    assert ical_strict_accepts(NEW_YORK_FROM_MARCH) == Verdict(True, "")


# (c) The southern hemisphere's summer is in January; India has no DST and a half-hour offset.
@every_reader
def test_sydney_in_summer_and_winter_and_kolkata(reader: str) -> None:
    assert READERS[reader](SYDNEY_KOLKATA) == Reading(
        reader,
        accepted=True,
        instants=event("interop-sydney-january", "Australia/Sydney", "2027-01-19T23:00:00Z", "2027-01-20T00:00:00Z")
        + event("interop-sydney-july", "Australia/Sydney", "2027-07-20T00:00:00Z", "2027-07-20T01:00:00Z")
        + event("interop-kolkata-january", "Asia/Kolkata", "2027-01-20T04:30:00Z", "2027-01-20T05:00:00Z"),
    )


# (d) U+0001 in a SUMMARY (rule 21).
def test_only_the_strict_ical_package_rejects_a_control_character() -> None:
    summary = "Follow-up call\x01 with Acme"
    assert verdicts(CONTROL_CHARACTER) == {
        "ical": Verdict(False, f"Property value contains control characters: {summary}: SUMMARY:{summary}"),
        "ical.js": Verdict(True, ""),
        "libical": Verdict(True, ""),
        "icalendar": Verdict(True, ""),
    }


@every_reader
def test_the_readers_that_accept_a_control_character_read_the_times_unharmed(reader: str) -> None:
    assert READERS[reader](CONTROL_CHARACTER) == Reading(
        reader,
        accepted=True,
        instants=event("interop-control-character", NY, "2027-01-20T15:00:00Z", "2027-01-20T16:00:00Z"),
    )


# (e) TZID "UTC-05:00" with no VTIMEZONE (rule 20), quoted as icalendar writes it.
FIXED_OFFSET_READINGS = {
    # ical.js and libical keep the wall time floating, which their conversion treats as UTC.
    "ical.js": event("interop-fixed-offset", "UTC-05:00", "2027-01-20T10:00:00Z", "2027-01-20T11:00:00Z", "missing"),
    "libical": event("interop-fixed-offset", "UTC-05:00", "2027-01-20T10:00:00Z", "2027-01-20T11:00:00Z", "missing"),
    # icalendar knows no zone by that name and leaves the datetime naive: no instant at all.
    "icalendar": event("interop-fixed-offset", "UTC-05:00", None, None, "missing"),
}


@every_reader
def test_a_fixed_offset_tzid_is_read_as_floating(reader: str) -> None:
    assert READERS[reader](FIXED_OFFSET) == Reading(reader, accepted=True, instants=FIXED_OFFSET_READINGS[reader])


def test_the_strict_ical_package_rejects_a_fixed_offset_tzid() -> None:
    assert ical_strict_accepts(FIXED_OFFSET) == Verdict(
        False,
        "The calendar is not valid: Failed to parse EVENT component: Value error, "
        "Expected DATE-TIME TZID value 'UTC-05:00' to be valid timezone",
    )


def test_an_unquoted_fixed_offset_tzid_breaks_ical_js_and_icalendar() -> None:
    """`TZID=UTC-05:00:2027...` is invalid (a colon in an unquoted parameter value)."""
    assert icaljs_instants(FIXED_OFFSET_UNQUOTED) == Reading(
        "ical.js", accepted=False, error='Error: Could not extract integer from "T1"'
    )
    # libical copes: it keeps the TZID whole and reads the time after it.
    assert libical_instants(FIXED_OFFSET_UNQUOTED) == Reading(
        "libical",
        accepted=True,
        instants=event(
            "interop-fixed-offset-unquoted", "UTC-05:00", "2027-01-20T10:00:00Z", "2027-01-20T11:00:00Z", "missing"
        ),
    )
    # icalendar splits at the first colon, cannot parse '00:2027...' and drops both times.
    assert icalendar_instants(FIXED_OFFSET_UNQUOTED) == Reading(
        "icalendar",
        accepted=True,
        warnings=(
            "VEVENT DTSTART: Expected datetime, date, or time. Got: '00:20270120T100000'",
            "VEVENT DTEND: Expected datetime, date, or time. Got: '00:20270120T110000'",
        ),
    )
    assert ical_strict_accepts(FIXED_OFFSET_UNQUOTED) == Verdict(
        False,
        "The calendar is not valid: Failed to parse EVENT component: Value error, Failed to validate "
        "'00:20270120T100000' as datetime or date: Expected value to match DATE-TIME pattern: 00:20270120T100000; "
        "Expected value to match DATE pattern: '00:20270120T100000'",
    )


# An IANA TZID with no VTIMEZONE (rule 4): the readers part ways.
def test_an_iana_tzid_without_vtimezone() -> None:
    floating = event("interop-ny-no-vtimezone", NY, "2027-01-20T10:00:00Z", "2027-01-20T11:00:00Z", "missing")
    assert icaljs_instants(NEW_YORK_NO_VTIMEZONE) == Reading("ical.js", accepted=True, instants=floating)
    assert libical_instants(NEW_YORK_NO_VTIMEZONE) == Reading("libical", accepted=True, instants=floating)
    # icalendar falls back on the system's zoneinfo, which has the right answer.
    assert icalendar_instants(NEW_YORK_NO_VTIMEZONE) == Reading(
        "icalendar",
        accepted=True,
        instants=event("interop-ny-no-vtimezone", NY, "2027-01-20T15:00:00Z", "2027-01-20T16:00:00Z", "missing"),
    )


# The harness itself ---------------------------------------------------------------------------


def test_every_reader_rejects_text_that_is_not_a_calendar(tmp_path: Path) -> None:
    path = tmp_path / "not-a-calendar.ics"
    path.write_text("hello\r\n")
    assert verdicts(path) == {
        "ical": Verdict(False, "Invalid property line, expected (';', ':') after property name: hello"),
        "ical.js": Verdict(False, 'ParserError: invalid line (no token ";" or ":") "hello"'),
        "libical": Verdict(False, "no iCalendar component found"),
        "icalendar": Verdict(
            False, "ValueError: Content line could not be parsed into parts: 'hello': Invalid content line"
        ),
    }


def test_libical_reports_what_it_dropped(tmp_path: Path) -> None:
    path = tmp_path / "broken-dtstart.ics"
    path.write_bytes(
        NEW_YORK_1970.read_bytes().replace(b"DTSTART;TZID=America/New_York:20270120T100000", b"DTSTART:2027XX")
    )
    reading = libical_instants(path)
    assert reading.warnings == ("Can't parse as DATE-TIME value in DTSTART property. Removing entire property: 2027XX",)
    assert reading.instants == NEW_YORK_INSTANTS[1:]


def test_utc_by_key_pairs_each_value_with_its_instant() -> None:
    assert icalendar_instants(NEW_YORK_1970).utc_by_key() == {
        "interop-ny-january DTSTART": "2027-01-20T15:00:00Z",
        "interop-ny-january DTEND": "2027-01-20T16:00:00Z",
        "interop-ny-july-task DTSTART": "2027-07-15T13:00:00Z",
        "interop-ny-july-task DUE": "2027-07-15T13:00:00Z",
        "interop-ny-july-task COMPLETED": "2027-07-15T14:00:00Z",
    }
    twice = Reading("icalendar", accepted=True, instants=NEW_YORK_INSTANTS[:1] * 2)
    with pytest.raises(ValueError, match="^interop-ny-january DTSTART occurs twice in icalendar's reading"):
        twice.utc_by_key()


def test_ical_js_reads_many_files_in_one_process_each_with_its_own_zones(pytestconfig: pytest.Config) -> None:
    # After the 1970 file has registered America/New_York, a file without a VTIMEZONE must
    # still find none: a leftover zone would hide the missing one.
    files = [NEW_YORK_1970, NEW_YORK_NO_VTIMEZONE, NEW_YORK_FROM_MARCH, SYDNEY_KOLKATA]
    icaljs_instants(NEW_YORK_1970)  # installs ical.js first if needed, outside the timing
    start = time.perf_counter()
    single = [icaljs_instants(path) for path in files]
    one_by_one = time.perf_counter() - start
    start = time.perf_counter()
    many = icaljs_instants_many(files)
    together = time.perf_counter() - start
    assert many == single
    assert many[1].instants[0].zone == "missing"
    report(
        pytestconfig,
        f"ical.js reader ({ICALJS_SCRIPT.name}): {one_by_one / len(files) * 1000:.0f} ms a file one by one, "
        f"{together * 1000:.0f} ms for {len(files)} files in one node process",
    )


def test_the_libical_reader_is_compiled_once_per_source(pytestconfig: pytest.Config) -> None:
    start = time.perf_counter()
    program = build_libical_reader(force=True)
    compiled = time.perf_counter() - start
    built = program.stat().st_mtime_ns
    assert build_libical_reader() == program
    assert program.stat().st_mtime_ns == built
    start = time.perf_counter()
    libical_instants(NEW_YORK_1970)
    read = time.perf_counter() - start
    report(pytestconfig, f"libical reader: compiled in {compiled * 1000:.0f} ms, reads a file in {read * 1000:.0f} ms")
