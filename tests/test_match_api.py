"""``GET /_inspect/api/match``: the Explanation as JSON; bad input is a 4xx with a reason."""

from __future__ import annotations

import json
import typing as t
import urllib.error
import urllib.parse
import urllib.request

import pytest
from flask import Flask

from tests.conftest import make_app

if t.TYPE_CHECKING:
    from tests.conftest import LiveServer


def _app(**config: t.Any) -> Flask:
    app = make_app(**config)

    @app.route("/user/<int:id>")
    def user(id: int) -> str:
        return str(id)

    @app.route("/docs/")
    def docs() -> str:
        return "docs"

    @app.route("/submit", methods=["POST"])
    def submit() -> str:
        return "ok"

    return app


def _get(app: Flask, **params: str) -> t.Any:
    return app.test_client().get("/_inspect/api/match", query_string=params)


def test_api_match_explains_a_match() -> None:
    response = _get(_app(), path="/user/5")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.get_json()
    assert data["verdict"] == "matched"
    assert data["endpoint"] == "user"
    assert data["view_args"] == {"id": {"repr": "5", "type": "int"}}
    assert data["host"] == "localhost"


def test_api_match_explains_a_miss_with_candidates_and_suggestions() -> None:
    data = _get(_app(), path="/user/abc").get_json()
    assert data["status"] == 404
    assert data["summary"] == "404: closest is /user/<int:id>; segment 1: 'abc' is not an int"
    user = next(c for c in data["candidates"] if c["rule"] == "/user/<int:id>")
    assert user == {
        "rule": "/user/<int:id>",
        "endpoint": "user",
        "outcome": "converter_rejected",
        "reason": "'abc' is not an int",
        "segment": 1,
    }
    assert data["suggestions"][0] == {
        "rule": "/user/<int:id>",
        "endpoint": "user",
        "example": "/user/1",
    }


def test_api_match_takes_method_host_and_a_full_url() -> None:
    app = _app()
    assert _get(app, path="/submit", method="post").get_json()["verdict"] == "matched"
    refused = _get(app, path="/submit").get_json()
    assert refused["allowed_methods"] == ["OPTIONS", "POST"]
    full = _get(app, path="http://example.org:8000/docs?x=1").get_json()
    assert full["host"] == "example.org:8000"
    assert full["redirect_to"] == "http://example.org:8000/docs/"
    chosen = _get(app, path="http://example.org/docs", host="other.net").get_json()
    assert chosen["host"] == "other.net"


def test_api_match_percent_decodes_the_path_like_a_server_does() -> None:
    app = _app()

    @app.route("/files/<name>")
    def files(name: str) -> str:
        return name

    data = _get(app, path="/files/a%20b").get_json()
    assert data["view_args"] == {"name": {"repr": "'a b'", "type": "str"}}


def test_api_match_websocket_flag() -> None:
    app = _app()
    app.add_url_rule("/ws", "ws", lambda: "", websocket=True)
    assert _get(app, path="/ws").get_json()["verdict"] == "websocket_mismatch"
    assert _get(app, path="/ws", websocket="1").get_json()["verdict"] == "matched"
    assert _get(app, path="/ws", websocket="true").get_json()["verdict"] == "matched"


@pytest.mark.parametrize(
    ("params", "status", "error"),
    [
        ({}, 400, "missing_parameter"),
        ({"path": "   "}, 400, "missing_parameter"),
        ({"path": "/" + "a" * 20_000}, 414, "path_too_long"),
        ({"path": "/a\x00b"}, 400, "invalid_path"),
        ({"path": "/a%00b"}, 400, "invalid_path"),
        ({"path": "/a", "method": "GET /x HTTP/1.1"}, 400, "invalid_method"),
        ({"path": "/a", "host": "not a host"}, 400, "invalid_host"),
        ({"path": "/a", "host": "a" * 300}, 400, "invalid_host"),
        ({"path": "/a", "websocket": "maybe"}, 400, "invalid_parameter"),
    ],
)
def test_api_match_answers_bad_input_with_a_4xx_and_a_reason(
    params: dict[str, str], status: int, error: str
) -> None:
    response = _get(_app(), **params)
    assert response.status_code == status
    data = response.get_json()
    assert set(data) == {"error", "detail"}
    assert data["error"] == error
    assert data["detail"]


def test_api_match_is_behind_the_panel_guard() -> None:
    off = _app(DEBUG=False)
    assert _get(off, path="/user/1").status_code == 404
    stranger = _app()
    response = stranger.test_client().get(
        "/_inspect/api/match?path=/user/1", environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert response.status_code == 403
    assert response.get_json()["error"] == "forbidden"


def test_api_match_over_a_real_server_survives_a_huge_path(
    live_server_factory: t.Callable[[Flask], LiveServer],
) -> None:
    server = live_server_factory(_app())
    query = urllib.parse.urlencode({"path": "/" + "x" * 20_000})
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(f"{server.url}/_inspect/api/match?{query}", timeout=10)
    assert raised.value.code == 414
    body = json.loads(raised.value.read())
    assert body["error"] == "path_too_long"
    assert "20001 characters" in body["detail"]
