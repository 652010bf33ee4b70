"""How the cost of everyday commands grows with the calendar, against todoman on the same tasks.

    python bench/scale_bench.py [--sizes 100,1000,5000] [--repeat 3] [--csv-rows 0]

For each size: imports that many interviews (bench/cli_speed.py's sample) into a temporary
FOLLOWUP_HOME, then times `done` and `undo` (one item: re-plans one interview and brings the
calendar file up to date), `export -o`, and a push of the whole calendar to a new vdir
folder; with todoman installed (`pip install todoman`), its `list` and `done` on that same
folder of tasks. Each figure is a separate process: CPU seconds (user + system), wall
seconds and peak memory from the kernel's accounting of that process (wait4); `import`
(each into an empty home), `done`, `undo` and `export` are the median of `--repeat` runs.
followup's bytecode is written first, as `pip install` does (compiled_like_an_install).

The table gives each figure at each size, its CPU ratio to the first size (issue 14: a
one-interview change should cost the same at 100 and 5,000 interviews, within 1.5x, with
flat memory), wall / CPU of the push (within 2x: the disk waits are few), and followup /
todoman for the same task. CPU time is the figure to compare on a shared machine: wall
time counts the waits for other processes too; the load average is printed with it.
Figures only: nothing here asserts.
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
Figure = tuple[float, float, float]  # CPU s, wall s, peak MB


def measure(args: list[str], env: dict[str, str]) -> Figure:
    """(CPU s, wall s, peak memory MB) of one process."""
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
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024


def median(runs: list[Figure]) -> Figure:
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


def one_size(size: int, repeat: int, exe: str, todo: str | None, csv_rows: int, push: bool
             ) -> tuple[dict[str, Figure], int]:
    figures: dict[str, Figure] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        home = folder / "home"
        home.mkdir()
        env = {**os.environ, "FOLLOWUP_HOME": str(home), "FOLLOWUP_NOW": NOW,
               "FOLLOWUP_OFFLINE": "1"}
        env.pop("FOLLOWUP_CHECK_RENDER", None)
        sample = sample_file(folder, size)
        imports = []
        for _ in range(repeat):  # each into an empty home; the last one stays for the rest
            shutil.rmtree(home)
            home.mkdir()
            imports.append(measure([exe, "import", str(sample)], env))
        figures["import"] = median(imports)
        # A different open task each time, spread over the calendar: ids 2, 15, 28, ... are
        # thank-you notes (13 items an interview).
        refs = [str(2 + 13 * (n * size // max(repeat, 1))) for n in range(repeat)]
        figures["done (one item)"] = median([measure([exe, "done", ref], env) for ref in refs])
        figures["undo (one item)"] = median([measure([exe, "undo", ref], env) for ref in refs])
        figures["export -o"] = median(
            [measure([exe, "export", "-o", str(folder / "out.ics")], env) for _ in range(repeat)])
        if csv_rows:
            cenv = {**env, "FOLLOWUP_HOME": str(folder / "csv-home")}
            figures[f"import (CSV, {csv_rows} rows)"] = measure(
                [exe, "import", str(csv_file(folder, csv_rows))], cenv)
        if not push:
            return figures, 0
        measure([exe, "remote", "add", "folder", "--vdir", str(folder / "vdir")], env)
        figures["push to a vdir"] = measure([exe, "sync", "folder"], env)
        files = len(os.listdir(folder / "vdir"))
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
    return figures, files


def compiled_like_an_install() -> None:
    """Write followup's bytecode first, as `pip install` does. An editable install run with
    PYTHONDONTWRITEBYTECODE=1 (this machine sets it) compiles every module again on every
    run: about 0.2 s of each command's CPU that no installed copy pays."""
    import followup

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(followup.__file__).parent)],
                   check=True, stdout=subprocess.DEVNULL)


def cell(figure: Figure) -> str:
    cpu, wall, mb = figure
    return f"{cpu:.2f} s CPU ({wall:.2f} s wall), {mb:.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-push-at", default="",
                        help="sizes without the vdir push and todoman (they take long)")
    parser.add_argument("--no-todoman", action="store_true")
    parser.add_argument("--csv-rows", type=int, default=0,
                        help="also import a CSV of this many rows (once, at the first size)")
    options = parser.parse_args()
    beside = Path(sys.executable).parent / "followup"
    exe = str(beside) if beside.exists() else shutil.which("followup")
    if exe is None:
        raise SystemExit("followup is not installed: pip install -e .")
    todo_beside = Path(sys.executable).parent / "todo"
    todo = str(todo_beside) if todo_beside.exists() else shutil.which("todo")
    if options.no_todoman:
        todo = None
    no_push = {int(s) for s in options.no_push_at.split(",") if s}
    compiled_like_an_install()
    sizes = [int(s) for s in options.sizes.split(",")]
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())},"
          f" {os.cpu_count()} cores")
    results: dict[int, dict[str, Figure]] = {}
    files: dict[int, int] = {}
    for number, size in enumerate(sizes):
        results[size], files[size] = one_size(size, options.repeat, exe, todo,
                                              options.csv_rows if number == 0 else 0,
                                              size not in no_push)
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    base = sizes[0]
    print(f"\n| task | {' | '.join(f'{s:,} interviews' for s in sizes)} |"
          f" {' | '.join(f'CPU {s:,} / {base:,}' for s in sizes[1:])} |")
    print("|---" * (len(sizes) * 2) + "|")
    for label in results[base]:
        cells = [cell(results[s][label]) if label in results[s] else "" for s in sizes]
        ratios = [f"{results[s][label][0] / results[base][label][0]:.2f}×"
                  if label in results[s] else "" for s in sizes[1:]]
        print(f"| {label} | {' | '.join(cells)} | {' | '.join(ratios)} |")
    print(f"| files pushed | {' | '.join(f'{files[s]:,}' if files[s] else '' for s in sizes)} |"
          f" {' | '.join('' for _ in sizes[1:])} |")
    pushes = [results[s].get("push to a vdir") for s in sizes]
    print(f"| push: wall / CPU | {' | '.join(f'{p[1] / p[0]:.2f}×' if p else '' for p in pushes)} |"
          f" {' | '.join('' for _ in sizes[1:])} |")
    if todo is not None:
        for ours, theirs in (("done (one item)", "todoman: done (one item)"),):
            ratios = [f"{results[s][ours][0] / results[s][theirs][0]:.2f}×"
                      if theirs in results[s] else "" for s in sizes]
            print(f"| {ours}: followup / todoman (CPU) | {' | '.join(ratios)} |"
                  f" {' | '.join('' for _ in sizes[1:])} |")


if __name__ == "__main__":
    main()
