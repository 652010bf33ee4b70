"""Commands about whole interviews: add, plan, import, outcome."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from followup.app.importer import add_all, read_interviews
from followup.cli import cli
from followup.cli.context import (
    App,
    build_interview,
    interview_id,
    interview_options,
    parse_when,
    pass_app,
)
from followup.cli.operations import service_of
from followup.cli.output import (
    interview_doc,
    interview_header,
    planned_doc,
    planned_rows,
    to_json,
)
from followup.cli.read import print_show, show_json
from followup.core.vocab import OUTCOMES


@cli.command()
@interview_options
@pass_app
def add(app: App, as_json: bool, **options: Any) -> None:
    """Store an interview and plan its follow-up; rewrite the calendar file.

    \b
    Example:
      followup add --company "Acme" --role "Data Engineer" --at "2026-12-01 14:00" \\
          --interviewer "Jane Doe <jane@acme.example>" --interviewer "Bo Li <bo@acme.example>"
    """
    interview = build_interview(app, **options)
    service = service_of(app)
    with service.change():
        stored = service.add(interview)
    assert stored.id is not None
    if as_json:
        click.echo(show_json(app, stored.id))
        return
    click.echo(f"Added interview {stored.id}.")
    print_show(app, stored.id)
    click.echo(f"\nCalendar file: {service.calendar_path()}")


@cli.command("plan")
@interview_options
@pass_app
def plan_(app: App, as_json: bool, **options: Any) -> None:
    """Show the follow-up an interview would get, without storing anything.

    \b
    Example:
      followup plan --company "Acme" --role "Data Engineer" --at "2026-12-01 14:00"
    """
    interview = build_interview(app, **options)
    items = service_of(app).preview(interview)
    if as_json:
        click.echo(to_json({"interview": interview_doc(interview, []),
                            "items": [planned_doc(i) for i in items]}))
        return
    for line in interview_header(interview, [], app.zone):
        click.echo(line)
    click.echo()
    for line in planned_rows(items, app.now, app.zone):
        click.echo(line)


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def import_(app: App, file: Path) -> None:
    """Add every interview of a TOML or CSV file: all of them or none.

    \b
    Example:
      followup import samples/interviews.toml
    """
    interviews = read_interviews(file, app.user_tz)
    service = service_of(app)
    with service.change():
        added = add_all(service, file, interviews)
    click.echo(f"Imported {len(added)} interview{'s' if len(added) != 1 else ''} from {file}.")
    for interview in added:
        click.echo(f"  {interview.id}  {interview.start:%a %d %b %Y %H:%M} {interview.tz}"
                   f"  {interview.role} at {interview.company}")
    click.echo(f"Calendar file: {service.calendar_path()}")


@cli.command()
@click.argument("interview")
@click.argument("result", metavar="OUTCOME", type=click.Choice(OUTCOMES))
@click.option("--at", "at", metavar="DATETIME", help="When they answered [default: now].")
@pass_app
def outcome(app: App, interview: str, result: str, at: str | None) -> None:
    """Record the employer's answer; the rest of the chase is cancelled.

    OUTCOME is one of: reply, second-interview, offer, rejected, withdrawn.

    \b
    Example:
      followup outcome 1 offer
    """
    number = interview_id(interview)
    when = parse_when(app, at)
    service = service_of(app)
    with service.change():
        recorded = service.outcome(number, result, when)
    if not recorded:
        click.echo(f"Interview {number} already has the outcome {result!r}; nothing changed.")
        return
    click.echo(f"Recorded {result!r} for interview {number}.")
    with service.store.snapshot():
        print_show(app, number)
