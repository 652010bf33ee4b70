"""The page at /<token>/ (issue 15): every route, the buttons, the form token, the origin
check, --read-only and bad requests, through plain WSGI calls on a real store and the
real Service (the browser tests are in test_page_browser.py)."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
import sqlite3
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from conftest import NOW, USER_TZ
from followup.app.service import Service
from followup.cli import cli
from followup.config import Paths, load_config
from followup.feed import actions
from followup.feed.host import Settings
from followup.feed.publish import ensure_token
from followup.feed.server import FeedApp
from followup.feed.status import FetchLog, client_kind
from followup.store import Store

NOW_DT = dt.datetime.fromisoformat(NOW)  # Saturday 28 November 2026, 12:00 in London
HOST = "feed.test:8765"
ORIGIN = f"http://{HOST}"
ACME = ("add", "--company", "Acme", "--role", "Data Engineer", "--at", "2026-12-01 14:00",
        "--tz", "Europe/London", "--interviewer", "Jane Doe <jane@acme.example>")
GLOBEX = ("add", "--company", "Globex", "--role", "Analyst", "--at", "2026-11-24 10:00",
          "--tz", "America/New_York", "--interviewer", "Bo Li <bo@globex.example>")
INITECH = ("add", "--company", "Initech", "--role", "Support Engineer", "--at", "2026-11-28 10:30",
           "--tz", "Europe/London", "--interviewer", "Peter Gibbons <peter@initech.example>")
THANK_ACME = 5  # "Send a thank-you email to Acme", due Wed 2 Dec 20:00
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def followup(home: Path, *args: str, now: str = NOW) -> Result:
    env = {"FOLLOWUP_HOME": str(home), "FOLLOWUP_NOW": now, "FOLLOWUP_DEBUG": None,
           "FOLLOWUP_OFFLINE": "1"}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@dataclass
class Answer:
    status: str
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def call(app: Any, method: str, path: str, *, form: dict[str, str] | None = None,
         headers: dict[str, str | None] | None = None, query: str = "",
         body: bytes | None = None) -> Answer:
    """One request through the WSGI app, as a browser on the page at http://feed.test:8765
    sends it (Host and Origin); `headers` adds or (with None) removes headers."""
    data = body if body is not None else urllib.parse.urlencode(form or {}).encode()
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1", "SERVER_NAME": "feed.test", "SERVER_PORT": "8765",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(data),
        "CONTENT_LENGTH": str(len(data)), "HTTP_HOST": HOST, "HTTP_ORIGIN": ORIGIN,
    }
    if method == "POST":
        environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        key = key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"
        if value is None:
            environ.pop(key, None)
        else:
            environ[key] = value
    answer: list[Any] = []

    def start_response(status: str, response_headers: list[tuple[str, str]]) -> None:
        answer.extend([status, dict(response_headers)])

    out = b"".join(app(environ, start_response))
    return Answer(answer[0], answer[1], out)


class Home:
    """A FOLLOWUP_HOME with Acme, Globex and Initech, served by a FeedApp at a pinned time."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True)
        (folder / "config.toml").write_text(f'timezone = "{USER_TZ}"\n')
        self.folder = folder
        for add in (ACME, GLOBEX, INITECH):
            assert followup(folder, *add).exit_code == 0
        self.paths = Paths(folder, folder)
        self.config = load_config(self.paths)
        store = Store(self.paths.database)
        self.token = ensure_token(store, NOW_DT)
        store.close()
        self.now = NOW_DT

    def app(self, *, writable: bool = True, **settings: Any) -> FeedApp:
        values = {"hosts": frozenset({HOST}), "language": self.config.language,
                  "locale": self.config.user_locale} | settings
        return FeedApp(
            lambda: Service(self.paths, self.config, NOW_DT), USER_TZ,
            settings=Settings(USER_TZ, **values),
            open_operations=(lambda now: Service(self.paths, self.config, now, offline=True))
            if writable else None,
            clock=lambda: self.now)

    def state(self) -> tuple[int, str]:
        """The revision and every item: what "nothing changed" compares."""
        store = Store(self.paths.database)
        try:
            revision = store.revision()
        finally:
            store.close()
        return revision, followup(self.folder, "list", "--all", "--json").stdout

    def item(self, item_id: int) -> dict[str, Any]:
        items = json.loads(followup(self.folder, "list", "--all", "--json").stdout)
        found: dict[str, Any] = next(i for i in items if i["id"] == item_id)
        return found


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "home")


