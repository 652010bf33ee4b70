"""The activity report: what the user did, as proof of an active job search. Pure.

One row per interview that has taken place (the interview date counts as activity), per
completed task and per recorded outcome, each dated in the user's zone:

    date, company, role, step (a label for people), channel, contact

Channel: how the interview was held ("in person", "video" or "phone", from `held`) for
the interview and for what is asked at it; "email" for messages, "letter" for a
handwritten note, "phone" for calls; for the employer's answers, and a reply to a
second-interview invitation, the channel they said they would answer by; empty for the
user's own preparation (notes, call script, closing the application).
Contact: the people the step concerns (see `drafts.recipients`); the decision contact
for outcomes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from followup.core.drafts import date_words, recipients
from followup.core.model import Contact, Interview, Outcome

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

FORMATS = ("md", "csv", "json")
FIELDS = ("date", "company", "role", "step", "channel", "contact")
HEADINGS = ("Date", "Company", "Role", "Step", "Channel", "Contact")

STEP_LABELS = {
    "interview": "Interview",
    "ask-timeline": "Asked when they will decide",
    "business-card": "Got the interviewers' contact details",
    "notes": "Wrote interview notes",
    "thank-you-email": "Sent a thank-you email",
    "formal-note": "Sent a formal note",
    "status-email": "Asked for the outcome",
    "call-script": "Prepared the follow-up call",
    "call": "Follow-up call",
    "second-call": "Second follow-up call",
    "let-go": "Closed the application",
    "reply-second-interview": "Accepted a second interview",
    "reply-offer": "Replied to the offer",
    "gracious-reply": "Replied to the rejection",
}
OUTCOME_LABELS = {
    "reply": "The employer replied",
    "second-interview": "Invited to a second interview",
    "offer": "Received an offer",
    "rejected": "Not selected",
    "withdrawn": "Withdrew the application",
}
HELD_CHANNELS = {"onsite": "in person", "video": "video", "phone": "phone"}
AT_THE_INTERVIEW = frozenset({"interview", "ask-timeline", "business-card"})
STEP_CHANNELS = {
    "thank-you-email": "email",
    "formal-note": "email",
    "status-email": "email",
    "call": "phone",
    "second-call": "phone",
    "reply-offer": "email",
    "gracious-reply": "email",
}


class ItemLike(Protocol):
    key: str
    step: str
    kind: str
    status: str
    completed: str | None  # UTC ISO 8601


@dataclass(frozen=True)
class Activity:
    moment: dt.datetime  # in the user's zone; orders the rows
    company: str
    role: str
    step: str
    channel: str
    contact: str

    @property
    def date(self) -> dt.date:
        return self.moment.date()

    def values(self) -> tuple[str, ...]:
        return (self.date.isoformat(), self.company, self.role, self.step, self.channel,
                self.contact)


def activities(interview: Interview, items: Iterable[ItemLike], outcomes: Sequence[Outcome],
               zone: ZoneInfo, now: dt.datetime) -> list[Activity]:
    """Everything the user did for one interview up to `now`."""
    found: list[Activity] = []

    def add(moment: dt.datetime, step: str, channel: str, contact: str) -> None:
        found.append(Activity(moment.astimezone(zone), interview.company, interview.role, step,
                              channel, contact))

    lead = _names(recipients(interview, "status-email", "status-email"))
    for item in items:
        if item.step == "interview":
            if item.status != "cancelled" and interview.start <= now:
                add(interview.start, STEP_LABELS["interview"], _channel(item.step, interview),
                    _names(recipients(interview, item.key, item.step)))
        elif item.kind == "task" and item.status == "completed" and item.completed:
            add(dt.datetime.fromisoformat(item.completed), _label(item.step, interview),
                _channel(item.step, interview), _names(recipients(interview, item.key, item.step)))
    for outcome in outcomes:
        add(outcome.recorded, OUTCOME_LABELS.get(outcome.kind, outcome.kind), interview.channel,
            lead)
    return found


def _names(contacts: Iterable[Contact]) -> str:
    return ", ".join(c.full_name or c.email or "" for c in contacts)


def _label(step: str, interview: Interview) -> str:
    if step == "formal-note" and interview.note == "handwritten":
        return "Sent a handwritten note"
    return STEP_LABELS.get(step, step.replace("-", " ").capitalize())


def _channel(step: str, interview: Interview) -> str:
    if step == "formal-note" and interview.note == "handwritten":
        return "letter"
    if step == "reply-second-interview":
        return interview.channel
    if step in AT_THE_INTERVIEW:
        return HELD_CHANNELS.get(interview.held, "in person")
    return STEP_CHANNELS.get(step, "")


def within(rows: Iterable[Activity], since: dt.date | None, until: dt.date) -> list[Activity]:
    """The rows dated since..until (both included), oldest first."""
    kept = [r for r in rows if (since is None or r.date >= since) and r.date <= until]
    return sorted(kept, key=lambda r: (r.moment, r.company, r.role, r.step, r.contact))


def period(since: dt.date | None, until: dt.date) -> str:
    if since is None:
        return f"up to {date_words(until)}"
    return f"from {date_words(since)} to {date_words(until)}"


def render(rows: Sequence[Activity], fmt: str, since: dt.date | None, until: dt.date) -> str:
    if fmt == "csv":
        return to_csv(rows)
    if fmt == "json":
        return to_json(rows)
    return to_markdown(rows, since, until)


def to_markdown(rows: Sequence[Activity], since: dt.date | None, until: dt.date) -> str:
    heading = f"# Job search activity {period(since, until)}"
    if not rows:
        return f"{heading}\n\nNo activity in this period."
    table = [HEADINGS, *(tuple(_cell(v) for v in r.values()) for r in rows)]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADINGS))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in table]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    employers = len({r.company for r in rows})
    summary = (f"{_plural(len(rows), 'activity', 'activities')} with"
               f" {_plural(employers, 'employer', 'employers')}.")
    return "\n".join([heading, "", *lines, "", summary])


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def to_csv(rows: Sequence[Activity]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    writer.writerows(r.values() for r in rows)
    return out.getvalue().rstrip("\n")


def to_json(rows: Sequence[Activity]) -> str:
    documents = [dict(zip(FIELDS, r.values(), strict=True)) for r in rows]
    return json.dumps(documents, indent=2, sort_keys=True, ensure_ascii=False)
