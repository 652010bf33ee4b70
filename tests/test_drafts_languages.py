"""Every template in every language, pinned word for word (tests/drafts/), for a panel of
three: one with a title, one without, one known only by an email address (issue 13).

The English drafts are pinned for an American and a British user; the German, French
and Spanish ones are the same whatever the user's locale. Refresh the files with
FOLLOWUP_UPDATE_DRAFTS=1 and read every change before committing it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from followup.core import drafts
from followup.core.model import Interview
from followup.core.notes import points
from followup.core.wording import Style

PINNED = Path(__file__).resolve().parent / "drafts"
NAME = "Alex Morgan"

# The titled interviewer in each language; the untitled and the e-mail-only are the same.
TITLED = {"en": "Ms. Jane Doe <jane.doe@northwind.example>",
          "de": "Frau Anna Maier <anna.maier@northwind.example>",
          "fr": "Mme Claire Martin <claire.martin@northwind.example>",
          "es": "Sra. Lucía Ruiz <lucia.ruiz@northwind.example>"}

NOTES = {
    "en": """\
## What they stressed (skills, experience, traits)
- owning pipelines end to end
## With {titled}
- moving nightly batch jobs to streaming
## With Sam Carter
- data quality checks at ingestion
## With Bo Li
- a calm schedule for support duty
## Questions and how they went
- a design question: went well
## What to improve
- shorter answers
## Why I fit
- five years of building streaming pipelines
- a habit of writing the documentation first
## Points to mention in follow-ups
- the migration plan for the reporting warehouse
- the team's culture of code review
""",
    "de": """\
## Was sie betont haben (Fähigkeiten, Erfahrung, Eigenschaften)
- Verantwortung für Datenflüsse von Anfang bis Ende
## Mit {titled}
- den Umstieg von nächtlichen Abläufen auf Echtzeit
## Mit Sam Carter
- die Qualität der Daten beim Import
## Mit Bo Li
- eine ruhige Bereitschaft am Wochenende
## Fragen und wie sie liefen
- eine Frage zum Entwurf: lief gut
## Was ich verbessern kann
- kürzere Antworten
## Warum ich passe
- fünf Jahre Erfahrung mit Datenflüssen
- viel Sorgfalt bei der Dokumentation
## Punkte für spätere Nachrichten
- den Plan für die Migration der Berichte
- die Zusammenarbeit im Team
""",
    "fr": """\
## Ce qu'ils ont souligné (compétences, expérience, qualités)
- la maîtrise des flux de données de bout en bout
## Avec {titled}
- le passage des traitements nocturnes au temps réel
## Avec Sam Carter
- la qualité des données importées
## Avec Bo Li
- des astreintes sereines
## Les questions et mes réponses
- une question de conception : bien passée
## Ce que je peux améliorer
- des réponses plus courtes
## Pourquoi je corresponds
- cinq ans d'expérience des flux de données
- le souci d'une documentation soignée
## Points à rappeler dans les relances
- le plan de migration des rapports
- la culture de relecture du code
""",
    "es": """\
