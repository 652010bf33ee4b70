"""The mailbox operations: set it up, add an interview from an invitation, put a draft in
the Drafts folder, and check for replies and invitations. Nothing here sends mail.

The network comes first and the store after: a check reads what is new, then records it
in one `service.change()` (outcomes, invitations, the folders' UIDNEXT together), so a
check cut short records nothing and the next one reads the same messages again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from followup.app.service import Service
from followup.config import MailSettings, Paths
from followup.config_edit import save_mail
from followup.core.drafts import Draft
from followup.core.invite import Invitation, read_invitation
from followup.core.letters import (
    Chase,
    Letter,
    Verdict,
    company_domains,
    is_no_reply,
    judge,
    mailbox_draft,
    read_letter,
)
from followup.core.model import Contact, Interview, interview_uid
from followup.credentials import mail_password
from followup.errors import UsageError
from followup.mail.imap import Mailbox, digest
from followup.mail.state import Draft as DraftRow
from followup.mail.state import FolderMark, MailState, Pending

FIRST_LOOK = dt.timedelta(days=30)  # how far back a first check (or a renumbered folder) reads


def open_mailbox(mail: MailSettings, trust: str | None = None) -> Mailbox:
    """Logged in; `trust` is how the command lets the user trust a private CA (see Mailbox)."""
    return Mailbox(mail, mail_password(mail), trust)


# -- set-up -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Folders:
    watched: list[str]
    drafts: str
    drafts_how: str


def check_setup(mail: MailSettings, trust: str | None = None) -> Folders:
    """Log in and find the folders a check reads and where drafts go."""
    with open_mailbox(mail, trust) as box:
        drafts, how = box.drafts_folder()
        return Folders(box.watched(), drafts, how)


_PASSWORD = ("password_env", "password_command")


def renewed(earlier: MailSettings | None, url: str, **given: Any) -> tuple[MailSettings, list[str]]:
    """The set-up `mail setup URL` saves, and the keys of the earlier `[mail]` it kept.

    What the command gives wins; every other key of the earlier set-up stays (a CA file,
    a timeout, folders the user wrote by hand), so a new server or password source does
    not silently drop them. The password has one source: giving one replaces the other.
    `given` holds the other keys of MailSettings, None for not given.
    """
    chosen = {k: v for k, v in given.items() if v is not None}
    if earlier is None:
        return MailSettings(url=url, **chosen), []
    if chosen.keys() & set(_PASSWORD):
        chosen = {**dict.fromkeys(_PASSWORD), **chosen}
    unset = MailSettings(url=url)
    kept = [f.name for f in fields(MailSettings) if f.name != "url" and f.name not in chosen
            and getattr(earlier, f.name) != getattr(unset, f.name)]
    return replace(earlier, url=url, **chosen), kept


def setup(paths: Paths, mail: MailSettings, trust: str | None = None) -> Folders:
    """Check a set-up against the server, then write `[mail]` to config.toml."""
    folders = check_setup(mail, trust)
    save_mail(paths.config_file, mail)
    return folders


# -- invitations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    """The interview an invitation would become, or why it cannot yet."""

    invitation: Invitation
    interview: Interview  # with COMPANY / ROLE standing for what is missing
    missing: tuple[str, ...] = ()  # "company", "role": what the user must give

    @property
    def ready(self) -> bool:
        return not self.missing


def me_of(service: Service, me: str | None) -> list[str]:
    mail = service.config.mail
    found = [m for m in (me, mail.me if mail else None) if m]
    return [m.lower() for m in found]


def read_invitation_file(path: Path, user_tz: str) -> Invitation:
    try:
        data = path.expanduser().read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read the invitation {path}: {exc.strerror or exc}") from None
    return read_invitation(data, user_tz)


def propose(invitation: Invitation, me: list[str], company: str | None = None,
            role: str | None = None) -> Proposal:
    """The interview an invitation gives; `company` and `role` win over the title's."""
    if not me:  # an email sent to one of its attendees alone was sent to the user
        attendees = {p.email for p in invitation.attendees}
        mine = [r for r in invitation.recipients if r in attendees]
        me = mine if len(mine) == 1 else []
    if not me and invitation.attendees:
        raise UsageError("say which attendee you are with --me ADDR (or set up your mailbox"
                         " with `followup mail setup`): the others are the interviewers",
                         field="me")
    people = invitation.interviewers(me)
    guessed_company, guessed_role = invitation.company_and_role(people)
    company = company or guessed_company
    role = role or guessed_role
    missing = tuple(name for name, value in (("company", company), ("role", role)) if not value)
    company, role = company or "COMPANY", role or "ROLE"
    contacts = tuple(Contact(key=n + 1, name=p.name, email=p.email) for n, p in enumerate(people))
    interview = Interview(
        uid=interview_uid(company, role, invitation.start), company=company, role=role,
        start=invitation.start, duration=invitation.duration, tz=invitation.tz,
        location=invitation.location, contacts=contacts,
    )
    return Proposal(invitation, interview, missing)


