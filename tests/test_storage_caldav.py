"""CalDAVStorage against real Radicale and Xandikos servers (see davservers.py)."""

from __future__ import annotations

import datetime as dt
import http.server
import ipaddress
import socket
import ssl
import threading
from urllib.parse import unquote, urlsplit

import icalendar
import pytest

from davservers import (  # noqa: F401  (fixtures)
    dav_calendar,
    dav_server,
    free_port,
    radicale_server,
    xandikos_server,
)
from followup.sync.caldav import CalDAVStorage, discover_collections, make_collection
from followup.sync.storage import (
    AuthError,
    Listing,
    NotFoundError,
    PreconditionFailed,
    Storage,
    StorageError,
)

STAMP = dt.datetime(2025, 3, 4, 9, 0, tzinfo=dt.timezone.utc)


def ics(uid: str, summary: str = "Send thank-you note", kind: str = "VTODO", seq: int = 0) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//followup tests//EN")
    cal.add("version", "2.0")
    comp = icalendar.Todo() if kind == "VTODO" else icalendar.Event()
    comp.add("uid", uid)
    comp.add("dtstamp", STAMP)
    comp.add("summary", summary)
    comp.add("sequence", seq)
    if kind == "VTODO":
        comp.add("status", "NEEDS-ACTION")
    else:
        comp.add("dtstart", STAMP)
        comp.add("dtend", STAMP + dt.timedelta(hours=1))
    cal.add_component(comp)
    return cal.to_ical()


def storage(cal, **kw) -> CalDAVStorage:
    return CalDAVStorage("work", cal.base_url, cal.username, cal.password, calendar=cal.url, **kw)


def path_of(url: str) -> str:
    return unquote(urlsplit(url).path)


def other_etags(cal) -> dict[str, str]:
    """href -> etag as another client (python-caldav, used directly) sees them."""
    with cal.client() as client:
        objs = cal.calendar(client).get_objects_by_sync_token(load_objects=False)
        # Radicale's initial sync also reports members deleted earlier (404, no ETag)
        return {path_of(str(o.url)): o.props["{DAV:}getetag"] for o in objs
                if "{DAV:}getetag" in o.props}


def other_object(cal, client, href: str):
    import caldav

    return caldav.Todo(client=client, url=cal.base_url.rstrip("/") + href,
                       parent=cal.calendar(client))


def other_save(cal, href: str, data: bytes) -> None:
    """Another client rewrites an object (no conditional headers, like many clients)."""
    with cal.client() as client:
        obj = other_object(cal, client, href)
        obj.load()
        obj.icalendar_component["summary"] = icalendar.vText(data.decode())
        obj.save()


# -- basic operations ----------------------------------------------------


def test_is_a_storage(dav_calendar):
    assert isinstance(storage(dav_calendar), Storage)


def test_create_then_list_shows_exact_href_and_etag(dav_calendar):
    s = storage(dav_calendar)
    data = ics("fu-1.thanks")
    href, etag = s.create("fu-1.thanks", data)
    assert href == path_of(dav_calendar.url) + "fu-1.thanks.ics"
    assert etag.startswith('"') and etag.endswith('"')
    assert s.list() == [Listing(href, etag)]
    assert other_etags(dav_calendar) == {href: etag}
    assert s.get([href]) == {href: (data, etag)}


def test_create_existing_is_precondition_failed(dav_calendar):
    s = storage(dav_calendar)
    href, etag = s.create("u1", ics("u1", "first"))
    with pytest.raises(PreconditionFailed) as exc:
        s.create("u1", ics("u1", "second"))
    assert exc.value.href == href
    assert str(exc.value) == f"remote 'work': cannot create {href}: it already exists (HTTP 412)"
    assert s.get([href]) == {href: (ics("u1", "first"), etag)}


