"""The default follow-up playbook as data: one row per step (see PLAYBOOK.md).

Keep this table and ../shared/docs/PLAYBOOK.md in agreement; tests pin the dates it gives.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

from followup.core.text import CONTROL, NOT_UTF8
from followup.errors import UsageError

Anchor = str  # "start", "end", "deadline", "outcome" or the id of an earlier step

PROOFREAD = (
    "Before sending: run a spell-check, read it once more (ideally have someone else "
    "read it), and check that names and titles are spelled right."
)


@dataclass(frozen=True)
class When:
    """How a step's due time follows from its anchor.

    Either `after` (elapsed time from the anchor moment) or a date rule: the anchor's
    date plus `days` calendar days, then `business_days` business days (negative:
    backwards), then rolled to the next business day when `next_business_day`, at `at`.
    """

    anchor: Anchor
    after: dt.timedelta | None = None
    days: int = 0
    business_days: int = 0
    next_business_day: bool = False
    at: dt.time | None = None
    # How a completed anchor step moves this one: "later" only when the completion was
    # later than planned, "always" to the completion time, None never.
    follow_completion: Literal["later", "always"] | None = None
    # Whose clock `at` is read on: the user's (they do the step), or the contact's for calls.
    zone: Literal["user", "contact"] = "user"
    # The thank-you rule: due at the end of the user's hours on the first working day after
    # the anchor, never later than `after` (PLAYBOOK.md, `thank-you-email`).
    end_of_hours: bool = False


@dataclass(frozen=True)
class Gap:
    """Rule 5 (order): a step comes after every open or done item of `step`, at least
    `working_days` working days or `days` days later (dates in the user's zone); with
    neither, simply later. A user's playbook cannot shorten these."""

    step: str
    working_days: int = 0
    days: int = 0


@dataclass(frozen=True)
class Step:
    id: str
    kind: Literal["task", "event"]
    title: str  # str.format with company, role, contact
    purpose: str
    when: When
    alarm_after_anchor: dt.timedelta | None = None  # else `alarm_before` the due/start time
    alarm_before: dt.timedelta = dt.timedelta(0)
    slot: dt.timedelta | None = None  # a task that also holds a time in the calendar (calls)
    email: bool = False
    per_interviewer: bool = False
    chase: bool = False  # part of the chase that any outcome cancels
    handwritten: When | None = None  # the variant used when the note is handwritten
    outcome: str | None = None  # planned only once this outcome is recorded
    # Time-boxed steps never overlap a busy event: they hold `box` (or `slot`) and move
    # within `windows` of the same day, then to the next business day (`search` = 1) or
    # the previous one (-1, for preparation that must come before what it prepares).
    box: dt.timedelta | None = None
    windows: tuple[tuple[dt.time, dt.time], ...] = ()
    search: int = 1
    follows: tuple[Gap, ...] = ()  # rule 5: what this step must come after, and how long
    on_site: bool = False  # the interview and what is done before leaving: never moved


H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)
TEN = dt.time(10, 0)
# Early morning or evening reaches people best (PLAYBOOK.md, `call`): the contact's clock.
CALL_WINDOWS = ((dt.time(9, 0), dt.time(11, 0)), (dt.time(17, 0), dt.time(19, 0)))
SCRIPT_WINDOWS = ((dt.time(17, 0), dt.time(20, 0)),)

