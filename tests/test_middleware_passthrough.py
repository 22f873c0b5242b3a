"""``app.wsgi_app`` keeps the attributes of what it wraps once ``Inspect(app)`` is added."""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from flask_inspect import Inspect
from flask_inspect.recorder import REQUEST_ID_HEADER
from flask_inspect.recorder import RecordingMiddleware


class ScriptNameMiddleware:
    """Like a reverse-proxy helper an app reads back: ``app.wsgi_app.script_name``."""

    def __init__(self, wsgi_app: t.Any, script_name: str = "/mounted") -> None:
        self.wsgi_app = wsgi_app
        self.script_name = script_name

    def __call__(self, environ: dict[str, t.Any], start_response: t.Any) -> t.Any:
        environ["SCRIPT_NAME"] = self.script_name
        return self.wsgi_app(environ, start_response)


def _app(attribute: str = "x_for") -> Flask:
    app = Flask(__name__)
    app.config.update(DEBUG=True, TESTING=True)

    @app.route("/")
    def index() -> str:
        # The view reads the middleware's attribute through app.wsgi_app.
        return f"{attribute}={getattr(app.wsgi_app, attribute)}"

    return app


MIDDLEWARE: list[tuple[t.Callable[[t.Any], t.Any], str, bytes]] = [
    (lambda wsgi: ProxyFix(wsgi, x_for=2), "x_for", b"x_for=2"),
    (ScriptNameMiddleware, "script_name", b"script_name=/mounted"),
]


@pytest.mark.parametrize(("wrap", "attribute", "expected"), MIDDLEWARE)
@pytest.mark.parametrize("inspect_first", [True, False], ids=["inspect-inside", "inspect-outside"])
def test_attributes_read_through_in_both_orders(
    wrap: t.Callable[[t.Any], t.Any], attribute: str, expected: bytes, inspect_first: bool
) -> None:
    app = _app(attribute)
    if inspect_first:
        Inspect(app)
        app.wsgi_app = wrap(app.wsgi_app)  # type: ignore[method-assign]
    else:
        app.wsgi_app = wrap(app.wsgi_app)  # type: ignore[method-assign]
        Inspect(app)
        assert isinstance(app.wsgi_app, RecordingMiddleware)
    client = app.test_client()
    response = client.get("/")
    assert (response.status_code, response.data) == (200, expected)
    assert REQUEST_ID_HEADER in response.headers
    listed = client.get("/_inspect/api/requests").get_json()["requests"]
    assert [(item["path"], item["status"]) for item in listed] == [("/", 200)]


def test_proxy_fix_attributes_through_the_middleware() -> None:
    app = _app()
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]
    Inspect(app)
    wsgi = app.wsgi_app
    assert isinstance(wsgi, RecordingMiddleware)
    assert wsgi.x_for == 1
    assert wsgi.x_proto == 1
    # Set through as well: the setting takes effect where it is read.
    wsgi.x_for = 3
    assert isinstance(wsgi.wsgi_app, ProxyFix)
    assert wsgi.wsgi_app.x_for == 3
    with pytest.raises(AttributeError):
        wsgi.no_such_attribute  # noqa: B018


def test_proxy_fix_outside_sees_the_forwarded_client() -> None:
    app = _app()
    Inspect(app)
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)  # type: ignore[method-assign]
    client = app.test_client()
    forwarded = {"X-Forwarded-For": "203.0.113.5"}
    # ProxyFix ran first: the panel sees the real client, not the local proxy.
    assert client.get("/_inspect/api/routes", headers=forwarded).status_code == 403
    assert client.get("/_inspect/api/routes").status_code == 200
