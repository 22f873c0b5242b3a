"""The panel is served apart from the app's hooks, session and cookies.

The app here is as hostile to the panel as real apps are: a ``before_request``
that redirects every request (a login wall, a "finish the setup" redirect),
an ``after_request`` that writes the session and sets a cookie, a teardown
that does work, a context processor and a catch-all error handler. Every
panel page, API and static file must still answer, with no cookie and
without running any of them.
"""

from __future__ import annotations

import http.client
import typing as t
from collections import Counter

import pytest
from flask import Flask
from flask import redirect
from flask import render_template_string
from flask import request
from flask import session
from flask import url_for
from werkzeug.routing import BaseConverter
from werkzeug.routing import ValidationError

from flask_inspect import Inspect
from tests.conftest import LiveServer

PANEL_URLS = [
    "/_inspect",
    "/_inspect/",
    "/_inspect/routes",
    "/_inspect/match?path=/thing/abc",
    "/_inspect/requests",
    "/_inspect/contexts",
    "/_inspect/api/routes",
    "/_inspect/api/match?path=/thing/abc",
    "/_inspect/api/requests",
    "/_inspect/api/contexts",
    "/_inspect/static/flask_inspect/inspect.css",
    "/_inspect/static/flask_inspect/requests.js",
]


def hostile_app(runs: Counter[str]) -> Flask:
    app = Flask(__name__)
    app.config.update(DEBUG=True, SECRET_KEY="s3cret-for-the-session")

    @app.before_request
    def everything_goes_to_setup() -> t.Any:
        runs["before_request"] += 1
        if request.path != "/setup":
            return redirect("/setup")
        return None

    @app.after_request
    def write_session_and_cookie(response: t.Any) -> t.Any:
        runs["after_request"] += 1
        session["visits"] = session.get("visits", 0) + 1
        response.set_cookie("tracking", "yes")
        return response

    @app.teardown_request
    def count_teardown(exc: BaseException | None) -> None:
        runs["teardown_request"] += 1

    @app.teardown_appcontext
    def count_app_teardown(exc: BaseException | None) -> None:
        runs["teardown_appcontext"] += 1

    @app.context_processor
    def count_context() -> dict[str, t.Any]:
        runs["context_processor"] += 1
        return {}

    @app.errorhandler(Exception)
    def catch_all(error: Exception) -> tuple[str, int]:
        runs["errorhandler"] += 1
        return "the app's error page", 500

    @app.route("/setup")
    def setup() -> str:
        return render_template_string("<html><body>set me up</body></html>")

    @app.route("/thing/<int:thing_id>")
    def thing(thing_id: int) -> str:
        return str(thing_id)

    Inspect(app)
    return app


@pytest.mark.parametrize("url", PANEL_URLS)
def test_every_panel_url_answers_without_the_apps_hooks_or_a_cookie(url: str) -> None:
    runs: Counter[str] = Counter()
    app = hostile_app(runs)
    client = app.test_client()
    response = client.get(url)
    assert response.status_code in (200, 308), response.data[:300]
    assert "Set-Cookie" not in response.headers
    assert runs == Counter(), runs
    # The app itself still runs its hooks for its own URLs.
    assert client.get("/").status_code == 302
    assert "Set-Cookie" in client.get("/setup").headers
    assert runs["before_request"] == 2
    assert runs["teardown_request"] == 2


def test_over_real_tcp_with_a_session_cookie_sent(
    live_server_factory: t.Callable[[Flask], LiveServer],
) -> None:
    runs: Counter[str] = Counter()
    server = live_server_factory(hostile_app(runs))
    for url in PANEL_URLS:
        connection = http.client.HTTPConnection("127.0.0.1", server.server.server_port, timeout=10)
        try:
            connection.request("GET", url, headers={"Cookie": "session=garbage; tracking=yes"})
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
        assert response.status in (200, 308), url
        assert response.getheader("Set-Cookie") is None, url
    assert runs == Counter()


def test_url_building_and_flask_routes_still_see_the_panel() -> None:
    app = hostile_app(Counter())
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert {"flask_inspect.overview", "flask_inspect.static"} <= endpoints
    with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": "/mnt"}):
        assert url_for("flask_inspect.requests") == "/mnt/_inspect/requests"


