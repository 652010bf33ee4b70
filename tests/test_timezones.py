"""Every timed value means the same instant in ical.js, libical and icalendar as in zoneinfo
(CALENDAR_RULES.md rules 4, 19 and 20), each reader using only the file's own VTIMEZONEs."""

from __future__ import annotations

import datetime as dt
import random
import re
import zoneinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import Run
from followup.core.vtimezone import vtimezone
from interop.readers import (
    TIMED_PROPERTIES,
    Reading,
    icalendar_instants,
    icaljs_instants,
    icaljs_instants_many,
    libical_instants,
)

UTC = dt.timezone.utc
PROFILES = ("full", "events", "tasks")
ZONES = sorted(zoneinfo.available_timezones())

# A year of interviews on every continent, both hemispheres, whole and half-hour offsets,
# zones with daylight saving time now, zones that dropped it (Sao Paulo 2019, Tehran 2022)
# and Casablanca, whose Ramadan rule is no yearly RRULE.
INTERVIEWS = (
    ("America/New_York", "2027-01-20 10:00"),
    ("America/Sao_Paulo", "2027-02-15 09:00"),
    ("America/Santiago", "2027-03-10 11:00"),
    ("Europe/London", "2027-03-29 09:30"),
    ("Europe/Berlin", "2027-04-12 15:00"),
    ("Africa/Cairo", "2027-05-05 10:00"),
    ("Africa/Johannesburg", "2027-06-01 14:00"),
    ("Africa/Casablanca", "2027-06-21 10:00"),
    ("Asia/Kolkata", "2027-07-14 11:30"),
    ("Asia/Tokyo", "2027-08-02 10:00"),
    ("Asia/Tehran", "2027-08-23 09:00"),
    ("Australia/Sydney", "2027-09-15 13:00"),
    ("Pacific/Auckland", "2027-10-05 10:00"),
    ("America/St_Johns", "2027-11-03 16:00"),
    ("Australia/Adelaide", "2027-12-01 10:00"),
    ("Asia/Kathmandu", "2027-12-14 12:15"),
)


def zoneinfo_instants(path: Path) -> dict[str, str]:
    """``{"UID PROPERTY": utc}`` for every timed value, computed by zoneinfo from the text."""
    expected = {}
    for calendar in icalendar.Calendar.from_ical(path.read_bytes(), multiple=True):
        for component in calendar.subcomponents:
            if component.name == "VTIMEZONE":
                continue
            for name in TIMED_PROPERTIES:
                if name not in component or component[name].params.get("VALUE") == "DATE":
                    continue
                text = component[name].to_ical().decode()
                tzid = component[name].params.get("TZID")
                if text.endswith("Z"):
                    moment = dt.datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
                else:
                    assert tzid, f"{component['UID']} {name} is floating"
                    wall = dt.datetime.strptime(text, "%Y%m%dT%H%M%S")
                    moment = wall.replace(tzinfo=ZoneInfo(tzid))
                expected[f"{component['UID']} {name}"] = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return expected


def assert_readers_agree_with_zoneinfo(paths: list[Path]) -> int:
    """Each reader accepts each file and places every timed value where zoneinfo does;
    returns how many values were compared."""
    readings: dict[Path, list[Reading]] = {path: [] for path in paths}
    for path, reading in zip(paths, icaljs_instants_many(paths), strict=True):
        readings[path].append(reading)
    compared = 0
    for path in paths:
        readings[path] += [libical_instants(path), icalendar_instants(path)]
        expected = zoneinfo_instants(path)
        for reading in readings[path]:
            assert reading.accepted, (path.name, reading.reader, reading.error)
            assert {i.zone for i in reading.instants} <= {"vtimezone", "utc"}, (path.name, reading.reader)
            got = reading.utc_by_key()
            wrong = {key: (got.get(key), want) for key, want in expected.items() if got.get(key) != want}
            assert not wrong, (path.name, reading.reader, len(wrong), sorted(wrong.items())[:5])
            assert set(got) == set(expected)
        compared += len(expected)
    return compared


def test_a_varied_export_means_the_same_instants_in_every_reader(run: Run, tmp_path: Path) -> None:
    for number, (tz, at) in enumerate(INTERVIEWS, 1):
        result = run("add", "--company", f"Co{number}", "--role", "Engineer", "--at", at, "--tz", tz,
                     "--interviewer", f"Pat {number} <pat{number}@co.example>")
        assert result.exit_code == 0, result.stderr
    # Completed items (COMPLETED in UTC; closed items keep their times through re-plans,
    # rule 20), an outcome (cancelled steps) and an edit that re-plans a finished chain.
    shown = run("show", "1", "--json")
    tasks = [i for i in __import__("json").loads(shown.stdout)["items"] if i["kind"] == "task"]
    assert run("done", str(tasks[0]["id"]), str(tasks[1]["id"]), now="2027-01-20T17:00:00+00:00").exit_code == 0
    assert run("outcome", "2", "rejected", now="2027-02-16T12:00:00+00:00").exit_code == 0
    assert run("edit", "1", "--deadline", "2027-02-01", now="2027-01-21T12:00:00+00:00").exit_code == 0
    paths = []
    for profile in PROFILES:
        path = tmp_path / f"{profile}.ics"
        result = run("export", "--profile", profile, "-o", str(path))
        assert result.exit_code == 0, result.stderr
        paths.append(path)
    tzids = {m.decode() for m in re.findall(rb"TZID:([^\r]+)", paths[0].read_bytes())}
    assert tzids == {tz for tz, _ in INTERVIEWS} | {"Europe/London"}
    assert assert_readers_agree_with_zoneinfo(paths) > 400


