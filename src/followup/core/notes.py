"""Interview notes: the template `followup notes` opens, cleaning what the user saved, and
the points the drafts take from it. Pure.

Notes are Markdown-ish: "## " headings, one point a line ("- ..."). The sections are the
same in every language (a heading in any of them is recognised):

- what they stressed (general), and one "## With <name>" section per interviewer: what
  that person stressed, as phrases completing "You stressed …": their formal note uses it;
- questions and how they went; what to improve (for the user only);
- "## Why I fit": phrases completing "I bring …": the formal notes, the status email and
  the call script use them;
- points to mention in follow-ups: phrases completing "We talked about …": the
  thank-you, the status email and the replies use them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from followup.core.greetings import person
from followup.core.model import Contact, Interview
from followup.core.text import drop_control

STRESSED, QUESTIONS, IMPROVE, FIT, MENTION = "stressed", "questions", "improve", "fit", "mention"
ORDER = (STRESSED, QUESTIONS, IMPROVE, FIT, MENTION)  # the "With" sections follow STRESSED

TITLES: Mapping[str, Mapping[str, str]] = {
    "en": {STRESSED: "What they stressed (skills, experience, traits)",
           QUESTIONS: "Questions and how they went", IMPROVE: "What to improve",
           FIT: "Why I fit", MENTION: "Points to mention in follow-ups", "with": "With {}"},
    "de": {STRESSED: "Was sie betont haben (Fähigkeiten, Erfahrung, Eigenschaften)",
           QUESTIONS: "Fragen und wie sie liefen", IMPROVE: "Was ich verbessern kann",
           FIT: "Warum ich passe", MENTION: "Punkte für spätere Nachrichten", "with": "Mit {}"},
    "fr": {STRESSED: "Ce qu'ils ont souligné (compétences, expérience, qualités)",
           QUESTIONS: "Les questions et mes réponses", IMPROVE: "Ce que je peux améliorer",
           FIT: "Pourquoi je corresponds", MENTION: "Points à rappeler dans les relances",
           "with": "Avec {}"},
    "es": {STRESSED: "Lo que destacaron (habilidades, experiencia, rasgos)",
           QUESTIONS: "Preguntas y cómo fueron", IMPROVE: "Qué mejorar",
           FIT: "Por qué encajo", MENTION: "Puntos para mencionar en el seguimiento",
           "with": "Con {}"},
}

HEADER: Mapping[str, str] = {
    "en": """\
# Notes on the {role} interview at {company}, {date}.
# Lines starting with # are instructions and are not saved.
# Write one point per line under each heading, starting with '- '.
# Under each interviewer's name, note what that person stressed, as phrases that
#   complete "You stressed …": their formal note uses them.
# Under "Why I fit", write phrases that complete "I bring …": the formal notes, the
#   status email and the call script use them.
# Under "Points to mention", write phrases that complete "We talked about …".
# Save and close the editor to store the notes; close it unchanged to keep things as they are.
""",
    "de": """\
# Notizen zum Gespräch als {role} bei {company}, {date}.
# Zeilen, die mit # beginnen, sind Hinweise und werden nicht gespeichert.
# Schreiben Sie unter jede Überschrift einen Punkt pro Zeile, beginnend mit '- '.
# Unter dem Namen jeder Person: was sie betont hat, als Stichworte, die „Sie haben …
#   betont“ ergänzen; ihre persönliche Nachricht verwendet sie.
# Unter „Warum ich passe“: Stichworte, die „Ich bringe … mit“ ergänzen.
# Unter „Punkte für spätere Nachrichten“: Stichworte, die „Wir sprachen über …“ ergänzen.
# Speichern und schließen Sie den Editor; schließen Sie ihn unverändert, bleibt alles, wie es ist.
""",
    "fr": """\
# Notes sur l'entretien pour le poste de {role} chez {company}, {date}.
# Les lignes qui commencent par # sont des consignes et ne sont pas enregistrées.
# Un point par ligne sous chaque titre, commençant par '- '.
# Sous le nom de chaque personne : ce qu'elle a souligné, en complétant « Vous avez
#   souligné … » ; sa note personnelle l'utilise.
# Sous « Pourquoi je corresponds » : ce qui complète « J'apporte … ».
# Sous « Points à rappeler » : ce qui complète « Nous avons parlé de … ».
# Enregistrez et fermez l'éditeur ; fermez-le sans changement pour tout garder tel quel.
""",
    "es": """\
