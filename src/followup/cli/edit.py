"""Commands that change a stored plan: edit an interview, snooze one item."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Any

import click

from followup.cli import (
    App,
    _interview_id,
    _print_show,
    after_change,
    cli,
    contacts_with_zones,
    pass_app,
)
from followup.core.vocab import CHANNELS, NOTE_KINDS
from followup.errors import UsageError

if TYPE_CHECKING:
    from followup.core.model import Contact, Interview


@cli.command()
@click.argument("interview")
@click.option("--at", "at", metavar="DATETIME", help="New start, 'YYYY-MM-DD HH:MM' in the interview's zone.")
@click.option("--duration", help="New length, e.g. 45m or 1h30m.")
@click.option("--tz", metavar="ZONE", help="New zone (the wall-clock time is kept unless --at is given).")
@click.option("--deadline", metavar="DATE", help="New decision date, or 'none' for the assumed one.")
@click.option("--add-interviewer", "add", multiple=True, metavar='"NAME <EMAIL>"',
              help="Add an interviewer (they get a formal note).")
@click.option("--remove-interviewer", "remove", multiple=True, metavar="EMAIL",
              help="Remove an interviewer by email (or name); their open note is cancelled.")
@click.option("--contact-tz", "contact_tzs", multiple=True, metavar="[EMAIL=]ZONE",
              help="An interviewer's zone: EMAIL=ZONE for one already there, or ZONE for the "
                   "--add-interviewer at the same position.")
@click.option("--channel", type=click.Choice(CHANNELS))
@click.option("--note", type=click.Choice(NOTE_KINDS))
@click.option("--location")
@click.option("--company")
@click.option("--role")
@click.option("--country", metavar="CODE", help="Public holidays of this country, e.g. GB or US-CA; 'none' to clear.")
@pass_app
def edit(app: App, interview: str, **changes: Any) -> None:
    """Change an interview; every open item that depends on the change is re-planned.

    Completed and cancelled items never move; moved items keep their UIDs.

    \b
    Example:
      followup edit 1 --deadline 2026-12-18 --add-interviewer "Bo Li <bo@acme.example>"
    """
    interview_id = _interview_id(interview)
    if not any(v not in (None, ()) for v in changes.values()):
        raise UsageError("nothing to change; give at least one option (see 'followup edit --help')")
    service = app.service
    with service.store.transaction():
        current = service.store.interview(interview_id)
        edited = _apply(current, **changes)
        if edited == current:
            click.echo(f"Interview {interview_id} already is like that; nothing changed.")
            return
        service.update(edited)
        service.write_calendar()
    after_change(app)
    click.echo(f"Updated interview {interview_id}.")
    with service.store.snapshot():
        _print_show(app, interview_id)


def _apply(current: Interview, *, at: str | None, duration: str | None, tz: str | None,
           deadline: str | None, add: tuple[str, ...], remove: tuple[str, ...],
           contact_tzs: tuple[str, ...], channel: str | None, note: str | None,
           location: str | None, company: str | None, role: str | None,
           country: str | None) -> Interview:
    from zoneinfo import ZoneInfo

    from followup.core import inputs

    zone_name = inputs.zone(tz) if tz else current.tz
    if at:
        start = inputs.datetime(at, zone_name, "interview time (--at)")
    elif zone_name != current.tz:
        wall = current.start.replace(tzinfo=None).isoformat(sep=" ", timespec="minutes")
        start = inputs.datetime(wall, zone_name, "interview time")
    else:
        start = current.start.astimezone(ZoneInfo(zone_name))
    changes: dict[str, Any] = {"tz": zone_name, "start": start}
    if duration:
        changes["duration"] = inputs.duration(duration)
    if deadline:
        changes["deadline"] = None if deadline.strip().lower() == "none" else inputs.date(deadline, "deadline")
    for name, value in (("channel", channel), ("note", note), ("location", location),
                        ("company", company), ("role", role)):
        if value is not None:
            changes[name] = value
    if country:
        code, subdivision = (None, None) if country.strip().lower() == "none" else inputs.country(country)
        changes["country"], changes["subdivision"] = code, subdivision
    changes["contacts"] = _contacts(current.contacts, add, remove, contact_tzs)
    return dataclasses.replace(current, **changes)


def _contacts(current: tuple[Contact, ...], add: tuple[str, ...], remove: tuple[str, ...],
              contact_tzs: tuple[str, ...]) -> tuple[Contact, ...]:
    from followup.core import inputs

    contacts = list(current)
    for target in remove:
        wanted = target.strip().lower()
        index = next((i for i, c in enumerate(contacts) if not c.removed and wanted in
                      ((c.email or "").lower(), c.name.lower())), None)
        if index is None:
            raise UsageError(f"no interviewer {target!r} on this interview; `followup show` lists them")
        contacts[index] = dataclasses.replace(contacts[index], removed=True)
    positional = [z for z in contact_tzs if "=" not in z]
    for assignment in (z for z in contact_tzs if "=" in z):
        who, _, zone_text = assignment.partition("=")
        index = next((i for i, c in enumerate(contacts) if not c.removed and
                      who.strip().lower() in ((c.email or "").lower(), c.name.lower())), None)
        if index is None:
            raise UsageError(f"no interviewer {who!r} on this interview; `followup show` lists them")
        contacts[index] = dataclasses.replace(contacts[index], tz=inputs.contact_zone(zone_text))
    if positional and not add:
        active = [i for i, c in enumerate(contacts) if not c.removed]
        if len(active) != 1 or len(positional) != 1:
            raise UsageError("say whose zone it is: --contact-tz EMAIL=ZONE")
        contacts[active[0]] = dataclasses.replace(contacts[active[0]],
                                                  tz=inputs.contact_zone(positional[0]))
        positional = []
    first_key = max((c.key for c in contacts), default=0) + 1
    contacts += contacts_with_zones(add, positional, first_key)
    return tuple(contacts)


@cli.command()
@click.argument("ref", metavar="REF")
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
    service = app.service
    with service.store.transaction():
        row = service.store.item_by_ref(ref)
        target = None
        if when:
            from followup.core import inputs

            base = max(dt.datetime.fromisoformat(row.due), app.now) if row.due else app.now
            target = inputs.snooze_target(when, base, app.user_tz)
        row = service.snooze(ref, target)
        service.write_calendar()
    after_change(app)
    from followup.cli.output import when_text

    moment = dt.datetime.fromisoformat(row.due) if row.due else None
    verb = "snoozed to" if target else "back to the plan:"
    click.echo(f"{row.id}  {verb} {when_text(moment, app.zone)}: {row.summary}")