DEFAULT_PLAYBOOK: tuple[Step, ...] = (
    Step("interview", "event", "Interview: {role} at {company}",
         "The interview itself.",
         When("start"), alarm_before=1 * H, on_site=True),
    Step("ask-timeline", "task", "Ask {company} when they will decide",
         "Before leaving: ask when they will decide, who will tell you, and by which "
         "channel (phone or email).",
         When("end", after=dt.timedelta(0)), alarm_before=10 * M, on_site=True),
    Step("business-card", "task", "Get {company} interviewers' contact details",
         "Before leaving: get each interviewer's name, title, email and phone.",
         When("end", after=dt.timedelta(0)), alarm_before=10 * M, on_site=True),
    Step("notes", "task", "Write interview notes ({company})",
         "Write down the topics, skills and traits they stressed, the questions and how "
         "you answered, what to improve, and points to mention later.",
         When("end", after=2 * H), alarm_after_anchor=15 * M),
    Step("thank-you-email", "task", "Send a thank-you email to {company}",
         "A short thank-you to the interviewer(s): thank them for their time and restate "
         "your interest. Hard limit: 48 hours after the interview.",
         When("end", after=48 * H, end_of_hours=True), alarm_after_anchor=3 * H, email=True),
    Step("formal-note", "task", "Send a formal note to {contact} ({company})",
         "A more detailed note: your strengths and why you fit the role.",
         When("end", days=3, next_business_day=True, at=TEN),
         handwritten=When("end", business_days=1, at=TEN),
         email=True, per_interviewer=True, follows=(Gap("thank-you-email", working_days=1),)),
    Step("response-deadline", "event", "{company} said they would decide",
         "The day they said they would decide.",
         When("deadline"), chase=True),
    Step("status-email", "task", "Email {company} for a status update",
         "Ask for the outcome: who you are, the role, the interview date, your fit, one or "
         "two points from your notes, and a positive close.",
         When("deadline", business_days=1, at=TEN), email=True, chase=True,
         follows=(Gap("thank-you-email", working_days=1), Gap("formal-note", working_days=2))),
    Step("call", "task", "Call {company} about the {role} role",
         "Phone the contact directly (not voicemail); early morning or evening reaches "
         "people best.",
         When("status-email", business_days=2, at=dt.time(9, 0), follow_completion="later",
              zone="contact"),
         alarm_before=10 * M, slot=15 * M, chase=True, windows=CALL_WINDOWS,
         follows=(Gap("status-email", working_days=1),)),
    Step("call-script", "task", "Prepare the call to {company}",
         "Prepare the key points for the call and practise it.",
         When("call", business_days=-1, at=dt.time(17, 0)), chase=True,
         box=30 * M, windows=SCRIPT_WINDOWS, search=-1, follows=(Gap("status-email"),)),
    Step("second-call", "task", "Call {company} a second time",
         "Last attempt if there is still no answer.",
         When("call", days=14, next_business_day=True, at=dt.time(9, 0),
              follow_completion="always", zone="contact"),
         alarm_before=10 * M, slot=15 * M, chase=True, windows=CALL_WINDOWS,
         follows=(Gap("call", days=14),)),
    Step("let-go", "task", "Close the {company} application and move on",
         "Three attempts made: close the application politely and keep searching.",
         When("second-call", days=7, next_business_day=True, at=TEN,
              follow_completion="always"),
         chase=True, follows=(Gap("second-call", days=7),)),
    Step("reply-second-interview", "task", "Accept the second interview at {company}",
         "Answer by the channel they used with you.",
         When("outcome", after=4 * H), email=True, outcome="second-interview"),
    Step("reply-offer", "task", "Reply to the offer from {company}",
         "Thank them and answer the offer (or ask for time to decide).",
         When("outcome", after=24 * H), email=True, outcome="offer"),
    Step("gracious-reply", "task", "Send a gracious reply to {company}",
         "Thank them, ask what you could improve, and say you remain interested in other "
         "roles.",
         When("outcome", days=2, next_business_day=True, at=TEN), email=True,
         outcome="rejected"),
)

