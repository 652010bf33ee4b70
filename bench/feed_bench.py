"""How fast the feed answers: a cold render, cached GETs, 304s and a burst of polls.

    python bench/feed_bench.py [INTERVIEWS]

Imports INTERVIEWS interviews (default 200, about 2,500 items) into a temporary
FOLLOWUP_HOME, starts the real `followup serve` on a free port and times requests.
"""

from __future__ import annotations

import http.client
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

NOW = "2026-11-28T12:00:00+00:00"


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, str, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        answer = conn.getresponse()
        return answer.status, answer.getheader("ETag") or "", len(answer.read())
    finally:
        conn.close()


def timed(label: str, count: int, call: object) -> None:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        call()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    print(f"{label:<28} median {statistics.median(times):7.2f} ms  max {max(times):7.2f} ms")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        (home / "config.toml").write_text('timezone = "Europe/London"\n')
        rows = "\n".join(
            f'[[interview]]\ncompany = "Company {n}"\nrole = "Engineer"\n'
            f'at = "2026-12-{1 + n % 28:02d} {9 + n % 8:02d}:00"\ntz = "Europe/London"\n'
            f'interviewers = ["Person {n} <p{n}@example.org>"]\n'
            for n in range(count)
        )
        (home / "many.toml").write_text(rows)
        env = {**os.environ, "FOLLOWUP_HOME": folder, "FOLLOWUP_NOW": NOW}
        subprocess.run([sys.executable, "-m", "followup", "import", str(home / "many.toml")],
                       env=env, check=True, capture_output=True)
        out = home / "serve.out"
        with out.open("wb") as stdout:
            server = subprocess.Popen(
                [sys.executable, "-m", "followup", "serve", "--port", "0", "--quiet"],
                stdout=stdout, env=env)
        try:
            while "Serving on" not in out.read_text():
                time.sleep(0.02)
            lines = out.read_text().splitlines()
            port = int(lines[-1].split(":")[2].split()[0])
            path = "/" + lines[1].split("/", 3)[3].strip()
            start = time.perf_counter()
            status, etag, size = get(port, path)
            print(f"{count} interviews, events feed {size / 1024:.0f} KiB, status {status}")
            print(f"{'first GET (renders)':<28} {(time.perf_counter() - start) * 1000:7.2f} ms")
            timed("cached GET", 50, lambda: get(port, path))
            timed("304 (If-None-Match)", 50, lambda: get(port, path, {"If-None-Match": etag}))
            start = time.perf_counter()
            with ThreadPoolExecutor(max_workers=50) as pool:
                answers = list(pool.map(lambda _: get(port, path), range(200)))
            elapsed = time.perf_counter() - start
            assert {a[0] for a in answers} == {200}
            print(f"{'200 concurrent GETs':<28} {elapsed * 1000:7.2f} ms in all")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait()


if __name__ == "__main__":
    main()
