"""Small feeds (issue 15, CALENDAR_RULES.md rule 24): Google stops reading a subscription
over 1 MB, so the events feed says each thing once, carries no drafts, and leaves out
chains that ended more than `[feed] keep_days` ago."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import NOW, USER_TZ
from followup.app.service import Service
from followup.config import Paths, load_config
from followup.feed.calendar import calendar_bytes
from followup.feed.host import Settings
from followup.feed.publish import feed_bytes, hidden_chains, hidden_in
from followup.feed.server import FeedApp
from followup.store import Store
from test_feed import followup, make_home

NOW_DT = dt.datetime.fromisoformat(NOW)
UTC = dt.timezone.utc
ACTIVE = 100
ENDED = 100


def interviews_toml(ended: int, active: int) -> str:
    """`ended` interviews from January 2026 on, `active` ones around now; one interviewer each."""
    entries = []
    for number in range(ended + active):
        if number < ended:
            at = dt.datetime(2026, 1, 5, 10, 0) + dt.timedelta(days=number)
        else:
            at = dt.datetime(2026, 11, 23, 9, 0) + dt.timedelta(hours=7 * (number - ended))
        entries.append(
            f'[[interview]]\ncompany = "Company {number:03d}"\nrole = "Data Engineer"\n'
            f'at = "{at:%Y-%m-%d %H:%M}"\ntz = "Europe/London"\n'
            f'interviewers = ["Jane Doe <jane{number}@company{number:03d}.example>"]\n')
    return "\n".join(entries)


def end_chains(home: Path, interview_ids: list[int], now: dt.datetime = NOW_DT) -> None:
    """Each answered "rejected" three days after the interview, its open steps done a day
    later: the chain ends then."""
    paths = Paths(home, home)
    service = Service(paths, load_config(paths), now, offline=True)
    with service.change():
        for interview_id in interview_ids:
            start = service.store.interview(interview_id).start
            service.outcome(interview_id, "rejected", when=start + dt.timedelta(days=3))
            open_steps = [str(row.id) for row in service.store.items(
                interview_id, kinds=("task",), statuses=("needs-action",))]
            service.done(open_steps, when=start + dt.timedelta(days=4))
    service.store.close()


@pytest.fixture(scope="module")
def search(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200 interviews, half of them ended long ago."""
    home = make_home(tmp_path_factory.mktemp("size") / "home")
    (home / "interviews.toml").write_text(interviews_toml(ENDED, ACTIVE))
    result = followup(home, "import", str(home / "interviews.toml"))
    assert result.exit_code == 0, result.stderr
    end_chains(home, list(range(1, ENDED + 1)))
    return home


def events_feed(home: Path, now: dt.datetime = NOW_DT, keep_days: int = 30) -> bytes:
    store = Store(home / "followup.db")
    try:
        with store.snapshot():
            return feed_bytes(store, "events", USER_TZ, now, keep_days)
    finally:
        store.close()


def interviews_in(feed: bytes) -> set[str]:
    return set(re.findall(rb"X-FOLLOWUP-INTERVIEW:(\w+)", feed))  # type: ignore[arg-type]


def test_two_hundred_interviews_half_ended_long_ago_stay_under_a_megabyte(search: Path) -> None:
    feed = events_feed(search)
    assert len(feed) < 1_000_000
    store = Store(search / "followup.db")
    uids = {row["id"]: row["uid"].encode() for row in store.interview_summaries().values()}
    ends = store.chain_ends()
    store.close()
    assert sorted(i for i, end in ends.items() if end is None) == list(range(ENDED + 1, ENDED + ACTIVE + 1))
    assert interviews_in(feed) == {uids[i] for i in range(ENDED + 1, ENDED + ACTIVE + 1)}
    # Everything is still in the calendar file and in an export.
    assert interviews_in((search / "followup.ics").read_bytes()) == set(uids.values())


def test_an_active_interview_with_one_interviewer_takes_at_most_8_kb(search: Path) -> None:
    """What one more active interview adds to the events feed (its zone's VTIMEZONE is
    there already), and the whole feed for one interview alone, header and all."""
    store = Store(search / "followup.db")
    ended = set(range(1, ENDED + 1))
    actives = range(ENDED + 1, ENDED + ACTIVE + 1)
    with store.snapshot():
        feed = len(calendar_bytes(store, "events", leave_out=ended))
        added = [feed - len(calendar_bytes(store, "events", leave_out=ended | {i}))
                 for i in actives[::10]]
        alone = len(calendar_bytes(store, "events", leave_out=ended | set(actives[1:])))
        nothing = len(calendar_bytes(store, "events", leave_out=ended | set(actives)))
        revision = store.revision()
    store.close()
    assert max(added) <= 8000
    assert feed / ACTIVE <= 8000
    assert alone - nothing <= 8 * 1024  # with its VTIMEZONE
    print(f"events feed, {ACTIVE} active interviews: {feed:,} bytes; one more adds at most"
          f" {max(added):,}; one alone {alone:,} ({nothing:,} without it); revision {revision}")


