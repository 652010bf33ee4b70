"""How a message is worded for its reader: the language, the locale's date forms and the
relative days a careful writer uses ("today", "this Friday"). Pure; Babel does the dates.

A `Style` is the pair (language of the message, the user's locale). The language picks the
templates and the words; the locale picks the date order, the list commas and, in English,
the title punctuation. When the message is in another language than the user's locale,
dates follow that language in the user's territory when CLDR knows the pair (fr in de_CH
→ fr_CH), else the language itself (de for a user in en_GB).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

LANGUAGES = ("en", "de", "fr", "es")
DEFAULT_LANGUAGE = "en"
DEFAULT_LOCALE = "en_US"
# English of these territories writes "Ms Doe", "Dr Patel" (no full stop after a
# contraction) and leaves out the serial comma; the rest follows American usage.
BRITISH = frozenset({"GB", "IE", "AU", "NZ", "ZA"})

# "on"/"by" a day, by how far the day is from today; {} is the weekday or the full date.
# `this` is a later day of the current week, `past` an earlier one. A deadline that has
# passed is given by its date ("by Thursday, December 10", not "by yesterday").
PHRASES: Mapping[str, Mapping[str, Mapping[str, str]]] = {
    "en": {
        "on": {"today": "today", "yesterday": "yesterday", "tomorrow": "tomorrow",
               "this": "this {}", "past": "on {}", "date": "on {}"},
        "by": {"today": "by today", "tomorrow": "by tomorrow",
               "this": "by this {}", "date": "by {}"},
    },
    "de": {
        "on": {"today": "heute", "yesterday": "gestern", "tomorrow": "morgen",
               "this": "am {}", "past": "am {}", "date": "am {}"},
        "by": {"today": "bis heute", "tomorrow": "bis morgen",
               "this": "bis {}", "date": "bis {}"},
    },
    "fr": {
        "on": {"today": "aujourd'hui", "yesterday": "hier", "tomorrow": "demain",
               "this": "ce {}", "past": "{}", "date": "le {}"},
        "by": {"today": "pour aujourd'hui", "tomorrow": "pour demain",
               "this": "pour ce {}", "date": "pour le {}"},
    },
    "es": {
        "on": {"today": "hoy", "yesterday": "ayer", "tomorrow": "mañana",
               "this": "este {}", "past": "el {}", "date": "el {}"},
        "by": {"today": "para hoy", "tomorrow": "para mañana",
               "this": "para este {}", "date": "para el {}"},
    },
}
# The word before the last item of a list ("a, b and c").
AND = {"en": "and", "de": "und", "fr": "et", "es": "y"}

_YEAR = re.compile(r"[\s,]*(?:'de'\s*)?y+\s*$")


@dataclass(frozen=True)
class Style:
    language: str = DEFAULT_LANGUAGE
    locale: str = DEFAULT_LOCALE  # the user's locale, e.g. "en_GB"

    @property
    def babel(self) -> str:
        """The Babel locale the dates of this message are written in."""
        return _babel_locale(self.language, self.locale)

    @property
    def british(self) -> bool:
        return self.language == "en" and _territory(self.locale) in BRITISH

    def join(self, items: Sequence[str]) -> str:
        """A natural list: "a", "a and b", "a, b, and c" (en_US) or "a, b and c"."""
        if not items:
            return ""
        if len(items) == 1:
            return items[0]
        word = AND.get(self.language, "and")
        if len(items) == 2:
            return f"{items[0]} {word} {items[1]}"
        serial = "," if self.language == "en" and not self.british else ""
        return f"{', '.join(items[:-1])}{serial} {word} {items[-1]}"


ENGLISH = Style()  # American English: the default of every function that takes a Style


@functools.lru_cache(maxsize=32)  # asked by every title and greeting
def _territory(locale: str) -> str | None:
    parts = locale.replace("-", "_").split("_")
    return parts[1].upper() if len(parts) > 1 and len(parts[1]) == 2 else None


@functools.lru_cache(maxsize=32)
def _babel_locale(language: str, locale: str) -> str:
    from babel import localedata

    if locale.split("_")[0] == language and localedata.exists(locale):
        return locale
    territory = _territory(locale)
    if territory and localedata.exists(f"{language}_{territory}"):
        return f"{language}_{territory}"
    return language


@functools.lru_cache(maxsize=32)
def _day_pattern(locale: str, with_year: bool) -> str:
    """The locale's full date pattern ("EEEE, MMMM d, y"), without the year when asked."""
    from babel.dates import get_date_format

    pattern = str(get_date_format("full", locale=locale).pattern)
    return pattern if with_year else _YEAR.sub("", pattern)


