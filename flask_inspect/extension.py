"""The ``Inspect`` extension: config defaults, the enable policy, and wiring.

State lives in ``app.extensions["inspect"]`` and never on the ``Inspect``
object, so one ``Inspect`` can serve several apps (and app factories).
"""

from __future__ import annotations

import logging
import typing as t
import weakref
from dataclasses import dataclass

from . import settings
from .contexts import ContextRegistry
from .recorder import RecordingMiddleware
from .recorder import install_recorder
from .startup_notice import print_panel_url_at_startup

if t.TYPE_CHECKING:
    from flask import Flask

    from .recorder import Recorder
    from .stores.history import StoredHistory

EXTENSION_KEY = "inspect"

logger = logging.getLogger("flask_inspect")


@dataclass
class InspectState:
    """Per-app state, found at ``app.extensions["inspect"]``."""

    app_name: str
    url_prefix: str
    blueprint_name: str | None = None
    contexts: ContextRegistry | None = None
    """Live contexts per thread/task; ``None`` while INSPECT_ENABLED is False."""
    history: StoredHistory | None = None
    """Recorded requests, newest first; ``None`` while INSPECT_ENABLED is False."""
    recorder: Recorder | None = None


class Inspect:
    """See inside a running Flask app.

    >>> app = Flask(__name__)
    >>> Inspect(app)  # doctest: +SKIP
    >>> app.run(debug=True)  # doctest: +SKIP  -- the panel is at /_inspect/
    """

    def __init__(self, app: Flask | None = None) -> None:
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Wire the panel, the CLI and the recorder into ``app`` (idempotent)."""
        if isinstance(app.extensions.get(EXTENSION_KEY), InspectState):
            return
        settings.apply_defaults(app)
        state = InspectState(app_name=app.name, url_prefix=settings.url_prefix(app))
        app.extensions[EXTENSION_KEY] = state
        _warn_about_risky_settings(app)
        if settings.is_switched_off(app):
            return
        state.contexts = ContextRegistry()
        state.recorder = install_recorder(app, state, state.url_prefix)
        state.history = state.recorder.history
        state.contexts.record_ids = state.recorder.record_ids_by_environ
        state.contexts.record_thread = _thread_lookup(app, state.recorder)

        from .cli import inspect_group
        from .web.blueprint import create_blueprint
        from .web.error_pages import install_error_pages
        from .web.panel_app import PanelApp

        blueprint = create_blueprint()
        app.register_blueprint(blueprint, url_prefix=state.url_prefix)
        state.blueprint_name = blueprint.name
        # While on, the panel's URLs are served by a private app of their own,
        # so the app's hooks, session and cookies never run for them.
        middleware = app.wsgi_app
        if isinstance(middleware, RecordingMiddleware):
            panel = PanelApp(app, create_blueprint, state.url_prefix)
            middleware.panel = panel
            state.recorder.listen_to_panel(panel.flask_app)
        app.cli.add_command(inspect_group)
        install_error_pages(state.recorder)
        print_panel_url_at_startup(app)


def get_state(app: Flask) -> InspectState:
    """The extension's state for ``app``; raises ``LookupError`` if not initialised."""
    state = app.extensions.get(EXTENSION_KEY)
    if not isinstance(state, InspectState):
        raise LookupError(f"flask-inspect is not initialised on app {app.name!r}")
    return state


def _warn_about_risky_settings(app: Flask) -> None:
    if app.config.get(settings.ENABLED) is True and not app.debug:
        logger.warning(
            "flask-inspect is enabled outside debug mode (INSPECT_ENABLED=True); "
            "it shows your app's internals to allowed clients."
        )
    if "*" in settings.allowed_hosts(app):
        logger.warning(
            "flask-inspect: INSPECT_ALLOWED_HOSTS contains '*'; any client may open the panel."
        )
    if "*" in settings.allowed_server_names(app):
        logger.warning(
            "flask-inspect: INSPECT_ALLOWED_SERVER_NAMES contains '*'; the panel answers under "
            "any name, including a tunnel's or a rebound DNS name's."
        )


def _thread_lookup(
    app: Flask, recorder: Recorder
) -> t.Callable[[str], tuple[str, int | None] | None]:
    """``record id -> (thread name, ident)`` for the contexts view; holds ``app`` weakly."""
    app_ref = weakref.ref(app)

    def thread_of(record_id: str) -> tuple[str, int | None] | None:
        inspected = app_ref()
        return None if inspected is None else recorder.record_thread(inspected, record_id)

    return thread_of