def test_uid_already_used_under_another_name(dav_calendar):
    with dav_calendar.client() as client:  # another client, its own resource name
        resp = client.put(dav_calendar.url + "theirs.ics", ics("dup", "theirs"),
                          {"Content-Type": "text/calendar"})
        assert resp.status == 201
    s = storage(dav_calendar)
    [theirs] = s.list()
    assert theirs.href == path_of(dav_calendar.url) + "theirs.ics"
    with pytest.raises(PreconditionFailed) as exc:
        s.create("dup", ics("dup", "ours"))
    ours = path_of(dav_calendar.url) + "dup.ics"
    if dav_calendar.kind == "cyrus":  # names the holder in its DAV:error (RFC 4791 allows it)
        assert str(exc.value) == (f"remote 'work': cannot create {ours}: its UID is already used "
                                  f"by {theirs.href} (HTTP 403 no-uid-conflict)")
        assert exc.value.href == theirs.href
    else:
        status = {"radicale": 409, "xandikos": 412}[dav_calendar.kind]
        assert str(exc.value) == (f"remote 'work': cannot create {ours}: its UID is already used "
                                  f"(HTTP {status} no-uid-conflict)")
        assert exc.value.href is None
    assert s.list() == [theirs]


def test_a_uid_used_in_another_calendar_of_the_account(dav_server):
    """Cyrus keeps UIDs unique across an account's calendars and names the holder: that
    object is not ours to adopt or write to (a remote moved to another calendar)."""
    first, second = dav_server.make_collection(), dav_server.make_collection()
    with CalDAVStorage("work", dav_server.base_url, dav_server.username, dav_server.password,
                       calendar=first) as a:
        held, _ = a.create("moved", ics("moved"))
    with CalDAVStorage("work", dav_server.base_url, dav_server.username, dav_server.password,
                       calendar=second) as b:
        if dav_server.kind != "cyrus":  # one UID per collection
            href, etag = b.create("moved", ics("moved"))
            assert b.list() == [Listing(href, etag)]
            return
        with pytest.raises(StorageError) as exc:
            b.create("moved", ics("moved"))
        assert not isinstance(exc.value, PreconditionFailed)
        assert str(exc.value) == (
            f"remote 'work': cannot create {path_of(second)}moved.ics: another calendar of this "
            f"account holds the same item ({held}); move or delete it there "
            "(HTTP 403 no-uid-conflict)")
        assert b.list() == []


def test_unsafe_uid_gets_a_random_resource_name(dav_calendar):
    s = storage(dav_calendar)
    uid = "fu 1/thanks@example.com"
    href, etag = s.create(uid, ics(uid))
    name = href.rsplit("/", 1)[1]
    assert href.startswith(path_of(dav_calendar.url)) and len(name) == 36 + 4
    assert s.list() == [Listing(href, etag)]
    assert s.get([href])[href][0] == ics(uid)


def test_get_several_and_missing(dav_calendar):
    s = storage(dav_calendar)
    made = {uid: s.create(uid, ics(uid, f"task {uid}")) for uid in ("a", "b", "c")}
    missing = path_of(dav_calendar.url) + "missing.ics"
    got = s.get([made["c"][0], missing, made["a"][0], made["b"][0]])
    assert got == {h: (ics(uid, f"task {uid}"), e) for uid, (h, e) in made.items()}
    assert s.get([]) == {}


def test_update_if_match(dav_calendar):
    s = storage(dav_calendar)
    href, etag = s.create("u1", ics("u1", "v1"))
    new_etag = s.update(href, ics("u1", "v2", seq=1), etag)
    assert new_etag != etag
    assert s.list() == [Listing(href, new_etag)]
    assert other_etags(dav_calendar) == {href: new_etag}
    assert s.get([href]) == {href: (ics("u1", "v2", seq=1), new_etag)}

    with pytest.raises(PreconditionFailed) as exc:
        s.update(href, ics("u1", "v3", seq=2), etag)  # stale etag
    assert exc.value.href == href
    assert str(exc.value) == (
        f"remote 'work': cannot update {href}: it was changed or deleted elsewhere (HTTP 412)"
    )
    assert s.get([href]) == {href: (ics("u1", "v2", seq=1), new_etag)}


