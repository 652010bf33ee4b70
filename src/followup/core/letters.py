"""Mail as followup sees it: the header facts of a message, whether it answers a chase,
and the headers our drafts carry. Pure: bytes and values in, values out.

A message ends the chase of an interview (PLAYBOOK.md, outcome `reply`) when, sent after
the interview ended, it

1. answers one of our drafts (its In-Reply-To or References name the draft's Message-ID),
2. comes from an interviewer or the person who announces the decision, or
3. comes from another address at the company's domain: a domain of those people's
   addresses, never a free-mail domain (anyone can have a gmail.com address with the
   interviewer's name) nor an applicant-tracking system's (their no-reply mail is sent
   for every company).

Auto-replies (Auto-Submitted, X-Autoreply, Precedence bulk/auto_reply/junk/list,
mailing lists, out-of-office subjects) never end a chase.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

# Domains anyone can sign up for: an address there says nothing about the employer.
FREE_MAIL = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk", "hotmail.fr",
    "hotmail.de", "hotmail.it", "hotmail.es", "live.com", "live.co.uk", "live.fr", "live.de",
    "msn.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de", "yahoo.es", "yahoo.it",
    "yahoo.co.jp", "yahoo.com.au", "ymail.com", "rocketmail.com", "icloud.com", "me.com",
    "mac.com", "aol.com", "aim.com", "gmx.com", "gmx.net", "gmx.de", "gmx.at", "gmx.ch",
    "web.de", "freenet.de", "t-online.de", "posteo.de", "posteo.net", "mailbox.org",
    "proton.me", "protonmail.com", "protonmail.ch", "pm.me", "tutanota.com", "tutanota.de",
    "tuta.io", "mail.com", "email.com", "usa.com", "fastmail.com", "fastmail.fm", "hey.com",
    "zoho.com", "zohomail.com", "yandex.com", "yandex.ru", "mail.ru", "inbox.ru", "bk.ru",
    "list.ru", "rambler.ru", "qq.com", "163.com", "126.com", "yeah.net", "sina.com",
    "naver.com", "daum.net", "hanmail.net", "orange.fr", "wanadoo.fr", "free.fr", "sfr.fr",
    "laposte.net", "libero.it", "virgilio.it", "tiscali.it", "alice.it", "btinternet.com",
    "sky.com", "virginmedia.com", "ntlworld.com", "talktalk.net", "comcast.net",
    "verizon.net", "att.net", "sbcglobal.net", "bellsouth.net", "cox.net", "charter.net",
    "earthlink.net", "juno.com", "shaw.ca", "rogers.com", "sympatico.ca", "bigpond.com",
    "optusnet.com.au", "xtra.co.nz", "rediffmail.com", "seznam.cz", "centrum.cz", "wp.pl",
    "o2.pl", "onet.pl", "interia.pl", "bluewin.ch", "telenet.be", "skynet.be", "ziggo.nl",
    "kpnmail.nl", "hetnet.nl", "planet.nl", "uol.com.br", "bol.com.br", "terra.com.br",
})
# Applicant-tracking and scheduling systems: they mail for every company they serve.
ATS_DOMAINS = frozenset({
    "greenhouse.io", "greenhouse-mail.io", "lever.co", "hire.lever.co", "myworkday.com",
    "myworkdayjobs.com", "workday.com", "smartrecruiters.com", "icims.com", "ashbyhq.com",
    "jobvite.com", "taleo.net", "successfactors.com", "successfactors.eu", "bamboohr.com",
    "workable.com", "workablemail.com", "recruitee.com", "teamtailor.com",
    "teamtailor-mail.com", "personio.de", "personio.com", "breezy.hr", "jazzhr.com",
    "applytojob.com", "pinpointhq.com", "comeet.co", "calendly.com", "goodtime.io",
    "modernloop.io", "gem.com", "hirevue.com", "linkedin.com", "indeed.com",
    "indeedemail.com", "glassdoor.com", "stepstone.de", "xing.com",
})
# Two-label public suffixes, so that "mail.acme.co.uk" belongs to "acme.co.uk".
_SUFFIXES_2 = frozenset({"co.uk", "org.uk", "ac.uk", "gov.uk", "com.au", "net.au", "org.au",
                         "co.nz", "co.jp", "ne.jp", "co.in", "com.br", "com.mx", "co.za",
                         "com.sg", "com.cn", "com.tr", "co.kr", "com.ar", "com.hk"})
_NO_REPLY = re.compile(r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer-daemon|postmaster"
                       r"|notifications?|calendar-notification)\b", re.IGNORECASE)
_OUT_OF_OFFICE = re.compile(
    r"out of (the )?office|\bOOO\b|automatic reply|auto[- ]?reply|autoresponse|auto[- ]?response"
    r"|abwesenheit|automatische antwort|r[ée]ponse automatique|absence du bureau"
    r"|respuesta autom[aá]tica|fuera de la oficina|risposta automatica|fuori ufficio"
    r"|automatisch antwoord|afwezig",
    re.IGNORECASE,
)
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
# The header fields a check fetches: enough to judge a message, no body.
HEADER_FIELDS = ("From", "Sender", "Date", "Subject", "Message-ID", "In-Reply-To", "References",
                 "Auto-Submitted", "X-Autoreply", "X-Autorespond", "Precedence", "List-Id",
                 "List-Unsubscribe", "Content-Type")


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().lower().rstrip(".")


def base_domain(domain: str) -> str:
    """The registrable part: "mail.acme.co.uk" → "acme.co.uk", "eu.acme.example" → "acme.example"."""
    labels = domain.lower().strip(".").split(".")
    keep = 3 if ".".join(labels[-2:]) in _SUFFIXES_2 else 2
    return ".".join(labels[-keep:])


def is_free_mail(domain: str) -> bool:
    return domain.lower() in FREE_MAIL or base_domain(domain) in FREE_MAIL


def is_ats(domain: str) -> bool:
    return domain.lower() in ATS_DOMAINS or base_domain(domain) in ATS_DOMAINS


def is_no_reply(address: str) -> bool:
    return bool(_NO_REPLY.match(address.partition("@")[0]))


def company_domains(addresses: Iterable[str]) -> frozenset[str]:
    """The employer's domains, from its people's addresses: free mail and ATS left out."""
    found = set()
    for address in addresses:
        domain = domain_of(address)
        if domain and "." in domain and not is_free_mail(domain) and not is_ats(domain):
            found.add(base_domain(domain))
    return frozenset(found)


# -- the facts of one message ----------------------------------------------------------


@dataclass(frozen=True)
class Letter:
    """What a check needs to know of a message: from its header alone."""

    uid: int
    sender: str  # the From address, lower-case ('' when there is none)
    sender_name: str
    subject: str
    date: dt.datetime | None  # aware; the server's arrival time when Date is missing or bad
    message_id: str | None
    answers: tuple[str, ...]  # the Message-IDs of In-Reply-To and References
    automatic: str | None  # why it is an automatic message; None for a person's

    @property
    def who(self) -> str:
        return f"{self.sender_name} <{self.sender}>" if self.sender_name else self.sender


def read_letter(uid: int, header: bytes, arrived: dt.datetime | None = None) -> Letter:
    """The facts of a message from its header; a malformed field gives an empty value,
    never an exception (a bad message must not stop a check)."""
    from email.parser import HeaderParser
    from email.policy import compat32
    from email.utils import getaddresses

    # Raw 8-bit header text (RFC 6532) is UTF-8; anything else becomes U+FFFD, never an error.
    fields = HeaderParser(policy=compat32).parsestr(header.decode("utf-8", "replace"))

    def text(name: str) -> str:
        value = fields.get(name)
        return decoded(value) if value is not None else ""

    pairs = getaddresses([text("From")]) if text("From") else []
    name, address = pairs[0] if pairs else ("", "")
    if "@" not in address:
        name, address = name or address, ""
    answers = tuple(dict.fromkeys(_MESSAGE_ID.findall(f"{text('In-Reply-To')} {text('References')}")))
    message_id = _MESSAGE_ID.search(text("Message-ID"))
    return Letter(
        uid=uid,
        sender=address.strip().lower(),
        sender_name=" ".join(name.split()),
        subject=" ".join(text("Subject").split()),
        date=_date(text("Date")) or arrived,
        message_id=message_id.group(0) if message_id else None,
        answers=answers,
        automatic=_automatic(text),
    )


def decoded(value: object) -> str:
    """A header value with its RFC 2047 words decoded; undecodable words stay as they are."""
    from email.errors import MessageError
    from email.header import decode_header, make_header

    raw = str(value)
    try:
        return str(make_header(decode_header(raw)))
    except (ValueError, LookupError, UnicodeError, MessageError):
        return raw


def _date(text: str) -> dt.datetime | None:
    # Here, not at the top: every command that plans loads this module (IN_MAILBOX), and
    # email.utils brings socket and the email package (28 M instructions).
    from email.utils import parsedate_to_datetime

    if not text:
        return None
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if value.tzinfo is None:  # "-0000": the time is UTC, the zone unknown
        value = value.replace(tzinfo=dt.timezone.utc)
    return value


def _automatic(get: Callable[[str], str]) -> str | None:
    submitted = get("Auto-Submitted").strip().lower()
    if submitted and submitted != "no":
        return f"Auto-Submitted: {submitted}"
    for name in ("X-Autoreply", "X-Autorespond"):
        if get(name).strip():
            return name
    precedence = get("Precedence").strip().lower()
    if precedence in ("bulk", "auto_reply", "junk", "list"):
        return f"Precedence: {precedence}"
    if get("List-Id").strip() or get("List-Unsubscribe").strip():
        return "a mailing list"
    if _OUT_OF_OFFICE.search(get("Subject")):
        return "an out-of-office subject"
    return None


# -- does it end a chase? -----------------------------------------------------------------


@dataclass(frozen=True)
class Chase:
    """An interview as reply detection sees it."""

    interview_id: int
    title: str
    start: dt.datetime
    end: dt.datetime
    people: frozenset[str]  # interviewers' and the decision contact's addresses, lower-case
    domains: frozenset[str]  # the company's domains
    drafts: frozenset[str]  # Message-IDs of our drafts for it
    open: bool  # no outcome recorded yet


@dataclass(frozen=True)
class Verdict:
    """What a message means: `chase` is the interview it is about (None: none of them);
    `ends` when it is an answer, sent after that interview ended."""

    letter: Letter
    chase: Chase | None
    why: str  # "answers your draft", "from an interviewer", "automatic (…)", …
    ends: bool = False

    @property
    def ends_chase(self) -> bool:
        return self.ends and self.chase is not None and self.chase.open


_RULES = ("answers your draft", "from an interviewer", "from someone at the company")


def judge(letter: Letter, chases: Sequence[Chase], me: Iterable[str] = ()) -> Verdict:
    """Which interview a message is about, and whether it answers it. The most specific
    rule wins (a draft's thread, then a person, then the domain), then the latest
    interview that ended before the message was sent; a message sent before any of them
    ended is about the next one and answers nothing."""
    if letter.automatic:
        return Verdict(letter, None, f"automatic ({letter.automatic})")
    mine = {m.lower() for m in me}
    if not letter.sender or letter.sender in mine:
        return Verdict(letter, None, "not from the employer")
    found: list[tuple[int, Chase]] = []
    domain = domain_of(letter.sender)
    for chase in chases:
        if chase.drafts.intersection(letter.answers):
            found.append((0, chase))
        elif letter.sender in chase.people:
            found.append((1, chase))
        elif not is_free_mail(domain) and not is_ats(domain) and base_domain(domain) in chase.domains:
            found.append((2, chase))
    if not found:
        return Verdict(letter, None, "not from the employer")
    best = min(rank for rank, _ in found)
    candidates = [chase for rank, chase in found if rank == best]
    if letter.date is None:
        return Verdict(letter, None, "it has no date")
    after = [c for c in candidates if c.end <= letter.date]
    if not after:
        upcoming = min(candidates, key=lambda c: (c.start, c.interview_id))
        return Verdict(letter, upcoming, "sent before the interview ended")
    chosen = max(after, key=lambda c: (c.start, c.interview_id))
    return Verdict(letter, chosen, _RULES[best], ends=True)


# -- our drafts in the mailbox ---------------------------------------------------------------

# What an open email task says once its draft is in the user's Drafts folder.
IN_MAILBOX = "The draft is in your mailbox's Drafts folder: check it and send it from there."


def mailbox_draft(eml: bytes, message_id: str, sender: str | None, name: str | None,
                  replying_to: str | None) -> bytes:
    """A draft for the Drafts folder: the .eml with our Message-ID, the user as sender,
    and the recruiter's last message as the one it answers. X-Unsent is for .eml files
    opened from disk; in a mailbox the \\Draft flag says the same."""
    import email
    import email.policy
    from email.headerregistry import Address

    message = email.message_from_bytes(eml, policy=email.policy.SMTP)
    for name_ in ("Message-ID", "From", "In-Reply-To", "References", "X-Unsent"):
        del message[name_]
    message["Message-ID"] = message_id
    if sender:
        user, _, host = sender.partition("@")
        message["From"] = Address(name or "", user, host)
    if replying_to:
        message["In-Reply-To"] = replying_to
        message["References"] = replying_to
    return message.as_bytes(policy=email.policy.SMTP)
