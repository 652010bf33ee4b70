"""The activity report (issue 6): a month of job search in each format, through the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from conftest import Run, by_step
from followup.core import report
from followup.core.model import Contact, Interview, Outcome

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
LATER = "2027-01-10T12:00:00+00:00"  # the clock when the month is over


@pytest.fixture
def month(run: Run, run_json) -> None:
    """December 2026: the two sample interviews, one from November, one withdrawn from."""
    assert run("import", str(SAMPLES / "interviews.toml")).exit_code == 0
    assert run("add", "--company", "Fabrikam", "--role", "Data Analyst", "--at", "2026-11-20 10:00",
               "--interviewer", "Lena Vogel <lena.vogel@fabrikam.example>").exit_code == 0
    assert run("add", "--company", "Initech", "--role", "QA Lead",
               "--at", "2026-12-20 10:00").exit_code == 0

    def done(interview: int, key: str, at: str) -> None:
        uid = by_step(run_json("show", str(interview), now=LATER)["items"])[key]["uid"]
        result = run("done", uid, "--at", at, now=LATER)
        assert result.exit_code == 0, result.stderr

    def outcome(interview: int, kind: str, at: str) -> None:
        assert run("outcome", str(interview), kind, "--at", at, now=LATER).exit_code == 0

    done(3, "thank-you-email", "2026-11-21 09:00")  # November: left out
    done(3, "status-email", "2026-11-30T23:30:00-05:00")  # 1 December in London
    done(3, "call", "2026-12-02 09:05")
    done(3, "second-call", "2026-12-31T23:30:00-05:00")  # 1 January in London: left out
    done(1, "ask-timeline", "2026-12-03 15:30")
    done(1, "business-card", "2026-12-03 15:31")
    done(1, "notes", "2026-12-03 17:10")
    done(1, "thank-you-email", "2026-12-04 09:00")
    done(1, "formal-note-1", "2026-12-07 10:05")
    done(1, "formal-note-2", "2026-12-07 10:10")
    done(2, "formal-note-1", "2026-12-08 11:00")  # handwritten
    done(2, "thank-you-email", "2026-12-08 20:00")
    outcome(4, "withdrawn", "2026-12-10 09:00")  # before the interview: it never took place
    done(1, "status-email", "2026-12-11 10:00")
    done(1, "call", "2026-12-15 09:05")
    outcome(1, "second-interview", "2026-12-16 14:00")
    done(1, "reply-second-interview", "2026-12-16 15:00")
    outcome(2, "rejected", "2026-12-18 10:00")
    done(2, "gracious-reply", "2026-12-21 10:00")
    assert run("add", "--round-of", "1", "--at", "2027-01-02 10:00", "--location",
               "https://meet.example/northwind", "--interviewer",
               "Priya Shah <priya.shah@northwind.example>").exit_code == 0
    outcome(5, "offer", "2027-01-04 10:00")  # January: left out


DECEMBER = ("report", "--since", "2026-12-01", "--until", "2026-12-31")

MARKDOWN = """\
# Job search activity from Tuesday, December 1, 2026 to Thursday, December 31, 2026

| Date       | Company                | Role                 | Step                                  | Channel   | Contact                 |
|------------|------------------------|----------------------|---------------------------------------|-----------|-------------------------|
| 2026-12-01 | Fabrikam               | Data Analyst         | Asked for the outcome                 | email     | Lena Vogel              |
| 2026-12-02 | Fabrikam               | Data Analyst         | Follow-up call                        | phone     | Lena Vogel              |
| 2026-12-03 | Northwind Analytics    | Senior Data Engineer | Interview                             | in person | Priya Shah, Tom O'Neill |
| 2026-12-03 | Northwind Analytics    | Senior Data Engineer | Asked when they will decide           | in person | Priya Shah, Tom O'Neill |
| 2026-12-03 | Northwind Analytics    | Senior Data Engineer | Got the interviewers' contact details | in person | Priya Shah, Tom O'Neill |
| 2026-12-03 | Northwind Analytics    | Senior Data Engineer | Wrote interview notes                 |           |                         |
| 2026-12-04 | Northwind Analytics    | Senior Data Engineer | Sent a thank-you email                | email     | Priya Shah, Tom O'Neill |
| 2026-12-07 | Northwind Analytics    | Senior Data Engineer | Sent a formal note                    | email     | Priya Shah              |
| 2026-12-07 | Northwind Analytics    | Senior Data Engineer | Sent a formal note                    | email     | Tom O'Neill             |
| 2026-12-07 | Contoso Robotics, Inc. | Platform Engineer    | Interview                             | video     | Dana Whitfield          |
| 2026-12-08 | Contoso Robotics, Inc. | Platform Engineer    | Sent a handwritten note               | letter    | Dana Whitfield          |
| 2026-12-08 | Contoso Robotics, Inc. | Platform Engineer    | Sent a thank-you email                | email     | Dana Whitfield          |
| 2026-12-10 | Initech                | QA Lead              | Withdrew the application              | email     |                         |
| 2026-12-11 | Northwind Analytics    | Senior Data Engineer | Asked for the outcome                 | email     | Priya Shah              |
| 2026-12-15 | Northwind Analytics    | Senior Data Engineer | Follow-up call                        | phone     | Priya Shah              |
| 2026-12-16 | Northwind Analytics    | Senior Data Engineer | Invited to a second interview         | email     | Priya Shah              |
| 2026-12-16 | Northwind Analytics    | Senior Data Engineer | Accepted a second interview           | email     | Priya Shah              |
| 2026-12-18 | Contoso Robotics, Inc. | Platform Engineer    | Not selected                          | phone     | Dana Whitfield          |
| 2026-12-21 | Contoso Robotics, Inc. | Platform Engineer    | Replied to the rejection              | email     | Dana Whitfield          |

