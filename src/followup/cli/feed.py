"""Calendar output commands: export, publish, serve, feed urls, feed rotate, feed status."""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import signal
import sys
import urllib.parse
from pathlib import Path
from typing import Any

import click

from followup.app.service import Service
from followup.cli import FollowupSubgroup, cli
from followup.cli.context import App, confirm, now, pass_app
from followup.cli.operations import service_of
from followup.cli.output import table, to_json
from followup.config import check_base_url
from followup.core.vocab import PROFILES
from followup.errors import FollowupError, UsageError
from followup.feed import server
from followup.feed.calendar import calendar_bytes
from followup.feed.host import Settings
from followup.feed.publish import (
    ensure_token,
    feed_bytes,
    feed_urls,
    local_base_url,
    page_url,
    publish_configured,
    rotate_token,
    too_big,
)
from followup.feed.publish import publish as publish_to
from followup.feed.status import client_status
from followup.files import write_atomic

PROFILE_CHOICE = click.Choice(["events", "full", "tasks"])  # events first: what most want
HOW_TO = (
    ("Google Calendar", "Settings → Add calendar → From URL; paste the events http(s) URL."),
    ("Apple Calendar", "File → New Calendar Subscription; paste the events webcal:// URL."),
    ("Outlook", "Add calendar → Subscribe from web; paste the events webcal:// URL."),
)

NOT_PUBLIC = """\
Phones and Google Calendar fetch the feed from the internet, so these URLs work for them
only if this address is reachable from there: put the server behind a reverse proxy with
https and print its URLs with --base-url (or base_url under [feed] in config.toml)."""


def _base_url_option(func: Any) -> Any:
    return click.option(
        "--base-url", metavar="URL",
        help="The public address of the feed, e.g. https://cal.example.org behind a reverse "
             "proxy, used in the printed URLs [default: base_url under [feed] in "
             "config.toml, else this server's address].")(func)


def _base_url(app: App, given: str | None, host: str, port: int) -> str:
    if given:
        return check_base_url(given)
    return app.config.feed.base_url or local_base_url(host, port)


def _urls_doc(base_url: str, token: str) -> dict[str, Any]:
    return {"base_url": base_url, "page": page_url(base_url, token),
            "feeds": feed_urls(base_url, token)}


def _print_urls(doc: dict[str, Any]) -> None:
    click.echo("page    Your plan with buttons, and QR codes to subscribe from a phone")
    click.echo(f"  {doc['page']}")
    feeds = doc["feeds"]
    for profile, urls in feeds.items():
        click.echo(f"{profile:<7} {urls['clients']}")
        click.echo(f"  {urls['url']}")
        click.echo(f"  {urls['webcal']}")
    click.echo()
    for line in table((f"{client}:", how) for client, how in HOW_TO):
        click.echo(line)
    if not doc["base_url"].startswith("https://"):
        click.echo(NOT_PUBLIC)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 opens the feed to your network.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Port to listen on; 0 picks a free one.")
@_base_url_option
@click.option("--read-only", is_flag=True,
              help="Serve the page without its buttons and refuse every change.")
