"""Exact planned dates for the default playbook (PLAYBOOK.md), straight from the pure planner.

Without `people` the user lives in the interview's zone, with the default hours 08:00-20:00
and no holidays; without `today` nothing rolls forward. Dates that the rules of "Two
people's calendars" moved from the old table say which rule moved them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from followup.core.model import Contact, Interview, ItemState, Outcome
from followup.core.planner import People, plan

LONDON = "Europe/London"


def interview(start: str, tz: str = LONDON, minutes: int = 60, deadline: str | None = None,
              contacts: tuple[Contact, ...] = (), note: str = "email") -> Interview:
    zone = ZoneInfo(tz)
    return Interview(
        uid="test", company="Acme", role="Data Engineer",
        start=dt.datetime.fromisoformat(start).replace(tzinfo=zone),
        duration=dt.timedelta(minutes=minutes), tz=tz,
        deadline=dt.date.fromisoformat(deadline) if deadline else None,
        contacts=contacts, note=note,
    )


def timeline(items) -> dict[str, tuple[str | None, str | None, str | None, str]]:
    def text(value):
        return value.isoformat() if value is not None else None

    return {i.key: (text(i.start), text(i.due), text(i.end), i.status) for i in items}


JANE = Contact(1, "Jane Doe", "jane@acme.example")
BO = Contact(2, "Bo Li", "bo@acme.example")


def test_friday_interview_crosses_the_weekend_with_an_assumed_deadline() -> None:
    items = plan(interview("2026-12-04T14:00", contacts=(JANE,)))
    assert timeline(items) == {
        "interview": ("2026-12-04T14:00:00+00:00", None, "2026-12-04T15:00:00+00:00", "needs-action"),
        "ask-timeline": (None, "2026-12-04T15:00:00+00:00", None, "needs-action"),
        "business-card": (None, "2026-12-04T15:00:00+00:00", None, "needs-action"),
        "notes": (None, "2026-12-04T17:00:00+00:00", None, "needs-action"),
        # A Friday interview: no working day ends within 48 h, so the evening of the day.
        "thank-you-email": (None, "2026-12-04T20:00:00+00:00", None, "needs-action"),
        "formal-note-1": (None, "2026-12-07T10:00:00+00:00", None, "needs-action"),
        "response-deadline": ("2026-12-11", None, "2026-12-12", "needs-action"),
        "status-email": (None, "2026-12-14T10:00:00+00:00", None, "needs-action"),
        "call-script": (None, "2026-12-15T17:00:00+00:00", None, "needs-action"),
        "call": ("2026-12-16T09:00:00+00:00", "2026-12-16T09:00:00+00:00",
                 "2026-12-16T09:15:00+00:00", "needs-action"),
        "second-call": ("2026-12-30T09:00:00+00:00", "2026-12-30T09:00:00+00:00",
                        "2026-12-30T09:15:00+00:00", "needs-action"),
        "let-go": (None, "2027-01-06T10:00:00+00:00", None, "needs-action"),
    }
    deadline = next(i for i in items if i.key == "response-deadline")
    assert deadline.summary == "Acme said they would decide (assumed)"
    assert [i.key for i in items][:2] == ["interview", "ask-timeline"]


def test_alarms_follow_the_playbook() -> None:
    items = {i.key: i for i in plan(interview("2026-12-04T14:00", contacts=(JANE,)))}
    alarms = {key: item.alarm.isoformat() for key, item in items.items()}
    assert alarms == {
        "interview": "2026-12-04T13:00:00+00:00",
        "ask-timeline": "2026-12-04T14:50:00+00:00",
        "business-card": "2026-12-04T14:50:00+00:00",
        "notes": "2026-12-04T15:15:00+00:00",
        "thank-you-email": "2026-12-04T18:00:00+00:00",  # E + 3 h
        "formal-note-1": "2026-12-07T10:00:00+00:00",
        "response-deadline": "2026-12-11T09:00:00+00:00",
        "status-email": "2026-12-14T10:00:00+00:00",
        "call-script": "2026-12-15T17:00:00+00:00",
        "call": "2026-12-16T08:50:00+00:00",
        "second-call": "2026-12-30T08:50:00+00:00",
        "let-go": "2027-01-06T10:00:00+00:00",
    }


def test_thursday_panel_with_a_given_deadline() -> None:
    items = plan(interview("2026-12-03T14:00", minutes=90, deadline="2026-12-10", contacts=(JANE, BO)))
    got = timeline(items)
    # Thursday + 3 days is a Sunday: the formal notes roll to Monday, one per interviewer.
    assert got["formal-note-1"][1] == got["formal-note-2"][1] == "2026-12-07T10:00:00+00:00"
    # The end of the user's hours on the first working day after (was Saturday, E + 48 h).
    assert got["thank-you-email"][1] == "2026-12-04T20:00:00+00:00"
    assert got["response-deadline"] == ("2026-12-10", None, "2026-12-11", "needs-action")
    assert got["status-email"][1] == "2026-12-11T10:00:00+00:00"  # first business day after D
    assert got["call"][0] == "2026-12-15T09:00:00+00:00"  # 2nd business day after Friday
    assert got["call-script"][1] == "2026-12-14T17:00:00+00:00"
    assert got["second-call"][0] == "2026-12-29T09:00:00+00:00"
    assert got["let-go"][1] == "2027-01-05T10:00:00+00:00"
    summaries = {i.key: i.summary for i in items}
    assert summaries["formal-note-1"] == "Send a formal note to Jane Doe (Acme)"
    assert summaries["formal-note-2"] == "Send a formal note to Bo Li (Acme)"
    assert summaries["response-deadline"] == "Acme said they would decide"
    note = next(i for i in items if i.key == "formal-note-2")
    assert note.contacts == ("Bo Li <bo@acme.example>",)


def test_dst_change_week_uses_elapsed_hours_and_wall_clock_days() -> None:
    # Clocks in London go back on Sunday 2026-10-25 at 01:00 UTC.
    got = timeline(plan(interview("2026-10-23T16:00")))
    assert got["interview"][0] == "2026-10-23T16:00:00+01:00"
    assert got["notes"][1] == "2026-10-23T19:00:00+01:00"
    # A Friday interview: the evening of the day (was 48 real hours later, a Sunday).
    assert got["thank-you-email"][1] == "2026-10-23T20:00:00+01:00"
    assert got["formal-note"][1] == "2026-10-26T10:00:00+00:00"
    assert got["response-deadline"][0] == "2026-10-30"
    assert got["status-email"][1] == "2026-11-02T10:00:00+00:00"
    assert got["call"][0] == "2026-11-04T09:00:00+00:00"


def test_dst_spring_forward_in_new_york() -> None:
    # US clocks jump forward on Sunday 2027-03-14; calls stay at 09:00 local.
    got = timeline(plan(interview("2027-03-11T10:00", tz="America/New_York", deadline="2027-03-12")))
    assert got["thank-you-email"][1] == "2027-03-12T20:00:00-05:00"
    assert got["formal-note"][1] == "2027-03-15T10:00:00-04:00"
    # Rule 5: two working days after the formal note (was Monday, before the note's reply).
    assert got["status-email"][1] == "2027-03-17T10:00:00-04:00"
    assert got["call"][0] == "2027-03-19T09:00:00-04:00"


def test_handwritten_note_is_due_the_next_business_day() -> None:
    items = {i.key: i for i in plan(interview("2026-12-04T14:00", contacts=(JANE,), note="handwritten"))}
    assert items["formal-note-1"].due.isoformat() == "2026-12-07T10:00:00+00:00"
    assert items["formal-note-1"].summary == "Write a handwritten note to Jane Doe (Acme)"
    thursday = {i.key: i for i in plan(interview("2026-12-03T14:00", note="handwritten"))}
    # Rule 5: a working day after the thank-you, due Friday evening (was Friday 10:00).
    assert thursday["formal-note"].due.isoformat() == "2026-12-07T10:00:00+00:00"
    sent = {"thank-you-email": ItemState(completed=dt.datetime(2026, 12, 3, 18, tzinfo=dt.timezone.utc))}
    early = {i.key: i for i in plan(interview("2026-12-03T14:00", note="handwritten"), states=sent)}
    # Sent the same evening: the note can go the next working day, as the table says.
    assert early["formal-note"].due.isoformat() == "2026-12-04T10:00:00+00:00"


def test_no_interviewers_gives_one_note_to_the_hiring_team() -> None:
    items = [i for i in plan(interview("2026-12-04T14:00")) if i.step == "formal-note"]
    assert [(i.key, i.summary) for i in items] == [("formal-note", "Send a formal note to the hiring team (Acme)")]


def test_holidays_are_not_business_days() -> None:
    people = People(contact_holidays=frozenset({dt.date(2026, 12, 14)}))
    got = timeline(plan(interview("2026-12-04T14:00"), people=people))
    assert got["status-email"][1] == "2026-12-15T10:00:00+00:00"
    assert got["call"][0] == "2026-12-17T09:00:00+00:00"


def statuses(items) -> dict[str, str]:
    return {i.key: i.status for i in items}


RECORDED = dt.datetime(2026, 12, 8, 15, 30, tzinfo=dt.timezone.utc)


def test_offer_cancels_the_chase_and_adds_a_reply() -> None:
    done = {"thank-you-email": ItemState(completed=dt.datetime(2026, 12, 5, 9, tzinfo=dt.timezone.utc))}
    items = plan(interview("2026-12-04T14:00", contacts=(JANE,)), states=done,
                 outcomes=[Outcome("offer", RECORDED)])
    assert statuses(items) == {
        "interview": "needs-action", "ask-timeline": "needs-action", "business-card": "needs-action",
        "notes": "needs-action", "thank-you-email": "completed", "formal-note-1": "needs-action",
        "response-deadline": "cancelled", "status-email": "cancelled", "call-script": "cancelled",
        "call": "cancelled", "second-call": "cancelled", "let-go": "cancelled",
        "reply-offer": "needs-action",
    }
    reply = next(i for i in items if i.key == "reply-offer")
    assert reply.due.isoformat() == "2026-12-09T15:30:00+00:00"


def test_second_interview_reply_is_due_four_hours_later() -> None:
    items = plan(interview("2026-12-04T14:00"), outcomes=[Outcome("second-interview", RECORDED)])
    reply = next(i for i in items if i.key == "reply-second-interview")
    assert reply.due.isoformat() == "2026-12-08T19:30:00+00:00"


def test_rejection_cancels_thank_yous_and_plans_a_gracious_reply() -> None:
    done = {"formal-note-1": ItemState(completed=dt.datetime(2026, 12, 7, 10, tzinfo=dt.timezone.utc))}
    # Recorded on a Thursday: two days later is Saturday, so Monday 10:00.
    thursday = dt.datetime(2026, 12, 10, 11, tzinfo=dt.timezone.utc)
    items = plan(interview("2026-12-04T14:00", contacts=(JANE, BO)), states=done,
                 outcomes=[Outcome("rejected", thursday)])
    got = statuses(items)
    assert got["thank-you-email"] == "cancelled"
    assert got["formal-note-1"] == "completed"
    assert got["formal-note-2"] == "cancelled"
    assert got["notes"] == "needs-action"
    assert got["status-email"] == "cancelled"
    reply = next(i for i in items if i.key == "gracious-reply")
    assert (reply.status, reply.due.isoformat()) == ("needs-action", "2026-12-14T10:00:00+00:00")


def test_withdrawing_before_the_interview_cancels_everything_open() -> None:
    before = dt.datetime(2026, 12, 1, 9, tzinfo=dt.timezone.utc)
    items = plan(interview("2026-12-04T14:00"), outcomes=[Outcome("withdrawn", before)])
    assert set(statuses(items).values()) == {"cancelled"}


def test_three_shot_policy_in_the_default_playbook() -> None:
    items = plan(interview("2026-12-04T14:00"))
    chases = [i.step for i in items if i.step in ("status-email", "call", "second-call")]
    assert chases == ["status-email", "call", "second-call"]
    assert [i.step for i in items][-1] == "let-go"
