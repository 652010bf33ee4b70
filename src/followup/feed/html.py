"""HTML answers of the feed server: the templates (feed/templates/), the headers every
page gets, and the plain error page."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2

TEMPLATES = Path(__file__).with_name("templates")
Response = tuple[str, list[tuple[str, str]], bytes]
HTML = ("Content-Type", "text/html; charset=utf-8")
# No script at all; the one style block is inline; forms post to this server only.
SECURITY = [
    ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    # The URL holds the token: no other site may see it. (With "no-referrer" a browser
    # sends "Origin: null" with the page's own forms, and the origin check refuses them.)
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Cache-Control", "no-store"),
]


def error(status: int, message: str, *, back: bool = False,
          headers: Sequence[tuple[str, str]] = ()) -> Response:
    """A plain error page: what went wrong, and (for the token's holder) the way back."""
    reason = {400: "Bad Request", 403: "Forbidden", 404: "Not Found",
              405: "Method Not Allowed"}[status]
    body = render("error.html", {"status": status, "reason": reason, "message": message,
                                 "back": back})
    return f"{status} {reason}", [HTML, *SECURITY, *headers], body


def render(template: str, values: Mapping[str, Any]) -> bytes:
    text: str = _environment().get_template(template).render(values)
    return text.encode("utf-8")


@functools.cache
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True,
                              lstrip_blocks=True)
