"""The Cyrus fixture itself (tests/cyrus.py): CalDAV and IMAP against a real instance.

These pin what the later CalDAV and IMAP tests rely on, so a broken instance fails here
with a clear cause instead of somewhere in followup's own tests.
"""

from __future__ import annotations

import imaplib
import re
import socket
import time
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest

from cyrus import REALM, CyrusServer, cyrus_server, cyrus_user  # noqa: F401  (fixtures)

ETAG = re.compile(r'"[0-9a-f]{40}"')  # what Cyrus 3.6 sends: a quoted SHA-1
CALENDAR = {"Content-Type": "text/calendar; charset=utf-8"}
XML = {"Content-Type": "application/xml; charset=utf-8"}
DAV = "{DAV:}"


def vtodo(uid: str, summary: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//followup//tests//EN\r\n"
        f"BEGIN:VTODO\r\nUID:{uid}\r\nDTSTAMP:20261128T120000Z\r\nSUMMARY:{summary}\r\n"
        "DUE:20261130T170000Z\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
    )


def vevent(uid: str, summary: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//followup//tests//EN\r\n"
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261128T120000Z\r\nDTSTART:20261203T140000Z\r\n"
        f"DTEND:20261203T150000Z\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


MESSAGE = (
    b"From: Sam Seeker <sam@example.org>\r\n"
    b"To: Jane Doe <jane@acme.example>\r\n"
    b"Subject: Thank you for the interview\r\n"
    b"Date: Sat, 28 Nov 2026 12:00:00 +0000\r\n"
    b"Message-ID: <thank-you-1@followup.example>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Dear Jane,\r\n\r\nthank you for your time today.\r\n"
)


def path_of(url: str) -> str:
    return urlsplit(url).path


def sync_collection(user: CyrusServer, url: str, token: str = "") -> tuple[str, dict[str, str]]:
    """RFC 6578 sync-collection REPORT: (new token, href -> status of each changed member)."""
    body = (
        '<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:">'
        f"<d:sync-token>{token}</d:sync-token><d:sync-level>1</d:sync-level>"
        "<d:prop><d:getetag/></d:prop></d:sync-collection>"
    )
    response = user.request("REPORT", url, body, XML)
    assert response.status == 207, response.body
    root = ET.fromstring(response.body)
    changes = {}
    for member in root.iter(f"{DAV}response"):
        status = member.find(f"{DAV}status")
        if status is None:  # changed: the status sits in its propstat
            status = member.find(f"{DAV}propstat/{DAV}status")
        changes[member.findtext(f"{DAV}href")] = status.text
    return root.findtext(f"{DAV}sync-token"), changes


# -- CalDAV -------------------------------------------------------------------


def test_caldav_conditional_put_get_round_trip(cyrus_user):
    url = cyrus_user.make_collection(["VTODO"])
    href = url + "thank-you.ics"
    first = vtodo("thank-you@followup.example", "Send the thank-you email")

    created = cyrus_user.request("PUT", href, first, {**CALENDAR, "If-None-Match": "*"})
    assert created.status == 201
    etag = created.headers["ETag"]
    assert ETAG.fullmatch(etag)

    got = cyrus_user.request("GET", href)
    assert (got.status, got.headers["ETag"], got.headers["Content-Type"]) == (
        200, etag, "text/calendar; charset=utf-8")
    assert got.body == first.encode()

    # If-None-Match: * refuses to overwrite what exists
    assert cyrus_user.request("PUT", href, first, {**CALENDAR, "If-None-Match": "*"}).status == 412

    second = vtodo("thank-you@followup.example", "Send the thank-you email (draft ready)")
    updated = cyrus_user.request("PUT", href, second, {**CALENDAR, "If-Match": etag})
    assert updated.status == 204
    new_etag = updated.headers["ETag"]
    assert ETAG.fullmatch(new_etag) and new_etag != etag

    stale = cyrus_user.request("PUT", href, first, {**CALENDAR, "If-Match": etag})
    assert stale.status == 412
    assert cyrus_user.request("GET", href).body == second.encode()


def test_collection_takes_only_its_components(cyrus_user):
    url = cyrus_user.make_collection(["VTODO"], name="Follow-up tasks")
    props = cyrus_user.request(
        "PROPFIND", url,
        '<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop>'
        "<c:supported-calendar-component-set/><d:displayname/></d:prop></d:propfind>",
        {**XML, "Depth": "0"},
    )
    assert props.status == 207
    prop = ET.fromstring(props.body).find(f"{DAV}response/{DAV}propstat/{DAV}prop")
    comps = prop.findall("{urn:ietf:params:xml:ns:caldav}supported-calendar-component-set/*")
    assert [c.get("name") for c in comps] == ["VTODO"]
    assert prop.findtext(f"{DAV}displayname") == "Follow-up tasks"

    refused = cyrus_user.request("PUT", url + "interview.ics", vevent("i@followup.example", "Interview"), CALENDAR)
    assert refused.status == 403
    assert b"<C:supported-calendar-component/>" in refused.body


def test_sync_collection_reports_changed_href(cyrus_user):
    url = cyrus_user.make_collection(["VTODO"])
    kept, changed = url + "kept.ics", url + "changed.ics"
    assert cyrus_user.request("PUT", kept, vtodo("kept@followup.example", "Kept"), CALENDAR).status == 201
    token, initial = sync_collection(cyrus_user, url)
    assert initial == {path_of(kept): "HTTP/1.1 200 OK"}

    assert cyrus_user.request("PUT", changed, vtodo("changed@followup.example", "New"), CALENDAR).status == 201
    token2, changes = sync_collection(cyrus_user, url, token)
    assert changes == {path_of(changed): "HTTP/1.1 200 OK"}
    assert token2 != token

    assert cyrus_user.request("DELETE", changed).status == 204
    _, deleted = sync_collection(cyrus_user, url, token2)
    assert deleted == {path_of(changed): "HTTP/1.1 404 Not Found"}


def test_python_caldav_discovers_and_round_trips(cyrus_user):
    url = cyrus_user.make_collection(["VEVENT", "VTODO"], name="Job hunt")
    with cyrus_user.client() as client:
        principal = client.principal()
        assert str(principal.url) == cyrus_user.principal_url
        calendars = {str(c.url): c.get_display_name() for c in principal.calendars()}
        # Cyrus provisions "Default" (display name "personal") in every new calendar home
        assert calendars == {cyrus_user.home_url + "Default/": "personal", url: "Job hunt"}

        calendar = client.calendar(url=url)
        token = calendar.objects_by_sync_token(load_objects=False).sync_token
        calendar.save_todo(vtodo("task@followup.example", "Write interview notes"))
        calendar.save_event(vevent("event@followup.example", "Interview at Acme"))

        todo = calendar.todo_by_uid("task@followup.example")
        event = calendar.event_by_uid("event@followup.example")
        assert str(todo.icalendar_component["SUMMARY"]) == "Write interview notes"
        assert str(event.icalendar_component["SUMMARY"]) == "Interview at Acme"

        changed = calendar.objects_by_sync_token(sync_token=token, load_objects=False)
        assert sorted(path_of(str(o.url)) for o in changed) == sorted(
            [path_of(str(todo.url)), path_of(str(event.url))])

        todo.delete()
        event.delete()
        assert cyrus_user.request("GET", str(todo.url)).status == 404
        assert cyrus_user.request("GET", str(event.url)).status == 404
        assert list(calendar.objects_by_sync_token(load_objects=False)) == []


def test_discovery_urls_and_anonymous_answers(cyrus_user):
    """What the module docstring promises about discovery (the quirk a later change handles)."""
    propfind = (
        '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop>'
        "<d:current-user-principal/></d:prop></d:propfind>"
    )

    def principal(url: str, auth: bool) -> tuple[int, str | None]:
        answer = cyrus_user.request("PROPFIND", url, propfind, {**XML, "Depth": "0"}, auth=auth)
        if answer.status != 207:
            return answer.status, None
        # an href, or the element standing in for one (unauthenticated)
        (inner,) = ET.fromstring(answer.body).find(f".//{DAV}current-user-principal")
        return 207, inner.text if inner.tag == f"{DAV}href" else inner.tag

    me = path_of(cyrus_user.principal_url)
    for root in (cyrus_user.base_url, cyrus_user.caldav_base_url):
        assert principal(root, auth=False) == (207, f"{DAV}unauthenticated")
        assert principal(root, auth=True) == (207, me)
    assert principal(cyrus_user.caldav_base_url + "calendars/", auth=False) == (401, None)
    assert principal(cyrus_user.home_url, auth=False) == (401, None)
    assert principal(cyrus_user.caldav_base_url + "calendars/", auth=True) == (207, me)

    well_known = cyrus_user.request("PROPFIND", "/.well-known/caldav", propfind, {**XML, "Depth": "0"})
    assert (well_known.status, well_known.headers["Location"]) == (301, cyrus_user.caldav_base_url + "calendars")


def test_users_do_not_see_each_other(cyrus_server, cyrus_user):
    other = cyrus_server.make_user()
    url = cyrus_user.make_collection(["VTODO"])
    href = url + "mine.ics"
    assert cyrus_user.request("PUT", href, vtodo("mine@followup.example", "Mine"), CALENDAR).status == 201
    cyrus_user.make_mailbox("Drafts", "\\Drafts")

    with other.client() as client:
        assert [str(c.url) for c in client.principal().calendars()] == [other.home_url + "Default/"]
    # Cyrus points another user's request into their own home, where it has no rights
    moved = other.request("GET", href)
    shared = f"/dav/calendars/user/{other.username}/{cyrus_user.username}.{url.rstrip('/').rsplit('/', 1)[1]}/mine.ics"
    assert (moved.status, moved.headers["Location"]) == (301, shared)
    assert other.request("GET", shared).status == 403
    with other.imap() as imap:
        assert imap.list() == ("OK", [b'(\\HasNoChildren) "/" INBOX'])


# -- IMAP ---------------------------------------------------------------------


def test_imap_list_shows_drafts_special_use(cyrus_user):
    cyrus_user.make_mailbox("Drafts", "\\Drafts")
    cyrus_user.make_mailbox("Job hunt")
    with cyrus_user.imap() as imap:
        assert imap.list() == ("OK", [
            b'(\\HasNoChildren) "/" INBOX',
            b'(\\HasNoChildren \\Drafts) "/" Drafts',
            b'(\\HasNoChildren) "/" "Job hunt"',
        ])
        # RFC 6154 LIST (SPECIAL-USE) returns just the special-use mailboxes
        typ, _ = imap.xatom("LIST", "(SPECIAL-USE)", '""', '"*"')
        assert typ == "OK"
        assert imap.untagged_responses.pop("LIST") == [b'(\\HasNoChildren \\Drafts) "/" Drafts']


def test_imap_append_search_fetch(cyrus_user):
    cyrus_user.make_mailbox("Drafts", "\\Drafts")
    uid = cyrus_user.append("Drafts", MESSAGE, flags=("\\Draft", "\\Seen"))
    assert uid == 1
    with cyrus_user.imap() as imap:
        assert imap.select("Drafts") == ("OK", [b"1"])
        assert imap.uid("SEARCH", "HEADER", "Message-ID", '"<thank-you-1@followup.example>"') == ("OK", [b"1"])
        assert imap.uid("SEARCH", "SUBJECT", '"no such subject"') == ("OK", [b""])
        typ, data = imap.uid("FETCH", "1", "(FLAGS BODY.PEEK[])")
        assert typ == "OK"
        assert data[0] == (b"1 (FLAGS (\\Recent \\Draft \\Seen) UID 1 BODY[] {%d}" % len(MESSAGE), MESSAGE)


def test_imap_idle_is_advertised_and_wakes_on_append(cyrus_user):
    with socket.create_connection((cyrus_user.imap_host, cyrus_user.imap_port), timeout=5) as conn:
        lines = conn.makefile("rwb")
        greeting = lines.readline()
        assert greeting.startswith(b"* OK [CAPABILITY IMAP4rev1 ")
        lines.write(f'a1 LOGIN {cyrus_user.username} "{cyrus_user.password}"\r\n'.encode())
        lines.flush()
        logged_in = lines.readline()
        assert logged_in.startswith(b"a1 OK [CAPABILITY ")
        assert b" IDLE " in logged_in
        lines.write(b"a2 SELECT INBOX\r\n")
        lines.flush()
        while not (line := lines.readline()).startswith(b"a2 "):
            pass
        assert line.startswith(b"a2 OK [READ-WRITE]")
        lines.write(b"a3 IDLE\r\n")
        lines.flush()
        assert lines.readline() == b"+ idling\r\n"
        started = time.monotonic()
        cyrus_user.append("INBOX", MESSAGE)
        assert lines.readline() == b"* 1 EXISTS\r\n"
        assert time.monotonic() - started < 2  # idled pushes; without it imapd polls
        lines.write(b"DONE\r\n")
        lines.flush()
        while not (line := lines.readline()).startswith(b"a3 "):
            pass
        assert line == b"a3 OK Completed\r\n"


# -- authentication -------------------------------------------------------------


def test_wrong_password_is_refused(cyrus_user):
    with socket.create_connection((cyrus_user.imap_host, cyrus_user.imap_port), timeout=5) as conn:
        lines = conn.makefile("rwb")
        lines.readline()
        lines.write(f'a1 LOGIN {cyrus_user.username} "not-the-password"\r\n'.encode())
        lines.flush()
        assert lines.readline() == b"a1 NO Login failed: authentication failure\r\n"

    refused = cyrus_user.request("PROPFIND", cyrus_user.home_url, headers={"Depth": "0"}, password="not-the-password")
    assert (refused.status, refused.headers["WWW-Authenticate"]) == (401, f'Basic realm="{REALM}"')

    with pytest.raises(imaplib.IMAP4.error) as exc:
        cyrus_user.imap(password="not-the-password")
    assert exc.value.args == (b"Login failed: authentication failure",)
