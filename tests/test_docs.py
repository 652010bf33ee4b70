"""Every command is documented: in the README, and with an example at the end of its help."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from followup.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def commands(group: click.Group, prefix: str = "followup") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found += commands(command, path)
    return found


@pytest.mark.parametrize(("path", "command"), commands(cli), ids=lambda v: v if isinstance(v, str) else "")
def test_command_is_documented(path: str, command: click.Command) -> None:
    assert f"`{path}" in README or f"{path} " in README, f"README never shows `{path}`"
    assert command.help and "Example" in command.help, f"{path} --help has no example"
    example = command.help.split("Example", 1)[1]
    assert path in example, f"the example of {path} does not run {path}"
