"""The stored item fingerprints and the drafts stay what they were while being made faster
(issue 14): the digests are compared with the ones already in users' databases, so the
fast fingerprint must give exactly the digest of the first version, whatever it has
remembered; the drafts of an interview share the parts that depend on it alone, and must
give what a process that remembers nothing gives."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from followup.app import service
from followup.app.service import fingerprint
from followup.core import drafts
from followup.core.drafts import calendar_draft_text
from followup.core.model import Contact, Interview, PlannedItem
from followup.core.wording import Style
from followup.store import iso

ZONES = ("Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "Etc/UTC")


def reference_fingerprint(item: PlannedItem) -> str:
    """The digest as first defined (before issue 14): repr of every field in order, the
    times in UTC ISO form, the notes as ()."""
    values: list[object] = []
    for field in dataclasses.fields(PlannedItem):
        value = getattr(item, field.name)
        if isinstance(value, dt.datetime):
            value = value.astimezone(dt.timezone.utc).isoformat()
        elif isinstance(value, dt.date):
            value = value.isoformat()
        values.append(value)
    values[[f.name for f in dataclasses.fields(PlannedItem)].index("notes")] = ()
    return hashlib.sha256(repr(values).encode()).hexdigest()


@st.composite
def moments(draw: st.DrawFn) -> dt.datetime | dt.date | None:
    kind = draw(st.sampled_from(("none", "date", "zoned", "fixed")))
    if kind == "none":
        return None
    # Around the autumn change of London and New York: the same wall time twice (fold).
    naive = draw(st.datetimes(dt.datetime(2026, 10, 24), dt.datetime(2026, 11, 3)))
    if kind == "date":
        return naive.date()
    if kind == "fixed":
        return naive.replace(tzinfo=dt.timezone(dt.timedelta(minutes=draw(st.integers(-600, 600)))))
    return naive.replace(tzinfo=ZoneInfo(draw(st.sampled_from(ZONES))), fold=draw(st.integers(0, 1)))


texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
items = st.builds(
    PlannedItem, key=texts, step=texts, kind=st.sampled_from(("task", "event")), summary=texts,
    description=texts, status=st.sampled_from(("needs-action", "completed", "cancelled")),
    tz=st.sampled_from(ZONES), start=moments(), due=moments(), end=moments(), alarm=moments(),
    completed=moments(), contacts=st.lists(texts, max_size=3).map(tuple), location=texts,
    email=st.booleans(), overridden=st.booleans(), notes=st.lists(texts, max_size=2).map(tuple))


@settings(max_examples=300)
@given(st.lists(items, min_size=1, max_size=6))
def test_the_fingerprint_is_the_first_version_s_digest(batch: list[PlannedItem]) -> None:
    # In a row: the UTC texts the earlier items left behind must not leak into later ones
    # (an hour of the fold, remembered by its wall time, would give the other hour's text).
    for item in batch:
        assert fingerprint(item) == reference_fingerprint(item)


def test_the_two_hours_of_a_fold_have_their_own_digests() -> None:
    zone = ZoneInfo("Europe/London")
    first = PlannedItem("k", "call", "task", "Call", "", "needs-action", "Europe/London",
                        due=dt.datetime(2026, 10, 25, 1, 30, tzinfo=zone))
    second = first.but(due=first.due.replace(fold=1) if first.due else None)
    assert first.due == second.due  # the same tzinfo: datetime compares the wall times
    assert fingerprint(first) != fingerprint(second)
    assert [fingerprint(first), fingerprint(second)] == [reference_fingerprint(first),
                                                          reference_fingerprint(second)]


def test_the_remembered_utc_texts_are_bounded() -> None:
    base = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
    for minutes in range(service.TIME_TEXTS_KEPT + 10):
        service._canonical(base + dt.timedelta(minutes=minutes))
    assert len(service._UTC_TEXTS) <= service.TIME_TEXTS_KEPT


@settings(max_examples=300)
@given(st.lists(items, min_size=1, max_size=6))
def test_a_rows_time_texts_are_the_stores(batch: list[PlannedItem]) -> None:
    """The texts of an item's row (its local times, its UTC sort key) are remembered: in a
    row of items, each must still be what store.iso and sort_time give."""
    for item in batch:
        for value in (item.start, item.due, item.end):
            assert service._local_text(value) == iso(value)
        if item.due is not None or item.start is not None:
            assert service._sort_text(item) == item.sort_time.isoformat()


def test_a_local_text_is_the_zones_and_the_folds() -> None:
    """Equal instants in two zones, and the two 01:30 of London's autumn night (equal as
    datetimes of one zone), each keep their own text."""
    london = ZoneInfo("Europe/London")
    moments = [dt.datetime(2026, 7, 1, 9, tzinfo=dt.timezone.utc),
               dt.datetime(2026, 7, 1, 10, tzinfo=london),
               dt.datetime(2026, 10, 25, 1, 30, tzinfo=london),
               dt.datetime(2026, 10, 25, 1, 30, tzinfo=london, fold=1)]
    assert moments[0] == moments[1] and moments[2] == moments[3]
    assert [service._local_text(moment) for moment in moments] == [
        "2026-07-01T09:00:00+00:00", "2026-07-01T10:00:00+01:00",
        "2026-10-25T01:30:00+01:00", "2026-10-25T01:30:00+00:00"]


def _interview(company: str, contacts: tuple[Contact, ...]) -> Interview:
    return Interview(uid=company.lower(), company=company, role="Engineer",
                     start=dt.datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("Europe/Berlin")),
                     duration=dt.timedelta(hours=1), tz="Europe/Berlin", contacts=contacts)


PANEL = (Contact(1, "Jane Doe", "jane@example.com"), Contact(2, "Bo Li", "bo@example.com"))
STEPS = (("thank-you-email", "thank-you-email"), ("formal-note-1", "formal-note"),
         ("formal-note-2", "formal-note"), ("status-email", "status-email"))


def _texts(interview: Interview, notes: str | None, name: str | None, style: Style) -> list[str]:
    day = dt.date(2026, 12, 2)
    return [calendar_draft_text(interview, key, step, notes, name, style, day) for key, step in STEPS]


def _alone(interview: Interview, notes: str | None, name: str | None, style: Style) -> list[str]:
    drafts._last_shared.clear()  # as in a new process
    return _texts(interview, notes, name, style)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from((0, 1)), st.sampled_from((None, "## Why I fit\n- Python")),
                          st.sampled_from((None, "Sam")),
                          st.sampled_from((Style(), Style("de", "de_DE"), Style("en", "en_GB")))),
                min_size=2, max_size=5))
def test_the_drafts_of_one_interview_after_another_are_what_each_gives_alone(
        asks: list[tuple[int, str | None, str | None, Style]]) -> None:
    """One interview object asked again with other notes, name or style, and another
    interview in between, give their own drafts (fails with the shared parts found by the
    interview alone)."""
    both = (_interview("Contoso", PANEL), _interview("Fabrikam", PANEL[::-1]))
    expected = {(index, notes, name, style): _alone(both[index], notes, name, style)
                for index, notes, name, style in asks}
    drafts._last_shared.clear()
    for index, notes, name, style in asks:
        assert _texts(both[index], notes, name, style) == expected[index, notes, name, style]
