"""One HTTP client for a CalDAV account: credentials, requests, and one-line errors.

Credentials (CALENDAR_RULES.md, rule 23).  python-caldav sends them only after a 401,
which costs a round trip per process, about a second more on Radicale (it delays every
401), and finds nothing on Cyrus, which answers an anonymous PROPFIND on ``/`` with 207
and ``<d:unauthenticated/>`` (RFC 5397) instead of a 401.  So:

- over https, and over http to a loopback host (127.0.0.0/8, ::1, localhost), Basic
  credentials go with the first request.  A 401 whose challenge offers Digest and not
  Basic (a Digest-only sabre/dav, say) is answered with Digest; any other 401 means a
  wrong password, at once, without a second try;
- over http to any other host the password is never sent in clear: nothing goes up
  front, a challenge is answered with Digest only, and a server that offers only Basic
  (or Bearer) gets an error that asks for an https:// URL instead of the password.

One :class:`Connection` is shared by the collections of a remote (one TCP and TLS
session); ``close()`` may be called by each of them.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

from followup.config import UNKNOWN_ISSUER, tls_verify
from followup.sync.storage import AuthError, NotFoundError, StorageError

__all__ = ["Connection", "redact", "sends_in_clear"]


C = "{urn:ietf:params:xml:ns:caldav}"
D = "{DAV:}"
CS_GETCTAG = "{http://calendarserver.org/ns/}getctag"
ALL_COMPONENTS = {"VEVENT", "VTODO", "VJOURNAL"}  # RFC 4791 5.2.3: property absent = all
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_REDIRECTS = 5


def redact(url: str) -> str:
    """The URL without user:password@."""
    parts = urlsplit(str(url))
    if "@" not in parts.netloc:
        return str(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def sends_in_clear(url: str) -> bool:
    """Would a password sent to ``url`` cross a network unencrypted?"""
    parts = urlsplit(str(url))
    if parts.scheme.lower() == "https":
        return False
    host = (parts.hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve anywhere
        return True


class PasswordInClear(Exception):
    """The server asked for a password that would travel unencrypted."""


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and everything it wraps (causes, contexts, args, .reason)."""
    out: list[BaseException] = []
    stack: list[Any] = [exc]
    while stack:
        e = stack.pop()
        if isinstance(e, BaseException) and all(e is not o for o in out):
            out.append(e)
            stack += [e.__cause__, e.__context__, getattr(e, "reason", None), *e.args]
    return out


def _unverified(exc: BaseException) -> int | None:
    """OpenSSL's verify code when ``exc`` comes from a certificate that failed its check."""
    import ssl

    found = next((e for e in _chain(exc) if isinstance(e, ssl.SSLCertVerificationError)), None)
    return found.verify_code if found is not None else None


def _network_cause(exc: BaseException, timeout: float | None) -> str | None:
    """A short cause for a network failure, or None if ``exc`` is not one."""
    import socket
    import ssl

    chain = _chain(exc)
    names = {type(e).__name__ for e in chain}

    def has(*types: type[BaseException]) -> bool:
        return any(isinstance(e, types) for e in chain)

    unverified = next((e for e in chain if isinstance(e, ssl.SSLCertVerificationError)), None)
    if unverified is not None:
        return f"the TLS certificate cannot be verified ({unverified.verify_message or 'untrusted'})"
    if has(socket.gaierror) or "NameResolutionError" in names:
        return "host name not found"
    if has(ConnectionRefusedError):
        return "connection refused"
    limit = f" after {timeout:g} s" if timeout else ""
    if names & {"ConnectTimeout", "ConnectTimeoutError"}:
        return f"timed out connecting{limit}"
    if has(TimeoutError) or names & {"ReadTimeout", "ReadTimeoutError", "Timeout"}:
        return f"no answer within {timeout:g} s" if timeout else "timed out"
    tls = next((e for e in chain if isinstance(e, ssl.SSLError)), None)
    if tls is not None:
        return f"TLS error ({tls.reason or tls})"
    if has(ConnectionResetError, ConnectionAbortedError, BrokenPipeError):
        return "the connection was closed by the server"
    for e in reversed(chain):
        if isinstance(e, OSError) and e.strerror:
            return str(e.strerror).lower()
    return None


