"""Explained 404/405 pages: only in place of Flask's default page, never the app's own."""

from __future__ import annotations

import functools
import typing as t
import urllib.error
import urllib.request

import pytest
from flask import Flask
from flask import abort
from werkzeug.exceptions import HTTPException

from flask_inspect import Inspect
from flask_inspect import context_compat
from tests.conftest import make_app

if t.TYPE_CHECKING:
    from tests.conftest import LiveServer

DEFAULT_404_START = "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>"


def _routes(app: Flask) -> Flask:
    @app.route("/user/<int:id>")
    def user(id: int) -> str:
        return str(id)

    @app.route("/submit", methods=["POST"])
    def submit() -> str:
        return "ok"

    @app.route("/gone")
    def gone() -> str:
        abort(404)

    return app


def _app(**config: t.Any) -> Flask:
    return _routes(make_app(**config))


def test_routing_404_gets_an_explained_page() -> None:
    response = _app().test_client().get("/user/abc")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert 'id="explained-note"' in html
    assert "404: closest is /user/&lt;int:id&gt;; segment 1: &#39;abc&#39; is not an int" in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Content-Length"] == str(len(response.get_data()))


def test_routing_405_keeps_its_status_and_allow_header() -> None:
    response = _app().test_client().get("/submit")
    assert response.status_code == 405
    assert sorted(response.headers["Allow"].split(", ")) == ["OPTIONS", "POST"]
    assert "405: /submit allows OPTIONS, POST, not GET" in response.get_data(as_text=True)


def test_clients_preferring_json_get_the_explanation_as_json() -> None:
    response = _app().test_client().get("/user/abc", headers={"Accept": "application/json"})
    assert response.status_code == 404
    data = response.get_json()
    assert data["error"] == "not_found"
    assert data["detail"] == data["explanation"]["summary"]
    assert data["explanation"]["path"] == "/user/abc"
    browsers = _app().test_client().get("/user/abc", headers={"Accept": "*/*"})
    assert browsers.mimetype == "text/html"


def test_app_handler_registered_before_inspect_wins() -> None:
    app = Flask("own_handler")
    app.config.update(DEBUG=True)

    @app.errorhandler(404)
    def not_found(error: HTTPException) -> tuple[str, int]:
        return "my own 404", 404

    Inspect(app)
    _routes(app)
    assert app.test_client().get("/user/abc").get_data(as_text=True) == "my own 404"


def test_app_handler_registered_after_inspect_wins() -> None:
    app = _app()

    @app.errorhandler(405)
    def not_allowed(error: HTTPException) -> tuple[str, int]:
        return "my own 405", 405

    assert app.test_client().get("/submit").get_data(as_text=True) == "my own 405"
    assert 'id="explained-note"' in app.test_client().get("/nope").get_data(as_text=True)


def test_app_handler_for_every_http_exception_wins() -> None:
    app = _app()

    @app.errorhandler(HTTPException)
    def any_http_error(error: HTTPException) -> tuple[str, int]:
        return f"mine: {error.code}", error.code or 500

    assert app.test_client().get("/nope").get_data(as_text=True) == "mine: 404"


def test_a_404_raised_by_a_view_is_not_a_routing_error() -> None:
    response = _app().test_client().get("/gone")
    assert response.status_code == 404
    assert response.get_data(as_text=True).startswith(DEFAULT_404_START)


def test_a_page_the_app_already_changed_is_left_alone() -> None:
    app = _app()

    @app.after_request
    def stamp(response: t.Any) -> t.Any:
        if response.status_code == 404:
            response.set_data(b"stamped")
        return response

    assert app.test_client().get("/nope").get_data() == b"stamped"


@pytest.mark.parametrize(
    "config",
    [
        {"INSPECT_EXPLAIN_ERRORS": False},
        {"DEBUG": False},
        {"INSPECT_ENABLED": False},
    ],
)
def test_no_explained_page_when_switched_off(config: dict[str, t.Any]) -> None:
    response = _app(**config).test_client().get("/user/abc")
    assert response.status_code == 404
    assert response.get_data(as_text=True).startswith(DEFAULT_404_START)


def test_switched_off_app_gets_no_hook_at_all() -> None:
    app = _app(INSPECT_ENABLED=False)
    assert app.after_request_funcs.get(None, []) == []


def test_clients_not_allowed_to_see_the_panel_get_the_default_page() -> None:
    response = _app().test_client().get("/nope", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.get_data(as_text=True).startswith(DEFAULT_404_START)


def test_the_panels_own_urls_are_not_explained() -> None:
    response = _app().test_client().get("/_inspect/no-such-view")
    assert response.status_code == 404
    assert 'id="explained-note"' not in response.get_data(as_text=True)


def test_head_request_gets_no_body() -> None:
    response = _app().test_client().head("/nope")
    assert response.status_code == 404
    assert response.get_data() == b""


def test_explained_page_over_a_real_server(
    live_server_factory: t.Callable[[Flask], LiveServer],
) -> None:
    server = live_server_factory(_app())
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(f"{server.url}/user/abc", timeout=10)
    assert raised.value.code == 404
    body = raised.value.read().decode()
    assert "is not an int" in body
    assert raised.value.headers["Content-Length"] == str(len(body.encode()))


class ContextFirstFlask(Flask):
    """Takes the template context the way Flask 3.2 does: the app context first."""

    seen: list[tuple[t.Any, dict[str, t.Any]]]

    def update_template_context(self, ctx: t.Any, context: dict[str, t.Any]) -> None:  # type: ignore[override]
        self.seen.append((ctx, context))


def test_explained_page_calls_update_template_context_with_the_context_first_when_asked() -> None:
    app = ContextFirstFlask("context_first")
    app.seen = []
    app.config.update(DEBUG=True, TESTING=True, SECRET_KEY="test-secret-value")
    Inspect(app)
    _routes(app)
    pushed: list[t.Any] = []

    @app.before_request
    def note_context() -> None:
        pushed.append(context_compat.detect_context_model().current_app_context())

    response = app.test_client().get("/user/abc")
    assert response.status_code == 404
    assert 'id="explained-note"' in response.get_data(as_text=True)
    ((ctx, context),) = app.seen
    assert ctx is pushed[0]  # the request's app context
    assert context["error_page"] is True


def test_explained_page_runs_the_apps_context_processors() -> None:
    app = _app()

    @app.context_processor
    def shared() -> dict[str, str]:
        return {"from_processor": "yes"}

    seen: list[dict[str, t.Any]] = []
    original = app.update_template_context

    @functools.wraps(original)  # the same signature, whichever the running Flask has
    def spy(*args: t.Any) -> None:
        original(*args)
        seen.append(args[-1])

    app.update_template_context = spy  # type: ignore[method-assign,assignment]
    response = app.test_client().get("/user/abc")
    assert 'id="explained-note"' in response.get_data(as_text=True)
    (context,) = seen
    assert context["from_processor"] == "yes"