def test_a_new_york_interview_in_january_is_at_15_00_utc_in_thunderbird(run: Run, tmp_path: Path) -> None:
    """Issue 12, item 1: ical.js read 2027-01-20 10:00 New York as 10:00Z (VTIMEZONE from March)."""
    assert run("add", "--company", "Acme", "--role", "Eng", "--at", "2027-01-20 10:00",
               "--tz", "America/New_York").exit_code == 0
    path = tmp_path / "full.ics"
    assert run("export", "-o", str(path)).exit_code == 0
    uid = re.search(rb"UID:(followup-\w+-interview)\r", path.read_bytes())
    assert uid is not None
    assert icaljs_instants(path).utc_by_key()[f"{uid[1].decode()} DTSTART"] == "2027-01-20T15:00:00Z"


def test_vtimezone_depends_on_the_zone_alone() -> None:
    # What lets a caller cache it per zone: one argument, and the same text every time.
    first = vtimezone("Europe/Paris").to_ical()
    vtimezone.cache_clear()
    assert vtimezone("Europe/Paris").to_ical() == first
    text = first.decode()
    # From a year before the first time followup accepts; then the rule in force, the one
    # Outlook reads: RRULE style, no UNTIL, no RDATE anywhere.
    assert text.startswith("BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\nBEGIN:STANDARD\r\nDTSTART:19990101T000000\r\n")
    assert "RDATE" not in text and "UNTIL" not in text
    assert "DTSTART:19990328T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n" in text
    assert "DTSTART:19991031T030000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n" in text
    assert text.count("BEGIN:DAYLIGHT") == text.count("BEGIN:STANDARD") - 1 == 1


def test_a_zone_without_daylight_saving_time_today_has_no_daylight_rule_for_outlook() -> None:
    """Outlook reads the DAYLIGHT with the latest DTSTART (MS-OXCICAL 2.1.3.1.1.19.2): a zone
    that dropped DST must have none, or Outlook would apply its last summer rule forever."""
    for tz in ("America/Sao_Paulo", "Asia/Tehran", "Europe/Istanbul", "America/Mexico_City"):
        component = vtimezone(tz)
        assert [s.name for s in component.subcomponents if s.name == "DAYLIGHT"] == [], tz
        assert len(component.subcomponents) > 2, tz  # the old summers are there, as STANDARD


def _readable(zone: ZoneInfo, moment: dt.datetime) -> bool:
    """A wall-clock time that exists once: readers may differ on skipped or doubled hours."""
    local = moment.astimezone(zone).replace(tzinfo=None)
    first = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    return first == local.replace(tzinfo=zone, fold=1).astimezone(UTC) == moment


@settings(max_examples=60, deadline=None)
@given(tz=st.sampled_from(ZONES),
       # The VTIMEZONE starts at 1999-01-01 local time, a year before the first time followup
       # accepts; a day later in UTC is inside it in every zone (1999-01-01 00:00 UTC is still
       # 1998 in Santiago, a case the search found).
       moments=st.lists(st.datetimes(min_value=dt.datetime(1999, 1, 2), max_value=dt.datetime(2100, 12, 31)),
                        min_size=1, max_size=20))
def test_every_zone_from_1999_to_2100_by_icalendar(tz: str, moments: list[dt.datetime]) -> None:
    """Rule 19 as a property: the zone's VTIMEZONE, read back, gives zoneinfo's offsets."""
    from icalendar.timezone import tzp

    zone = ZoneInfo(tz)
    parsed = tzp.create_timezone(icalendar.Timezone.from_ical(vtimezone(tz).to_ical()))
    for naive in moments:
        moment = naive.replace(second=0, microsecond=0, tzinfo=UTC)
        if _readable(zone, moment):
            local = moment.astimezone(zone).replace(tzinfo=None)
            assert tzp.localize(local, parsed).astimezone(UTC) == moment, (tz, local)


