"""Concurrent runs of the tool never lose an update: real processes, one SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import NOW, Run


def test_parallel_check_offs_all_land(run: Run, run_json, home: Path) -> None:
    for n in range(3):
        assert run("add", "--company", f"Company {n}", "--role", "Dev",
                   "--at", f"2026-12-0{n + 1} 10:00").exit_code == 0
    tasks = [item["id"] for item in run_json("list")]
    env = {**os.environ, "FOLLOWUP_HOME": str(home), "FOLLOWUP_NOW": NOW}
    processes = [
        subprocess.Popen([sys.executable, "-m", "followup", "done", str(ref)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for ref in tasks
    ]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in processes]
    for p in processes:
        p.stdout.close()
        p.stderr.close()
    assert results == [(0, "")] * len(tasks)
    assert run_json("list") == []
    statuses = {item["status"] for item in run_json("list", "--all")}
    assert statuses == {"completed"}
    # Each run wrote the file after its commit, under the store's write lock, from what was
    # committed then: the last one shows every completion, byte for byte a fresh export.
    calendar = (home / "followup.ics").read_bytes()
    assert calendar.count(b"STATUS:COMPLETED") == len(tasks)
    assert calendar.count(b"STATUS:NEEDS-ACTION") == 0
    assert calendar == run("export").stdout_bytes
    assert sorted(p.name for p in home.iterdir() if p.name.startswith(".")) == []
