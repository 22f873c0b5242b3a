"""The panel's blueprint: access guard, security headers, and the views.

Every URL under the prefix (pages, JSON, static files) passes the guard:
404 while the extension is off (with a line saying how to turn it on, for a
client that may see the panel), 403 with a one-line reason for a client
whose address, or the ``Host`` it asked for, is not allowed
(:mod:`flask_inspect.access`).
"""

from __future__ import annotations

import typing as t

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import request
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import NotFound

from .. import settings
from ..access import refusal
from ..durations import format_duration
from . import actions
from . import contexts_pages
from . import match_pages
from . import overview_pages
from . import requests_pages
from . import routes_pages
from .off_hint import panel_off_hint
from .panel_app import inspected_app
from .responses import api_error
from .responses import is_api_request

BLUEPRINT_NAME = "flask_inspect"

# Only our own files: no inline scripts or styles, no CDN, no framing by others.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'self'",
    ]
)

VIEW_MODULES = (
    overview_pages,
    routes_pages,
    match_pages,
    requests_pages,
    contexts_pages,
    actions,
)


def create_blueprint() -> Blueprint:
    blueprint = Blueprint(
        BLUEPRINT_NAME,
        "flask_inspect",
        template_folder="templates",
        static_folder="static",
        static_url_path="/static",
    )
    blueprint.before_request(_guard)
    blueprint.after_request(_security_headers)
    blueprint.register_error_handler(HTTPException, _http_error)
    # Only the panel's templates see it (a blueprint's context processor).
    blueprint.context_processor(lambda: {"duration": format_duration})
    for module in VIEW_MODULES:
        module.register(blueprint)
    return blueprint


def _guard() -> Response | None:
    app = inspected_app()
    if not settings.is_enabled(app):
        hint = panel_off_hint(app)
        if hint is not None:
            return hint
        raise NotFound()
    reason = refusal(app, request.environ)
    if reason is not None:
        if is_api_request():
            return api_error(403, "forbidden", reason)
        return Response(reason + "\n", status=403, mimetype="text/plain")
    return None


def _security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _http_error(error: HTTPException) -> t.Any:
    """JSON errors for the API; the app's own error handlers for everything else.

    A blueprint handler would shadow the app's handlers for our URLs, so for
    pages (and while off) the app-level handler is looked up and used.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if is_api_request() and settings.is_enabled(inspected_app()):
        status = error.code or 500
        return api_error(status, error.name.lower().replace(" ", "_"), error.description or "")
    find_handler = getattr(app, "_find_error_handler", None)
    handler = find_handler(error, ()) if find_handler is not None else None
    if handler is not None:
        return app.ensure_sync(handler)(error)
    return error
