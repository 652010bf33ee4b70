"""The feed's token and URLs, its header properties, and the files `publish` keeps current.

A feed URL is `/<token>/<profile>.ics`; the token is the only key, so it is made with
`secrets` and kept in the store's meta table (the database is private to the user).

The `events` feed leaves out chains that ended more than `[feed] keep_days` ago: Google
stops reading a subscription over 1 MB (CALENDAR_RULES.md rule 24).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from followup.config import Config
from followup.core.vocab import PROFILES
from followup.errors import FollowupError, UsageError
from followup.feed.calendar import calendar_bytes
from followup.feed.calendar_file import write_calendar_file
from followup.store import Store

FEED_PROFILES = ("events", "full", "tasks")  # events first: it is the one most people want
assert set(FEED_PROFILES) == set(PROFILES)
TOKEN_KEY = "feed_token"
# When the feed was first offered: Last-Modified of a calendar with nothing in it yet.
SINCE_KEY = "feed_created"
# "<revision> <UTC ISO time>": when that revision was made, one second after the one before
# at least, so a Last-Modified date tells every revision apart (see `stamp_revision`).
STAMP_KEY = "feed_revision_at"
REFRESH = dt.timedelta(hours=1)
# Google Calendar stops updating a subscription past 1 MB; say so well before.
WARN_BYTES = 800_000
GOOGLE_LIMIT = 1_000_000

CLIENTS = {
    "events": "Google Calendar, Outlook, Apple Calendar",
    "full": "Thunderbird, Evolution, Nextcloud (events and tasks)",
    "tasks": "Apple Reminders, todoman (tasks only)",
}


# -- token and URLs ----------------------------------------------------------------------


def ensure_token(store: Store, now: dt.datetime) -> str:
    """The feed token, created on first use (in a transaction, so two first uses agree)."""
    return store.get_meta(TOKEN_KEY) or _issue(store, now, replace=False)


def rotate_token(store: Store, now: dt.datetime) -> str:
    """A new token; every URL with the old one answers 404 from the next request on."""
    return _issue(store, now, replace=True)


def _issue(store: Store, now: dt.datetime, replace: bool) -> str:
    with store.transaction():
        token = None if replace else store.get_meta(TOKEN_KEY)
        if not token:
            token = secrets.token_urlsafe(24)
            store.set_meta(TOKEN_KEY, token)
        if store.get_meta(SINCE_KEY) is None:
            store.set_meta(SINCE_KEY, now.astimezone(dt.timezone.utc).isoformat())
    return token


def local_base_url(host: str, port: int) -> str:
    if host in ("0.0.0.0", "::", ""):
        import socket  # only for a wildcard address

        host = socket.gethostname()  # a wildcard address is not something to paste
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def page_url(base_url: str, token: str) -> str:
    """The page of `followup serve`: the plan at a glance, check-offs, QR codes."""
    return f"{base_url}/{token}/"


def feed_urls(base_url: str, token: str) -> dict[str, dict[str, str]]:
    """Per profile: the http(s) URL (Google's "From URL") and the webcal:// one (Apple, Outlook)."""
    urls = {}
    for profile in FEED_PROFILES:
        url = f"{base_url}/{token}/{profile}.ics"
        urls[profile] = {
            "url": url,
            "webcal": "webcal://" + url.split("://", 1)[1],
            "clients": CLIENTS[profile],
        }
    return urls


# -- what the feed renders -----------------------------------------------------------------


def feed_properties(user_tz: str) -> dict[str, Any]:
    """Header properties of a feed (CALENDAR_RULES.md rule 13), as icalendar values.

    A bare timedelta would serialise X-PUBLISHED-TTL as `1:00:00`, and a string cannot
    carry VALUE=DURATION: hence explicit vDuration values.
    """
    from icalendar import vDuration

    return {
        "X-WR-TIMEZONE": user_tz,
        "REFRESH-INTERVAL": vDuration(REFRESH, params={"VALUE": "DURATION"}),
        "X-PUBLISHED-TTL": vDuration(REFRESH),
    }


# -- what leaves the events feed, and when the feed last changed ----------------------------


@dataclass(frozen=True)
class Hidden:
    """Interviews whose chain ended more than keep_days ago, and when the last one left."""

    interviews: frozenset[int] = frozenset()
    since: dt.datetime | None = None


def hidden_chains(ends: Mapping[int, str | None], now: dt.datetime, keep_days: int) -> Hidden:
    """From `Store.chain_ends()`: the chains the events feed leaves out at `now`."""
    keep = dt.timedelta(days=keep_days)
    gone = {}
    for interview_id, end in ends.items():
        if end is not None:
            left = dt.datetime.fromisoformat(end) + keep
            if left <= now:
                gone[interview_id] = left
    return Hidden(frozenset(gone), max(gone.values(), default=None))


def hidden_in(store: Store, profile: str, now: dt.datetime, keep_days: int) -> Hidden:
    return hidden_chains(store.chain_ends(), now, keep_days) if profile == "events" else Hidden()


def stamp_revision(store: Store, now: dt.datetime) -> None:
    """Remember when the current revision was made (inside the change's transaction).

    Each revision gets a time at least one second after the previous one's: HTTP dates
    have one-second resolution, and two changes within a second must not share a
    Last-Modified, or an If-Modified-Since client would miss the second one."""
    previous = revision_time(store)
    moment = now.astimezone(dt.timezone.utc).replace(microsecond=0)
    if previous is not None:
        moment = max(moment, previous[1] + dt.timedelta(seconds=1))
    store.set_meta(STAMP_KEY, f"{store.revision()} {moment.isoformat()}")


def revision_time(store: Store) -> tuple[int, dt.datetime] | None:
    stamp = store.get_meta(STAMP_KEY)
    if not stamp:
        return None
    revision, moment = stamp.split(" ", 1)
    return int(revision), dt.datetime.fromisoformat(moment)


def last_modified(store: Store, hidden: Hidden) -> dt.datetime | None:
    """When the feed last changed: its revision's time, or when a chain last left it."""
    stamp = revision_time(store)
    newest = store.newest_modified() or store.get_meta(SINCE_KEY)
    moment = dt.datetime.fromisoformat(newest).replace(microsecond=0) if newest else None
    if stamp is not None:
        revision, at = stamp
        # A revision made without a stamp (an older followup) comes after the stamped one.
        at = at if revision == store.revision() else at + dt.timedelta(seconds=1)
        moment = at if moment is None else max(at, moment)
    if hidden.since is not None:
        moment = hidden.since if moment is None else max(moment, hidden.since)
    return moment


def too_big(size: int, profile: str) -> str | None:
    """A warning when a feed nears Google's limit, else None."""
    if size <= WARN_BYTES:
        return None
    return (f"the {profile} feed is {size // 1000:,} KB; Google Calendar stops updating a"
            f" subscription past {GOOGLE_LIMIT // 1_000_000} MB: lower [feed] keep_days so that"
            " ended interviews leave it sooner")


# -- published files -----------------------------------------------------------------------


def feed_bytes(store: Store, profile: str, user_tz: str, now: dt.datetime, keep_days: int) -> bytes:
    """A profile as the feed serves it, in the caller's snapshot."""
    hidden = hidden_in(store, profile, now, keep_days)
    return calendar_bytes(store, profile, feed_properties(user_tz), hidden.interviews)


def publish(store: Store, path: Path, profile: str, user_tz: str, now: dt.datetime,
            keep_days: int = 30) -> int:
    """Write a profile to a file atomically: the feed for a web host or a synced folder.
    Returns its size. Call it under the store's write lock (`store.transaction()`): see
    feed/calendar_file."""
    if profile not in PROFILES:
        raise UsageError(f"unknown profile {profile!r}; use one of: {', '.join(FEED_PROFILES)}")
    hidden = hidden_in(store, profile, now, keep_days)
    try:
        return write_calendar_file(store, path, profile, feed_properties(user_tz),
                                   hidden.interviews)
    except OSError as exc:
        raise FollowupError(f"cannot publish the feed to {path}: {exc.strerror or exc}") from None


def publish_configured(store: Store, config: Config, now: dt.datetime) -> list[Path]:
    """Refresh every file named by `[feed] publish`; every change calls it."""
    for target in config.feed.publish:
        publish(store, target.path, target.profile, config.user_tz, now, config.feed.keep_days)
    return [target.path for target in config.feed.publish]
