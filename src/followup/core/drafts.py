"""Interview notes and ready-to-send drafts: pure text in, text out (no Click, no store).

A draft is a Jinja2 template (``templates/<name>.j2``) filled with the interview, the
interviewer(s) it goes to, the "points to mention" from the notes and the candidate's
name. A file of the same name in the user's ``<config folder>/templates/`` wins over the
built-in one. Email templates start with a ``Subject: …`` line and a blank line.

Salutations. We do not know anyone's gender, so we never guess "Ms" or "Mr":

- a title written in the name gives the formal form: "Dr. Jane Jones", "Ms Jane Jones",
  "Mr Tom O'Neill" → "Dear Dr Jones", "Dear Ms Jones", "Dear Mr O'Neill" (the title as
  written, without its dot; surname particles such as "de la" stay with the surname);
- a full name without a title is used whole: "Jane Jones" → "Dear Jane Jones,";
- a first name alone gets a neutral greeting: "Jane" → "Hello Jane,";
- no name (only an email address, or nobody) → "Dear Hiring Team,".

A message to a panel greets everyone named: "Dear Priya Shah and Tom O'Neill,".

Who gets what: the thank-you email goes to every interviewer, each formal note to its
own interviewer, every other message and call to the decision contact (the one named
with `--decision-contact`, else the first interviewer).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from followup.core.model import Contact, Interview
from followup.errors import FollowupError, UsageError

if TYPE_CHECKING:
    import jinja2

BUILTIN_TEMPLATES = Path(__file__).with_name("templates")
NAME_PLACEHOLDER = "[Your name]"

EMAIL_STEPS = ("thank-you-email", "formal-note", "status-email", "gracious-reply",
               "reply-second-interview", "reply-offer")
CALL_STEPS = ("call-script", "call", "second-call")
DRAFT_STEPS = EMAIL_STEPS + CALL_STEPS
CARD_TEMPLATE = "formal-note-card.j2"  # the handwritten variant of formal-note
CALL_TEMPLATE = "call-script.j2"
PANEL_STEPS = frozenset({"interview", "ask-timeline", "business-card", "thank-you-email"})
LEAD_STEPS = frozenset({"status-email", "call-script", "call", "second-call", "gracious-reply",
                        "reply-second-interview", "reply-offer"})

TITLES = frozenset({"dr", "ms", "mr", "mrs", "mx", "miss", "prof", "professor"})
PARTICLES = frozenset({"de", "del", "della", "der", "di", "da", "do", "dos", "du", "la", "le",
                       "van", "von", "ten", "ter", "bin", "al"})

# -- notes -------------------------------------------------------------------------------

SECTIONS = (
    "What they stressed (skills, experience, traits)",
    "Questions and how they went",
    "What to improve",
    "Points to mention in follow-ups",
)
POINTS_SECTION = SECTIONS[3]
BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)](?=\s|$))\s*")


class DraftError(FollowupError):
    """A template that cannot be read, compiled or filled."""


class NoDraft(UsageError):
    """The step has no draft (it is not a message or a call)."""


def date_words(day: dt.date) -> str:
    """'Thursday 3 December 2026'."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def notes_template(interview: Interview, existing: str | None) -> str:
    """What `followup notes` opens in the editor: instructions, then the notes or headings."""
    header = (
        f"# Notes on the {interview.role} interview at {interview.company},"
        f" {date_words(interview.start.date())}.\n"
        "# Lines starting with # are instructions and are not saved.\n"
        "# Write one point per line under each heading, starting with '- '.\n"
        f'# Under "{POINTS_SECTION}", write short phrases that complete\n'
        '# "We talked about …": the first two go into your follow-up drafts.\n'
        "# Save and close the editor to store the notes; close it unchanged to keep things as they are.\n"
    )
    body = existing if existing else "\n\n".join(f"{title}\n- " for title in SECTIONS)
    return f"{header}\n{body}\n"


