"""Which messages end a chase (core/letters.py): the people, the company's domain, our
drafts' threads; never auto-replies, free mail, ATS no-reply or mail from before."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from followup.core.letters import (
    FREE_MAIL,
    Chase,
    base_domain,
    company_domains,
    judge,
    mailbox_draft,
    read_letter,
)

MAIL = Path(__file__).parent / "mail"
UTC = dt.timezone.utc
CONTOSO = Chase(
    interview_id=1, title="Data Engineer at Contoso",
    start=dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC), end=dt.datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
    people=frozenset({"dana.whitfield@contoso.example", "tom.oneill@contoso.example"}),
    domains=frozenset({"contoso.example"}), drafts=frozenset({"<d1@carter.example>"}), open=True,
)


def letter(name: str, uid: int = 1):
    data = (MAIL / name).read_bytes()
    return read_letter(uid, data.split(b"\r\n\r\n", 1)[0])


def test_the_facts_of_a_reply() -> None:
    found = letter("reply-interviewer.eml", 7)
    assert found.uid == 7
    assert found.who == "Dana Whitfield <dana.whitfield@contoso.example>"
    assert found.subject == "RE: Thank you - Data Engineer interview"
    assert found.date == dt.datetime(2026, 12, 7, 8, 12, 39, tzinfo=UTC)
    assert found.message_id == "<AM0PR02MB5123FEDCBA9876543210AAAA@AM0PR02MB5123.eurprd02.prod.outlook.com>"
    assert found.answers == ("<174960.sam@carter.example>",)
    assert found.automatic is None


def test_every_message_of_the_story() -> None:
    verdicts = {name: judge(letter(name), [CONTOSO], ["sam@carter.example"]) for name in (
        "reply-interviewer.eml", "reply-colleague.eml", "out-of-office.eml", "ats-no-reply.eml",
        "free-mail-same-name.eml", "before-interview.eml", "malformed.eml")}
    summary = {name: (v.chase.interview_id if v.chase else None, v.why, v.ends_chase)
               for name, v in verdicts.items()}
    assert summary == {
        "reply-interviewer.eml": (1, "from an interviewer", True),
        "reply-colleague.eml": (1, "from someone at the company", True),
        "out-of-office.eml": (None, "automatic (Auto-Submitted: auto-replied)", False),
        "ats-no-reply.eml": (None, "not from the employer", False),
        "free-mail-same-name.eml": (None, "not from the employer", False),
        # About the interview (drafts answer it), but no answer: sent the evening before.
        "before-interview.eml": (1, "sent before the interview ended", False),
        "malformed.eml": (None, "not from the employer", False),
    }


def header(sender: str, date: str = "Mon, 7 Dec 2026 08:00:00 +0000", extra: str = "",
           subject: str = "Re: Thank you") -> bytes:
    return (f"From: {sender}\r\nDate: {date}\r\nSubject: {subject}\r\nMessage-ID: <m1@x.example>\r\n"
            f"{extra}").encode()


def test_an_answer_to_our_draft_counts_from_any_address() -> None:
    found = read_letter(1, header("Kim <kim@talent-partners.example>",
                                  extra="In-Reply-To: <d1@carter.example>\r\n"))
    verdict = judge(found, [CONTOSO])
    assert (verdict.chase, verdict.why, verdict.ends_chase) == (CONTOSO, "answers your draft", True)


def test_auto_reply_markers() -> None:
    cases = {
        "Auto-Submitted: auto-generated\r\n": "Auto-Submitted: auto-generated",
        "Auto-Submitted: no\r\n": None,
        "X-Autoreply: yes\r\n": "X-Autoreply",
        "Precedence: bulk\r\n": "Precedence: bulk",
        "Precedence: auto_reply\r\n": "Precedence: auto_reply",
        "List-Unsubscribe: <mailto:u@contoso.example>\r\n": "a mailing list",
    }
    for extra, why in cases.items():
        assert read_letter(1, header("dana.whitfield@contoso.example", extra=extra)).automatic == why
    for subject in ("Out of Office: Thank you", "Automatic reply: Thank you", "Abwesenheitsnotiz",
                    "[OOO] back on Monday", "Réponse automatique : Merci"):
        assert read_letter(1, header("tom.oneill@contoso.example", subject=subject)).automatic == \
            "an out-of-office subject"


def test_the_latest_interview_that_ended_gets_the_answer() -> None:
    round_two = Chase(2, "Data Engineer at Contoso", CONTOSO.start + dt.timedelta(days=7),
                      CONTOSO.end + dt.timedelta(days=7), CONTOSO.people, CONTOSO.domains,
                      frozenset(), True)
    early = read_letter(1, header("hr@contoso.example", "Fri, 4 Dec 2026 10:00:00 +0000"))
    late = read_letter(1, header("hr@contoso.example", "Fri, 11 Dec 2026 10:00:00 +0000"))
    assert judge(early, [CONTOSO, round_two]).chase == CONTOSO
    assert judge(late, [CONTOSO, round_two]).chase == round_two


def test_subdomains_and_base_domains() -> None:
    assert base_domain("mail.acme.co.uk") == "acme.co.uk"
    assert base_domain("eu.contoso.example") == "contoso.example"
    assert company_domains(["a@eu.contoso.example", "b@gmail.com", "c@us.greenhouse-mail.io"]) == \
        frozenset({"contoso.example"})
    found = read_letter(1, header("noreply-hiring@jobs.contoso.example"))
    assert judge(found, [CONTOSO]).why == "from someone at the company"


@settings(max_examples=60, deadline=None)
@given(domain=st.sampled_from(sorted(FREE_MAIL)),
       name=st.sampled_from(["Dana Whitfield", "Tom O'Neill", "Sam Carter"]),
       local=st.from_regex(r"[a-z][a-z0-9.]{0,15}", fullmatch=True))
def test_free_mail_never_passes_for_the_company(domain: str, name: str, local: str) -> None:
    """Even when an interviewer's own address is free mail, only that exact address counts."""
    chase = Chase(1, "x", CONTOSO.start, CONTOSO.end, frozenset({f"dana@{domain}"}),
                  company_domains([f"dana@{domain}"]), frozenset(), True)
    found = read_letter(1, header(f"{name} <{local}@{domain}>"))
    verdict = judge(found, [chase])
    assert verdict.ends_chase == (f"{local}@{domain}" == f"dana@{domain}")