def test_update_of_deleted_object_fails(dav_calendar):
    s = storage(dav_calendar)
    href, etag = s.create("u1", ics("u1"))
    s.delete(href, etag)
    with pytest.raises(PreconditionFailed):  # both servers answer 412 to If-Match on nothing
        s.update(href, ics("u1", "again"), etag)
    assert s.list() == []


def test_delete_if_match(dav_calendar):
    s = storage(dav_calendar)
    href, etag = s.create("u1", ics("u1", "v1"))
    new_etag = s.update(href, ics("u1", "v2", seq=1), etag)
    with pytest.raises(PreconditionFailed):
        s.delete(href, etag)  # stale
    assert s.list() == [Listing(href, new_etag)]
    s.delete(href, new_etag)
    assert s.list() == []
    assert other_etags(dav_calendar) == {}
    with pytest.raises(NotFoundError) as exc:
        s.delete(href, new_etag)
    assert str(exc.value) == f"remote 'work': cannot delete {href}: it no longer exists (HTTP 404)"


def test_missing_etag_on_put_is_fetched(dav_calendar, monkeypatch):
    s = storage(dav_calendar)
    client = s._remote.client
    real = client.request

    def no_etag(url, method="GET", body="", headers=None):
        resp = real(url, method, body, headers)
        if method == "PUT":
            resp.headers = {k: v for k, v in resp.headers.items() if k.lower() != "etag"}
        return resp

    monkeypatch.setattr(client, "request", no_etag)
    href, etag = s.create("u1", ics("u1"))
    assert s.list() == [Listing(href, etag)]
    etag2 = s.update(href, ics("u1", "v2"), etag)
    assert s.list() == [Listing(href, etag2)] and etag2 != etag


def test_collection_path_with_space_and_at(dav_server):
    url = make_collection(dav_server.base_url, dav_server.username, dav_server.password,
                          display_name="Odd one", cal_id=f"odd one@{free_port()}",
                          components=["VTODO"])[1]
    s = CalDAVStorage("work", dav_server.base_url, dav_server.username, dav_server.password,
                      calendar=url)
    token0, _, _ = s.changes(None)
    href, etag = s.create("u1", ics("u1"))
    assert href == path_of(url) + "u1.ics" and " " in href and "@" in href
    assert s.list() == [Listing(href, etag)]
    assert s.get([href]) == {href: (ics("u1"), etag)}
    token1, changed, deleted = s.changes(token0)
    assert (changed, deleted) == ([Listing(href, etag)], [])
    etag2 = s.update(href, ics("u1", "v2"), etag)
    s.delete(href, etag2)
    assert s.changes(token1)[1:] == ([], [href])


def test_component_the_collection_does_not_take(dav_server):
    url = dav_server.make_collection(["VTODO"])
    with CalDAVStorage("work", dav_server.base_url, dav_server.username, dav_server.password,
                       calendar=url) as s:
        if dav_server.kind in ("xandikos", "cyrus"):  # enforce supported-calendar-component-set
            with pytest.raises(StorageError) as exc:
                s.create("ev", ics("ev", kind="VEVENT"))
            assert str(exc.value) == (f"remote 'work': cannot create {path_of(url)}ev.ics: "
                                      "HTTP 403 Forbidden [supported-calendar-component]")
            assert s.list() == []
        else:  # Radicale stores it anyway: choosing the right collection is up to us
            href, etag = s.create("ev", ics("ev", kind="VEVENT"))
            assert s.list() == [Listing(href, etag)]


def test_missing_collection(dav_server):
    url = dav_server.home_url + "no-such-calendar/"
    s = CalDAVStorage("work", dav_server.base_url, dav_server.username, dav_server.password,
                      calendar=url)
    with pytest.raises(NotFoundError) as exc:
        s.list()
    assert str(exc.value) == f"remote 'work': {url} not found (HTTP 404)"