def csrf_of(answer: Answer) -> str:
    tokens = set(CSRF.findall(answer.text))
    assert len(tokens) == 1
    return tokens.pop()


def timeline(html: str) -> list[tuple[str, list[tuple[int, str]]]]:
    """(group title, [(step id, when)]) as the page shows the next steps."""
    plan = html.split('<h2 id="next">')[1].split("</section>")[0]
    groups = []
    for part in plan.split("<h3>")[1:]:
        title = part.split(" <span", 1)[0]
        steps = re.findall(r'id="step-(\d+)">\s*<div class="when">([^<]*)</div>', part)
        groups.append((title, [(int(i), when) for i, when in steps]))
    return groups


# -- reading --------------------------------------------------------------------------------


def test_the_page_shows_the_open_steps_overdue_today_this_week_later(home: Home) -> None:
    answer = call(home.app(), "GET", f"/{home.token}/")
    assert answer.status == "200 OK"
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Referrer-Policy"] == "same-origin"
    assert answer.headers["Content-Security-Policy"].startswith("default-src 'none';")
    assert "<script" not in answer.text
    # Saturday 28 November, 12:00 in London: Globex (24 Nov) is late, Initech was this
    # morning, Acme is on Tuesday. Times are due times in the user's zone, as `list` shows.
    # Issue 10: thank-yous at the end of the next working day (Globex's 17, Acme's 5); the
    # user's steps at the user's 10:00 and 17:00 (20, 21, 24); Globex's thank-you is overdue
    # by more than a day, so its formal note (18) counts from today: Monday.
    assert timeline(answer.text) == [
        ("Overdue", [(14, "overdue 3 days"), (15, "overdue 3 days"), (16, "overdue 3 days"),
                     (17, "overdue 2 days"), (26, "overdue 30 minutes"), (27, "overdue 30 minutes")]),
        ("Today", [(28, "today 13:30")]),
        ("This week", [(18, "Mon 30 Nov 10:00"), (29, "Mon 30 Nov 11:30"), (30, "Tue 1 Dec 10:00"),
                       (2, "Tue 1 Dec 15:00"), (3, "Tue 1 Dec 15:00"), (4, "Tue 1 Dec 17:00"),
                       (20, "Wed 2 Dec 10:00"), (5, "Wed 2 Dec 20:00"), (21, "Thu 3 Dec 17:00"),
                       (6, "Fri 4 Dec 10:00"), (22, "Fri 4 Dec 14:00")]),
        ("Later", [(32, "Mon 7 Dec 10:00"), (33, "Tue 8 Dec 17:00"), (34, "Wed 9 Dec 09:00"),
                   (8, "Wed 9 Dec 10:00"), (9, "Thu 10 Dec 17:00"), (10, "Fri 11 Dec 09:00"),
                   (23, "Fri 18 Dec 14:00"), (35, "Wed 23 Dec 09:00"), (11, "Fri 25 Dec 09:00"),
                   (24, "Fri 25 Dec 10:00"), (36, "Wed 30 Dec 10:00"), (12, "Fri 1 Jan 10:00")]),
    ]
    # Every open step has its buttons; steps with a draft link to it.
    assert answer.text.count('class="primary">Done</button>') == 30
    assert f'href="steps/{THANK_ACME}/draft">Draft</a>' in answer.text
    assert 'href="steps/10/draft">Script</a>' in answer.text
    assert 'href="steps/2/draft"' not in answer.text
    assert [int(i) for i in re.findall(r'id="interview-(\d+)"', answer.text)] == [2, 3, 1]


