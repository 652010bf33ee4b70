"""Read an .ics file with the parsers our users' clients run, and say what each of them makes of it.

Each ``*_instants(path)`` returns a :class:`Reading`: whether that parser accepted the file and,
for every timed DTSTART, DTEND, DUE, COMPLETED and RECURRENCE-ID (all-day values are left
out), the UTC instant that parser computes **with the file's own VTIMEZONEs**, never with a
zone database of its own:

- :func:`icaljs_instants`: ical.js, Thunderbird's parser (node script ``icaljs/read.mjs``;
  its npm package is installed with ``npm ci`` on first use). :func:`icaljs_instants_many`
  reads many files in one node process.
- :func:`libical_instants`: libical, Evolution's library (C program ``libical/read.c``,
  compiled with gcc on first use and cached by source hash under ``.pytest_cache``).
- :func:`icalendar_instants`: the icalendar package that writes our files. Left to itself it
  prefers the system's zoneinfo over a file's VTIMEZONE for a known IANA id, so this reader
  builds each zone from the file's VTIMEZONE itself.

:func:`ical_strict_accepts` asks the strict ``ical`` package (Home Assistant's parser) only
whether it accepts the file, and why not. :func:`verdicts` asks all four.

When node, npm, gcc or libical-dev are missing the calling test is skipped with the package
to install, or failed when ``FOLLOWUP_REQUIRE_SERVERS=1`` (see :func:`unavailable`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, NoReturn

import pytest

HERE = Path(__file__).resolve().parent
ICALJS_DIR = HERE / "icaljs"
ICALJS_SCRIPT = ICALJS_DIR / "read.mjs"
LIBICAL_SOURCE = HERE / "libical" / "read.c"
# Where pytest's own cache lives (``config.cache.mkdir`` would give the same folder); a
# fresh clone compiles once, later runs reuse the program until read.c or libical changes.
BUILD_DIR = HERE.parents[1] / ".pytest_cache" / "d" / "followup-interop"
LIBICAL_HEADER = Path("/usr/include/libical/ical.h")
COMPILE = ("-std=c11", "-O2", "-Wall", "-Wextra", "-Werror")

TIMED_PROPERTIES = ("DTSTART", "DTEND", "DUE", "COMPLETED", "RECURRENCE-ID")
SUBPROCESS_TIMEOUT = 120


def unavailable(reason: str) -> NoReturn:
    """Skip the calling test for want of a tool; fail it instead where everything must run.

    The same rule as ``tests/servers.py``: swap this for that one when both are on main.
    """
    if os.environ.get("FOLLOWUP_REQUIRE_SERVERS") == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def _needs_debian(package: str, why: str = "") -> NoReturn:
    unavailable(f"needs the Debian package {package}{why} (run tests/system_packages.py as root)")


@dataclass(frozen=True)
class Instant:
    """One timed value as one reader understood it."""

    uid: str | None
    component: str  # "VEVENT", "VTODO", ...
    property: str  # "DTSTART", "DTEND", "DUE", "COMPLETED", "RECURRENCE-ID"
    tzid: str | None  # the TZID parameter as written, None for UTC and floating values
    utc: str | None  # "2027-01-20T15:00:00Z", or None where the reader gives no instant
    # How the reader placed the wall-clock time: "vtimezone" (the file's VTIMEZONE for that
    # TZID), "utc" (a Z value, or ical.js's built-in UTC/GMT ids), "floating" (no TZID) or
    # "missing" (a TZID with no VTIMEZONE in the file; `utc` is then whatever the reader
    # falls back to: ical.js and libical treat the time as floating, icalendar looks the id
    # up in the system's zoneinfo).
    zone: str


@dataclass(frozen=True)
class Reading:
    """What one reader made of one file."""

    reader: str  # "ical.js", "libical", "icalendar"
    accepted: bool
    instants: tuple[Instant, ...] = ()
    error: str | None = None  # why the reader rejected the file
    warnings: tuple[str, ...] = ()  # what it complained about, or dropped, while accepting it

    def utc_by_key(self) -> dict[str, str | None]:
        """``{"UID PROPERTY": utc}``, for comparing readers value by value."""
        result: dict[str, str | None] = {}
        for instant in self.instants:
            key = f"{instant.uid} {instant.property}"
            if key in result:
                raise ValueError(f"{key} occurs twice in {self.reader}'s reading; compare `instants` instead")
            result[key] = instant.utc
        return result


class Verdict(NamedTuple):
    accepted: bool
    reason: str  # "" when accepted


def _reading_from_json(reader: str, text: str) -> Reading:
    data = json.loads(text)
    if not data["ok"]:
        return Reading(reader, accepted=False, error=data["error"])
    return Reading(
        reader,
        accepted=True,
        instants=tuple(Instant(**value) for value in data["values"]),
        warnings=tuple(data["warnings"]),
    )


def _run_reader(reader: str, command: list[str], files: int = 1) -> list[Reading]:
    """Run a reader program that prints one JSON line per file it was given."""
    # A reader that crashes is a defect of this harness, not a verdict on the file.
    # libical passes a file's bytes through as they are; a fuzzed file need not be UTF-8.
    done = subprocess.run(command, capture_output=True, encoding="utf-8", errors="replace", timeout=SUBPROCESS_TIMEOUT)
    lines = done.stdout.splitlines()
    if done.returncode != 0 or len(lines) != files:
        raise RuntimeError(
            f"{reader} reader exited {done.returncode} after {len(lines)} of {files} files: {done.stderr}"
        )
    return [_reading_from_json(reader, line) for line in lines]


# ical.js -------------------------------------------------------------------------------------


def _locked_icaljs_version() -> str:
    lock = json.loads((ICALJS_DIR / "package-lock.json").read_text())
    return lock["packages"]["node_modules/ical.js"]["version"]


def _installed_icaljs_version() -> str | None:
    manifest = ICALJS_DIR / "node_modules" / "ical.js" / "package.json"
    if not manifest.is_file():
        return None
    return json.loads(manifest.read_text())["version"]


def icaljs_node() -> str:
    """The node executable, with ical.js installed as package-lock.json pins it."""
    node = shutil.which("node")
    if node is None:
        _needs_debian("nodejs")
    if _installed_icaljs_version() != _locked_icaljs_version():
        npm = shutil.which("npm")
        if npm is None:
            _needs_debian("npm", " to install the npm package ical.js")
        done = subprocess.run(
            [npm, "ci", "--prefix", str(ICALJS_DIR), "--no-audit", "--no-fund"],
            capture_output=True,
            text=True,
            timeout=SUBPROCESS_TIMEOUT,
        )
        if done.returncode != 0:
            unavailable(
                "needs the npm package ical.js: `npm ci --prefix tests/interop/icaljs` failed: "
                + (done.stderr.strip().splitlines() or ["(no output)"])[-1]
            )
    return node


def icaljs_instants(path: Path | str) -> Reading:
    """What ical.js (Thunderbird) computes, with the file's VTIMEZONEs registered first."""
    return icaljs_instants_many([path])[0]