def component_set(value: Any) -> set[str]:
    """A supported-calendar-component-set as a set of names."""
    if not value:
        return set(ALL_COMPONENTS)
    if isinstance(value, str):
        value = [value]
    return {str(v).upper() for v in value}


def is_a(kind: str, props: dict[str, Any]) -> bool:
    """Does the resourcetype in ``props`` include ``kind`` (Clark notation)?"""
    rt = props.get(f"{D}resourcetype") or []
    return kind in (rt if isinstance(rt, list) else [rt])


def preconditions(body: Any) -> list[str]:
    """The precondition elements of a DAV:error body (Clark notation)."""
    from caldav.lib.error import parse_preconditions

    return [p for p in parse_preconditions(body) if p != f"{D}responsedescription"]


def xml(root: Any) -> bytes:
    from lxml import etree

    return bytes(etree.tostring(root.xmlelement(), encoding="utf-8", xml_declaration=True))


def getctag() -> Any:
    """The CS:getctag property element (python-caldav has no class for it)."""
    from caldav.elements.base import ValuedBaseElement

    return type("GetCtag", (ValuedBaseElement,), {"tag": CS_GETCTAG})()


@functools.cache
def _client_class() -> type:
    """python-caldav's DAVClient with our credentials policy (see the module docstring)."""
    import niquests
    from caldav.davclient import DAVClient
    from caldav.lib.error import AuthorizationError

    class UpFront(niquests.auth.HTTPBasicAuth):
        """Basic credentials on every request; remembers the last 401's challenge."""

        challenge = ""

        def __call__(self, r: Any) -> Any:
            r = super().__call__(r)  # type: ignore[no-untyped-call]
            r.register_hook("response", self._remember)
            return r

        def _remember(self, response: Any, **kwargs: Any) -> Any:
            if response.status_code == 401:
                self.challenge = str(response.headers.get("WWW-Authenticate", ""))
            return response

    class Client(DAVClient):
        in_clear = False  # a password would cross the network unencrypted

        def send_up_front(self) -> None:
            self.auth = UpFront(str(self.username), str(self.password))

        def request(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().request(*args, **kwargs)
            except AuthorizationError as e:
                offered = self.auth.challenge.lower() if isinstance(self.auth, UpFront) else ""
                if e.status != 401 or "digest" not in offered or "basic" in offered:
                    raise
                # Basic refused by a Digest-only server: answer its challenge instead.
                self.auth = None
                return super().request(*args, **kwargs)

        def build_auth_object(self, auth_types: list[str] | None = None) -> None:
            if self.in_clear and auth_types is not None:
                auth_types = [t for t in auth_types if t.lower() == "digest"]
                if not auth_types:
                    raise PasswordInClear
            super().build_auth_object(auth_types)

    return Client


class Connection:
    """A python-caldav client that turns every failure into a one-line StorageError."""

    def __init__(self, label: str, url: str, username: str | None, password: str | None,
                 timeout: float, verify: bool | str, name: str | None = None,
                 trust: str | None = None) -> None:
        self.label = label
        self.timeout = timeout
        self._password = password or ""
        self.url = redact(url)
        self._closed = False
        # where a user trusts a private CA, for the hint when a certificate is not trusted:
        # `trust` when the command takes it as an option (`remote add --verify`)
        self._table = f"[remote.{name}]" if name else "the remote's table of config.toml"
        self._trust = trust or f'set verify = "/path/to/ca.pem" in {self._table}'
        try:
            verify = tls_verify(verify)
        except ValueError as exc:
            raise self.fail(StorageError, f"cannot use the CA file {verify} (verify in {self._table}):"
                            f" {exc}") from None
        if verify is False:
            import warnings

            # The user turned the check off on purpose: urllib3's warning on every request
            # (a path into site-packages, three lines each) would only bury our output.
            warnings.filterwarnings("ignore", message="Unverified HTTPS request")
        with self.errors("connect to", self.url):
            # Typed loosely on purpose: python-caldav's annotations are partial (a float
            # timeout works, principal() is untyped); our own wrapper is what is checked.
            options: dict[str, Any] = dict(url=url, username=username, password=password,
                                           timeout=timeout, ssl_verify_cert=verify)
            self.client: Any = _client_class()(**options)
        self.url = redact(str(self.client.url))
        self._password = str(self.client.password or "")
        self.client.in_clear = sends_in_clear(self.url)
        if self.client.username and self.client.password and not self.client.in_clear:
            self.client.send_up_front()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.client.close()

    def fail(self, cls: type[StorageError], text: str, **kw: Any) -> StorageError:
        msg = f"{self.label}: {text}"
        if len(self._password) >= 3:
            msg = msg.replace(self._password, "***")
        return cls(msg, **kw) if kw else cls(msg)

    def abs(self, href_or_url: str, decoded: bool = True) -> str:
        """Absolute, percent-encoded URL for an href or URL.

        Our hrefs are decoded server paths (``decoded=True``: every ``%`` is a
        literal); a URL or path from the user is taken as already encoded
        (``decoded=False``: existing escapes are kept, spaces etc. get escaped).
        """
        parts = urlsplit(str(href_or_url)) if not decoded else None
        if parts is None:
            path = quote(href_or_url, safe=_PATH_SAFE)
        else:
            path = quote(parts.path, safe=_PATH_SAFE + "%")
        if parts is not None and parts.scheme:
            return urlunsplit(parts._replace(path=path))
        return urljoin(str(self.client.url), path)

    @contextmanager
    def errors(self, action: str, url: str) -> Iterator[None]:
        from caldav.lib import error

        url = redact(url)
        try:
            yield
        except StorageError:
            raise
        except PasswordInClear:
            host = urlsplit(url).netloc
            raise self.fail(AuthError, f"{host} asks for the password over plain http://, "
                            "where anyone on the way could read it; use an https:// URL") from None
        except error.AuthorizationError as e:
            if e.status == 401 or e.status is None:
                raise self.fail(
                    AuthError, "wrong username or password (HTTP 401) — check --username "
                    "and the password source") from None
            raise self.fail(AuthError, f"access denied (HTTP {e.status}) to {url}") from None
        except error.RateLimitError as e:
            raise self.fail(
                StorageError, f"the server is busy (HTTP {e.status or 503}), try again later"
            ) from None
        except error.NotFoundError:
            raise self.fail(NotFoundError, f"{url} not found (HTTP 404)") from None
        except error.DAVError as e:
            raise self.http_error(action, url, e.status, getattr(e, "reason", ""), e.body) from None
        except NotImplementedError as e:  # no usable auth scheme offered
            raise self.fail(StorageError, f"cannot log in to {url}: {e}") from None
        except OSError as e:  # niquests' errors are OSErrors too
            cause = (_network_cause(e, self.timeout) or str(e).splitlines()[0][:200]
                     or type(e).__name__)
            if _unverified(e) in UNKNOWN_ISSUER:
                cause += f"; for a private CA {self._trust}"
            raise self.fail(StorageError, f"cannot {action} {url}: {cause}") from None
        except Exception as e:
            if type(e).__name__ == "XMLSyntaxError":
                raise self.fail(
                    StorageError, f"{url} did not answer like a CalDAV server (invalid XML)"
                ) from None
            raise

    def http_error(self, action: str, url: str, status: int | None, reason: str = "",
                   body: Any = None) -> StorageError:
        from http import HTTPStatus

        pre = [p.split("}")[-1] for p in preconditions(body)]
        extra = f" [{', '.join(pre)}]" if pre else ""
        if status == 404:
            return self.fail(NotFoundError, f"{url} not found (HTTP 404)")
        if status == 401:
            return self.fail(AuthError, "wrong username or password (HTTP 401) — check "
                             "--username and the password source")
        if not reason or reason == "no reason":  # python-caldav's DAVError default
            known = status is not None and status in HTTPStatus._value2member_map_
            reason = HTTPStatus(status).phrase if known and status is not None else ""
        why = f"HTTP {status} {reason.splitlines()[0] if reason else ''}".strip()
        if status and status >= 500:
            return self.fail(StorageError, f"server error ({why}) on {action} {url}{extra}")
        return self.fail(StorageError, f"cannot {action} {url}: {why}{extra}")

    def request(self, method: str, url: str, body: Any, headers: dict[str, str], action: str) -> Any:
        """Send a request; answers with status >= 400 come back, not raised (401/403 do raise)."""
        from caldav.lib.error import AuthorizationError

        with self.errors(action, url):
            try:
                return self.client.request(url, method, body, headers or {})
            except AuthorizationError as e:
                if e.status == 403 and e.preconditions:
                    return Failed(403, e.reason, e.body)  # a refused precondition, not a login
                raise

    def propfind(self, url: str, props: list[Any], depth: int, strict: bool = True) -> list[Any]:
        """PROPFIND with a library-built body; returns the parsed results.

        ``strict=False``: an HTTP error answer, 403 included, gives ``[]`` (a wrong
        password and network errors still raise).
        """
        with self.errors("read", url):
            from caldav.elements import dav
            from caldav.lib.error import AuthorizationError

            wanted = [p() if isinstance(p, type) else p for p in props]
            root = dav.Propfind() + (dav.Prop() + wanted)
            try:
                resp = self.client.propfind(url, xml(root), depth)
            except AuthorizationError as e:
                if strict or e.status != 403:
                    raise
                return []
            if not strict:
                return (resp.results or []) if resp.status in (200, 207) else []
            if resp.status == 404:
                raise self.fail(NotFoundError, f"{url} not found (HTTP 404)")
            if resp.status >= 400:
                raise self.http_error("read", url, resp.status, resp.reason, resp._raw)
            if resp.all_responses_not_found():  # Xandikos: 207 holding only a 404
                raise self.fail(NotFoundError, f"{url} not found (HTTP 404)")
            return resp.results or []

    def propfind_redirected(self, url: str, props: list[Any]) -> list[Any]:
        """A Depth-0 PROPFIND on ``url`` whose redirects are followed here, not by the HTTP
        library: requests and niquests drop a PROPFIND's body when they follow a 301, and
        Cyrus then answers an allprop without the properties discovery needs.  Only
        redirects on the same server are followed, so the credentials never go elsewhere.
        An error answer, or a redirect elsewhere, gives ``[]``.
        """
        from caldav.elements import dav
        from caldav.response import DAVResponse

        body = xml(dav.Propfind() + (dav.Prop() + [p() if isinstance(p, type) else p
                                                    for p in props]))
        origin = urlsplit(url)[:2]
        client = self.client
        with self.errors("read", url):
            for _ in range(_REDIRECTS):
                resp = client.session.request(
                    "PROPFIND", url, data=body, auth=client.auth, timeout=client.timeout,
                    verify=client.ssl_verify_cert, allow_redirects=False,
                    headers={**client.headers, "Depth": "0",
                             "Content-Type": "application/xml; charset=utf-8"})
                location = resp.headers.get("Location")
                if resp.status_code in (301, 302, 303, 307, 308) and location:
                    url = urljoin(url, location)
                    if urlsplit(url)[:2] != origin:
                        return []
                    continue
                if resp.status_code == 401:  # not logged in yet: the client negotiates
                    return self.propfind(url, props, 0, strict=False)
                if resp.status_code != 207:
                    return []
                return list(DAVResponse(resp, client).parse_propfind())
        return []


class Failed:
    """Stands in for a DAVResponse when the client raised on a 403 precondition."""

    headers: dict[str, str] = {}

    def __init__(self, status: int, reason: str, body: Any) -> None:
        self.status, self.reason, self._raw = status, reason, body


def server_path(href: str) -> str:
    """Our href for a server's: python-caldav hands out decoded paths or URL objects."""
    if href.startswith("/"):
        return href
    return unquote(urlsplit(href).path)
