"""The panel's own small Flask app, so the inspected app's hooks never run for it.

Served through the host app, every panel page, poll and static file would run
the app's ``before_request`` functions (a login check, an app that redirects
everything until it is configured), its ``after_request`` functions, its
session (a ``Set-Cookie`` on every one-second poll), its teardown functions
(database work) and its context processors. So while the panel is on, the
recording middleware hands every URL under the prefix to this private app
instead: the same blueprint, templates and static files, and nothing of the
app's but its data, reached through :func:`inspected_app`.

The blueprint stays registered on the inspected app as well: ``flask
routes`` lists it, ``url_for("flask_inspect.overview")`` works in the app's
own templates, and while the panel is off the app answers those URLs itself
(404 through its own 404 handler, as documented).
"""

from __future__ import annotations

import os
import typing as t
import weakref

from flask import Flask
from flask import current_app
from flask.sessions import SessionInterface

if t.TYPE_CHECKING:
    from flask import Request
    from flask import Response
    from flask.sessions import SessionMixin

PANEL_APP_NAME = "flask_inspect.panel"
INSPECTED_APP_KEY = "flask_inspect.inspected_app"
"""Where the private app keeps a weak reference to the app it shows."""

# Read from the inspected app on every panel request, so the panel behaves as
# the app does under test and debug (an error in the panel propagates in tests).
_MIRRORED_CONFIG = ("DEBUG", "TESTING", "PROPAGATE_EXCEPTIONS", "INSPECT_ENABLED")


class NoSession(SessionInterface):
    """No session at all: nothing is read from cookies, no cookie is ever set."""

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        return self.make_null_session(app)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        return None


class PanelApp:
    """A WSGI app serving the panel's URLs on behalf of ``inspected``."""

    def __init__(self, inspected: Flask, blueprint_factory: t.Callable[[], t.Any], prefix: str):
        self._inspected = weakref.ref(inspected)
        # Its own root (this folder), not the current directory Flask would guess
        # for a module that does not exist; the name is what the contexts view shows.
        flask_app = Flask(PANEL_APP_NAME, root_path=os.path.dirname(__file__), static_folder=None)
        flask_app.session_interface = NoSession()
        flask_app.extensions[INSPECTED_APP_KEY] = self._inspected
        flask_app.register_blueprint(blueprint_factory(), url_prefix=prefix)
        self.flask_app = flask_app

    def __call__(self, environ: dict[str, t.Any], start_response: t.Any) -> t.Iterable[bytes]:
        inspected = self._inspected()
        config = self.flask_app.config
        if inspected is not None:
            for key in _MIRRORED_CONFIG:
                config[key] = inspected.config.get(key)
        return self.flask_app.wsgi_app(environ, start_response)


def inspected_app() -> Flask:
    """The app the panel shows: the private app's inspected app, or the current app.

    Panel views call this instead of ``current_app``: they run on the private
    app while the panel is on, and on the inspected app itself otherwise (a
    test request context, the off state).
    """
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    reference = app.extensions.get(INSPECTED_APP_KEY)
    if reference is not None:
        inspected = reference()
        if inspected is not None:
            return t.cast("Flask", inspected)
    return app


def is_private_app(app: Flask) -> bool:
    return INSPECTED_APP_KEY in app.extensions
