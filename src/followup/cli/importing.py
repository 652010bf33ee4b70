"""`followup import`: many interviews from a file, all or none.

A module of its own, so that an import loads only what it uses: not the invitations and
the mailbox (app/mail.py, mail/imap.py, ssl), nor `show`'s output, as the commands of
cli/interviews.py do (issue 14: loading modules was a tenth of an import).
"""

from __future__ import annotations

import gc
from pathlib import Path

import click

from followup.app.importer import add_all, read_interviews
from followup.cli import cli
from followup.cli.context import App, pass_app
from followup.cli.operations import service_of


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def import_(app: App, file: Path) -> None:
    """Add every interview of a TOML or CSV file: all of them or none.

    \b
    Example:
      followup import samples/interviews.toml
    """
    # Without the cycle collector: an import keeps most of what it builds to its end and
    # makes almost no cycles (176 objects in 1,000 bench interviews, the same peak memory),
    # yet the collector's walks over what it keeps took 0.12 s of the 1,000 (gc.callbacks).
    gc.disable()
    try:
        interviews = read_interviews(file, app.user_tz)
        service = service_of(app)
        with service.change():
            added = add_all(service, file, interviews)
    finally:
        gc.enable()
    click.echo(f"Imported {len(added)} interview{'s' if len(added) != 1 else ''} from {file}.")
    for interview in added:
        click.echo(f"  {interview.id}  {interview.start:%a %d %b %Y %H:%M} {interview.tz}"
                   f"  {interview.role} at {interview.company}")
    click.echo(f"Calendar file: {service.calendar_path()}")
