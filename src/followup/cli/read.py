"""Commands that only read the store: list, show. They load neither the planner nor the
renderer nor the sync engine, so they answer at once."""

from __future__ import annotations

import click

from followup.cli import cli
from followup.cli.context import App, interview_id, pass_app
from followup.cli.output import (
    interview_doc,
    interview_header,
    item_doc,
    item_rows,
    json_lines_array,
    to_json,
    why_lines,
)


@cli.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include completed and cancelled tasks.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of items.")
@pass_app
def list_(app: App, show_all: bool, as_json: bool) -> None:
    """Tasks of all interviews, soonest first; overdue ones are marked.

    \b
    Example:
      followup list --all
    """
    store = app.store
    statuses = None if show_all else ("needs-action",)
    if as_json:
        with store.snapshot():
            objects = store.task_json(statuses)
        click.echo(json_lines_array(objects))
        return
    with store.snapshot():
        rows = store.items(kinds=("task",), statuses=statuses, light=True)
        companies = {i: r["company"] for i, r in store.interview_summaries().items()}
    if not rows:
        click.echo("Nothing to do." if not show_all else "No tasks yet; add an interview with `followup add`.")
        return
    for line in item_rows(rows, app.now, app.zone, companies, color=app.color):
        click.echo(line)


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
@click.argument("interview")
@click.option("--json", "as_json", is_flag=True, help="Print {\"interview\": …, \"items\": […]}.")
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