def test_foreign_resource_name_with_escapes(dav_calendar):
    """Another client's resource named "50%41 tag.ics": the href is the decoded path."""
    with dav_calendar.client() as client:
        resp = client.put(dav_calendar.url + "50%2541%20tag.ics", ics("pct"),
                          {"Content-Type": "text/calendar"})
        assert resp.status == 201
    s = storage(dav_calendar)
    [item] = s.list()
    assert item.href == path_of(dav_calendar.url) + "50%41 tag.ics"
    assert s.get([item.href]) == {item.href: (ics("pct"), item.etag)}
    etag = s.update(item.href, ics("pct", "v2"), item.etag)
    token, changed, _ = s.changes(None)
    assert changed == [Listing(item.href, etag)]
    s.delete(item.href, etag)
    assert s.list() == []
    assert s.changes(token)[1:] == ([], [item.href])


# -- changes() -------------------------------------------------------------


def test_changes_with_sync_collection(dav_calendar):
    s = storage(dav_calendar)
    token0, changed, deleted = s.changes(None)
    assert token0.startswith("sync:")  # both servers advertise RFC 6578
    assert (changed, deleted) == ([], [])

    a, ea = s.create("a", ics("a"))
    b, eb = s.create("b", ics("b"))
    token1, changed, deleted = s.changes(None)
    assert changed == [Listing(a, ea), Listing(b, eb)] and deleted == []
    assert s.changes(token1) == (token1, [], [])

    other_save(dav_calendar, a, b"edited elsewhere")
    ea2 = other_etags(dav_calendar)[a]
    assert ea2 != ea
    token2, changed, deleted = s.changes(token1)
    assert token2 != token1
    assert (changed, deleted) == ([Listing(a, ea2)], [])
    assert s.changes(token2) == (token2, [], [])

    with dav_calendar.client() as client:
        other_object(dav_calendar, client, b).delete()
    token3, changed, deleted = s.changes(token2)
    assert (changed, deleted) == ([], [b])

    with dav_calendar.client() as client:
        dav_calendar.calendar(client).save_todo(ics("c").decode())
    c = (set(other_etags(dav_calendar)) - {a}).pop()
    token4, changed, deleted = s.changes(token3)
    assert (changed, deleted) == ([Listing(c, other_etags(dav_calendar)[c])], [])

    # from the first token: everything since, in one answer
    _, changed, deleted = s.changes(token1)
    assert changed == sorted([Listing(a, ea2), Listing(c, other_etags(dav_calendar)[c])],
                             key=lambda x: x.href)
    assert deleted == [b]


def test_invalid_sync_token_means_full_listing(dav_calendar):
    s = storage(dav_calendar)
    a, ea = s.create("a", ics("a"))
    token, changed, deleted = s.changes("sync:http://example.com/ns/sync/nonsense")
    assert token.startswith("sync:")
    assert (changed, deleted) == ([Listing(a, ea)], [])
    assert s.changes("ctag:something-old")[1:] == ([Listing(a, ea)], [])
    assert s.changes(token) == (token, [], [])


def test_changes_with_ctag_fallback(dav_calendar):
    s = storage(dav_calendar, use_sync_collection=False)
    token0, changed, deleted = s.changes(None)
    assert token0.startswith("ctag:")
    assert (changed, deleted) == ([], [])
    assert s.changes(token0) == (token0, [], [])

    a, ea = s.create("a", ics("a"))
    b, eb = s.create("b", ics("b"))
    token1, changed, deleted = s.changes(token0)
    assert token1 != token0
    assert (changed, deleted) == ([Listing(a, ea), Listing(b, eb)], [])
    assert s.changes(token1) == (token1, [], [])

    other_save(dav_calendar, b, b"edited elsewhere")
    eb2 = other_etags(dav_calendar)[b]
    token2, changed, deleted = s.changes(token1)
    assert token2 != token1
    assert (changed, deleted) == ([Listing(a, ea), Listing(b, eb2)], [])  # full ETag listing
    assert s.changes(token2) == (token2, [], [])
    assert s.changes("sync:abc")[1:] == ([Listing(a, ea), Listing(b, eb2)], [])


