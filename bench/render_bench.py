"""CPU of rendering the items of an import, alone (issue 14 item 2).

    python bench/render_bench.py [--interviews 1000] [--repeat 5] [--file interviews.toml]

Imports the interviews (bench/cli_speed.py's sample, or --file) into a temporary
FOLLOWUP_HOME in this process, keeping every (item, revision) the import renders; then
renders them all again `--repeat` times, each time from empty caches as a fresh process
would, and prints the median CPU seconds, per component, and icalendar's own `to_ical()`
on the same components for comparison. Figures only: nothing here asserts.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cli_speed import sample_file  # noqa: E402

NOW = "2026-11-28T12:00:00+00:00"


def captured(path: Path, home: Path) -> list[tuple[Any, ...]]:
    """The arguments of every render_item call of `followup import path`."""
    os.environ.update(FOLLOWUP_HOME=str(home), FOLLOWUP_NOW=NOW, FOLLOWUP_OFFLINE="1")
    os.environ.pop("FOLLOWUP_CHECK_RENDER", None)
    from followup.app import service
    from followup.cli import cli

    calls: list[tuple[Any, ...]] = []
    real = service.render_item

    def keep(*args: Any) -> tuple[str | None, str]:
        calls.append(args)
        return real(*args)

    service.render_item = keep  # type: ignore[assignment]
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            cli.main(["import", str(path)], prog_name="followup")
    except SystemExit as exc:
        if exc.code:
            raise
    finally:
        service.render_item = real  # type: ignore[assignment]
    return calls


def fresh() -> None:
    """Empty every cache of the fast render, as in a new process."""
    from followup.core import serialise

    for name in dir(serialise):
        value = getattr(serialise, name)
        if isinstance(value, dict) and name.startswith("_") and not name.startswith("__"):
            value.clear()


def timed(calls: list[tuple[Any, ...]]) -> float:
    from followup.core.render import render_item

    fresh()
    begin = time.process_time()
    for args in calls:
        render_item(*args)
    return time.process_time() - begin


def library(calls: list[tuple[Any, ...]]) -> float:
    """icalendar's own Component.add + to_ical() for the same components."""
    from followup.core import render

    begin = time.process_time()
    for item, meta, shown in calls:
        if item.kind == "task":
            render.component_text(render.todo(item, meta))
        render.component_text(render.event(shown or item, meta))
    return time.process_time() - begin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interviews", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--file", type=Path, help="a TOML or CSV to import instead")
    parser.add_argument("--library", action="store_true", help="also time icalendar's to_ical()")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.file or sample_file(Path(folder), args.interviews)
        home = Path(folder) / "home"
        home.mkdir()
        calls = captured(path.resolve(), home)
    components = sum(2 if item.kind == "task" else 1 for item, _, _ in calls)
    runs = [timed(calls) for _ in range(args.repeat)]
    cpu = statistics.median(runs)
    print(f"{len(calls)} items, {components} components")
    print(f"render_item: {cpu:.3f} s CPU (median of {args.repeat}; best {min(runs):.3f}),"
          f" {cpu / components * 1e6:.1f} us per component")
    if args.library:
        lib = library(calls)
        print(f"icalendar to_ical(): {lib:.3f} s CPU, {lib / components * 1e6:.1f} us per"
              f" component ({lib / cpu:.1f}x)")


if __name__ == "__main__":
    main()
