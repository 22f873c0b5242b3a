"""Explained error pages: Flask's default 404/405 page, replaced by the reason why.

While the panel is on and ``INSPECT_EXPLAIN_ERRORS`` is true, a request that
ends in a routing 404 or 405 gets the explanation instead of Werkzeug's
one-line page: HTML for browsers, JSON for clients that prefer it. The status
code and every header (``Allow`` included) stay as they were. A ``HEAD``
request gets the same status and headers as ``GET`` would, and no body.
The page is framed as the app's own error ("your app's 404, explained"),
not as a panel page, with a link to the app's ``/``.

Only Flask's own default page is replaced. The check runs on every such
request, not once at start-up, so an error handler the app registers before
or after ``Inspect`` always wins; so does an ``after_request`` function that
already changed the page. The panel's own URLs, and clients not allowed to
see the panel (by address or by ``Host``), are left alone.

It is not an ``after_request`` function: the recorder's ``request_finished``
receiver calls it, and only for a 404 or 405 response. That signal is sent
after every ``after_request`` function has run, so the app's own changes are
seen, and the other requests pay nothing for the feature.
"""

from __future__ import annotations

import logging
import typing as t

from flask import Flask
from flask import Response
from flask import current_app
from flask import json
from flask import request
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.exceptions import NotFound
from werkzeug.wsgi import ClosingIterator

from .. import context_compat
from .. import diagnose as outcomes
from .. import settings
from ..access import may_see_panel
from ..explain import METHOD_NOT_ALLOWED
from ..explain import WEBSOCKET_MISMATCH
from ..explain import ExplainInputError
from ..explain import Explanation
from ..explain import explain
from ..explain import join_rules
from .blueprint import CONTENT_SECURITY_POLICY
from .match_pages import MatchForm
from .match_pages import explanation_context

if t.TYPE_CHECKING:
    from ..recorder import Recorder

logger = logging.getLogger("flask_inspect")

TEMPLATE = "flask_inspect/error_explained.html"


def install_error_pages(recorder: Recorder) -> None:
    """Hand the hook to the recorder (``Inspect.init_app`` does, unless switched off)."""
    recorder.explain_routing_error = explain_routing_error


def explain_routing_error(response: Response) -> Response:
    """Swap Flask's default routing-error page for an explained one, in place.

    Called with the final response while its request context is still pushed.
    """
    try:
        return _explained(response) or response
    except Exception:  # the app's own response must always get through
        logger.exception("flask-inspect: could not explain a routing error")
        return response


def _explained(response: Response) -> Response | None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    error = request.routing_exception
    if not isinstance(error, (NotFound, MethodNotAllowed)):
        return None
    if response.status_code != error.code or not _should_explain(app):
        return None
    if _app_handles(app, error) or not _is_default_page(response, error):
        return None
    # HEAD gets GET's page, headers and all; Werkzeug then sends no body.
    method = "GET" if request.method == "HEAD" else request.method
    try:
        explanation = explain(
            app,
            routed_path(request.environ, request.path),
            method,
            request.host,
            _is_websocket(),
            script_name=request.script_root,
        )
    except ExplainInputError:
        return None
    if explanation.status != response.status_code:
        return None  # our reading differs from what happened: leave the page alone
    if _prefers_json():
        body = {
            "error": explanation.verdict,
            "detail": explanation.summary,
            "explanation": explanation.to_dict(),
        }
        response.set_data(json.dumps(body))
        response.mimetype = "application/json"
        return response
    response.set_data(_render(app, explanation))
    response.mimetype = "text/html"
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _should_explain(app: Flask) -> bool:
    if not settings.is_enabled(app) or not app.config.get(settings.EXPLAIN_ERRORS, True):
        return False
    prefix = settings.url_prefix(app)
    path = request.path
    if path == prefix or path.startswith(prefix + "/"):
        return False  # the panel's own URLs
    # A client that may not see the panel (or a forged or tunnelled Host) gets
    # the app's plain page: the explanation would show the app's URL map.
    return may_see_panel(app, request.environ)


