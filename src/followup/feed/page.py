"""The page at `/<token>/`: the plan at a glance on a phone, its buttons, subscribe links.

Plain HTML from Jinja2 templates (feed/templates/), no JavaScript: a timeline of the open
steps (overdue, today, this week, later) with done and snooze buttons, the steps done
lately with undo, the active interviews with their outcome, a link and a QR code per
calendar app, and whether each kind of calendar has caught up (feed/status.py).
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from followup.core import drafts
from followup.core.playbook import PROOFREAD
from followup.core.vocab import OUTCOMES
from followup.core.wording import Style
from followup.errors import UsageError
from followup.feed.actions import SNOOZES, csrf_token
from followup.feed.host import Settings
from followup.feed.html import HTML, SECURITY, Response, error, render
from followup.feed.publish import feed_urls, page_url
from followup.feed.status import client_status
from followup.store import ItemRow, Store

LATER_SHOWN = 20  # the rest of "later" is one `followup list` away
DONE_LATELY = dt.timedelta(days=3)
_HOST = re.compile(r"[A-Za-z0-9.:\[\]-]{1,255}")


@dataclass(frozen=True)
class Step:
    id: int
    summary: str
    interview: str  # "Data Engineer at Acme"
    when: str
    draft: str | None = None  # "Draft" or "Script": the link's label


@dataclass
class Group:
    key: str  # overdue, today, week, later
    title: str
    steps: list[Step] = field(default_factory=list)
    more: int = 0  # not shown


@dataclass(frozen=True)
class Subscription:
    app: str
    how: str
    url: str
    qr: str | None = None  # inline SVG


def base_url(settings: Settings, environ: Mapping[str, Any]) -> str:
    """The configured public address, else the one this request came to."""
    if settings.base_url:
        return settings.base_url
    host = str(environ.get("HTTP_HOST", ""))
    if not _HOST.fullmatch(host):
        host = f"{environ.get('SERVER_NAME', 'localhost')}:{environ.get('SERVER_PORT', '80')}"
    scheme = "https" if environ.get("wsgi.url_scheme") == "https" else "http"
    return f"{scheme}://{host}{environ.get('SCRIPT_NAME', '').rstrip('/')}"


class View:
    """The page and a draft, read in the caller's snapshot."""

    def __init__(self, store: Store, token: str, settings: Settings, now: dt.datetime,
                 writable: bool, base: str) -> None:
        self.store = store
        self.token = token
        self.settings = settings
        self.now = now
        self.zone = ZoneInfo(settings.user_tz)
        self.writable = writable
        self.base = base

    def page(self, query: str) -> Response:
        rows = self.store.items(kinds=("task",), statuses=("needs-action",), light=True)
        summaries = self.store.interview_summaries()
        labels = {i: f"{r['role']} at {r['company']}" for i, r in summaries.items()}
        active = sorted({row.interview_id for row in rows},
                        key=lambda i: (summaries[i]["start"], i))
        done = sorted((row for row in self.store.items(kinds=("task",), statuses=("completed",),
                                                       light=True)
                       if row.completed and self.now - _moment(row.completed) <= DONE_LATELY),
                      key=lambda row: (row.completed or "", row.id), reverse=True)[:10]
        values = {
            "groups": timeline(rows, labels, self.now, self.zone),
            "done": [Step(row.id, row.summary, labels[row.interview_id],
                          "done " + self._when(_moment(row.completed or ""))) for row in done],
            "interviews": [{"id": i, "label": labels[i],
                            "when": self._when(dt.datetime.fromisoformat(summaries[i]["start"]))}
                           for i in active],
            "outcomes": OUTCOMES,
            "snoozes": SNOOZES,
            "notice": self._notice(urllib.parse.parse_qs(query, max_num_fields=4)),
            "subscriptions": subscriptions(self.base, self.token),
            "page_qr": qr_svg(page_url(self.base, self.token), "This page"),
            "public": self.base.startswith("https://"),
            "status": [s.text(self.now) for s in client_status(self.store)],
            "revision": self.store.revision(),
            "now": self._when(self.now),
            "csrf": csrf_token(self.token, self.store.revision(), self.now) if self.writable else "",
            "writable": self.writable,
        }
        return "200 OK", [HTML, *SECURITY], render("page.html", values)

    def draft(self, step: int) -> Response:
        try:
            row = self.store.item_by_ref(str(step))
        except UsageError:
            return error(404, f"There is no step {step}.", back=True)
        if not drafts.has_draft(row.step):
            return error(404, f"{row.summary}: this step has no draft.", back=True)
        interview = self.store.interview(row.interview_id)
        # As `followup draft` writes it: the interview's language, dates relative to today.
        style = Style(interview.language or self.settings.language, self.settings.locale)
        made = drafts.draft(interview, row.key, row.step, self.store.notes(row.interview_id),
                            self.settings.name, self.settings.template_dir, style=style,
                            day=self.now.astimezone(self.zone).date())
        values = {"summary": row.summary, "text": made.text(), "mailto": made.mailto(),
                  "form": made.form, "proofread": PROOFREAD if made.form == "email" else None,
                  "id": row.id}
        return "200 OK", [HTML, *SECURITY], render("draft.html", values)

    def _when(self, moment: dt.datetime) -> str:
        return when_text(moment, self.now, self.zone)

    def _notice(self, query: Mapping[str, list[str]]) -> dict[str, Any] | None:
        """What the last button did, from the redirect's query (`?done=12`)."""
        for key, said in (("done", "Done"), ("undone", "Re-opened"), ("snoozed", "Snoozed")):
            ident = _number(query.get(key))
            if ident is not None:
                try:
                    row = self.store.item_by_ref(str(ident))
                except UsageError:
                    return None
                text = f"{said}: {row.summary}"
                if key == "snoozed" and row.due:
                    text += f", now {self._when(_moment(row.due))}"
                return {"text": text, "undo": row.id if key == "done" else None}
        ident = _number(query.get("outcome"))
        if ident is not None:
            summary = self.store.interview_summaries().get(ident)
            kind = (query.get("kind") or [""])[0]
            if summary is not None and kind in OUTCOMES:
                return {"text": f"Recorded “{kind}” for {summary['role']} at {summary['company']}",
                        "undo": None}
        return None


