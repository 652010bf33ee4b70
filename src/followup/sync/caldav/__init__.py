"""CalDAV collections as storages, built on the ``caldav`` library.

This package is the only place that imports ``caldav`` (and, through it, niquests and
lxml); it does so inside functions so that ``followup --help`` stays fast.

- ``connection``: one HTTP client per remote, its credentials policy (rule 23: Basic
  up front over https and loopback, never a password in clear elsewhere) and its
  one-line errors;
- ``discovery``: finding the account's calendars (also on Cyrus, whose anonymous
  PROPFIND answers 207) and making one;
- ``collection``: :class:`CalDAVStorage`, one collection as a storage.

Protocol choices (CALENDAR_RULES.md, rules 15-18):

- the collection is one whose supported-calendar-component-set has our
  component type (VTODO or VEVENT), chosen by display name, URL, or as the
  first suitable one;
- create is ``PUT`` with ``If-None-Match: *``, update and delete carry
  ``If-Match: <etag>``; 412 becomes :class:`PreconditionFailed`, and so does a
  ``CALDAV:no-uid-conflict`` answer (409 Radicale, 412 Xandikos, 403 Cyrus),
  with ``.href`` set when the server names the resource holding the UID (Cyrus
  does, and keeps UIDs unique across all of an account's calendars);
- hrefs are the server's paths (percent-decoded, as python-caldav reports
  them); the href given at creation is kept, never rebuilt from a UID;
- an ETag missing from a PUT answer is fetched with a PROPFIND;
- :meth:`CalDAVStorage.changes` is one Depth-0 PROPFIND when nothing changed
  (the DAV:sync-token property, RFC 6578 section 4, or CS:getctag); else
  sync-collection where the collection advertises it, else an ETag listing;
  an invalid or expired sync-token gives a full listing, not an error;
- objects are fetched with calendar-multiget, and sent byte for byte.

All request bodies are built from the library's XML element classes.
"""

from __future__ import annotations

from followup.sync.caldav.collection import CalDAVStorage
from followup.sync.caldav.connection import Connection
from followup.sync.caldav.discovery import (
    CollectionInfo,
    connect,
    create_collection,
    discover_collections,
    find_collections,
    make_collection,
)

__all__ = ["CalDAVStorage", "CollectionInfo", "Connection", "connect", "create_collection",
           "discover_collections", "find_collections", "make_collection"]
