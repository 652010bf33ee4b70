"""A throw-away Cyrus IMAP server, serving IMAP and CalDAV, for tests.

Import the fixtures you need into a test module::

    from cyrus import cyrus_server, cyrus_user

- ``cyrus_server`` (session): a :class:`CyrusServer` for the user ``alice``.  Cyrus is
  started once per test session (Debian's packages; ``tests/system_packages.py``
  installs them) in a temporary folder, on 127.0.0.1 with free ports, and stopped at
  the end of the session (and at exit).
- ``cyrus_user`` (per test): a :class:`CyrusServer` for a fresh user on that instance,
  with an empty INBOX and the calendar home Cyrus provisions, so tests don't see each
  other's mail or calendars.
- ``cyrus_tls_server`` (session): a second instance, started only for the tests that ask
  for it, that also listens with TLS: ``imaps_port`` (``imapd -s``) and ``https_url``
  (``httpd -s``), with a certificate for 127.0.0.1, ::1 and localhost signed by a CA made
  for it (``ca_file``; tests/servers.py ``make_certificates``).  Its plain listeners work
  as on the other (APPEND through ``append()`` goes over them).
- ``cyrus_dav()`` (a function, not a fixture): the session server as a
  :class:`davservers.DavServer` look-alike; ``davservers.dav_server`` runs every CalDAV
  test on a fresh user of it (``make_user()``).

Without the packages the fixtures skip, naming the package, or fail when
FOLLOWUP_REQUIRE_SERVERS=1 (tests/servers.py).

The instance: Cyrus 3.6 (Debian 12) ``master`` in the foreground with its own
``imapd.conf`` and ``cyrus.conf``; config, spool, sieve, lock, proc and socket
directories all under the temp folder.  Started by root, master drops to the ``cyrus``
user (the folder is chowned to it); started by anyone else it runs as that user
(CYRUS_USER/CYRUS_GROUP).  Users live in a sasldb in the folder (``saslpasswd2 -f``,
realm = ``servername`` = ``followup-test``), checked by the auxprop plugin; IMAP
LOGIN and AUTHENTICATE PLAIN work without TLS.  ``admin`` is the Cyrus admin that creates
each user's INBOX (a user without one gets HTTP 500 from the DAV paths).  Mailbox names
use ``altnamespace`` and ``/`` as separator, as Cyrus 3 does by default: a user sees
``INBOX``, ``Drafts``, ``Drafts/Old``.  ``idled`` runs, so IDLE hears changes at once.
Cyrus logs to syslog, tagged ``followup-cyrus/<service>`` (lost where nothing listens
on /dev/log, as in CI): ``log_path`` holds only what master writes to stdout/stderr.
For a protocol transcript, create ``<folder>/conf/log/<user>/`` (Cyrus telemetry) before
the user connects.

What Cyrus answers on CalDAV discovery (observed, Cyrus 3.6.1):

- ``PROPFIND /`` and ``PROPFIND /dav/`` *without* credentials: 207 Multi-Status whose
  ``current-user-principal`` is ``<d:unauthenticated/>`` -- no 401.  python-caldav
  (and clients like it) send credentials only after a 401, so from these URLs
  ``DAVClient(...).principal()`` falls back to the URL itself and finds no calendars.
  With Basic auth sent up front the same PROPFIND gives
  ``<d:href>/dav/principals/user/alice/</d:href>``.
- ``/dav/calendars/``, ``/dav/principals/user/<u>/`` and everything below answer an
  anonymous request with 401 and ``WWW-Authenticate: Basic realm="followup-test"``, so
  lazy clients discover fine from there.
- ``/.well-known/caldav`` answers 301 to ``/dav/calendars`` (no slash).  requests and
  niquests drop the body of a PROPFIND when they follow a 301, Cyrus takes the empty
  PROPFIND as allprop, which has no ``current-user-principal``: python-caldav finds no
  calendars from the well-known URL, with or without pre-emptive auth.
- Calendar home: ``/dav/calendars/user/<u>/``, provisioned on first authenticated
  access with a ``Default`` calendar (plus the scheduling Inbox/Outbox, which are not
  calendars).  Principal: ``/dav/principals/user/<u>/``.
- Wrong password: HTTP 401; IMAP ``NO Login failed: authentication failure``.
- Another user's URL (``/dav/calendars/user/alice/x/y.ics`` requested by bob): 301 to
  bob's own home (``/dav/calendars/user/bob/alice.x/y.ics``, Cyrus's view of shared
  calendars), which then answers 403 need-privileges.

So every helper here sends Basic auth pre-emptively (``auth_type="basic"`` for
python-caldav), and so does followup (sync/caldav/connection.py: over loopback and
https; its discovery follows the well-known redirect itself, keeping the body).  ``caldav_base_url`` is Cyrus's DAV root ``/dav/``; ``base_url`` (the
DavServer field) is the server root ``/``, so hrefs join onto it as on Radicale.
"""

