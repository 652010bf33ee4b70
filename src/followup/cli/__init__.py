"""The command-line surface: parse, call the service, format. No logic of its own."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from followup.core.vocab import CHANNELS, NOTE_KINDS, OUTCOMES
from followup.errors import FollowupError, UsageError

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from followup.config import Config, Paths
    from followup.core.model import Contact, Interview

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class App:
    """Per-invocation context: where things live, the config, the clock, the service."""

    def __init__(self) -> None:
        # Imported here, not at the top: `followup --help` never builds an App.
        from followup.config import load_config, paths, system_timezone

        self.paths: Paths = paths()
        self.config: Config = load_config(self.paths)
        self.now = _now()
        self.user_tz = self.config.timezone or system_timezone()
        self.offline = False  # `--offline`: the sync push after a change waits for `followup sync`
        self._service: Any = None
        self._store: Any = None

    @property
    def color(self) -> bool:
        """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
        return sys.stdout.isatty() and not os.environ.get("NO_COLOR")

    @property
    def zone(self) -> ZoneInfo:
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.user_tz)

    @property
    def store(self) -> Any:
        """The store alone, for commands that only read (`list`, `show`): opening it does not
        import the planner, the renderer or the drafts. Shared with the service once it exists."""
        if self._service is not None:
            return self._service.store
        if self._store is None:
            from followup.store import Store

            self._store = Store(self.paths.database)
        return self._store

    @property
    def service(self) -> Any:
        if self._service is None:
            from followup.app.service import Service

            # One connection per command: the one `list`/`show` opened, if any.
            self._service = Service(self.paths, self.config, self.now, store=self._store)
        return self._service


def _now() -> dt.datetime:
    # FOLLOWUP_NOW pins the clock for reproducible samples and tests.
    fixed = os.environ.get("FOLLOWUP_NOW")
    if fixed:
        try:
            value = dt.datetime.fromisoformat(fixed)
        except ValueError:
            raise UsageError(f"FOLLOWUP_NOW={fixed!r} is not an ISO 8601 date and time") from None
        if value.tzinfo is None:
            raise UsageError(f"FOLLOWUP_NOW={fixed!r} needs a UTC offset, e.g. +00:00")
        return value
    return dt.datetime.now(dt.timezone.utc)


pass_app = click.make_pass_decorator(App)

def after_change(app: App) -> None:
    """After every command that changed the store (and committed): publish the feed files
    and push to the remotes, each only when configured, so their modules load only then."""
    if app.config.raw.get("feed"):
        from followup.cli.feed import publish_after_change

        publish_after_change(app)
    if app.config.raw.get("remote"):
        from followup.cli.sync import push_after_change

        push_after_change(app)


# Commands that live in their own modules, loaded only when one of them runs (or for
# `--help` of that command): `followup --help` shows their one-line help from here.
# tests/test_docs.py checks that these match the first paragraph of each command's help.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "draft": ("followup.cli.drafts",
              "Print the draft of a message, or the script of a call (REF is the id from `list`)."),
    "edit": ("followup.cli.edit",
             "Change an interview; every open item that depends on the change is re-planned."),
    "feed": ("followup.cli.feed", "The feed's URLs and token."),
    "notes": ("followup.cli.drafts",
              "Write your notes on an interview; saving them ticks off its notes step."),
    "publish": ("followup.cli.feed",
                "Write the feed to a file atomically, for your own web host or a synced folder."),
    "remote": ("followup.cli.sync",
               "The CalDAV servers and vdir folders that `followup sync` keeps up to date."),
    "report": ("followup.cli.drafts",
               "What you did in your job search: interviews, messages, calls and answers, by date."),
    "serve": ("followup.cli.feed",
              "Serve the calendar feeds for Google Calendar, Apple Calendar and Outlook to subscribe to."),
    "snooze": ("followup.cli.edit",
               "Move one open task later: by a duration (2d, 3h, 1w) or to a date and time."),
    "sync": ("followup.cli.sync", "Send your changes to the remotes and bring back what other apps did."),
}


