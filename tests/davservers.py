"""Real CalDAV servers (Radicale, Xandikos, and Cyrus through tests/cyrus.py) for tests.

Import the fixtures you need into a test module::

    from davservers import dav_server, dav_calendar, radicale_server, xandikos_server

Each server is started once per test session as a subprocess on 127.0.0.1 with a
free port and a temporary folder, and stopped at the end of the session.

- ``radicale_server`` / ``xandikos_server`` (session): a :class:`DavServer`.
- ``radicale_tls_server`` (session): a Radicale of its own over https only, its
  certificate (127.0.0.1, ::1, localhost) signed by a CA made for it (``ca_file``);
  started only for the tests that ask for it.
- ``dav_server`` (parametrised "radicale" / "xandikos" / "cyrus"): the same, once per
  server (on Cyrus, a fresh user of the session's instance).
- ``dav_calendar`` (per test, parametrised like ``dav_server``): a :class:`DavCalendar`
  with a fresh, empty collection that accepts VEVENT and VTODO.  Use
  ``dav_calendar.server.make_collection(["VTODO"])`` (or ``["VEVENT"]``) for a
  collection restricted to one component type.

Radicale runs with htpasswd (plain) authentication, so wrong-password tests work
against it.  Xandikos runs without authentication (its ``--htpasswd`` needs TLS);
``DavServer.checks_auth`` tells the two apart.

Fixtures imported into several modules each get their own pytest fixture
definition; the servers themselves are cached in this module so they are still
started only once per session.
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from servers import Certificates, log_tail, make_certificates, stop_process

USERNAME = "alice"
PASSWORD = "s3cret-Pa55word"
START_TIMEOUT = 30.0

_counter = itertools.count(1)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class DavServer:
    """A running CalDAV server."""

    kind: str  # "radicale" or "xandikos"
    base_url: str  # "http://127.0.0.1:PORT/"
    username: str
    password: str
    checks_auth: bool  # False for Xandikos: any credentials are accepted
    home_url: str  # collection home, where make_collection() creates collections
    folder: Path
    process: subprocess.Popen = field(repr=False)
    log_path: Path = field(repr=False)
    ca_file: Path | None = None  # over https: the private CA that signed its certificate

    def client(self, password: str | None = None):
        """A fresh caldav.DAVClient logged in as the test user."""
        import caldav

        return caldav.DAVClient(
            url=self.base_url,
            username=self.username,
            password=self.password if password is None else password,
            timeout=10,
            ssl_verify_cert=str(self.ca_file) if self.ca_file else True,
        )

    def make_collection(
        self, components: list[str] | tuple[str, ...] = ("VEVENT", "VTODO"),
        name: str | None = None,
    ) -> str:
        """Create a new calendar collection (MKCALENDAR) and return its URL.

        ``components`` becomes its supported-calendar-component-set.
        """
        n = next(_counter)
        cal_id = f"test-{os.getpid()}-{n}"
        from caldav.collection import CalendarSet

        with self.client() as client:
            home = CalendarSet(client, url=self.home_url)
            made = home.make_calendar(
                name=name or f"Test {n}",
                cal_id=cal_id,
                supported_calendar_component_set=list(components),
            )
            return str(made.url)

    def log(self) -> str:
        return log_tail(self.log_path)

    def stop(self) -> None:
        """Stop the server and remove its folder."""
        stop_process(self.process, self.folder, wait=5)


@dataclass
class DavCalendar:
    """A fresh calendar collection on a running server."""

    server: DavServer
    url: str

    @property
    def kind(self) -> str:
        return self.server.kind

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def username(self) -> str:
        return self.server.username

    @property
    def password(self) -> str:
        return self.server.password

    def client(self):
        return self.server.client()

    def calendar(self, client):
        """The collection as a caldav Calendar bound to ``client`` (for 'other client' edits)."""
        return client.calendar(url=self.url)


def _wait_until_up(proc: subprocess.Popen, url: str, log_path: Path, ca_file: Path | None = None) -> None:
    context = ssl.create_default_context(cafile=str(ca_file)) if ca_file else None
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"server exited with {proc.returncode}:\n"
                + log_path.read_text(errors="replace")[-4000:]
            )
        try:
            with urllib.request.urlopen(url, timeout=1, context=context):
                return
        except urllib.error.HTTPError:
            return  # 401, 404, ...: it answers HTTP
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"server at {url} did not answer within {START_TIMEOUT} s")


def _spawn(args: list[str], folder: Path, url: str, ca_file: Path | None = None) -> tuple[subprocess.Popen, Path]:
    log_path = folder / "server.log"
    log = open(log_path, "wb")
    env = dict(os.environ, PYTHONUNBUFFERED="1", XDG_DATA_HOME=str(folder / "xdg"))
    proc = subprocess.Popen(
        [sys.executable, *args], stdout=log, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, cwd=folder, env=env,
    )
    log.close()
    try:
        _wait_until_up(proc, url, log_path, ca_file)
    except BaseException:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        raise
    return proc, log_path


def start_radicale(folder: Path, auth_delay: float = 0, tls: bool = False) -> DavServer:
    """``auth_delay``: Radicale's [auth] delay, how long it holds every 401 (its default is
    1 s, random between 0.5 and 1.5 s; 0 in tests, where wrong passwords are tried).
    ``tls``: https only, with a certificate of a CA made for it (``ca_file``)."""
    port = free_port()
    certificates = make_certificates(folder / "tls") if tls else None
    (folder / "users").write_text(f"{USERNAME}:{PASSWORD}\n")
    (folder / "config").write_text(
        f"""[server]