from __future__ import annotations

import atexit
import base64
import grp
import imaplib
import itertools
import os
import pwd
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from davservers import free_port
from servers import Certificates, log_tail, make_certificates, require, stop_process

CYRUS_BIN = Path("/usr/lib/cyrus/bin")
MASTER = CYRUS_BIN / "master"
HOST = "127.0.0.1"
REALM = "followup-test"  # servername, SASL realm and HTTP auth realm
ADMIN = "admin"
ADMIN_PASSWORD = "admin-Pa55word"
USERNAME = "alice"
PASSWORD = "s3cret-Pa55word"
START_TIMEOUT = 30.0

_users = itertools.count(1)
_collections = itertools.count(1)


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str]  # as received; look up with .get(), names are case-insensitive
    body: bytes


@dataclass
class CyrusInstance:
    """The running master process and what it was started with."""

    folder: Path
    imap_port: int
    http_port: int
    process: subprocess.Popen = field(repr=False)
    log_path: Path = field(repr=False)
    owner: tuple[int, int] | None = field(repr=False)  # (uid, gid) to chown new files to, as root
    # imaps and https listeners, with a certificate of a private CA (start_cyrus(tls=True))
    imaps_port: int | None = None
    https_port: int | None = None
    certificates: Certificates | None = field(default=None, repr=False)

    @property
    def sasldb(self) -> Path:
        return self.folder / "sasldb2"

    def add_sasl_user(self, name: str, password: str) -> None:
        _add_sasl_user(self.sasldb, name, password, self.owner)

    def admin_imap(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4(HOST, self.imap_port, timeout=10)
        imap.login(ADMIN, ADMIN_PASSWORD)
        return imap

    def create_user(self, name: str, password: str) -> None:
        """A sasldb entry and an INBOX (DAV needs the INBOX to provision a calendar home)."""
        self.add_sasl_user(name, password)
        with self.admin_imap() as imap:
            _ok(imap.create(f"user/{name}"), f"CREATE user/{name}")

    def log(self) -> str:
        return log_tail(self.log_path)

    def stop(self) -> None:
        """Stop master (it takes its children along) and remove the folder."""
        stop_process(self.process, self.folder, wait=10)


@dataclass
class CyrusServer:
    """A running Cyrus instance as one user sees it (DavServer-compatible for CalDAV)."""

    instance: CyrusInstance = field(repr=False)
    username: str
    password: str
    kind: str = "cyrus"
    checks_auth: bool = True

    # -- where things are ------------------------------------------------

    @property
    def imap_host(self) -> str:
        return HOST

    @property
    def imap_port(self) -> int:
        return self.instance.imap_port

    @property
    def http_port(self) -> int:
        return self.instance.http_port

    @property
    def imaps_port(self) -> int:
        """The imaps listener (cyrus_tls_server only)."""
        assert self.instance.imaps_port is not None, "a TLS listener: use cyrus_tls_server"
        return self.instance.imaps_port

    @property
    def https_url(self) -> str:
        """``https://localhost:PORT/``, the https listener (cyrus_tls_server only)."""
        assert self.instance.https_port is not None, "a TLS listener: use cyrus_tls_server"
        return f"https://localhost:{self.instance.https_port}/"

    @property
    def ca_file(self) -> Path:
        """The CA that signed the TLS listeners' certificate (cyrus_tls_server only)."""
        assert self.instance.certificates is not None, "a TLS listener: use cyrus_tls_server"
        return self.instance.certificates.ca_file

    @property
    def base_url(self) -> str:
        """The server root, ``http://127.0.0.1:PORT/`` (answers anonymous PROPFIND with 207)."""
        return f"http://{HOST}:{self.http_port}/"

    @property
    def caldav_base_url(self) -> str:
        """Cyrus's DAV root, ``http://127.0.0.1:PORT/dav/`` (answers anonymous PROPFIND with 207)."""
        return f"{self.base_url}dav/"

    @property
    def principal_url(self) -> str:
        return f"{self.base_url}dav/principals/user/{self.username}/"

    @property
    def home_url(self) -> str:
        """The calendar home, where make_collection() creates collections."""
        return f"{self.base_url}dav/calendars/user/{self.username}/"

    @property
    def folder(self) -> Path:
        return self.instance.folder

    @property
    def log_path(self) -> Path:
        return self.instance.log_path

    @property
    def process(self) -> subprocess.Popen:
        return self.instance.process

    def log(self) -> str:
        return self.instance.log()

    # -- users -------------------------------------------------------------

    def make_user(self, name: str | None = None, password: str | None = None) -> CyrusServer:
        """A new user on the same instance (INBOX created, nothing else)."""
        name = name or f"user{next(_users)}"
        password = password or f"pw-{name}-Pa55word"
        self.instance.create_user(name, password)
        return CyrusServer(instance=self.instance, username=name, password=password)

    # -- CalDAV ------------------------------------------------------------

    def client(self, password: str | None = None):
        """A fresh caldav.DAVClient that sends Basic auth up front (see the module docstring)."""
        import caldav

        return caldav.DAVClient(
            url=self.caldav_base_url,
            username=self.username,
            password=self.password if password is None else password,
            auth_type="basic",
            timeout=10,
        )

    def make_collection(
        self, components: list[str] | tuple[str, ...] = ("VEVENT", "VTODO"),
        name: str | None = None,
    ) -> str:
        """Create a new calendar collection (MKCALENDAR) and return its URL.

        ``components`` becomes its supported-calendar-component-set.
        """
        from caldav.collection import CalendarSet

        n = next(_collections)
        with self.client() as client:
            home = CalendarSet(client, url=self.home_url)
            made = home.make_calendar(
                name=name or f"Test {n}",
                cal_id=f"test-{os.getpid()}-{n}",
                supported_calendar_component_set=list(components),
            )
            return str(made.url)

    def request(
        self, method: str, url: str, body: bytes | str | None = None,
        headers: Mapping[str, str] | None = None, password: str | None = None, auth: bool = True,
    ) -> HttpResponse:
        """One HTTP request with Basic auth (none if ``auth`` is false); ``url`` may be a path.

        Error statuses come back as responses, not exceptions; redirects are not followed.
        """
        if url.startswith("/"):
            url = self.base_url + url[1:]
        all_headers = {}
        if auth:
            credentials = f"{self.username}:{self.password if password is None else password}"
            all_headers["Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
        all_headers.update(headers or {})
        data = body.encode() if isinstance(body, str) else body
        request = urllib.request.Request(url, data=data, headers=all_headers, method=method)
        try:
            with _no_redirects.open(request, timeout=10) as response:
                return HttpResponse(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            with error:
                return HttpResponse(error.code, error.headers, error.read())

    # -- IMAP --------------------------------------------------------------

    def imap(self, password: str | None = None) -> imaplib.IMAP4:
        """A logged-in imaplib.IMAP4 (use it as a context manager: it logs out)."""
        imap = imaplib.IMAP4(HOST, self.imap_port, timeout=10)
        try:
            imap.login(self.username, self.password if password is None else password)
        except BaseException:
            imap.shutdown()
            raise
        return imap

    def make_mailbox(self, name: str, special_use: str | None = None) -> None:
        """CREATE a mailbox, e.g. ``make_mailbox("Drafts", "\\\\Drafts")`` (RFC 6154 CREATE USE)."""
        with self.imap() as imap:
            if special_use is None:
                _ok(imap.create(_quote(name)), f"CREATE {name}")
            else:
                _ok(imap.xatom("CREATE", _quote(name), f"(USE ({special_use}))"), f"CREATE {name}")

    def append(self, mailbox: str, message: bytes, flags: Iterable[str] = ()) -> int:
        """APPEND a message and return its UID (from the UIDPLUS APPENDUID answer)."""
        flag_list = "(" + " ".join(flags) + ")"
        with self.imap() as imap:
            typ, data = imap.append(_quote(mailbox), flag_list, None, message)
        _ok((typ, data), f"APPEND {mailbox}")
        found = re.search(rb"\[APPENDUID \d+ (\d+)\]", data[0] or b"")
        if found is None:
            raise RuntimeError(f"APPEND {mailbox}: no APPENDUID in {data!r}")
        return int(found.group(1))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx reaches the caller as an HTTPError


_no_redirects = urllib.request.build_opener(_NoRedirect)


def _ok(answer: tuple[str, list], what: str) -> None:
    typ, data = answer
    if typ != "OK":
        raise RuntimeError(f"{what}: {typ} {data!r}")


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _saslpasswd2() -> str:
    return shutil.which("saslpasswd2") or "/usr/sbin/saslpasswd2"


def _add_sasl_user(sasldb: Path, name: str, password: str, owner: tuple[int, int] | None) -> None:
    if "\n" in password:
        raise ValueError("saslpasswd2 -p reads the password up to the end of the line")
    subprocess.run(
        [_saslpasswd2(), "-p", "-c", "-f", str(sasldb), "-u", REALM, name],
        input=password.encode(), capture_output=True, check=True,
    )
    if owner is not None:  # saslpasswd2 ran as root; Cyrus reads the db as cyrus
        os.chown(sasldb, *owner)


def require_cyrus() -> None:
    """Skip (or fail, per tests/servers.py) unless the Debian packages are installed."""
    require((CYRUS_BIN / "imapd").exists(), "cyrus-imapd", "the Cyrus IMAP fixture")
    require((CYRUS_BIN / "httpd").exists(), "cyrus-caldav", "the Cyrus CalDAV fixture")
    require(shutil.which("saslpasswd2") or Path("/usr/sbin/saslpasswd2").exists(),
            "sasl2-bin", "making Cyrus users (saslpasswd2)")


# -- starting an instance ------------------------------------------------------


def _free_ports(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        if (port := free_port()) not in ports:
            ports.append(port)
    return ports


def _write_config(folder: Path, imap_port: int, http_port: int,
                  tls: tuple[Certificates, int, int] | None = None) -> Path:
    """imapd.conf and cyrus.conf; ``tls`` = (certificates, imaps port, https port) adds the
    two TLS listeners (``imapd -s``, ``httpd -s``: TLS from the first byte) beside the plain ones."""
    conf = folder / "conf"
    for sub in ("socket", "proc", "lock", "log"):
        (conf / sub).mkdir(parents=True)
    (folder / "spool").mkdir()
    (folder / "sieve").mkdir()
    imapd_conf = folder / "imapd.conf"
    imapd_conf.write_text(
        f"""configdirectory: {conf}
defaultpartition: default
partition-default: {folder / "spool"}
sievedir: {folder / "sieve"}
proc_path: {conf / "proc"}
mboxname_lockpath: {conf / "lock"}
idlesocket: {conf / "socket" / "idle"}
lmtpsocket: {conf / "socket" / "lmtp"}
notifysocket: {conf / "socket" / "notify"}
servername: {REALM}
admins: {ADMIN}
allowplaintext: yes
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: {folder / "sasldb2"}
sasl_mech_list: PLAIN LOGIN
altnamespace: yes
unixhierarchysep: yes
specialusealways: yes
httpmodules: caldav
failedloginpause: 0
syslog_prefix: followup-cyrus
imapidlepoll: 1
sendmail: /bin/true
"""
        + (f"tls_server_cert: {tls[0].cert_file}\ntls_server_key: {tls[0].key_file}\n" if tls else "")
    )
    # failedloginpause 0: wrong-password tests answer at once instead of after 3 s;
    # sendmail /bin/true: CalDAV scheduling (iMIP) and sieve never send real mail.
    bin_ = CYRUS_BIN
    cfg = f"-C {imapd_conf}"
    (folder / "cyrus.conf").write_text(
        f"""START {{
  recover cmd="{bin_ / "ctl_cyrusdb"} {cfg} -r"
}}
SERVICES {{
  imap cmd="{bin_ / "imapd"} {cfg}" listen="{HOST}:{imap_port}" prefork=1
  http cmd="{bin_ / "httpd"} {cfg}" listen="{HOST}:{http_port}" prefork=1
{_tls_services(bin_, cfg, tls)}}}
EVENTS {{
}}
DAEMON {{
  idled cmd="{bin_ / "idled"} {cfg}"
}}
"""
    )
    return imapd_conf


def _tls_services(bin_: Path, cfg: str, tls: tuple[Certificates, int, int] | None) -> str:
    if tls is None:
        return ""
    _, imaps_port, https_port = tls
    return (f'  imaps cmd="{bin_ / "imapd"} -s {cfg}" listen="{HOST}:{imaps_port}" prefork=0\n'
            f'  https cmd="{bin_ / "httpd"} -s {cfg}" listen="{HOST}:{https_port}" prefork=0\n')


def _answers_imap(port: int, context: ssl.SSLContext | None = None) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=2) as raw:
            if context is None:
                return raw.recv(200).startswith(b"* OK")
            with context.wrap_socket(raw, server_hostname=HOST) as tls:
                return tls.recv(200).startswith(b"* OK")
    except OSError:  # refused, or a TLS handshake with a listener not ready yet
        return False


def _answers_http(url: str, context: ssl.SSLContext | None = None) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2, context=context):
            return True
    except urllib.error.HTTPError:
        return True  # 401, 404, ...: it answers HTTP
    except OSError:
        return False


def _wait_until_up(instance: CyrusInstance) -> None:
    """Until every listener answers: IMAP with its greeting, HTTP with any status, and the
    TLS ones after a handshake that checks the certificate against the instance's CA."""
    probes = {
        f"imap port {instance.imap_port}": lambda: _answers_imap(instance.imap_port),
        f"http port {instance.http_port}": lambda: _answers_http(f"http://{HOST}:{instance.http_port}/"),
    }
    if instance.certificates is not None:
        context = ssl.create_default_context(cafile=str(instance.certificates.ca_file))
        imaps, https = instance.imaps_port, instance.https_port
        probes[f"imaps port {imaps}"] = lambda: _answers_imap(imaps, context)
        probes[f"https port {https}"] = lambda: _answers_http(f"https://{HOST}:{https}/", context)
    up = dict.fromkeys(probes, False)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if instance.process.poll() is not None:
            raise RuntimeError(f"cyrus master exited with {instance.process.returncode}:\n{instance.log()}")
        for name, probe in probes.items():
            up[name] = up[name] or probe()
        if all(up.values()):
            return
        time.sleep(0.05)
    raise RuntimeError(
        f"cyrus did not answer within {START_TIMEOUT} s ("
        + ", ".join(f"{name}: {ok}" for name, ok in up.items())
        + "); master logs to syslog as followup-cyrus/...:\n" + instance.log()
    )


def start_cyrus(folder: Path, tls: bool = False) -> CyrusInstance:
    """Start a fresh instance in ``folder`` (which it then owns) with the user ``alice``;
    ``tls`` adds imaps and https listeners with a certificate of a CA made for it
    (``instance.certificates.ca_file`` is what a client must trust)."""
    imap_port, http_port, imaps_port, https_port = _free_ports(4)
    certificates = make_certificates(folder / "tls") if tls else None
    imapd_conf = _write_config(folder, imap_port, http_port,
                               (certificates, imaps_port, https_port) if certificates else None)
    env = dict(os.environ)
    owner = None
    if os.geteuid() == 0:
        # master drops to the cyrus user, which must own everything it writes
        cyrus = pwd.getpwnam("cyrus")
        owner = (cyrus.pw_uid, cyrus.pw_gid)
    else:
        # run as ourselves: master only switches user when it is root
        env["CYRUS_USER"] = pwd.getpwuid(os.geteuid()).pw_name
        env["CYRUS_GROUP"] = grp.getgrgid(os.getegid()).gr_name
    _add_sasl_user(folder / "sasldb2", ADMIN, ADMIN_PASSWORD, owner)
    if owner is not None:
        for path in [folder, *folder.rglob("*")]:
            os.chown(path, *owner)
    log_path = folder / "master.log"
    log = open(log_path, "wb")
    process = subprocess.Popen(
        [str(MASTER), "-C", str(imapd_conf), "-M", str(folder / "cyrus.conf"), "-p", str(folder / "master.pid"),
         "-D"],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=folder, env=env,
        # master's SIGTERM handler signals its whole process group: keep us out of it
        start_new_session=True,
    )
    log.close()
    instance = CyrusInstance(
        folder=folder, imap_port=imap_port, http_port=http_port, process=process, log_path=log_path, owner=owner,
        imaps_port=imaps_port if tls else None, https_port=https_port if tls else None,
        certificates=certificates,
    )
    try:
        _wait_until_up(instance)
        instance.create_user(USERNAME, PASSWORD)
    except BaseException:
        instance.stop()
        raise
    return instance


# One instance per process, whichever module asks first; a second one with TLS listeners
# only for the tests that ask for it (tls=True), so the others never wait for it.
_running: dict[bool, CyrusInstance] = {}


def get_instance(tls: bool = False) -> CyrusInstance:
    require_cyrus()
    running = _running.get(tls)
    if running is not None and running.process.poll() is None:
        return running
    if running is not None:
        _running.pop(tls).stop()
    folder = Path(tempfile.mkdtemp(prefix="followup-cyrus-tls-" if tls else "followup-cyrus-"))
    try:
        instance = start_cyrus(folder, tls=tls)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _running[tls] = instance
    return instance


def stop_cyrus(tls: bool | None = None) -> None:
    """Stop the session's instance (``tls`` False), its TLS twin (True), or both (None)."""
    for key in [k for k in _running if tls is None or k == tls]:
        _running.pop(key).stop()


atexit.register(stop_cyrus)


def cyrus_dav() -> CyrusServer:
    """The session's Cyrus as ``alice``, shaped like davservers.DavServer.

    Not a fixture, so davservers.dav_server can call it without every test module
    importing a Cyrus fixture; the instance is stopped at exit.
    """
    return CyrusServer(instance=get_instance(), username=USERNAME, password=PASSWORD)


def _session_server(tls: bool):
    server = CyrusServer(instance=get_instance(tls), username=USERNAME, password=PASSWORD)
    yield server
    # session teardown; if the fixture is imported into several modules, the
    # first teardown stops it and the others find it stopped
    if _running.get(tls) is server.instance:
        stop_cyrus(tls)


@pytest.fixture(scope="session")
def cyrus_server():
    yield from _session_server(tls=False)


@pytest.fixture(scope="session")
def cyrus_tls_server():
    """A Cyrus of its own with imaps and https listeners besides the plain ones, its
    certificate (127.0.0.1, ::1, localhost) signed by a CA made for it:
    ``instance.certificates.ca_file``."""
    yield from _session_server(tls=True)


@pytest.fixture
def cyrus_user(cyrus_server: CyrusServer) -> CyrusServer:
    """A fresh user on the session's Cyrus: empty INBOX, its own calendar home."""
    return cyrus_server.make_user()
