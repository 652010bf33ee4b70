"""What a mail check says: the replies that ended a chase with the next useful command,
the invitations as the `followup add` they would make. Shared by `mail check`, `mail
watch` and `sync`; it registers no command."""

from __future__ import annotations

import datetime as dt
import re
import shlex
from email.utils import formataddr
from zoneinfo import ZoneInfo

from followup.app.mail import CheckReport, Found, describe
from followup.core.model import Interview


def duration_text(length: dt.timedelta) -> str:
    minutes = int(length.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    return (f"{hours}h" if hours else "") + (f"{rest}m" if rest or not hours else "")


def quote(text: str) -> str:
    """Shell quoting a person can read: double quotes unless the text needs more."""
    if re.fullmatch(r"[\w@%+=:,./-]+", text):
        return text
    if not re.search(r'["$`\\!]', text):
        return f'"{text}"'
    return shlex.quote(text)


def add_command(interview: Interview, missing: tuple[str, ...] = ()) -> str:
    """The `followup add` that stores this interview."""
    parts = ["followup", "add",
             "--company", quote(interview.company) if "company" not in missing else "COMPANY",
             "--role", quote(interview.role) if "role" not in missing else "ROLE",
             "--at", quote(f"{interview.start:%Y-%m-%d %H:%M}"), "--tz", quote(interview.tz),
             "--duration", duration_text(interview.duration)]
    if interview.location:
        parts += ["--location", quote(interview.location)]
    for contact in interview.contacts:
        parts += ["--interviewer", quote(formataddr((contact.name, contact.email or "")))]
    return " ".join(parts)


def report_lines(report: CheckReport, zone: ZoneInfo) -> tuple[list[str], list[str]]:
    """(what to print on stdout, notes and warnings for stderr)."""
    out: list[str] = []
    said: set[int] = set()
    would = "would record" if report.dry_run else "recorded"
    for reply in report.answers:
        number = reply.interview_id
        if number in said or not (reply.recorded or report.dry_run):
            continue  # a second answer in the same check: the first one counts
        said.add(number)
        letter, chase = reply.verdict.letter, reply.verdict.chase
        assert chase is not None
        when = f", {letter.date.astimezone(zone):%a %d %b %Y %H:%M}" if letter.date else ""
        out.append(f'Reply from {letter.who}{when}: "{letter.subject or "(no subject)"}"')
        out.append(f"  Interview {number} ({chase.title}): {would} 'reply' ({reply.verdict.why});"
                   " the rest of the chase is cancelled.")
        out.append(f"  Next: `followup outcome {number} --replace offer` (or second-interview,"
                   f" rejected) when it says more; `followup edit {number} --deadline YYYY-MM-DD`"
                   " when they name a new date.")
    waiting = 0
    for found in report.invitations:
        lines = _invitation_lines(found, report.dry_run and report.add)
        out += lines
        waiting += bool(lines) and found.added is None and found.problem is None \
            and not (report.dry_run and report.add)
    if waiting:
        it = "it" if waiting == 1 else "them"
        out.append(f"Run `followup mail check --add` to add {it}.")
    counts = ", ".join(f"{n} new message{'s' if n != 1 else ''} in {folder}"
                       for folder, n in report.read.items())
    out.append(f"{'Dry run: nothing recorded. ' if report.dry_run else ''}Checked: {counts or 'no folder'}.")
    notes = [f"Note: {folder} was renumbered by the server (its UIDVALIDITY changed): read it"
             " again back to the oldest open interview" for folder in report.renumbered]
    notes += [f"Warning: {line}" for line in report.unreadable]
    return out, notes


def _invitation_lines(found: Found, would_add: bool) -> list[str]:
    if found.stored_as is not None:
        return []  # added before: nothing to say
    text = describe(found.invitation)
    if found.added is not None:
        return [f"Added interview {found.added.id} from the invitation {text}."]
    proposal = found.proposal
    if proposal is None:
        return [f"Invitation {text}: {found.problem}."]
    command = add_command(proposal.interview, proposal.missing)
    if found.problem is not None:
        return [f"Invitation {text}: {found.problem}; add it with the right values:",
                f"  {command}"]
    head = "Would add the invitation" if would_add else "Invitation"
    return [f"{head} {text}:", f"  {command}"]
