"""Who a message greets and how: names, titles and salutations per language. Pure.

We never guess anyone's gender: it comes only from a title written in the name ("Ms",
"Frau", "Mme", "Sra."). The rules, per language (README, "Salutations"):

- en: a title gives title + surname in the locale's form ("Dear Ms. Doe" in en_US, "Dear
  Ms Doe" in en_GB; "Professor" in full); a first name alone gives "Dear Jane"; a full
  name without a title gives the first name in American business English ("Dear Jane")
  and the full name in British ("Dear Jane Doe"), which is what each prefers when the
  title is unknown. A panel is one "Dear" and a natural list: "Dear Ms. Doe, Sam, and Bo,".
- de: "Sehr geehrte Frau Maier," / "Sehr geehrter Herr Maier," for each person whose
  gender the title gives; without one, the neutral "Guten Tag Sam Carter," for everyone.
- fr: "Madame," / "Monsieur," (a panel: "Madame, Monsieur,", "Mesdames,"); without a
  gendered title, "Bonjour Sam Carter,".
- es: "Estimada Sra. Ruiz:" / "Estimado Sr. Ruiz:"; a panel "Estimados Sra. Ruiz y Sam
  Carter:"; one person without a gendered title "Buenos días, Sam Carter:".

Nobody named (no name, and an address that gives none) → the team: "Dear Hiring Team,",
"Sehr geehrte Damen und Herren,", "Madame, Monsieur,", "Estimado equipo:". An address
such as jane.doe@… gives the name Jane Doe.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from followup.core.model import Contact
from followup.core.wording import Style

Gender = Literal["f", "m"]

# Title words as people write them (lower case, without the full stop) → (English title
# or None, gender or None). Academic titles are kept; gendered ones give the gender.
TITLES: dict[str, tuple[str | None, Gender | None]] = {
    "ms": ("Ms", "f"), "mrs": ("Mrs", "f"), "miss": ("Miss", "f"), "mr": ("Mr", "m"),
    "mx": ("Mx", None), "dr": ("Dr", None), "doctor": ("Dr", None), "prof": ("Professor", None),
    "professor": ("Professor", None),
    "frau": ("Ms", "f"), "fr": ("Ms", "f"), "herr": ("Mr", "m"), "hr": ("Mr", "m"),
    "doktor": ("Dr", None),
    "mme": ("Ms", "f"), "madame": ("Ms", "f"), "mlle": ("Ms", "f"),
    "mademoiselle": ("Ms", "f"), "m": ("Mr", "m"), "monsieur": ("Mr", "m"),
    "sra": ("Ms", "f"), "señora": ("Ms", "f"), "srta": ("Ms", "f"), "señorita": ("Ms", "f"),
    "sr": ("Mr", "m"), "señor": ("Mr", "m"), "dra": ("Dr", "f"),
}
GENDERED = frozenset({"Ms", "Mrs", "Miss", "Mr"})
PARTICLES = frozenset({"de", "del", "della", "der", "di", "da", "do", "dos", "du", "la", "le",
                       "van", "von", "ten", "ter", "bin", "al"})
# Mailboxes of a function, not of a person: never greeted as a name.
ROLE_MAILBOXES = frozenset({
    "info", "hr", "jobs", "job", "careers", "career", "recruiting", "recruitment", "recruiter",
    "talent", "hiring", "team", "contact", "office", "admin", "hello", "mail", "noreply",
    "no", "reply", "people", "apply", "applications", "bewerbung", "karriere", "personal",
    "rh", "emploi", "recrutement", "empleo", "rrhh", "support", "service", "sales",
})
# Two consonants that begin given names (Brian, Christa, Thomas); any other pair at the
# start of a one-word address is an initial and a surname (jdoe@), not a name.
_ONSETS = frozenset({"bl", "br", "ch", "cl", "cr", "dr", "fl", "fr", "gl", "gr", "kl", "kr",
                     "ph", "pl", "pr", "sh", "sk", "sl", "sm", "sn", "sp", "st", "sv", "th",
                     "tr", "tw", "wr", "bj", "zh", "kh", "rh", "sc"})
_VOWELS = frozenset("aeiouyäöüéèáíóú")


@dataclass(frozen=True)
class Person:
    """A contact's name taken apart. `title` is the English form (Ms, Dr, Professor)."""

    given: str  # first name(s); "" when only a title and a surname are known
    surname: str  # "" when only one name is known
    title: str | None = None
    gender: Gender | None = None
    guessed: bool = False  # read from the email address

    @property
    def full(self) -> str:
        return " ".join(part for part in (self.given, self.surname) if part)


@functools.lru_cache(maxsize=1024)  # pure; asked again by every draft and greeting
def person(contact: Contact) -> Person | None:
    """The person behind a contact, or None when neither the name nor the address gives one."""
    words = contact.full_name.split()  # the title, when kept apart, first: "Dr Jane Doe"
    if not words:
        return _from_address(contact.email or "")
    title: str | None = None
    gender: Gender | None = None
    while len(words) > 1 and words[0].rstrip(".").lower() in TITLES:
        english, said = TITLES[words.pop(0).rstrip(".").lower()]
        gender = gender or said
        # "Frau Dr. Maier": the academic title is the one to write, the gender stays.
        if title is None or english not in GENDERED:
            title = english
    if len(words) == 1:
        return Person("", words[0], title, gender) if title else Person(words[0], "", None, None)
    start = len(words) - 1
    while start > 1 and words[start - 1] in PARTICLES:
        start -= 1
    return Person(" ".join(words[:start]), " ".join(words[start:]), title, gender)


