"""Languages and locales through the command line (issue 13): the config's `language` and
`locale`, `--language` per interview, titles, the report, and `draft --check` on every
built-in draft of every language."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Run, by_step
from test_drafts_languages import NOTES, TITLED

NAME = "Alex Morgan"


def configure(home: Path, *lines: str) -> None:
    with (home / "config.toml").open("a") as config:
        config.write("".join(line + "\n" for line in lines))


def add_panel(run: Run, language: str | None, *extra: str, titled: str | None = None) -> None:
    args = ["add", "--company", "Northwind Analytics", "--role", "Senior Data Engineer",
            "--at", "2026-12-03 14:00", "--duration", "1h30m", "--deadline", "2026-12-10",
            "--location", "2 Canal Street, Manchester",
            "--interviewer", TITLED[titled or language or "en"],
            "--interviewer", "Sam Carter <sam.carter@northwind.example>",
            "--interviewer", "bo.li@northwind.example", *extra]
    if language:
        args += ["--language", language]
    result = run(*args)
    assert result.exit_code == 0, result.stderr


def summaries(run_json, interview: int = 1) -> dict[str, str]:
    return {key: item["summary"] for key, item in by_step(run_json("show", str(interview))["items"]).items()}


@pytest.mark.parametrize(("line", "message"), [
    ('language = "klingon"', "'language': unknown language 'klingon'; use one of: en, de, fr, es"),
    ('locale = "xx_YY"', "'locale': unknown locale 'xx_YY'; use a name such as en_US, en_GB or de_DE"),
    ('locale = 3', "'locale' must be a string"),
    ('email = "alex at example"', "'email' 'alex at example' is not an email address"),
])
def test_bad_settings_are_one_line(run: Run, home: Path, line: str, message: str) -> None:
    configure(home, line)
    result = run("list")
    assert (result.exit_code, result.stderr) == (2, f"Error: {home / 'config.toml'}: {message}\n")


def test_an_interview_in_german_titles_drafts_and_show(run: Run, run_json, home: Path) -> None:
    configure(home, f'name = "{NAME}"')
    add_panel(run, "de")
    doc = run_json("show", "1")
    assert doc["interview"]["language"] == "de"
    assert summaries(run_json) == {
        "interview": "Vorstellungsgespräch: Senior Data Engineer bei Northwind Analytics",
        "ask-timeline": "Northwind Analytics fragen, wann sie entscheiden",
        "business-card": "Kontaktdaten aller Gesprächspartner bei Northwind Analytics notieren",
        "notes": "Gesprächsnotizen schreiben (Northwind Analytics)",
        "thank-you-email": "Dankes-E-Mail an Northwind Analytics senden",
        "formal-note-1": "Persönliche Nachricht an Frau Anna Maier (Northwind Analytics) senden",
        "formal-note-2": "Persönliche Nachricht an Sam Carter (Northwind Analytics) senden",
        "formal-note-3": "Persönliche Nachricht an bo.li@northwind.example (Northwind Analytics)"
                         " senden",
        "response-deadline": "Northwind Analytics wollte entscheiden",
        "status-email": "Bei Northwind Analytics per E-Mail nach dem Stand fragen",
        "call-script": "Anruf bei Northwind Analytics vorbereiten",
        "call": "Northwind Analytics wegen der Stelle als Senior Data Engineer anrufen",
        "second-call": "Northwind Analytics ein zweites Mal anrufen",
        "let-go": "Bewerbung bei Northwind Analytics abschließen und weitersuchen",
    }
    assert "  Language:  de\n" in run("show", "1").stdout
    uid = by_step(doc["items"])["formal-note-1"]["uid"]
    text = run("draft", uid, now="2026-12-07T09:00:00+00:00").stdout
    assert text.split("\n")[3:6] == [
        "Sehr geehrte Frau Maier,", "",
        "nochmals vielen Dank für das Vorstellungsgespräch für die Stelle als Senior Data Engineer"
        " bei Northwind Analytics am Donnerstag, 3. Dezember."]


def test_edit_changes_the_language_and_none_goes_back_to_the_config(run: Run, run_json,
                                                                     home: Path) -> None:
    configure(home, 'language = "es"')
    add_panel(run, None)
    assert summaries(run_json)["thank-you-email"] == "Enviar un correo de agradecimiento a Northwind Analytics"
    assert run_json("show", "1")["interview"]["language"] is None
    assert run("edit", "1", "--language", "fr").exit_code == 0
    assert summaries(run_json)["thank-you-email"] == "Envoyer un e-mail de remerciement à Northwind Analytics"
    assert run("edit", "1", "--language", "none").exit_code == 0
    assert summaries(run_json)["thank-you-email"] == "Enviar un correo de agradecimiento a Northwind Analytics"
    bad = run("edit", "1", "--language", "xx")
    assert (bad.exit_code, bad.stderr) == (
        2, "Error: --language: unknown language 'xx'; use one of: en, de, fr, es\n")


def test_import_reads_the_language(run: Run, run_json, tmp_path: Path) -> None:
    source = tmp_path / "interviews.toml"
    source.write_text('[[interview]]\ncompany = "Acme"\nrole = "Analyst"\nat = "2026-12-04 14:00"\n'
                      'language = "fr"\ninterviewers = ["Mme Claire Martin <claire@acme.example>"]\n')
    assert run("import", str(source)).exit_code == 0
    assert run_json("show", "1")["interview"]["language"] == "fr"
    assert summaries(run_json)["formal-note-1"] == "Envoyer une note personnelle à Mme Claire Martin (Acme)"
    source.write_text(source.read_text().replace('"fr"', '"xx"').replace("14:00", "15:00"))
    bad = run("import", str(source))
    assert (bad.exit_code, bad.stderr) == (
        2, f"Error: {source}, interview 1 (language): unknown language 'xx'; use one of: en, de, fr, es\n")


def test_a_users_own_title_stays_in_every_language(run: Run, run_json, home: Path) -> None:
    (home / "playbook.toml").write_text('[thank-you-email]\ntitle = "Thank {company}!"\n')
    add_panel(run, "de")
    assert summaries(run_json)["thank-you-email"] == "Thank Northwind Analytics!"
    assert summaries(run_json)["status-email"] == "Bei Northwind Analytics per E-Mail nach dem Stand fragen"


def test_a_german_template_of_the_users_own(run: Run, run_json, home: Path) -> None:
    add_panel(run, "de")
    (home / "templates").mkdir()
    (home / "templates" / "thank-you-email.de.j2").write_text(
        "Subject: Danke\n\n{{ salutation }}\n\ndanke {{ on_date }}.\n\n{{ name }}\n")
    (home / "templates" / "thank-you-email.j2").write_text("Subject: English\n\nnot used\n")
    uid = by_step(run_json("show", "1")["items"])["thank-you-email"]["uid"]
    result = run("draft", uid, now="2026-12-04T09:00:00+00:00")
    assert result.stdout.split("\n", 1)[1] == (
        "Subject: Danke\n\nGuten Tag Frau Maier, Sam Carter und Bo Li,\n\ndanke gestern.\n\n[Your name]\n")


def test_the_report_in_german(run: Run, run_json, home: Path) -> None:
    configure(home, 'language = "de"', 'locale = "de_DE"')
    add_panel(run, None, titled="de")
    uid = by_step(run_json("show", "1")["items"])["thank-you-email"]["uid"]
    assert run("done", uid, "--at", "2026-12-04 09:00", now="2026-12-20T12:00:00+00:00").exit_code == 0
    assert run("outcome", "1", "rejected", "--at", "2026-12-18 10:00",
               now="2026-12-20T12:00:00+00:00").exit_code == 0
    result = run("report", "--since", "2026-12-01", "--until", "2026-12-31", now="2026-12-20T12:00:00+00:00")
    assert result.stdout == """\
