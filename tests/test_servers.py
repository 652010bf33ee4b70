"""The skip-or-fail rule of tests/servers.py, and the Cyrus fixture's use of it."""

from __future__ import annotations

from pathlib import Path

import pytest

import cyrus
from servers import REQUIRE_ENV, require

REASON = "the Cyrus IMAP fixture needs the Debian package cyrus-imapd (run tests/system_packages.py as root)"


def test_missing_package_skips_naming_it(monkeypatch):
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception) as exc:
        require(False, "cyrus-imapd", "the Cyrus IMAP fixture")
    assert exc.value.msg == REASON


@pytest.mark.parametrize("value", ["", "0", "yes"])
def test_only_1_makes_it_required(monkeypatch, value):
    monkeypatch.setenv(REQUIRE_ENV, value)
    with pytest.raises(pytest.skip.Exception):
        require(None, "cyrus-imapd", "the Cyrus IMAP fixture")


def test_required_servers_fail_with_the_same_text(monkeypatch):
    monkeypatch.setenv(REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception) as exc:
        require("", "cyrus-imapd", "the Cyrus IMAP fixture")
    assert exc.value.msg == REASON


def test_present_package_goes_on(monkeypatch):
    monkeypatch.setenv(REQUIRE_ENV, "1")
    assert require(Path("/"), "cyrus-imapd", "the Cyrus IMAP fixture") is None


def test_cyrus_fixture_skips_without_its_binaries(monkeypatch, tmp_path):
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    monkeypatch.setattr(cyrus, "CYRUS_BIN", tmp_path)  # an empty folder: no imapd, no httpd
    with pytest.raises(pytest.skip.Exception) as exc:
        cyrus.get_instance()
    assert exc.value.msg == REASON
    (tmp_path / "imapd").touch()
    with pytest.raises(pytest.skip.Exception) as exc:
        cyrus.cyrus_dav()
    assert exc.value.msg == (
        "the Cyrus CalDAV fixture needs the Debian package cyrus-caldav (run tests/system_packages.py as root)")