19 activities with 4 employers.
"""

CSV = """\
date,company,role,step,channel,contact
2026-12-01,Fabrikam,Data Analyst,Asked for the outcome,email,Lena Vogel
2026-12-02,Fabrikam,Data Analyst,Follow-up call,phone,Lena Vogel
2026-12-03,Northwind Analytics,Senior Data Engineer,Interview,in person,"Priya Shah, Tom O'Neill"
2026-12-03,Northwind Analytics,Senior Data Engineer,Asked when they will decide,in person,"Priya Shah, Tom O'Neill"
2026-12-03,Northwind Analytics,Senior Data Engineer,Got the interviewers' contact details,in person,"Priya Shah, Tom O'Neill"
2026-12-03,Northwind Analytics,Senior Data Engineer,Wrote interview notes,,
2026-12-04,Northwind Analytics,Senior Data Engineer,Sent a thank-you email,email,"Priya Shah, Tom O'Neill"
2026-12-07,Northwind Analytics,Senior Data Engineer,Sent a formal note,email,Priya Shah
2026-12-07,Northwind Analytics,Senior Data Engineer,Sent a formal note,email,Tom O'Neill
2026-12-07,"Contoso Robotics, Inc.",Platform Engineer,Interview,video,Dana Whitfield
2026-12-08,"Contoso Robotics, Inc.",Platform Engineer,Sent a handwritten note,letter,Dana Whitfield
2026-12-08,"Contoso Robotics, Inc.",Platform Engineer,Sent a thank-you email,email,Dana Whitfield
2026-12-10,Initech,QA Lead,Withdrew the application,email,
2026-12-11,Northwind Analytics,Senior Data Engineer,Asked for the outcome,email,Priya Shah
2026-12-15,Northwind Analytics,Senior Data Engineer,Follow-up call,phone,Priya Shah
2026-12-16,Northwind Analytics,Senior Data Engineer,Invited to a second interview,email,Priya Shah
2026-12-16,Northwind Analytics,Senior Data Engineer,Accepted a second interview,email,Priya Shah
2026-12-18,"Contoso Robotics, Inc.",Platform Engineer,Not selected,phone,Dana Whitfield
2026-12-21,"Contoso Robotics, Inc.",Platform Engineer,Replied to the rejection,email,Dana Whitfield
"""


def test_a_month_as_markdown(run: Run, month: None) -> None:
    result = run(*DECEMBER, now=LATER)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == MARKDOWN


def test_a_month_as_csv(run: Run, month: None) -> None:
    result = run(*DECEMBER, "--format", "csv", now=LATER)
    assert (result.exit_code, result.stdout) == (0, CSV)


def test_a_month_as_json(run: Run, month: None) -> None:
    result = run(*DECEMBER, "--format", "json", now=LATER)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == list(csv.DictReader(io.StringIO(CSV)))
    assert result.stdout.startswith(
        '[\n  {\n    "channel": "email",\n    "company": "Fabrikam",\n    "contact": "Lena Vogel",\n'
        '    "date": "2026-12-01",\n    "role": "Data Analyst",\n    "step": "Asked for the outcome"\n'
        '  },\n  {\n    "channel": "phone",\n')
    assert result.stdout.endswith(
        '  {\n    "channel": "email",\n    "company": "Contoso Robotics, Inc.",\n'
        '    "contact": "Dana Whitfield",\n    "date": "2026-12-21",\n'
        '    "role": "Platform Engineer",\n    "step": "Replied to the rejection"\n  }\n]\n')


def test_without_since_everything_up_to_today(run: Run, month: None) -> None:
    result = run("report", "--format", "csv", now=LATER)
    lines = result.stdout.splitlines()
    assert lines[1:3] == [
        "2026-11-20,Fabrikam,Data Analyst,Interview,in person,Lena Vogel",
        "2026-11-21,Fabrikam,Data Analyst,Sent a thank-you email,email,Lena Vogel",
    ]
    assert lines[-3:] == [
        "2027-01-01,Fabrikam,Data Analyst,Second follow-up call,phone,Lena Vogel",
        "2027-01-02,Northwind Analytics,Senior Data Engineer,Interview,video,Priya Shah",
        "2027-01-04,Northwind Analytics,Senior Data Engineer,Received an offer,email,Priya Shah",
    ]
    assert len(lines) == 1 + 24
    heading = run("report", now=LATER).stdout.splitlines()[0]
    assert heading == "# Job search activity up to Sunday, January 10, 2027"


def test_an_interview_counts_once_it_has_taken_place(run: Run) -> None:
    assert run("import", str(SAMPLES / "interviews.toml")).exit_code == 0
    before = run("report", "--since", "2026-12-01", "--until", "2026-12-31")
    assert before.stdout == ("# Job search activity from Tuesday, December 1, 2026 to Thursday,"
                             " December 31, 2026\n\nNo activity in this period.\n")
    after = run("report", "--format", "csv", now="2026-12-03T14:00:00+00:00")
    assert after.stdout == ("date,company,role,step,channel,contact\n"
                            "2026-12-03,Northwind Analytics,Senior Data Engineer,Interview,in person,"
                            "\"Priya Shah, Tom O'Neill\"\n")
    assert run("report", "--format", "json").stdout == "[]\n"


@pytest.mark.parametrize(("args", "message"), [
    (("--since", "December"), ("Error: invalid --since date 'December'; write it as YYYY-MM-DD,"
                              " e.g. 2026-12-15")),
    (("--until", "2026-02-30"), ("Error: invalid --until date '2026-02-30'; write it as YYYY-MM-DD,"
                                " e.g. 2026-12-15")),
    (("--since", "2026-12-31", "--until", "2026-12-01"),
     "Error: --since 2026-12-31 is after --until 2026-12-01; swap them"),
    (("--format", "pdf",), ("Error: Invalid value for '--format': 'pdf' is not one of 'md', 'csv',"
                           " 'json' (see 'followup report --help')")),
])
def test_bad_dates_are_usage_errors(run: Run, args: tuple[str, ...], message: str) -> None:
    result = run("report", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message + "\n")


def test_markdown_cells_escape_pipes_and_line_breaks() -> None:
    moment = dt.datetime(2026, 12, 3, 14, tzinfo=dt.UTC)
    row = report.Activity(moment, "A|B\nC", "Dev", "Interview", "video", "")
    assert report.to_markdown([row], None, dt.date(2026, 12, 3)).splitlines()[2:5] == [
        "| Date       | Company | Role | Step      | Channel | Contact |",
        "|------------|---------|------|-----------|---------|---------|",
        "| 2026-12-03 | A\\|B C  | Dev  | Interview | video   |         |",
    ]


def test_activities_of_one_interview_in_the_users_zone() -> None:
    from zoneinfo import ZoneInfo

    interview = Interview(
        uid="u", company="Acme", role="Dev", tz="America/Los_Angeles",
        start=dt.datetime(2026, 12, 3, 18, 0, tzinfo=ZoneInfo("America/Los_Angeles")),
        duration=dt.timedelta(hours=1), location="https://meet.example/x", channel="phone",
        contacts=(Contact(1, "Jo Park", "jo@acme.example"), Contact(2, "", "ex@acme.example",
                                                                     removed=True)))
    rows = report.activities(
        interview, [], [Outcome("reply", dt.datetime(2026, 12, 9, 23, 30, tzinfo=dt.UTC))],
        ZoneInfo("Asia/Tokyo"), dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    assert [r.values() for r in rows] == [
        ("2026-12-10", "Acme", "Dev", "The employer replied", "phone", "Jo Park")]