# The titles in the other languages, by step id, beside the words the planner puts into
# titles ("handwritten": the formal note's title when the note is handwritten; "team":
# the contact when nobody is known; "assumed": marks an assumed decision date; "round":
# marks a later round). Every title names the company (issue 11). English
# titles are the table's own. A title the user changes in playbook.toml is used as
# written, whatever the language.
TITLES: Mapping[str, Mapping[str, str]] = {
    "en": {
        "handwritten": "Write a handwritten note to {contact} ({company})",
        "team": "the hiring team", "assumed": "(assumed)", "round": "round {n}",
    },
    "de": {
        "interview": "Vorstellungsgespräch: {role} bei {company}",
        "ask-timeline": "{company} fragen, wann sie entscheiden",
        "business-card": "Kontaktdaten aller Gesprächspartner bei {company} notieren",
        "notes": "Gesprächsnotizen schreiben ({company})",
        "thank-you-email": "Dankes-E-Mail an {company} senden",
        "formal-note": "Persönliche Nachricht an {contact} ({company}) senden",
        "response-deadline": "{company} wollte entscheiden",
        "status-email": "Bei {company} per E-Mail nach dem Stand fragen",
        "call": "{company} wegen der Stelle als {role} anrufen",
        "call-script": "Anruf bei {company} vorbereiten",
        "second-call": "{company} ein zweites Mal anrufen",
        "let-go": "Bewerbung bei {company} abschließen und weitersuchen",
        "reply-second-interview": "Zweites Gespräch bei {company} zusagen",
        "reply-offer": "Auf das Angebot von {company} antworten",
        "gracious-reply": "{company} freundlich auf die Absage antworten",
        "handwritten": "Handschriftliche Karte an {contact} ({company}) schreiben",
        "team": "das Team", "assumed": "(angenommen)", "round": "Runde {n}",
    },
    "fr": {
        "interview": "Entretien : {role} chez {company}",
        "ask-timeline": "Demander à {company} quand la décision sera prise",
        "business-card": "Noter les coordonnées de chaque recruteur de {company}",
        "notes": "Écrire les notes d'entretien ({company})",
        "thank-you-email": "Envoyer un e-mail de remerciement à {company}",
        "formal-note": "Envoyer une note personnelle à {contact} ({company})",
        "response-deadline": "{company} a prévu de décider",
        "status-email": "Écrire à {company} pour connaître la décision",
        "call": "Appeler {company} au sujet du poste de {role}",
        "call-script": "Préparer l'appel à {company}",
        "second-call": "Rappeler {company} une seconde fois",
        "let-go": "Clore la candidature chez {company} et passer à la suite",
        "reply-second-interview": "Accepter le second entretien chez {company}",
        "reply-offer": "Répondre à l'offre de {company}",
        "gracious-reply": "Répondre avec courtoisie au refus de {company}",
        "handwritten": "Écrire une carte manuscrite à {contact} ({company})",
        "team": "l'équipe de recrutement", "assumed": "(supposé)", "round": "tour {n}",
    },
    "es": {
        "interview": "Entrevista: {role} en {company}",
        "ask-timeline": "Preguntar a {company} cuándo decidirán",
        "business-card": "Anotar los datos de contacto de cada entrevistador de {company}",
        "notes": "Escribir las notas de la entrevista ({company})",
        "thank-you-email": "Enviar un correo de agradecimiento a {company}",
        "formal-note": "Enviar una nota formal a {contact} ({company})",
        "response-deadline": "{company} dijo que decidiría",
        "status-email": "Escribir a {company} para conocer la decisión",
        "call": "Llamar a {company} sobre el puesto de {role}",
        "call-script": "Preparar la llamada a {company}",
        "second-call": "Llamar a {company} por segunda vez",
        "let-go": "Cerrar la candidatura en {company} y seguir buscando",
        "reply-second-interview": "Aceptar la segunda entrevista en {company}",
        "reply-offer": "Responder a la oferta de {company}",
        "gracious-reply": "Responder con cortesía a {company}",
        "handwritten": "Escribir una nota a mano a {contact} ({company})",
        "team": "el equipo de selección", "assumed": "(supuesto)", "round": "ronda {n}",
    },
}
_DEFAULT_TITLES = {step.id: step.title for step in DEFAULT_PLAYBOOK}


def title(step: Step, language: str = "en", handwritten: bool = False) -> str:
    """The step's title pattern in the language (str.format with company, role, contact)."""
    words = TITLES.get(language, TITLES["en"])
    if handwritten:
        return words["handwritten"]
    if step.title != _DEFAULT_TITLES.get(step.id):
        return step.title  # the user's own
    return words.get(step.id, step.title)


def title_word(key: str, language: str = "en") -> str:
    """"team", "assumed" or "round" (with {n}) in the language."""
    return TITLES.get(language, TITLES["en"])[key]


STEP_IDS = tuple(step.id for step in DEFAULT_PLAYBOOK)
# Steps each outcome cancels besides the chase (PLAYBOOK.md, "Outcomes").
ALSO_CANCELS = {
    "rejected": frozenset({"thank-you-email", "formal-note"}),
    "withdrawn": frozenset(STEP_IDS),
}


# -- a user's own timings ------------------------------------------------------------------

# What a user's playbook.toml may change, per step. Steps cannot be added: the three-shot
# policy (PLAYBOOK.md) means no playbook plans a fourth chase on its own.
_WHEN_KEYS = {"after", "days", "business_days", "at"}
_STEP_KEYS = {"title", "purpose", "alarm_before", "alarm_after"}


def with_changes(data: Mapping[str, object], where: str) -> tuple[Step, ...]:
    """The default playbook with the changes a user's playbook.toml makes (already parsed;
    `where` names the file in errors), e.g.

        [thank-you-email]
        after = "24h"
        [call]
        at = "08:30"
        business_days = 3
    """
    steps = {step.id: step for step in DEFAULT_PLAYBOOK}
    for step_id, changes in data.items():
        if step_id not in steps:
            raise UsageError(f"{where}: unknown step [{step_id}]; steps are: {', '.join(steps)}")
        if not isinstance(changes, dict):
            raise UsageError(f"{where}: [{step_id}] must be a table of changes")
        try:
            steps[step_id] = _changed(steps[step_id], changes)
        except (TypeError, ValueError) as exc:
            raise UsageError(f"{where}: [{step_id}]: {exc}") from None
    return tuple(steps.values())


