"""Proofreading a draft offline: words the dictionary of its language lacks, and
placeholders left to fill ("[Your name]", "{company}"). Pure apart from pyspellchecker's
own word lists."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from followup.core.drafts import Draft, builtin_words
from followup.core.model import Interview

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"[^\s<>(),;:]+@[^\s<>(),;:]+")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
# Text a template or its writer left to fill: "[Your name]", "[Company]", "{role}",
# "{{ name }}" — square brackets around words, or curly braces around anything.
_PLACEHOLDER = re.compile(r"\[[^\]\n]{1,40}\]|\{\{[^}\n]*\}\}|\{[^{}\n]{0,40}\}")
# British spellings the (American) dictionary lacks, mapped to what it knows.
_BRITISH = ((re.compile(r"is(e|ed|es|ing|ation|ations)$"), r"iz\1"),
            (re.compile(r"ys(e|ed|es|ing)$"), r"yz\1"),
            (re.compile(r"our(s|ed|ing|able|ite|ites)?$"), r"or\1"),
            (re.compile(r"tre(s)?$"), r"ter\1"))
# French and Italian-style elision: "l'entretien" is "l'" + "entretien".
_ELISION = re.compile(r"^(?:l|d|m|t|s|n|j|c|qu|jusqu|lorsqu|puisqu)'(?=\w)", re.IGNORECASE)


def words(text: str, language: str = "en") -> list[str]:
    found = _WORD.findall(text.replace("’", "'"))
    if language == "fr":
        found = [_ELISION.sub("", word) for word in found]
    return found


def placeholders(draft: Draft) -> list[str]:
    """Placeholders left in the subject and body, in order, each once."""
    text = f"{draft.subject or ''}\n{draft.body}"
    return list(dict.fromkeys(_PLACEHOLDER.findall(_URL.sub(" ", text))))


def unknown_words(draft: Draft, interview: Interview, name: str | None,
                  extra: Iterable[str] = (), language: str = "en") -> list[str]:
    """Words of the subject and body the offline dictionary of `language` lacks, in
    order, each once.

    Names of the interviewers, the company, the role and the candidate, email addresses,
    URLs, placeholders (`placeholders` reports those), the words of the built-in templates
    of the language and `extra` (the user's own words) are ignored.
    """
    text = _PLACEHOLDER.sub(" ", f"{draft.subject or ''}\n{draft.body}")
    text = _EMAIL.sub(" ", _URL.sub(" ", text))
    ignored = [interview.company, interview.role, name or "", *extra]
    ignored += [part for c in interview.contacts for part in (c.full_name, c.email or "")]
    known = {word.lower() for word in words(" ".join(ignored), language)}
    known |= builtin_words(language)
    candidates: dict[str, str] = {}
    for word in words(text, language):
        if word.lower() not in known:
            candidates.setdefault(word.lower(), word)
    if not candidates:
        return []
    checker = _spellchecker(language)
    unknown = checker.unknown(list(candidates))
    return [original for lower, original in candidates.items()
            if lower in unknown and not (language == "en" and _british(lower, checker))
            and not (language == "es" and _spanish_plural(lower, checker))]


def _british(word: str, checker: Any) -> bool:
    for pattern, replacement in _BRITISH:
        variant = pattern.sub(replacement, word)
        if variant != word and not checker.unknown([variant]):
            return True
    return False


def _spanish_plural(word: str, checker: Any) -> bool:
    # pyspellchecker's Spanish list lacks most plurals ("datos", "años", "informes"):
    # a plural whose singular it knows is a word.
    for singular in (word[:-1], word[:-2]) if word.endswith("s") else ():
        if len(singular) > 1 and not checker.unknown([singular]):
            return True
    return False


@functools.lru_cache(maxsize=4)
def _spellchecker(language: str) -> Any:
    from spellchecker import SpellChecker

    return SpellChecker(language=language)