def _from_address(address: str) -> Person | None:
    local = address.split("@")[0].split("+")[0].lower()
    parts = [p for p in re.split(r"[._-]", local) if p]
    if not 1 <= len(parts) <= 3 or any(not p.isalpha() or len(p) < 2 for p in parts):
        return None
    if any(p in ROLE_MAILBOXES for p in parts):
        return None
    if len(parts) == 1:
        word = parts[0]
        if len(word) < 3 or (word[0] not in _VOWELS and word[1] not in _VOWELS
                             and word[:2] not in _ONSETS):
            return None
        return Person(word.capitalize(), "", guessed=True)
    names = [p.capitalize() for p in parts]
    return Person(" ".join(names[:-1]), names[-1], guessed=True)


# -- English ------------------------------------------------------------------------------------


def _english_title(title: str, style: Style) -> str:
    if title in ("Professor", "Miss") or style.british:
        return title
    return f"{title}."


def _english(p: Person, style: Style) -> str:
    if p.title and p.surname:
        return f"{_english_title(p.title, style)} {p.surname}"
    if not p.surname or not style.british:
        return p.given or p.surname
    return p.full


# -- German, French, Spanish -----------------------------------------------------------------------


def _german(p: Person) -> str:
    academic = {"Dr": "Dr. ", "Professor": "Prof. "}.get(p.title or "", "")
    if p.gender and p.surname:
        return f"{'Frau' if p.gender == 'f' else 'Herr'} {academic}{p.surname}"
    if academic and p.surname:
        return f"{academic}{p.surname}"
    return p.full


def _french(p: Person) -> str:
    if p.gender and p.surname:
        return f"{'Madame' if p.gender == 'f' else 'Monsieur'} {p.surname}"
    if p.title in ("Dr", "Professor") and p.surname:
        return f"{'Dr' if p.title == 'Dr' else 'Professeur'} {p.surname}"
    return p.full


def _spanish(p: Person) -> str:
    if p.title == "Dr" and p.surname:
        return f"{'Dra.' if p.gender == 'f' else 'Dr.'} {p.surname}"
    if p.gender and p.surname:
        return f"{'Sra.' if p.gender == 'f' else 'Sr.'} {p.surname}"
    if p.title == "Professor" and p.surname:
        return f"Prof. {p.surname}"
    return p.full


def address(p: Person, style: Style) -> str:
    """How the person is named in a greeting: "Ms. Doe", "Jane", "Frau Maier", "Sra. Ruiz"."""
    if style.language == "de":
        return _german(p)
    if style.language == "fr":
        return _french(p)
    if style.language == "es":
        return _spanish(p)
    return _english(p, style)


def reference(contact: Contact, style: Style) -> str:
    """Whom to ask for on the phone: "Ms. Doe", "Sam Carter", "Herrn Maier" (German
    dative: "nach Herrn Maier"), "la Sra. Ruiz"; "" for nobody."""
    p = person(contact)
    if p is None:
        return ""
    if not p.title or not p.surname:
        return p.full
    named = address(p, style)
    if style.language == "de" and p.gender == "m":
        return named.replace("Herr ", "Herrn ", 1)  # "fragen Sie nach Herrn Maier"
    if style.language == "es":
        return f"{'la' if p.gender == 'f' else 'el'} {named}"
    return named


TEAM = {"en": "Dear Hiring Team,", "de": "Sehr geehrte Damen und Herren,",
        "fr": "Madame, Monsieur,", "es": "Estimado equipo:"}
# How the people of a panel who have no name are greeted beside the named ones.
REST = {"en": "team", "de": "Team", "fr": "l'équipe", "es": "equipo"}


def salutation(contacts: Sequence[Contact], style: Style) -> str:
    """The greeting line of a message to these contacts, with its punctuation."""
    return _salutation(tuple(contacts), style)


@functools.lru_cache(maxsize=256)  # pure; the drafts of an import greet the same few panels
def _salutation(contacts: tuple[Contact, ...], style: Style) -> str:
    language = style.language if style.language in TEAM else "en"
    people = [p for p in (person(c) for c in contacts) if p is not None]
    unnamed = len(people) < len(contacts)
    if not people:
        return TEAM[language]
    names = [address(p, style) for p in people]
    gendered = all(p.gender and p.surname for p in people) and not unnamed
    rest = [REST[language]] if unnamed else []
    if language == "de":
        if gendered:
            lines = [f"{'Sehr geehrte' if p.gender == 'f' else 'Sehr geehrter'} {n}"
                     for p, n in zip(people, names, strict=True)]
            return ", ".join([lines[0], *(line[0].lower() + line[1:] for line in lines[1:])]) + ","
        return f"Guten Tag {style.join(names + rest)},"
    if language == "fr":
        if gendered:
            women = sum(p.gender == "f" for p in people)
            men = len(people) - women
            forms = ([("Madame" if women == 1 else "Mesdames")] if women else []) + (
                [("Monsieur" if men == 1 else "Messieurs")] if men else [])
            return ", ".join(forms) + ","
        return f"Bonjour {style.join(names + rest)},"
    if language == "es":
        if len(people) == 1 and not unnamed:
            p = people[0]
            if p.gender:
                return f"{'Estimada' if p.gender == 'f' else 'Estimado'} {names[0]}:"
            return f"Buenos días, {names[0]}:"
        women = all(p.gender == "f" for p in people) and not unnamed
        return f"{'Estimadas' if women else 'Estimados'} {style.join(names + rest)}:"
    return f"Dear {style.join(names + rest)},"
