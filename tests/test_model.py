"""PlannedItem.but: the cheap copy with changes must be exactly what dataclasses.replace builds."""

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
