"""Commands about whole interviews: add, plan, outcome, rm (import: cli/importing.py)."""

from __future__ import annotations

import dataclasses
from email.utils import formataddr
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from followup.app.mail import add_invitation, describe, me_of, propose, read_invitation_file
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
from followup.cli.mail_report import duration_text
from followup.cli.operations import service_of
from followup.cli.output import (
    interview_doc,
    interview_header,
    planned_doc,
    planned_rows,
    to_json,
)
from followup.cli.read import print_show, show_json
from followup.core import inputs
from followup.core.model import Interview
from followup.core.vocab import OUTCOMES
from followup.errors import UsageError


@cli.command()
@interview_options(required=False)
@click.option("--round-of", "round_of", metavar="INTERVIEW", shell_complete=complete_interview,
              help="This is the next round of that interview (its company and role are the "
                   "default); an answer here closes its chase.")
@click.option("--from-invite", "from_invite", metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="Take the time, zone, length, place or video link and interviewers from an "
                   "invitation (.ics, or an .eml with a calendar part).")
@click.option("--me", metavar="ADDR",
              help="Your address among the invitation's attendees [default: the mail set-up's].")
@pass_app
@click.pass_context
def add(ctx: click.Context, /, app: App, as_json: bool, round_of: str | None,
        from_invite: Path | None, me: str | None, **options: Any) -> None:
    """Store an interview and plan its follow-up; rewrite the calendar file.

    --company, --role and --at are required, unless --from-invite gives them: then the
    invitation's title names the company and the role when it can ("Data Engineer
    interview at Acme"; else the company comes from its people's domain), the options
    given win, and --tz shows the time in another zone. The same invitation is never
    added twice. --round-of makes it the next round of an earlier interview, whose
    company and role are the defaults.

    \b
    Example:
      followup add --company "Acme" --role "Data Engineer" --at "2026-12-01 14:00" \\
          --interviewer "Jane Doe <jane@acme.example>" --interviewer "Bo Li <bo@acme.example>"
      followup add --from-invite invitation.eml --role "Data Engineer"
      followup add --round-of 1 --at "2026-12-15 10:00" --location https://meet.example/abc
    """
    earlier = None
    if round_of is not None:
        with app.store.snapshot():
            earlier = app.store.interview(interview_id(round_of))
        options["company"] = options["company"] or earlier.company
        options["role"] = options["role"] or earlier.role
    service = service_of(app)
    if from_invite is None:
        if me is not None:
            raise UsageError("--me goes with --from-invite")
        require(options, "company", "role", "at")
        interview = next_round(build_interview(app, **options), earlier)
        with service.change():
            stored = service.add(interview)
    else:
        for name in ("at", "duration"):
            if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE:
                raise UsageError(f"--{name} comes from the invitation; leave it out, or change it"
                                 " afterwards with `followup edit`")
        invitation = read_invitation_file(from_invite, app.user_tz)
        proposal = propose(invitation, me_of(service, me), options["company"], options["role"])
        if not proposal.ready:
            missing = proposal.missing[0]
            raise UsageError(f"the invitation does not say the {missing}; give --{missing}")
        interview = next_round(build_interview(app, **invited(proposal.interview, options)),
                               earlier)
        with service.change():
            stored = add_invitation(service, invitation, interview)
    assert stored.id is not None
    if as_json:
        click.echo(show_json(app, stored.id))
        return
    source = f" from the invitation {describe(invitation)}" if from_invite is not None else ""
    click.echo(f"Added interview {stored.id}{source}.")
    print_show(app, stored.id)
    click.echo(f"\nCalendar file: {service.calendar_path()}")


def next_round(interview: Interview, earlier: Interview | None) -> Interview:
    return dataclasses.replace(interview, round_of=earlier.id) if earlier is not None else interview


def invited(base: Interview, options: dict[str, Any]) -> dict[str, Any]:
    """The options of `add` for an interview read from an invitation: what the user
    typed wins; interviewers typed are added to the invitation's."""
    tz = options["tz"] or base.tz
    start = base.start.astimezone(ZoneInfo(inputs.zone(tz))) if options["tz"] else base.start
    people = [formataddr((c.name, c.email or "")) for c in base.contacts]
    return {**options, "company": base.company, "role": base.role, "tz": tz,
            "at": f"{start:%Y-%m-%d %H:%M}", "duration": duration_text(base.duration),
            "location": options["location"] or base.location,
            "interviewers": [*people, *options["interviewers"]]}


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
