"""The browser harness: Debian's Chromium under Playwright, pages served by waitress."""

from __future__ import annotations

import socket
import struct
import subprocess
import tempfile
import threading
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from browser import (  # noqa: F401  (fixtures)
    CHROMIUM,
    BrowserStart,
    browser,
    browser_start,
    page,
    phone_page,
    serve_app,
    serve_wsgi,
)

MACHINE_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def report(pytestconfig: pytest.Config, line: str) -> None:
    """Show a measurement on the terminal, outside pytest's output capture."""
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    capture = pytestconfig.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write("\n")
            reporter.write_line(line)


class FollowUpForm:
    """A one-button form; the app keeps every POST it receives."""

    PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Follow-up</title></head>
<body><h1>Thank-you note to Acme</h1>
<form method="post" action="/done"><input type="hidden" name="step" value="thank-you">
<label>Note <input name="note"></label> <button type="submit">Mark as sent</button></form></body></html>"""

    def __init__(self) -> None:
        self.posts: list[tuple[str, str, str]] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        if environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"] == "/done":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)).decode("ascii")
            self.posts.append((environ["PATH_INFO"], environ["CONTENT_TYPE"], body))
            form = parse_qs(body)
            text = f"<!doctype html><title>Sent</title><p>Marked {form['step'][0]} as sent: {form['note'][0]}</p>"
            return self._respond(start_response, "200 OK", text)
        if environ["PATH_INFO"] == "/":
            return self._respond(start_response, "200 OK", self.PAGE)
        return self._respond(start_response, "404 Not Found", "not found")

    @staticmethod
    def _respond(start_response: Callable[..., Any], status: str, text: str) -> list[bytes]:
        body = text.encode("utf-8")
        start_response(status, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))])
        return [body]


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n" and header[12:16] == b"IHDR"
    return struct.unpack(">II", header[16:24])


def test_a_click_posts_the_form_and_shows_the_answer(
    page, serve_app, browser_start: BrowserStart, pytestconfig: pytest.Config
) -> None:
    app = FollowUpForm()
    base = serve_app(app)
    page.goto(base + "/")
    page.get_by_label("Note").fill("Café at 10")
    with page.expect_navigation():
        page.get_by_role("button", name="Mark as sent").click()
    assert app.posts == [("/done", "application/x-www-form-urlencoded", "step=thank-you&note=Caf%C3%A9+at+10")]
    assert page.url == base + "/done"
    assert page.inner_text("body") == "Marked thank-you as sent: Café at 10"
    report(
        pytestconfig,
        f"browser start: Playwright driver {browser_start.driver_seconds:.2f} s, "
        f"Chromium {browser_start.version} launch {browser_start.launch_seconds:.2f} s",
    )


def test_a_phone_screenshot_has_three_device_pixels_per_css_pixel(phone_page, serve_app, tmp_path: Path) -> None:
    phone_page.goto(serve_app(FollowUpForm()) + "/")
    assert phone_page.evaluate("[innerWidth, innerHeight, devicePixelRatio, navigator.maxTouchPoints > 0]") == [
        390,
        844,
        3,
        True,
    ]
    shot = tmp_path / "phone.png"
    phone_page.screenshot(path=str(shot))
    assert png_size(shot) == (390 * 3, 844 * 3)


def test_the_browser_is_debians_chromium_with_the_machines_flags(page, browser) -> None:
    version = subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True, check=True).stdout
    assert version.startswith(f"Chromium {browser.version} ")
    page.goto("chrome://version")
    arguments = page.inner_text("#command_line").split()
    assert [flag for flag in MACHINE_FLAGS if flag not in arguments] == []
    profiles = [argument for argument in arguments if argument.startswith("--user-data-dir=")]
    assert len(profiles) == 1
    profile = Path(profiles[0].removeprefix("--user-data-dir="))
    assert profile.parent == Path(tempfile.gettempdir())
    assert profile.name.startswith("playwright_chromiumdev_profile-")


def test_serve_wsgi_stops_its_server_and_thread() -> None:
    with serve_wsgi(FollowUpForm()) as base:
        port = int(base.rsplit(":", 1)[1])
        with urllib.request.urlopen(base + "/", timeout=5) as response:
            assert response.status == 200
            assert response.read().decode("utf-8") == FollowUpForm.PAGE
    assert [thread.name for thread in threading.enumerate() if thread.name == f"serve-wsgi-{port}"] == []
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5)
