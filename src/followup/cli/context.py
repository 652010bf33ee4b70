"""What every command shares: the App (paths, the config parsed once, the clock, the
store), the decorator that passes it, and the options and parsers several commands use.

It does not load the application layer: commands that only read (`list`, `show`) stay
fast. Commands that plan or change get the service from cli/operations.py.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, overload
from zoneinfo import ZoneInfo

import click

from followup.config import Config, Paths, load_config, paths
from followup.core import inputs
from followup.core.model import Interview
from followup.core.vocab import CHANNELS, HELD, NOTE_KINDS
from followup.errors import UsageError
from followup.store import Store, row_id

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from followup.app.service import Service

F = TypeVar("F", bound=Callable[..., Any])
Completer = Callable[[click.Context, click.Parameter, str], "list[CompletionItem]"]
APP_KEY = "followup.app"


class App:
    """Per-invocation context: where things live, the config, the clock, the service."""

    def __init__(self, offline: bool = False) -> None:
        self.paths: Paths = paths()
        self.config: Config = load_config(self.paths)  # the whole file, checked once
        self.now = now()
        self.user_tz = self.config.user_tz
        self.offline = offline  # `--offline`: the push after a change waits for `followup sync`
        self._service: Service | None = None
        self._store: Store | None = None

    @property
    def color(self) -> bool:
        """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
        return sys.stdout.isatty() and not os.environ.get("NO_COLOR")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.user_tz)

    @property
    def store(self) -> Store:
        """The store alone, for commands that only read (`list`, `show`); shared with the
        service once it exists: one connection per command."""
        if self._service is not None:
            return self._service.store
        if self._store is None:
            self._store = Store(self.paths.database)
        return self._store

    @property
    def opened_store(self) -> Store | None:
        """The store if a command opened it already (the service shares it)."""
        return self._store

    @property
    def service(self) -> Service | None:
        return self._service

    def attach(self, service: Service) -> None:
        """The service this command uses (cli/operations.py makes it)."""
        self._service = service

    def finish(self) -> None:
        """At the end of the command: print the warnings, close the database. Closing it
        here, not when the App is collected, removes SQLite's -wal and -shm files at once
        (a later reader of a read-only home needs them gone; tests run many commands in
        one process)."""
        try:
            self.print_warnings()
        finally:
            if self._service is not None:
                self._service.close()
            if self._store is not None:  # the same connection when the service shares it
                self._store.close()

    def print_warnings(self) -> None:
        # Problems that did not stop the command (a busy calendar that cannot be read,
        # a push that failed after the change was saved).
        if self._service is not None:
            for message in dict.fromkeys(self._service.warnings):
                click.echo(f"Warning: {message}", err=True)


def now() -> dt.datetime:
    # FOLLOWUP_NOW pins the clock for reproducible samples and tests.
    fixed = os.environ.get("FOLLOWUP_NOW")
    if fixed:
        try:
            value = dt.datetime.fromisoformat(fixed)
        except ValueError:
            raise UsageError(f"FOLLOWUP_NOW={fixed!r} is not an ISO 8601 date and time") from None
        if value.tzinfo is None:
            raise UsageError(f"FOLLOWUP_NOW={fixed!r} needs a UTC offset, e.g. +00:00")
        return value
    return dt.datetime.now(dt.timezone.utc)


def current_app() -> App:
    """The App of this invocation, built on first use (so `--help` never reads the config)."""
    root = click.get_current_context().find_root()
    app = root.meta.get(APP_KEY)
    if app is None:
        app = root.meta[APP_KEY] = App(offline=bool(root.params.get("offline")))
        root.call_on_close(app.finish)
    assert isinstance(app, App)
    return app


