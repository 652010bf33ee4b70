"""Where things live (FOLLOWUP_HOME or the platform's directories) and the TOML config."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from followup.errors import UsageError

APP = "followup"


@dataclass(frozen=True)
class Paths:
    data: Path
    config: Path

    @property
    def database(self) -> Path:
        return self.data / "followup.db"

    @property
    def config_file(self) -> Path:
        return self.config / "config.toml"

    @property
    def calendar_file(self) -> Path:
        return self.data / "followup.ics"


def paths() -> Paths:
    home = os.environ.get("FOLLOWUP_HOME")
    if home:
        folder = Path(home).expanduser()
        return Paths(data=folder, config=folder)
    import platformdirs

    return Paths(
        data=Path(platformdirs.user_data_dir(APP, appauthor=False)),
        config=Path(platformdirs.user_config_dir(APP, appauthor=False)),
    )


@dataclass(frozen=True)
class Config:
    timezone: str | None = None  # the user's zone; None: the system's
    country: str | None = None
    subdivision: str | None = None
    name: str | None = None
    calendar_file: str | None = None
    busy: tuple[str, ...] = ()  # .ics files or vdir folders whose events make the user busy
    playbook: str | None = None  # a TOML file changing the default playbook's timings
    raw: dict[str, Any] = field(default_factory=dict)


def load_config(p: Paths) -> Config:
    path = p.config_file
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError:
        return Config()
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"cannot read the config file {path}: {exc}") from None
    known = {"timezone", "country", "subdivision", "name", "calendar_file", "playbook"}
    values = {k: raw[k] for k in known if k in raw}
    for key, value in values.items():
        if not isinstance(value, str):
            raise UsageError(f"{path}: '{key}' must be a string")
    busy = raw.get("busy", [])
    if isinstance(busy, str):
        busy = [busy]
    if not isinstance(busy, list) or not all(isinstance(b, str) for b in busy):
        raise UsageError(f"{path}: 'busy' must be a list of paths to .ics files or vdir folders")
    return Config(**values, busy=tuple(busy), raw=raw)


def system_timezone() -> str:
    """The IANA name of the machine's zone, or UTC when it cannot be told."""
    env = os.environ.get("TZ", "").lstrip(":")
    if env and "/" in env and not env.startswith("/"):
        return env
    try:
        target = os.path.realpath("/etc/localtime")
        marker = "zoneinfo/"
        if marker in target:
            return target.split(marker, 1)[1]
    except OSError:
        pass
    try:
        name = Path("/etc/timezone").read_text().strip()
        if name:
            return name
    except OSError:
        pass
    return "UTC"
