"""`--verify PATH` and `--no-verify` of `remote add` and `mail setup`, checked before anything
connects: the servers named here do not exist (.invalid), so a test passes only when the
command stops before asking them. One line, exit 2, config.toml untouched. The logins with
the options, against real TLS servers, are in test_tls_caldav.py and test_tls_mail.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Run
from servers import UNUSABLE_CA_FILES

COMMANDS = {
    "remote add": ("remote", "add", "work", "https://dav.invalid/", "--username", "sam", "--password-env", "PW"),
    "mail setup": ("mail", "setup", "imaps://sam@mail.invalid", "--password-env", "PW"),
}


def refused(run: Run, home: Path, args: tuple[str, ...], message: str) -> None:
    before = (home / "config.toml").read_text()
    result = run(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"Error: {message}\n")
    assert (home / "config.toml").read_text() == before


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(("name", "why"), UNUSABLE_CA_FILES)
def test_a_ca_file_that_cannot_be_used_is_refused_up_front(home: Path, run: Run, tmp_path: Path, command: str,
                                                          name: str, why: str) -> None:
    (tmp_path / "notes.txt").write_text("not a certificate\n")
    refused(run, home, (*COMMANDS[command], "--verify", str(tmp_path / name)),
            f"--verify: cannot use the CA file {tmp_path / name}: {why}")


@pytest.mark.parametrize("command", COMMANDS)
def test_both_options_at_once(home: Path, run: Run, command: str) -> None:
    refused(run, home, (*COMMANDS[command], "--verify", "ca.pem", "--no-verify"),
            "give --verify PATH or --no-verify, not both")


@pytest.mark.parametrize(("args", "message"), [
    (("remote", "add", "work", "http://127.0.0.1:5232/", "--no-verify"),
     "--verify and --no-verify are for a server reached over TLS: give an https:// URL"),
    (("remote", "add", "work", "--vdir", "cal", "--verify", "ca.pem"),
     "--verify and --no-verify are for a server reached over TLS: give an https:// URL"),
    (("mail", "setup", "imap://sam@localhost:143", "--no-verify"),
     "--verify and --no-verify are for a server reached over TLS: give an imaps:// URL"),
    (("mail", "setup", "--check", "--no-verify"), "--check takes no other option; it checks the saved set-up"),
])
def test_the_options_where_they_do_not_fit(home: Path, run: Run, args: tuple[str, ...], message: str) -> None:
    refused(run, home, args, message)
