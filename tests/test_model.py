"""PlannedItem.but and PlannedItem.made: the cheap copy and the cheap constructor must build
exactly what dataclasses.replace and __init__ build."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followup.core.model import PlannedItem

ITEM = PlannedItem(
    key="thank-you", step="thank-you", kind="task", summary="Thank-you email — Acme",
    description="Say thank you.", status="NEEDS-ACTION", tz="Europe/London",
    due=dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.timezone.utc), contacts=("Jane Doe",),
    email=True, notes=("moved to Wednesday: Christmas Day in GB",),
)

CHANGES = st.fixed_dictionaries({}, optional={
    "description": st.text(max_size=20),
    "contacts": st.lists(st.text(max_size=5), max_size=3).map(tuple),
    "status": st.sampled_from(["NEEDS-ACTION", "COMPLETED", "CANCELLED"]),
    "tz": st.sampled_from(["UTC", "Asia/Tokyo"]),
    "overridden": st.booleans(),
    "due": st.none() | st.datetimes(timezones=st.just(dt.timezone.utc)),
})


@given(CHANGES)
def test_but_builds_what_replace_builds(changes: dict[str, object]) -> None:
    copy = ITEM.but(**changes)
    expected = dataclasses.replace(ITEM, **changes)  # type: ignore[arg-type]
    assert copy == expected
    assert hash(copy) == hash(expected)
    assert vars(copy) == vars(expected)
    assert type(copy) is PlannedItem


def test_but_leaves_the_original_alone_and_stays_frozen() -> None:
    copy = ITEM.but(description="Changed.")
    assert ITEM.description == "Say thank you."
    assert copy.description == "Changed."
    with pytest.raises(dataclasses.FrozenInstanceError):
        copy.description = "again"  # type: ignore[misc]


def test_but_refuses_a_field_the_item_does_not_have() -> None:
    with pytest.raises(TypeError, match=r"PlannedItem has no field \['descripton'\]"):
        ITEM.but(descripton="typo")


# PlannedItem.made: the planner's cheap constructor must build exactly what __init__ builds.
REQUIRED = {"key": "call-1", "step": "call-1", "kind": "task", "summary": "Call Acme",
            "description": "Ask.", "status": "needs-action", "tz": "Europe/London"}
FIELDS = st.fixed_dictionaries({n: st.just(v) for n, v in REQUIRED.items()}, optional={
    "start": st.none() | st.dates() | st.datetimes(timezones=st.just(dt.timezone.utc)),
    "due": st.none() | st.datetimes(timezones=st.just(dt.timezone.utc)),
    "alarm": st.none() | st.datetimes(timezones=st.just(dt.timezone.utc)),
    "contacts": st.lists(st.text(max_size=5), max_size=3).map(tuple),
    "location": st.text(max_size=5),
    "email": st.booleans(),
    "overridden": st.booleans(),
    "notes": st.lists(st.text(max_size=5), max_size=2).map(tuple),
})


@given(FIELDS, st.integers(0, 17))
def test_made_builds_what_init_builds(fields: dict[str, object], split: int) -> None:
    names = list(fields)  # some fields in the mapping, the rest as keywords
    first, more = dict(list(fields.items())[:split]), {n: fields[n] for n in names[split:]}
    made = PlannedItem.made(first, **more)
    built = PlannedItem(**fields)  # type: ignore[arg-type]
    assert made == built
    assert hash(made) == hash(built)
    assert list(vars(made).items()) == list(vars(built).items())  # the same order too
    assert type(made) is PlannedItem
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.summary = "again"  # type: ignore[misc]


def test_made_refuses_what_init_refuses() -> None:
    with pytest.raises(TypeError, match=r"missing \['summary'\], unknown \[\]"):
        PlannedItem.made({n: v for n, v in REQUIRED.items() if n != "summary"})
    with pytest.raises(TypeError, match=r"missing \[\], unknown \['descripton'\]"):
        PlannedItem.made(REQUIRED, descripton="typo")
    with pytest.raises(TypeError, match=r"missing \['description'\], unknown \['descripton'\]"):
        PlannedItem.made({n: v for n, v in REQUIRED.items() if n != "description"},
                         descripton="typo")
    with pytest.raises(TypeError):
        PlannedItem.made(REQUIRED, key="twice")