def test_changes_without_ctag_hashes_the_etag_listing(dav_calendar, monkeypatch):
    import followup.sync.caldav.collection as mod

    monkeypatch.setattr(mod, "CS_GETCTAG", "{http://example.com/ns/}no-such-property")
    s = storage(dav_calendar, use_sync_collection=False)
    a, ea = s.create("a", ics("a"))
    token1, changed, deleted = s.changes(None)
    assert token1.startswith("etags:")
    assert (changed, deleted) == ([Listing(a, ea)], [])
    assert s.changes(token1) == (token1, [], [])
    ea2 = s.update(a, ics("a", "v2"), ea)
    token2, changed, deleted = s.changes(token1)
    assert token2 != token1 and (changed, deleted) == ([Listing(a, ea2)], [])


# -- choosing a collection -----------------------------------------------


def test_discover_and_choose_by_component(dav_server):
    n = free_port()
    events = dav_server.make_collection(["VEVENT"], name=f"Events {n}")
    tasks = dav_server.make_collection(["VTODO"], name=f"Tasks {n}")
    found = discover_collections(dav_server.base_url, dav_server.username, dav_server.password)
    by_name = {name: (url, comps) for name, url, comps in found}
    assert by_name[f"Events {n}"] == (events, {"VEVENT"})
    assert by_name[f"Tasks {n}"] == (tasks, {"VTODO"})

    def pick(calendar, component="VTODO"):
        return CalDAVStorage("work", dav_server.base_url, dav_server.username,
                             dav_server.password, calendar=calendar, component=component)

    assert pick(f"Tasks {n}").collection_url == tasks
    assert pick(f"Events {n}", "VEVENT").collection_url == events
    assert pick(events, "VEVENT").collection_url == events
    assert pick(path_of(tasks)).collection_url == tasks
    with pytest.raises(StorageError) as exc:
        pick(f"Events {n}").list()
    assert str(exc.value) == f"remote 'work': calendar 'Events {n}' does not accept VTODO (it takes VEVENT)"
    with pytest.raises(StorageError) as exc:
        pick(events).list()
    assert str(exc.value) == f"remote 'work': calendar {events} does not accept VTODO (it takes VEVENT)"
    with pytest.raises(NotFoundError, match="no calendar named 'Nope'"):
        pick("Nope").list()
    # no calendar given: the first one that takes the component
    first_todo = next(url for _, url, comps in found if "VTODO" in comps)
    assert pick(None).collection_url == first_todo
    # a URL that is itself a calendar lists just that one
    assert discover_collections(tasks, dav_server.username, dav_server.password) == [
        (f"Tasks {n}", tasks, {"VTODO"})]


def test_make_collection(dav_server):
    cal_id = f"made-{free_port()}"
    name, url, comps = make_collection(dav_server.base_url, dav_server.username,
                                       dav_server.password, display_name="Job hunt",
                                       cal_id=cal_id, components=["VTODO"], name="work")
    assert (name, comps) == ("Job hunt", {"VTODO"})
    assert url.endswith(f"/{cal_id}/")
    assert (name, url, comps) in discover_collections(
        dav_server.base_url, dav_server.username, dav_server.password)
    with pytest.raises(PreconditionFailed, match=f"remote 'work': cannot create calendar '{cal_id}'"):
        make_collection(dav_server.base_url, dav_server.username, dav_server.password,
                        display_name="Job hunt", cal_id=cal_id, name="work")


# -- errors ----------------------------------------------------------------

WRONG = "wr0ng-Passw0rd!"
AUTH_MSG = ("remote 'work': wrong username or password (HTTP 401) — check --username "
            "and the password source")


def test_wrong_password_radicale(radicale_server):
    # only Radicale checks passwords here (Xandikos runs without auth)
    url = radicale_server.make_collection()
    s = CalDAVStorage("work", radicale_server.base_url, radicale_server.username, WRONG,
                      calendar=url)
    for op in (s.list, lambda: s.changes(None), lambda: s.create("u", ics("u"))):
        with pytest.raises(AuthError) as exc:
            op()
        assert str(exc.value) == AUTH_MSG
        assert WRONG not in str(exc.value) and radicale_server.password not in str(exc.value)
    s = CalDAVStorage("work", radicale_server.base_url, radicale_server.username, WRONG)
    with pytest.raises(AuthError, match="HTTP 401"):
        s.list()
    with pytest.raises(AuthError) as exc:
        discover_collections(radicale_server.base_url, radicale_server.username, WRONG, name="work")
    assert str(exc.value) == AUTH_MSG
    # credentials in the URL are no way around it, and never shown
    host = urlsplit(radicale_server.base_url).netloc
    s = CalDAVStorage("work", f"http://{radicale_server.username}:{WRONG}@{host}/", calendar=url)
    with pytest.raises(AuthError) as exc:
        s.list()
    assert WRONG not in str(exc.value)


