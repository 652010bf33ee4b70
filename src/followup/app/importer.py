"""Read interviews from a TOML or CSV file (the format of samples/, see the README) and
add them, all or none. Every error names the file, the entry and the key it is about."""

from __future__ import annotations

import datetime as dt
import io
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from followup.app.service import Service
from followup.core import inputs
from followup.core.model import Contact, Interview
from followup.errors import UsageError

if TYPE_CHECKING:
    import csv

FIELDS = ("company", "role", "at", "duration", "tz", "deadline", "channel", "note",
          "location", "interviewers", "country", "language", "held", "decision_contact",
          "round")
CONTACT_FIELDS = ("name", "email", "tz", "phone", "title")


def read_interviews(path: Path, default_tz: str) -> list[Interview]:
    """Every interview in the file, validated; any error names the file and the entry."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"no file {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    suffix = path.suffix.lower()
    if suffix == ".toml":
        entries = _toml_entries(path, text)
    elif suffix == ".csv":
        entries = _csv_entries(path, text)
    else:
        raise UsageError(f"{path}: unknown format; use a .toml or .csv file")
    if not entries:
        raise UsageError(f"{path}: no interviews in the file")
    interviews = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, entry in enumerate(entries, 1):
        try:
            interview = _interview(entry, default_tz)
        except UsageError as exc:
            raise entry_error(path, number, exc) from None
        key = (interview.company, interview.role, interview.start.isoformat())
        if key in seen:
            raise UsageError(f"{path}, interview {number}: it repeats interview {seen[key]}")
        seen[key] = number
        interviews.append(interview)
    return interviews


def add_all(service: Service, path: Path, interviews: list[Interview]) -> list[Interview]:
    """Store every interview of the file (inside the caller's change: all or none).

    `round = 2` links an interview to the latest earlier interview with the same company
    and role that is round 1, from the file or already stored."""
    added = []
    for number, interview in enumerate(interviews, 1):
        try:
            if interview.round > 1:
                interview = replace(interview, round_of=_earlier_round(service, interview))
            added.append(service.add(interview))
        except UsageError as exc:
            raise entry_error(path, number, exc) from None
    return added


def _earlier_round(service: Service, interview: Interview) -> int:
    found = [(dt.datetime.fromisoformat(row["start"]), i)
             for i, row in service.store.interview_summaries().items()
             if row["company"].casefold() == interview.company.casefold()
             and row["role"].casefold() == interview.role.casefold()
             and row["round"] == interview.round - 1]
    earlier = [(start, i) for start, i in found if start < interview.start]
    if not earlier:
        raise UsageError(f"no earlier interview at {interview.company} for the {interview.role}"
                         f" role to be round {interview.round} of; add round"
                         f" {interview.round - 1} first", field="round")
    return max(earlier)[1]


def entry_error(path: Path, number: int, exc: UsageError) -> UsageError:
    """"interviews.toml, interview 3 (deadline): the deadline … is before the interview"."""
    about = f" ({exc.field})" if exc.field else ""
    return UsageError(f"{path}, interview {number}{about}: {exc}")


def _toml_entries(path: Path, text: str) -> list[Mapping[str, Any]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path} is not valid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses once per level of nesting
        raise UsageError(f"{path}: its arrays or tables are nested too deeply") from None
    entries = data.get("interview", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise UsageError(f"{path}: write each interview as an [[interview]] table")
    return entries


def _csv_entries(path: Path, text: str) -> list[Mapping[str, Any]]:
    import csv  # loaded here: a TOML import does without it

    reader = csv.DictReader(io.StringIO(text))
    try:
        return _csv_rows(path, reader)
    except csv.Error as exc:  # a field over 128 KB, a quote left open, ...
        raise UsageError(f"{path}, after line {reader.line_num}: not CSV as expected: {exc}") from None


def _csv_rows(path: Path, reader: csv.DictReader[str]) -> list[Mapping[str, Any]]:
    unknown = set(reader.fieldnames or ()) - set(FIELDS)
    if unknown:
        raise UsageError(f"unknown CSV column(s): {', '.join(sorted(unknown))}; use {', '.join(FIELDS)}")
    entries: list[Mapping[str, Any]] = []
    for row in reader:
        if None in row:  # DictReader's place for the values beyond the header
            raise UsageError(f"{path}, line {reader.line_num}: more values than the header has"
                             " columns; quote a value that holds a comma")
        entry = {k: v for k, v in row.items() if v not in (None, "")}
        if "interviewers" in entry:
            entry["interviewers"] = [p for p in entry["interviewers"].split(";") if p.strip()]
        entries.append(entry)
    return entries


def _text(entry: Mapping[str, Any], key: str, default: str | None = None) -> str | None:
    value = entry.get(key, default)
    if value is None:
        return None
    if not isinstance(value, str):
        # TOML may hand us a date or datetime for unquoted values; take its ISO text.
        if hasattr(value, "isoformat"):
            return str(value.isoformat())
        raise UsageError(f"'{key}' must be text", field=key)
    return value


def _interview(entry: Mapping[str, Any], default_tz: str) -> Interview:
    unknown = set(entry) - set(FIELDS)
    if unknown:
        raise UsageError(f"unknown field(s) {', '.join(sorted(unknown))}; use {', '.join(FIELDS)}")
    for required in ("company", "role", "at"):
        if not entry.get(required):
            raise UsageError(f"'{required}' is missing", field=required)
    given = entry.get("interviewers", [])
    if isinstance(given, str):
        given = [given]
    if not isinstance(given, list):
        raise UsageError("'interviewers' must be a list such as [\"Jane Doe <jane@acme.example>\"]",
                         field="interviewers")
    contacts = tuple(inputs.about("interviewers", partial(_contact, value, key))
                     for key, value in enumerate(given, 1))
    decision = entry.get("decision_contact")
    lead = (inputs.about("decision_contact", partial(_contact, decision, len(contacts) + 1))
            if decision else None)
    interview = inputs.interview(
        company=_text(entry, "company") or "",
        role=_text(entry, "role") or "",
        at=_text(entry, "at") or "",
        tz=_text(entry, "tz") or default_tz,
        length=_text(entry, "duration"),
        deadline=_text(entry, "deadline"),
        channel=_text(entry, "channel") or "email",
        note=_text(entry, "note") or "email",
        location=_text(entry, "location") or "",
        contacts=contacts,
        holidays=_text(entry, "country"),
        lang=_text(entry, "language"),
        held_as=_text(entry, "held"),
        decision=lead,
    )
    return replace(interview, round=inputs.about("round", partial(_round, entry.get("round", 1))))


def _round(value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise UsageError(f"the round {value!r} is not a whole number such as 1 or 2")
    return value


def _contact(value: Any, key: int) -> Contact:
    if isinstance(value, str):
        return inputs.interviewer(value, key)
    if isinstance(value, dict):
        unknown = set(value) - set(CONTACT_FIELDS)
        if unknown:
            raise UsageError(f"unknown field(s) {', '.join(sorted(unknown))} of a person; use"
                             f" {', '.join(CONTACT_FIELDS)}")
        fields = {k: v for k, v in value.items() if v not in (None, "")}
        if not all(isinstance(v, str) for v in fields.values()):
            raise UsageError(f"the fields of a person ({', '.join(CONTACT_FIELDS)}) are text")
        text = fields.get("name", "")
        if fields.get("email"):
            text = f"{text} <{fields['email']}>" if text else fields["email"]
        tz = inputs.zone(fields["tz"]) if fields.get("tz") else None
        return inputs.interviewer(text, key, tz, phone_number=fields.get("phone"),
                                  title_text=fields.get("title"))
    raise UsageError("each person is \"Name <email> phone\" or a table with name, email, phone,"
                     " title and tz")
