"""Headless Chromium for tests: Playwright (PyPI) driving Debian's /usr/bin/chromium, and
a WSGI app served by waitress on 127.0.0.1 for the page to open.

Import the fixtures you need into a test module; pytest finds a fixture by name in the
module, so import ``browser`` too when you use ``page`` or ``phone_page``::

    from browser import browser, page, phone_page, serve_app, serve_wsgi  # noqa: F401

- ``browser`` (session): a Playwright ``Browser``. One Chromium per test process, however
  many modules import the fixture; closed when the last of them tears it down.
- ``browser_start`` (session): a :class:`BrowserStart`, how long the start took.
- ``page``: a ``Page`` in a fresh ``BrowserContext`` (its own cookies and storage).
- ``phone_page``: the same at a phone's size: 390x844 CSS pixels at device scale 3, with
  ``is_mobile`` and ``has_touch``.
- ``serve_wsgi(app)``: a context manager that serves ``app`` under waitress on a free port
  in a background thread and yields its base URL (``http://127.0.0.1:PORT``).
- ``serve_app``: a fixture, ``serve_app(app) -> base_url``, served until the test ends.

``playwright install`` downloads a browser of its own, which cannot happen here; Playwright
runs Debian's Chromium through ``executable_path`` instead. Without Chromium the tests are
skipped, naming the Debian package, or failed when ``FOLLOWUP_REQUIRE_SERVERS=1``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

CHROMIUM = Path("/usr/bin/chromium")
# The machine's Chromium flags are --headless --no-sandbox --disable-gpu --disable-quic
# --no-first-run --disable-background-networking --disable-component-update --disable-sync
# and a fresh --user-data-dir. Playwright's launch already passes all but these two
# (test_browser_harness reads the running browser's command line to keep that true).
EXTRA_ARGS = ("--disable-gpu", "--disable-quic")
PHONE_WIDTH, PHONE_HEIGHT, PHONE_SCALE = 390, 844, 3

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Any]


def unavailable(reason: str) -> NoReturn:
    """Skip the calling test for want of a tool; fail it instead where everything must run.

    The same rule as ``tests/servers.py``: swap this for that one when both are on main.
    """
    if os.environ.get("FOLLOWUP_REQUIRE_SERVERS") == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@dataclass(frozen=True)
class BrowserStart:
    driver_seconds: float  # Playwright's driver (a node process) up
    launch_seconds: float  # Chromium launched and connected
    version: str  # Chromium's version, as the browser reports it


@dataclass
class _Running:
    playwright: Playwright
    browser: Browser
    start: BrowserStart
    home: Path  # XDG folders: Chromium's crash database goes there, not into ~/.config
    users: int = 0

    def stop(self) -> None:
        try:
            self.browser.close()
        finally:
            self.playwright.stop()
            shutil.rmtree(self.home, ignore_errors=True)


_running: _Running | None = None


def launch() -> _Running:
    """Start Playwright and Chromium, headless, with a fresh profile."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("needs the PyPI package playwright (pip install -e '.[test]')")
    if not os.access(CHROMIUM, os.X_OK):
        unavailable("needs the Debian package chromium (run tests/system_packages.py as root)")
    home = Path(tempfile.mkdtemp(prefix="followup-chromium-"))
    started = time.perf_counter()
    playwright = sync_playwright().start()
    driver_up = time.perf_counter()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=list(EXTRA_ARGS),
            env={**os.environ, "XDG_CONFIG_HOME": str(home / "config"), "XDG_CACHE_HOME": str(home / "cache")},
        )
    except BaseException:
        playwright.stop()
        shutil.rmtree(home, ignore_errors=True)
        raise
    start = BrowserStart(driver_up - started, time.perf_counter() - driver_up, browser.version)
    return _Running(playwright, browser, start, home)


def _acquire() -> _Running:
    global _running
    if _running is None or not _running.browser.is_connected():
        _running = launch()
    _running.users += 1
    return _running


def _release(running: _Running) -> None:
    global _running
    running.users -= 1
    if running.users == 0:
        if _running is running:
            _running = None
        running.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    running = _acquire()
    try:
        yield running.browser
    finally:
        _release(running)


@pytest.fixture(scope="session")
def browser_start(browser: Browser) -> BrowserStart:
    assert _running is not None and _running.browser is browser
    return _running.start


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": PHONE_WIDTH, "height": PHONE_HEIGHT},
        device_scale_factor=PHONE_SCALE,
        is_mobile=True,
        has_touch=True,
    )
    try:
        yield context.new_page()
    finally:
        context.close()


@contextmanager
def serve_wsgi(app: WSGIApp) -> Iterator[str]:
    """Serve ``app`` under waitress on 127.0.0.1 while the block runs; yields the base URL."""
    import waitress.server

    # Port 0: the kernel picks a free port as it binds, so there is no race for it.
    server = waitress.server.create_server(app, host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=server.run, name=f"serve-wsgi-{server.effective_port}", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        _stop(server, thread)


def _stop(server: Any, thread: threading.Thread) -> None:
    def close_everything() -> None:
        # Runs in the server's own thread (through its trigger): its loop ends once its map
        # is empty, and nothing touches the map from another thread meanwhile.
        for dispatcher in list(server._map.values()):
            dispatcher.close()

    server.trigger.pull_trigger(close_everything)
    thread.join(timeout=10)
    server.task_dispatcher.shutdown()
    if thread.is_alive():
        raise RuntimeError(f"waitress on port {server.effective_port} did not stop")


@pytest.fixture
def serve_app() -> Iterator[Callable[[WSGIApp], str]]:
    """``serve_app(app) -> base_url``: each app is served until the test ends."""
    with ExitStack() as stack:
        yield lambda app: stack.enter_context(serve_wsgi(app))