hosts = 127.0.0.1:{port}
{_radicale_tls(certificates)}[auth]
type = htpasswd
htpasswd_filename = {folder / "users"}
htpasswd_encryption = plain
delay = {auth_delay}
[rights]
type = owner_only
[storage]
filesystem_folder = {folder / "collections"}
[logging]
level = warning
mask_passwords = True
[web]
type = none
"""
    )
    base = f"{'https' if tls else 'http'}://127.0.0.1:{port}/"
    ca_file = certificates.ca_file if certificates else None
    proc, log_path = _spawn(
        ["-m", "radicale", "--config", str(folder / "config")], folder, base, ca_file
    )
    return DavServer(
        kind="radicale", base_url=base, username=USERNAME, password=PASSWORD,
        checks_auth=True, home_url=f"{base}{USERNAME}/", folder=folder,
        process=proc, log_path=log_path, ca_file=ca_file,
    )


def _radicale_tls(certificates: Certificates | None) -> str:
    if certificates is None:
        return ""
    return f"ssl = True\ncertificate = {certificates.cert_file}\nkey = {certificates.key_file}\n"


def start_xandikos(folder: Path) -> DavServer:
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    proc, log_path = _spawn(
        [
            "-m", "xandikos.web", "-d", str(folder / "data"), "--defaults",
            "-l", "127.0.0.1", "-p", str(port), "--no-detect-systemd",
            "--state-dir", str(folder / "state"),
            "--current-user-principal", f"/{USERNAME}/",
        ],
        folder, base,
    )
    return DavServer(
        kind="xandikos", base_url=base, username=USERNAME, password=PASSWORD,
        checks_auth=False, home_url=f"{base}{USERNAME}/calendars/", folder=folder,
        process=proc, log_path=log_path,
    )


# One instance of each server per process, whichever module asks first.
_running: dict[str, DavServer] = {}
_starters = {
    "radicale": start_radicale,
    "xandikos": start_xandikos,
    "radicale-tls": lambda folder: start_radicale(folder, tls=True),
}


def get_server(kind: str) -> DavServer:
    server = _running.get(kind)
    if server is None or server.process.poll() is not None:
        folder = Path(tempfile.mkdtemp(prefix=f"followup-{kind}-"))
        try:
            server = _starters[kind](folder)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        _running[kind] = server
    return server


def stop_servers() -> None:
    while _running:
        _, server = _running.popitem()
        server.stop()


atexit.register(stop_servers)


def _server_fixture(kind: str):
    server = get_server(kind)
    yield server
    # session teardown; if the fixture is imported into several modules, the
    # first teardown stops it and the others find it stopped
    if _running.get(kind) is server:
        del _running[kind]
        server.stop()


@pytest.fixture(scope="session")
def radicale_server():
    yield from _server_fixture("radicale")


@pytest.fixture(scope="session")
def xandikos_server():
    yield from _server_fixture("xandikos")


@pytest.fixture(scope="session")
def radicale_tls_server():
    """Radicale over https only, its certificate signed by a private CA (``ca_file``):
    started only by the tests that ask for it."""
    yield from _server_fixture("radicale-tls")


# The servers dav_server runs each test against.
DAV_KINDS = ["radicale", "xandikos", "cyrus"]


@pytest.fixture(params=DAV_KINDS)
def dav_server(request) -> DavServer:
    """Each server in turn.  On Cyrus a fresh user per test: Cyrus keeps a UID unique
    across all of a user's calendars (403 no-uid-conflict), and tests reuse UIDs."""
    if request.param == "cyrus":
        # a function, not a fixture, so test modules need not import it; it skips (or
        # fails, see tests/servers.py) when Cyrus is not installed
        from cyrus import cyrus_dav

        return cyrus_dav().make_user()
    return request.getfixturevalue(f"{request.param}_server")


@pytest.fixture
def dav_calendar(dav_server) -> DavCalendar:
    """A fresh empty VEVENT+VTODO collection on each server."""
    return DavCalendar(server=dav_server, url=dav_server.make_collection())