@settings(max_examples=40, deadline=None)
@given(minutes=st.integers(min_value=-3000, max_value=3000))
def test_only_mail_sent_after_the_interview_ended_is_an_answer(minutes: int) -> None:
    sent = CONTOSO.end + dt.timedelta(minutes=minutes)
    found = read_letter(1, header("dana.whitfield@contoso.example",
                                  sent.strftime("%a, %d %b %Y %H:%M:%S +0000")))
    assert judge(found, [CONTOSO]).ends_chase == (minutes >= 0)


def test_a_mailbox_draft_carries_our_headers() -> None:
    eml = (b"To: Dana <dana.whitfield@contoso.example>\r\nSubject: Thank you\r\nX-Unsent: 1\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\n\r\nHello\r\n")
    data = mailbox_draft(eml, "<d2@carter.example>", "sam@carter.example", "Sam Carter",
                         "<AM0PR02@outlook.example>")
    head = data.split(b"\r\n\r\n")[0].decode()
    assert "X-Unsent" not in head
    assert "Message-ID: <d2@carter.example>" in head.splitlines()
    assert "From: Sam Carter <sam@carter.example>" in head.splitlines()
    assert "In-Reply-To: <AM0PR02@outlook.example>" in head.splitlines()
    assert "References: <AM0PR02@outlook.example>" in head.splitlines()
    assert data.endswith(b"\r\n\r\nHello\r\n")