def _app_handles(app: Flask, error: HTTPException) -> bool:
    """Would Flask have used one of the app's error handlers for this error?"""
    find_handler = getattr(app, "_find_error_handler", None)
    if find_handler is None:
        return True  # cannot tell: stay out of the way
    return find_handler(error, request.blueprints) is not None


def _is_default_page(response: Response, error: HTTPException) -> bool:
    """The body is still the page Werkzeug made for this very error.

    Flask turns the exception into a response by running it as a WSGI app,
    which leaves its one-chunk body in a ``ClosingIterator``: that is safe to
    read. Any other streamed body is the app's and is not touched. For a
    ``HEAD`` request that run leaves no body, only the default page's length.
    """
    if response.direct_passthrough:
        return False
    if response.is_streamed and not isinstance(response.response, ClosingIterator):
        return False
    default = error.get_body(request.environ)
    body = response.get_data(as_text=True)
    if request.method == "HEAD" and body == "":
        return response.headers.get("Content-Length") == str(len(default.encode()))
    return body == default


def routed_path(environ: t.Mapping[str, t.Any], path: str) -> str:
    """The path Werkzeug routed: ``request.path`` turns an empty ``PATH_INFO``
    (a mounted app's URL without its slash) into ``/``, the matcher does not."""
    return path if environ.get("PATH_INFO") else ""


def _is_websocket() -> bool:
    environ = request.environ
    if environ.get("wsgi.url_scheme") in ("ws", "wss"):
        return True
    connection = environ.get("HTTP_CONNECTION", "").lower()
    upgrade = any(part.strip() == "upgrade" for part in connection.split(","))
    return upgrade and environ.get("HTTP_UPGRADE", "").lower() == "websocket"


def _prefers_json() -> bool:
    """JSON only when the client ranks it above HTML (``*/*`` gets HTML)."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == (
        "application/json"
    )


def what_happened(explanation: Explanation) -> str:
    """The page's first sentence: what the app did with the request, plainly."""
    request_line = f"{explanation.method} {explanation.script_name}{explanation.path or ''}"
    if explanation.verdict == METHOD_NOT_ALLOWED:
        refusing = [
            candidate.rule
            for candidate in explanation.candidates
            if candidate.outcome == outcomes.METHOD_NOT_ALLOWED
        ]
        allowed = ", ".join(explanation.allowed_methods or ())
        if not refusing:
            return (
                f"Rules of this app match the URL of {request_line}, but none accepts "
                f"{explanation.method}: only {allowed}."
            )
        single = len(set(refusing)) == 1
        verb = "matches" if single else "match"
        accepts = "allows" if single else "allow"
        return (
            f"{join_rules(refusing)} {verb} the URL of {request_line}, but {accepts} only "
            f"{allowed}; the request was {explanation.method}."
        )
    if explanation.verdict == WEBSOCKET_MISMATCH:
        return (
            f"A rule matches the URL of {request_line}, but it is for the other kind of "
            "request (WebSocket or plain HTTP)."
        )
    deciding = next((c for c in explanation.candidates if c.outcome in outcomes.DECIDING), None)
    if deciding is not None:
        return (
            f"Werkzeug chose {deciding.rule} for {request_line}, and it did not take the "
            "request: the reason is below."
        )
    return f"No rule of this app matches {request_line}."


def _render(app: Flask, explanation: Explanation) -> str:
    """Rendered without Flask's template signals: the app itself rendered nothing."""
    form = MatchForm(
        path=explanation.path,
        method=explanation.method,
        host=explanation.host,
        websocket=explanation.websocket,
    )
    context: dict[str, t.Any] = {
        "title": f"{explanation.status} explained",
        "active": "match",
        "error_page": True,
        "what_happened": what_happened(explanation),
        "app_root": request.script_root + "/",
        **explanation_context(explanation, form),
    }
    context_compat.update_template_context(app, context)
    template = app.jinja_env.get_template(TEMPLATE)
    return template.render(context)