@click.option("--quiet", is_flag=True, help="Log no requests (the log never shows the token).")
@pass_app
def serve(app: App, host: str, port: int, base_url: str | None, read_only: bool,
          quiet: bool) -> None:
    """Serve the calendar feeds for Google Calendar, Apple Calendar and Outlook to subscribe to.

    Token-protected, always current: every change shows on the next poll. It also serves
    your page at /<token>/: the next steps with buttons to mark them done, undo, snooze
    and record an answer (the same as the commands), links and QR codes to subscribe,
    and whether each calendar has caught up. Ctrl-C or SIGTERM stops it.

    \b
    Example:
      followup serve --port 8765 --base-url https://cal.example.org
    """
    token = ensure_token(app.store, app.now)
    _warn_if_big(app)
    app.store.close()  # the workers open their own connections

    def open_source() -> Service:
        return Service(app.paths, app.config, app.now)

    def open_operations(moment: dt.datetime) -> Service:
        return Service(app.paths, app.config, moment, offline=app.offline)

    def log(line: str) -> None:
        click.echo(f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M:%S} {line}", err=True)

    public = check_base_url(base_url) if base_url else app.config.feed.base_url
    settings = Settings(app.user_tz, app.config.feed.keep_days, public, name=app.config.name,
                        template_dir=app.paths.config / "templates",
                        language=app.config.language, locale=app.config.user_locale)
    feed_app = server.FeedApp(open_source, app.user_tz, log=None if quiet else log,
                              settings=settings, clock=now,
                              open_operations=None if read_only else open_operations)
    try:
        httpd = server.create_server(feed_app, host, port)
    except OSError as exc:
        raise FollowupError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}; choose another --port"
        ) from None
    except ValueError as exc:  # waitress: an address it cannot resolve
        raise UsageError(f"cannot listen on {host!r}: {exc}") from None

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt  # what waitress's loop catches to shut down

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        actual = local_address(httpd)
        feed_app.settings = dataclasses.replace(settings, hosts=allowed_hosts(*actual, public))
        _print_urls(_urls_doc(_base_url(app, base_url, *actual), token))
        click.echo()
        if not _is_loopback(host):
            click.echo(f"Warning: listening on {host}: anyone who can reach this machine and "
                       "knows a URL can read your plan, over unencrypted http.", err=True)
        click.echo(f"Serving on http://{_url_host(actual[0])}:{actual[1]} (Ctrl-C stops).")
        httpd.run()  # returns once a signal has stopped it
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        httpd.close()
    click.echo("Stopped.")


def allowed_hosts(host: str, port: int, public: str | None) -> frozenset[str] | None:
    """The Host headers the page's forms may arrive with; None for a wildcard address
    (any name of this machine)."""
    if host in ("0.0.0.0", "::", ""):
        return None
    names = {host, "localhost", "127.0.0.1", "::1"} if _is_loopback(host) else {host}
    hosts = {f"{_url_host(name)}:{port}" for name in names}
    if port == 80:
        hosts |= {_url_host(name) for name in names}
    if public:
        hosts.add(urllib.parse.urlsplit(public).netloc)
    return frozenset(h.lower() for h in hosts)


def _warn_if_big(app: App) -> None:
    """Google stops updating a subscription past 1 MB (CALENDAR_RULES.md rule 24)."""
    with app.store.snapshot():
        size = len(feed_bytes(app.store, "events", app.user_tz, app.now,
                              app.config.feed.keep_days))
    warning = too_big(size, "events")
    if warning is not None:
        click.echo(f"Warning: {warning}.", err=True)


def local_address(server: Any) -> tuple[str, int]:
    return str(server.effective_host), int(server.effective_port)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@cli.group("feed", cls=FollowupSubgroup)
def feed_group() -> None:
    """The feed's URLs, token and whether your calendars have caught up.

    \b
    Example:
      followup feed urls --base-url https://cal.example.org
    """


@feed_group.command()
@_base_url_option
@click.option("--host", default="127.0.0.1", show_default=True, help="The host `serve` uses.")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True,
              help="The port `serve` uses.")
@click.option("--json", "as_json", is_flag=True,
              help='Print {"base_url": …, "feeds": {profile: {"url", "webcal", "clients"}}}.')
@pass_app
def urls(app: App, base_url: str | None, host: str, port: int, as_json: bool) -> None:
    """Print the subscription URLs without serving.

    \b
    Example:
      followup feed urls --json
    """
    token = ensure_token(app.store, app.now)
    _show(_urls_doc(_base_url(app, base_url, host, port), token), as_json)
    _warn_if_big(app)


@feed_group.command()
@click.option("--json", "as_json", is_flag=True,
              help='Print {"revision", "events_bytes", "clients": [{"client", "name", "profile",'
                   ' "revision", "fetched", "behind", "refresh", "text"}]}.')