# Bewerbungsaktivitäten vom Dienstag, 1. Dezember 2026 bis Donnerstag, 31. Dezember 2026

| Datum      | Firma               | Stelle               | Schritt                | Kanal      | Kontakt                                              |
|------------|---------------------|----------------------|------------------------|------------|------------------------------------------------------|
| 2026-12-03 | Northwind Analytics | Senior Data Engineer | Vorstellungsgespräch   | persönlich | Frau Anna Maier, Sam Carter, bo.li@northwind.example |
| 2026-12-04 | Northwind Analytics | Senior Data Engineer | Dankes-E-Mail gesendet | E-Mail     | Frau Anna Maier, Sam Carter, bo.li@northwind.example |
| 2026-12-18 | Northwind Analytics | Senior Data Engineer | Absage erhalten        | E-Mail     | Frau Anna Maier                                      |

3 Aktivitäten bei 1 Arbeitgeber.
"""


@pytest.mark.parametrize("language", ["en", "de", "fr", "es"])
def test_check_passes_on_every_built_in_draft_with_a_name(run: Run, run_json, home: Path,
                                                          language: str) -> None:
    """Every message and call of a panel, with the language's notes and with none, after
    every outcome that adds a reply: no unknown word, no placeholder."""
    configure(home, f'name = "{NAME}"')
    add_panel(run, language)
    add_panel(run, language, "--note", "handwritten", "--at", "2026-12-04 14:00")
    titled = TITLED[language].split(" <")[0]
    assert run("notes", "1", "--file", "-", input=NOTES[language].format(titled=titled)).exit_code == 0
    checked: set[tuple[str, str]] = set()
    # One outcome at a time (an interview has one): each adds its reply, checked in turn.
    for n, kind in enumerate(("second-interview", "offer", "rejected")):
        for interview in ("1", "2"):
            assert run("outcome", interview, kind, *(("--replace",) if n else ())).exit_code == 0
            for key, item in by_step(run_json("show", interview)["items"]).items():
                if item["step"] in ("interview", "ask-timeline", "business-card", "notes",
                                    "response-deadline", "let-go") or (interview, key) in checked:
                    continue
                result = run("draft", item["uid"], "--check")
                assert (result.exit_code, result.stdout, result.stderr) == (
                    0, "", "No unknown words and no placeholders.\n"), (interview, key)
                checked.add((interview, key))
    assert len(checked) == 2 * 11  # thank-you, 3 notes, status, script, 2 calls, 3 replies


def test_the_notes_template_in_the_interviews_language(run: Run, home: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    add_panel(run, "de")
    seen = tmp_path / "seen.txt"
    script = tmp_path / "editor.py"
    script.write_text(f"import pathlib, sys\npathlib.Path({str(seen)!r}).write_text("
                      "pathlib.Path(sys.argv[1]).read_text())\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)
    assert run("notes", "1", now="2026-12-03T17:00:00+00:00").exit_code == 0
    text = seen.read_text()
    assert text.startswith("# Notizen zum Gespräch als Senior Data Engineer bei Northwind Analytics,"
                           " Donnerstag, 3. Dezember.\n")
    assert text.split("\n\n", 1)[1] == (
        "## Was sie betont haben (Fähigkeiten, Erfahrung, Eigenschaften)\n- \n\n"
        "## Mit Frau Anna Maier\n- \n\n## Mit Sam Carter\n- \n\n## Mit Bo Li\n- \n\n"
        "## Fragen und wie sie liefen\n- \n\n## Was ich verbessern kann\n- \n\n"
        "## Warum ich passe\n- \n\n## Punkte für spätere Nachrichten\n- \n")


def test_the_locale_comes_from_the_environment_unless_the_config_sets_it(
        run: Run, run_json, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add_panel(run, None)
    uid = by_step(run_json("show", "1")["items"])["thank-you-email"]["uid"]

    def greeting() -> str:
        return run("draft", uid).stdout.split("\n")[3]

    assert greeting() == "Dear Ms. Doe, Sam, and Bo,"  # LANG=en_US.UTF-8 (conftest)
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert greeting() == "Dear Ms Doe, Sam Carter and Bo Li,"
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    assert greeting() == "Dear Ms. Doe, Sam, and Bo,"
    configure(home, 'locale = "en_AU"')
    assert greeting() == "Dear Ms Doe, Sam Carter and Bo Li,"
