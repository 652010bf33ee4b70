"""Salutations and dates worded for the reader (issue 13): exact values per language and
locale, and the rules as properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followup.core.greetings import TITLES, person, reference, salutation
from followup.core.model import Contact
from followup.core.wording import Dates, Style, check_locale, environment_locale

US, GB = Style("en", "en_US"), Style("en", "en_GB")
DE, FR, ES = Style("de", "en_US"), Style("fr", "en_US"), Style("es", "en_US")


def people(*names: str) -> list[Contact]:
    return [Contact(n, name, None if "@" in name else f"c{n}@acme.example") if "@" not in name
            else Contact(n, "", name) for n, name in enumerate(names, 1)]


@pytest.mark.parametrize(("names", "us", "gb"), [
    (["Ms. Jane Doe"], "Dear Ms. Doe,", "Dear Ms Doe,"),
    (["Ms Jane Doe"], "Dear Ms. Doe,", "Dear Ms Doe,"),
    (["Dr. Anil Patel"], "Dear Dr. Patel,", "Dear Dr Patel,"),
    (["Mr Tom O'Neill"], "Dear Mr. O'Neill,", "Dear Mr O'Neill,"),
    (["Miss Ada Lee"], "Dear Miss Lee,", "Dear Miss Lee,"),
    (["Prof. Ana de la Cruz"], "Dear Professor de la Cruz,", "Dear Professor de la Cruz,"),
    (["Dr Jones"], "Dear Dr. Jones,", "Dear Dr Jones,"),
    (["Jane"], "Dear Jane,", "Dear Jane,"),
    (["Sam Carter"], "Dear Sam,", "Dear Sam Carter,"),
    (["jane.doe@acme.example"], "Dear Jane,", "Dear Jane Doe,"),
    (["jane@acme.example"], "Dear Jane,", "Dear Jane,"),
    (["jdoe@acme.example"], "Dear Hiring Team,", "Dear Hiring Team,"),
    (["hr@acme.example"], "Dear Hiring Team,", "Dear Hiring Team,"),
    (["recruiting.team@acme.example"], "Dear Hiring Team,", "Dear Hiring Team,"),
    ([], "Dear Hiring Team,", "Dear Hiring Team,"),
    (["Ms. Jane Doe", "Sam Carter", "bo.li@acme.example"],
     "Dear Ms. Doe, Sam, and Bo,", "Dear Ms Doe, Sam Carter and Bo Li,"),
    (["Dr. Anil Patel", "Jane Doe"], "Dear Dr. Patel and Jane,", "Dear Dr Patel and Jane Doe,"),
    (["Ms. Jane Doe", "hr@acme.example"], "Dear Ms. Doe and team,", "Dear Ms Doe and team,"),
])
def test_english_salutations(names: list[str], us: str, gb: str) -> None:
    assert salutation(people(*names), US) == us
    assert salutation(people(*names), GB) == gb


@pytest.mark.parametrize(("names", "de", "fr", "es"), [
    (["Frau Anna Maier"], "Sehr geehrte Frau Maier,", "Madame,", "Estimada Sra. Maier:"),
    (["Ms. Lucía Ruiz"], "Sehr geehrte Frau Ruiz,", "Madame,", "Estimada Sra. Ruiz:"),
    (["Herr Jonas Weber"], "Sehr geehrter Herr Weber,", "Monsieur,", "Estimado Sr. Weber:"),
    (["Frau Dr. Anna Maier"], "Sehr geehrte Frau Dr. Maier,", "Madame,", "Estimada Dra. Maier:"),
    (["Dr. Anil Patel"], "Guten Tag Dr. Patel,", "Bonjour Dr Patel,", "Buenos días, Dr. Patel:"),
    (["Sam Carter"], "Guten Tag Sam Carter,", "Bonjour Sam Carter,", "Buenos días, Sam Carter:"),
    (["Sam"], "Guten Tag Sam,", "Bonjour Sam,", "Buenos días, Sam:"),
    ([], "Sehr geehrte Damen und Herren,", "Madame, Monsieur,", "Estimado equipo:"),
    (["Frau Anna Maier", "Herr Jonas Weber"],
     "Sehr geehrte Frau Maier, sehr geehrter Herr Weber,", "Madame, Monsieur,",
     "Estimados Sra. Maier y Sr. Weber:"),
    (["Mme Claire Martin", "Mme Léa Petit"], "Sehr geehrte Frau Martin, sehr geehrte Frau Petit,",
     "Mesdames,", "Estimadas Sra. Martin y Sra. Petit:"),
    (["Frau Anna Maier", "Sam Carter", "bo.li@acme.example"],
     "Guten Tag Frau Maier, Sam Carter und Bo Li,", "Bonjour Madame Maier, Sam Carter et Bo Li,",
     "Estimados Sra. Maier, Sam Carter y Bo Li:"),
])
def test_salutations_in_other_languages(names: list[str], de: str, fr: str, es: str) -> None:
    contacts = people(*names)
    assert (salutation(contacts, DE), salutation(contacts, FR), salutation(contacts, ES)) == (de, fr, es)


def test_whom_to_ask_for_on_the_phone() -> None:
    assert [reference(c, style) for c in people("Herr Jonas Weber", "Sra. Lucía Ruiz", "Sam Carter")
            for style in (US, DE, ES)] == [
        "Mr. Weber", "Herrn Weber", "el Sr. Weber", "Ms. Ruiz", "Frau Ruiz", "la Sra. Ruiz",
        "Sam Carter", "Sam Carter", "Sam Carter"]


NAMES = st.from_regex(r"[A-Z][a-z]{1,8}( [A-Z][a-z]{1,8}){0,2}", fullmatch=True).filter(
    lambda name: name.split()[0].lower() not in TITLES)


@settings(max_examples=60)
@given(st.lists(NAMES, min_size=1, max_size=4))
def test_no_gender_is_ever_guessed(names: list[str]) -> None:
    """Without a title, no greeting says Ms, Mr, Frau, Herr, Madame, Monsieur, Sra. or Sr."""
    contacts = people(*names)
    for style in (US, GB, DE, FR, ES):
        text = salutation(contacts, style)
        assert not any(word in text.replace(",", " ").replace(":", " ").split()
                       for word in ("Ms.", "Ms", "Mr.", "Mr", "Frau", "Herr", "Madame", "Monsieur",
                                    "Sra.", "Sr.", "Estimada", "Estimado", "geehrte", "geehrter"))
        greeting = {"en": "Dear ", "de": "Guten Tag ", "fr": "Bonjour ", "es": "Estimados "}
        expected = "Buenos días, " if style.language == "es" and len(contacts) == 1 else greeting[style.language]
        assert text.startswith(expected) and text.count(expected.strip()) == 1


@settings(max_examples=60)
@given(st.lists(NAMES, min_size=1, max_size=4, unique=True))
def test_everyone_named_is_greeted_once(names: list[str]) -> None:
    contacts = people(*names)
    for style in (US, GB, DE, ES):
        text = salutation(contacts, style)
        for contact in contacts:
            found = person(contact)
            assert found is not None
            word = found.given or found.surname
            assert text.count(word) >= 1


def test_a_name_from_the_address() -> None:
    def full(address: str) -> str | None:
        found = person(Contact(1, "", address))
        return found.full if found is not None else None

    assert full("jane.doe@acme.example") == "Jane Doe"
    assert full("mary-ann.o.smith+jobs@acme.example") is None  # "o" is an initial
    assert full("mary-ann.smith@acme.example") == "Mary Ann Smith"
    assert full("chris@acme.example") == "Chris"
    assert full("info@acme.example") is None


# -- dates ------------------------------------------------------------------------------------

THURSDAY = dt.date(2026, 12, 3)


@pytest.mark.parametrize(("style", "full", "on_next_week", "by_this_week"), [
    (US, "Thursday, December 3", "on Thursday, December 3", "by this Friday"),
    (GB, "Thursday, 3 December", "on Thursday, 3 December", "by this Friday"),
    (DE, "Donnerstag, 3. Dezember", "am Donnerstag, 3. Dezember", "bis Freitag"),
    (FR, "jeudi 3 décembre", "le jeudi 3 décembre", "pour ce vendredi"),
    (ES, "jueves, 3 de diciembre", "el jueves, 3 de diciembre", "para este viernes"),
])
def test_dates_in_each_locale(style: Style, full: str, on_next_week: str, by_this_week: str) -> None:
    assert Dates(style, THURSDAY, relative=False).date(THURSDAY) == full
    assert Dates(style, dt.date(2026, 12, 8)).on(THURSDAY) == on_next_week
    assert Dates(style, dt.date(2026, 12, 1)).by(dt.date(2026, 12, 4)) == by_this_week


def test_relative_days_and_the_year() -> None:
    dates = Dates(US, THURSDAY)
    assert [dates.on(THURSDAY + dt.timedelta(days=d)) for d in (-3, -1, 0, 1, 2, 4)] == [
        "on Monday", "yesterday", "today", "tomorrow", "this Saturday", "on Monday, December 7"]
    assert [dates.by(THURSDAY + dt.timedelta(days=d)) for d in (-3, -1, 0, 1)] == [
        "by Monday, November 30", "by Wednesday, December 2", "by today", "by tomorrow"]
    later = Dates(US, dt.date(2027, 1, 4))
    assert later.on(THURSDAY) == "on Thursday, December 3, 2026"
    assert Dates(GB, dt.date(2027, 1, 4), relative=False).on(THURSDAY) == "on Thursday, 3 December 2026"
    assert Dates(DE, THURSDAY).on(THURSDAY - dt.timedelta(days=1)) == "gestern"
    assert Dates(FR, THURSDAY).on(THURSDAY + dt.timedelta(days=1)) == "demain"
    assert Dates(ES, THURSDAY).on(THURSDAY) == "hoy"


@settings(max_examples=40)
@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31)),
       st.integers(min_value=-40, max_value=40))
def test_the_year_is_written_exactly_when_it_is_not_this_year(today: dt.date, offset: int) -> None:
    day = today + dt.timedelta(days=offset)
    for style in (US, GB, DE, FR, ES):
        text = Dates(style, today, relative=False).on(day)
        assert (str(day.year) in text) == (day.year != today.year), (style, text)


def test_dates_use_the_users_territory_for_another_language() -> None:
    assert Style("fr", "de_CH").babel == "fr_CH"
    assert Style("de", "en_GB").babel == "de"
    assert Style("en", "en_GB").babel == "en_GB"


@pytest.mark.parametrize(("environ", "expected"), [
    ({"LANG": "en_GB.UTF-8"}, "en_GB"),
    ({"LANG": "de_DE.UTF-8@euro", "LC_TIME": "fr_FR.UTF-8"}, "fr_FR"),
    ({"LANG": "de_DE.UTF-8", "LC_ALL": "es_ES.UTF-8"}, "es_ES"),
    ({"LANG": "C.UTF-8"}, "en_US"),
    ({"LANG": "POSIX"}, "en_US"),
    ({"LANG": "xx_YY.UTF-8"}, "en_US"),
    ({}, "en_US"),
])
def test_the_locale_from_the_environment(environ: dict[str, str], expected: str) -> None:
    assert environment_locale(environ) == expected


def test_locale_names() -> None:
    assert check_locale("en-gb") == "en_GB"
    with pytest.raises(ValueError, match="unknown locale 'xx_YY'"):
        check_locale("xx_YY")
