"""The planner and the drafts remember answers across the plans of one command (an import
plans a thousand interviews with the same people, zones and days): what they remember
must be keyed by everything the answer depends on. Two interviews with different zones,
countries, hours and languages, planned one after the other in either order, give what
each gives planned alone, in a process that remembers nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followup.core import drafts, greetings, placing, planner, schedule, wording
from followup.core.drafts import calendar_draft_text, has_draft
from followup.core.model import Interview
from followup.core.planner import People, plan
from followup.core.schedule import Hours, Person
from followup.core.wording import Style
from test_properties import COUNTRIES, ZONES, holidays, interviews

KEEP = {"_environment", "_builtin", "builtin_words"}  # compiled templates: keyed by name only


def forget() -> None:
    """Every answer the planner and the drafts remember, as in a new process."""
    for module in (schedule, placing, planner, drafts, wording, greetings):
        for name, value in vars(module).items():
            if hasattr(value, "cache_clear") and not isinstance(value, type) and name not in KEEP:
                value.cache_clear()
    drafts._last_shared.clear()  # the last interview's shared draft parts


@dataclasses.dataclass(frozen=True)
class Setting:
    user_tz: str
    country: str | None
    work: Hours
    style: Style


# Few of each, so that two settings often share a zone or hours and differ in the rest.
settings_ = st.builds(Setting, st.sampled_from(("Europe/London", "America/New_York")),
                      st.sampled_from(COUNTRIES[:4]),
                      st.sampled_from((Hours(), Hours(dt.time(7), dt.time(15, 30)))),
                      st.builds(Style, st.sampled_from(("en", "de", "fr", "es")),
                                st.sampled_from(("en_US", "en_GB", "de_DE"))))


def planned(interview: Interview, setting: Setting) -> list[tuple[object, ...]]:
    people = People(Person(setting.user_tz, holidays(setting.country)),
                    holidays(interview.country or setting.country), setting.work)
    items = plan(interview, people=people, language=setting.style.language,
                 today=interview.start.date())
    return [(item, calendar_draft_text(interview, item.key, item.step, "Stressed:\n- Python",
                                       "Sam", setting.style, item.due.date())
             if item.email and item.due is not None and has_draft(item.step) else None)
            for item in items]


@given(first=interviews(), first_setting=settings_, second_setting=settings_,
       country=st.sampled_from(COUNTRIES[:4]), contact_tz=st.none() | st.sampled_from(ZONES[:4]),
       days=st.integers(0, 3))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_plans_in_one_process_do_not_share_what_differs(
        first: Interview, first_setting: Setting, second_setting: Setting, country: str | None,
        contact_tz: str | None, days: int) -> None:
    # The second interview is near the first (the same days, so the same remembered
    # answers are asked for) with another country and other zones for its people.
    second = dataclasses.replace(
        first, start=first.start + dt.timedelta(days=days), country=country,
        contacts=tuple(dataclasses.replace(c, tz=contact_tz or c.tz) for c in first.contacts))
    forget()
    alone_first = planned(first, first_setting)
    forget()
    alone_second = planned(second, second_setting)
    forget()
    assert planned(first, first_setting) == alone_first
    assert planned(second, second_setting) == alone_second
    forget()
    assert planned(second, second_setting) == alone_second
    assert planned(first, first_setting) == alone_first


# The night the UK's clocks go back (Sunday 25 October 2026): 01:30 happens twice, an hour
# apart, and Python's == tells the two apart only by their fold.
LONDON = ZoneInfo("Europe/London")
FIRST_0130 = dt.datetime(2026, 10, 25, 1, 30, tzinfo=LONDON)  # BST: 00:30 UTC
SECOND_0130 = FIRST_0130.replace(fold=1)  # GMT: 01:30 UTC


def test_exact_keys_tell_apart_what_equal_moments_hide() -> None:
    assert FIRST_0130 == SECOND_0130  # one zone: compared by wall time
    assert schedule.exact_key(FIRST_0130) != schedule.exact_key(SECOND_0130)
    noon = dt.datetime(2026, 10, 25, 12, 0, tzinfo=LONDON)
    utc = noon.astimezone(dt.timezone.utc)
    assert utc == noon  # the same moment in another zone: equal
    assert schedule.exact_key(utc) != schedule.exact_key(noon)
    assert schedule.exact_key(FIRST_0130) == schedule.exact_key(
        dt.datetime(2026, 10, 25, 1, 30, tzinfo=LONDON))


def test_why_moved_tells_apart_the_two_0130_of_a_night() -> None:
    # For a user in Cape Verde (UTC-1) the first 01:30 is Saturday 23:30 and the second
    # Sunday 00:30: only the second moved a day, to the contact's Sunday.
    calendars = schedule.TwoCalendars(Person("Atlantic/Cape_Verde"), Person("Europe/London"))
    plain = dt.datetime(2026, 10, 24, 23, 0, tzinfo=LONDON)
    forget()
    alone = placing.why_moved(calendars, plain, SECOND_0130)
    assert alone == "moved to Sunday 25 Oct: Saturday 21:00 your time is Saturday in London"
    fresh = schedule.TwoCalendars(Person("Atlantic/Cape_Verde"), Person("Europe/London"))
    assert placing.why_moved(fresh, plain, FIRST_0130) is None  # the same Saturday
    assert placing.why_moved(fresh, plain, SECOND_0130) == alone
    # The same wall time of one zone, another fold: not "the same moment".
    assert placing.why_moved(fresh, SECOND_0130, FIRST_0130) is not None


def test_working_days_are_counted_by_day_and_count() -> None:
    holidays = frozenset({dt.date(2026, 12, 25)})
    calendars = schedule.TwoCalendars(Person("Europe/London", holidays), Person("Asia/Tokyo"))
    thursday = dt.date(2026, 12, 24)
    asked = [(day, count) for day in (thursday, thursday + dt.timedelta(days=1))
             for count in (1, 2, -1, 3, 0)]
    answers = [calendars.shift(day, count) for day, count in asked]
    assert answers[:4] == [dt.date(2026, 12, 28), dt.date(2026, 12, 29), dt.date(2026, 12, 23),
                           dt.date(2026, 12, 30)]
    # Each answer is what calendars that remember nothing give.
    assert answers == [schedule.TwoCalendars(calendars.user, calendars.contact).shift(day, count)
                       for day, count in asked]


def test_a_playbook_is_indexed_by_itself_not_by_what_it_resembles() -> None:
    # Two steps that always fall at the same time are ordered by their place in the
    # playbook: the same steps in another order (another tuple, or a list changed in
    # place between two plans) give the other order, whatever was planned before.
    notes = next(step for step in planner.DEFAULT_PLAYBOOK if step.id == "notes")
    twin = dataclasses.replace(notes, id="notes-twin")
    first = (*planner.DEFAULT_PLAYBOOK, twin)
    swapped = tuple(twin if step is notes else notes if step is twin else step for step in first)
    interview = Interview("uid", "Acme", "Engineer", dt.datetime(2026, 12, 1, 10, tzinfo=LONDON),
                          dt.timedelta(hours=1), "Europe/London")

    def order(playbook: object) -> list[str]:
        return [item.step for item in plan(interview, playbook=playbook)  # type: ignore[arg-type]
                if item.step in ("notes", "notes-twin")]

    assert order(first) == ["notes", "notes-twin"]
    assert order(swapped) == ["notes-twin", "notes"]
    assert order(first) == ["notes", "notes-twin"]
    changing = list(first)
    assert order(changing) == ["notes", "notes-twin"]
    changing[:] = swapped
    assert order(changing) == ["notes-twin", "notes"]
