"""Mail commands: `mail setup`, `mail check`, `mail watch`. Nothing is ever sent."""

from __future__ import annotations

import time

import click

from followup.app.mail import CheckReport, check, check_setup, open_mailbox, renewed, setup
from followup.app.service import Service
from followup.cli import FollowupSubgroup, cli
from followup.cli.context import App, now, pass_app
from followup.cli.mail_report import report_lines
from followup.cli.operations import service_of
from followup.cli.tls import TRUST, chosen_verify, verify_options, warn_unverified
from followup.config import MailSettings, mail_url
from followup.credentials import password_source
from followup.errors import FollowupError, UsageError
from followup.mail.imap import Mailbox


@cli.group("mail", cls=FollowupSubgroup, context_settings={"help_option_names": ["-h", "--help"]})
def mail_group() -> None:
    """Your mailbox: invitations become interviews, drafts go to Drafts, a reply ends the chase.

    followup reads your mail over IMAP and writes only to your Drafts folder: it never
    sends anything.

    \b
    Example:
      followup mail setup imaps://sam@imap.example.org --password-env MAIL_PASSWORD
    """


@mail_group.command("setup")
@click.argument("url", required=False, metavar="imaps://USER@HOST[:PORT]")
@click.option("--password-env", metavar="VAR", help="Read the password from this variable.")
@click.option("--password-command", metavar="CMD",
              help="Run this command (no shell) and use what it prints as the password.")
@click.option("--address", metavar="ADDR",
              help="Your email address, when the login is not one [default: the login].")
@click.option("--folder", "folders", multiple=True, metavar="NAME",
              help="A folder to read replies and invitations from; repeat for more"
                   " [default: INBOX, or the earlier set-up's].")
@click.option("--drafts", metavar="NAME", help="Your Drafts folder, when the server flags none.")
@verify_options
@click.option("--check", "check_only", is_flag=True,
              help="Log in with the saved set-up and list the folders it uses.")
@pass_app
def mail_setup(app: App, url: str | None, password_env: str | None, password_command: str | None,
               address: str | None, folders: tuple[str, ...], drafts: str | None,
               verify: str | None, no_verify: bool, check_only: bool) -> None:
    """Connect followup to your mailbox (IMAP over TLS), after checking that it logs in.

    The password comes from --password-env, --password-command or the system keyring
    (service "followup:mail", your login); it is never written anywhere nor printed. Use
    an app password where your provider offers one. Plain imap:// is refused except to
    this machine (127.0.0.1, ::1, localhost). A server whose certificate a private CA
    signed needs --verify with that CA's file. Setting up again keeps what the earlier
    [mail] holds (CA file, folders, timeout, ...) unless the command gives it anew.

    \b
    Examples:
      followup mail setup imaps://sam@imap.example.org --password-command "pass show mail"
      followup mail setup imaps://sam@mail.corp.example --verify ~/corp-ca.pem
      followup mail setup --check
    """
    if check_only:
        if url or password_env or password_command or address or folders or drafts or \
                verify is not None or no_verify:
            raise UsageError("--check takes no other option; it checks the saved set-up")
        mail = app.config.mail
        if mail is None:
            raise UsageError("no mailbox set up yet; run `followup mail setup imaps://USER@HOST`")
        found = check_setup(mail)
        tls, login, host, port = mail.parts
        click.echo(f"Logged in to {host}:{port} as {login} ({'TLS' if tls else 'plain, this machine'}).")
    else:
        if url is None:
            raise UsageError("give the mailbox as imaps://USER@HOST[:PORT], or --check")
        if password_env and password_command:
            raise UsageError("give --password-env or --password-command, not both")
        tls, _, host, port = mail_url(url)  # the URL's own errors first (TLS, a password in it)
        checked = chosen_verify(verify, no_verify, tls, "imaps://")
        mail, kept = renewed(app.config.mail, url, password_env=password_env,
                             password_command=password_command, address=address,
                             folders=folders or None, drafts=drafts, verify=checked)
        found = setup(app.paths, mail, TRUST)
        click.echo(f"Mail set up: {url} (password from {password_source(mail)}).")
        if kept:
            click.echo(f"  kept from the earlier set-up: {', '.join(kept)}")
        if checked is False:
            warn_unverified(f"{host}:{port}")
    click.echo(f"  reads replies and invitations in: {', '.join(found.watched)}")
    click.echo(f"  puts drafts in: {found.drafts} ({found.drafts_how})")


def _mail(app: App) -> MailSettings:
    if app.config.mail is None:
        raise UsageError("no mailbox set up; run `followup mail setup imaps://USER@HOST` first")
    return app.config.mail


@mail_group.command("check")
@click.option("--add", is_flag=True, help="Add the interviews of the invitations found.")
@click.option("--dry-run", is_flag=True, help="Show what it would do; record nothing.")
@pass_app
def mail_check(app: App, add: bool, dry_run: bool) -> None:
    """Read new mail: a reply ends the chase, an invitation becomes an interview.

    A message from an interviewer or someone else at the company's domain (never a
    free-mail one), or one answering a draft of yours, sent after the interview, records
    the outcome 'reply': the rest of the chase is cancelled in every calendar.
    Auto-replies and out-of-office messages do not count. Invitations are shown as the
    `followup add` they would make; --add makes them. Only new messages are read.

    \b
    Example:
      followup mail check --dry-run
    """
    mail = _mail(app)
    service = service_of(app)
    with open_mailbox(mail) as box:
        report = check(service, box, add=add, dry_run=dry_run)
    _print(app, report)


def _print(app: App, report: CheckReport) -> None:
    out, notes = report_lines(report, app.zone)
    for line in out:
        click.echo(line)
    for line in notes:
        click.echo(line, err=True)


@mail_group.command("watch")
@click.option("--add", is_flag=True, help="Add the interviews of invitations as they arrive.")
@pass_app
def mail_watch(app: App, add: bool) -> None:
    """Check mail whenever it arrives (IMAP IDLE), until Ctrl-C.

    The same as `followup mail check`, run again each time the server says new mail came
    into the first folder (and every 25 minutes for the others). A lost connection is
    retried after a pause.

    \b
    Example:
      followup mail watch --add
    """
    mail = _mail(app)
    pause = 5.0
    shown: set[str] = set()  # invitations told about already: said once per watch
    click.echo(f"Watching {', '.join(mail.folders)} on {mail.parts[2]}; Ctrl-C stops.")
    try:
        while True:
            try:
                with open_mailbox(mail) as box:
                    folder = box.watched()[0]
                    while True:
                        _watch_round(app, box, add, shown)
                        pause = 5.0
                        box.idle(folder)
            except FollowupError as exc:
                click.echo(f"Warning: {exc}; trying again in {pause:g} s", err=True)
                time.sleep(pause)
                pause = min(pause * 2, 300)
    except KeyboardInterrupt:
        click.echo("Stopped watching.")


def _watch_round(app: App, box: Mailbox, add: bool, shown: set[str]) -> None:
    """One check with a fresh clock and a fresh service: the watch runs for days."""
    app.now = now()
    service = Service(app.paths, app.config, app.now, store=app.store, offline=app.offline)
    report = check(service, box, add=add)
    report.invitations = [f for f in report.invitations
                          if f.stored_as is None and f.invitation.uid not in shown]
    shown.update(f.invitation.uid for f in report.invitations)
    if report.answers or report.invitations or report.unreadable:
        _print(app, report)
    for warning in dict.fromkeys(service.warnings):
        click.echo(f"Warning: {warning}", err=True)