def test_the_page_links_each_calendar_app_with_qr_codes(home: Home) -> None:
    text = call(home.app(base_url="https://cal.example.org/me"), "GET", f"/{home.token}/").text
    base = f"https://cal.example.org/me/{home.token}"
    webcal = f"webcal://cal.example.org/me/{home.token}"
    assert re.findall(r'<a class="url" href="([^"]+)">', text) == [
        f"{webcal}/events.ics", f"{webcal}/events.ics", f"{base}/events.ics", f"{base}/full.ics",
        f"{base}/tasks.ics"]
    assert text.count("<svg") == 2  # Apple Calendar's webcal:// and this page
    assert "<title>QR code: Apple Calendar</title>" in text and "<title>QR code: This page</title>" in text
    assert "reachable from there" not in text  # https: no warning
    local = call(home.app(), "GET", f"/{home.token}/").text
    assert f'href="webcal://{HOST}/{home.token}/events.ics"' in local
    assert "reachable from there" in local


def test_the_qr_code_holds_the_subscription_url(home: Home) -> None:
    import segno

    from followup.feed.page import qr_svg

    url = f"webcal://{HOST}/{home.token}/events.ics"
    expected = segno.make(url, error="m").svg_inline(scale=4, title="QR code: Apple Calendar")
    assert qr_svg(url, "Apple Calendar") == expected
    assert expected in call(home.app(), "GET", f"/{home.token}/").text


def test_a_draft_page_shows_what_followup_draft_prints(home: Home) -> None:
    answer = call(home.app(), "GET", f"/{home.token}/steps/{THANK_ACME}/draft")
    assert answer.status == "200 OK"
    printed = followup(home.folder, "draft", str(THANK_ACME)).stdout.rstrip("\n")
    shown = re.search(r"<pre>(.*)</pre>", answer.text, re.DOTALL)
    assert shown is not None
    assert html.unescape(shown.group(1)) == printed
    assert 'href="mailto:jane@acme.example?subject=Thank%20you%20for%20the%20Data%20Engineer' in answer.text
    assert "Before sending: run a spell-check" in answer.text
    for step, message in ((1, "Interview: Data Engineer at Acme: this step has no draft."),
                          (999, "There is no step 999.")):
        missing = call(home.app(), "GET", f"/{home.token}/steps/{step}/draft")
        assert missing.status == "404 Not Found"
        assert f"<p>{message}</p>" in missing.text


