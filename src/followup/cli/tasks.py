"""Commands that check tasks off: done, undo."""

from __future__ import annotations

from collections.abc import Callable

import click

from followup.app.service import Service
from followup.cli import cli
from followup.cli.context import App, complete_item, parse_when, pass_app
from followup.cli.operations import service_of
from followup.store import ItemRow


@cli.command()
@click.argument("refs", nargs=-1, required=True, metavar="REF...", shell_complete=complete_item())
@click.option("--at", "at", metavar="DATETIME",
              help="When you did it [default: now]; not in the future, nor before the interview.")
@pass_app
def done(app: App, refs: tuple[str, ...], at: str | None) -> None:
    """Mark tasks as done (REF is the id from `list` or a UID).

    \b
    Example:
      followup done 4 5
    """
    when = parse_when(app, at)
    _check_off(app, lambda service: service.complete(refs, when))


@cli.command()
@click.argument("refs", nargs=-1, required=True, metavar="REF...",
                shell_complete=complete_item(("completed",)))
@pass_app
def undo(app: App, refs: tuple[str, ...]) -> None:
    """Re-open tasks marked done by mistake.

    \b
    Example:
      followup undo 4
    """
    _check_off(app, lambda service: service.undo(refs))


def _check_off(app: App, action: Callable[[Service], list[tuple[ItemRow, str]]]) -> None:
    service = service_of(app)
    with service.change():
        results = action(service)
    for row, what in results:
        click.echo(f"{row.id}  {what}: {row.summary}")
