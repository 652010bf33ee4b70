"""The linters STYLE.md asks for run with the suite: ruff everywhere, mypy strict on the
whole package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True,
                          check=False)


def test_ruff() -> None:
    result = run("ruff", "check", "--no-cache", "src", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_on_the_whole_package() -> None:
    result = run("mypy", "--strict", "--no-incremental", "src/followup")
    assert result.returncode == 0, result.stdout + result.stderr
