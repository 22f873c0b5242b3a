"""Explain corner cases found on real maps, each held to Werkzeug's own answer.

A converter whose ``to_python`` raises ``NotFound``; an app mounted under a
prefix, requested without the slash after it; "did you mean" when the wrong
value is in the first segment; and the teaching app, which must never
reflect what the URL says as HTML.
"""

from __future__ import annotations

import logging
import typing as t

import pytest
from flask import Blueprint
from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.routing import BaseConverter
from werkzeug.routing import RequestRedirect
from werkzeug.test import Client
from werkzeug.wrappers import Response

from example_app import create_app
from flask_inspect import explain
from flask_inspect.explain import locate_path
from tests.conftest import make_app

LOCAL = {"REMOTE_ADDR": "127.0.0.1"}


class KnownUserConverter(BaseConverter):
    """Looks the name up in ``to_python``; an unknown name is ``abort(404)``."""

    def to_python(self, value: str) -> str:
        if value not in ("ada", "bob"):
            raise NotFound()
        return value


def _lookup_app(**config: t.Any) -> Flask:
    app = make_app(**config)
    app.url_map.converters["known"] = KnownUserConverter

    @app.route("/people/<known:name>")
    def person(name: str) -> str:
        return name

    @app.route("/people/<other>")
    def anyone(other: str) -> str:
        return other

    @app.route("/teams/<known:name>", methods=["POST"])
    def team(name: str) -> str:
        return name

    @app.route("/teams/<other>", methods=["GET"])
    def any_team(other: str) -> str:
        return other

    return app


# -- a converter raising NotFound ------------------------------------------------


