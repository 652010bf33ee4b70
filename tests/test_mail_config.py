"""The `[mail]` table of config.toml: parsed and checked once; `mail setup` rewrites only it."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followup.config import MailSettings, parse_config, parse_mail
from followup.config_edit import _table, save_mail
from followup.credentials import mail_password
from followup.errors import FollowupError, UsageError


def test_the_url_gives_login_host_port_and_the_users_address() -> None:
    mail = parse_mail({"mail": {"url": "imaps://sam@gmail.com@imap.gmail.com"}})
    assert mail is not None
    assert (mail.parts, mail.me) == ((True, "sam@gmail.com", "imap.gmail.com", 993), "sam@gmail.com")
    local = parse_mail({"mail": {"url": "imap://u7@127.0.0.1:1143", "address": "Sam@Carter.example",
                                 "folders": "Jobs", "timeout": 5}})
    assert local == MailSettings(url="imap://u7@127.0.0.1:1143", address="Sam@Carter.example",
                                 folders=("Jobs",), timeout=5)
    assert (local.parts, local.me) == ((False, "u7", "127.0.0.1", 1143), "sam@carter.example")
    assert parse_mail({"mail": {"url": "imap://u@[::1]:1143"}}) is not None
    assert parse_mail({"mail": {"url": "imap://u@localhost"}}) is not None
    assert parse_mail({}) is None


@pytest.mark.parametrize(("table", "message"), [
    ({"url": "imap://u@10.0.0.5"}, "config.toml: [mail]: imap://10.0.0.5 is not encrypted; use imaps:// (IMAP"
     " over TLS). Plain IMAP is only allowed to this machine (127.0.0.1, ::1, localhost)"),
    ({"url": "imaps://u@h", "password": "x"}, "config.toml: [mail]: a password must not be written in the"
     " config; use password_env, password_command or the system keyring"),
    ({"password_env": "X"}, "config.toml: [mail]: 'url' is missing; `followup mail setup` writes it"),
    ({"url": "imaps://u@h", "password_env": "A", "password_command": "b"},
     "config.toml: [mail]: give password_env or password_command, not both"),
    ({"url": "imaps://u@h", "folders": []}, "config.toml: [mail]: 'folders' must be a list of folder names"),
    ({"url": "imaps://u@h", "timeout": 0}, "config.toml: [mail]: 'timeout' must be a positive number of seconds"),
    ({"url": "imaps://u@h", "address": "sam"}, "config.toml: [mail]: 'address' 'sam' is not an email address"),
    ({"url": "imaps://u@h", "smtp": "x"}, "config.toml: [mail]: unknown key 'smtp'; the keys are: address,"
     " drafts, folders, password_command, password_env, timeout, url, verify"),
    ({"url": "imaps://u@h:99999"}, "config.toml: [mail]: 'imaps://u@h:99999' is not a valid mail URL; write it"
     " as imaps://USER@HOST[:PORT]"),
])
def test_what_is_refused(table: dict, message: str) -> None:
    with pytest.raises(UsageError) as exc:
        parse_mail({"mail": table})
    assert str(exc.value) == message


def test_a_config_with_mail_is_read_whole(tmp_path: Path) -> None:
    config = parse_config({"timezone": "Europe/London", "mail": {"url": "imaps://sam@h.example"}},
                          tmp_path / "config.toml", tmp_path)
    assert config.mail == MailSettings(url="imaps://sam@h.example")


def test_save_mail_rewrites_only_its_table(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('# mine\ntimezone = "Europe/London"\n\n[mail]\nurl = "imaps://old@h"\n\n'
                    '[remote.work]\nvdir = "/tmp/x"\n')
    mail = MailSettings(url="imaps://sam@imap.example.org", password_command="pass show mail",
                        folders=("INBOX", "Jobs"))
    save_mail(path, mail)
    assert path.read_text() == ('# mine\ntimezone = "Europe/London"\n\n[mail]\nurl = "imaps://sam@imap.example.org"\n'
                                'password_command = "pass show mail"\nfolders = ["INBOX", "Jobs"]\n\n'
                                '[remote.work]\nvdir = "/tmp/x"\n')


def test_save_mail_keeps_the_tables_comments_and_unchanged_lines(tmp_path: Path) -> None:
    """In place, key by key: the user's comments in [mail] survive a `mail setup` again."""
    path = tmp_path / "config.toml"
    path.write_text('[mail]  # my mailbox\n# the login\nurl = "imaps://old@h"\nfolders = [\n  "INBOX",  # mine\n'
                    '  "Jobs",\n]\nverify = "/etc/ca.pem"  # the NAS CA\ntimeout = 30  # the default, said\n'
                    'password_env = "OLD"\n\n# the feed\n[feed]\nkeep_days = 3')
    save_mail(path, MailSettings(url="imaps://sam@h", password_command="pass mail", folders=("INBOX", "Jobs"),
                                 verify="/etc/ca.pem", drafts="Brouillons"))
    assert path.read_text() == (
        '[mail]  # my mailbox\n# the login\nurl = "imaps://sam@h"\nfolders = [\n  "INBOX",  # mine\n'
        '  "Jobs",\n]\nverify = "/etc/ca.pem"  # the NAS CA\ntimeout = 30  # the default, said\n'
        'password_command = "pass mail"\ndrafts = "Brouillons"\n\n# the feed\n[feed]\nkeep_days = 3')
    save_mail(path, MailSettings(url="imaps://sam@h", verify=False, timeout=5))  # back to defaults: gone
    assert path.read_text() == ('[mail]  # my mailbox\n# the login\nurl = "imaps://sam@h"\nverify = false\n'
                                'timeout = 5\n\n# the feed\n[feed]\nkeep_days = 3')


