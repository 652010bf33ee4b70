"""The skip-or-fail rule for tests that need a server from a system package.

A server fixture calls :func:`require` before it starts anything::

    require(shutil.which("saslpasswd2") is not None, "sasl2-bin", "Cyrus users (saslpasswd2)")

When the condition is false the test is skipped with a reason that names the Debian
package, e.g. "Cyrus users (saslpasswd2) needs the Debian package sasl2-bin (run
tests/system_packages.py as root)".  With FOLLOWUP_REQUIRE_SERVERS=1 in the environment
(CI, or a release check) the same text fails the test instead, so a machine that was
meant to have every server cannot pass by skipping.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

REQUIRE_ENV = "FOLLOWUP_REQUIRE_SERVERS"


def servers_required() -> bool:
    """True when a missing server must fail the test rather than skip it."""
    return os.environ.get(REQUIRE_ENV, "") == "1"


def missing_reason(package: str, why: str) -> str:
    return f"{why} needs the Debian package {package} (run tests/system_packages.py as root)"


def unavailable(package: str, why: str) -> NoReturn:
    """Skip the test, or fail it when FOLLOWUP_REQUIRE_SERVERS=1."""
    reason = missing_reason(package, why)
    if servers_required():
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def require(condition: object, package: str, why: str) -> None:
    """Go on only if ``condition`` holds; else skip (or fail) naming ``package``."""
    if not condition:
        unavailable(package, why)


def log_tail(path: Path, size: int = 4000) -> str:
    """The last ``size`` characters of a server's log, for a failing test's message."""
    try:
        return path.read_text(errors="replace")[-size:]
    except OSError:
        return ""


def stop_process(process: subprocess.Popen, folder: Path, wait: float) -> None:
    """Terminate a server (kill it after ``wait`` seconds) and remove its folder."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(wait)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class Certificates:
    """A private CA and a server certificate it signed, as PEM files."""

    ca_file: Path  # what a client trusts: verify = "…" in [mail] or [remote.NAME]
    cert_file: Path  # the server's certificate, for 127.0.0.1, ::1 and localhost
    key_file: Path  # its private key, unencrypted


# CA files `--verify` and `[mail] verify` cannot use, and the reason each one's error gives:
# (name in a folder that also holds notes.txt, a text file; "" is the folder itself).
UNUSABLE_CA_FILES = [
    ("missing.pem", "no such file or directory"),
    ("", "is a directory"),
    ("notes.txt", "it holds no PEM certificate"),
]


def make_certificates(folder: Path, hosts: tuple[str, ...] = ("localhost", "127.0.0.1", "::1"),
                      expired: bool = False) -> Certificates:
    """A throw-away CA and a server certificate for ``hosts`` (DNS names or IP addresses
    in its subjectAltName), valid from yesterday for a week (``expired``: the server's
    ended yesterday), written to ``folder``.

    Made with the ``cryptography`` package (a test dependency in pyproject.toml): no
    openssl command line to find, and EC P-256 keys take milliseconds. The CA is a proper
    one (basicConstraints CA, keyCertSign, key identifiers) so that OpenSSL's strict
    checks accept it; a client trusts it only when told to.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "followup test CA")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=7))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    start, end = (now - dt.timedelta(days=8), now - dt.timedelta(days=1)) if expired else \
        (now - dt.timedelta(days=1), now + dt.timedelta(days=7))
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    out = Certificates(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    out.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    out.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    out.key_file.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    out.key_file.chmod(0o600)
    return out