# Notas de la entrevista para el puesto de {role} en {company}, {date}.
# Las líneas que empiezan por # son instrucciones y no se guardan.
# Escriba un punto por línea bajo cada título, empezando por '- '.
# Bajo el nombre de cada persona: lo que destacó, completando «Usted destacó …»;
#   su nota personal lo usa.
# Bajo «Por qué encajo»: lo que completa «Aporto …».
# Bajo «Puntos para mencionar»: lo que completa «Hablamos de …».
# Guarde y cierre el editor; ciérrelo sin cambios para dejarlo todo como está.
""",
}

BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)](?=\s|$))\s*")
WITH = {template.split(" ")[0].lower() for template in (t["with"] for t in TITLES.values())}


def title(section: str, language: str) -> str:
    return TITLES.get(language, TITLES["en"])[section]


def template(interview: Interview, existing: str | None, language: str, date: str) -> str:
    """What `followup notes` opens in the editor: instructions, then the notes or headings."""
    header = HEADER.get(language, HEADER["en"]).format(
        role=interview.role, company=interview.company, date=date)
    if existing:
        body = existing
    else:
        headings = [title(STRESSED, language)]
        headings += [title("with", language).format(_heading_name(c))
                     for c in interview.contacts if not c.removed]
        headings += [title(s, language) for s in ORDER[1:]]
        body = "\n\n".join(f"## {h}\n- " for h in headings)
    return f"{header}\n{body}\n"


def _heading_name(contact: Contact) -> str:
    found = person(contact)
    return contact.full_name or (found.full if found else "") or contact.email or ""


def clean(text: str) -> str:
    """Instructions (# lines), empty bullets and trailing blanks removed, every section
    heading written "## Title"; '' when nothing but headings is left."""
    lines: list[str] = []
    # Pasted text may carry control characters (a form feed, a terminal's colour codes):
    # they would reach the calendar through the drafts (rule 21), so they go.
    for raw in drop_control(text.replace("\r\n", "\n")).split("\n"):
        line = raw.rstrip()
        heading = _section(line)
        if heading is not None:
            line = f"## {heading[1]}"
        elif line.lstrip().startswith("#"):
            continue  # an instruction
        if BULLET.match(line) and not BULLET.sub("", line):
            continue
        if not line and (not lines or not lines[-1]):
            continue
        lines.append(line)
    cleaned = "\n".join(lines).strip("\n")
    if all(not line or _section(line) for line in cleaned.split("\n")):
        return ""
    return cleaned


def _words(line: str) -> str:
    return line.strip().lstrip("#").strip().rstrip(":").strip()


def _section(line: str) -> tuple[str, str] | None:
    """(section key, heading as it is kept) for a heading line: "What they stressed",
    "## Points to mention:", "Questions" and "## With Jane Doe" all count. A "With …"
    heading needs the "#"; the others may be written bare, in full or shortened."""
    text = _words(line)
    lower = text.lower()
    first, _, rest = text.partition(" ")
    if line.lstrip().startswith("#") and first.lower() in WITH and rest.strip():
        return f"with:{rest.strip()}", text
    if len(lower) < 5:
        return None
    for titles in TITLES.values():
        for key in ORDER:
            full = titles[key].lower()
            short = full.split(" (")[0]
            if lower in (full, short) or (short.startswith(lower) and not BULLET.match(line)):
                return key, titles[key]
    return None


@dataclass(frozen=True)
class Points:
    """The points of the notes, by section; `people` by the name in their "With" heading."""

    stressed: tuple[str, ...] = ()
    fit: tuple[str, ...] = ()
    mention: tuple[str, ...] = ()
    people: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def of(self, contact: Contact) -> tuple[str, ...]:
        """What this person stressed: the "With" section whose name is theirs (in full,
        without the title or with it as written, the first name, the surname or the
        address)."""
        if not self.people:  # no "With" section (every new interview): no names to make
            return ()
        names = _names(contact)
        for heading, found in self.people.items():
            if _normal(heading) in names:
                return found
        return ()


def _normal(name: str) -> str:
    # "Herrn Weber" (German dative, "Mit Herrn Weber") and "Mme. Martin" name the same
    # person as "Herr Weber" and "Mme Martin".
    words = name.replace(".", "").lower().split()
    return " ".join("herr" if word == "herrn" else word for word in words)


def _names(contact: Contact) -> set[str]:
    names = {contact.full_name, contact.name, contact.email or ""}
    found = person(contact)
    if found is not None:
        names |= {found.full, found.given, found.surname}
        written = contact.full_name.split()  # with the title kept apart: "Ms. Jane Doe"
        titles = written[:len(written) - len(found.full.split())]
        if titles and found.surname:
            names |= {f"{found.title} {found.surname}", " ".join([*titles, found.surname])}
    return {_normal(name) for name in names if name}


def points(notes: str | None) -> Points:
    if not notes:
        return Points()
    found: dict[str, list[str]] = {}
    current: str | None = None
    for line in notes.split("\n"):
        heading = _section(line)
        if heading is not None:
            current = heading[0]
            continue
        point = BULLET.sub("", line).strip().rstrip(".;").strip()
        if current is not None and BULLET.match(line) and point:
            found.setdefault(current, []).append(point)
    people = {key.removeprefix("with:"): tuple(values) for key, values in found.items()
              if key.startswith("with:")}
    return Points(tuple(found.get(STRESSED, ())), tuple(found.get(FIT, ())),
                  tuple(found.get(MENTION, ())), people)
