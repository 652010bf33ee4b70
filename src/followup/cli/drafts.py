"""Commands for what the user writes and sends: notes, draft, report."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from followup.app.mail import draft_to_mailbox
from followup.cli import cli
from followup.cli.context import App, complete_interview, complete_item, interview_id, pass_app
from followup.cli.operations import service_of
from followup.core import drafts, inputs, proofread
from followup.core import notes as notebook
from followup.core import report as activity
from followup.core.model import Interview
from followup.core.wording import Dates, Style
from followup.errors import FollowupError, UsageError
from followup.files import write_atomic
from followup.store import ItemRow

DICTIONARY = "dictionary.txt"  # the user's own words for --check, one a line, in the config folder


@cli.command()
@click.argument("interview", shell_complete=complete_interview)
@click.option("--file", "source", metavar="PATH|-",
              help="Read the notes from a file (- for standard input) instead of opening $EDITOR.")
@pass_app
def notes(app: App, interview: str, source: str | None) -> None:
    """Write your notes on an interview; saving them ticks off its notes step.

    Opens $EDITOR on headings: what they stressed (skills, experience, traits), one "With
    NAME" per interviewer (what that person stressed: their formal note uses it), the
    questions and how they went, what to improve, why I fit (the formal notes, the status
    email and the call script use it) and points to mention in follow-ups. Write bullet
    points ("- …") under each. Lines starting with # are dropped. Run it again to change
    the notes.

    \b
    Example:
      followup notes 1
      followup notes 1 --file interview-notes.txt
    """
    number = interview_id(interview)
    service = service_of(app)
    store = service.store
    with store.snapshot():
        record = store.interview(number)
        existing = store.notes(number)
    if source is None:
        style = _style(app, record)
        when = Dates(style, app.now.astimezone(app.zone).date()).date(record.start.date())
        text = _edit(notebook.template(record, existing, style.language, when))
    else:
        text = _read(source)
    if text is None:
        click.echo(f"The notes on interview {number} are unchanged; nothing saved.")
        return
    with service.change():
        what, results = service.save_notes(number, text)
    if what != "saved":
        click.echo(f"The notes on interview {number} are {what}; nothing saved.")
        return
    click.echo(f"Saved the notes on interview {number}.")
    for row, said in results:
        click.echo(f"{row.id}  {said}: {row.summary}")


def _edit(template: str) -> str | None:
    """The edited text, or None when the editor was closed without saving."""
    try:
        return click.edit(template, extension=".txt", require_save=True)
    except click.ClickException as exc:
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "the default editor"
        reason = f": {exc.__cause__.strerror}" if isinstance(exc.__cause__, OSError) else ""
        raise FollowupError(
            f"the editor {editor!r} failed{reason}; nothing changed"
            " (set $EDITOR to an editor that works, or give the notes with --file)"
        ) from None


def _read(source: str) -> str:
    if source == "-":
        data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UsageError("cannot read the notes from standard input: it is not UTF-8 text") from None
    try:
        return Path(source).expanduser().read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"cannot read the notes file {source}: it is not UTF-8 text") from None
    except OSError as exc:
        raise UsageError(f"cannot read the notes file {source}: {exc.strerror or exc}") from None


@cli.command()
@click.argument("ref", shell_complete=complete_item(None))
@click.option("--eml", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path),
              help="Write an email file that Outlook or Thunderbird opens as an unsent draft.")
@click.option("--receipt", is_flag=True,
              help="With --eml: ask for a read receipt (Disposition-Notification-To) to your "
                   "address (config `email`, else your mailbox's).")
@click.option("--imap", "to_mailbox", is_flag=True,
              help="Put the draft into your mailbox's Drafts folder (`followup mail setup`), "
                   "answering the recruiter's last message; again: it replaces the earlier one.")
@click.option("--check", is_flag=True,
              help="List the words an offline spell checker does not know (names of the "
                   "interviewers, the company and you are fine) and placeholders left to fill "
                   "such as [Your name]; exit 1 when there are any.")
@pass_app
@click.pass_context
def draft(ctx: click.Context, app: App, ref: str, eml: Path | None, receipt: bool,
          to_mailbox: bool, check: bool) -> None:
    """Print the draft of a message, or the script of a call (REF is the id from `list`).

    Drafts exist for the thank-you email, each formal note (a card when the note is
    handwritten), the status email, the replies to an outcome, and the calls, in the
    interview's language. A file of the same name in the templates folder of your config
    folder replaces a built-in template (see `followup/core/templates/` for their names
    and contents).

    \b
    Example:
      followup draft 5
      followup draft 5 --check && followup draft 5 --eml thank-you.eml --receipt
      followup draft 5 --imap
    """
    store = app.store
    with store.snapshot():
        row = store.item_by_ref(ref)
        interview = store.interview(row.interview_id)
        notes_text = store.notes(row.interview_id)
    if not drafts.has_draft(row.step):
        raise UsageError(
            f"item {row.id} ({row.summary}) has no draft; drafts exist for the steps "
            + ", ".join(drafts.DRAFT_STEPS)
        )
    if receipt and eml is None:
        raise UsageError("--receipt goes with --eml FILE (a read receipt is a header of the email)")
    # Your address: the config's `email`, else your mailbox's (`followup mail setup`).
    address = app.config.email or (app.config.mail.me if app.config.mail else None)
    if receipt and not address:
        raise UsageError(f"--receipt: a read receipt needs your address; add"
                         f' email = "you@example.org" to {app.config.file}')
    style = _style(app, interview)
    made = drafts.draft(interview, row.key, row.step, notes_text, app.config.name,
                        app.paths.config / "templates", style=style,
                        day=app.now.astimezone(app.zone).date())
    if (eml is not None or to_mailbox) and made.form != "email":
        what = "a handwritten note" if made.form == "card" else "a call script"
        flag = "--eml" if eml is not None else "--imap"
        raise UsageError(f"item {row.id} ({row.summary}) is {what}, not an email; leave out {flag}")
    if not (app.config.name or "").strip():
        click.echo(f"Note: the draft is signed {drafts.NAME_PLACEHOLDER}; to sign with your name,"
                   f' add name = "Your Name" to {app.config.file}', err=True)
    if check:
        problems = proofread.unknown_words(made, interview, app.config.name, _own_words(app),
                                           style.language)
        problems += proofread.placeholders(made)
        for problem in problems:
            click.echo(problem)
        if problems:
            ctx.exit(1)
        click.echo("No unknown words and no placeholders.", err=True)
    if eml is not None:
        sender = (app.config.name or "", address) if address else None
        data = made.eml(app.now.astimezone(app.zone), sender, receipt)
        try:
            write_atomic(eml.expanduser(), data)
        except OSError as exc:
            raise FollowupError(f"cannot write {eml}: {exc.strerror or exc}") from None
        click.echo(f"Wrote the draft to {eml}; open it in your mail client to send it.", err=True)
    if to_mailbox:
        done = draft_to_mailbox(service_of(app), ref, made)
        replaced = {"removed": "; it replaces your earlier draft",
                    "edited": "; your earlier draft was edited since, so it is kept too",
                    "gone": ""}.get(done.earlier or "", "")
        answering = f", answering {done.replying_to}" if done.replying_to else ""
        click.echo(f"Put the draft into {done.folder}{answering}{replaced}.")
    elif eml is None and not check:
        click.echo(made.text())


def _style(app: App, interview: Interview) -> Style:
    return Style(interview.language or app.config.language, app.config.user_locale)


def _own_words(app: App) -> list[str]:
    path = app.paths.config / DICTIONARY
    try:
        return path.read_text(encoding="utf-8").split()
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise FollowupError(f"cannot read your word list {path}: {exc}") from None


@cli.command()
@click.option("--since", metavar="DATE", help="First day, YYYY-MM-DD [default: the beginning].")
@click.option("--until", metavar="DATE", help="Last day, YYYY-MM-DD [default: today].")
@click.option("--format", "fmt", type=click.Choice(["md", "csv", "json"]), default="md",
              show_default=True, help="A Markdown table, CSV with a header row, or JSON.")
@pass_app
def report(app: App, since: str | None, until: str | None, fmt: str) -> None:
    """What you did in your job search: interviews, messages, calls and answers, by date.

    One row per interview, completed task and employer's answer: date, company, role,
    step, channel, contact. Days are yours (your time zone) and both ends are included;
    the words are in your config `language`.

    \b
    Example:
      followup report --since 2026-12-01 --until 2026-12-31 --format csv > december.csv
    """
    zone = app.zone
    last = inputs.date(until, "--until date") if until else app.now.astimezone(zone).date()
    first = inputs.date(since, "--since date") if since else None
    if first is not None and first > last:
        raise UsageError(f"--since {first} is after --until {last}; swap them")
    store = app.store
    rows: list[activity.Activity] = []
    with store.snapshot():
        items: dict[int, list[ItemRow]] = {}
        for item in store.items(light=True):
            items.setdefault(item.interview_id, []).append(item)
        for interview_id in store.interview_ids():
            rows += activity.activities(store.interview(interview_id), items.get(interview_id, []),
                                        store.outcomes(interview_id), zone, app.now,
                                        app.config.language)
    style = Style(app.config.language, app.config.user_locale)
    click.echo(activity.render(activity.within(rows, first, last), fmt, first, last, style))