def _changed(step: Step, changes: dict[str, object]) -> Step:
    unknown = set(changes) - _WHEN_KEYS - _STEP_KEYS
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(sorted(unknown))}; use "
                         + ", ".join(sorted(_WHEN_KEYS | _STEP_KEYS)))
    when_changes: dict[str, object] = {}
    step_changes: dict[str, object] = {}
    for key, value in changes.items():
        if key == "after":
            if step.when.after is None:
                raise ValueError("this step is set by days, not 'after'")
            when_changes["after"] = _duration(value)
        elif key in ("days", "business_days"):
            if step.when.after is not None or not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"'{key}' is a whole number of days, on a step set by days")
            if abs(value) > _LONGEST.days:
                raise ValueError(f"'{key}' = {value} is more than a year")
            if key == "business_days" and step.when.business_days < 0 and value >= 0:
                raise ValueError("this step comes before what it prepares: business_days stays negative")
            when_changes[key] = value
        elif key == "at":
            if step.when.at is None:
                raise ValueError("this step is set by elapsed time, not a time of day")
            when_changes["at"] = dt.time.fromisoformat(str(value))
        elif key in ("title", "purpose"):
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"'{key}' must be non-empty text")
            if CONTROL.search(value) or NOT_UTF8.search(value):
                raise ValueError(f"'{key}' holds a control character; remove it")
            if key == "title":
                _check_title(value)
                if "{company}" not in value:  # a calendar full of "Send a note" helps nobody
                    raise ValueError("'title' must name the company: put {company} in it")
            step_changes[key] = value
        elif key == "alarm_before":
            step_changes["alarm_before"] = _duration(value)
        elif key == "alarm_after":
            if step.alarm_after_anchor is None:
                raise ValueError("this step's reminder is set by 'alarm_before'")
            step_changes["alarm_after_anchor"] = _duration(value)
    when = replace(step.when, **when_changes)  # type: ignore[arg-type]
    _keeps_order(step.id, when, step.follows)
    return replace(step, when=when, **step_changes)  # type: ignore[arg-type]


def _keeps_order(step_id: str, when: When, follows: tuple[Gap, ...]) -> None:
    """A timing that would always break rule 5 (order) is refused rather than overruled."""
    for gap in follows:
        if gap.step != when.anchor or when.after is not None:
            continue
        if gap.days and when.days < gap.days:
            raise ValueError(f"days = {when.days} is too soon: it comes at least {gap.days} days "
                             f"after [{gap.step}] (PLAYBOOK.md, rule 5)")
        if gap.working_days and when.business_days < gap.working_days:
            raise ValueError(f"business_days = {when.business_days} is too soon: it comes at least "
                             f"{gap.working_days} working day(s) after [{gap.step}] (PLAYBOOK.md, rule 5)")


TITLE_FIELDS = ("company", "role", "contact")


def _check_title(title: str) -> None:
    """A title is filled in with str.format: only {company}, {role} and {contact}, as they
    are. Anything else ({0}, {nope}, {company.x}, {company:>999999999}) would fail or
    exhaust memory when the plan is made."""
    import string

    for _, name, spec, conversion in string.Formatter().parse(title):
        if name is None:
            continue
        if name not in TITLE_FIELDS or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise ValueError(f"the title uses {shown}; a title may use only "
                             + ", ".join("{" + f + "}" for f in TITLE_FIELDS)
                             + " (write {{ and }} for braces)")


_DURATION = re.compile(r"(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?")
# A playbook's durations and day counts: a step further off than this is not a follow-up.
_LONGEST = dt.timedelta(days=365)


def _duration(value: object) -> dt.timedelta:
    match = _DURATION.fullmatch(value.replace(" ", "")) if isinstance(value, str) else None
    if not match or not any(match.groups()):
        raise ValueError(f"{value!r} is not a duration such as \"24h\", \"2d\" or \"1h30m\"")
    days, hours, minutes = (int(g or 0) for g in match.groups())
    if (days * 24 + hours) * 60 + minutes > _LONGEST / dt.timedelta(minutes=1):
        raise ValueError(f"{value!r} is longer than a year")
    return dt.timedelta(days=days, hours=hours, minutes=minutes)