MAIL_VALUES = st.fixed_dictionaries({}, optional={
    "password_env": st.sampled_from(["MAIL_PW", "OTHER"]),
    "address": st.sampled_from(["sam@carter.example", "s@x.example"]),
    "folders": st.lists(st.sampled_from(["INBOX", "Jobs", "[Gmail]/Sent", 'Quo"te']), min_size=1,
                        unique=True).map(tuple),
    "drafts": st.sampled_from(["Drafts", "[Gmail]/Drafts"]),
    "verify": st.sampled_from([True, False, "/etc/ca.pem", "~/nas ca.pem"]),
    "timeout": st.sampled_from([30, 5, 2.5]),
})


@settings(max_examples=60, deadline=None)
@given(first=MAIL_VALUES, second=MAIL_VALUES)
def test_save_mail_writes_what_it_is_given_and_nothing_else_moves(tmp_path_factory: pytest.TempPathFactory,
                                                                  first: dict[str, Any],
                                                                  second: dict[str, Any]) -> None:
    """Nothing lost: after any set-up and any set-up again, [mail] reads back as the second
    one, and every line outside it is where it was."""
    path = tmp_path_factory.mktemp("config") / "config.toml"
    head, tail = '# mine\ntimezone = "Europe/London"\n\n', '\n# the feed\n[feed]\nkeep_days = 3\n'
    path.write_text(head + '[mail]\n# kept\nurl = "imaps://old@h"\n' + tail)
    for values in (first, second):
        mail = MailSettings(url="imaps://sam@h.example", **values)
        save_mail(path, mail)
        text = path.read_text()
        assert parse_mail(tomllib.loads(text)) == mail
        assert text.startswith(head + "[mail]\n# kept\n") and text.endswith(tail)
        assert text.count("\n") == (head + tail).count("\n") + 1 + len(_table("mail", mail, MailSettings(url="")).splitlines())


def test_the_password_comes_from_the_environment_and_is_never_told(monkeypatch: pytest.MonkeyPatch) -> None:
    mail = MailSettings(url="imaps://sam@h", password_env="FOLLOWUP_TEST_PW")
    monkeypatch.setenv("FOLLOWUP_TEST_PW", "Pa55word")
    assert mail_password(mail) == "Pa55word"
    monkeypatch.delenv("FOLLOWUP_TEST_PW")
    with pytest.raises(FollowupError) as exc:
        mail_password(mail)
    assert str(exc.value) == "mail: the environment variable FOLLOWUP_TEST_PW (its password_env) is not set"


def test_a_database_from_before_mail_gets_the_mail_tables(tmp_path: Path) -> None:
    import sqlite3

    from followup.store import MIGRATIONS, SCHEMA_VERSION, Store

    path = tmp_path / "followup.db"
    db = sqlite3.connect(path)
    for step in MIGRATIONS[:2]:
        for statement in step.split(";"):
            if statement.strip():
                db.execute(statement)
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    store = Store(path)
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION  # mail is step 3
    tables = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"mail_folders", "mail_drafts", "mail_invitations", "mail_threads"} <= tables
    store.close()