def test_panel_links_follow_the_mount_point() -> None:
    app = hostile_app(Counter())
    html = app.test_client().get("/_inspect/", environ_overrides={"SCRIPT_NAME": "/mnt"}).text
    assert 'href="/mnt/_inspect/static/flask_inspect/inspect.css"' in html
    assert 'href="/mnt/_inspect/routes"' in html


def test_the_panel_lists_the_apps_requests_and_routes() -> None:
    app = hostile_app(Counter())
    client = app.test_client()
    client.get("/thing/7")
    listed = client.get("/_inspect/api/requests").get_json()["requests"]
    assert [(item["path"], item["status"]) for item in listed] == [("/thing/7", 302)]
    rules = [route["rule"] for route in client.get("/_inspect/api/routes").get_json()["routes"]]
    assert "/thing/<int:thing_id>" in rules


def test_an_unknown_panel_url_is_a_plain_404_without_the_apps_handlers() -> None:
    runs: Counter[str] = Counter()
    app = hostile_app(runs)
    app.register_error_handler(404, lambda error: ("the app's 404", 404))
    response = app.test_client().get("/_inspect/no-such-view")
    assert response.status_code == 404
    assert b"the app's 404" not in response.data
    assert runs == Counter()


def test_while_off_the_app_answers_the_panel_urls_itself() -> None:
    runs: Counter[str] = Counter()
    app = hostile_app(runs)
    app.debug = False
    app.register_error_handler(404, lambda error: ("the app's 404", 404))
    app.before_request_funcs[None].clear()
    # A remote client: a local one is told how to turn the panel on instead.
    response = app.test_client().get(
        "/_inspect/routes", environ_base={"REMOTE_ADDR": "203.0.113.9"}
    )
    assert (response.status_code, response.data) == (404, b"the app's 404")


class CountingConverter(BaseConverter):
    """A converter whose ``to_python`` is expensive (say, a database lookup)."""

    calls: t.ClassVar[list[str]] = []

    def to_python(self, value: str) -> t.Any:
        CountingConverter.calls.append(value)
        if not value.isdigit():
            raise ValidationError()
        return int(value)

    def to_url(self, value: t.Any) -> str:
        CountingConverter.calls.append(f"to_url:{value}")
        return str(value)


def test_converters_are_asked_about_invented_values_once_per_map() -> None:
    app = Flask(__name__)
    app.config.update(DEBUG=True)
    app.url_map.converters["counted"] = CountingConverter

    @app.route("/item/<counted:item_id>")
    def item(item_id: int) -> str:
        return str(item_id)

    @app.route("/other/<counted:other_id>/edit")
    def other(other_id: int) -> str:
        return str(other_id)

    Inspect(app)
    client = app.test_client()
    client.get("/item/x1")  # a routing failure, explained in the history
    pages = [
        "/_inspect/routes",
        "/_inspect/match?path=/item/zz",
        "/_inspect/api/match?path=/itme/5",
        "/_inspect/api/requests",
        "/_inspect/api/contexts",
    ]
    for page in pages:
        assert client.get(page).status_code == 200, page
    CountingConverter.calls.clear()
    for _ in range(3):
        for page in pages:
            client.get(page)
        client.get(pages[-2])  # a poll of the requests list
        client.get(pages[-1])  # a poll of the live contexts
    # Only the URLs' own texts are read again (the match view explains them
    # afresh); nothing invented.
    assert set(CountingConverter.calls) <= {"zz", "5"}, CountingConverter.calls
    # Werkzeug's own match (the oracle), the decision and the diagnosis each read it.
    assert CountingConverter.calls.count("zz") <= 3 * 3
    polls = len(CountingConverter.calls)
    for _ in range(5):
        client.get("/_inspect/api/requests")
        client.get("/_inspect/api/contexts")
    assert len(CountingConverter.calls) == polls  # the polls ask nothing at all


def test_the_contexts_view_shows_the_panels_own_app_on_the_serving_thread() -> None:
    runs: Counter[str] = Counter()
    app = hostile_app(runs)
    data = app.test_client().get("/_inspect/api/contexts").get_json()
    (serving,) = [thread for thread in data["threads"] if thread["serving"]]
    boxes = [(box["kind"], box["app"], box.get("path")) for box in serving["contexts"]]
    assert boxes == [
        ("app", "flask_inspect.panel", None),
        ("request", "flask_inspect.panel", "/_inspect/api/contexts"),
    ]
    assert runs == Counter()
