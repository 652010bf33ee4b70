"""`followup mail` over imaps:// against a real Cyrus with a TLS listener (tests/cyrus.py
``cyrus_tls_server``), its certificate signed by a CA made for the session
(tests/servers.py ``make_certificates``): trusted through `verify = "CA file"` in [mail],
untrusted by the system's store, a CA file that cannot be used, imaps:// to a plain port,
and plain imap:// to another machine refused. Issue 16, item 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import USER_TZ, Run, store_dump
from cyrus import CyrusServer, cyrus_tls_server  # noqa: F401  (fixture)
from servers import UNUSABLE_CA_FILES

MAIL = Path(__file__).parent / "mail"
PASSWORD_ENV = "FOLLOWUP_TEST_MAIL_PASSWORD"
ME = "sam@carter.example"
AFTER = "2026-12-08T12:00:00+00:00"  # a week after the Contoso interview
OUTLOOK_ID = "<AM0PR02MB51230A1B2C3D4E5F6789ABCDE1234@AM0PR02MB5123.eurprd02.prod.outlook.com>"


@pytest.fixture
def tls_user(cyrus_tls_server: CyrusServer, monkeypatch: pytest.MonkeyPatch) -> CyrusServer:
    """A fresh user of the TLS Cyrus with a \\Drafts folder; its password in PASSWORD_ENV."""
    user = cyrus_tls_server.make_user()
    user.make_mailbox("Drafts", "\\Drafts")
    monkeypatch.setenv(PASSWORD_ENV, user.password)
    return user


def imaps_url(user: CyrusServer, host: str = "localhost") -> str:
    return f"imaps://{user.username}@{host}:{user.imaps_port}"


def write_mail_config(home: Path, url: str, verify: str | None) -> None:
    """The config with [mail] as a user writes it by hand."""
    (home / "config.toml").write_text(
        f'timezone = "{USER_TZ}"\nname = "Sam Carter"\n[mail]\nurl = "{url}"\npassword_env = "{PASSWORD_ENV}"\n'
        f'address = "{ME}"\n' + (f"verify = {verify}\n" if verify is not None else ""))



def no_secret(result, user: CyrusServer) -> None:
    assert user.password not in result.stdout + result.stderr


def test_imaps_with_the_private_ca_logs_in_drafts_and_a_reply_ends_the_chase(tls_user: CyrusServer, home: Path,
                                                                      run: Run) -> None:
    write_mail_config(home, imaps_url(tls_user), f'"{tls_user.ca_file}"')
    result = run("mail", "setup", "--check")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (f"Logged in to localhost:{tls_user.imaps_port} as {tls_user.username} (TLS).\n"
                             "  reads replies and invitations in: INBOX\n"
                             "  puts drafts in: Drafts (flagged \\Drafts)\n")
    assert run("add", "--from-invite", str(MAIL / "outlook-invitation.eml")).exit_code == 0
    shown = json.loads(run("show", "1", "--json").stdout)
    thank_you = next(i["id"] for i in shown["items"] if i["step"] == "thank-you-email")
    drafted = run("draft", str(thank_you), "--imap")  # APPEND over TLS
    assert (drafted.exit_code, drafted.stdout, drafted.stderr) == (
        0, f"Put the draft into Drafts, answering {OUTLOOK_ID}.\n", "")
    with tls_user.imap() as imap:
        assert imap.select('"Drafts"', readonly=True) == ("OK", [b"1"])
    tls_user.append("INBOX", (MAIL / "reply-interviewer.eml").read_bytes())
    result = run("mail", "check", now=AFTER)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        'Reply from Dana Whitfield <dana.whitfield@contoso.example>, Mon 07 Dec 2026 08:12: "RE: Thank you'
        ' - Data Engineer interview"',
        "  Interview 1 (Data Engineer at Contoso): recorded 'reply' (from an interviewer); the rest of the"
        " chase is cancelled.",
        "  Next: `followup outcome 1 --replace offer` (or second-interview, rejected) when it says more;"
        " `followup edit 1 --deadline YYYY-MM-DD` when they name a new date.",
        "Checked: 1 new message in INBOX."]
    shown = json.loads(run("show", "1", "--json").stdout)
    assert shown["interview"]["outcomes"] == [{"outcome": "reply", "recorded": "2026-12-07T08:12:39+00:00"}]
    no_secret(result, tls_user)


def test_the_certificate_names_the_address_too(tls_user: CyrusServer, home: Path, run: Run) -> None:
    write_mail_config(home, imaps_url(tls_user, "127.0.0.1"), f'"{tls_user.ca_file}"')
    result = run("mail", "setup", "--check")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.startswith(f"Logged in to 127.0.0.1:{tls_user.imaps_port} as {tls_user.username} (TLS).\n")


def test_a_ca_file_under_the_home_folder(tls_user: CyrusServer, home: Path, run: Run,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tls_user.ca_file.parent))
    write_mail_config(home, imaps_url(tls_user), f'"~/{tls_user.ca_file.name}"')
    result = run("mail", "setup", "--check")
    assert (result.exit_code, result.stderr) == (0, "")


def untrusted(user: CyrusServer, hint: str = 'set verify = "/path/to/ca.pem" in [mail]') -> str:
    return (f"Error: mail: the TLS certificate of localhost:{user.imaps_port} is not trusted (unable to get"
            f" local issuer certificate); {hint} for a private CA\n")


def test_setup_refuses_a_certificate_the_system_does_not_trust(tls_user: CyrusServer, home: Path,
                                                               run: Run) -> None:
    before = (home / "config.toml").read_text()
    result = run("mail", "setup", imaps_url(tls_user), "--password-env", PASSWORD_ENV)
    # The command takes the CA file as an option: the hint names it, not the config key.
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "", untrusted(tls_user, "give --verify /path/to/ca.pem"))
    assert (home / "config.toml").read_text() == before  # not saved
    no_secret(result, tls_user)


def test_check_with_an_untrusted_certificate_reads_and_records_nothing(tls_user: CyrusServer, home: Path,
                                                                       run: Run) -> None:
    write_mail_config(home, imaps_url(tls_user), None)  # no verify: the system's CA store
    assert run("add", "--from-invite", str(MAIL / "outlook-invitation.eml")).exit_code == 0
    tls_user.append("INBOX", (MAIL / "reply-interviewer.eml").read_bytes())
    before, calendar = store_dump(home), (home / "followup.ics").read_bytes()
    for args in (("mail", "check"), ("mail", "setup", "--check"), ("draft", "5", "--imap")):
        result = run(*args, now=AFTER)
        assert (result.exit_code, result.stdout, result.stderr) == (1, "", untrusted(tls_user)), args
        no_secret(result, tls_user)
    assert store_dump(home) == before
    assert (home / "followup.ics").read_bytes() == calendar
    # Trusted now: the reply was waiting, unread.
    write_mail_config(home, imaps_url(tls_user), f'"{tls_user.ca_file}"')
    assert run("mail", "check", now=AFTER).stdout.splitlines()[-1] == "Checked: 1 new message in INBOX."


def test_verify_false_skips_the_check(tls_user: CyrusServer, home: Path, run: Run) -> None:
    write_mail_config(home, imaps_url(tls_user), "false")
    result = run("mail", "setup", "--check")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.startswith(f"Logged in to localhost:{tls_user.imaps_port} as {tls_user.username} (TLS).\n")


@pytest.mark.parametrize(("name", "why"), UNUSABLE_CA_FILES)
def test_a_ca_file_that_cannot_be_used_is_named(tls_user: CyrusServer, home: Path, run: Run, tmp_path: Path,
                                               name: str, why: str) -> None:
    (tmp_path / "notes.txt").write_text("not a certificate\n")
    path = tmp_path / name
    write_mail_config(home, imaps_url(tls_user), f'"{path}"')
    result = run("mail", "setup", "--check")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Error: mail: cannot use the CA file {path} (verify in [mail]): {why}\n"


def test_imaps_to_the_plain_imap_port_says_so(tls_user: CyrusServer, home: Path, run: Run) -> None:
    port = tls_user.imap_port  # the plain listener: it greets in clear, no TLS handshake
    write_mail_config(home, f"imaps://{tls_user.username}@localhost:{port}", f'"{tls_user.ca_file}"')
    result = run("mail", "setup", "--check")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"Error: mail: TLS failed with localhost:{port} (WRONG_VERSION_NUMBER); is the"
                             " port right for imaps://?\n")


@pytest.mark.parametrize("host", ["10.0.0.7", "mail.example.org", "[2001:db8::1]"])
def test_plain_imap_to_another_machine_is_refused(run: Run, home: Path, host: str) -> None:
    plain = host.strip("[]")
    message = (f"imap://{plain} is not encrypted; use imaps:// (IMAP over TLS). Plain IMAP is only"
               " allowed to this machine (127.0.0.1, ::1, localhost)")
    result = run("mail", "setup", f"imap://sam@{host}:143", "--password-env", PASSWORD_ENV)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"Error: {message}\n")
    assert "[mail]" not in (home / "config.toml").read_text()
    # Written by hand: the config is refused as a whole, before anything connects.
    write_mail_config(home, f"imap://sam@{host}:143", None)
    result = run("mail", "check")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", f"Error: {home / 'config.toml'}: [mail]: {message}\n")


# -- `mail setup --verify / --no-verify` (issue: a private CA from the command line) ------


def set_up(user: CyrusServer, folders: str = "INBOX") -> str:
    return (f"  reads replies and invitations in: {folders}\n"
            "  puts drafts in: Drafts (flagged \\Drafts)\n")


def test_setup_with_verify_logs_in_and_saves_the_ca_file(tls_user: CyrusServer, home: Path, run: Run,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tls_user.ca_file.parent))  # `~` is expanded and saved absolute
    url = imaps_url(tls_user)
    result = run("mail", "setup", url, "--password-env", PASSWORD_ENV, "--verify", f"~/{tls_user.ca_file.name}")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == f"Mail set up: {url} (password from env {PASSWORD_ENV}).\n" + set_up(tls_user)
    assert (home / "config.toml").read_text() == (
        f'timezone = "{USER_TZ}"\n\n[mail]\nurl = "{url}"\npassword_env = "{PASSWORD_ENV}"\n'
        f'verify = "{tls_user.ca_file}"\n')
    checked = run("mail", "setup", "--check")
    assert (checked.exit_code, checked.stderr) == (0, "")
    no_secret(result, tls_user)


def test_a_relative_ca_file_is_saved_absolute(tls_user: CyrusServer, home: Path, run: Run,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tls_user.ca_file.parent)
    result = run("mail", "setup", imaps_url(tls_user), "--password-env", PASSWORD_ENV,
                 "--verify", tls_user.ca_file.name)
    assert (result.exit_code, result.stderr) == (0, "")
    assert f'verify = "{tls_user.ca_file}"\n' in (home / "config.toml").read_text()


def test_setup_with_no_verify_warns_once_and_saves_false(tls_user: CyrusServer, home: Path, run: Run) -> None:
    url = imaps_url(tls_user)
    result = run("mail", "setup", url, "--password-env", PASSWORD_ENV, "--no-verify")
    assert result.exit_code == 0
    assert result.stdout == f"Mail set up: {url} (password from env {PASSWORD_ENV}).\n" + set_up(tls_user)
    assert result.stderr == (f"Warning: the TLS certificate of localhost:{tls_user.imaps_port} is not checked"
                             " (--no-verify): the connection is encrypted, but anyone on the way can pose as"
                             " the server and read your password\n")
    assert (home / "config.toml").read_text().endswith(f'password_env = "{PASSWORD_ENV}"\nverify = false\n')
    checked = run("mail", "setup", "--check")
    assert (checked.exit_code, checked.stderr) == (0, "")


def test_setting_up_again_keeps_what_the_command_does_not_give(tls_user: CyrusServer, home: Path, run: Run,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A new password source keeps the CA file, the timeout, the folders and the address the
    user wrote; comments and the other tables stay as they were."""
    tls_user.make_mailbox("Jobs")
    url = imaps_url(tls_user)
    head = f'# my settings\ntimezone = "{USER_TZ}"\nname = "Sam Carter"\n\n'
    tail = '\n[feed]  # the feed\nkeep_days = 10\n'
    (home / "config.toml").write_text(
        head + f'[mail]\nurl = "{url}"\npassword_command = "false"\naddress = "{ME}"\n'
        f'folders = ["INBOX", "Jobs"]\nverify = "{tls_user.ca_file}"  # the NAS CA\ntimeout = 10\n' + tail)
    monkeypatch.setenv("OTHER_ENV", tls_user.password)
    result = run("mail", "setup", url, "--password-env", "OTHER_ENV")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (f"Mail set up: {url} (password from env OTHER_ENV).\n"
                             "  kept from the earlier set-up: address, folders, verify, timeout\n"
                             + set_up(tls_user, "INBOX, Jobs"))
    # Rewritten in place: the unchanged lines keep their comments; the new source takes the old's place.
    assert (home / "config.toml").read_text() == head + (
        f'[mail]\nurl = "{url}"\naddress = "{ME}"\nfolders = ["INBOX", "Jobs"]\n'
        f'verify = "{tls_user.ca_file}"  # the NAS CA\ntimeout = 10\npassword_env = "OTHER_ENV"\n') + tail
    # What the command gives wins: verification off, one folder; the rest stays.
    result = run("mail", "setup", url, "--no-verify", "--folder", "INBOX")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1] == "  kept from the earlier set-up: password_env, address, timeout"
    assert (home / "config.toml").read_text() == head + (
        f'[mail]\nurl = "{url}"\naddress = "{ME}"\nverify = false\ntimeout = 10\npassword_env = "OTHER_ENV"\n'
    ) + tail
    # …and a new CA file: the check goes with it.
    result = run("mail", "setup", url, "--verify", str(tls_user.ca_file))
    assert (result.exit_code, result.stderr) == (0, "")
    assert f'verify = "{tls_user.ca_file}"\ntimeout = 10\n' in (home / "config.toml").read_text()