def test_no_text_twice_and_no_draft_in_the_events_feed(search: Path) -> None:
    import icalendar

    feed = icalendar.Calendar.from_ical(events_feed(search))
    events = feed.walk("VEVENT")
    assert len(events) == ACTIVE * 12
    for event in events:
        description = str(event["DESCRIPTION"])
        assert "Draft:" not in description and "mailto:" not in description
        assert "Contacts:" not in description and "Interview:" not in description
        assert "X-FOLLOWUP-KEY" not in event or event["X-FOLLOWUP-KEY"] != event["X-FOLLOWUP-STEP"]
    thanks = [e for e in events if str(e["X-FOLLOWUP-STEP"]) == "thank-you-email"]
    assert len(thanks) == ACTIVE
    for event in thanks:
        assert re.fullmatch(r"A short thank-you .*\n\nThe draft is on your followup page and in"
                            r" `followup draft \d+`\.", str(event["DESCRIPTION"]), re.DOTALL)


def test_chains_leave_the_events_feed_keep_days_after_they_end(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    (home / "interviews.toml").write_text(interviews_toml(1, 1))
    assert followup(home, "import", str(home / "interviews.toml"),
                    now="2026-01-02T09:00:00+00:00").exit_code == 0
    end_chains(home, [1], dt.datetime(2026, 1, 9, 10, 0, tzinfo=UTC))
    store = Store(home / "followup.db")
    end = dt.datetime.fromisoformat(store.chain_ends()[1] or "")
    uid = store.interview(1).uid.encode()
    store.close()
    # Answered on 8 January, its open steps done on 9 January 10:00: the chain ended then.
    assert end == dt.datetime(2026, 1, 9, 10, 0, tzinfo=UTC)
    left = end + dt.timedelta(days=30)
    assert uid in interviews_in(events_feed(home, left - dt.timedelta(seconds=1)))
    assert uid not in interviews_in(events_feed(home, left))
    assert uid in interviews_in(events_feed(home, left, keep_days=31))
    assert uid not in interviews_in(events_feed(home, end, keep_days=0))
    # The other profiles keep everything.
    store = Store(home / "followup.db")
    assert hidden_in(store, "full", left, 30).interviews == frozenset()
    store.close()

    # Served: the tag changes when the chain leaves, and Last-Modified says when it left.
    times = [left - dt.timedelta(seconds=1)]
    paths = Paths(home, home)
    app = FeedApp(lambda: Service(paths, load_config(paths), NOW_DT), USER_TZ,
                  settings=Settings(USER_TZ), clock=lambda: times[0])
    from test_feed import ensure_token, wsgi_get

    store = Store(home / "followup.db")
    token = ensure_token(store, NOW_DT)
    store.close()
    before = wsgi_get(app, f"/{token}/events.ics")
    times[0] = left + dt.timedelta(hours=1)
    after = wsgi_get(app, f"/{token}/events.ics", {"If-None-Match": before[1]["ETag"]})
    assert after[0] == "200 OK"
    assert uid not in interviews_in(after[2]) and uid in interviews_in(before[2])
    assert after[1]["Last-Modified"] == "Sun, 08 Feb 2026 10:00:00 GMT"
    assert wsgi_get(app, f"/{token}/events.ics",
                    {"If-Modified-Since": before[1]["Last-Modified"]})[0] == "200 OK"
    assert wsgi_get(app, f"/{token}/events.ics",
                    {"If-Modified-Since": after[1]["Last-Modified"]})[0] == "304 Not Modified"


moments = st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 12, 31),
                       timezones=st.just(UTC))


@settings(max_examples=60, deadline=None)
@given(ends=st.dictionaries(st.integers(1, 40), st.none() | moments, max_size=12), now=moments,
       keep_days=st.integers(0, 400))
def test_rule_24_a_chain_is_in_the_feed_until_keep_days_after_it_ended(
        ends: dict[int, dt.datetime | None], now: dt.datetime, keep_days: int) -> None:
    hidden = hidden_chains({i: e.isoformat() if e else None for i, e in ends.items()}, now, keep_days)
    keep = dt.timedelta(days=keep_days)
    for interview, end in ends.items():
        assert (interview in hidden.interviews) == (end is not None and now - end >= keep)
    assert hidden.since == max((e + keep for i, e in ends.items() if i in hidden.interviews),
                               default=None)
    assert hidden.since is None or hidden.since <= now


def test_feed_urls_publish_and_status_warn_past_800_kb(search: Path, tmp_path: Path) -> None:
    quiet = followup(search, "feed", "urls")
    assert (quiet.exit_code, quiet.stderr) == (0, "")
    config = search / "config.toml"
    kept = config.read_text()
    config.write_text(kept + "[feed]\nkeep_days = 3650\n")  # nothing leaves: 200 interviews
    try:
        size = len(events_feed(search, keep_days=3650))
        assert size > 1_000_000
        warning = (f"Warning: the events feed is {size // 1000:,} KB; Google Calendar stops"
                   " updating a subscription past 1 MB: lower [feed] keep_days so that ended"
                   " interviews leave it sooner.\n")
        loud = followup(search, "feed", "urls")
        assert (loud.exit_code, loud.stderr) == (0, warning)
        published = followup(search, "publish", str(tmp_path / "feed.ics"))
        assert (published.exit_code, published.stderr) == (0, warning)
        status = followup(search, "feed", "status")
        assert (status.exit_code, status.stderr) == (0, warning)
        store = Store(search / "followup.db")
        revision = store.revision()
        store.close()
        assert status.stdout.splitlines()[-1] == (
            f"The events feed is {round(size / 1000):,} KB at revision {revision}.")
    finally:
        config.write_text(kept)
