"""The panel's actions: clear the request history, find the rule taking a URL.

Clearing changes state, so it is a POST carrying a token the panel put in
its own page: another site open in the same browser can make the browser
post to a local address, but cannot read the panel's pages to learn the
token. The token is random per app and process; the access guard (local
clients only) runs first, as for every panel URL.
"""

from __future__ import annotations

import hmac
import secrets
import typing as t
import weakref

from flask import Blueprint
from flask import Response
from flask import redirect
from flask import request
from flask import url_for

from ..extension import get_state
from ..url_owner import BadUrl
from ..url_owner import rule_taking
from .panel_app import inspected_app
from .responses import api_error
from .responses import api_json

if t.TYPE_CHECKING:
    from flask import Flask
    from werkzeug.wrappers import Response as BaseResponse

CLEAR_TOKEN_FIELD = "token"  # noqa: S105 - a form field's name, not a secret

_tokens: weakref.WeakKeyDictionary[Flask, str] = weakref.WeakKeyDictionary()


def register(blueprint: Blueprint) -> None:
    blueprint.add_url_rule("/requests/clear", "clear_requests", clear_requests, methods=["POST"])
    blueprint.add_url_rule("/api/routes/taking", "api_route_taking", route_taking_api)


def clear_token(app: Flask) -> str:
    """This app's token for the clear form (made on first use, kept for the process)."""
    token = _tokens.get(app)
    if token is None:
        token = _tokens.setdefault(app, secrets.token_urlsafe(24))
    return token


def clear_requests() -> BaseResponse | tuple[str, int, dict[str, str]]:
    """``POST /requests/clear`` with the page's token: forget every recorded request."""
    app = _app()
    sent = request.form.get(CLEAR_TOKEN_FIELD, "")
    if not sent or not hmac.compare_digest(sent, clear_token(app)):
        reason = (
            "flask-inspect: the history was not cleared: the form's token is missing or "
            "out of date. Reload the Requests page and use its Clear button.\n"
        )
        return reason, 400, {"Content-Type": "text/plain; charset=utf-8"}
    history = get_state(app).history
    if history is not None:
        history.clear()
    return redirect(url_for("flask_inspect.requests", cleared=1), code=303)


def route_taking_api() -> Response:
    """``GET /api/routes/taking?url=/user/7&method=GET&host=`` -> the rule Werkzeug picks."""
    args = request.args
    url = args.get("url", "")
    if not url.strip():
        return api_error(400, "missing_parameter", "url is required, e.g. ?url=/user/7")
    try:
        found = rule_taking(
            _app(), url, args.get("method", "") or "GET", args.get("host", "") or request.host
        )
    except BadUrl as error:
        return api_error(400, "invalid_parameter", str(error))
    return api_json(found)


def _app() -> Flask:
    return inspected_app()