@functools.lru_cache(maxsize=1024)  # pure, and asked for again by every draft
def full_date(day: dt.date, locale: str, with_year: bool = True) -> str:
    """'Tuesday, November 10, 2026' (en_US), 'Dienstag, 10. November' (de, no year)."""
    from babel.dates import format_date

    return str(format_date(day, _day_pattern(locale, with_year), locale=locale))


@functools.lru_cache(maxsize=1024)
def weekday(day: dt.date, locale: str) -> str:
    from babel.dates import format_date

    return str(format_date(day, "EEEE", locale=locale))


@functools.lru_cache(maxsize=1024)
def clock(moment: dt.time, locale: str) -> str:
    """'2:00 PM' (en_US), '14:00' (en_GB, de)."""
    from babel.dates import format_time

    return str(format_time(moment, "short", locale=locale))


class Dates:
    """Days in words for one message written on `day`. With `relative` the words are
    relative to it where natural ("yesterday", "this Friday"); without (a draft kept in a
    calendar, read on some later day) they are full dates. The year is written only when
    it is not the year of `day`."""

    def __init__(self, style: Style, day: dt.date, relative: bool = True) -> None:
        self.style = style
        self.day = day
        self.relative = relative
        self.today = day if relative else None
        self.this_year = day.year

    def date(self, day: dt.date) -> str:
        return full_date(day, self.style.babel, with_year=day.year != self.this_year)

    def on(self, day: dt.date) -> str:
        """When something happens: "on Tuesday, November 10", "yesterday", "this Friday"."""
        return self._phrase("on", day)

    def by(self, day: dt.date) -> str:
        """A deadline: "by Thursday, December 10", "by tomorrow"."""
        return self._phrase("by", day)

    def _phrase(self, use: str, day: dt.date) -> str:
        kind = self.kind(day)
        if use == "by" and kind in ("yesterday", "past"):
            kind = "date"
        phrases = PHRASES.get(self.style.language, PHRASES["en"])[use]
        if kind in ("this", "past"):
            return phrases[kind].format(weekday(day, self.style.babel))
        return phrases[kind].format(self.date(day))

    def kind(self, day: dt.date) -> str:
        """today, yesterday, tomorrow, this (later this week), past (earlier this week), date."""
        if self.today is None:
            return "date"
        delta = (day - self.today).days
        if delta == 0:
            return "today"
        if delta == -1:
            return "yesterday"
        if delta == 1:
            return "tomorrow"
        same_week = day.isocalendar()[:2] == self.today.isocalendar()[:2]
        if same_week:
            return "this" if delta > 0 else "past"
        return "date"


# -- settings ---------------------------------------------------------------------------------


def check_language(text: str) -> str:
    value = text.strip().lower()
    if value not in LANGUAGES:
        raise ValueError(f"unknown language {text!r}; use one of: {', '.join(LANGUAGES)}")
    return value


@functools.lru_cache(maxsize=32)  # Config.user_locale asks it on every use
def check_locale(text: str) -> str:
    """'en-gb' → 'en_GB'; ValueError when Babel has no data for the locale.

    Checked against Babel's data files without importing Babel: every command reads the
    config, and most never format a date."""
    import importlib.util
    from pathlib import Path

    parts = text.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")
    name = "_".join([parts[0].lower()] + [part.title() if len(part) == 4 else part.upper()
                                          for part in parts[1:]])
    spec = importlib.util.find_spec("babel")
    folders = spec.submodule_search_locations if spec is not None else None
    if not re.fullmatch(r"[a-z]{2,3}(_[A-Za-z0-9]{2,8})*", name) or not folders or not (
            Path(list(folders)[0]) / "locale-data" / f"{name}.dat").is_file():
        raise ValueError(f"unknown locale {text!r}; use a name such as en_US, en_GB or de_DE")
    return name


def environment_locale(environ: Mapping[str, str]) -> str:
    """The locale the environment sets for dates (LC_ALL, LC_TIME, LANG), en_US when none
    does or it is "C"/"POSIX"."""
    for key in ("LC_ALL", "LC_TIME", "LANG"):
        value = environ.get(key, "").strip()
        if not value:
            continue
        base = value.split(".")[0].split("@")[0]
        if base in ("C", "POSIX"):
            return DEFAULT_LOCALE
        try:
            return check_locale(base)
        except ValueError:
            return DEFAULT_LOCALE
    return DEFAULT_LOCALE