def add_invitation(service: Service, invitation: Invitation, interview: Interview) -> Interview:
    """Store an interview made from an invitation; the same invitation twice is refused.
    Run it inside `service.change()`."""
    state = MailState(service.store.db)
    known = state.invitation(invitation.uid)
    if known is not None and known[0] is not None:
        raise UsageError(f"this invitation was added already as interview {known[0]}"
                         f" (its UID {invitation.uid}); `followup show {known[0]}` shows it")
    stored = service.add(interview)
    assert stored.id is not None
    state.add_invitation(invitation.uid, stored.id, service.now)
    if invitation.message_id and invitation.sender is not None:
        # The invitation's email is the recruiter's latest message: drafts answer it.
        state.set_thread(stored.id, invitation.message_id, service.now)
    return stored


# -- drafts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drafted:
    folder: str
    message_id: str
    replying_to: str | None
    earlier: str | None  # "removed", "gone", "edited" or None when there was none


def draft_to_mailbox(service: Service, ref: str, made: Draft) -> Drafted:
    """Append the draft of an item to the Drafts folder; drafting again replaces our
    earlier draft unless the user changed it. The open task then says where it is."""
    from email.utils import make_msgid

    mail = service.config.mail
    if mail is None:
        raise UsageError("no mailbox set up; run `followup mail setup imaps://USER@HOST` first")
    store = service.store
    state = MailState(store.db)
    with store.snapshot():
        row = store.item_by_ref(ref)
        earlier = state.current_draft(row.uid)
        replying_to = state.thread(row.interview_id)
    me = mail.me
    message_id = make_msgid(domain=me.rpartition("@")[2] if me else "followup.invalid")
    sent = service.now.astimezone(ZoneInfo(service.config.user_tz))
    data = mailbox_draft(made.eml(sent), message_id, me, service.config.name, replying_to)
    with open_mailbox(mail) as box:
        folder, _ = box.drafts_folder()
        box.append_draft(folder, data, service.now)
        what = box.remove_draft(earlier.folder, earlier.message_id, earlier.digest) \
            if earlier is not None else None
    with service.change():
        state.add_draft(DraftRow(message_id, row.interview_id, row.uid, folder, digest(data)),
                        service.now)
        service.replan(store.interview(row.interview_id))
    return Drafted(folder, message_id, replying_to, what)


# -- checking -------------------------------------------------------------------------------


@dataclass
class Reply:
    verdict: Verdict
    recorded: bool = False  # the outcome was recorded by this check

    @property
    def interview_id(self) -> int:
        assert self.verdict.chase is not None
        return self.verdict.chase.interview_id


@dataclass
class Found:
    """An invitation found in the mailbox, and what became of it."""

    invitation: Invitation
    folder: str
    uidvalidity: int
    uid: int
    proposal: Proposal | None = None
    added: Interview | None = None
    stored_as: int | None = None  # the interview it was added as before
    problem: str | None = None  # why it cannot be added


@dataclass
class CheckReport:
    read: dict[str, int] = field(default_factory=dict)  # folder → messages read
    replies: list[Reply] = field(default_factory=list)  # messages about an interview
    invitations: list[Found] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    renumbered: list[str] = field(default_factory=list)  # folders whose UIDVALIDITY changed
    dry_run: bool = False
    add: bool = False

    @property
    def answers(self) -> list[Reply]:
        return [r for r in self.replies if r.verdict.ends_chase]


def chases(service: Service) -> list[Chase]:
    store = service.store
    drafts = MailState(store.db).draft_ids()
    out = []
    for interview_id in store.interview_ids():
        interview = store.interview(interview_id)
        people = frozenset(c.email.lower() for c in interview.contacts if c.email)
        out.append(Chase(
            interview_id=interview_id, title=interview.title, start=interview.start,
            end=interview.end, people=people, domains=company_domains(people),
            drafts=drafts.get(interview_id, frozenset()),
            open=not store.outcomes(interview_id),
        ))
    return out