def test_to_python_raising_not_found_is_a_404_as_werkzeug_says(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = _lookup_app()
    with caplog.at_level(logging.WARNING, logger="flask_inspect"):
        explanation = explain(app, "/people/zed")
    with pytest.raises(NotFound):
        app.url_map.bind("localhost").match("/people/zed")
    assert (explanation.verdict, explanation.status) == ("not_found", 404)
    assert app.test_client().get("/people/zed").status_code == 404
    # No "our reading differs" warning, and nothing says the app answers 500.
    assert [r for r in caplog.records if "differs" in r.getMessage()] == []
    assert "500" not in explanation.summary
    outcomes = {c.rule: c.outcome for c in explanation.candidates}
    assert outcomes["/people/<known:name>"] == "converter_aborted"
    assert outcomes["/people/<other>"] == "not_tried"
    assert explanation.summary == (
        "404: /people/<known:name> was chosen, but segment 1: the known converter's "
        "to_python raised NotFound (404) for 'zed'; Werkzeug stops there, so "
        "/people/<other> never got a chance"
    )
    reason = next(c.reason for c in explanation.candidates if c.outcome == "converter_aborted")
    assert "answers 500" not in reason


def test_to_python_raising_not_found_beats_a_405_as_in_werkzeug() -> None:
    """A ValidationError would give 405 here (GET /teams/<other> fits); NotFound does not."""
    app = _lookup_app()
    explanation = explain(app, "/teams/zed", "POST")
    assert app.test_client().post("/teams/zed").status_code == 404
    assert (explanation.verdict, explanation.status, explanation.allowed_methods) == (
        "not_found",
        404,
        None,
    )


def test_explained_error_page_for_a_not_found_converter() -> None:
    response = _lookup_app().test_client().get("/people/zed")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert 'id="explained-note"' in html
    assert "raised NotFound (404) for &#39;zed&#39;" in html
    assert "answers 500" not in html


def test_a_converter_that_raises_not_found_is_linted_as_blocking_a_fallback() -> None:
    from flask_inspect.route_lint import lint_routes

    kinds = {(n.rule, n.kind) for n in lint_routes(_lookup_app())}
    assert ("/people/<known:name>", "rejects_before_fallback") in kinds


# -- an app mounted under a prefix -------------------------------------------------


def _mounted(script_name: str = "/shop") -> tuple[Flask, Client]:
    app = make_app()

    @app.route("/")
    def index() -> str:
        return "home"

    @app.route("/docs/")
    def docs() -> str:
        return "docs"

    @app.route("/user/<int:id>")
    def user(id: int) -> str:
        return str(id)

    outer = DispatcherMiddleware(Response("outside", 404), {script_name: app.wsgi_app})
    return app, Client(outer)


def test_mounted_app_requested_without_its_slash_is_explained_as_werkzeug_redirects() -> None:
    app, client = _mounted()
    response = client.get("/shop", environ_base=LOCAL)
    assert response.status_code == 308
    explanation = explain(app, "", script_name="/shop")
    with pytest.raises(RequestRedirect) as raised:
        app.url_map.bind("localhost", script_name="/shop").match("")
    assert explanation.verdict == "redirect"
    assert explanation.redirect_to == raised.value.new_url == response.headers["Location"]
    assert explanation.redirect_to == "http://localhost/shop/"
    assert explanation.summary == (
        "308: / ends with a slash, so Werkzeug redirects to http://localhost/shop/"
    )


def test_mounted_app_redirects_and_examples_keep_the_mount_point() -> None:
    app, client = _mounted()
    response = client.get("/shop/docs", environ_base=LOCAL)
    assert explain(app, "/docs", script_name="/shop").redirect_to == response.headers["Location"]
    missing = explain(app, "/user/abc", script_name="/shop")
    assert [s.example for s in missing.suggestions] == ["/shop/user/1"]
    assert client.get("/shop/user/1", environ_base=LOCAL).status_code == 200


def test_record_of_a_mounted_app_without_its_slash_says_308_not_200() -> None:
    _, client = _mounted()
    client.get("/shop", environ_base=LOCAL)
    records = client.get("/shop/_inspect/api/requests", environ_base=LOCAL).get_json()
    summary = records["requests"][0]["routing_error"]["summary"]
    assert summary == "308: / ends with a slash, so Werkzeug redirects to http://localhost/shop/"


def test_explained_404_of_a_mounted_app_links_inside_the_mount_point() -> None:
    _, client = _mounted()
    response = client.get("/shop/user/abc", environ_base=LOCAL)
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert 'href="/shop/user/1"' in html
    assert "GET localhost/shop/user/abc" in html
    assert '<a href="/shop/" id="app-home">' in html


def test_match_page_of_a_mounted_app_strips_the_mount_point_and_says_so() -> None:
    _, client = _mounted()
    page = client.get("/shop/_inspect/match?path=/shop", environ_base=LOCAL)
    html = page.get_data(as_text=True)
    assert "The app is mounted at /shop; it routes an empty path" in html
    assert 'id="verdict-status">308<' in html
    assert "redirects to http://localhost/shop/" in html


def test_application_root_is_the_default_mount_point() -> None:
    app = make_app(APPLICATION_ROOT="/shop")

    @app.route("/docs/")
    def docs() -> str:
        return "docs"

    assert explain(app, "/docs").redirect_to == "http://localhost/shop/docs/"
    result = app.test_cli_runner().invoke(args=["inspect", "match", "/shop/docs"])
    assert result.exit_code == 0, result.output
    assert "Note: The app is mounted at /shop; it routes /docs." in result.output
    assert "308 Redirect  GET localhost/shop/docs" in result.output


def test_locate_path_reads_typed_paths_as_a_browser_would() -> None:
    assert locate_path("/shop/a", "/shop")[0] == "/a"
    assert locate_path("/shop", "/shop")[0] == ""
    assert locate_path("/shopping", "/shop")[0] == "/shopping"
    assert locate_path("user/7", "") == (
        "/user/7",
        ["'user/7' has no leading slash; a browser always sends one, so this explains /user/7."],
    )


# -- did you mean, with the wrong value in the first segment ----------------------


def _flaskr() -> Flask:
    """The shape of Flask's tutorial app, flaskr, with the panel's own rules."""
    app = make_app()
    auth = Blueprint("auth", __name__, url_prefix="/auth")
    blog = Blueprint("blog", __name__)

    def view(**_: t.Any) -> str:
        return ""

    for name in ("register", "login"):
        auth.add_url_rule(f"/{name}", name, view, methods=["GET", "POST"])
    auth.add_url_rule("/logout", "logout", view)
    blog.add_url_rule("/", "index", view)
    blog.add_url_rule("/create", "create", view, methods=["GET", "POST"])
    blog.add_url_rule("/<int:id>/update", "update", view, methods=["GET", "POST"])
    blog.add_url_rule("/<int:id>/delete", "delete", view, methods=["POST"])
    app.register_blueprint(auth)
    app.register_blueprint(blog)
    return app


def test_did_you_mean_keeps_the_obvious_rule_when_the_first_segment_is_wrong() -> None:
    app = _flaskr()
    # The panel's rules sort ahead of /<int:id>/update: a shortlist by progress lost it.
    assert len(list(app.url_map.iter_rules())) > 16
    explanation = explain(app, "/abc/update")
    assert [(s.rule, s.example) for s in explanation.suggestions][:1] == [
        ("/<int:id>/update", "/1/update")
    ]
    assert explanation.summary == (
        "404: closest is /<int:id>/update; segment 0: 'abc' is not an int"
    )


def test_nothing_close_offers_the_apps_top_level_paths() -> None:
    explanation = explain(_flaskr(), "/nope")
    assert explanation.suggestions == []
    assert [s.example for s in explanation.top_level] == [
        "/",
        "/1/update",
        "/auth/register",
        "/create",
    ]
    assert all(not s.endpoint.startswith("flask_inspect.") for s in explanation.top_level)


# -- the teaching app never reflects input as HTML ---------------------------------

# One segment cannot hold "</script>" (its slash starts a new segment), so the
# one-segment rules get an opening tag and an attribute handler; path takes all.
SCRIPT = "<script>alert(1)"
IMAGE = "<img src=x onerror=alert(1)>"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (f"/user/{SCRIPT}", "Welcome to your dashboard, &lt;script&gt;alert(1)"),
        (f"/user/{IMAGE}", "Welcome to your dashboard, &lt;img src=x onerror=alert(1)&gt;"),
        (f"/calendar/{SCRIPT}", "Calendar &lt;script&gt;alert(1)"),
        (f"/calendar/{IMAGE}", "Calendar &lt;img src=x onerror=alert(1)&gt;"),
        ("/files/<script>alert(1)</script>", "File: &lt;script&gt;alert(1)&lt;/script&gt;"),
    ],
)
def test_teaching_app_escapes_what_the_url_says(path: str, expected: str) -> None:
    response = create_app().test_client().get(path)
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body
    assert expected in body
    assert "<script" not in body
    assert "<img" not in body
