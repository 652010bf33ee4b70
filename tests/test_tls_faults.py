"""Certificates a trusted CA signed that are still wrong: for another host name, or
expired. Cyrus and Radicale take one certificate per instance, so these come from a bare
TLS listener (Python's ssl with a certificate from tests/servers.py): the client gives up
during the handshake, before any IMAP or HTTP, which is all this tests. One line each,
exit 1, for `mail setup --check` and for `sync`, and no advice to trust a CA that is
trusted already."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import USER_TZ, Run
from servers import Certificates, make_certificates

PW_ENV = "FOLLOWUP_TEST_PASSWORD"


class Listener:
    """Accepts TLS connections on 127.0.0.1 and closes each after the handshake."""

    def __init__(self, certificates: Certificates) -> None:
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(certificates.cert_file, certificates.key_file)
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.05)  # close() does not wake accept(): poll for the end
        self.port = self.socket.getsockname()[1]
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.done.is_set():
            try:
                raw, _ = self.socket.accept()
            except TimeoutError:
                continue
            raw.settimeout(5)
            try:
                with self.context.wrap_socket(raw, server_side=True):
                    pass
            except (OSError, ssl.SSLError):  # the client refused our certificate: expected
                raw.close()

    def close(self) -> None:
        self.done.set()
        self.thread.join(5)
        self.socket.close()


@pytest.fixture(params=["another-host", "expired"])
def bad_certificate(request, tmp_path: Path) -> Iterator[tuple[Listener, Path, str]]:
    """(listener, the CA that signed its certificate, what OpenSSL says is wrong with it)."""
    if request.param == "another-host":
        certificates = make_certificates(tmp_path / "tls", hosts=("mail.example.org",))
        why = "IP address mismatch, certificate is not valid for '127.0.0.1'."
    else:
        certificates = make_certificates(tmp_path / "tls", expired=True)
        why = "certificate has expired"
    listener = Listener(certificates)
    yield listener, certificates.ca_file, why
    listener.close()


def test_mail_refuses_a_wrong_certificate_from_a_trusted_ca(bad_certificate, home: Path, run: Run,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    listener, ca_file, why = bad_certificate
    monkeypatch.setenv(PW_ENV, "s3cret-Pa55word")
    (home / "config.toml").write_text(
        f'timezone = "{USER_TZ}"\n[mail]\nurl = "imaps://sam@127.0.0.1:{listener.port}"\n'
        f'password_env = "{PW_ENV}"\nverify = "{ca_file}"\n')
    result = run("mail", "setup", "--check")
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "", f"Error: mail: the TLS certificate of 127.0.0.1:{listener.port} is not trusted ({why})\n")


def test_sync_refuses_a_wrong_certificate_from_a_trusted_ca(bad_certificate, home: Path, run: Run,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    listener, ca_file, why = bad_certificate
    monkeypatch.setenv(PW_ENV, "s3cret-Pa55word")
    url = f"https://127.0.0.1:{listener.port}/"
    (home / "config.toml").write_text(
        f'timezone = "{USER_TZ}"\n[remote.work]\nurl = "{url}"\nusername = "sam"\n'
        f'password_env = "{PW_ENV}"\nverify = "{ca_file}"\n')
    result = run("sync")
    assert (result.exit_code, result.stdout) == (1, "work: 0 created, 0 updated, 0 deleted, 0 pulled, 0 conflicts\n")
    assert result.stderr == (f"Error: remote 'work': cannot read {url}: the TLS certificate cannot be verified"
                             f" ({why})\n")
