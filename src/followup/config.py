"""Where things live (FOLLOWUP_HOME or the platform's folders), and config.toml parsed and
checked once, up front: a wrong type anywhere is one line naming the key, for every command.

config.toml (all keys optional):

    timezone = "Europe/London"          # your zone; default: the system's
    country = "GB"                      # or "US-CA"; public holidays are not working days
    hours = "08:00-20:00"               # when you do follow-up work, in your zone
    name = "Sam Carter"                 # signs the drafts
    email = "sam@example.org"           # your address: From and read receipts of .eml drafts
    locale = "en_GB"                    # dates and titles in drafts; default: LC_ALL/LC_TIME/LANG
    language = "de"                     # drafts, titles, report: en (default), de, fr, es
    calendar_file = "~/followup.ics"    # where the full calendar is rewritten
    busy = ["~/work.ics", "remote:work:Work"]
    playbook = "~/my-playbook.toml"     # default: playbook.toml beside this file
    [feed]
    base_url = "https://cal.example.org"
    keep_days = 30                      # ended chains leave the events feed after this
    publish = ["~/public/followup.ics", {path = "~/all.ics", profile = "full"}]
    [remote.NAME]                       # see `followup remote add`
    [mail]                              # see `followup mail setup`
    url = "imaps://sam@imap.example.org"
    password_env = "MAIL_PASSWORD"      # or password_command; else the system keyring
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from followup.core.playbook import DEFAULT_PLAYBOOK, Step, with_changes
from followup.core.schedule import DEFAULT_HOURS, Hours, parse_hours
from followup.core.text import refuse_control
from followup.core.vocab import PROFILES
from followup.core.wording import DEFAULT_LANGUAGE, check_language, check_locale, environment_locale
from followup.errors import UsageError

APP = "followup"
PLAYBOOK_FILE = "playbook.toml"


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


# -- the parts of the config ----------------------------------------------------------------


@dataclass(frozen=True)
class Remote:
    """A CalDAV server (`url`) or a vdir folder (`vdir`) that `followup sync` keeps up to date.

    Passwords never sit here: they come from `password_env`, `password_command` or the
    system keyring (see followup.credentials).
    """

    name: str
    url: str | None = None
    username: str | None = None
    calendar: str | None = None
    tasks_calendar: str | None = None
    password_env: str | None = None
    password_command: str | None = None
    vdir: str | None = None
    auto_push: bool = True
    verify: bool | str = True  # TLS verification; a path names a CA bundle
    timeout: float = 30

    @property
    def kind(self) -> str:
        return "vdir" if self.vdir else "caldav"


@dataclass(frozen=True)
class PublishTarget:
    """A file `[feed] publish` keeps current after every change."""

    path: Path
    profile: str = "events"


@dataclass(frozen=True)
class FeedSettings:
    base_url: str | None = None  # where a reverse proxy makes the feed public
    publish: tuple[PublishTarget, ...] = ()
    # Days an ended chain stays in the events feed: Google drops a feed over 1 MB
    # (CALENDAR_RULES.md rule 24), so finished interviews must leave it.
    keep_days: int = 30


@dataclass(frozen=True)
class MailSettings:
    """The user's own mailbox (`[mail]`): where `followup mail` reads replies and
    invitations and puts drafts. The password never sits here (see credentials.py)."""

    url: str  # imaps://USER@HOST[:PORT]; imap:// only to this machine
    password_env: str | None = None
    password_command: str | None = None
    address: str | None = None  # the user's address when the login is not one
    folders: tuple[str, ...] = ("INBOX",)  # where replies and invitations arrive
    drafts: str | None = None  # the Drafts folder when the server does not flag one
    verify: bool | str = True  # TLS verification; a path names a CA bundle
    timeout: float = 30

    name = "mail"  # the keyring entry is "followup:mail"

    @property
    def parts(self) -> tuple[bool, str, str, int]:
        """(TLS, login, host, port), from the checked URL."""
        return mail_url(self.url)

    @property
    def username(self) -> str:
        return self.parts[1]

    @property
    def me(self) -> str | None:
        """The user's own address: `address`, else the login when it is one."""
        if self.address:
            return self.address.lower()
        return self.username.lower() if "@" in self.username else None