def icaljs_instants_many(paths: Sequence[Path | str]) -> list[Reading]:
    """:func:`icaljs_instants` for many files in one node process (node's start-up is most of the cost)."""
    if not paths:
        return []
    return _run_reader("ical.js", [icaljs_node(), str(ICALJS_SCRIPT), *map(str, paths)], files=len(paths))


# libical -------------------------------------------------------------------------------------


def build_libical_reader(*, force: bool = False) -> Path:
    """Compile ``libical/read.c`` once per source, compiler and libical version; the program."""
    gcc = shutil.which("gcc")
    if gcc is None:
        _needs_debian("gcc")
    if not LIBICAL_HEADER.is_file():
        _needs_debian("libical-dev")
    key = hashlib.sha256()
    for part in (LIBICAL_SOURCE.read_bytes(), LIBICAL_HEADER.read_bytes(), gcc.encode(), " ".join(COMPILE).encode()):
        key.update(hashlib.sha256(part).digest())
    program = BUILD_DIR / f"libical-read-{key.hexdigest()[:16]}"
    if program.is_file() and not force:
        return program
    BUILD_DIR.mkdir(parents=True, exist_ok=True)
    partial = program.with_name(f"{program.name}.{os.getpid()}.partial")
    done = subprocess.run(
        [gcc, *COMPILE, str(LIBICAL_SOURCE), "-o", str(partial), "-lical"],
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
    )
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        if "cannot find -lical" in done.stderr:
            _needs_debian("libical-dev")
        raise RuntimeError(f"gcc could not build {LIBICAL_SOURCE}:\n{done.stderr}")
    os.replace(partial, program)  # atomic: a concurrent run sees no half-written program
    return program


