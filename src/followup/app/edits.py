"""An edit of a stored interview, as the user typed it, applied to the interview.

The rules of an edit: a new zone keeps the wall-clock time unless a new time is given;
interviewers are found by email or name, removed ones stay (their note is cancelled);
a zone is given for an existing interviewer as EMAIL=ZONE, or by position for the ones
being added; an added interviewer whose email is on the interview already updates that
interviewer (title, phone); "none" clears the deadline (back to the assumed one), the
country, or the decision contact (back to the first interviewer). A new location at a
link, or at an address, moves how the interview is held along unless it was set apart.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from followup.core import inputs
from followup.core.inputs import about
from followup.core.model import Contact, Interview
from followup.core.text import refuse_control
from followup.errors import UsageError


@dataclass(frozen=True)
class Edit:
    at: str | None = None
    duration: str | None = None
    tz: str | None = None
    deadline: str | None = None
    add: tuple[str, ...] = ()  # interviewers to add, "Name <email>"
    remove: tuple[str, ...] = ()  # interviewers to remove, by email or name
    contact_tzs: tuple[str, ...] = ()  # EMAIL=ZONE, or ZONE for the added at that position
    channel: str | None = None
    note: str | None = None
    location: str | None = None
    company: str | None = None
    role: str | None = None
    country: str | None = None
    held: str | None = None
    decision_contact: str | None = None  # "Name <email> phone", or "none"
    language: str | None = None  # "none": back to the config's

    @property
    def empty(self) -> bool:
        return all(getattr(self, f.name) in (None, ()) for f in dataclasses.fields(self))


def apply_edit(current: Interview, edit: Edit) -> Interview:
    """The interview as the edit leaves it (not stored); every value checked."""
    zone_name = about("tz", partial(inputs.zone, edit.tz)) if edit.tz else current.tz
    if edit.at:
        start = about("at", partial(inputs.datetime, edit.at, zone_name, "interview time"))
    elif zone_name != current.tz:
        wall = current.start.replace(tzinfo=None).isoformat(sep=" ", timespec="minutes")
        start = about("tz", partial(inputs.datetime, wall, zone_name, "interview time"))
    else:
        start = current.start.astimezone(ZoneInfo(zone_name))
    changes: dict[str, Any] = {"tz": zone_name, "start": start}
    if edit.duration:
        changes["duration"] = about("duration", partial(inputs.duration, edit.duration))
    if edit.deadline:
        changes["deadline"] = (None if edit.deadline.strip().lower() == "none" else
                               about("deadline", partial(inputs.date, edit.deadline, "deadline")))
    for name in ("channel", "note", "location", "company", "role"):
        value = getattr(edit, name)
        if value is not None:
            changes[name] = refuse_control(value, name, name)
    if edit.held is not None:
        changes["held"] = about("held", partial(inputs.held, edit.held, ""))
    elif edit.location is not None and current.held == inputs.held(None, current.location):
        changes["held"] = inputs.held(None, edit.location)
    if edit.country:
        code, subdivision = ((None, None) if edit.country.strip().lower() == "none"
                             else about("country", partial(inputs.country, edit.country)))
        changes["country"], changes["subdivision"] = code, subdivision
    if edit.language:
        changes["language"] = (None if edit.language.strip().lower() == "none"
                               else about("language", partial(inputs.language, edit.language)))
    changes["contacts"] = _contacts(current.contacts, edit)
    edited = dataclasses.replace(current, **changes)
    if edit.decision_contact is None:
        return edited
    if edit.decision_contact.strip().lower() == "none":
        return edited.without_decision_contact()
    key = max((c.key for c in edited.contacts), default=0) + 1
    person = about("decision_contact", partial(inputs.interviewer, edit.decision_contact, key))
    return edited.with_decision_contact(person)


def _find(contacts: list[Contact], who: str, field: str) -> int:
    wanted = who.strip().lower()
    index = next((i for i, c in enumerate(contacts) if not c.removed and
                  wanted in ((c.email or "").lower(), c.name.lower())), None)
    if index is None:
        raise UsageError(f"no interviewer {who!r} on this interview; `followup show` lists them",
                         field=field)
    return index


def _contacts(current: tuple[Contact, ...], edit: Edit) -> tuple[Contact, ...]:
    contacts = list(current)
    for target in edit.remove:
        index = _find(contacts, target, "remove")
        contacts[index] = dataclasses.replace(contacts[index], removed=True)
    positional = [z for z in edit.contact_tzs if "=" not in z]
    for assignment in (z for z in edit.contact_tzs if "=" in z):
        who, _, zone_text = assignment.partition("=")
        index = _find(contacts, who, "contact_tzs")
        zone = about("contact_tzs", partial(inputs.contact_zone, zone_text))
        contacts[index] = dataclasses.replace(contacts[index], tz=zone)
    if positional and not edit.add:
        active = [i for i, c in enumerate(contacts) if not c.removed]
        if len(active) != 1 or len(positional) != 1:
            raise UsageError("say whose zone it is: EMAIL=ZONE", field="contact_tzs")
        zone = about("contact_tzs", partial(inputs.contact_zone, positional[0]))
        contacts[active[0]] = dataclasses.replace(contacts[active[0]], tz=zone)
        positional = []
    first_key = max((c.key for c in contacts), default=0) + 1
    try:
        added = inputs.interviewers(edit.add, positional, first_key)
    except UsageError as exc:
        if exc.field == "interviewers":
            exc.field = "add"  # on `edit`, new interviewers come with --add-interviewer
        raise
    new: list[Contact] = []
    for person in added:
        found = next((i for i, c in enumerate(contacts) if c.interviewer and not c.removed
                      and c.email and person.email and c.email.lower() == person.email.lower()),
                     None)
        if found is None:
            new.append(person)
            continue
        known = contacts[found]  # on the interview already: what the new text adds
        contacts[found] = dataclasses.replace(
            known, name=person.name or known.name, title=person.title or known.title,
            phone=person.phone or known.phone, tz=person.tz or known.tz)
    keys = iter(range(first_key, first_key + len(new)))
    return tuple(contacts + [dataclasses.replace(p, key=next(keys)) for p in new])