def test_the_page_is_gzipped_for_a_browser_that_accepts_it(home: Home) -> None:
    import gzip

    plain = call(home.app(), "GET", f"/{home.token}/")
    packed = call(home.app(), "GET", f"/{home.token}/", headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["Vary"] == plain.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(packed.body) == plain.body
    assert packed.headers["Content-Length"] == str(len(packed.body))


def test_head_gives_the_page_headers_without_a_body(home: Home) -> None:
    get, head = (call(home.app(), method, f"/{home.token}/") for method in ("GET", "HEAD"))
    assert (head.status, head.body) == ("200 OK", b"")
    assert head.headers == get.headers


@pytest.mark.parametrize("path", ["/{wrong}/", "/{wrong}/steps/5/draft", "/{token}/steps/5",
                                  "/{token}/steps/x/draft", "/{token}/steps/5/done",
                                  "/{token}/interviews/1", "/{token}//", "/{token}/page.html"])
def test_anything_else_is_the_bare_404(home: Home, path: str) -> None:
    wrong = ("A" if home.token[0] != "A" else "B") + home.token[1:]
    answer = call(home.app(), "GET", path.format(token=home.token, wrong=wrong))
    assert (answer.status, answer.body) == ("404 Not Found", b"Not found.\n")


# -- the buttons ------------------------------------------------------------------------------


def post(home: Home, app: FeedApp, path: str, form: dict[str, str], **options: Any) -> Answer:
    return call(app, "POST", f"/{home.token}/{path}", form=form, **options)


def fresh_csrf(home: Home, app: FeedApp) -> str:
    return csrf_of(call(app, "GET", f"/{home.token}/"))


def test_done_then_undo_go_through_the_service(home: Home) -> None:
    app = home.app()
    before = home.state()[0]
    answer = post(home, app, f"steps/{THANK_ACME}/done", {"csrf": fresh_csrf(home, app)})
    assert (answer.status, answer.headers["Location"]) == ("303 See Other", f"../../?done={THANK_ACME}")
    assert home.item(THANK_ACME)["status"] == "completed"
    assert home.item(THANK_ACME)["completed"] == NOW
    assert home.state()[0] == before + 1
    # The calendar file followed, as after `followup done`.
    assert "✓ Send a thank-you email to Acme" not in (home.folder / "followup.ics").read_text()
    assert "STATUS:COMPLETED" in (home.folder / "followup.ics").read_text()

    shown = call(app, "GET", f"/{home.token}/", query=f"done={THANK_ACME}")
    assert '<span>Done: Send a thank-you email to Acme</span>' in shown.text
    assert f'action="steps/{THANK_ACME}/undo"' in shown.text
    assert f'id="step-{THANK_ACME}"' not in shown.text
    assert f'id="done-{THANK_ACME}"' in shown.text
    answer = post(home, app, f"steps/{THANK_ACME}/undo", {"csrf": csrf_of(shown)})
    assert (answer.status, answer.headers["Location"]) == ("303 See Other", f"../../?undone={THANK_ACME}")
    assert home.item(THANK_ACME)["status"] == "needs-action"


def test_snooze_moves_the_step_by_a_day_or_a_week(home: Home) -> None:
    app = home.app()
    answer = post(home, app, f"steps/{THANK_ACME}/snooze", {"csrf": fresh_csrf(home, app), "by": "1d"})
    assert (answer.status, answer.headers["Location"]) == ("303 See Other", f"../../?snoozed={THANK_ACME}")
    assert home.item(THANK_ACME)["due"] == "2026-12-03T20:00:00+00:00"
    shown = call(app, "GET", f"/{home.token}/", query=f"snoozed={THANK_ACME}").text
    assert "<span>Snoozed: Send a thank-you email to Acme, now Thu 3 Dec 20:00</span>" in shown
    post(home, app, f"steps/{THANK_ACME}/snooze", {"csrf": fresh_csrf(home, app), "by": "1w"})
    assert home.item(THANK_ACME)["due"] == "2026-12-10T20:00:00+00:00"


def test_an_outcome_cancels_the_chase(home: Home) -> None:
    app = home.app()
    answer = post(home, app, "interviews/1/outcome", {"csrf": fresh_csrf(home, app), "kind": "offer"})
    assert (answer.status, answer.headers["Location"]) == ("303 See Other", "../../?outcome=1&kind=offer")
    assert home.item(11)["status"] == "cancelled"  # Call Acme a second time
    shown = call(app, "GET", f"/{home.token}/", query="outcome=1&kind=offer").text
    assert "<span>Recorded “offer” for Data Engineer at Acme</span>" in shown
    again = post(home, app, "interviews/1/outcome", {"csrf": csrf_of(call(app, "GET", f"/{home.token}/")),
                                                      "kind": "offer"})
    assert again.headers["Location"] == "../../?outcome=1&kind=offer&again=1"


# -- bad requests: a plain error page, nothing changed -----------------------------------------


def refused(home: Home, answer: Answer, status: str, message: str, before: tuple[int, str]) -> None:
    assert answer.status == status
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert f"<p>{message}</p>" in answer.text
    assert home.state() == before


def test_a_replayed_form_changes_nothing(home: Home) -> None:
    app = home.app()
    form = {"csrf": fresh_csrf(home, app)}
    assert post(home, app, f"steps/{THANK_ACME}/done", form).status == "303 See Other"
    assert post(home, app, f"steps/{THANK_ACME}/undo", form).status == "403 Forbidden"
    before = home.state()
    refused(home, post(home, app, f"steps/{THANK_ACME}/done", form), "403 Forbidden",
            actions.STALE, before)
    assert home.item(THANK_ACME)["status"] == "completed"


def test_a_stale_form_changes_nothing(home: Home) -> None:
    app = home.app()
    form = {"csrf": fresh_csrf(home, app)}
    assert followup(home.folder, "done", "2").exit_code == 0  # another change meanwhile
    before = home.state()
    for path, extra in ((f"steps/{THANK_ACME}/done", {}), ("interviews/1/outcome", {"kind": "offer"})):
        refused(home, post(home, app, path, form | extra), "403 Forbidden", actions.STALE, before)


@pytest.mark.parametrize("csrf", ["", "nonsense", "3.1795867200.0123456789abcdef0123456789abcdef",
                                  "x.y.z", "3.1795867200"])
def test_a_forged_form_token_changes_nothing(home: Home, csrf: str) -> None:
    before = home.state()
    refused(home, post(home, home.app(), f"steps/{THANK_ACME}/done", {"csrf": csrf}), "403 Forbidden",
            "This form was not made by your followup page; nothing was done.", before)


def test_a_form_token_for_another_token_or_too_old_changes_nothing(home: Home) -> None:
    before = home.state()
    app = home.app()
    other = actions.csrf_token("another-feed-token-0123456789", before[0], NOW_DT)
    refused(home, post(home, app, f"steps/{THANK_ACME}/done", {"csrf": other}), "403 Forbidden",
            "This form was not made by your followup page; nothing was done.", before)
    old = actions.csrf_token(home.token, before[0], NOW_DT - dt.timedelta(hours=12, seconds=1))
    refused(home, post(home, app, f"steps/{THANK_ACME}/done", {"csrf": old}), "403 Forbidden",
            "This page is too old; nothing was done. Reload it and try again.", before)
    recent = actions.csrf_token(home.token, before[0], NOW_DT - dt.timedelta(hours=12))
    assert post(home, app, f"steps/{THANK_ACME}/done", {"csrf": recent}).status == "303 See Other"


def test_a_post_to_an_unknown_step_or_button_changes_nothing(home: Home) -> None:
    app = home.app()
    form = {"csrf": fresh_csrf(home, app)}
    before = home.state()
    refused(home, post(home, app, "steps/999/done", form), "404 Not Found",
            "There is no step 999; reload the page.", before)
    refused(home, post(home, app, "interviews/9/outcome", form | {"kind": "offer"}), "404 Not Found",
            "There is no interview 9; reload the page.", before)
    refused(home, post(home, app, f"steps/{THANK_ACME}/explode", form), "404 Not Found",
            "There is no such button.", before)
    refused(home, post(home, app, "interviews/1/done", form), "404 Not Found",
            "There is no such button.", before)
    refused(home, post(home, app, "steps/1/done", form), "400 Bad Request",
            "Item 1 (Interview: Data Engineer at Acme) is a calendar event, not a task; only tasks"
            " can be marked done; nothing was done.", before)
    refused(home, post(home, app, f"steps/{THANK_ACME}/snooze", form | {"by": "9999999d"}),
            "400 Bad Request", "Snooze by one of: 1d, 1w.", before)
    refused(home, post(home, app, "interviews/1/outcome", form | {"kind": "hired"}),
            "400 Bad Request",
            "Choose one of: reply, second-interview, offer, rejected, withdrawn.", before)
    # the form still works
    assert post(home, app, f"steps/{THANK_ACME}/done", form).status == "303 See Other"


def test_a_post_with_the_wrong_token_is_the_bare_404(home: Home) -> None:
    app = home.app()
    form = {"csrf": fresh_csrf(home, app)}
    before = home.state()
    wrong = ("A" if home.token[0] != "A" else "B") + home.token[1:]
    answer = call(app, "POST", f"/{wrong}/steps/{THANK_ACME}/done", form=form)
    assert (answer.status, answer.body) == ("404 Not Found", b"Not found.\n")
    assert home.state() == before


@pytest.mark.parametrize(("headers", "message"), [
    ({"Host": "evil.example:8765", "Origin": "http://evil.example:8765"},
     "This server does not answer to evil.example:8765."),
    ({"Origin": "http://evil.example"}, "The form came from another site; nothing was done."),
    ({"Origin": "null"}, "The form came from another site; nothing was done."),
    ({"Origin": None}, "The form came without an Origin; send it with the page&#39;s buttons."),
    ({"Origin": None, "Referer": "http://evil.example/feed.test:8765/"},
     "The form came from another site; nothing was done."),
])
def test_a_post_from_elsewhere_changes_nothing(home: Home, headers: dict[str, str | None],
                                               message: str) -> None:
    app = home.app()
    form = {"csrf": fresh_csrf(home, app)}
    before = home.state()
    refused(home, post(home, app, f"steps/{THANK_ACME}/done", form, headers=headers),
            "403 Forbidden", message, before)


def test_the_origin_may_be_the_referer_or_the_public_address(home: Home) -> None:
    app = home.app(base_url="https://cal.example.org/me",
                   hosts=frozenset({HOST, "cal.example.org"}))
    referer = {"Origin": None, "Referer": f"http://{HOST}/{home.token}/"}
    assert post(home, app, f"steps/{THANK_ACME}/done", {"csrf": fresh_csrf(home, app)},
                headers=referer).status == "303 See Other"
    proxied = {"Host": "cal.example.org", "Origin": "https://cal.example.org"}
    assert post(home, app, f"steps/{THANK_ACME}/undo", {"csrf": fresh_csrf(home, app)},
                headers=proxied).status == "303 See Other"


@pytest.mark.parametrize(("headers", "body", "message"), [
    ({"Content-Type": "text/plain"}, None, "The form came in a shape the page does not send."),
    ({"Content-Type": "multipart/form-data; boundary=x"}, None,
     "The form came in a shape the page does not send."),
    ({"Content-Length": "0"}, b"", "The form is empty or too long."),
    ({}, b"csrf=" + b"x" * 5000, "The form is empty or too long."),
    ({"Content-Length": "many"}, None, "The form&#39;s length is not a number."),
    ({}, b"csrf=%ff%fe", "The form cannot be read."),
    ({}, b"no equals sign", "The form cannot be read."),
])
def test_a_malformed_form_changes_nothing(home: Home, headers: dict[str, str | None],
                                          body: bytes | None, message: str) -> None:
    app = home.app()
    data = body if body is not None else f"csrf={fresh_csrf(home, app)}".encode()
    before = home.state()
    refused(home, call(app, "POST", f"/{home.token}/steps/{THANK_ACME}/done", body=data,
                       headers=headers), "400 Bad Request", message, before)


def test_read_only_hides_the_buttons_and_refuses_every_write(home: Home) -> None:
    writable = home.app()
    form = {"csrf": fresh_csrf(home, writable)}
    app = home.app(writable=False)
    text = call(app, "GET", f"/{home.token}/").text
    assert "<form" not in text and "<button" not in text and 'name="csrf"' not in text
    assert " · read-only</p>" in text
    assert f'href="steps/{THANK_ACME}/draft">Draft</a>' in text  # reading still works
    before = home.state()
    for path, extra in ((f"steps/{THANK_ACME}/done", {}), (f"steps/{THANK_ACME}/undo", {}),
                        (f"steps/{THANK_ACME}/snooze", {"by": "1d"}),
                        ("interviews/1/outcome", {"kind": "offer"})):
        answer = post(home, app, path, form | extra)
        refused(home, answer, "405 Method Not Allowed",
                "This page is read-only: `followup serve --read-only` serves it without buttons."
                " Change things with `followup`.", before)
        assert answer.headers["Allow"] == "GET, HEAD"


def test_serve_read_only_is_wired(tmp_path: Path) -> None:
    """`serve --read-only` passes no operations: the page it serves has no buttons."""
    from test_feed import serving

    home = Home(tmp_path / "home")
    with serving(home.folder, "--read-only") as running:
        page = running.request(f"/{running.token}/")
        answer = running.request(f"/{running.token}/steps/{THANK_ACME}/done", method="POST",
                                 body=b"csrf=x", headers={
                                     "Content-Type": "application/x-www-form-urlencoded",
                                     "Origin": f"http://127.0.0.1:{running.port}"})
    assert page.status == 200 and b"<button" not in page.body
    assert answer.status == 405
    with serving(home.folder) as running:
        page = running.request(f"/{running.token}/")
    assert page.body.count(b'class="primary">Done</button>') == 30


# -- what each kind of client was served ------------------------------------------------------


@pytest.mark.parametrize(("agent", "kind"), [
    ("Google-Calendar-Importer", "google"),
    ("Mozilla/5.0 (compatible; Google-Calendar-Importer)", "google"),
    ("Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)", "microsoft"),
    ("Microsoft.Exchange/15.20 (Windows NT 10.0; Win64; x64)", "microsoft"),
    ("Outlook-iOS/2.0", "microsoft"),
    ("iOS/17.0 (21A329) dataaccessd/1.0", "apple"),
    ("macOS/14.0 (23A344) CalendarAgent/988", "apple"),
    ("Mac OS X/10.15.7 (19H2) CalendarAgent/954", "apple"),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.0", "other"),
    ("ICSx5/2.2 (ical4j/3.2 okhttp/4.12 Android/14)", "other"),
    ("", "other"),
    (None, "other"),
])
def test_clients_are_told_apart_by_user_agent(agent: str | None, kind: str) -> None:
    assert client_kind(agent) == kind


def test_feed_status_says_who_has_fetched_which_revision(home: Home) -> None:
    app = home.app()
    for agent in ("Google-Calendar-Importer", "iOS/17.0 (21A329) dataaccessd/1.0"):
        assert call(app, "GET", f"/{home.token}/events.ics",
                    headers={"User-Agent": agent}).status == "200 OK"
    revision = home.state()[0]
    assert followup(home.folder, "done", str(THANK_ACME)).exit_code == 0
    assert followup(home.folder, "done", "6").exit_code == 0
    # Apple polls again with the tag it has: a 304 is a fetch of the current revision too.
    assert call(app, "GET", f"/{home.token}/tasks.ics",
                headers={"User-Agent": "iOS/17.0 (21A329) dataaccessd/1.0"}).status == "200 OK"
    later = "2026-11-28T19:00:00+00:00"
    result = followup(home.folder, "feed", "status", now=later)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:5] == [
        f"Google fetched revision {revision} of the events feed 7 hours ago; your 2 changes since"
        " then are not there yet; Google refreshes every 8–24 h, whatever the feed asks.",
        "Outlook has not fetched a feed yet.",
        f"Apple Calendar fetched revision {revision} of the events feed 7 hours ago; your 2 changes"
        " since then are not there yet; Apple Calendar refreshes as its Auto-refresh setting says.",
        f"Apple Calendar fetched revision {revision + 2} of the tasks feed 7 hours ago: it has"
        " every change.",
        "No other app has fetched a feed yet.",
    ]
    doc = json.loads(followup(home.folder, "feed", "status", "--json", now=later).stdout)
    assert doc["revision"] == revision + 2
    assert doc["clients"][0] == {
        "client": "google", "name": "Google", "profile": "events", "revision": revision,
        "fetched": NOW, "behind": 2, "refresh": "Google refreshes every 8–24 h, whatever the feed asks",
        "text": result.stdout.splitlines()[0]}
    assert [(c["client"], c["profile"], c["behind"]) for c in doc["clients"]] == [
        ("google", "events", 2), ("microsoft", None, None), ("apple", "events", 2),
        ("apple", "tasks", 0), ("other", None, None)]
    page = call(app, "GET", f"/{home.token}/").text
    assert f"<li>Google fetched revision {revision} of the events feed just now; your 2 changes" in page


