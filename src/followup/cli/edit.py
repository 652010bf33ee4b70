"""Commands that change a stored plan: edit an interview, snooze one item."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from followup.app.edits import Edit
from followup.cli import cli
from followup.cli.context import App, complete_interview, complete_item, interview_id, pass_app
from followup.cli.operations import service_of
from followup.cli.output import when_text
from followup.cli.read import print_show
from followup.core.vocab import CHANNELS, HELD, NOTE_KINDS
from followup.errors import UsageError


@cli.command()
@click.argument("interview", shell_complete=complete_interview)
@click.option("--at", "at", metavar="DATETIME", help="New start, 'YYYY-MM-DD HH:MM' in the interview's zone.")
@click.option("--duration", help="New length, e.g. 45m or 1h30m.")
@click.option("--tz", metavar="ZONE", help="New zone (the wall-clock time is kept unless --at is given).")
@click.option("--deadline", metavar="DATE", help="New decision date, or 'none' for the assumed one.")
@click.option("--add-interviewer", "add", multiple=True, metavar='"NAME <EMAIL> PHONE"',
              help="Add an interviewer (they get a formal note); one with an email already "
                   "there gets the title and phone given.")
@click.option("--remove-interviewer", "remove", multiple=True, metavar="EMAIL",
              help="Remove an interviewer by email (or name); their open note is cancelled.")
@click.option("--contact-tz", "contact_tzs", multiple=True, metavar="[EMAIL=]ZONE",
              help="An interviewer's zone: EMAIL=ZONE for one already there, or ZONE for the "
                   "--add-interviewer at the same position.")
@click.option("--channel", type=click.Choice(CHANNELS))
@click.option("--note", type=click.Choice(NOTE_KINDS))
@click.option("--location", help="Address or video link.")
@click.option("--held", type=click.Choice(HELD),
              help="How it is held [default: follows a new --location: video at a link].")
@click.option("--decision-contact", metavar='"NAME <EMAIL> PHONE"',
              help="Who announces the decision: the status email and calls go to them; "
                   "'none' for the first interviewer.")
@click.option("--company")
@click.option("--role")
@click.option("--country", metavar="CODE", help="Public holidays of this country, e.g. GB or US-CA; 'none' to clear.")
@click.option("--language", metavar="LANG",
              help="Language of its drafts and titles (en, de, fr, es); 'none' for the config's.")
@pass_app
def edit(app: App, interview: str, **changes: Any) -> None:
    """Change an interview; every open item that depends on the change is re-planned.

    Completed and cancelled items never move; moved items keep their UIDs.

    \b
    Example:
      followup edit 1 --deadline 2026-12-18 --add-interviewer "Bo Li <bo@acme.example>"
    """
    number = interview_id(interview)
    edit_ = Edit(**changes)
    if edit_.empty:
        raise UsageError("nothing to change; give at least one option (see 'followup edit --help')")
    service = service_of(app)
    with service.change():
        updated = service.edit(number, edit_)
    if updated is None:
        click.echo(f"Interview {number} already is like that; nothing changed.")
        return
    click.echo(f"Updated interview {number}.")
    with service.store.snapshot():
        print_show(app, number)


@cli.command()
@click.argument("ref", metavar="REF", shell_complete=complete_item())
@click.argument("when", metavar="DURATION|DATETIME", required=False)
@click.option("--clear", is_flag=True, help="Forget the snooze: back to the planned time.")
@pass_app
def snooze(app: App, ref: str, when: str | None, clear: bool) -> None:
    """Move one open task later: by a duration (2d, 3h, 1w) or to a date and time.

    The choice sticks when the chain is re-planned later; `list` marks it as snoozed.

    \b
    Example:
      followup snooze 9 2d
      followup snooze 9 "2026-12-17 08:30"
      followup snooze 9 --clear
    """
    if clear == bool(when):
        raise UsageError("give either DURATION|DATETIME or --clear (see 'followup snooze --help')")
    service = service_of(app)
    with service.change():
        row = service.snooze_as_typed(ref, when)
    moment = dt.datetime.fromisoformat(row.due) if row.due else None
    verb = "snoozed to" if when else "back to the plan:"
    click.echo(f"{row.id}  {verb} {when_text(moment, app.zone)}: {row.summary}")