@pass_app
def status(app: App, as_json: bool) -> None:
    """Say whether Google, Outlook, Apple Calendar and other apps have your latest changes.

    `followup serve` records the revision it last served to each kind of client (told
    apart by User-Agent) and when; Google refreshes every 8–24 hours whatever the feed
    asks, so a check-off can take a day to show there.

    \b
    Example:
      followup feed status
    """
    store = app.store
    with store.snapshot():
        clients = client_status(store)
        revision = store.revision()
        size = len(feed_bytes(store, "events", app.user_tz, app.now, app.config.feed.keep_days))
    if as_json:
        click.echo(to_json({"revision": revision, "events_bytes": size,
                            "clients": [c.doc(app.now) for c in clients]}))
        return
    for client in clients:
        click.echo(client.text(app.now))
    click.echo(f"The events feed is {max(1, round(size / 1000)):,} KB at revision {revision}.")
    warning = too_big(size, "events")
    if warning is not None:
        click.echo(f"Warning: {warning}.", err=True)


@feed_group.command()
@_base_url_option
@click.option("--host", default="127.0.0.1", show_default=True, help="The host `serve` uses.")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True,
              help="The port `serve` uses.")
@click.option("--json", "as_json", is_flag=True, help="Print the new URLs as `feed urls --json`.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation on a terminal.")
@pass_app
def rotate(app: App, base_url: str | None, host: str, port: int, as_json: bool,
           yes: bool) -> None:
    """Issue a new token: the old URLs stop working at once (a running server too).

    Everyone subscribed must subscribe again with the new URL. On a terminal it asks
    first (--yes does not).

    \b
    Example:
      followup feed rotate
    """
    confirm("Issue a new feed token? Every calendar subscribed with the old URLs stops"
            " updating until it subscribes again.", yes, required=False)
    token = rotate_token(app.store, app.now)
    doc = _urls_doc(_base_url(app, base_url, host, port), token)
    if not as_json:
        click.echo("New feed token issued; the old URLs now answer 404. Subscribe again with:\n")
    _show(doc, as_json)


def _show(doc: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(to_json(doc))
    else:
        _print_urls(doc)


@cli.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--profile", type=PROFILE_CHOICE, default="events", show_default=True,
              help="events: Google, Outlook, Apple Calendar; full: events + tasks; tasks.")
@pass_app
def publish(app: App, path: Path | None, profile: str) -> None:
    """Write the feed to a file atomically, for your own web host or a synced folder.

    Without PATH, refresh the files listed under [feed] publish in config.toml (which
    every change refreshes too).

    \b
    Example:
      followup publish ~/public_html/followup.ics --profile events
    """
    # A published file is what calendars poll: bring the plan up to today first (rules 6
    # and 7), so a daily `followup publish` from cron rolls it forward.
    service_of(app).refresh()
    if path is not None:
        size = publish_to(app.store, path.expanduser(), profile, app.user_tz, app.now,
                          app.config.feed.keep_days)
        click.echo(f"Published the {profile} feed to {path}")
        warning = too_big(size, profile)
        if warning is not None:
            click.echo(f"Warning: {warning}.", err=True)
        return
    written = publish_configured(app.store, app.config, app.now)
    if not written:
        raise UsageError(
            "give a PATH, or list files under [feed] publish in config.toml"
        )
    for target in written:
        click.echo(f"Published {target}")


@cli.command()
@click.option("-o", "--output", default="-", metavar="FILE|-", help="Where to write [default: stdout].")
@click.option("--profile", type=click.Choice(PROFILES), default="full", show_default=True,
              help="full: events + tasks (Thunderbird, Evolution, Nextcloud); events: Google, "
                   "Outlook, Apple Calendar; tasks: Reminders, todoman.")
@pass_app
def export(app: App, output: str, profile: str) -> None:
    """Write the follow-up as an .ics calendar.

    \b
    Example:
      followup export --profile events -o ~/followup-google.ics
    """
    service_of(app).refresh()  # the plan as of today and the settings (rules 6 and 7)
    store = app.store
    with store.snapshot():
        data = calendar_bytes(store, profile)
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        write_atomic(Path(output).expanduser(), data)
    except OSError as exc:
        raise FollowupError(f"cannot write {output}: {exc.strerror or exc}") from None
    click.echo(f"Wrote {profile} calendar to {output}", err=True)