def pass_app(func: F) -> F:
    """Call the command with the App as its first argument."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(current_app(), *args, **kwargs)

    return wrapper  # type: ignore[return-value]


# -- shared options and parsers ------------------------------------------------------------


@overload
def interview_options(func: F) -> F: ...
@overload
def interview_options(*, required: bool = True) -> Callable[[F], F]: ...
def interview_options(func: F | None = None, *, required: bool = True) -> Any:
    """The options of `add` and `plan` (the same fields as an import file). `required`
    False: the command checks --company, --role and --at itself (`add --from-invite`)."""
    if func is None:
        return functools.partial(interview_options, required=required)
    options = [
        click.option("--company", required=required, help="The employer."),
        click.option("--role", required=required, help="The position you interviewed for."),
        click.option("--at", "at", required=required, metavar="DATETIME",
                     help="Interview start, 'YYYY-MM-DD HH:MM' in --tz."),
        click.option("--duration", default="1h", show_default=True, help="Length, e.g. 45m or 1h30m."),
        click.option("--tz", metavar="ZONE", help="IANA zone of the interview [default: yours]."),
        click.option("--interviewer", "interviewers", multiple=True,
                     metavar='"NAME <EMAIL> PHONE"',
                     help="An interviewer, e.g. \"Dr Jane Doe <jane@acme.example> +44 20 7946"
                          " 0000\" (email and phone optional); repeat for a panel."),
        click.option("--decision-contact", metavar='"NAME <EMAIL> PHONE"',
                     help="Who announces the decision (often HR): the status email and the "
                          "calls go to them [default: the first interviewer]."),
        click.option("--contact-tz", "contact_tzs", multiple=True, metavar="ZONE",
                     help="The zone of the interviewer given at the same position (calls go to "
                          "their morning); a country code works when it has one zone."),
        click.option("--country", metavar="CODE",
                     help="Skip this country's public holidays, e.g. GB, US-CA, GB-SCT "
                          "[default: config `country`]."),
        click.option("--deadline", metavar="DATE",
                     help="The date they promised an answer [default: a week later, assumed]."),
        click.option("--channel", type=click.Choice(CHANNELS), default="email", show_default=True,
                     help="How they said they would answer."),
        click.option("--note", type=click.Choice(NOTE_KINDS), default="email", show_default=True,
                     help="Formal note by email or handwritten."),
        click.option("--location", default="", help="Address or video link."),
        click.option("--held", type=click.Choice(HELD),
                     help="How it is held [default: video when --location is a link, else "
                          "onsite]."),
        click.option("--language", metavar="LANG",
                     help="Language of its drafts and titles: en, de, fr or es "
                          "[default: config `language`, else en]."),
        click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def require(values: dict[str, Any], *names: str) -> None:
    """Options that must be given, checked like click's own `required`."""
    ctx = click.get_current_context()
    for name in names:
        if not values.get(name):
            param = next(p for p in ctx.command.params if p.name == name)
            raise click.MissingParameter(ctx=ctx, param=param)


def build_interview(app: App, company: str, role: str, at: str, duration: str, tz: str | None,
                    interviewers: Sequence[str], contact_tzs: Sequence[str], country: str | None,
                    deadline: str | None, channel: str, note: str, location: str,
                    held: str | None = None, decision_contact: str | None = None,
                    language: str | None = None) -> Interview:
    contacts = tuple(inputs.interviewers(interviewers, contact_tzs, 1))
    decision = None
    if decision_contact:
        key = len(contacts) + 1
        decision = inputs.about("decision_contact",
                                lambda: inputs.interviewer(decision_contact, key))
    return inputs.interview(
        company=company, role=role, at=at, tz=tz or app.user_tz, length=duration,
        deadline=deadline, channel=channel, note=note, location=location,
        contacts=contacts, holidays=country, held_as=held, decision=decision, lang=language,
    )


def interview_id(text: str) -> int:
    number = row_id(text)
    if number is None:
        raise UsageError(f"no interview {text!r}; give the number shown by `followup interviews`")
    return number


def confirm(question: str, yes: bool, *, required: bool = True) -> None:
    """Ask on a terminal unless --yes; with no terminal, go ahead only when not `required`
    (else exit 2: a script must say --yes)."""
    if yes:
        return
    if not sys.stdin.isatty():
        if required:
            raise UsageError("there is no terminal to confirm on; give --yes to go ahead")
        return
    click.confirm(question, abort=True)


# -- shell completion ----------------------------------------------------------------------


def _completion_store() -> Store | None:
    """The store, only if it exists: completing must never create a database."""
    try:
        found = paths().database
        return Store(found) if found.exists() else None
    except Exception:  # noqa: BLE001 - completing offers nothing rather than a traceback
        return None


def _offer(read: Callable[[Store], list[tuple[str, str]]],
           incomplete: str) -> list[CompletionItem]:
    """(value, help) pairs read from the store, as completions of what is typed so far."""
    from click.shell_completion import CompletionItem

    store = _completion_store()
    if store is None:
        return []
    try:
        pairs = read(store)
    finally:
        store.close()
    return [CompletionItem(value, help=text) for value, text in pairs if value.startswith(incomplete)]


def complete_interview(ctx: click.Context, param: click.Parameter,
                       incomplete: str) -> list[CompletionItem]:
    """Interview ids, each with its company and role (zsh and fish show them)."""
    return _offer(lambda store: [(str(i), f"{r['role']} at {r['company']}")
                                 for i, r in sorted(store.interview_summaries().items())],
                  incomplete)


def complete_item(statuses: tuple[str, ...] | None = ("needs-action",)) -> Completer:
    """A completer of task ids (of the given statuses), soonest first, each with its title."""
    def complete(ctx: click.Context, param: click.Parameter,
                 incomplete: str) -> list[CompletionItem]:
        return _offer(lambda store: [(str(r.id), r.summary) for r in store.items(
            kinds=("task",), statuses=statuses, light=True)], incomplete)

    return complete


def parse_when(app: App, text: str | None) -> dt.datetime | None:
    """`--at` of done/outcome: when the user did it (or they answered)."""
    return inputs.about("at", lambda: inputs.datetime(text, app.user_tz, "time")) if text else None