def clean_notes(text: str) -> str:
    """Instructions (# lines), empty bullets and trailing blanks removed; '' when nothing is left."""
    lines: list[str] = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        if line.lstrip().startswith("#"):
            # A Markdown heading naming a section ("## Points to mention") is that section;
            # any other # line is an instruction.
            section = _section(line)
            if section is None:
                continue
            line = section
        if BULLET.match(line) and not BULLET.sub("", line):
            continue
        if not line and (not lines or not lines[-1]):
            continue
        lines.append(line)
    cleaned = "\n".join(lines).strip("\n")
    if all(not line or _section(line) for line in cleaned.split("\n")):
        return ""
    return cleaned


def _heading(line: str) -> str:
    return line.strip().lstrip("#").strip().rstrip(":").strip().lower()


def _section(line: str) -> str | None:
    """The section a heading line names, written in full or shortened: "What they
    stressed", "## Points to mention:" and "Questions" all count."""
    text = _heading(line)
    if len(text) < 5:
        return None
    for title in SECTIONS:
        full = _heading(title)
        short = full.split(" (")[0]
        if text in (full, short) or (short.startswith(text) and not BULLET.match(line)):
            return title
    return None


def points(notes: str | None, limit: int = 2) -> list[str]:
    """The first bullet points under "Points to mention in follow-ups"."""
    if not notes:
        return []
    found: list[str] = []
    inside = False
    for line in notes.split("\n"):
        section = _section(line)
        if section is not None:
            inside = section == POINTS_SECTION
            continue
        if inside and BULLET.match(line):
            point = BULLET.sub("", line).strip().rstrip(".;").strip()
            if point:
                found.append(point)
    return found[:limit]


# -- salutations --------------------------------------------------------------------------


def addressed(name: str) -> tuple[str, bool] | None:
    """How to address a person: ('Dr Jones', formal) or ('Jane', not formal); None: no name."""
    words = name.split()
    if not words:
        return None
    title = words[0].rstrip(".")
    if title.lower() in TITLES and len(words) > 1:
        return f"{title} {_surname(words[1:])}", True
    if len(words) == 1:
        return words[0], False
    return " ".join(words), True


def _surname(words: Sequence[str]) -> str:
    # "Ana de la Cruz" → "de la Cruz": lower-case particles belong to the surname.
    start = len(words) - 1
    while start > 1 and words[start - 1] in PARTICLES:
        start -= 1
    return " ".join(words[start:]) if len(words) > 1 else words[0]


def salutation(contacts: Sequence[Contact]) -> str:
    forms = [form for form in (addressed(c.full_name) for c in contacts) if form is not None]
    if not forms:
        return "Dear Hiring Team,"
    greeting = "Dear" if any(formal for _, formal in forms) else "Hello"
    return f"{greeting} {_join([text for text, _ in forms])},"


