"""Formatting for people (aligned, relative dates) and for programs (stable JSON)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import click

from followup.core.model import Contact, Interview, Outcome, PlannedItem
from followup.store import ItemRow, item_json, parse_moment

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

MARKS = {"needs-action": " ", "completed": "✓", "cancelled": "✗"}
HELD_WORDS = {"onsite": "on site", "video": "by video", "phone": "by phone"}


def to_json(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)


def json_lines_array(objects: Sequence[str]) -> str:
    """A JSON array written one compact object (already JSON text) per line."""
    return "[\n" + ",\n".join(objects) + "\n]" if objects else "[]"


def item_doc(row: ItemRow) -> dict[str, Any]:
    return item_json(row)


def interview_doc(interview: Interview, outcomes: Sequence[Outcome]) -> dict[str, Any]:
    return {
        "id": interview.id,
        "uid": interview.uid,
        "company": interview.company,
        "role": interview.role,
        "start": interview.start.isoformat(),
        "end": interview.end.isoformat(),
        "duration_minutes": int(interview.duration.total_seconds() // 60),
        "tz": interview.tz,
        "deadline": interview.effective_deadline.isoformat(),
        "deadline_assumed": interview.deadline_assumed,
        "interviewers": [person_doc(c) for c in interview.interviewers],
        "decision_contact": person_doc(lead) if (lead := interview.decision_contact) else None,
        "held": interview.held,
        "round": interview.round,
        "round_of": interview.round_of,
        "channel": interview.channel,
        "note": interview.note,
        "location": interview.location,
        "country": interview.country,
        "language": interview.language,
        "outcome": outcomes[-1].kind if outcomes else None,
        "outcomes": [
            {"outcome": o.kind, "recorded": o.recorded.astimezone(dt.timezone.utc).isoformat()}
            for o in outcomes
        ],
    }


def person_doc(contact: Contact) -> dict[str, Any]:
    return {"name": contact.name, "email": contact.email, "tz": contact.tz,
            "phone": contact.phone, "title": contact.title}


def planned_doc(item: PlannedItem) -> dict[str, Any]:
    """`followup plan --json`: the items as `show --json` would list them, without ids."""
    def text(value: dt.date | None) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "id": None,
        "uid": None,
        "interview": None,
        "step": item.step,
        "kind": item.kind,
        "summary": item.summary,
        "start": text(item.start),
        "due": text(item.due),
        "end": text(item.end),
        "status": item.status,
        "completed": text(item.completed),
        "overridden": item.overridden,
    }


# -- human output ------------------------------------------------------------------------


def when_text(value: dt.datetime | dt.date | None, zone: ZoneInfo) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(zone).strftime("%a %d %b %Y %H:%M")
    return value.strftime("%a %d %b %Y") + " (all day)"


def relative(value: dt.datetime | dt.date | None, now: dt.datetime, zone: ZoneInfo, open_: bool) -> str:
    if value is None:
        return ""
    today = now.astimezone(zone).date()
    if isinstance(value, dt.datetime):
        if open_ and value < now:
            return "overdue " + _span(now - value)
        day = value.astimezone(zone).date()
    else:
        day = value
        if open_ and day < today:
            return "overdue " + _plural((today - day).days, "day")
    days = (day - today).days
    if days == 0:
        return "today" if day >= today else ""
    if days == 1:
        return "tomorrow"
    if days > 1:
        return f"in {days} days"
    return f"{-days} days ago" if days < -1 else "yesterday"


def _span(delta: dt.timedelta) -> str:
    if delta >= dt.timedelta(days=1):
        return _plural(delta.days, "day")
    hours = int(delta.total_seconds() // 3600)
    if hours:
        return _plural(hours, "hour")
    return _plural(max(1, int(delta.total_seconds() // 60)), "minute")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def table(rows: Iterable[Sequence[str]]) -> list[str]:
    """Left-aligned columns, two spaces apart, no trailing blanks."""
    rows = [list(r) for r in rows]
    if not rows:
        return []
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def item_rows(
    rows: Sequence[ItemRow], now: dt.datetime, zone: ZoneInfo,
    with_company: dict[int, str] | None = None, color: bool = False,
) -> list[str]:
    lines = []
    # The ✓/✗ column only when something is closed: open-only lists need no blank column.
    marks = any(row.status != "needs-action" for row in rows)
    for row in rows:
        moment = parse_moment(row.due or row.start)
        cells = [
            str(row.id),
            *([MARKS.get(row.status, " ")] if marks else []),
            when_text(moment, zone),
            relative(moment, now, zone, row.status == "needs-action" and row.kind == "task"),
        ]
        summary = row.summary + (" (snoozed)" if row.override else "")
        if row.status == "completed" and row.completed:
            summary += f" (done {when_text(parse_moment(row.completed), zone)})"
        if with_company is not None:
            cells.append(with_company.get(row.interview_id, ""))
        cells.append(summary)
        lines.append(cells)
    text = table(lines)
    if color:
        text = [_colour(line, row, cells[3 if marks else 2])
                for line, row, cells in zip(text, rows, lines, strict=True)]
    return text


def _colour(line: str, row: ItemRow, when: str) -> str:
    if row.status != "needs-action":
        return click.style(line, dim=True)
    if when.startswith("overdue"):
        return click.style(line, fg="red", bold=True)
    if when in ("today", "tomorrow"):
        return click.style(line, fg="yellow")
    return line


WARNING = "Warning: "


def why_lines(notes: Iterable[tuple[str, Sequence[str]]]) -> list[str]:
    """What moved the steps, each reason once with the steps it moved ("call, second-call:
    17:00 London = 12:00 your time"), after a blank line; nothing when nothing moved."""
    grouped: dict[str, list[str]] = {}
    for key, reasons in notes:
        for reason in reasons:
            grouped.setdefault(reason, []).append(key)
    lines = []
    for reason, keys in grouped.items():
        warning = reason.startswith(WARNING)
        lines.append(f"{WARNING if warning else ''}{', '.join(keys)}: {reason.removeprefix(WARNING)}")
    return [""] + lines if lines else []


def planned_rows(items: Sequence[PlannedItem], now: dt.datetime, zone: ZoneInfo) -> list[str]:
    lines = []
    for item in items:
        moment = item.due or item.start
        lines.append([
            MARKS.get(item.status, " "),
            when_text(moment, zone),
            relative(moment, now, zone, item.status == "needs-action" and item.kind == "task"),
            item.step,
            item.summary,
        ])
    return table(lines) + why_lines((item.key, item.notes) for item in items)


def interview_header(interview: Interview, outcomes: Sequence[Outcome], zone: ZoneInfo) -> list[str]:
    start = interview.start
    lines = [
        f"{interview.role} at {interview.company}"
        + (f", round {interview.round}" if interview.round > 1 else "")
        + (f" (interview {interview.id})" if interview.id is not None else ""),
        f"  When:      {start:%a %d %b %Y %H:%M}–{interview.end:%H:%M} {interview.tz}",
    ]
    if start.astimezone(zone).replace(tzinfo=None) != start.replace(tzinfo=None):
        lines.append(f"             {start.astimezone(zone):%a %d %b %Y %H:%M} {zone} (your time)")
    deadline = f"{interview.effective_deadline:%a %d %b %Y}"
    if interview.deadline_assumed:
        deadline += " (assumed: none was given; ask them)"
    lines.append(f"  Decision:  {deadline}")
    active = [c.card + (f" ({c.tz})" if c.tz else "") for c in interview.interviewers]
    if active:
        lines.append("  With:      " + ", ".join(active))
    lead = interview.decision_contact
    if lead is not None and (lead.key == interview.decision_key or not lead.interviewer):
        lines.append("  Decides:   " + lead.card + (f" ({lead.tz})" if lead.tz else ""))
    if interview.round_of is not None:
        lines.append(f"  Round of:  interview {interview.round_of}")
    if interview.country:
        lines.append(f"  Holidays:  {interview.country}"
                     + (f"-{interview.subdivision}" if interview.subdivision else ""))
    lines.append("  Held:      " + HELD_WORDS.get(interview.held, interview.held))
    if interview.location:
        lines.append(f"  Where:     {interview.location}")
    if interview.language:
        lines.append(f"  Language:  {interview.language}")
    if outcomes:
        lines.append("  Outcome:   " + ", ".join(o.kind for o in outcomes))
    return lines
