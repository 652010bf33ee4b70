"""The command line: the group, the lazy command table, the one error boundary, main().

Every command lives in a module of this package and is loaded only when it runs (or for
its own `--help`), so `followup --help` imports nothing but click. Errors from below
name the value they are about (`FollowupError.field`); the boundary names the option
that carries it ("--deadline: the deadline … is before the interview").
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from typing import Any

import click

from followup.errors import FollowupError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

# Commands and the module that defines them, with their one-line help for `followup
# --help` (tests/test_docs.py checks that these match the first paragraph of each help).
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "add": ("followup.cli.interviews", "Store an interview and plan its follow-up; rewrite the calendar file."),
    "draft": ("followup.cli.drafts",
              "Print the draft of a message, or the script of a call (REF is the id from `list`)."),
    "done": ("followup.cli.tasks", "Mark tasks as done (REF is the id from `list` or a UID)."),
    "edit": ("followup.cli.edit",
             "Change an interview; every open item that depends on the change is re-planned."),
    "export": ("followup.cli.feed", "Write the follow-up as an .ics calendar."),
    "feed": ("followup.cli.feed", "The feed's URLs, token and whether your calendars have caught up."),
    "import": ("followup.cli.importing", "Add every interview of a TOML or CSV file: all of them or none."),
    "interviews": ("followup.cli.read", "Your interviews, one row each: round, state and the next open step."),
    "list": ("followup.cli.read", "Tasks of all interviews, soonest first; overdue ones are marked."),
    "mail": ("followup.cli.mail",
             "Your mailbox: invitations become interviews, drafts go to Drafts, a reply ends the chase."),
    "notes": ("followup.cli.drafts",
              "Write your notes on an interview; saving them ticks off its notes step."),
    "outcome": ("followup.cli.interviews",
                "Record the employer's answer; the rest of the chase is cancelled."),
    "plan": ("followup.cli.interviews",
             "Show the follow-up an interview would get, without storing anything."),
    "publish": ("followup.cli.feed",
                "Write the feed to a file atomically, for your own web host or a synced folder."),
    "remote": ("followup.cli.sync",
               "The CalDAV servers and vdir folders that `followup sync` keeps up to date."),
    "rm": ("followup.cli.interviews",
           "Remove an interview and all its items, everywhere: calendar file, feeds, remotes."),
    "report": ("followup.cli.drafts",
               "What you did in your job search: interviews, messages, calls and answers, by date."),
    "serve": ("followup.cli.feed",
              "Serve the calendar feeds for Google Calendar, Apple Calendar and Outlook to subscribe to."),
    "show": ("followup.cli.read", "One interview with all its items, events included."),
    "snooze": ("followup.cli.edit",
               "Move one open task later: by a duration (2d, 3h, 1w) or to a date and time."),
    "sync": ("followup.cli.sync", "Send your changes to the remotes and bring back what other apps did."),
    "undo": ("followup.cli.tasks", "Re-open tasks marked done by mistake."),
}


class FollowupCommand(click.Command):
    """A command whose errors name the option that carries the value they are about."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FollowupError as exc:
            name_option(exc, ctx.command)
            raise


def name_option(exc: FollowupError, command: click.Command) -> None:
    """Prefix the message with the option for `exc.field` ("--deadline: …"), once."""
    if exc.field is None:
        return
    for param in command.params:
        # Only options: an argument's value is quoted in the message already.
        if param.name == exc.field and isinstance(param, click.Option):
            flag = next((o for o in param.opts if o.startswith("--")), param.opts[0])
            exc.args = (f"{flag}: {exc}",)
            break
    exc.field = None


class FollowupGroup(click.Group):
    """The one error boundary: `Error: …` on stderr, exit 2 for usage errors, no traceback.

    It also loads the commands of LAZY_COMMANDS on first use.
    """

    command_class = FollowupCommand

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(LAZY_COMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in LAZY_COMMANDS:
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

    def main(self, *args: Any, **kwargs: Any) -> Any:
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


class FollowupSubgroup(click.Group):
    """A group of sub-commands (`remote`, `feed`) whose commands name options in errors."""

    command_class = FollowupCommand


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
def cli(offline: bool) -> None:
    """Plan the follow-up after a job interview and put every step in your calendar.

    \b
    Example:
      followup add --company "Acme" --role "Data Engineer" --at "2026-12-01 14:00" \\
          --interviewer "Jane Doe <jane@acme.example>" --deadline 2026-12-08
    """
    # The App (config, clock, store) is built by the command that needs it (cli/context.py).


# CPython's collector walks the young objects every 700 allocations and, every hundred walks,
# everything: a command keeps most of what it builds to its end (an import of 1,000 interviews
# holds a quarter of a million objects), so that cost about 4 % of an import. Few of our
# objects form cycles; walking young objects every 20,000 allocations and the rest rarely
# frees them all the same, for a few hundredths of a second.
COLLECT_EVERY = (20_000, 20, 20)


def main() -> None:
    gc.set_threshold(*COLLECT_EVERY)
    cli(prog_name="followup")
