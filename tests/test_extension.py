"""The extension: init patterns, the enable policy, and who may see the panel."""

from __future__ import annotations

import logging

import pytest
from flask import Flask

from flask_inspect import Inspect
from flask_inspect.extension import get_state

PANEL_URLS = [
    "/_inspect/",
    "/_inspect/routes",
    "/_inspect/api/routes",
    "/_inspect/static/flask_inspect/inspect.css",
    "/_inspect/static/flask_inspect/routes.js",
]


def _plain_app(**config: object) -> Flask:
    app = Flask(__name__)
    app.config.update(config)

    @app.route("/")
    def index() -> str:
        return "hello"

    return app


def test_panel_is_live_when_debug_is_switched_on_after_init_app() -> None:
    app = _plain_app()
    Inspect(app)  # the primer's pattern: Inspect(app), later app.run(debug=True)
    client = app.test_client()
    assert client.get("/_inspect/routes").status_code == 404
    app.debug = True
    response = client.get("/_inspect/routes")
    assert response.status_code == 200
    assert b"Routes" in response.data
    app.debug = False
    assert client.get("/_inspect/routes").status_code == 404


@pytest.mark.parametrize("url", PANEL_URLS)
def test_every_panel_url_is_404_while_off_and_200_while_on(url: str) -> None:
    app = _plain_app(DEBUG=False)
    Inspect(app)
    client = app.test_client()
    assert client.get(url).status_code == 404
    app.debug = True
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", PANEL_URLS)
def test_a_client_not_in_allowed_hosts_gets_403_with_a_reason(url: str) -> None:
    app = _plain_app(DEBUG=True)
    Inspect(app)
    client = app.test_client()
    response = client.get(url, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert response.status_code == 403
    assert "203.0.113.9" in response.get_data(as_text=True)
    assert "INSPECT_ALLOWED_HOSTS" in response.get_data(as_text=True)
    assert client.get(url, environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    # The app itself still serves that client.
    assert client.get("/", environ_base={"REMOTE_ADDR": "203.0.113.9"}).data == b"hello"


def test_forbidden_api_answers_json_error() -> None:
    app = _plain_app(DEBUG=True)
    Inspect(app)
    response = app.test_client().get(
        "/_inspect/api/routes", environ_base={"REMOTE_ADDR": "198.51.100.1"}
    )
    assert response.status_code == 403
    assert response.is_json
    assert response.json is not None
    assert response.json["error"] == "forbidden"
    assert "198.51.100.1" in response.json["detail"]


def test_allowed_hosts_star_allows_anyone_and_warns(caplog: pytest.LogCaptureFixture) -> None:
    app = _plain_app(DEBUG=True, INSPECT_ALLOWED_HOSTS=("*",))
    with caplog.at_level(logging.WARNING, logger="flask_inspect"):
        Inspect(app)
    assert "any client" in caplog.text
    response = app.test_client().get("/_inspect/", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert response.status_code == 200


def test_enabled_true_serves_without_debug_and_warns(caplog: pytest.LogCaptureFixture) -> None:
    app = _plain_app(DEBUG=False, INSPECT_ENABLED=True)
    with caplog.at_level(logging.WARNING, logger="flask_inspect"):
        Inspect(app)
    assert "outside debug mode" in caplog.text
    assert app.test_client().get("/_inspect/routes").status_code == 200


def test_enabled_false_adds_no_routes_no_cli_and_no_hooks() -> None:
    bare = _plain_app(DEBUG=True)
    app = _plain_app(DEBUG=True, INSPECT_ENABLED=False)
    Inspect(app)
    assert [r.rule for r in app.url_map.iter_rules()] == [r.rule for r in bare.url_map.iter_rules()]
    assert "inspect" not in app.cli.commands
    assert app.wsgi_app.__func__ is Flask.wsgi_app  # type: ignore[attr-defined]
    assert app.before_request_funcs == bare.before_request_funcs
    assert app.after_request_funcs == bare.after_request_funcs
    assert app.teardown_request_funcs == bare.teardown_request_funcs
    assert app.test_client().get("/_inspect/").status_code == 404
    assert app.test_client().get("/").data == b"hello"


def test_switching_off_after_init_hides_the_panel() -> None:
    app = _plain_app(DEBUG=True)
    Inspect(app)
    client = app.test_client()
    assert client.get("/_inspect/").status_code == 200
    app.config["INSPECT_ENABLED"] = False
    assert client.get("/_inspect/").status_code == 404


def test_off_panel_404_uses_the_apps_own_404_handler() -> None:
    # For a client that may not see the panel; a local one is told how to
    # turn it on (test_a_local_client_of_an_off_panel_is_told_how_to_turn_it_on).
    app = _plain_app(DEBUG=False)

    @app.errorhandler(404)
    def not_found(error: Exception) -> tuple[str, int]:
        return "custom not found", 404

    Inspect(app)
    response = app.test_client().get(
        "/_inspect/routes", environ_base={"REMOTE_ADDR": "203.0.113.9"}
    )
    assert response.status_code == 404
    assert response.data == b"custom not found"


@pytest.mark.parametrize("url", PANEL_URLS)
def test_a_local_client_of_an_off_panel_is_told_how_to_turn_it_on(url: str) -> None:
    app = _plain_app(DEBUG=False)

    @app.errorhandler(404)
    def not_found(error: Exception) -> tuple[str, int]:
        return "custom not found", 404

    Inspect(app)
    response = app.test_client().get(url)
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "flask-inspect is off" in text
    assert "debug mode" in text
    assert "INSPECT_ENABLED = True" in text
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    if "/api/" in url:
        assert response.get_json()["error"] == "panel_off"
    else:
        assert response.mimetype == "text/plain"
        assert len(text.strip().splitlines()) == 1
    # ... and an address that may not see the panel learns nothing about it.
    app.config["INSPECT_ALLOWED_HOSTS"] = ("192.0.2.1",)
    hidden = app.test_client().get(url)
    assert hidden.status_code == 404
    assert hidden.data == b"custom not found"


def test_a_remote_client_of_an_off_panel_gets_a_bare_404() -> None:
    app = _plain_app(DEBUG=False)
    Inspect(app)
    response = app.test_client().get("/_inspect/", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert response.status_code == 404
    assert b"flask-inspect" not in response.data
    assert b"INSPECT_ENABLED" not in response.data


def test_init_app_twice_is_harmless() -> None:
    app = _plain_app(DEBUG=True)
    extension = Inspect()
    extension.init_app(app)
    rules_before = sorted(r.rule for r in app.url_map.iter_rules())
    state = get_state(app)
    extension.init_app(app)
    Inspect(app)
    assert sorted(r.rule for r in app.url_map.iter_rules()) == rules_before
    assert get_state(app) is state
    assert app.test_client().get("/_inspect/routes").status_code == 200


def test_one_inspect_serves_two_apps_from_a_factory() -> None:
    extension = Inspect()

    def create_app(name: str, prefix: str) -> Flask:
        app = Flask(name)
        app.config.update(DEBUG=True, INSPECT_URL_PREFIX=prefix)
        app.add_url_rule(f"/only-in-{name}", name, lambda: name)
        extension.init_app(app)
        return app

    first = create_app("first", "/_inspect")
    second = create_app("second", "/debug/inspect/")
    assert not hasattr(extension, "app")
    assert get_state(first) is not get_state(second)
    first_routes = first.test_client().get("/_inspect/api/routes").json
    second_routes = second.test_client().get("/debug/inspect/api/routes").json
    assert first_routes is not None
    assert second_routes is not None
    assert "/only-in-first" in [r["rule"] for r in first_routes["routes"]]
    assert "/only-in-first" not in [r["rule"] for r in second_routes["routes"]]
    assert "/only-in-second" in [r["rule"] for r in second_routes["routes"]]
    assert second.test_client().get("/_inspect/").status_code == 404


def test_get_state_on_an_app_without_the_extension_says_so() -> None:
    with pytest.raises(LookupError, match="not initialised"):
        get_state(Flask(__name__))


def test_panel_responses_carry_a_strict_content_security_policy() -> None:
    app = _plain_app(DEBUG=True)
    Inspect(app)
    client = app.test_client()
    for url in PANEL_URLS:
        policy = client.get(url).headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "default-src 'none'" in policy
        assert "unsafe-inline" not in policy


def test_panel_pages_have_no_inline_scripts_or_styles_or_external_urls() -> None:
    app = _plain_app(DEBUG=True)
    Inspect(app)
    client = app.test_client()
    for url in ("/_inspect/", "/_inspect/routes"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html
        assert "<script src=" in html
        assert " style=" not in html
        assert "<style" not in html
        assert "http://" not in html
        assert "https://" not in html


def test_an_off_panel_gives_no_hint_to_a_forged_host() -> None:
    app = _plain_app(DEBUG=False)
    Inspect(app)
    client = app.test_client()
    assert b"INSPECT_ENABLED" in client.get("/_inspect/routes").data
    response = client.get("/_inspect/routes", headers={"Host": "attacker.example"})
    assert response.status_code == 404
    assert b"INSPECT_ENABLED" not in response.data
