"""The service, for the commands that plan or change (it loads the whole application
layer, which `list` and `show` do without)."""

from __future__ import annotations

from followup.app.service import Service
from followup.cli.context import App


def service_of(app: App) -> Service:
    """This command's service, made on first use; it shares the store the App opened."""
    service = app.service
    if service is None:
        service = Service(app.paths, app.config, app.now, store=app.opened_store,
                          offline=app.offline)
        app.attach(service)
    return service
