"""The feed's token and URLs, its header properties, and the files `publish` keeps current.

A feed URL is `/<token>/<profile>.ics`; the token is the only key, so it is made with
`secrets` and kept in the store's meta table (the database is private to the user).
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Any

from followup.config import Config
from followup.core.vocab import PROFILES
from followup.errors import FollowupError, UsageError
from followup.feed.calendar_file import write_calendar_file
from followup.store import Store

FEED_PROFILES = ("events", "full", "tasks")  # events first: it is the one most people want
assert set(FEED_PROFILES) == set(PROFILES)
TOKEN_KEY = "feed_token"
# When the feed was first offered: Last-Modified of a calendar with nothing in it yet.
SINCE_KEY = "feed_created"
REFRESH = dt.timedelta(hours=1)

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


# -- published files -----------------------------------------------------------------------


def publish(store: Store, path: Path, profile: str, user_tz: str) -> None:
    """Write a profile to a file atomically: the feed for a web host or a synced folder.

    Call it under the store's write lock (`store.transaction()`): see feed/calendar_file."""
    if profile not in PROFILES:
        raise UsageError(f"unknown profile {profile!r}; use one of: {', '.join(FEED_PROFILES)}")
    try:
        write_calendar_file(store, path, profile, feed_properties(user_tz))
    except OSError as exc:
        raise FollowupError(f"cannot publish the feed to {path}: {exc.strerror or exc}") from None


def publish_configured(store: Store, config: Config) -> list[Path]:
    """Refresh every file named by `[feed] publish`; every change calls it."""
    for target in config.feed.publish:
        publish(store, target.path, target.profile, config.user_tz)
    return [target.path for target in config.feed.publish]
