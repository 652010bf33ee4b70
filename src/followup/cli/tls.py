"""`--verify PATH` and `--no-verify`: how `remote add` and `mail setup` trust a server's TLS
certificate. The login uses it and the table they write keeps it as `verify`.

`--no-verify` rather than `--verify no`: a CA file may well be called "no", a flag cannot
be mistaken for a path, and it reads as the config's `verify = false` does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

from followup.config import ca_file
from followup.errors import UsageError

# The hint an untrusted certificate gets while the command that takes the option runs.
TRUST = "give --verify /path/to/ca.pem"

F = TypeVar("F", bound=Callable[..., object])


def verify_options(command: F) -> F:
    command = click.option(
        "--no-verify", is_flag=True,
        help="Do not check the server's TLS certificate (saved as verify = false).")(command)
    return click.option(
        "--verify", "verify", metavar="PATH",
        help="Trust the CA in this PEM file, for a server whose certificate a private CA"
             " signed (a NAS, a company server); saved as verify = \"PATH\".")(command)


def chosen_verify(verify: str | None, no_verify: bool, tls: bool, scheme: str) -> bool | str | None:
    """What the options ask for: the checked CA file's absolute path, False, or None when
    neither is given. Checked before anything connects: a bad file costs no login."""
    if verify is None and not no_verify:
        return None
    if verify is not None and no_verify:
        raise UsageError("give --verify PATH or --no-verify, not both")
    if not tls:
        raise UsageError(f"--verify and --no-verify are for a server reached over TLS: give"
                         f" an {scheme} URL")
    return False if no_verify else ca_file(verify or "")


def warn_unverified(where: str) -> None:
    click.echo(f"Warning: the TLS certificate of {where} is not checked (--no-verify): the"
               " connection is encrypted, but anyone on the way can pose as the server and"
               " read your password", err=True)
