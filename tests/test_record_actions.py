"""Actions on the history and its records: clear (POST with token), neighbours, rule finder."""

from __future__ import annotations

import re
import typing as t

import pytest
from flask import Flask
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.exceptions import NotFound
from werkzeug.routing import RequestRedirect

from example_app import create_app
from flask_inspect.extension import get_state
from flask_inspect.recorder import REQUEST_ID_HEADER
from flask_inspect.url_owner import rule_taking
from tests.conftest import make_app

TOKEN = re.compile(r'name="token" value="([^"]+)"')


def _app_with_history() -> tuple[Flask, list[str]]:
    app = make_app()

    @app.route("/a")
    def a() -> str:
        return "a"

    client = app.test_client()
    ids = [client.get("/a").headers[REQUEST_ID_HEADER] for _ in range(3)]
    return app, ids


def _token(app: Flask) -> str:
    page = app.test_client().get("/_inspect/requests").get_data(as_text=True)
    found = TOKEN.search(page)
    assert found is not None
    return found.group(1)


def _kept(app: Flask) -> int:
    history = get_state(app).history
    assert history is not None
    return len(history)


def test_clear_with_the_pages_token_empties_the_history() -> None:
    app, _ = _app_with_history()
    assert _kept(app) == 3
    response = app.test_client().post("/_inspect/requests/clear", data={"token": _token(app)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/_inspect/requests?cleared=1")
    assert _kept(app) == 0
    page = app.test_client().get("/_inspect/requests?cleared=1").get_data(as_text=True)
    assert "History cleared." in page


@pytest.mark.parametrize("data", [{}, {"token": ""}, {"token": "guessed"}])
def test_clear_without_the_token_is_refused_with_a_reason(data: dict[str, str]) -> None:
    app, _ = _app_with_history()
    response = app.test_client().post("/_inspect/requests/clear", data=data)
    assert response.status_code == 400
    assert "token" in response.get_data(as_text=True)
    assert _kept(app) == 3


def test_clear_is_a_post_only_and_local_only() -> None:
    app, _ = _app_with_history()
    client = app.test_client()
    # A GET is a lookup of a record called "clear" (no id looks like that): nothing changes.
    assert client.get("/_inspect/requests/clear").status_code == 404
    assert _kept(app) == 3
    refused = client.post(
        "/_inspect/requests/clear",
        data={"token": _token(app)},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    assert refused.status_code == 403
    assert _kept(app) == 3


def test_the_token_differs_between_apps() -> None:
    first, _ = _app_with_history()
    second, _ = _app_with_history()
    assert _token(first) != _token(second)
    response = second.test_client().post("/_inspect/requests/clear", data={"token": _token(first)})
    assert response.status_code == 400


def test_detail_page_links_to_older_and_newer_records_and_to_routes_and_match() -> None:
    app, ids = _app_with_history()
    page = app.test_client().get(f"/_inspect/requests/{ids[1]}").get_data(as_text=True)
    assert f'id="older-record" rel="prev" href="/_inspect/requests/{ids[0]}"' in page
    assert f'id="newer-record" rel="next" href="/_inspect/requests/{ids[2]}"' in page
    assert 'id="rule-on-routes" href="/_inspect/routes?q=/a&amp;method=GET"' in page
    assert 'id="match-link" href="/_inspect/match?path=/a&amp;method=GET"' in page
    assert 'id="reopen-url" href="http://localhost/a"' in page
    first = app.test_client().get(f"/_inspect/requests/{ids[0]}").get_data(as_text=True)
    assert 'id="older-record">← no older request' in first


def test_no_open_again_link_for_a_post_or_a_url_with_a_redacted_value() -> None:
    app, _ = _app_with_history()
    client = app.test_client()
    for response in (client.get("/a?token=tok-value-zz"), client.post("/a")):
        record_id = response.headers[REQUEST_ID_HEADER]
        page = client.get(f"/_inspect/requests/{record_id}").get_data(as_text=True)
        assert 'id="reopen-url"' not in page
        assert "tok-value-zz" not in page


def test_a_request_no_rule_matched_links_to_match_but_not_to_routes() -> None:
    app = make_app()
    record_id = app.test_client().get("/nope").headers[REQUEST_ID_HEADER]
    page = app.test_client().get(f"/_inspect/requests/{record_id}").get_data(as_text=True)
    assert 'id="match-link"' in page
    assert 'id="rule-on-routes"' not in page


def _werkzeug_rule(app: Flask, path: str, method: str) -> t.Any:
    adapter = app.url_map.bind("localhost")
    return adapter.match(path, method, return_rule=True)[0]


@pytest.mark.parametrize(
    ("path", "method"),
    [("/user/7", "GET"), ("/user/ada", "GET"), ("/", "GET"), ("/static/x.css", "GET")],
)
def test_the_rule_taking_a_url_is_werkzeugs(path: str, method: str) -> None:
    app = create_app()
    found = rule_taking(app, path, method, "localhost")
    rule = _werkzeug_rule(app, path, method)
    assert found["verdict"] == "matched"
    assert (found["rule"], found["endpoint"]) == (rule.rule, rule.endpoint)
    assert list(app.url_map.iter_rules())[found["registration_index"]] is rule


def test_a_refused_method_still_names_the_rule_and_what_it_allows() -> None:
    app = make_app()

    @app.post("/submit")
    def submit() -> str:
        return ""

    with pytest.raises(MethodNotAllowed):
        _werkzeug_rule(app, "/submit", "GET")
    found = rule_taking(app, "/submit", "GET", "localhost")
    assert found["verdict"] == "method_not_allowed"
    assert found["rule"] == "/submit"
    assert found["allowed_methods"] == ["OPTIONS", "POST"]


def test_a_redirect_and_a_miss() -> None:
    app = make_app()

    @app.get("/docs/")
    def docs() -> str:
        return ""

    with pytest.raises(RequestRedirect):
        _werkzeug_rule(app, "/docs", "GET")
    found = rule_taking(app, "/docs?x=1", "GET", "localhost")
    assert found["verdict"] == "redirect"
    assert found["redirect_to"] == "http://localhost/docs/"
    assert found["rule"] == "/docs/"
    with pytest.raises(NotFound):
        _werkzeug_rule(app, "/nope", "GET")
    missing = rule_taking(app, "/nope", "GET", "localhost")
    assert missing["verdict"] == "not_found"
    assert missing["registration_index"] is None


def test_the_rule_finder_api_answers_json_and_400_for_bad_input() -> None:
    app = create_app()
    app.debug = True
    client = app.test_client()
    found = client.get("/_inspect/api/routes/taking?url=/user/7").get_json()
    assert found["verdict"] == "matched"
    assert found["rule"] == "/user/<int:id>"
    assert found["endpoint"] == _werkzeug_rule(app, "/user/7", "GET").endpoint
    for query, error in [("", "missing_parameter"), ("?url=user/7", "invalid_parameter")]:
        response = client.get("/_inspect/api/routes/taking" + query)
        assert response.status_code == 400
        assert response.get_json()["error"] == error


def test_did_you_mean_entries_on_a_record_are_links_to_match() -> None:
    app = create_app()
    app.debug = True
    client = app.test_client()
    record_id = client.get("/usr/7").headers[REQUEST_ID_HEADER]
    page = client.get(f"/_inspect/requests/{record_id}").get_data(as_text=True)
    suggestions = page.split('<ul class="suggestions" id="record-suggestions">', 1)[1]
    suggestions = suggestions.split("</ul>", 1)[0]
    # An example URL leads to the page itself (built as url_for builds it).
    assert '<a href="/user/7"><code>/user/7</code></a>' in suggestions
    assert suggestions.count("<li>") == suggestions.count("<li><a href=")
