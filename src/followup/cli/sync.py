"""Sync commands: `remote add/list/remove` and `sync`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from followup.app.mail import check, open_mailbox
from followup.app.remotes import add_remote, remove_remote, sync_remote
from followup.cli import FollowupSubgroup, cli
from followup.cli.context import App, pass_app
from followup.cli.mail_report import report_lines
from followup.cli.operations import service_of
from followup.cli.output import table, to_json
from followup.cli.tls import TRUST, chosen_verify, verify_options, warn_unverified
from followup.config import Remote
from followup.credentials import password_source
from followup.errors import FollowupError, UsageError


@cli.group("remote", cls=FollowupSubgroup, context_settings={"help_option_names": ["-h", "--help"]})
def remote_group() -> None:
    """The CalDAV servers and vdir folders that `followup sync` keeps up to date.

    \b
    Example:
      followup remote add work https://dav.example.org/ --username me --password-env DAV_PW
    """


@remote_group.command("add")
@click.argument("name")
@click.argument("url", required=False)
@click.option("--vdir", type=click.Path(file_okay=False, path_type=Path),
              help="A folder with one .ics file per item (khal, todoman, vdirsyncer).")
@click.option("--username", help="The CalDAV login.")
@click.option("--password-env", metavar="VAR", help="Read the password from this variable.")
@click.option("--password-command", metavar="CMD",
              help="Run this command (no shell) and use what it prints as the password.")
@click.option("--calendar", metavar="NAME_OR_URL",
              help="The collection for events (and for tasks if it takes them too).")
@click.option("--tasks-calendar", metavar="NAME_OR_URL", help="The collection for tasks.")
@click.option("--create", is_flag=True,
              help="Create missing calendars on the server, or the --vdir folder.")
@click.option("--no-auto-push", is_flag=True,
              help="Send changes only on `followup sync`, not after every command.")
@verify_options
@pass_app
def remote_add(app: App, name: str, url: str | None, vdir: Path | None, username: str | None,
               password_env: str | None, password_command: str | None, calendar: str | None,
               tasks_calendar: str | None, create: bool, no_auto_push: bool,
               verify: str | None, no_verify: bool) -> None:
    """Add a CalDAV server (NAME URL) or a vdir folder (NAME --vdir PATH).

    Without --password-env or --password-command the password comes from the system
    keyring (service "followup:NAME") when the keyring package is installed.
    Passwords are never written anywhere. A server whose certificate a private CA
    signed needs --verify with that CA's file.

    \b
    Examples:
      followup remote add work https://dav.example.org/ --username me \\
          --password-command "pass show dav" --tasks-calendar Reminders
      followup remote add nas https://nas.home.arpa:5006/ --username sam \\
          --password-env DAV_PW --verify ~/nas-ca.pem
      followup remote add todo --vdir ~/.local/share/vdirsyncer/tasks
      followup remote add local --vdir ~/calendars/followup --create
    """
    if bool(url) == bool(vdir):
        raise UsageError("give either a URL (CalDAV) or --vdir PATH")
    if password_env and password_command:
        raise UsageError("give --password-env or --password-command, not both")
    if vdir is not None and (username or password_env or password_command or calendar
                             or tasks_calendar):
        raise UsageError("--vdir takes no login or calendar options")
    tls = url is not None and url.lower().startswith("https://")
    checked = chosen_verify(verify, no_verify, tls, "https://")
    if url is not None and _has_password(url):
        # It would be written to config.toml and echoed: refuse it without repeating it.
        raise UsageError("the URL holds a password; give the URL without it, the login with"
                         " --username and the password with --password-env or --password-command")
    remote = Remote(name, url=url, username=username, calendar=calendar,
                    tasks_calendar=tasks_calendar, password_env=password_env,
                    password_command=password_command, auto_push=not no_auto_push,
                    vdir=str(vdir) if vdir is not None else None,
                    verify=True if checked is None else checked)
    saved = add_remote(app.paths, app.config, remote, create=create, trust=TRUST)
    if saved.vdir is not None:
        click.echo(f"Added remote '{name}': vdir {saved.vdir}")
        return
    click.echo(f"Added remote '{name}': CalDAV {url}")
    click.echo(f"  events: {saved.calendar or '(none: no calendar takes events)'}")
    click.echo(f"  tasks:  {saved.tasks_calendar or '(none: no calendar takes tasks)'}")
    if checked is False:
        warn_unverified(urlsplit(url or "").netloc)
    click.echo("Run `followup sync` to send your follow-up there.")


def _has_password(url: str) -> bool:
    try:
        return urlsplit(url).password is not None
    except ValueError:
        return False  # a malformed URL: add_remote says so


@remote_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_app
def remote_list(app: App, as_json: bool) -> None:
    """The remotes in config.toml (passwords are never shown).

    \b
    Example:
      followup remote list
    """
    docs = [{
        "name": r.name, "kind": r.kind, "url": r.url, "vdir": r.vdir, "username": r.username,
        "calendar": r.calendar, "tasks_calendar": r.tasks_calendar,
        "password": password_source(r), "auto_push": r.auto_push,
    } for r in sorted(app.config.remotes.values(), key=lambda r: r.name)]
    if as_json:
        click.echo(to_json(docs))
        return
    if not docs:
        click.echo("No remotes; add one with `followup remote add`.")
        return
    rows = []
    for d in docs:
        where = d["vdir"] if d["kind"] == "vdir" else d["url"]
        login = f"user {d['username']}, password from {d['password']}" if d["username"] else ""
        push = "" if d["auto_push"] else "sync only"
        rows.append((str(d["name"]), str(d["kind"]), str(where), "; ".join(x for x in (login, push) if x)))
    for line in table(rows):
        click.echo(line.rstrip())


@remote_group.command("remove")
@click.argument("name")
@pass_app
def remote_remove(app: App, name: str) -> None:
    """Forget a remote (what it holds stays there).

    \b
    Example:
      followup remote remove work
    """
    store = app.store if app.paths.database.exists() else None
    remove_remote(app.paths, app.config, store, name)
    click.echo(f"Removed remote '{name}'.")


@cli.command("sync")
@click.argument("name", required=False)
@click.option("--json", "as_json", is_flag=True,
              help='Print [{"remote", "created", "updated", "deleted", "pulled", '
                   '"conflicts", "errors"}, …].')
@pass_app
@click.pass_context
def sync_(ctx: click.Context, app: App, name: str | None, as_json: bool) -> None:
    """Send your changes to the remotes and bring back what other apps did.

    A task checked off in Reminders, Thunderbird or todoman counts like `followup done`;
    a moved time becomes yours; a deleted item is dismissed. With a mailbox set up
    (`followup mail setup`), new mail is checked first, as `followup mail check` does.

    \b
    Example:
      followup sync work
    """
    remotes = app.config.remotes
    if name is not None and name not in remotes:
        raise UsageError(f"no remote '{name}'; `followup remote list` shows them")
    if not remotes and app.config.mail is None:
        raise UsageError("no remote to sync with; add one with `followup remote add`")
    mail_failed = False
    if app.config.mail is not None and name is None:
        # Mail first: a reply cancels the chase, and the push below takes that along.
        try:
            with open_mailbox(app.config.mail) as box:
                mail_report = check(service_of(app), box)
        except FollowupError as exc:
            click.echo(f"Error: {exc}", err=True)
            mail_failed = True
        else:
            out, notes = report_lines(mail_report, app.zone)
            for line in out:
                click.echo(line, err=as_json)
            for line in notes:
                click.echo(line, err=True)
    chosen = [remotes[name]] if name else [remotes[n] for n in sorted(remotes)]
    reports = []
    for remote in chosen:
        with _ProgressBar(remote.name, enabled=not as_json) as bar:
            reports.append(sync_remote(service_of(app), remote, progress=bar.update))
    if as_json:
        click.echo(to_json([r.doc() for r in reports]))
    for report in reports:
        if not as_json:
            click.echo(f"{report.remote}: {report.created} created, {report.updated} updated, "
                       f"{report.deleted} deleted, {report.pulled} pulled, "
                       f"{report.conflicts} conflict{'s' if report.conflicts != 1 else ''}"
                       f"{' resolved' if report.conflicts else ''}")
        for note in report.notes:
            click.echo(f"Note: {report.remote}: {note}", err=True)
        for error in report.errors:
            click.echo(f"Error: {error}", err=True)
    if mail_failed or any(r.errors for r in reports):
        ctx.exit(1)


class _ProgressBar:
    """A bar on stderr for pushes long enough to wait for (a first sync of many items);
    only on a terminal, and never for a handful of writes."""

    MIN_WRITES = 25

    def __init__(self, remote: str, enabled: bool) -> None:
        self.label = f"Sending to {remote}"
        self.enabled = enabled and sys.stderr.isatty()
        self.bar: Any = None

    def update(self, done: int, total: int) -> None:
        if not self.enabled or total < self.MIN_WRITES:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