@dataclass(frozen=True)
class Config:
    timezone: str | None = None  # the user's zone; None: the system's
    country: str | None = None
    subdivision: str | None = None
    name: str | None = None
    email: str | None = None  # the user's own address
    locale: str | None = None  # None: the environment's (see `user_locale`)
    language: str = DEFAULT_LANGUAGE
    calendar_file: str | None = None
    busy: tuple[str, ...] = ()  # .ics files, vdir folders or remote:NAME[:CALENDAR]
    hours: Hours = DEFAULT_HOURS  # when the user does follow-up work (PLAYBOOK.md, rule 2)
    playbook: str | None = None  # a TOML file changing the default playbook's timings
    feed: FeedSettings = FeedSettings()
    remotes: Mapping[str, Remote] = field(default_factory=dict)
    mail: MailSettings | None = None
    steps: tuple[Step, ...] = DEFAULT_PLAYBOOK  # the playbook with the user's changes
    file: Path = Path("config.toml")

    @property
    def user_tz(self) -> str:
        return self.timezone or system_timezone()

    @property
    def user_locale(self) -> str:
        """The configured locale, else the environment's (LC_ALL, LC_TIME, LANG), else en_US."""
        return self.locale or environment_locale(os.environ)


# -- reading ----------------------------------------------------------------------------------

_TEXT_KEYS = ("timezone", "country", "subdivision", "name", "email", "locale", "language",
              "calendar_file", "playbook")
_KEYS = (*_TEXT_KEYS, "busy", "hours", "feed", "remote", "mail")
REMOTE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}\Z")
_REMOTE_TEXT = ("url", "username", "calendar", "tasks_calendar", "password_env",
                "password_command", "vdir")


def load_config(p: Paths) -> Config:
    """The whole config and the user's playbook, checked; a missing file gives the defaults."""
    path = p.config_file
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError:
        raw = {}
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the config file {path}: {exc}") from None
    except RecursionError:  # tomllib recurses once per level of nesting
        raise UsageError(f"cannot read the config file {path}: nested too deeply") from None
    return parse_config(raw, path, p.config)


def parse_config(raw: Mapping[str, Any], path: Path, folder: Path | None = None) -> Config:
    unknown = sorted(set(raw) - set(_KEYS))
    if unknown:
        raise UsageError(f"{path}: unknown setting '{unknown[0]}'; the settings are: "
                         + ", ".join(sorted(_KEYS)))
    values: dict[str, str] = {}
    for key in _TEXT_KEYS:
        if key in raw:
            if not isinstance(raw[key], str):
                raise UsageError(f"{path}: '{key}' must be a string")
            try:
                values[key] = refuse_control(raw[key], f"setting '{key}'")
            except UsageError as exc:
                raise UsageError(f"{path}: {exc}") from None
    if "timezone" in values:
        values["timezone"] = _zone(values["timezone"], path)
    for key, check in (("locale", check_locale), ("language", check_language)):
        if key in values:
            try:
                values[key] = check(values[key])
            except ValueError as exc:
                raise UsageError(f"{path}: '{key}': {exc}") from None
    if "email" in values and not re.fullmatch(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+",
                                              values["email"].strip()):
        raise UsageError(f"{path}: 'email' {values['email']!r} is not an email address")
    if "country" in values:
        code, _, subdivision = values["country"].strip().partition("-")
        values["country"] = _country(code, path)
        if subdivision:
            values["subdivision"] = subdivision.upper()
    hours = DEFAULT_HOURS
    if "hours" in raw:
        if not isinstance(raw["hours"], str):
            raise UsageError(f'{path}: \'hours\' must be a string such as "08:00-20:00"')
        try:
            hours = parse_hours(raw["hours"])
        except UsageError as exc:
            raise UsageError(f"{path}: 'hours': {exc}") from None
    busy = raw.get("busy", [])
    if isinstance(busy, str):
        busy = [busy]
    if not isinstance(busy, list) or not all(isinstance(b, str) for b in busy):
        raise UsageError(f"{path}: 'busy' must be a list of paths to .ics files or vdir folders")
    folder = folder if folder is not None else path.parent
    playbook_path = (Path(values["playbook"]).expanduser() if "playbook" in values
                     else folder / PLAYBOOK_FILE)
    steps = load_steps(playbook_path, required="playbook" in values)
    return Config(**values, busy=tuple(busy), hours=hours, feed=_feed(raw.get("feed", {}), path),
                  remotes=parse_remotes(raw, path), mail=parse_mail(raw, path), steps=steps,
                  file=path)


