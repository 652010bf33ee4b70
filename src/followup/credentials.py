"""Passwords for remotes and the mailbox: from an environment variable, a command, or the system keyring
(the optional `keyring` package). They are never written to the config or the database,
and no message ever shows one.
"""

from __future__ import annotations

import os
from typing import Any

from followup.config import MailSettings, Remote
from followup.errors import FollowupError, UsageError

KEYRING_SERVICE = "followup"
COMMAND_TIMEOUT = 60



def _keyring() -> Any:
    try:
        import keyring  # optional
    except Exception:  # noqa: BLE001 - any failure to load means "no keyring"
        return None
    return keyring


def password(remote: Remote) -> str | None:
    """The remote's password: environment variable, command, keyring, else None.

    The errors say where the password should have come from, never what it is.
    """
    return _secret(f"remote '{remote.name}'", remote.name, remote.username,
                   remote.password_env, remote.password_command)


def mail_password(mail: MailSettings) -> str | None:
    """The mailbox's password, found as a remote's is; the keyring entry is "followup:mail"."""
    return _secret("mail", mail.name, mail.username, mail.password_env, mail.password_command)


def _secret(label: str, entry: str, username: str | None, env: str | None,
            command: str | None) -> str | None:
    if env:
        value = os.environ.get(env)
        if value is None:
            raise FollowupError(f"{label}: the environment variable {env} "
                                "(its password_env) is not set")
        return value
    if command:
        import shlex
        import subprocess  # loaded here: every writing command loads this module

        try:
            args = shlex.split(command)
        except ValueError as exc:
            raise UsageError(f"{label}: cannot parse password_command: {exc}") from None
        if not args:
            raise UsageError(f"{label}: password_command is empty")
        try:
            done = subprocess.run(args, shell=False, capture_output=True, text=True,
                                  timeout=COMMAND_TIMEOUT, stdin=subprocess.DEVNULL)
        except FileNotFoundError:
            raise FollowupError(f"{label}: the password command {args[0]!r} was not found") \
                from None
        except subprocess.TimeoutExpired:
            raise FollowupError(f"{label}: the password command {args[0]!r} did not finish "
                                f"within {COMMAND_TIMEOUT} s") from None
        except OSError as exc:
            raise FollowupError(f"{label}: cannot run the password command {args[0]!r}: "
                                f"{exc.strerror or exc}") from None
        if done.returncode != 0:
            why = (done.stderr or "").strip().splitlines()
            detail = f": {why[-1][:200]}" if why else ""
            raise FollowupError(f"{label}: the password command {args[0]!r} failed "
                                f"(exit {done.returncode}){detail}")
        value = done.stdout.strip()
        if not value:
            raise FollowupError(f"{label}: the password command {args[0]!r} printed nothing")
        return value
    keyring = _keyring()
    if keyring is None or not username:
        return None
    try:
        found = keyring.get_password(f"{KEYRING_SERVICE}:{entry}", username)
        return str(found) if found is not None else None
    except Exception as exc:  # noqa: BLE001 - a locked or missing backend
        raise FollowupError(f"{label}: cannot read the password from the system keyring: "
                            f"{type(exc).__name__}") from None




def password_source(remote: Remote | MailSettings) -> str:
    """Where the password comes from, for `remote list` and `mail setup` (never the password)."""
    if isinstance(remote, Remote) and remote.kind == "vdir":
        return "-"
    if remote.password_env:
        return f"env {remote.password_env}"
    if remote.password_command:
        return "command"
    return "keyring" if _keyring() is not None else "none"