def libical_instants(path: Path | str) -> Reading:
    """What libical (Evolution) computes with the file's VTIMEZONEs; X-LIC-ERRORs as warnings."""
    return _run_reader("libical", [str(build_libical_reader()), str(path)])[0]


# icalendar -----------------------------------------------------------------------------------


def _iso_utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def icalendar_instants(path: Path | str) -> Reading:
    """What icalendar computes when each zone is built from the file's own VTIMEZONE."""
    import icalendar
    from icalendar.prop import vDDDTypes
    from icalendar.timezone import tzp

    try:
        calendars = icalendar.Calendar.from_ical(Path(path).read_bytes(), multiple=True)
    except ValueError as error:
        return Reading("icalendar", accepted=False, error=f"{type(error).__name__}: {error}")
    if not calendars:  # the other readers reject a file with nothing in it too
        return Reading("icalendar", accepted=False, error="no iCalendar component found")
    for calendar in calendars:
        if calendar.name != "VCALENDAR":
            return Reading("icalendar", accepted=False, error=f"top-level component is {calendar.name}, not VCALENDAR")
    instants: list[Instant] = []
    warnings: list[str] = []
    for calendar in calendars:
        # create_timezone, not to_tz(): to_tz() returns the system's zone for a known id and
        # icalendar's parser caches zones process-wide; each file must stand on its own here.
        zones = {str(vtimezone["TZID"]): tzp.create_timezone(vtimezone) for vtimezone in calendar.walk("VTIMEZONE")}
        for component in calendar.walk():
            warnings.extend(f"{component.name} {name}: {message}" for name, message in component.errors)
        for component in calendar.subcomponents:
            if component.name == "VTIMEZONE":
                continue
            uid = str(component["UID"]) if "UID" in component else None
            for name, values in component.items():
                if name not in TIMED_PROPERTIES:
                    continue
                for value in values if isinstance(values, list) else [values]:
                    if not isinstance(value, vDDDTypes) or not isinstance(value.dt, dt.datetime):
                        continue  # all-day, or a value icalendar could not parse (in warnings)
                    instants.append(_icalendar_instant(uid, str(component.name), name, value, zones, tzp))
    return Reading("icalendar", accepted=True, instants=tuple(instants), warnings=tuple(warnings))


def _icalendar_instant(
    uid: str | None, component: str, name: str, value: Any, zones: dict[str, dt.tzinfo], tzp: Any
) -> Instant:
    moment: dt.datetime = value.dt
    tzid = value.params.get("TZID")
    if tzid is None:
        if moment.tzinfo is None:
            return Instant(uid, component, name, None, None, "floating")
        return Instant(uid, component, name, None, _iso_utc(moment), "utc")
    if tzid in zones:
        local = tzp.localize(moment.replace(tzinfo=None), zones[tzid])
        return Instant(uid, component, name, tzid, _iso_utc(local), "vtimezone")
    utc = None if moment.tzinfo is None else _iso_utc(moment)
    return Instant(uid, component, name, tzid, utc, "missing")


# ical (strict) -------------------------------------------------------------------------------


def ical_strict_accepts(path: Path | str) -> Verdict:
    """Whether the strict ``ical`` package parses the file, and its most specific complaint."""
    from ical.calendar_stream import IcsCalendarStream
    from ical.exceptions import CalendarParseError

    try:
        IcsCalendarStream.calendar_from_ics(Path(path).read_text(encoding="utf-8"))
    except CalendarParseError as error:
        message = str(error)
        if "detailed_error" in message and error.detailed_error:
            message = error.detailed_error.splitlines()[0]
        return Verdict(False, message)
    except UnicodeDecodeError as error:
        return Verdict(False, f"not UTF-8: {error}")
    return Verdict(True, "")


def verdicts(path: Path | str) -> dict[str, Verdict]:
    """Whether each of the four parsers accepts the file: a calendar every parser accepts."""
    result = {"ical": ical_strict_accepts(path)}
    for read in (icaljs_instants, libical_instants, icalendar_instants):
        reading = read(path)
        result[reading.reader] = Verdict(reading.accepted, reading.error or "")
    return result
