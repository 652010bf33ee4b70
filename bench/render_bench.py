"""CPU of rendering the items of an import, alone (issue 14 item 2).

    python bench/render_bench.py [--interviews 1000] [--repeat 5] [--file interviews.toml]

Imports the interviews (bench/cli_speed.py's sample, or --file) into a temporary
FOLLOWUP_HOME in this process, keeping every (item, revision) the import renders, by
re-plan; then renders them all again `--repeat` times (a re-plan's items in one call, as
the import does), each time from empty caches as a fresh process would, and prints the
median CPU seconds, per component, and icalendar's own `to_ical()` on the same components
for comparison. Figures only: nothing here asserts.
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


Batch = list[tuple[Any, ...]]  # the (item, revision, event form) of one re-plan's items


def captured(path: Path, home: Path) -> list[Batch]:
    """The arguments of every render_items call of `followup import path`: one per re-plan."""
    os.environ.update(FOLLOWUP_HOME=str(home), FOLLOWUP_NOW=NOW, FOLLOWUP_OFFLINE="1")
    os.environ.pop("FOLLOWUP_CHECK_RENDER", None)
    from followup.app import service
    from followup.cli import cli

    batches: list[Batch] = []
    real = service.render_items

    def keep(renders: Batch) -> list[tuple[str | None, str]]:
        batches.append(list(renders))
        return real(renders)

    service.render_items = keep  # type: ignore[assignment]
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            cli.main(["import", str(path)], prog_name="followup")
    except SystemExit as exc:
        if exc.code:
            raise
    finally:
        service.render_items = real  # type: ignore[assignment]
    return batches


def fresh() -> None:
    """Empty every cache of the fast render, as in a new process."""
    from followup.core import render, serialise

    for module in (serialise, render):
        for name in dir(module):
            value = getattr(module, name)
            if isinstance(value, dict) and name.startswith("_") and not name.startswith("__"):
                value.clear()
            elif hasattr(value, "cache_clear") and name.startswith("_"):  # lru_cache
                value.cache_clear()


def timed(batches: list[Batch]) -> float:
    from followup.core.render import render_items

    fresh()
    begin = time.process_time()
    for batch in batches:
        render_items(batch)
    return time.process_time() - begin


def library(batches: list[Batch]) -> float:
    """icalendar's own Component.add + to_ical() for the same components."""
    from followup.core import render

    begin = time.process_time()
    for item, meta, shown in (args for batch in batches for args in batch):
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
        batches = captured(path.resolve(), home)
    items = [args for batch in batches for args in batch]
    components = sum(2 if item.kind == "task" else 1 for item, _, _ in items)
    runs = [timed(batches) for _ in range(args.repeat)]
    cpu = statistics.median(runs)
    print(f"{len(items)} items, {components} components")
    print(f"render_items: {cpu:.3f} s CPU (median of {args.repeat}; best {min(runs):.3f}),"
          f" {cpu / components * 1e6:.1f} us per component")
    if args.library:
        lib = library(batches)
        print(f"icalendar to_ical(): {lib:.3f} s CPU, {lib / components * 1e6:.1f} us per"
              f" component ({lib / cpu:.1f}x)")


if __name__ == "__main__":
    main()
