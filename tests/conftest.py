"""Shared fixtures: a real FOLLOWUP_HOME per test, a pinned clock, the CLI runner."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import settings

# CI (.ci/run) replays the same examples on every run, so a landing fails for its own
# change and never for a case the random search happened upon that day; a developer's run
# keeps searching, which is how the property tests find new cases.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Every render in the suite, in this process and in the processes it starts, is also made by
# icalendar and compared byte for byte with the fast serialiser's (core/serialise.py).
os.environ["FOLLOWUP_CHECK_RENDER"] = "1"

from followup.cli import cli  # noqa: E402 - after the flag above

NOW = "2026-11-28T12:00:00+00:00"
USER_TZ = "Europe/London"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    (folder / "config.toml").write_text(f'timezone = "{USER_TZ}"\n')
    monkeypatch.setenv("FOLLOWUP_HOME", str(folder))
    monkeypatch.setenv("FOLLOWUP_NOW", NOW)
    monkeypatch.delenv("FOLLOWUP_DEBUG", raising=False)
    # The locale of drafts and reports comes from the environment unless the config sets
    # it: pin it, so a test reads the same on every machine.
    for variable in ("LC_ALL", "LC_TIME"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    return folder


Run = Callable[..., Result]


@pytest.fixture
def run(home: Path) -> Run:
    """Invoke the CLI in-process; `now=` moves the pinned clock for one call."""

    def invoke(*args: str, now: str | None = None, input: str | None = None) -> Result:
        env = {"FOLLOWUP_NOW": now} if now else None
        return CliRunner().invoke(cli, list(args), env=env, input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def run_json(run: Run) -> Callable[..., Any]:
    def invoke(*args: str, now: str | None = None) -> Any:
        result = run(*args, "--json", now=now)
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    return invoke


def by_step(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["uid"].split("-", 2)[2]: item for item in items}


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def store_dump(home: Path) -> list[str]:
    """Everything the store holds, as SQL: equal before and after = nothing was written."""
    db = sqlite3.connect(home / "followup.db")
    try:
        return list(db.iterdump())
    finally:
        db.close()