# Zones for the file every reader reads (each costs ~30 ms to describe, so not all 599; the
# property test above samples all of them): every continent, the rules that need BYMONTHDAY
# (Santiago, Jerusalem, Nuuk), the Ramadan zones without a yearly rule (Casablanca, Gaza),
# zones that dropped DST, midnight transitions (Havana, Beirut), odd offsets (Chatham
# +12:45, Lord Howe's half-hour DST, Troll's two-hour DST, Kiritimati +14, Apia's jump over
# the date line), Dublin's negative DST, and zones without any change since 1999.
EVERY_KIND = (
    "Africa/Abidjan", "Africa/Cairo", "Africa/Casablanca", "Africa/Johannesburg", "Africa/Lagos",
    "Africa/Monrovia", "Africa/Nairobi", "Africa/Windhoek", "America/Argentina/Buenos_Aires",
    "America/Asuncion", "America/Caracas", "America/Chicago", "America/Denver", "America/Havana",
    "America/Los_Angeles", "America/Mexico_City", "America/New_York", "America/Nuuk",
    "America/Santiago", "America/Sao_Paulo", "America/St_Johns", "America/Whitehorse",
    "Antarctica/Troll", "Asia/Amman", "Asia/Beirut", "Asia/Damascus", "Asia/Gaza", "Asia/Jerusalem",
    "Asia/Kathmandu", "Asia/Kolkata", "Asia/Pyongyang", "Asia/Shanghai", "Asia/Tehran", "Asia/Tokyo",
    "Atlantic/Azores", "Australia/Adelaide", "Australia/Eucla", "Australia/Hobart",
    "Australia/Lord_Howe", "Australia/Perth", "Australia/Sydney", "Europe/Dublin", "Europe/Istanbul",
    "Europe/Kyiv", "Europe/London", "Europe/Moscow", "Europe/Paris", "Europe/Volgograd",
    "Pacific/Apia", "Pacific/Auckland", "Pacific/Chatham", "Pacific/Fiji", "Pacific/Honolulu",
    "Pacific/Kiritimati", "Pacific/Norfolk", "UTC", "Etc/GMT+5",
)


@pytest.fixture(scope="module")
def every_zone_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One calendar holding every zone's VTIMEZONE and, per zone, events on both sides of
    its transitions in 2026-2028, in January 1999 and at instants spread over 1999-2060."""
    rng = random.Random(12)
    cal = icalendar.Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", "-//followup tests//EN")
    for tz in EVERY_KIND:
        cal.add_component(vtimezone(tz))
        zone = ZoneInfo(tz)
        moments = [dt.datetime(1999, 1, 1, 12, tzinfo=UTC)]
        moments += [dt.datetime(1999, 1, 1, tzinfo=UTC) + dt.timedelta(minutes=rng.randrange(32_000_000))
                    for _ in range(4)]
        noon = dt.datetime(2026, 1, 1, 12, tzinfo=UTC)
        previous = noon.astimezone(zone).utcoffset()
        while noon.year < 2029:
            offset = noon.astimezone(zone).utcoffset()
            if offset != previous:
                moments += [noon - dt.timedelta(days=2), noon + dt.timedelta(hours=1)]
                previous = offset
            noon += dt.timedelta(days=1)
        wanted = (m for m in moments if _readable(zone, m))
        for number, moment in enumerate(wanted):
            event = icalendar.Event()
            event.add("uid", f"{tz}-{number}")
            event.add("dtstamp", dt.datetime(2026, 1, 1, tzinfo=UTC))
            event.add("dtstart", moment.astimezone(zone))
            cal.add_component(event)
    path = tmp_path_factory.mktemp("zones") / "every-zone.ics"
    path.write_bytes(cal.to_ical())
    return path


@pytest.mark.parametrize("read", [icaljs_instants, libical_instants, icalendar_instants],
                         ids=["ical.js", "libical", "icalendar"])
def test_every_zone_in_every_reader(every_zone_file: Path, read: object) -> None:
    assert callable(read)
    reading = read(every_zone_file)
    assert reading.accepted, reading.error
    expected = zoneinfo_instants(every_zone_file)
    got = reading.utc_by_key()
    wrong = {key: (got.get(key), want) for key, want in expected.items() if got.get(key) != want}
    assert not wrong, (len(wrong), sorted(wrong.items())[:10])
    assert len(expected) > 400


def test_a_completed_task_replanned_by_an_edit_keeps_its_iana_zone(run: Run, tmp_path: Path) -> None:
    """Issue 12, item 2: after `edit`, the done tasks of a New York interview were written with
    TZID="UTC-05:00" and no VTIMEZONE; ical.js and `ical` rejected the file (rule 20)."""
    from interop.readers import ical_strict_accepts

    assert run("add", "--company", "Acme", "--role", "Eng", "--at", "2026-12-01 14:00",
               "--tz", "America/New_York").exit_code == 0
    assert run("done", "2", "3", now="2026-12-01T20:00:00+00:00").exit_code == 0
    assert run("edit", "1", "--company", "Acme Inc", now="2026-12-02T20:00:00+00:00").exit_code == 0
    path = tmp_path / "full.ics"
    assert run("export", "-o", str(path)).exit_code == 0
    text = path.read_bytes().decode()
    # IANA names only; the steps the London user does carry London (issue 10).
    assert set(re.findall(r"TZID=([^:;]+)", text)) == {"America/New_York", "Europe/London"}
    assert "SUMMARY:Ask Acme Inc when they will decide" in text  # the edit reached the done task
    assert text.count("DUE;TZID=America/New_York:20261201T150000\r\n") == 2  # the two done tasks
    assert ical_strict_accepts(path).accepted
    assert assert_readers_agree_with_zoneinfo([path]) > 20