def test_other_users_collection_is_forbidden(radicale_server):
    s = CalDAVStorage("work", radicale_server.base_url, radicale_server.username,
                      radicale_server.password, calendar=radicale_server.base_url + "bob/cal/")
    with pytest.raises(AuthError) as exc:
        s.list()
    assert str(exc.value) == (
        f"remote 'work': access denied (HTTP 403) to {radicale_server.base_url}bob/cal/")


def test_connection_refused():
    port = free_port()
    s = CalDAVStorage("work", f"http://127.0.0.1:{port}/dav/", "alice", "secret-pw",
                      calendar="Tasks")
    with pytest.raises(StorageError) as exc:
        s.list()
    assert str(exc.value) == f"remote 'work': cannot read http://127.0.0.1:{port}/dav/: connection refused"
    assert exc.value.exit_code == 1


def test_unknown_host():
    s = CalDAVStorage("work", "http://no-such-host.invalid/dav/", "alice", "pw", timeout=5)
    with pytest.raises(StorageError) as exc:
        s.list()
    assert str(exc.value) == (
        "remote 'work': cannot read http://no-such-host.invalid/dav/: host name not found")


def test_timeout():
    with socket.socket() as srv:  # accepts, never answers
        srv.bind(("127.0.0.1", 0))
        srv.listen(5)
        port = srv.getsockname()[1]
        s = CalDAVStorage("work", f"http://127.0.0.1:{port}/", "alice", "pw", timeout=0.3)
        with pytest.raises(StorageError) as exc:
            s.list()
    assert str(exc.value) == f"remote 'work': cannot read http://127.0.0.1:{port}/: no answer within 0.3 s"


class _Canned(http.server.BaseHTTPRequestHandler):
    status = 500

    def _answer(self):
        self.send_response(self.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_PROPFIND = do_PUT = do_GET = do_REPORT = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def canned_server():
    """An HTTP server answering 500 to everything; yields its URL."""
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Canned)
    threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/"
    srv.shutdown()
    srv.server_close()


def test_server_error(canned_server):
    s = CalDAVStorage("work", canned_server, "alice", "pw", calendar=canned_server + "cal/")
    with pytest.raises(StorageError) as exc:
        s.list()
    assert str(exc.value) == (
        f"remote 'work': server error (HTTP 500 Internal Server Error) on read {canned_server}cal/")


@pytest.fixture
def self_signed_server(tmp_path):
    """A TLS server with a self-signed certificate for 127.0.0.1; yields its URL."""
    pytest.importorskip("cryptography")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Canned)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True, do_handshake_on_connect=False)
    threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True).start()
    yield f"https://127.0.0.1:{srv.server_address[1]}/", str(tmp_path / "cert.pem")
    srv.shutdown()
    srv.server_close()


def test_tls_verification_failure(self_signed_server):
    url, ca = self_signed_server
    s = CalDAVStorage("work", url, "alice", "pw", calendar=url + "cal/", timeout=5)
    with pytest.raises(StorageError) as exc:
        s.list()
    assert str(exc.value) == (
        f"remote 'work': cannot read {url}cal/: the TLS certificate cannot be verified "
        '(self-signed certificate); for a private CA set verify = "/path/to/ca.pem" in [remote.work]')
    # trusting that certificate gets past TLS to the server (which answers 500)
    s = CalDAVStorage("work", url, "alice", "pw", calendar=url + "cal/", timeout=5, verify=ca)
    with pytest.raises(StorageError, match=r"server error \(HTTP 500"):
        s.list()
