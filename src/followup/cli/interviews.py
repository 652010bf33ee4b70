"""Commands about whole interviews: add, plan, import, outcome, rm."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import click

from followup.app.importer import add_all, read_interviews
from followup.cli import cli
from followup.cli.context import (
    App,
    build_interview,
    complete_interview,
    confirm,
    interview_id,
    interview_options,
    parse_when,
    pass_app,
    require,
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
from followup.errors import UsageError


@cli.command()
@interview_options
@click.option("--round-of", "round_of", metavar="INTERVIEW", shell_complete=complete_interview,
              help="This is the next round of that interview (its company and role are the "
                   "default); an answer here closes its chase.")
@pass_app
def add(app: App, as_json: bool, round_of: str | None, **options: Any) -> None:
    """Store an interview and plan its follow-up; rewrite the calendar file.

    \b
    Example:
      followup add --company "Acme" --role "Data Engineer" --at "2026-12-01 14:00" \\
          --interviewer "Jane Doe <jane@acme.example>" --interviewer "Bo Li <bo@acme.example>"
      followup add --round-of 1 --at "2026-12-15 10:00" --location https://meet.example/abc
    """
    earlier = None
    if round_of is not None:
        number = interview_id(round_of)
        with app.store.snapshot():
            earlier = app.store.interview(number)
        options["company"] = options["company"] or earlier.company
        options["role"] = options["role"] or earlier.role
    require(options, "company", "role")
    interview = build_interview(app, **options)
    if earlier is not None:
        interview = dataclasses.replace(interview, round_of=earlier.id)
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
    require(options, "company", "role")
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
@click.argument("interview", shell_complete=complete_interview)
@click.argument("result", metavar="OUTCOME", type=click.Choice(OUTCOMES), required=False)
@click.option("--at", "at", metavar="DATETIME", help="When they answered [default: now].")
@click.option("--replace", is_flag=True, help="Replace the outcome recorded last (a mistake).")
@click.option("--clear", is_flag=True,
              help="Remove the outcome recorded last: the plan is as it was without it.")
@pass_app
def outcome(app: App, interview: str, result: str | None, at: str | None, replace: bool,
            clear: bool) -> None:
    """Record the employer's answer; the rest of the chase is cancelled.

    OUTCOME is one of: reply, second-interview, offer, rejected, withdrawn. An interview
    has one outcome (after `reply` a later answer joins it): --replace changes it,
    --clear takes it back, and what it cancelled re-opens. An answer in a later round
    (`add --round-of`) closes the chase of the earlier one.

    \b
    Example:
      followup outcome 1 offer
      followup outcome 1 rejected --replace
      followup outcome 1 --clear
    """
    number = interview_id(interview)
    if clear:
        if result is not None or at is not None or replace:
            raise UsageError("--clear takes no OUTCOME, --at or --replace")
        service = service_of(app)
        with service.change():
            removed = service.clear_outcome(number)
        click.echo(f"Cleared {removed.kind!r} from interview {number}.")
        with service.store.snapshot():
            print_show(app, number)
        return
    if result is None:
        raise UsageError("give the OUTCOME (one of: " + ", ".join(OUTCOMES) + "), or --clear")
    when = parse_when(app, at)
    service = service_of(app)
    with service.change():
        recorded = service.outcome(number, result, when, replace=replace)
    if not recorded:
        click.echo(f"Interview {number} already has the outcome {result!r}; nothing changed.")
        return
    click.echo(f"{'Replaced the outcome with' if replace else 'Recorded'} {result!r} for"
               f" interview {number}.")
    with service.store.snapshot():
        print_show(app, number)
    if result == "second-interview":
        click.echo(f"\nOnce you know its time, add the second interview with:\n"
                   f"  followup add --round-of {number} --at \"YYYY-MM-DD HH:MM\"")


@cli.command("rm")
@click.argument("interview", shell_complete=complete_interview)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (needed without a terminal).")
@pass_app
def rm(app: App, interview: str, yes: bool) -> None:
    """Remove an interview and all its items, everywhere: calendar file, feeds, remotes.

    It also leaves the activity report. Use it for an interview added by mistake; for
    an application that ended, record the outcome instead.

    \b
    Example:
      followup rm 3 --yes
    """
    number = interview_id(interview)
    with app.store.snapshot():
        record = app.store.interview(number)
        count = len(app.store.items(number, light=True))
    confirm(f"Remove interview {number}, {record.role} at {record.company}"
            f" ({record.start:%a %d %b %Y %H:%M}), and its {count} items from followup,"
            " the calendar file, the feeds and every remote?", yes)
    service = service_of(app)
    with service.change():
        service.remove(number)
    click.echo(f"Removed interview {number} ({record.role} at {record.company}).")