def check(service: Service, box: Mailbox, *, add: bool = False, dry_run: bool = False) -> CheckReport:
    """Read what is new in the watched folders; record replies (outcome `reply`, the rest
    of the chase cancelled) and, with `add`, the interviews of invitations."""
    report = CheckReport(dry_run=dry_run, add=add)
    me = me_of(service, None)
    user_tz = service.config.user_tz
    store = service.store
    state = MailState(store.db)
    watched = box.watched()  # the network before the store: no read transaction waits on it
    with store.snapshot():
        known = chases(service)
        marks = {folder: state.mark(folder) for folder in watched}
        pending = state.pending()
    earliest = min((c.start for c in known if c.open), default=service.now)
    since = min(service.now - FIRST_LOOK, earliest).date() - dt.timedelta(days=1)
    new_marks: list[FolderMark] = []
    gone: list[str] = []
    for folder, mark in marks.items():
        status = box.examine(folder)
        if mark is not None and mark.uidvalidity == status.uidvalidity:
            uids = box.uids_from(mark.uidnext) if status.uidnext != mark.uidnext else []
        else:
            if mark is not None:
                report.renumbered.append(folder)
            uids = box.uids_since(since)
        report.read[folder] = len(uids)
        for header in box.headers(uids):
            letter = read_letter(header.uid, header.header, header.arrived)
            found = _invitation(box, header.uid, letter, folder, status.uidvalidity, user_tz,
                                report) if header.has_calendar else None
            if found is not None:
                report.invitations.append(found)
                continue
            verdict = judge(letter, known, me)
            if verdict.chase is not None:
                report.replies.append(Reply(verdict))
        seen = {f.invitation.uid for f in report.invitations}
        for item in pending:  # found by an earlier check and not added yet
            if item.folder != folder or item.uid in seen:
                continue
            found = None
            if item.uidvalidity == status.uidvalidity:
                letter = read_letter(item.message_uid, b"")
                found = _invitation(box, item.message_uid, letter, folder, status.uidvalidity,
                                    user_tz, report)
            if found is not None and found.invitation.uid == item.uid:
                report.invitations.append(found)
            else:  # deleted, moved, or the folder was renumbered and it is older than `since`
                gone.append(item.uid)
        last = max(uids, default=0)
        new_marks.append(FolderMark(folder, status.uidvalidity, max(status.uidnext, last + 1)))
    with store.snapshot():
        for found in report.invitations:
            _propose(service, state, found, me)
    if not dry_run:
        _record(service, report, new_marks, gone, add)
    return report


def _invitation(box: Mailbox, uid: int, letter: Letter, folder: str, uidvalidity: int,
                user_tz: str, report: CheckReport) -> Found | None:
    """The invitation a message carries when it looks like an interview; None for other
    messages (a calendar part that is no invitation, a meeting that is no interview)."""
    data = box.message(uid)
    if data is None:
        return None
    try:
        invitation = read_invitation(data, user_tz)
    except UsageError as exc:
        if "carries no invitation" in str(exc) or "not an invitation" in str(exc):
            return None
        subject = f' "{letter.subject}"' if letter.subject else ""
        report.unreadable.append(f"{folder} message {uid}{subject}: the invitation cannot be"
                                 f" read ({exc}); skipped")
        return None
    if not invitation.looks_like_interview():
        return None
    return Found(invitation, folder, uidvalidity, uid)


def _propose(service: Service, state: MailState, found: Found, me: list[str]) -> None:
    invitation = found.invitation
    known = state.invitation(invitation.uid)
    if known is not None and known[0] is not None:
        found.stored_as = known[0]
        return
    try:
        found.proposal = propose(invitation, me)
    except UsageError as exc:
        found.problem = str(exc)
        return
    interview = found.proposal.interview
    if not found.proposal.ready:
        found.problem = "it does not say the " + " or the ".join(found.proposal.missing)
        return
    # Added by hand before the invitation was seen: the same interview.
    found.stored_as = service.store.find_interview(interview.company, interview.role,
                                                   interview.start)


def _record(service: Service, report: CheckReport, marks: list[FolderMark], gone: list[str],
            add: bool) -> None:
    """Everything a check learned, in one change: nothing twice, nothing half."""
    store = service.store
    state = MailState(store.db)
    with service.change():
        for reply in report.replies:
            letter = reply.verdict.letter
            if letter.message_id and letter.date is not None:
                state.set_thread(reply.interview_id, letter.message_id, letter.date)
            if reply.verdict.ends_chase and not store.outcomes(reply.interview_id):
                when = min(letter.date or service.now, service.now)
                reply.recorded = service.outcome(reply.interview_id, "reply", when)
        for found in report.invitations:
            invitation = found.invitation
            if found.stored_as is not None:
                state.add_invitation(invitation.uid, found.stored_as, service.now)
            elif add and found.proposal is not None and found.proposal.ready:
                found.added = add_invitation(service, invitation, found.proposal.interview)
            else:
                state.found_invitation(Pending(invitation.uid, found.folder, found.uidvalidity,
                                               found.uid), service.now)
        for uid in gone:
            state.forget_pending(uid)
        for mark in marks:
            state.set_mark(mark, service.now)


def describe(invitation: Invitation) -> str:
    """'"Interview: Data Engineer at Contoso" from Dana <…>, Tue 01 Dec 2026 10:00 Europe/Berlin'."""
    who = invitation.sender if invitation.sender and _person(invitation.sender.email) \
        else invitation.organizer
    title = invitation.summary or invitation.subject
    return (f'"{title}"' + (f" from {who.display}" if who else "")
            + f", {invitation.start:%a %d %b %Y %H:%M} {invitation.tz}")


def _person(address: str) -> bool:
    return not is_no_reply(address)
