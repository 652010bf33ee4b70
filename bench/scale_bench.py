"""How the cost of everyday commands grows with the calendar, against todoman on the same tasks.

    python bench/scale_bench.py [--sizes 100,1000,5000] [--repeat 3] [--csv-rows 0]

For each size: imports that many interviews (bench/cli_speed.py's sample) into a temporary
FOLLOWUP_HOME, times `done` (one item: re-plans one interview and rewrites the calendar
file), `export -o`, and a push of the whole calendar to a vdir folder; with todoman
installed (`pip install todoman`), its `done` and `list` on that same folder of tasks.
Each figure is a separate process: wall and CPU seconds and peak memory from the kernel's
accounting of that process (wait4). The table gives each figure, and its ratio to the
smallest size. Figures only: nothing here asserts.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cli_speed import sample_file  # noqa: E402

NOW = "2026-11-28T12:00:00+00:00"


def measure(args: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """(wall s, CPU s, peak memory MB) of one process."""
    begin = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - begin
    assert proc.stderr is not None
    errors = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{errors}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def median(runs: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    return (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs),
            max(r[2] for r in runs))


def csv_file(folder: Path, count: int) -> Path:
    path = folder / "interviews.csv"
    lines = ["company,role,at,tz,interviewers"]
    lines += [f"Company {n},Role {n % 17},2026-12-{1 + n % 28:02d} {9 + n % 8:02d}:00,"
              f"Europe/London,Jane Doe <jane@example.com>;Bo Li <bo@example.com>"
              for n in range(count)]
    path.write_text("\n".join(lines) + "\n")
    return path


def one_size(size: int, repeat: int, exe: str, todo: str | None, csv_rows: int
             ) -> dict[str, tuple[float, float, float]]:
    figures: dict[str, tuple[float, float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        home = folder / "home"
        home.mkdir()
        env = {**os.environ, "FOLLOWUP_HOME": str(home), "FOLLOWUP_NOW": NOW,
               "FOLLOWUP_OFFLINE": "1"}
        env.pop("FOLLOWUP_CHECK_RENDER", None)
        figures["import (TOML)"] = measure([exe, "import", str(sample_file(folder, size))], env)
        # `done` on a different open task each time: ids 2, 15, 28, ... are thank-you notes
        # of interviews spread over the calendar.
        figures["done (one item)"] = median(
            [measure([exe, "done", str(2 + 13 * (n * size // max(repeat, 1)))], env)
             for n in range(repeat)])
        figures["undo (one item)"] = median(
            [measure([exe, "undo", str(2 + 13 * (n * size // max(repeat, 1)))], env)
             for n in range(repeat)])
        figures["export -o"] = median(
            [measure([exe, "export", "-o", str(folder / "out.ics")], env) for _ in range(repeat)])
        measure([exe, "remote", "add", "folder", "--vdir", str(folder / "vdir")], env)
        files = 0
        figures["push to a vdir"] = measure([exe, "sync", "folder"], env)
        files = len(os.listdir(folder / "vdir"))
        print(f"  {size} interviews: {files} files in the vdir", file=sys.stderr)
        if todo is not None:
            config = folder / "todoman_config.py"  # todoman loads it as Python
            config.write_text(f'path = "{folder / "vdir"}"\ndate_format = "%Y-%m-%d"\n'
                              'time_format = "%H:%M"\n')
            tenv = {**os.environ, "TODOMAN_CONFIG": str(config),
                    "XDG_CACHE_HOME": str(folder / "cache")}
            measure([todo, "--porcelain", "list"], tenv)  # fills todoman's cache
            figures["todoman: list"] = median(
                [measure([todo, "--porcelain", "list"], tenv) for _ in range(repeat)])
            figures["todoman: done (one item)"] = median(
                [measure([todo, "done", str(1 + n * 7)], tenv) for n in range(repeat)])
        if csv_rows:
            cenv = {**env, "FOLLOWUP_HOME": str(folder / "csv-home")}
            figures[f"import (CSV, {csv_rows} rows)"] = measure(
                [exe, "import", str(csv_file(folder, csv_rows))], cenv)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--csv-rows", type=int, default=0,
                        help="also import a CSV of this many rows (once, at the first size)")
    options = parser.parse_args()
    beside = Path(sys.executable).parent / "followup"
    exe = str(beside) if beside.exists() else shutil.which("followup")
    if exe is None:
        raise SystemExit("followup is not installed: pip install -e .")
    todo_beside = Path(sys.executable).parent / "todo"
    todo = str(todo_beside) if todo_beside.exists() else shutil.which("todo")
    sizes = [int(s) for s in options.sizes.split(",")]
    results = {}
    for number, size in enumerate(sizes):
        results[size] = one_size(size, options.repeat, exe, todo,
                                 options.csv_rows if number == 0 else 0)
    base = sizes[0]
    print(f"| task | {' | '.join(f'{s} interviews' for s in sizes)} |"
          f" {' | '.join(f'{s} / {base}' for s in sizes[1:])} |")
    print("|---" * (1 + 2 * len(sizes) - 1) + "|")
    for label in results[base]:
        cells = []
        for size in sizes:
            if label in results[size]:
                wall, cpu, mb = results[size][label]
                cells.append(f"{wall:.2f} s wall, {cpu:.2f} s CPU, {mb:.0f} MB")
            else:
                cells.append("")
        ratios = []
        for size in sizes[1:]:
            if label in results[size] and label in results[base]:
                ratios.append(f"{results[size][label][0] / results[base][label][0]:.2f}×")
            else:
                ratios.append("")
        print(f"| {label} | {' | '.join(cells)} | {' | '.join(ratios)} |")


if __name__ == "__main__":
    main()