def timeline(rows: Sequence[ItemRow], labels: Mapping[int, str], now: dt.datetime,
             zone: ZoneInfo) -> list[Group]:
    """Open tasks by when they are due, in the user's zone: overdue (past their due time),
    today, this week (the next six days), later (the first LATER_SHOWN of them)."""
    today = now.astimezone(zone).date()
    groups = {key: Group(key, title) for key, title in (
        ("overdue", "Overdue"), ("today", "Today"), ("week", "This week"), ("later", "Later"))}
    for row in sorted(rows, key=lambda r: (r.sort_utc, r.id)):
        due = _moment(row.due or row.start or row.sort_utc)
        day = due.astimezone(zone).date()
        key = ("overdue" if due < now else "today" if day == today
               else "week" if (day - today).days < 7 else "later")
        group = groups[key]
        if key == "later" and len(group.steps) >= LATER_SHOWN:
            group.more += 1
            continue
        label = None
        if drafts.has_draft(row.step):
            label = "Script" if row.step in drafts.CALL_STEPS else "Draft"
        when = f"overdue {span(now - due)}" if key == "overdue" else when_text(due, now, zone)
        group.steps.append(Step(row.id, row.summary, labels[row.interview_id], when, label))
    return [group for group in groups.values() if group.steps or group.more]


def when_text(moment: dt.datetime, now: dt.datetime, zone: ZoneInfo) -> str:
    """"2 days ago", "today 15:00", "tomorrow 09:00", "Thu 3 Dec 15:00"."""
    if moment < now:
        return f"{span(now - moment)} ago"
    local = moment.astimezone(zone)
    days = (local.date() - now.astimezone(zone).date()).days
    clock = f"{local:%H:%M}"
    if days == 0:
        return f"today {clock}"
    if days == 1:
        return f"tomorrow {clock}"
    return f"{local:%a} {local.day} {local:%b} {clock}"


def span(delta: dt.timedelta) -> str:
    if delta >= dt.timedelta(days=1):
        count, unit = delta.days, "day"
    elif delta >= dt.timedelta(hours=1):
        count, unit = int(delta.total_seconds() // 3600), "hour"
    else:
        count, unit = max(1, int(delta.total_seconds() // 60)), "minute"
    return f"{count} {unit}{'' if count == 1 else 's'}"


def subscriptions(base: str, token: str) -> list[Subscription]:
    """A link per calendar app; a QR code where a phone subscribes (webcal://)."""
    urls = feed_urls(base, token)
    events, full, tasks = urls["events"], urls["full"], urls["tasks"]
    return [
        Subscription("Apple Calendar (iPhone, Mac)",
                     "Scan the code with the iPhone's camera, or tap the link.",
                     events["webcal"], qr_svg(events["webcal"], "Apple Calendar")),
        Subscription("Outlook", "Add calendar → Subscribe from web, with this link.",
                     events["webcal"], None),
        Subscription("Google Calendar",
                     "On a computer: Settings → Add calendar → From URL, with this address.",
                     events["url"], None),
        Subscription("Thunderbird, Evolution, Nextcloud", "Events and tasks.", full["url"], None),
        Subscription("Task apps", "The tasks alone, for apps that read them from a link.",
                     tasks["url"], None),
    ]


def qr_svg(url: str, title: str) -> str:
    import segno

    svg: str = segno.make(url, error="m").svg_inline(scale=4, title=f"QR code: {title}")
    return svg


def _moment(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _number(values: list[str] | None) -> int | None:
    if values and values[0].isdigit() and len(values[0]) < 10:
        return int(values[0])
    return None