def _join(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def recipients(interview: Interview, item_key: str, step: str) -> tuple[Contact, ...]:
    """Whom a step's message (or call, or activity) concerns."""
    if step == "formal-note":
        key = item_key.removeprefix("formal-note-")
        return tuple(c for c in interview.contacts if str(c.key) == key)
    if step in PANEL_STEPS:
        return interview.interviewers
    if step in LEAD_STEPS:
        lead = interview.decision_contact
        return (lead,) if lead is not None else ()
    return ()


# -- drafts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    form: Literal["email", "card", "call"]
    to: tuple[Contact, ...]
    subject: str | None
    body: str

    @property
    def addresses(self) -> tuple[Contact, ...]:
        return tuple(c for c in self.to if c.email)

    def text(self) -> str:
        """What `followup draft` prints: headers for an email, the bare text otherwise."""
        if self.form != "email":
            return self.body
        if self.addresses:
            to = ", ".join(c.display for c in self.addresses)
        else:
            named = ", ".join(c.full_name for c in self.to if c.name)
            to = f"{named} (no email address known)" if named else "(no email address known)"
        return f"To: {to}\nSubject: {self.subject}\n\n{self.body}"

    def mailto(self) -> str | None:
        """A mailto: URL (RFC 6068) carrying the recipients, subject and body."""
        if self.form != "email" or not self.addresses:
            return None
        to = ",".join(quote(c.email or "", safe="@") for c in self.addresses)
        body = self.body.replace("\n", "\r\n")
        return f"mailto:{to}?subject={quote(self.subject or '', safe='')}&body={quote(body, safe='')}"

    def eml(self, date: dt.datetime) -> bytes:
        """An RFC 5322 message that Outlook and Thunderbird open as an unsent draft."""
        import email.policy
        from email.headerregistry import Address
        from email.message import EmailMessage
        from email.utils import format_datetime

        assert self.form == "email"
        message = EmailMessage()
        if self.addresses:
            message["To"] = tuple(Address(c.full_name, addr_spec=c.email or "")
                                  for c in self.addresses)
        message["Subject"] = self.subject or ""
        message["Date"] = format_datetime(date)
        message["X-Unsent"] = "1"
        message.set_content(self.body + "\n", charset="utf-8", cte="quoted-printable")
        return message.as_bytes(policy=email.policy.SMTP)


def has_draft(step: str) -> bool:
    return step in DRAFT_STEPS


def template_name(step: str, interview: Interview) -> str:
    if step in CALL_STEPS:
        return CALL_TEMPLATE
    if step == "formal-note" and interview.note == "handwritten":
        return CARD_TEMPLATE
    if step in EMAIL_STEPS:
        return f"{step}.j2"
    raise NoDraft(f"the step {step!r} has no draft")


def context(interview: Interview, step: str, to: Sequence[Contact], notes: str | None,
            name: str | None) -> dict[str, Any]:
    """The values every template can use.

    step, company, role, location, channel (how they said they would answer: email or
    phone), held (how the interview was held: onsite, video or phone), handwritten
    (bool); phone (the first recipient's number, or ""); decision_contact (how to address
    who announces the decision, like contact); date and deadline in words ("Thursday 3 December 2026"),
    deadline_assumed (bool: none was given), time ("14:00") and tz of the interview;
    salutation ("Dear Priya Shah,"), recipients (names), contact (how to address the
    first recipient: "Dr Jones", "Priya Shah", "Jane" or ""); points (up to two "points
    to mention" from the notes) and points_text ("a and b"); name (the candidate, or
    "[Your name]") and has_name. The filter `stop` ends a sentence with a value that may
    already end with a full stop: "at {{ company|stop }}".
    """
    chosen = points(notes)
    lead = addressed(to[0].full_name) if to else None
    decides = interview.decision_contact
    decider = addressed(decides.full_name) if decides is not None else None
    return {
        "step": step,
        "company": interview.company,
        "role": interview.role,
        "date": date_words(interview.start.date()),
        "time": f"{interview.start:%H:%M}",
        "tz": interview.tz,
        "location": interview.location,
        "deadline": date_words(interview.effective_deadline),
        "deadline_assumed": interview.deadline_assumed,
        "channel": interview.channel,
        "held": interview.held,
        "phone": (to[0].phone or "") if to else "",
        "decision_contact": decider[0] if decider else "",
        "handwritten": interview.note == "handwritten",
        "salutation": salutation(to),
        "recipients": [c.full_name or c.email or "" for c in to],
        "contact": lead[0] if lead else "",
        "points": chosen,
        "points_text": _join(chosen) if chosen else "",
        "name": (name or "").strip() or NAME_PLACEHOLDER,
        "has_name": bool((name or "").strip()),
    }


def draft(interview: Interview, item_key: str, step: str, notes: str | None, name: str | None,
          template_dir: Path | None = None) -> Draft:
    """The draft for one item; `template_dir` holds the user's overrides, if any."""
    template = template_name(step, interview)
    to = recipients(interview, item_key, step)
    text = _render(template, context(interview, step, to, notes, name), template_dir)
    if step in CALL_STEPS:
        return Draft("call", to, None, text)
    if template == CARD_TEMPLATE:
        return Draft("card", to, None, text)
    first, _, body = text.partition("\n")
    if not first.startswith("Subject:"):
        raise DraftError(f"{_where(template, template_dir)} must start with a 'Subject: …' line")
    return Draft("email", to, first.removeprefix("Subject:").strip(), body.strip("\n"))


def calendar_text(interview: Interview, item_key: str, step: str, notes: str | None,
                  name: str | None) -> tuple[str, str | None]:
    """(the draft as `followup draft` prints it, a mailto: URL or None), built-in templates only.

    For the planner and renderers: no file is read after the first call, so the same
    interview gives the same text; a user's template overrides apply to `followup draft`.
    """
    made = draft(interview, item_key, step, notes, name)
    return made.text(), made.mailto()


@functools.lru_cache(maxsize=8)
def _environment(template_dir: Path | None) -> jinja2.Environment:
    import jinja2

    builtin = jinja2.FileSystemLoader(BUILTIN_TEMPLATES)
    loader: jinja2.BaseLoader = builtin
    if template_dir is not None:
        loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(template_dir), builtin])
    environment = jinja2.Environment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=template_dir is not None,
    )
    environment.filters["stop"] = stop
    return environment


