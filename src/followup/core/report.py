"""The activity report: what the user did, as proof of an active job search. Pure.

One row per interview that has taken place (the interview date counts as activity), per
completed task and per recorded outcome, each dated in the user's zone:

    date, company, role, step (a label for people), channel, contact

Labels and channels are in the language asked for (report_words.py); CSV and JSON keep
English field names. Channel: how the interview was held ("in person", "video", "phone":
from `held`) for the interview and for what is asked at it; "email" for messages,
"letter" for a handwritten note, "phone" for calls; for the employer's answers, and a
reply to a second-interview invitation, the channel they said they would answer by;
empty for the user's own preparation (notes, call script, closing the application).
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

from followup.core.drafts import held, recipients
from followup.core.model import Contact, Interview, Outcome
from followup.core.report_words import words
from followup.core.wording import ENGLISH, Style, full_date

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

FORMATS = ("md", "csv", "json")
FIELDS = ("date", "company", "role", "step", "channel", "contact")

AT_THE_INTERVIEW = frozenset({"ask-timeline", "business-card"})  # as it was held
# The channel of each step (translated by report_words.CHANNELS).
STEP_CHANNELS = {
    "thank-you-email": "email",
    "formal-note": "email",
    "status-email": "email",
    "call": "phone",
    "second-call": "phone",
    "reply-offer": "email",
    "gracious-reply": "email",
}
HELD_CHANNELS = {"onsite": "in person", "video": "video", "phone": "phone"}


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
               zone: ZoneInfo, now: dt.datetime, language: str = "en") -> list[Activity]:
    """Everything the user did for one interview up to `now`, in the language."""
    found: list[Activity] = []
    labels, channels, _ = words(language)

    def add(moment: dt.datetime, step: str, channel: str, contact: str) -> None:
        found.append(Activity(moment.astimezone(zone), interview.company, interview.role,
                              labels.get(step, step.replace("-", " ").capitalize()),
                              channels.get(channel, channel), contact))

    lead = _names(recipients(interview, "status-email", "status-email"))
    for item in items:
        if item.step == "interview":
            if item.status != "cancelled" and interview.start <= now:
                add(interview.start, "interview", HELD_CHANNELS[held(interview)],
                    _names(recipients(interview, item.key, item.step)))
        elif item.kind == "task" and item.status == "completed" and item.completed:
            add(dt.datetime.fromisoformat(item.completed), _label(item.step, interview),
                _channel(item.step, interview), _names(recipients(interview, item.key, item.step)))
    for outcome in outcomes:
        add(outcome.recorded, f"outcome/{outcome.kind}", interview.channel, lead)
    return found


def _names(contacts: Iterable[Contact]) -> str:
    return ", ".join(c.full_name or c.email or "" for c in contacts)


def _label(step: str, interview: Interview) -> str:
    if step == "formal-note" and interview.note == "handwritten":
        return "formal-note/handwritten"
    return step


def _channel(step: str, interview: Interview) -> str:
    if step == "formal-note" and interview.note == "handwritten":
        return "letter"
    if step == "reply-second-interview":
        return interview.channel
    if step in AT_THE_INTERVIEW:
        return HELD_CHANNELS[held(interview)]
    return STEP_CHANNELS.get(step, "")


def within(rows: Iterable[Activity], since: dt.date | None, until: dt.date) -> list[Activity]:
    """The rows dated since..until (both included), oldest first."""
    kept = [r for r in rows if (since is None or r.date >= since) and r.date <= until]
    return sorted(kept, key=lambda r: (r.moment, r.company, r.role, r.step, r.contact))


def period(since: dt.date | None, until: dt.date, style: Style = ENGLISH) -> str:
    text = words(style.language)[2]
    if since is None:
        return text["up to"].format(full_date(until, style.babel))
    return text["from to"].format(full_date(since, style.babel), full_date(until, style.babel))


def render(rows: Sequence[Activity], fmt: str, since: dt.date | None, until: dt.date,
           style: Style = ENGLISH) -> str:
    if fmt == "csv":
        return to_csv(rows)
    if fmt == "json":
        return to_json(rows)
    return to_markdown(rows, since, until, style)


def to_markdown(rows: Sequence[Activity], since: dt.date | None, until: dt.date,
                style: Style = ENGLISH) -> str:
    """A heading naming the period in words, the table, and a count (in the style's
    language); CSV and JSON keep their English field names for programs."""
    text = words(style.language)[2]
    heading = "# " + text["title"].format(period(since, until, style))
    if not rows:
        return f"{heading}\n\n{text['empty']}"
    headings = tuple(text["headings"].split("|"))
    table = [headings, *(tuple(_cell(v) for v in r.values()) for r in rows)]
    widths = [max(len(row[i]) for row in table) for i in range(len(headings))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in table]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    employers = len({r.company for r in rows})
    summary = text["summary"].format(_plural(len(rows), text["activity"]),
                                     _plural(employers, text["employer"]))
    return "\n".join([heading, "", *lines, "", summary])


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _plural(count: int, forms: str) -> str:
    one, many = forms.split("|")
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