## Lo que destacaron (habilidades, experiencia, rasgos)
- la responsabilidad de los flujos de datos de principio a fin
## Con {titled}
- el paso de los procesos nocturnos al tiempo real
## Con Sam Carter
- la calidad de los datos en la entrada
## Con Bo Li
- unas guardias tranquilas
## Preguntas y cómo fueron
- una pregunta de diseño: bien
## Qué mejorar
- respuestas más cortas
## Por qué encajo
- cinco años de experiencia con flujos de datos
- el cuidado por una buena documentación
## Puntos para mencionar en el seguimiento
- el plan de migración de los informes
- la cultura de revisión de código
""",
}

# (step, item key, the day it is written): each on the day the plan has it due, about.
MESSAGES = {
    "thank-you-email": [("thank-you-email", "thank-you-email", dt.date(2026, 12, 3))],
    "formal-note": [("formal-note", f"formal-note-{n}", dt.date(2026, 12, 7)) for n in (1, 2, 3)],
    "formal-note-card": [("formal-note", f"formal-note-{n}", dt.date(2026, 12, 4)) for n in (1, 2, 3)],
    "status-email": [("status-email", "status-email", dt.date(2026, 12, 11))],
    "call-script": [("call-script", "call-script", dt.date(2026, 12, 14)),
                    ("second-call", "second-call", dt.date(2026, 12, 29))],
    "gracious-reply": [("gracious-reply", "gracious-reply", dt.date(2026, 12, 21))],
    "reply-second-interview": [("reply-second-interview", "reply-second-interview",
                                dt.date(2026, 12, 9))],
    "reply-offer": [("reply-offer", "reply-offer", dt.date(2026, 12, 18))],
}
STYLES = {"en_US": Style("en", "en_US"), "en_GB": Style("en", "en_GB"),
          "de": Style("de", "en_US"), "fr": Style("fr", "en_US"), "es": Style("es", "en_US")}
SEPARATOR = "\n\n" + "-" * 72 + "\n\n"


def panel(language: str, note: str = "email") -> Interview:
    from followup.core.inputs import interviewer

    return Interview(
        uid="panel", company="Northwind Analytics", role="Senior Data Engineer",
        start=dt.datetime(2026, 12, 3, 14, 0, tzinfo=ZoneInfo("Europe/London")),
        duration=dt.timedelta(minutes=90), tz="Europe/London", deadline=dt.date(2026, 12, 10),
        note=note, location="2 Canal Street, Manchester",
        contacts=(interviewer(TITLED[language], 1),
                  interviewer("Sam Carter <sam.carter@northwind.example>", 2),
                  interviewer("bo.li@northwind.example", 3)))


def notes_of(language: str) -> str:
    titled = TITLED[language].split(" <")[0]
    return NOTES[language].format(titled=titled)


def written(template: str, style: Style, with_notes: bool = True) -> list[str]:
    language = style.language
    interview = panel(language, "handwritten" if template == "formal-note-card" else "email")
    notes = notes_of(language) if with_notes else None
    return [drafts.draft(interview, key, step, notes, NAME, style=style, day=day).text()
            for step, key, day in MESSAGES[template]]


@pytest.mark.parametrize("template", sorted(MESSAGES))
@pytest.mark.parametrize("name", sorted(STYLES))
def test_every_template_in_every_language(name: str, template: str) -> None:
    text = SEPARATOR.join(written(template, STYLES[name])) + "\n"
    path = PINNED / name / f"{template}.txt"
    if os.environ.get("FOLLOWUP_UPDATE_DRAFTS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), (
        f"{path} differs: FOLLOWUP_UPDATE_DRAFTS=1 rewrites it; read the change")


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_other_languages_do_not_depend_on_the_english_locale(language: str) -> None:
    for template in MESSAGES:
        assert written(template, Style(language, "en_GB")) == written(template, Style(language, "en_US"))


def sentences(text: str) -> list[str]:
    body = text.split("\n\n", 1)[1] if text.startswith("To: ") else text
    parts = re.split(r"(?<=[.!?…»“\"])\s+|\n", body)
    return [part.strip() for part in parts if len(part.strip().split()) > 2]


@pytest.mark.parametrize("with_notes", [True, False])
@pytest.mark.parametrize("name", sorted(STYLES))
def test_no_sentence_appears_twice_in_a_draft(name: str, with_notes: bool) -> None:
    for template in MESSAGES:
        for text in written(template, STYLES[name], with_notes):
            said = sentences(text)
            repeated = sorted({s for s in said if said.count(s) > 1})
            assert not repeated, f"{name} {template}: {repeated}"


def after_greeting(text: str) -> str:
    lines = text.split("\n")
    return "\n".join(lines[4 if lines[0].startswith("To: ") else 1:])


@pytest.mark.parametrize("name", sorted(STYLES))
def test_a_panels_formal_notes_all_differ(name: str) -> None:
    for with_notes in (True, False):
        for template in ("formal-note", "formal-note-card"):
            bodies = [after_greeting(text) for text in written(template, STYLES[name], with_notes)]
            assert len(set(bodies)) == len(bodies), f"{template}, notes: {with_notes}"


@pytest.mark.parametrize("name", sorted(STYLES))
def test_no_point_of_the_notes_is_in_every_message(name: str) -> None:
    language = STYLES[name].language
    found = points(notes_of(language))
    every = [text for template in MESSAGES for text in written(template, STYLES[name])]
    for point in (*found.stressed, *found.fit, *found.mention,
                  *(p for ps in found.people.values() for p in ps)):
        used = sum(point in text for text in every)
        assert 0 <= used < len(every), point
    # ... and every point the drafts are meant to carry is carried somewhere.
    for point in (*found.fit, *found.mention[:2], *(p for ps in found.people.values() for p in ps)):
        assert any(point in text for text in every), point
