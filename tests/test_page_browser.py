"""The page in a real browser (issue 15): Playwright driving Debian's Chromium clicks
"done" on a step, and the page is checked at a phone's size (390×844)."""

from __future__ import annotations

import dataclasses
import json
import struct
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from browser import browser, page, phone_page, serve_app  # noqa: F401  (fixtures)
from followup.feed.server import FeedApp
from test_page import THANK_ACME, Home, followup


def served(home: Home, serve_app: Callable[[Any], str], **options: Any) -> tuple[FeedApp, str]:
    """The app on a free port, with the Host names it answers to set once the port is
    known, as `followup serve` does."""
    app = home.app(**options)
    base = serve_app(app)
    app.settings = dataclasses.replace(app.settings,
                                       hosts=frozenset({urllib.parse.urlsplit(base).netloc}))
    return app, base


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n" and header[12:16] == b"IHDR"
    return struct.unpack(">II", header[16:24])


def test_clicking_done_marks_the_step_done(page, serve_app, tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    _, base = served(home, serve_app)
    page.goto(f"{base}/{home.token}/")
    card = page.locator(f"#step-{THANK_ACME}")
    assert card.locator(".what").inner_text() == "Send a thank-you email to Acme"
    with page.expect_navigation():
        card.get_by_role("button", name="Done").click()
    assert page.url == f"{base}/{home.token}/?done={THANK_ACME}"
    assert page.get_by_role("status").inner_text().startswith("Done: Send a thank-you email to Acme")
    assert page.locator(f"#step-{THANK_ACME}").count() == 0

    listed = json.loads(followup(home.folder, "list", "--json").stdout)
    assert THANK_ACME not in [item["id"] for item in listed]
    everything = json.loads(followup(home.folder, "list", "--all", "--json").stdout)
    done = next(item for item in everything if item["id"] == THANK_ACME)
    assert (done["status"], done["completed"]) == ("completed", "2026-11-28T12:00:00+00:00")

    # Undo, from the notice.
    with page.expect_navigation():
        page.get_by_role("status").get_by_role("button", name="Undo").click()
    assert page.url == f"{base}/{home.token}/?undone={THANK_ACME}"
    listed = json.loads(followup(home.folder, "list", "--json").stdout)
    assert next(item for item in listed if item["id"] == THANK_ACME)["status"] == "needs-action"


def test_the_page_fits_a_phone(phone_page, serve_app, tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    followup(home.folder, "done", "14", "15")
    _, base = served(home, serve_app)
    phone_page.goto(f"{base}/{home.token}/?done=15")
    # Nothing wider than the screen, text at a readable size, buttons a finger can hit.
    assert phone_page.evaluate("document.documentElement.scrollWidth") == 390
    boxes = phone_page.evaluate("""[...document.querySelectorAll('button, a.button, select')]
        .map(e => { const r = e.getBoundingClientRect(); return [r.left, r.right, r.height]; })""")
    assert len(boxes) > 60
    assert all(left >= 0 and right <= 390 and height >= 44 for left, right, height in boxes)
    sizes = phone_page.evaluate("""[...document.querySelectorAll('.what, .when, .who, p, li')]
        .map(e => parseFloat(getComputedStyle(e).fontSize))""")
    assert min(sizes) >= 13
    assert phone_page.locator("svg").count() == 2
    qr = phone_page.locator(".qr svg").first.bounding_box()
    assert qr is not None and 120 <= qr["width"] <= 390 - 32
    shot = tmp_path / "page-390x844.png"
    phone_page.screenshot(path=str(shot))
    assert png_size(shot) == (390 * 3, 844 * 3)
    assert shot.stat().st_size > 60_000  # a rendered page, not a blank one
    whole = tmp_path / "page-390-full.png"
    phone_page.screenshot(path=str(whole), full_page=True)
    width, height = png_size(whole)
    assert width == 390 * 3 and height > 844 * 3
    print(f"screenshots: {shot} {whole}")
