"""Commands that only read the store: list, show, interviews. They load neither the planner
nor the renderer nor the sync engine, so they answer at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from followup.cli import cli
from followup.cli.context import App, complete_interview, interview_id, pass_app
from followup.cli.output import (
    interview_doc,
    interview_header,
    item_doc,
    item_rows,
    json_lines_array,
    relative,
    table,
    to_json,
    when_text,
    why_lines,
)
from followup.core import inputs
from followup.errors import UsageError
from followup.store import ItemRow, Store

WEEK = 7  # `list --week`: today and the six days after it


@cli.command("list")
@click.argument("interview", required=False, shell_complete=complete_interview)
@click.option("--all", "show_all", is_flag=True, help="Include completed and cancelled tasks.")
@click.option("--today", is_flag=True, help="Only what is due by the end of today (overdue too).")
@click.option("--week", is_flag=True, help="Only what is due in the next 7 days (overdue too).")
@click.option("--until", metavar="WHEN",
              help="Only what is due by then: a date (its end) or 'YYYY-MM-DD HH:MM', your time.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of items.")
@pass_app
def list_(app: App, interview: str | None, show_all: bool, today: bool, week: bool,
          until: str | None, as_json: bool) -> None:
    """Tasks of all interviews, soonest first; overdue ones are marked.

    INTERVIEW keeps the tasks of one interview.

    \b
    Example:
      followup list --all
      followup list 2 --week
    """
    number = interview_id(interview) if interview is not None else None
    before = _before(app, today, week, until)
    store = app.store
    statuses = None if show_all else ("needs-action",)
    if as_json:
        with store.snapshot():
            if number is not None:
                store.interview(number)  # an unknown interview is an error, not an empty list
            objects = store.task_json(statuses, number, before)
        click.echo(json_lines_array(objects))
        return
    with store.snapshot():
        if number is not None:
            store.interview(number)
        rows = store.items(number, kinds=("task",), statuses=statuses, light=True, before=before)
        companies = {i: r["company"] for i, r in store.interview_summaries().items()}
    if not rows:
        filtered = number is not None or before is not None
        click.echo("Nothing to do." if not show_all or filtered
                   else "No tasks yet; add an interview with `followup add`.")
        return
    for line in item_rows(rows, app.now, app.zone, companies, color=app.color):
        click.echo(line)


def _before(app: App, today: bool, week: bool, until: str | None) -> dt.datetime | None:
    """The moment `--today`, `--week` or `--until` ends (exclusive), in the user's zone."""
    if today + week + (until is not None) > 1:
        raise UsageError("give one of --today, --week and --until")
    zone = app.zone
    if until is not None:
        if len(until.strip()) == 10:
            day = inputs.about("until", lambda: inputs.date(until, "date"))
            return _day_start(day + dt.timedelta(days=1), zone)
        moment = inputs.about("until", lambda: inputs.datetime(until, app.user_tz, "time"))
        return moment + dt.timedelta(seconds=1)  # up to and including that minute
    days = 1 if today else WEEK if week else 0
    if not days:
        return None
    return _day_start(app.now.astimezone(zone).date() + dt.timedelta(days=days), zone)


def _day_start(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone)


def show_json(app: App, interview_id: int) -> str:
    store = app.store
    interview = store.interview(interview_id)
    return to_json({
        "interview": interview_doc(interview, store.outcomes(interview_id)),
        "items": [item_doc(row) for row in store.items(interview_id, light=True)],
        "notes": store.notes(interview_id),
    })


def print_show(app: App, interview_id: int) -> None:
    store = app.store
    interview = store.interview(interview_id)
    for line in interview_header(interview, store.outcomes(interview_id), app.zone):
        click.echo(line)
    click.echo()
    rows = store.items(interview_id, light=True)
    for line in item_rows(rows, app.now, app.zone, color=app.color):
        click.echo(line)
    # Why the planner put open items where they are (stored with them: no planner here).
    for line in why_lines((row.key, row.notes.split("\n")) for row in rows
                          if row.notes and row.status == "needs-action"):
        click.echo(line)
    notes = store.notes(interview_id)
    if notes:
        click.echo("\nNotes (change them with `followup notes`):")
        for line in notes.split("\n"):
            click.echo(f"  {line}".rstrip())


@cli.command()
@click.argument("interview", shell_complete=complete_interview)
@click.option("--json", "as_json", is_flag=True,
              help="Print {\"interview\": …, \"items\": […], \"notes\": …}.")
@pass_app
def show(app: App, interview: str, as_json: bool) -> None:
    """One interview with all its items, events included.

    \b
    Example:
      followup show 1
    """
    number = interview_id(interview)
    with app.store.snapshot():
        if as_json:
            click.echo(show_json(app, number))
        else:
            print_show(app, number)


@cli.command()
@click.option("--all", "show_all", is_flag=True, help="Include the interviews that ended.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of interviews.")
@pass_app
def interviews(app: App, show_all: bool, as_json: bool) -> None:
    """Your interviews, one row each: round, state and the next open step.

    The state is `active`, the employer's answer (`offer`, `rejected`, ...), `let go`
    once you closed the application, or `next round` once a later round has an answer.
    Without --all, only the active ones.

    \b
    Example:
      followup interviews --all
    """
    store = app.store
    with store.snapshot():
        docs = overview(store)
    shown = [d for d in docs if show_all or d["state"] == "active"]
    if as_json:
        click.echo(to_json(shown))
        return
    if not shown:
        click.echo("No interviews yet; add one with `followup add`." if not docs else
                   "No active interviews; `followup interviews --all` shows them all.")
        return
    rows = [("ID", "Start", "Company", "Role", "Round", "State", "Next step", "")]
    for doc in shown:
        start = dt.datetime.fromisoformat(doc["start"])
        upcoming = doc["next"]
        due = dt.datetime.fromisoformat(upcoming["due"]) if upcoming else None
        rows.append((str(doc["id"]), when_text(start, app.zone), doc["company"], doc["role"],
                     str(doc["round"]), doc["state"],
                     f"{when_text(due, app.zone)}, {relative(due, app.now, app.zone, True)}"
                     if due else "",
                     upcoming["summary"] if upcoming else ""))
    for line in table(rows):
        click.echo(line)


def overview(store: Store) -> list[dict[str, Any]]:
    """`interviews --json`: id, uid, company, role, round, round_of (the id of the earlier
    round), start, state and the next open task ({id, step, summary, due} or null)."""
    rows = store.overview()
    later: dict[int, list[int]] = {}
    for row in rows:
        if row["round_of"] is not None:
            later.setdefault(row["round_of"], []).append(row["id"])
    answered = {row["id"] for row in rows if row["outcome"]}

    def closed_by_later_round(interview: int) -> bool:
        return any(n in answered or closed_by_later_round(n) for n in later.get(interview, ()))

    upcoming: dict[int, ItemRow] = {}
    for item in store.items(kinds=("task",), statuses=("needs-action",), light=True):
        upcoming.setdefault(item.interview_id, item)
    docs = []
    for row in rows:
        state = (row["outcome"] or ("let go" if row["let_go"] else None)
                 or ("next round" if closed_by_later_round(row["id"]) else "active"))
        task = upcoming.get(row["id"])
        docs.append({
            "id": row["id"], "uid": row["uid"], "company": row["company"], "role": row["role"],
            "round": row["round"], "round_of": row["round_of"], "start": row["start"],
            "state": state,
            "next": {"id": task.id, "step": task.step, "summary": task.summary,
                     "due": task.due} if task else None,
        })
    return docs
