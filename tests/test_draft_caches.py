"""The drafts remember the people words (greetings, names, phone) and the day words of a
draft by plain values (core/drafts.py `_people_words`, `_day_words`): two interviews whose
people or style differ in one thing only, drafted one after the other in one process, get
what each gets drafted alone in a process that remembers nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from followup.core.drafts import DRAFT_STEPS, calendar_draft_text
from followup.core.model import Contact, Interview
from followup.core.wording import Style
from test_plan_caches import forget

LEAD = Contact(1, "Jane Doe", "jane.doe@acme.example", title="Ms", phone="+44 20 7946 0000")
SECOND = Contact(2, "Sam Carter", "sam@acme.example")
BASE = Interview(uid="x", company="Acme", role="Engineer",
                 start=dt.datetime(2026, 12, 3, 14, 0, tzinfo=ZoneInfo("Europe/London")),
                 duration=dt.timedelta(minutes=60), tz="Europe/London",
                 deadline=dt.date(2026, 12, 10), contacts=(LEAD, SECOND))
STYLE = Style("en", "en_US")
# One thing changed each (every fact of the lead the words read, or the style), and what
# the drafts then say: a key that left it out would make the words without it.
CHANGES = {
    "name": (dataclasses.replace(LEAD, name="Jane Roe"), STYLE, ["Dear Ms. Roe,"]),
    "title": (dataclasses.replace(LEAD, title="Dr"), STYLE, ["Dear Dr. Doe,"]),
    "no title": (dataclasses.replace(LEAD, title=None), STYLE, ["Dear Jane,"]),
    "email": (dataclasses.replace(LEAD, name="", email="john.roe@acme.example"), STYLE,
              ["Dear John,"]),
    "phone": (dataclasses.replace(LEAD, phone="+1 212 555 0100"), STYLE, ["+1 212 555 0100"]),
    "locale": (LEAD, Style("en", "en_GB"), ["Dear Ms Doe,", "Thursday, 3 December"]),
    "language": (LEAD, Style("de", "en_US"), ["Sehr geehrte Frau Doe,", "Donnerstag, 3. Dezember"]),
}
STEPS = [step for step in DRAFT_STEPS if step != "formal-note"] + ["formal-note-1", "formal-note-2"]


def drafted(interview: Interview, style: Style) -> list[str]:
    return [calendar_draft_text(interview, key, key.removesuffix("-1").removesuffix("-2"), None,
                                "Sam", style, dt.date(2026, 12, 4)) for key in STEPS]


@pytest.mark.parametrize("change", CHANGES)
def test_drafts_in_one_process_do_not_share_what_differs(change: str) -> None:
    lead, style, said = CHANGES[change]
    other = dataclasses.replace(BASE, contacts=(lead, SECOND))
    forget()
    alone = drafted(other, style)
    assert all(any(words in text for text in alone) for words in said)
    forget()
    first = drafted(BASE, STYLE)
    assert not any(words in text for text in first for words in said)
    assert drafted(other, style) == alone
    forget()
    assert drafted(other, style) == alone
    assert drafted(BASE, STYLE) == first
