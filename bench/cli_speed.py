"""Wall time of the everyday commands with 1,000 interviews in a temporary FOLLOWUP_HOME.

    python bench/cli_speed.py [--interviews 1000] [--repeat 5]

Prints the median and best of each command. Aims (issue 2): --help < 0.1 s,
list --json < 0.25 s, export < 1 s. Figures only: nothing here asserts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ZONES = ("Europe/London", "America/New_York", "Europe/Berlin", "Asia/Tokyo")


def sample_file(folder: Path, count: int) -> Path:
    start = dt.datetime(2026, 12, 1, 9, 0)
    lines = []
    for n in range(count):
        at = start + dt.timedelta(days=n // 6, hours=(n % 6))
        lines += [
            "[[interview]]",
            f'company = "Company {n}"',
            f'role = "Role {n % 17}"',
            f'at = "{at:%Y-%m-%d %H:%M}"',
            f'tz = "{ZONES[n % len(ZONES)]}"',
            'interviewers = ["Jane Doe <jane@example.com>", "Bo Li <bo@example.com>"]',
            "",
        ]
    path = folder / "interviews.toml"
    path.write_text("\n".join(lines))
    return path


def timed(args: list[str], env: dict[str, str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        begin = time.perf_counter()
        subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - begin)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interviews", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    # The script beside this interpreter: a version manager's shim (pyenv) on PATH would add
    # its own start-up time to every figure.
    beside = Path(sys.executable).parent / "followup"
    exe = str(beside) if beside.exists() else shutil.which("followup")
    if exe is None:
        raise SystemExit("followup is not installed: pip install -e .")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = {**os.environ, "FOLLOWUP_HOME": str(folder), "FOLLOWUP_NOW": "2026-11-28T12:00:00+00:00"}
        source = sample_file(folder, options.interviews)
        [load] = timed([exe, "import", str(source)], env, 1)
        items = subprocess.run([exe, "list", "--all", "--json"], env=env, check=True,
                               capture_output=True, text=True).stdout.count('"uid"')
        print(f"import of {options.interviews} interviews ({items} tasks): {load:.2f} s")
        for label, args in (
            ("followup --help", [exe, "--help"]),
            ("followup list --json", [exe, "list", "--json"]),
            ("followup list", [exe, "list"]),
            ("followup export", [exe, "export", "-o", str(folder / "out.ics")]),
            ("python -c pass (the interpreter alone)", [sys.executable, "-c", "pass"]),
            ("followup done (1 item, rewrites the calendar)", None),
        ):
            if args is None:
                times = []
                for ref in range(2, 2 + options.repeat):
                    [t] = timed([exe, "done", str(ref)], env, 1)
                    times.append(t)
            else:
                times = timed(args, env, options.repeat)
            print(f"{label:48s} median {statistics.median(times):.3f} s  best {min(times):.3f} s")
        size = (folder / "out.ics").stat().st_size
        print(f"export size: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