def test_a_poll_is_written_once_per_revision_and_ten_minutes(home: Home) -> None:
    store = Store(home.paths.database)
    log = FetchLog(2000)
    log.record(store, "events", "google", 5, NOW_DT)
    log.record(store, "events", "google", 5, NOW_DT + dt.timedelta(minutes=9))
    assert store.fetches() == [("events", "google", 5, NOW)]
    log.record(store, "events", "google", 6, NOW_DT + dt.timedelta(minutes=9))
    assert store.fetches() == [("events", "google", 6, "2026-11-28T12:09:00+00:00")]
    log.record(store, "events", "google", 6, NOW_DT + dt.timedelta(minutes=19))
    assert store.fetches() == [("events", "google", 6, "2026-11-28T12:19:00+00:00")]
    assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] == 2000
    store.close()


def test_a_busy_database_skips_the_record_and_the_next_poll_writes_it(home: Home) -> None:
    app = home.app()
    writer = sqlite3.connect(home.paths.database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # what `followup done` holds while it works
    try:
        answer = call(app, "GET", f"/{home.token}/events.ics", headers={"User-Agent": "Outlook-iOS/2.0"})
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert answer.status == "200 OK"
    store = Store(home.paths.database)
    assert store.fetches() == []
    call(app, "GET", f"/{home.token}/events.ics", headers={"User-Agent": "Outlook-iOS/2.0"})
    assert [row[:3] for row in store.fetches()] == [("events", "microsoft", store.revision())]
    store.close()
