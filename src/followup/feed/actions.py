"""The page's buttons: a POST is checked for where it comes from and for a fresh form
token, then done through the application's Service, as the CLI does it.

- **Where from:** the Host must be one this server answers to (a DNS-rebinding page
  cannot post), and the Origin (or, without one, the Referer) must be the page's own.
- **Form token:** every form carries `csrf`, an HMAC (keyed by the feed token) of the
  store's revision when the page was made and the time. It is checked inside the
  change's own transaction: a form from before any change is stale, so a replayed form
  (its first sending moved the revision) changes nothing.
- Anything refused is a plain error page and nothing changed (the transaction rolls back).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import urllib.parse
from collections.abc import Mapping
from typing import Any

from followup.core.vocab import OUTCOMES
from followup.errors import FollowupError, UsageError
from followup.feed.host import Operations, Settings
from followup.feed.html import Response, error

SNOOZES = (("1d", "+1 day"), ("1w", "+1 week"))
VERBS = {"steps": ("done", "undo", "snooze"), "interviews": ("outcome",)}
FORM_MAX_AGE = dt.timedelta(hours=12)
CLOCK_SKEW = dt.timedelta(minutes=5)
MAX_BODY = 4096
STALE = ("Something changed since this page was loaded (this form was sent already, or"
         " another app changed the plan); nothing was done. Reload the page and try again.")


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _key(token: str) -> bytes:
    return hashlib.sha256(b"followup page forms\x00" + token.encode()).digest()


def _mac(token: str, revision: str, issued: str) -> str:
    return hmac.new(_key(token), f"{revision}.{issued}".encode(), "sha256").hexdigest()[:32]


def csrf_token(token: str, revision: int, now: dt.datetime) -> str:
    issued = str(int(now.timestamp()))
    return f"{revision}.{issued}.{_mac(token, str(revision), issued)}"


def csrf_problem(given: str | None, token: str, revision: int, now: dt.datetime) -> str | None:
    """None when `given` is a form token this page made at `revision`, lately."""
    parts = (given or "").split(".")
    if len(parts) != 3 or not (parts[0].isdigit() and parts[1].isdigit()):
        return "This form was not made by your followup page; nothing was done."
    made_at, issued, mac = parts
    if not hmac.compare_digest(mac, _mac(token, made_at, issued)):
        return "This form was not made by your followup page; nothing was done."
    age = now - dt.datetime.fromtimestamp(int(issued), dt.timezone.utc)
    if int(made_at) != revision:
        return STALE
    if age > FORM_MAX_AGE or age < -CLOCK_SKEW:
        return "This page is too old; nothing was done. Reload it and try again."
    return None


def origin_problem(environ: Mapping[str, Any], settings: Settings) -> str | None:
    host = str(environ.get("HTTP_HOST", "")).lower()
    if settings.hosts is not None and host not in settings.hosts:
        return f"This server does not answer to {host or 'a request without a Host'}."
    origin = environ.get("HTTP_ORIGIN") or environ.get("HTTP_REFERER")
    if not origin:
        return "The form came without an Origin; send it with the page's buttons."
    allowed = {host}
    if settings.base_url:
        allowed.add(urllib.parse.urlsplit(settings.base_url).netloc.lower())
    if urllib.parse.urlsplit(str(origin)).netloc.lower() not in allowed:
        return "The form came from another site; nothing was done."
    return None


class Request:
    """One press of a button: POST /<token>/steps/<id>/<done|undo|snooze> or
    /<token>/interviews/<id>/outcome."""

    def __init__(self, target: str, ident: int, verb: str, environ: Mapping[str, Any]) -> None:
        self.target = target
        self.ident = ident
        self.verb = verb
        self.environ = environ
        self.form: dict[str, str] = {}

    def refused(self, settings: Settings) -> Response | None:
        """Checks that need no transaction: the button, the origin, the form's shape."""
        if self.verb not in VERBS[self.target]:
            return error(404, "There is no such button.", back=True)
        problem = origin_problem(self.environ, settings)
        if problem is not None:
            return error(403, problem)
        try:
            self.form = read_form(self.environ)
        except Refused as exc:
            return error(exc.status, str(exc), back=True)
        return None

    def apply(self, operations: Operations, token: str, now: dt.datetime) -> Response:
        try:
            with operations.change():
                problem = csrf_problem(self.form.get("csrf"), token, operations.store.revision(), now)
                if problem is not None:
                    raise Refused(403, problem)
                location = self._do(operations)
        except Refused as exc:
            return error(exc.status, str(exc), back=True)
        except FollowupError as exc:
            return error(400, f"{str(exc)[:1].upper()}{str(exc)[1:]}; nothing was done.", back=True)
        return "303 See Other", [("Location", location), ("Cache-Control", "no-store"),
                                 ("Content-Type", "text/plain; charset=utf-8")], b"Done; see the page.\n"

    def _do(self, operations: Operations) -> str:
        """The change, inside the transaction; returns where the browser goes next (relative
        to this URL, so a reverse proxy's path prefix stays)."""
        store = operations.store
        ref = str(self.ident)
        if self.target == "interviews":
            kind = self.form.get("kind", "")
            if kind not in OUTCOMES:
                raise Refused(400, f"Choose one of: {', '.join(OUTCOMES)}.")
            try:
                store.interview(self.ident)
            except UsageError:
                raise Refused(404, f"There is no interview {self.ident}; reload the page.") from None
            recorded = operations.outcome(self.ident, kind)
            return f"../../?outcome={self.ident}&kind={kind}" + ("" if recorded else "&again=1")
        try:
            store.item_by_ref(ref)
        except UsageError:
            raise Refused(404, f"There is no step {self.ident}; reload the page.") from None
        if self.verb == "done":
            operations.done([ref])
            return f"../../?done={ref}"
        if self.verb == "undo":
            operations.undo([ref])
            return f"../../?undone={ref}"
        by = self.form.get("by", "")
        if by not in dict(SNOOZES):
            raise Refused(400, f"Snooze by one of: {', '.join(dict(SNOOZES))}.")
        operations.snooze_as_typed(ref, by)
        return f"../../?snoozed={ref}"


def read_form(environ: Mapping[str, Any]) -> dict[str, str]:
    """The urlencoded body of a form: a few short fields, nothing else."""
    kind = str(environ.get("CONTENT_TYPE", "")).split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise Refused(400, "The form came in a shape the page does not send.")
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise Refused(400, "The form's length is not a number.") from None
    if not 0 < length <= MAX_BODY:
        raise Refused(400, "The form is empty or too long.")
    try:
        text = environ["wsgi.input"].read(length).decode("utf-8")
        fields = urllib.parse.parse_qs(text, max_num_fields=8, strict_parsing=True,
                                        errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise Refused(400, "The form cannot be read.") from None
    return {name: values[0] for name, values in fields.items()}
