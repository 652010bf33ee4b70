"""The skip-or-fail rule for tests that need a server from a system package.

A server fixture calls :func:`require` before it starts anything::

    require(shutil.which("saslpasswd2") is not None, "sasl2-bin", "Cyrus users (saslpasswd2)")

When the condition is false the test is skipped with a reason that names the Debian
package, e.g. "Cyrus users (saslpasswd2) needs the Debian package sasl2-bin (run
tests/system_packages.py as root)".  With FOLLOWUP_REQUIRE_SERVERS=1 in the environment
(CI, or a release check) the same text fails the test instead, so a machine that was
meant to have every server cannot pass by skipping.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import NoReturn

import pytest

REQUIRE_ENV = "FOLLOWUP_REQUIRE_SERVERS"


def servers_required() -> bool:
    """True when a missing server must fail the test rather than skip it."""
    return os.environ.get(REQUIRE_ENV, "") == "1"


def missing_reason(package: str, why: str) -> str:
    return f"{why} needs the Debian package {package} (run tests/system_packages.py as root)"


def unavailable(package: str, why: str) -> NoReturn:
    """Skip the test, or fail it when FOLLOWUP_REQUIRE_SERVERS=1."""
    reason = missing_reason(package, why)
    if servers_required():
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def require(condition: object, package: str, why: str) -> None:
    """Go on only if ``condition`` holds; else skip (or fail) naming ``package``."""
    if not condition:
        unavailable(package, why)


def log_tail(path: Path, size: int = 4000) -> str:
    """The last ``size`` characters of a server's log, for a failing test's message."""
    try:
        return path.read_text(errors="replace")[-size:]
    except OSError:
        return ""


def stop_process(process: subprocess.Popen, folder: Path, wait: float) -> None:
    """Terminate a server (kill it after ``wait`` seconds) and remove its folder."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(wait)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    shutil.rmtree(folder, ignore_errors=True)
