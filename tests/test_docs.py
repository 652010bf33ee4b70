"""Every command is documented: in the README, and with an example at the end of its help."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from followup.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def commands(group: click.Group, prefix: str = "followup") -> list[tuple[str, click.Command]]:
    found = []
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
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


def test_lazy_commands_show_their_own_first_line_in_the_help() -> None:
    from followup.cli import LAZY_COMMANDS

    context = click.Context(cli)
    for name, (_, line) in LAZY_COMMANDS.items():
        command = cli.get_command(context, name)
        assert command is not None and command.help is not None
        assert command.help.split("\n\n")[0].replace("\n", " ").strip() == line, name


def test_help_lists_every_command_without_loading_the_lazy_ones() -> None:
    import subprocess
    import sys

    code = ("import sys; sys.argv = ['followup', '--help']\n"
            "from followup.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('followup.cli.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.rstrip().endswith("[]")
    for name in ("draft", "edit", "feed", "notes", "publish", "remote", "report", "serve", "snooze", "sync"):
        assert f"\n  {name} " in out


def test_lazy_help_lines_are_cut_like_clicks_own() -> None:
    import warnings

    from followup.cli import LAZY_COMMANDS, _shortened

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        make_default_short_help = getattr(click.utils, "make_default_short_help", None)
    if make_default_short_help is None:
        pytest.skip("this click has no make_default_short_help to compare with")

    for limit in range(15, 120):
        for _, line in LAZY_COMMANDS.values():
            assert _shortened(line, limit) == make_default_short_help(line, limit)


@pytest.mark.parametrize("command", [["list"], ["list", "--json"], ["show", "1"],
                                     ["list", "1", "--week"], ["interviews", "--all"],
                                     ["interviews", "--json"]])
def test_reading_commands_load_neither_the_planner_nor_the_sync_engine(command: list[str], home) -> None:
    import subprocess
    import sys

    code = (f"import sys; sys.argv = ['followup', *{command!r}]\n"
            "from followup.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('followup.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = out.splitlines()[-1]
    for heavy in ("followup.app", "followup.sync", "followup.feed", "followup.core.planner",
                  "followup.core.render", "followup.core.drafts"):
        assert f"'{heavy}" not in loaded, f"{command} loads {heavy}"
    assert "'followup.cli.read'" in loaded  # the check sees the modules a command loads


def test_ci_runs_exactly_the_readme_test_command() -> None:
    root = Path(__file__).resolve().parent.parent
    blocks = README.split("```sh\n")
    test_line = next(b.split("\n", 1)[0] for b in blocks if "python -m pytest" in b.split("\n", 1)[0])
    ci = (root / ".ci" / "run").read_text().splitlines()
    assert test_line in ci
    assert "export FOLLOWUP_REQUIRE_SERVERS=1" in ci