def stop(text: str) -> str:
    """Ends a sentence with the text: 'Contoso Robotics, Inc.' gets no second full stop."""
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _where(template: str, template_dir: Path | None) -> str:
    if template_dir is not None and (template_dir / template).exists():
        return f"the template {template_dir / template}"
    return f"the built-in template {template}"


def _render(template: str, values: Mapping[str, Any], template_dir: Path | None) -> str:
    import jinja2

    try:
        text = _environment(template_dir).get_template(template).render(values)
    except jinja2.TemplateSyntaxError as exc:
        raise DraftError(
            f"{_where(template, template_dir)} has an error on line {exc.lineno}: {exc.message}"
        ) from None
    except jinja2.TemplateError as exc:
        raise DraftError(f"{_where(template, template_dir)} cannot be filled: {exc.message}") from None
    except UnicodeDecodeError:
        raise DraftError(f"cannot read {_where(template, template_dir)}: it is not UTF-8 text") from None
    except OSError as exc:
        raise DraftError(
            f"cannot read {_where(template, template_dir)}: {exc.strerror or exc}"
        ) from None
    return _tidy(text)


def _tidy(text: str) -> str:
    """No trailing blanks, at most one empty line in a row, none at either end."""
    lines = [line.rstrip() for line in text.split("\n")]
    kept = [line for i, line in enumerate(lines) if line or (i and lines[i - 1])]
    return "\n".join(kept).strip("\n")


# -- proofreading -------------------------------------------------------------------------

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"[^\s<>(),;:]+@[^\s<>(),;:]+")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
# British spellings the (American) dictionary lacks, mapped to what it knows.
_BRITISH = ((re.compile(r"is(e|ed|es|ing|ation|ations)$"), r"iz\1"),
            (re.compile(r"ys(e|ed|es|ing)$"), r"yz\1"),
            (re.compile(r"our(s|ed|ing|able|ite|ites)?$"), r"or\1"),
            (re.compile(r"tre(s)?$"), r"ter\1"))


def words(text: str) -> list[str]:
    return _WORD.findall(text.replace("’", "'"))


def unknown_words(draft: Draft, interview: Interview, name: str | None,
                  extra: Iterable[str] = ()) -> list[str]:
    """Words of the subject and body an offline dictionary lacks, in order, each once.

    Names of the interviewers, the company, the role and the candidate, email addresses,
    URLs, the "[Your name]" placeholder and `extra` (the user's own words) are ignored.
    """
    text = f"{draft.subject or ''}\n{draft.body}".replace(NAME_PLACEHOLDER, " ")
    text = _EMAIL.sub(" ", _URL.sub(" ", text))
    ignored = [interview.company, interview.role, name or "", *extra]
    ignored += [part for c in interview.contacts for part in (c.full_name, c.email or "")]
    known = {word.lower() for word in words(" ".join(ignored))}
    candidates: dict[str, str] = {}
    for word in words(text):
        if word.lower() not in known:
            candidates.setdefault(word.lower(), word)
    if not candidates:
        return []
    checker = _spellchecker()
    unknown = checker.unknown(list(candidates))
    return [original for lower, original in candidates.items()
            if lower in unknown and not _british(lower, checker)]


def _british(word: str, checker: Any) -> bool:
    for pattern, replacement in _BRITISH:
        variant = pattern.sub(replacement, word)
        if variant != word and not checker.unknown([variant]):
            return True
    return False


@functools.lru_cache(maxsize=1)
def _spellchecker() -> Any:
    from spellchecker import SpellChecker

    return SpellChecker(language="en")