def load_steps(path: Path, required: bool) -> tuple[Step, ...]:
    """The default playbook with the changes of the user's playbook.toml."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if required:
            raise UsageError(f"no playbook file {path}") from None
        return DEFAULT_PLAYBOOK
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the playbook {path}: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"cannot read the playbook {path}: {exc}") from None
    except RecursionError:
        raise UsageError(f"cannot read the playbook {path}: nested too deeply") from None
    return with_changes(data, str(path))


def _zone(name: str, path: Path) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    text = name.strip()
    try:
        if not text or text.startswith("/") or ".." in text or "\x00" in text:
            raise ValueError
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise UsageError(f"{path}: 'timezone' {name!r} is not a time zone; use an IANA name "
                         "such as Europe/London or America/New_York") from None
    return text


def _country(code: str, path: Path) -> str:
    # pytz's ISO 3166 table is cheap to load; which holidays a country has is looked up
    # only when a plan needs them (the holidays package costs a tenth of a second).
    import pytz

    upper = code.strip().upper()
    if upper not in pytz.country_names:
        raise UsageError(f"{path}: 'country' {code!r} is not a country; use an ISO 3166 code "
                         "such as GB, US or DE")
    return upper


def check_base_url(text: str) -> str:
    url = text.strip().rstrip("/")
    if not re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", url):
        raise UsageError(f"base URL {text!r} must look like https://cal.example.org")
    return url


def _feed(section: Any, path: Path) -> FeedSettings:
    if not isinstance(section, dict):
        raise UsageError(f"{path}: 'feed' must be a table ([feed])")
    unknown = sorted(set(section) - {"base_url", "publish", "keep_days"})
    if unknown:
        raise UsageError(f"{path}: unknown setting '{unknown[0]}' in [feed];"
                         " use base_url, publish, keep_days")
    keep_days = section.get("keep_days", FeedSettings.keep_days)
    if isinstance(keep_days, bool) or not isinstance(keep_days, int) or not 0 <= keep_days <= 3650:
        raise UsageError(f"{path}: [feed] keep_days must be a whole number of days from 0 to 3650")
    base_url = section.get("base_url")
    if base_url is not None:
        if not isinstance(base_url, str):
            raise UsageError(f"{path}: [feed] base_url must be a string")
        base_url = check_base_url(base_url)
    entries = section.get("publish", [])
    if isinstance(entries, str):
        entries = [entries]
    if not isinstance(entries, list):
        raise UsageError(f"{path}: [feed] publish must be a list of paths")
    targets = []
    for entry in entries:
        if isinstance(entry, str):
            target, profile = entry, "events"
        elif isinstance(entry, dict) and isinstance(entry.get("path"), str):
            target, profile = entry["path"], entry.get("profile", "events")
        else:
            raise UsageError(f"{path}: [feed] publish entry {entry!r} must be a path or"
                             ' {path = "…", profile = "events"}')
        if profile not in PROFILES:
            raise UsageError(f"{path}: [feed] publish profile {profile!r} must be one of: "
                             + ", ".join(PROFILES))
        targets.append(PublishTarget(Path(target).expanduser(), profile))
    return FeedSettings(base_url, tuple(targets), keep_days)


def check_remote_name(name: str) -> str:
    if not REMOTE_NAME.match(name):
        raise UsageError(f"remote name {name!r}: use letters, digits, '-' and '_' (at most 40)")
    return name


def parse_remotes(raw: Mapping[str, Any], path: Path | str = "config.toml") -> dict[str, Remote]:
    """The `[remote.NAME]` tables of a parsed config, by name."""
    section = raw.get("remote", {})
    if not isinstance(section, dict):
        raise UsageError(f"{path}: 'remote' must be a table of [remote.NAME] tables")
    out = {}
    for name, table in section.items():
        where = f"{path}: [remote.{name}]"
        if not isinstance(table, dict):
            raise UsageError(f"{where} must be a table")
        if not REMOTE_NAME.match(name):
            raise UsageError(f"{where}: use letters, digits, '-' and '_' in a remote's name")
        _no_password(table, where)
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key in _REMOTE_TEXT:
                if not isinstance(value, str):
                    raise UsageError(f"{where}: '{key}' must be a string")
            elif key == "auto_push":
                if not isinstance(value, bool):
                    raise UsageError(f"{where}: 'auto_push' must be true or false")
            elif key in ("verify", "timeout"):
                _check_connection(key, value, where)
            else:
                raise UsageError(f"{where}: unknown key '{key}'")
            values[key] = value
        if bool(values.get("url")) == bool(values.get("vdir")):
            raise UsageError(f"{where}: give either 'url' (CalDAV) or 'vdir' (a folder)")
        out[name] = Remote(name=name, **values)
    return out


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def mail_url(text: str) -> tuple[bool, str, str, int]:
    """(TLS, login, host, port) of imaps://USER@HOST[:PORT]. Plain imap:// is only for
    this machine: a password must never cross a network in clear."""
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError:
        raise UsageError(f"{text!r} is not a valid mail URL; write it as imaps://USER@HOST[:PORT]",
                         field="url") from None
    scheme = parts.scheme.lower()
    if scheme not in ("imaps", "imap") or not parts.hostname:
        raise UsageError(f"{text!r} is not an IMAP URL; write it as imaps://USER@HOST[:PORT]",
                         field="url")
    if parts.password is not None:
        raise UsageError("the mail URL holds a password; give it with --password-env or"
                         " --password-command instead", field="url")
    if not parts.username:
        raise UsageError(f"{text!r} names no login; write it as imaps://USER@HOST[:PORT]",
                         field="url")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise UsageError(f"{text!r}: give only imaps://USER@HOST[:PORT]", field="url")
    host = parts.hostname
    if scheme == "imap" and not is_loopback(host):
        raise UsageError(f"imap://{host} is not encrypted; use imaps:// (IMAP over TLS). Plain"
                         " IMAP is only allowed to this machine (127.0.0.1, ::1, localhost)",
                         field="url")
    return scheme == "imaps", unquote(parts.username), host, port or (993 if scheme == "imaps" else 143)


_MAIL_TEXT = ("url", "password_env", "password_command", "address", "drafts")


def parse_mail(raw: Mapping[str, Any], path: Path | str = "config.toml") -> MailSettings | None:
    """The `[mail]` table, checked; None when mail is not set up."""
    section = raw.get("mail")
    if section is None:
        return None
    where = f"{path}: [mail]"
    if not isinstance(section, dict):
        raise UsageError(f"{path}: 'mail' must be a table ([mail])")
    _no_password(section, where)
    values: dict[str, Any] = {}
    for key, value in section.items():
        if key in _MAIL_TEXT:
            if not isinstance(value, str) or not value.strip():
                raise UsageError(f"{where}: '{key}' must be a non-empty string")
        elif key == "folders":
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not value or \
                    not all(isinstance(v, str) and v.strip() for v in value):
                raise UsageError(f"{where}: 'folders' must be a list of folder names")
            value = tuple(dict.fromkeys(value))
        elif key in ("verify", "timeout"):
            _check_connection(key, value, where)
        else:
            raise UsageError(f"{where}: unknown key '{key}'; the keys are: "
                             + ", ".join(sorted((*_MAIL_TEXT, "folders", "verify", "timeout"))))
        values[key] = value
    if "url" not in values:
        raise UsageError(f"{where}: 'url' is missing; `followup mail setup` writes it")
    if values.get("password_env") and values.get("password_command"):
        raise UsageError(f"{where}: give password_env or password_command, not both")
    try:
        mail_url(values["url"])
    except UsageError as exc:
        raise UsageError(f"{where}: {exc}") from None
    address = values.get("address")
    if address is not None and not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", address):
        raise UsageError(f"{where}: 'address' {address!r} is not an email address")
    return MailSettings(**values)


def _no_password(table: Mapping[str, Any], where: str) -> None:
    if "password" in table:
        raise UsageError(f"{where}: a password must not be written in the config; use "
                         "password_env, password_command or the system keyring")


def _check_connection(key: str, value: Any, where: str) -> None:
    """`verify` and `timeout`, as a remote and the mailbox both have them."""
    if key == "verify" and not isinstance(value, (bool, str)):
        raise UsageError(f"{where}: 'verify' must be true, false or a CA file path")
    if key == "timeout" and (isinstance(value, bool) or not isinstance(value, (int, float))
                             or value <= 0):
        raise UsageError(f"{where}: 'timeout' must be a positive number of seconds")


# OpenSSL's X509_V_ERR_* codes that mean "signed by a CA this machine does not trust"
# (UNABLE_TO_GET_ISSUER_CERT, DEPTH_ZERO_SELF_SIGNED_CERT, SELF_SIGNED_CERT_IN_CHAIN,
# UNABLE_TO_GET_ISSUER_CERT_LOCALLY): only then does `verify = "ca.pem"` help; a certificate
# for another host name or an expired one is wrong whoever trusts its CA.
UNKNOWN_ISSUER = frozenset({2, 18, 19, 20})


def tls_verify(verify: bool | str) -> bool | str:
    """`verify` as the TLS libraries take it: True, False, or a CA file with ``~`` expanded.

    A CA file is checked here, when a connection is about to be made, not when the config
    is read: a moved file must not stop `list` or `show`. Raises ValueError whose text says
    why the file cannot be used, in the user's words (the TLS libraries would say "the
    connection was lost" or "invalid path"); the caller names the file and the table.
    """
    if not isinstance(verify, str):
        return verify
    import ssl

    path = str(Path(verify).expanduser())
    try:
        ssl.create_default_context(cafile=path)
    except ssl.SSLError as exc:  # an OSError too: first
        no_pem = exc.reason == "NO_CERTIFICATE_OR_CRL_FOUND"
        raise ValueError("it holds no PEM certificate" if no_pem else str(exc.reason or exc)) from None
    except OSError as exc:
        raise ValueError((exc.strerror or str(exc)).lower()) from None
    return path


def ca_file(text: str) -> str:
    """A CA file given on the command line (`--verify PATH`), checked before anything
    connects: its absolute path, ``~`` expanded, as the config will hold it (a relative
    path would change meaning with the folder a later command runs in)."""
    path = str(Path(text).expanduser().absolute())
    try:
        tls_verify(path)
    except ValueError as exc:
        raise UsageError(f"cannot use the CA file {path}: {exc}", field="verify") from None
    return path


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