class FollowupGroup(click.Group):
    """The one error boundary: `Error: …` on stderr, exit 2 for usage errors, no traceback.

    It also loads the commands of LAZY_COMMANDS on first use.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(LAZY_COMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in LAZY_COMMANDS:
            import importlib

            importlib.import_module(LAZY_COMMANDS[name][0])  # registers its commands on `cli`
        return self.commands.get(name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            if name in self.commands:
                rows.append((name, self.commands[name].get_short_help_str(limit)))
            else:
                rows.append((name, _shortened(LAZY_COMMANDS[name][1], limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def main(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.exceptions.NoArgsIsHelpError as exc:
            # `followup` alone: the help, as `followup --help` shows it.
            click.echo(exc.ctx.get_help() if exc.ctx else exc.format_message())
            sys.exit(0)
        except click.UsageError as exc:
            hint = ""
            if exc.ctx is not None:
                hint = f" (see '{exc.ctx.command_path} --help')"
            _fail(exc.format_message().rstrip(".") + hint, 2)
        except click.Abort:
            _fail("aborted", 1)
        except FollowupError as exc:
            _fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except OSError as exc:  # a file we could not write: nothing was committed
            where = f" {exc.filename}" if exc.filename else ""
            _fail(f"cannot write{where}: {exc.strerror or exc}; nothing changed", 1)
        except Exception as exc:  # noqa: BLE001 - the promise is: never a traceback
            if os.environ.get("FOLLOWUP_DEBUG"):
                raise
            if type(exc).__module__ == "sqlite3":  # not imported here: start-up stays cheap
                _fail(f"the database could not be used ({exc}); if another followup is still"
                      " running, try again when it has finished", 1)
            _fail(f"unexpected {type(exc).__name__}: {exc} (set FOLLOWUP_DEBUG=1 for details)", 1)
        sys.exit(result if isinstance(result, int) else 0)


def _shortened(text: str, limit: int) -> str:
    """A first help line cut to `limit` the way click cuts the others: at a word, with '...'."""
    if len(text) <= limit:
        return text
    words, out = text.split(), ""
    for word in words:
        if len(out) + len(word) + 1 + 3 > limit:
            break
        out = f"{out} {word}" if out else word
    return out + "..."


def _fail(message: str, code: int) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


@click.group("followup", cls=FollowupGroup, context_settings=CONTEXT)
@click.version_option(package_name="followup", message="followup %(version)s")
@click.option("--offline", is_flag=True,
              help="Do not send this change to your remotes now; `followup sync` sends it later.")
@click.pass_context
def cli(ctx: click.Context, offline: bool) -> None:
    """Plan the follow-up after a job interview and put every step in your calendar.

    \b
    Example:
      followup add --company "Acme" --role "Data Engineer" --at "2026-12-01 14:00" \\
          --interviewer "Jane Doe <jane@acme.example>" --deadline 2026-12-08
    """
    app = ctx.obj = App()
    app.offline = offline
    ctx.call_on_close(lambda: _warn(app))


def _warn(app: App) -> None:
    # Problems that did not stop the command (a busy calendar that cannot be read).
    if app._service is not None:
        for message in dict.fromkeys(app._service.warnings):
            click.echo(f"Warning: {message}", err=True)


# -- interview options shared by add and plan --------------------------------------------


def interview_options(func: Any) -> Any:
    options = [
        click.option("--company", required=True, help="The employer."),
        click.option("--role", required=True, help="The position you interviewed for."),
        click.option("--at", "at", required=True, metavar="DATETIME",
                     help="Interview start, 'YYYY-MM-DD HH:MM' in --tz."),
        click.option("--duration", default="1h", show_default=True, help="Length, e.g. 45m or 1h30m."),
        click.option("--tz", metavar="ZONE", help="IANA zone of the interview [default: yours]."),
        click.option("--interviewer", "interviewers", multiple=True, metavar='"NAME <EMAIL>"',
                     help="An interviewer; repeat for a panel."),
        click.option("--contact-tz", "contact_tzs", multiple=True, metavar="ZONE",
                     help="The zone of the interviewer given at the same position (calls go to "
                          "their morning); a country code works when it has one zone."),
        click.option("--country", metavar="CODE",
                     help="Skip this country's public holidays, e.g. GB, US-CA, GB-SCT "
                          "[default: config `country`]."),
        click.option("--deadline", metavar="DATE",
                     help="The date they promised an answer [default: a week later, assumed]."),
        click.option("--channel", type=click.Choice(CHANNELS), default="email", show_default=True,
                     help="How they said they would answer."),
        click.option("--note", type=click.Choice(NOTE_KINDS), default="email", show_default=True,
                     help="Formal note by email or handwritten."),
        click.option("--location", default="", help="Address or video link."),
        click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def contacts_with_zones(texts: Sequence[str], zones: Sequence[str], first_key: int) -> list[Contact]:
    """Interviewers from --interviewer, each with the --contact-tz at the same position."""
    from followup.core import inputs

    if len(zones) > len(texts):
        raise UsageError("more --contact-tz than interviewers; give one per --interviewer, in order")
    return [
        inputs.interviewer(text, key, inputs.contact_zone(zones[n]) if n < len(zones) else None)
        for n, (key, text) in enumerate(enumerate(texts, first_key))
    ]


def build_interview(app: App, company: str, role: str, at: str, duration: str, tz: str | None,
                    interviewers: Sequence[str], contact_tzs: Sequence[str], country: str | None,
                    deadline: str | None, channel: str, note: str, location: str) -> Interview:
    from followup.core import inputs

    return inputs.interview(
        company=company, role=role, at=at, tz=tz or app.user_tz, length=duration,
        deadline=deadline, channel=channel, note=note, location=location,
        contacts=tuple(contacts_with_zones(interviewers, contact_tzs, 1)), holidays=country,
    )


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
    service = app.service
    with service.store.transaction():
        stored = service.add(interview)
        path = service.write_calendar()
    after_change(app)
    if as_json:
        click.echo(_show_json(app, stored.id))
        return
    click.echo(f"Added interview {stored.id}.")
    _print_show(app, stored.id)
    click.echo(f"\nCalendar file: {path}")


@cli.command("plan")
@interview_options
@pass_app
def plan_(app: App, as_json: bool, **options: Any) -> None:
    """Show the follow-up an interview would get, without storing anything.

    \b
    Example:
      followup plan --company "Acme" --role "Data Engineer" --at "2026-12-01 14:00"
    """
    from followup.cli.output import interview_doc, interview_header, planned_doc, planned_rows, to_json

    interview = build_interview(app, **options)
    items = app.service.preview(interview)
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
    from followup.app.importer import read_interviews

    interviews = read_interviews(file, app.user_tz)
    service = app.service
    with service.store.transaction():
        added = [service.add(interview) for interview in interviews]
        path = service.write_calendar()
    after_change(app)
    click.echo(f"Imported {len(added)} interview{'s' if len(added) != 1 else ''} from {file}.")
    for interview in added:
        click.echo(f"  {interview.id}  {interview.start:%a %d %b %Y %H:%M} {interview.tz}"
                   f"  {interview.role} at {interview.company}")
    click.echo(f"Calendar file: {path}")


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
    from followup.cli.output import item_rows, json_lines_array

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


def _interview_id(text: str) -> int:
    if not text.strip().isdigit():
        raise UsageError(f"no interview {text!r}; give the number shown by `followup list`")
    return int(text)


def _show_json(app: App, interview_id: int) -> str:
    from followup.cli.output import interview_doc, item_doc, to_json

    store = app.store
    interview = store.interview(interview_id)
    return to_json({
        "interview": interview_doc(interview, store.outcomes(interview_id)),
        "items": [item_doc(row) for row in store.items(interview_id, light=True)],
        "notes": store.notes(interview_id),
    })


def _print_show(app: App, interview_id: int) -> None:
    from followup.cli.output import interview_header, item_rows

    store = app.store
    interview = store.interview(interview_id)
    for line in interview_header(interview, store.outcomes(interview_id), app.zone):
        click.echo(line)
    click.echo()
    for line in item_rows(store.items(interview_id, light=True), app.now, app.zone, color=app.color):
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
    interview_id = _interview_id(interview)
    with app.store.snapshot():
        if as_json:
            click.echo(_show_json(app, interview_id))
        else:
            _print_show(app, interview_id)


def _parse_when(app: App, text: str | None) -> dt.datetime | None:
    from followup.core import inputs

    return inputs.datetime(text, app.user_tz, "time (--at)") if text else None


@cli.command()
@click.argument("refs", nargs=-1, required=True, metavar="REF...")
@click.option("--at", "at", metavar="DATETIME", help="When you did it [default: now].")
@pass_app
def done(app: App, refs: tuple[str, ...], at: str | None) -> None:
    """Mark tasks as done (REF is the id from `list` or a UID).

    \b
    Example:
      followup done 4 5
    """
    when = _parse_when(app, at)
    if when is not None and when > app.now:
        raise UsageError("--at is in the future; give the time you actually did it")
    _check_off(app, lambda service: service.done(refs, when))


@cli.command()
@click.argument("refs", nargs=-1, required=True, metavar="REF...")
@pass_app
def undo(app: App, refs: tuple[str, ...]) -> None:
    """Re-open tasks marked done by mistake.

    \b
    Example:
      followup undo 4
    """
    _check_off(app, lambda service: service.undo(refs))


def _check_off(app: App, action: Any) -> None:
    service = app.service
    with service.store.transaction():
        results = action(service)
        service.write_calendar()
    after_change(app)
    for row, what in results:
        click.echo(f"{row.id}  {what}: {row.summary}")


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
    interview_id = _interview_id(interview)
    when = _parse_when(app, at)
    service = app.service
    with service.store.transaction():
        recorded = service.outcome(interview_id, result, when)
        service.write_calendar()
    if recorded:
        after_change(app)
    if not recorded:
        click.echo(f"Interview {interview_id} already has the outcome {result!r}; nothing changed.")
        return
    click.echo(f"Recorded {result!r} for interview {interview_id}.")
    with service.store.snapshot():
        _print_show(app, interview_id)


@cli.command()
@click.option("-o", "--output", default="-", metavar="FILE|-", help="Where to write [default: stdout].")
@click.option("--profile", type=click.Choice(["full", "events", "tasks"]), default="full",
              show_default=True,
              help="full: events + tasks (Thunderbird, Evolution, Nextcloud); events: Google, "
                   "Outlook, Apple Calendar; tasks: Reminders, todoman.")
@pass_app
def export(app: App, output: str, profile: str) -> None:
    """Write the follow-up as an .ics calendar.

    \b
    Example:
      followup export --profile events -o ~/followup-google.ics
    """
    from followup.app.service import write_atomic

    service = app.service
    with service.store.snapshot():
        data = service.calendar_bytes(profile)
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        write_atomic(Path(output).expanduser(), data)
    except OSError as exc:
        raise FollowupError(f"cannot write {output}: {exc.strerror or exc}") from None
    click.echo(f"Wrote {profile} calendar to {output}", err=True)


def main() -> None:
    cli(prog_name="followup")

