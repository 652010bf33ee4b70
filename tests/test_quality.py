"""The linters STYLE.md asks for run with the suite: ruff everywhere, mypy strict on the core."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ["core/model", "core/vocab", "core/playbook", "core/schedule", "core/planner", "core/render", "core/vtimezone", "store",
        "core/inputs", "busy", "sync/remote_calendar", "app/service", "config", "cli/output", "app/importer", "feed/server", "core/drafts", "core/report",
        "sync/engine", "sync/objects", "sync/state", "sync/targets"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True,
                          check=False)


def test_ruff() -> None:
    result = run("ruff", "check", "--no-cache", "src", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_on_the_core() -> None:
    files = [f"src/followup/{name}.py" for name in CORE]
    result = run("mypy", "--strict", "--no-incremental", *files)
    assert result.returncode == 0, result.stdout + result.stderr
