"""Ready-to-send drafts: pure text in, text out (no Click, no store, no clock).

A draft is a Jinja2 template filled with the interview, the interviewer(s) it goes to,
the points of the notes chosen for that message and the candidate's name. English
templates are `templates/<step>.j2`; the other languages sit beside them as
`templates/<step>.<language>.j2` (`thank-you-email.de.j2`). A file of the same name in the
user's `<config folder>/templates/` wins over the built-in one. Email templates start with
a `Subject: …` line and a blank line.

Who gets what: the thank-you email goes to every interviewer, each formal note to its
own interviewer, every other message and call to the decision contact (the one named
with `--decision-contact`, else the first interviewer). Which
points of the notes go where (notes.py has the sections): the thank-you and the replies
take the first point to mention; each formal note what its reader stressed and one of the
"why I fit" points (a different one per reader when there are several); the status email
the "why I fit" points and the next point to mention; the call script every "why I fit"
point. So no point is in every message, and a panel's formal notes differ.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple
from urllib.parse import quote

from followup.core import greetings, notes
from followup.core.model import Contact, Interview
from followup.core.wording import ENGLISH, Dates, Style, clock
from followup.errors import FollowupError, UsageError

if TYPE_CHECKING:
    import jinja2

BUILTIN_TEMPLATES = Path(__file__).with_name("templates")
NAME_PLACEHOLDER = "[Your name]"

EMAIL_STEPS = ("thank-you-email", "formal-note", "status-email", "gracious-reply",
               "reply-second-interview", "reply-offer")
CALL_STEPS = ("call-script", "call", "second-call")
DRAFT_STEPS = EMAIL_STEPS + CALL_STEPS
CARD_TEMPLATE = "formal-note-card"  # the handwritten variant of formal-note
CALL_TEMPLATE = "call-script"
TEMPLATES = (*EMAIL_STEPS, CARD_TEMPLATE, CALL_TEMPLATE)
PANEL_STEPS = frozenset({"interview", "ask-timeline", "business-card", "thank-you-email"})
LEAD_STEPS = frozenset({"status-email", "call-script", "call", "second-call", "gracious-reply",
                        "reply-second-interview", "reply-offer"})


class DraftError(FollowupError):
    """A template that cannot be read, compiled or filled."""


class NoDraft(UsageError):
    """The step has no draft (it is not a message or a call)."""


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


def held(interview: Interview) -> str:
    """How the interview was held: "onsite", "video" or "phone" (`--held`; unsaid, a link
    as the location means video). Drafts say "speaking with you" for a video or phone
    interview and "meeting" only for one on site."""
    return interview.held


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
        addresses = self.addresses
        if addresses:
            to = ", ".join(c.display for c in addresses)
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

    def eml(self, date: dt.datetime, sender: tuple[str, str] | None = None,
            receipt: bool = False) -> bytes:
        """An RFC 5322 message that Outlook and Thunderbird open as an unsent draft.

        `sender` (name, address) fills From; `receipt` asks for a read receipt there
        (Disposition-Notification-To, RFC 8098)."""
        import email.policy
        from email.headerregistry import Address
        from email.message import EmailMessage
        from email.utils import format_datetime

        assert self.form == "email"
        assert sender is not None or not receipt, "a read receipt needs the sender's address"
        message = EmailMessage()
        if sender is not None:
            message["From"] = Address(sender[0], addr_spec=sender[1])
        if self.addresses:
            message["To"] = tuple(Address(c.full_name, addr_spec=c.email or "")
                                  for c in self.addresses)
        message["Subject"] = self.subject or ""
        message["Date"] = format_datetime(date)
        if receipt and sender is not None:
            # Not in the header registry: an unstructured header, so the address as text.
            message["Disposition-Notification-To"] = str(Address(sender[0], addr_spec=sender[1]))
        message["X-Unsent"] = "1"
        message.set_content(self.body + "\n", charset="utf-8", cte="quoted-printable")
        return message.as_bytes(policy=email.policy.SMTP)


def has_draft(step: str) -> bool:
    return step in DRAFT_STEPS


def template_name(step: str, interview: Interview, language: str = "en") -> str:
    """'thank-you-email.j2' in English, 'thank-you-email.de.j2' in German."""
    if step in CALL_STEPS:
        base = CALL_TEMPLATE
    elif step == "formal-note" and interview.note == "handwritten":
        base = CARD_TEMPLATE
    elif step in EMAIL_STEPS:
        base = step
    else:
        raise NoDraft(f"the step {step!r} has no draft")
    return f"{base}.j2" if language == "en" else f"{base}.{language}.j2"


def _chosen(step: str, found: notes.Points, to: Sequence[Contact], places: Mapping[int, int]
            ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], int]:
    """(what they stressed, why I fit, points to mention, the reader's place in the panel)
    for one message: see the module's docstring. `places`: _places of the interview."""
    if step == "formal-note":
        place = places.get(to[0].key, 0) if to else 0
        own = found.of(to[0]) if to else ()
        general = found.stressed
        stressed = own[:2] or ((general[place % len(general)],) if general else ())
        fit = (found.fit[place % len(found.fit)],) if found.fit else ()
        return stressed, fit, (), place
    if step == "status-email":
        return (), found.fit[:2], found.mention[1:2], 0
    if step in CALL_STEPS:
        return (), found.fit[:4], (), 0
    if step == "reply-offer":
        return (), (), (), 0
    return (), (), found.mention[:1], 0


def context(interview: Interview, step: str, to: Sequence[Contact], notes_text: str | None,
            name: str | None, style: Style = ENGLISH, written: dt.date | None = None,
            relative: bool = False) -> dict[str, Any]:
    """The values every template can use.

    step, company, role, location, channel (how they said they would answer: email or
    phone), handwritten (bool), held ("onsite", "video" or "phone") and in_person (bool);
    phone (the first recipient's number, or "") and decision_contact (how who announces
    the decision is named in a greeting, like contact);
    date ("Thursday, December 3": the interview's day in the locale's words, the year only
    when it is not this year), on_date ("on Thursday, December 3", or "yesterday", "on
    Monday" where natural), time ("2:00 PM") and tz; deadline, deadline_by ("by Thursday,
    December 10", "by this Friday"), deadline_assumed (bool: none was given) and
    deadline_passed (bool); salutation ("Dear Ms. Doe, Sam, and Bo,"), recipients (names),
    contact (how the first recipient is named in a greeting: "Ms. Doe", "Sam"), ask_for
    (whom to ask for on the phone: "Ms. Doe", "Sam Carter"), panel (bool: more than one
    recipient), place (the reader's place in the panel, 0 first: formal notes vary with
    it); stressed, fit and mention (the points of the notes chosen for this message: what
    the reader stressed, why you fit, points to mention; see the module docstring), points
    and points_text (the points to mention, as before); name (the candidate, or "[Your
    name]") and has_name; closing (a formal letter's closing in the locale: "Sincerely,",
    "Yours sincerely,"). Each list of points also comes joined the language's way, as
    stressed_text, fit_text and mention_text ("a, b, and c"). The filter `stop` ends a
    sentence with a value that may already end with a full stop ("at {{ company|stop }}").

    The words are written on the day `written` (default: the day the interview ends),
    relative to it with `relative` (see `draft`).
    """
    shared = _shared(interview, notes_text, name, style)
    stressed, fit, mention, place = _chosen(step, shared.found, to, shared.places)
    mention_text = style.join(mention)
    return {
        "step": step,
        **shared.values,
        **_day_words(style.language, style.locale, written or shared.end_day, relative,
                     shared.start_day, shared.deadline),
        **_people_words(_facts(*to), shared.decides, style.language, style.locale),
        "recipients": [c.full_name or c.email or "" for c in to],  # a list of its own
        "place": place,
        "stressed": list(stressed),
        "stressed_text": style.join(stressed),
        "fit": list(fit),
        "fit_text": style.join(fit),
        "mention": list(mention),
        "mention_text": mention_text,
        "points": list(mention),
        "points_text": mention_text,
    }


class _Shared(NamedTuple):
    """What every draft of one interview shares (an import writes four or more per
    interview): its parts of the context, its notes' points, its decision contact, days.
    A NamedTuple: made in C, where a frozen dataclass sets each field by a call."""

    interview: Interview
    notes_text: str | None
    name: str | None
    style: Style
    values: dict[str, Any]  # never changed: context() copies it
    found: notes.Points
    places: dict[int, int]  # _places
    decides: _Facts | None  # the decision contact's
    start_day: dt.date
    end_day: dt.date
    deadline: dt.date


def _places(interview: Interview) -> dict[int, int]:
    """Each contact's place in the panel (by its key, 0 first): the interviewers and the
    decision contact still on the interview, or all of them when every one was removed."""
    panel = [c for c in interview.contacts if not c.removed] or list(interview.contacts)
    places: dict[int, int] = {}
    for place, contact in enumerate(panel):
        places.setdefault(contact.key, place)  # the first, as a search from the start finds
    return places


_last_shared: list[_Shared] = []  # the last interview's: its drafts are asked for one after another


def _shared(interview: Interview, notes_text: str | None, name: str | None,
            style: Style) -> _Shared:
    """The shared parts of `interview`'s drafts. Kept for the last interview only, and
    found again by identity: an Interview is frozen, and the entry holds it, so the same
    object has the same values (no hashing of the interview and its contacts per draft)."""
    if _last_shared:
        last = _last_shared[0]
        # Style's == is a Python call; a re-plan passes the same Style to all its drafts.
        if (last.interview is interview and last.notes_text == notes_text
                and last.name == name and (last.style is style or last.style == style)):
            return last
    how = held(interview)
    start = interview.start
    values = {
        "company": interview.company,
        "role": interview.role,
        "time": clock(start.time(), style.babel),
        "tz": interview.tz,
        "location": interview.location,
        "deadline_assumed": interview.deadline_assumed,
        "channel": interview.channel,
        "handwritten": interview.note == "handwritten",
        "held": how,
        "in_person": how == "onsite",
        "name": (name or "").strip() or NAME_PLACEHOLDER,
        "has_name": bool((name or "").strip()),
        "language": style.language,
    }
    decides = interview.decision_contact
    made = _Shared(interview, notes_text, name, style, values, notes.points(notes_text),
                   _places(interview), _facts(decides)[0] if decides is not None else None,
                   start.date(), interview.end.date(), interview.effective_deadline)
    _last_shared[:] = [made]
    return made


# The parts of a context that an import asks for again and again (the same panel greeted,
# the same days written in words), made once: each is a few dozen microseconds of Babel
# and greetings per draft. Keyed by everything they read, as plain strings, dates and
# tuples (a Style or a Contact is hashed and compared by a Python call, which cost more
# than the rest of the look-up); the values are never changed.

# What the people words read of a contact: (name, title, email, phone).
_Facts = tuple[str, str | None, str | None, str | None]


def _facts(*contacts: Contact) -> tuple[_Facts, ...]:
    return tuple([(c.name, c.title, c.email, c.phone) for c in contacts])


def _person(facts: _Facts) -> Contact:
    """A contact with these facts and nothing else: what the people words are made from,
    so that they cannot read what their key leaves out."""
    name, title, email, phone = facts
    return Contact(0, name, email, title=title, phone=phone)


@functools.lru_cache(maxsize=1024)
def _day_words(language: str, locale: str, written: dt.date, relative: bool, day: dt.date,
               deadline: dt.date) -> dict[str, Any]:
    """The interview's `day` and the `deadline` in words, for a message written on `written`."""
    dates = Dates(Style(language, locale), written, relative)
    return {
        "date": dates.date(day),
        "on_date": dates.on(day),
        "deadline": dates.date(deadline),
        "deadline_by": dates.by(deadline),
        "deadline_passed": deadline < written,
    }


@functools.lru_cache(maxsize=256)
def _people_words(to_facts: tuple[_Facts, ...], decides_facts: _Facts | None, language: str,
                  locale: str) -> dict[str, Any]:
    """How the recipients and the decision contact (their _facts) are greeted and named."""
    style = Style(language, locale)
    to = tuple(map(_person, to_facts))
    decides = _person(decides_facts) if decides_facts is not None else None
    lead = greetings.person(to[0]) if to else None
    decider = greetings.person(decides) if decides is not None else None
    salutation = greetings.salutation(to, style)
    team = salutation == greetings.TEAM["en"]
    return {
        "salutation": salutation,
        "contact": greetings.address(lead, style) if lead else "",
        "decision_contact": greetings.address(decider, style) if decider else "",
        "phone": (to[0].phone or "") if to else "",
        "ask_for": greetings.reference(to[0], style) if to else "",
        "panel": len(to) > 1,
        "closing": ("Yours faithfully," if team else "Yours sincerely,") if style.british
        else "Sincerely,",
    }


def draft(interview: Interview, item_key: str, step: str, notes_text: str | None,
          name: str | None, template_dir: Path | None = None, *, style: Style = ENGLISH,
          day: dt.date | None = None, relative: bool = True) -> Draft:
    """The draft for one item; `template_dir` holds the user's overrides, if any.

    `day` is the day the message is written (default: the interview's); `relative`
    lets the words be relative to it ("yesterday"). Without `relative` (a draft kept in
    a calendar, read on some later day) dates are written in full, the year only when it
    is not the year of `day`."""
    template = template_name(step, interview, style.language)
    to = recipients(interview, item_key, step)
    values = context(interview, step, to, notes_text, name, style, day, relative)
    text = _render(template, values, template_dir)
    if step in CALL_STEPS:
        return Draft("call", to, None, text)
    if template.startswith(CARD_TEMPLATE + "."):
        return Draft("card", to, None, text)
    first, _, body = text.partition("\n")
    if not first.startswith("Subject:"):
        raise DraftError(f"{_where(template, template_dir)} must start with a 'Subject: …' line")
    return Draft("email", to, first.removeprefix("Subject:").strip(), body.strip("\n"))


def calendar_text(interview: Interview, item_key: str, step: str, notes_text: str | None,
                  name: str | None, style: Style = ENGLISH,
                  day: dt.date | None = None) -> tuple[str, str | None]:
    """(the draft as `followup draft` prints it, a mailto: URL or None), built-in templates only.

    For the planner and renderers: `day` is when the step is due, dates are in full (the
    text is read on some later day), and no file is read after the first call, so the same
    interview gives the same text; a user's template overrides apply to `followup draft`.
    """
    made = draft(interview, item_key, step, notes_text, name, style=style, day=day, relative=False)
    return made.text(), made.mailto()


def calendar_draft_text(interview: Interview, item_key: str, step: str, notes_text: str | None,
                        name: str | None, style: Style = ENGLISH,
                        day: dt.date | None = None) -> str:
    """calendar_text's text alone: an import writes thousands of drafts into task
    descriptions and has no use for their mailto: URLs (quoting the bodies cost a fifth
    of the drafts' time)."""
    return draft(interview, item_key, step, notes_text, name, style=style, day=day,
                 relative=False).text()


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


@functools.lru_cache(maxsize=8)
def builtin_words(language: str) -> frozenset[str]:
    """The words of the built-in templates of a language (lower case, Jinja left out): they
    were proofread here, and the dictionaries lack some of them (Spanish "gracias", German
    compounds such as "Gesprächsnotizen")."""
    import re

    environment = _environment(None)
    assert environment.loader is not None
    found: set[str] = set()
    for base in TEMPLATES:
        name = f"{base}.j2" if language == "en" else f"{base}.{language}.j2"
        source = environment.loader.get_source(environment, name)[0]
        # Outside the Jinja tags, and the quoted text inside them ("meeting with me").
        text = re.sub(r"\{[{%#].*?[}%#]\}",
                      lambda tag: " ".join(re.findall(r'"([^"]*)"', tag.group())), source,
                      flags=re.DOTALL)
        found.update(word.lower() for word in re.findall(r"[^\W\d_]+", text))
    return frozenset(found)


def stop(text: str) -> str:
    """Ends a sentence with the text: 'Contoso Robotics, Inc.' gets no second full stop."""
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _where(template: str, template_dir: Path | None) -> str:
    if template_dir is not None and (template_dir / template).exists():
        return f"the template {template_dir / template}"
    return f"the built-in template {template}"


@functools.lru_cache(maxsize=64)  # the built-in templates: a few dozen, compiled once
def _builtin(name: str) -> Callable[[Mapping[str, Any]], str]:
    """A built-in template's Template.render, without its per-render lookups: Jinja keeps
    the globals in a ChainMap that every render copies (a fifth of an import's drafts),
    here a plain dict made once."""
    from jinja2.runtime import new_context

    template = _environment(None).get_template(name)
    environment, blocks, root = template.environment, template.blocks, template.root_render_func
    globals_ = dict(template.globals)

    def render(values: Mapping[str, Any]) -> str:
        context = new_context(environment, name, blocks, {**globals_, **values}, shared=True,
                              globals=globals_)
        try:
            return "".join(root(context))
        except Exception:
            environment.handle_exception()  # raises it again, its traceback in the template
            raise

    return render


def _fill(template: str, values: Mapping[str, Any], template_dir: Path | None) -> str:
    """The template filled with `values`; a user's folder is read again when a file
    changes: there Jinja's own path."""
    if template_dir is not None:
        return _environment(template_dir).get_template(template).render(values)
    return _builtin(template)(values)


def _render(template: str, values: Mapping[str, Any], template_dir: Path | None) -> str:
    import jinja2

    try:
        text = _fill(template, values, template_dir)
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
    text = "\n".join([line.rstrip() for line in text.split("\n")])
    while "\n\n\n" in text:  # two empty lines or more in a row (each pass halves a run)
        text = text.replace("\n\n\n", "\n\n")
    return text.strip("\n")
