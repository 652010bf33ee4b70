"""A real HTTP hop in front of a real server that records every request.

Counting requests this way needs no hook in the client: followup talks to the proxy's
URL over a socket, the proxy forwards each request unchanged (Host header included, so
a server's absolute redirects come back to the proxy) and answers with what the server
answered.  Keep-alive works on both sides, as it would without the proxy.

    with RecordingProxy(server.base_url) as proxy:
        url = proxy.url_for(server.base_url)      # the same path on the proxy
        ...
        proxy.requests  # [Request("PROPFIND", "/alice/cal/", "0", True, 207), ...]
"""

from __future__ import annotations

import http.client
import http.server
import ipaddress
import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length",
               "proxy-connection", "te", "trailer", "upgrade"}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    depth: str | None  # the Depth header
    authorized: bool  # did it carry an Authorization header?
    status: int  # the server's answer


class RecordingProxy:
    """Forwards to ``upstream`` (``http://host:port/``) and records every request.

    ``host``: the address it listens on (a non-loopback one shows what followup sends
    to a server across a network)."""

    def __init__(self, upstream: str, host: str = "127.0.0.1") -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.requests: list[Request] = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive towards the client
            server_conn: http.client.HTTPConnection | None = None

            def forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                if self.server_conn is None:
                    self.server_conn = http.client.HTTPConnection(*proxy.upstream, timeout=30)
                try:
                    self.server_conn.request(self.command, self.path, body, headers)
                    answer = self.server_conn.getresponse()
                except (http.client.HTTPException, OSError):  # the server closed: once more
                    self.server_conn.close()
                    self.server_conn.request(self.command, self.path, body, headers)
                    answer = self.server_conn.getresponse()
                data = answer.read()
                proxy.requests.append(Request(self.command, self.path, self.headers.get("Depth"),
                                              "Authorization" in self.headers, answer.status))
                self.send_response_only(answer.status, answer.reason)
                for key, value in answer.getheaders():
                    if key.lower() not in _HOP_BY_HOP:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_HEAD = do_PUT = do_DELETE = do_POST = do_OPTIONS = forward
            do_PROPFIND = do_PROPPATCH = do_REPORT = do_MKCALENDAR = do_MKCOL = forward

            def finish(self) -> None:
                super().finish()
                if self.server_conn is not None:
                    self.server_conn.close()

            def log_message(self, *args: object) -> None:
                pass

        self.host = host
        self._server = http.server.ThreadingHTTPServer((host, 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)

    def url_for(self, url: str) -> str:
        """``url`` (on the upstream server) as reached through the proxy."""
        return urlunsplit(urlsplit(url)._replace(netloc=f"{self.host}:{self.port}"))

    def clear(self) -> None:
        self.requests.clear()

    def __enter__(self) -> RecordingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def network_address() -> str | None:
    """This machine's address on its default route (not loopback), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # UDP: nothing is sent, the route picks the address
        except OSError:
            return None
        address = str(s.getsockname()[0])
    return None if ipaddress.ip_address(address).is_loopback else address
