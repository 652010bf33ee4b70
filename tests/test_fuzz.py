"""Arbitrary text in every text option and import field (issue 12): exit 0 with a calendar
every parser accepts, or exit 2 with one line and nothing written; never anything else.

Each example runs one command in a copy of a home that holds one interview. The strict
`ical` parser and icalendar read each calendar at once; ical.js and libical, which cost a
process each, read the distinct calendars together at the end.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import shutil
import sqlite3
import tempfile
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import NOW, USER_TZ
from followup.cli import cli
from interop.readers import ical_strict_accepts, icalendar_instants, icaljs_instants_many, libical_instants

READ_AT_THE_END = 40  # distinct calendars ical.js and libical read after the examples

ENV = {"FOLLOWUP_NOW": NOW, "FOLLOWUP_OFFLINE": "1", "FOLLOWUP_DEBUG": ""}
# Text as it comes: any code point (control characters and lone surrogates included), and
# values close to the valid ones, so the fuzz gets past the first check too.
ANY = st.text(st.characters(exclude_categories=()), max_size=24)
NASTY = st.sampled_from([
    "", " ", "\x00", "\x01", "\x7f", "\r", "\r\n", "\n\n", "\\", '"', "'", ";", ",", ":", "{0}", "{company}",
    "²", "１２", "٣", "99999999999999999999999", "-1", "0", "9999-12-31 23:00", "0001-01-01 00:00",
    "2026-12-04 14:00", "2026-02-30 10:00", "2026-12-04T14:00+14:00", "Europe", "Europe/London",
    "Etc/GMT+12", "../../etc/passwd", "/etc/localtime", "UTC", "US-CA", "GB-XXX", "ZZ", "none",
    "Jane <jane@a.example>", "<>", "@", "a@b.c", "x" * 300, "😀" * 30, "\ud800", "BEGIN:VEVENT",
    "END:VCALENDAR\r\nBEGIN:VCALENDAR", "9999999d", "999999d", "1w", "25h", "0m", "1h99m",
])
TEXT = st.one_of(ANY, NASTY)
TIMES = st.datetimes(min_value=dt.datetime(1999, 6, 1), max_value=dt.datetime(2100, 6, 1)).map(
    lambda d: d.strftime("%Y-%m-%d %H:%M"))
DATES = st.dates(min_value=dt.date(1999, 6, 1), max_value=dt.date(2100, 6, 1)).map(dt.date.isoformat)
ZONES = st.sampled_from(sorted(zoneinfo.available_timezones()))
DURATIONS = st.integers(min_value=-5, max_value=5000).map(lambda n: f"{n}m")
WHENS = st.one_of(st.integers(0, 999).map(lambda n: f"{n}d"), st.integers(0, 99).map(lambda n: f"{n}w"))

OPTION_VALUES: dict[str, st.SearchStrategy[str]] = {
    "--company": TEXT, "--role": TEXT, "--location": TEXT, "--interviewer": TEXT,
    "--at": st.one_of(TIMES, TEXT), "--tz": st.one_of(ZONES, TEXT), "--duration": st.one_of(DURATIONS, TEXT),
    "--deadline": st.one_of(DATES, TEXT), "--country": TEXT, "--contact-tz": st.one_of(ZONES, TEXT),
    "--language": st.one_of(st.sampled_from(["en", "de", "fr-CA", "pt_BR"]), TEXT),
}
EDIT_OPTIONS = {**{k: v for k, v in OPTION_VALUES.items() if k != "--interviewer"},
                "--add-interviewer": TEXT, "--remove-interviewer": TEXT}
IMPORT_FIELDS = {"company": TEXT, "role": TEXT, "location": TEXT, "at": st.one_of(TIMES, TEXT),
                 "tz": st.one_of(ZONES, TEXT), "duration": st.one_of(DURATIONS, TEXT),
                 "deadline": st.one_of(DATES, TEXT), "country": TEXT, "channel": TEXT, "note": TEXT,
                 "interviewers": TEXT, "language": TEXT}
BASE = ("add", "--company", "Acme", "--role", "Dev", "--at", "2026-12-04 14:00",
        "--interviewer", "Jane Doe <jane@acme.example>", "--interviewer", "Bo Li <bo@acme.example>")


@st.composite
def add_commands(draw: st.DrawFn) -> dict[str, Any]:
    """`add`/`plan` with some options replaced by arbitrary text."""
    args = dict(zip(BASE[1::2], BASE[2::2], strict=False))
    args.pop("--interviewer")
    for option in draw(st.sets(st.sampled_from(sorted(OPTION_VALUES)), min_size=1, max_size=4)):
        args[option] = draw(OPTION_VALUES[option])
    if "--contact-tz" in args:
        args.setdefault("--interviewer", "Jo <jo@a.example>")
    command = draw(st.sampled_from(["add", "plan"]))
    return {"args": [command, *[p for kv in args.items() for p in kv]]}


@st.composite
def edit_commands(draw: st.DrawFn) -> dict[str, Any]:
    options = draw(st.sets(st.sampled_from(sorted(EDIT_OPTIONS)), min_size=1, max_size=3))
    args = ["edit", "1"]
    for option in sorted(options):
        args += [option, draw(EDIT_OPTIONS[option])]
    return {"args": args}


@st.composite
def task_commands(draw: st.DrawFn) -> dict[str, Any]:
    ref = draw(st.one_of(st.sampled_from(["1", "2", "3", "5", "6", "8"]), TEXT))
    return draw(st.sampled_from([
        {"args": ["done", ref]},
        {"args": ["done", "5", "--at", draw(st.one_of(TIMES, TEXT))]},
        {"args": ["undo", ref]},
        {"args": ["snooze", "5", draw(st.one_of(WHENS, TIMES, TEXT))]},
        {"args": ["outcome", draw(st.one_of(st.just("1"), TEXT)), "offer", "--at", draw(st.one_of(TIMES, TEXT))]},
        {"args": ["notes", "1", "--file", "-"], "input": draw(TEXT)},
        {"args": ["show", ref]},
        {"args": ["draft", ref]},
        {"args": ["report", "--since", draw(st.one_of(DATES, TEXT))]},
    ]))


def _toml_string(text: str) -> str:
    # JSON's escapes are TOML's, but for lone surrogates (invalid in TOML: the file is refused)
    return json.dumps(text, ensure_ascii=False)


@st.composite
def import_commands(draw: st.DrawFn) -> dict[str, Any]:
    entry = {"company": "Globex", "role": "SRE", "at": "2026-12-07 10:00"}
    for key in draw(st.sets(st.sampled_from(sorted(IMPORT_FIELDS)), min_size=1, max_size=4)):
        entry[key] = draw(IMPORT_FIELDS[key])
    if draw(st.booleans()):
        lines = ["[[interview]]"] + [f"{k} = {_toml_string(v)}" if k != "interviewers"
                                     else f"{k} = [{_toml_string(v)}]" for k, v in entry.items()]
        return {"file": ("interviews.toml", "\n".join(lines) + "\n"), "args": ["import", "{file}"]}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(entry))
    writer.writerow(list(entry.values()))
    return {"file": ("interviews.csv", out.getvalue()), "args": ["import", "{file}"]}


@st.composite
def settings_commands(draw: st.DrawFn) -> dict[str, Any]:
    """The config's text settings and a playbook's title and purpose, then a command that uses them."""
    which = draw(st.sampled_from(["name", "email", "locale", "language", "title", "purpose"]))
    value = _toml_string(draw(TEXT))
    if which not in ("title", "purpose"):
        files = {"config.toml": f'timezone = "{USER_TZ}"\n{which} = {value}\n'}
    else:
        files = {"playbook.toml": f"[thank-you-email]\n{which} = {value}\n"}
    args = draw(st.sampled_from([["edit", "1", "--role", "Developer"], ["draft", "5"]]))
    return {"settings": files, "args": args}


COMMANDS = st.one_of(add_commands(), edit_commands(), task_commands(), import_commands(), settings_commands())


@pytest.fixture(scope="module")
def base_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("fuzz-base")
    (home / "config.toml").write_text(f'timezone = "{USER_TZ}"\n')
    runner = CliRunner()
    for args in (BASE, ("done", "2"), ("notes", "1", "--file", "-")):
        result = runner.invoke(cli, list(args), env={**ENV, "FOLLOWUP_HOME": str(home)},
                               input="- they stressed SQL\n")
        assert result.exit_code == 0, result.stderr
    return home


def _written(home: Path) -> tuple[object, ...]:
    """What a refused command must leave alone: files' bytes and the store's revision."""
    db = sqlite3.connect(f"file:{home / 'followup.db'}?mode=ro", uri=True)
    try:
        revision = db.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
    finally:
        db.close()
    files = {p.name: p.read_bytes() for p in home.iterdir() if p.suffix in (".ics", ".toml")}
    return revision, files


def test_arbitrary_text_gives_a_valid_calendar_or_one_line(base_home: Path) -> None:
    produced: dict[str, Path] = {}
    keep = Path(tempfile.mkdtemp(prefix="followup-fuzz-"))

    @settings(max_examples=120, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(command=COMMANDS)
    def one(command: dict[str, Any]) -> None:
        with tempfile.TemporaryDirectory() as folder:
            home = Path(folder) / "home"
            shutil.copytree(base_home, home)
            for name, text in command.get("settings", {}).items():
                (home / name).write_text(text, encoding="utf-8", errors="surrogatepass")
            args = list(command["args"])
            if "file" in command:
                name, text = command["file"]
                path = Path(folder) / name
                path.write_text(text, encoding="utf-8", errors="surrogatepass")
                args = [str(path) if a == "{file}" else a for a in args]
            before = _written(home)
            result = CliRunner().invoke(cli, args, env={**ENV, "FOLLOWUP_HOME": str(home)},
                                        input=command.get("input"), catch_exceptions=False)
            if result.exit_code == 2:
                assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
                assert _written(home) == before, result.stderr
                return
            assert result.exit_code == 0, (result.exit_code, result.stderr)
            calendar = home / "followup.ics"
            assert ical_strict_accepts(calendar).accepted, ical_strict_accepts(calendar).reason
            assert icalendar_instants(calendar).accepted
            data = calendar.read_bytes()
            digest = hashlib.sha256(data).hexdigest()[:16]
            if digest not in produced and len(produced) < READ_AT_THE_END:
                produced[digest] = keep / f"{digest}.ics"
                produced[digest].write_bytes(data)

    try:
        one()
        paths = sorted(produced.values())
        assert paths  # some examples made it to a calendar
        for path, reading in zip(paths, icaljs_instants_many(paths), strict=True):
            assert reading.accepted, (path, reading.error)
        for path in paths:
            reading = libical_instants(path)
            assert reading.accepted and not reading.warnings, (path, reading.error, reading.warnings)
    finally:
        shutil.rmtree(keep, ignore_errors=True)
