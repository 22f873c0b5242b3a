"""``/_inspect/api/requests`` and ``/_inspect/api/requests/<id>``: shape, filters, errors."""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask

from flask_inspect.recorder import REQUEST_ID_HEADER
from tests.test_recorder import RECORD_KEYS
from tests.test_recorder import recording_app

API = "/_inspect/api/requests"


def served(app: Flask) -> dict[str, str]:
    """A handful of requests of every kind; their ids by a short name."""
    client = app.test_client()
    ids = {}
    for name, method, path in [
        ("item", "GET", "/shop/item/4?q=1"),
        ("json", "GET", "/json"),
        ("missing", "GET", "/nowhere"),
        ("post", "POST", "/json"),
        ("boom", "GET", "/boom"),
    ]:
        response = client.open(path, method=method, buffered=True)
        ids[name] = response.headers[REQUEST_ID_HEADER]
    return ids


def api(app: Flask, query: str = "") -> t.Any:
    response = app.test_client().get(API + query)
    assert response.mimetype == "application/json"
    return response


def test_list_serves_every_record_newest_first_in_the_public_shape() -> None:
    app = recording_app(PROPAGATE_EXCEPTIONS=False)
    ids = served(app)
    payload = api(app).get_json()
    assert payload["total"] == 5
    assert payload["history_size"] == 200
    records = payload["requests"]
    assert [record["id"] for record in records] == list(reversed(list(ids.values())))
    for record in records:
        assert set(record) == RECORD_KEYS | {"after_restart"}
    by_id = {record["id"]: record for record in records}
    assert by_id[ids["item"]]["view_args"] == {"item_id": {"repr": "4", "type": "int"}}
    assert by_id[ids["missing"]]["routing_error"]["verdict"] == "not_found"
    assert by_id[ids["boom"]]["exception"] == {
        "type": "RuntimeError",
        "message": "this view fails on purpose",
    }
    assert "traceback" not in by_id[ids["boom"]]["exception"]  # the detail has it


def test_detail_serves_everything_about_one_record() -> None:
    app = recording_app(PROPAGATE_EXCEPTIONS=False)
    ids = served(app)
    client = app.test_client()
    boom = client.get(f"{API}/{ids['boom']}").get_json()
    assert set(boom) >= RECORD_KEYS
    assert boom["exception"]["traceback"][-1]["function"] == "boom"
    assert ["Host", "localhost"] in boom["headers"]
    missing = client.get(f"{API}/{ids['missing']}").get_json()
    explanation = missing["routing_error"]["explanation"]
    assert explanation["verdict"] == "not_found"
    assert explanation["path"] == "/nowhere"


def test_unknown_record_is_a_json_404() -> None:
    app = recording_app()
    response = app.test_client().get(f"{API}/no-such-id")
    assert response.status_code == 404
    body = response.get_json()
    assert body["error"] == "not_found"
    assert "no-such-id" in body["detail"]
    assert "200" in body["detail"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?status=2xx", ["json", "item"]),
        ("?status=4xx", ["post", "missing"]),
        ("?status=5xx", ["boom"]),
        ("?method=post", ["post"]),
        ("?endpoint=-", ["post", "missing"]),
        ("?endpoint=shop.item", ["item"]),
        ("?q=PURPOSE", ["boom"]),
        ("?q=shop%20item", ["item"]),
        ("?status=4xx&method=GET", ["missing"]),
        ("?limit=2", ["boom", "post"]),
        ("?limit=0", []),
        ("?status=pending", []),
    ],
)
def test_list_filters_by_status_method_endpoint_text_and_limit(
    query: str, expected: list[str]
) -> None:
    app = recording_app(PROPAGATE_EXCEPTIONS=False)
    ids = served(app)
    names = {record_id: name for name, record_id in ids.items()}
    payload = api(app, query).get_json()
    assert [names[record["id"]] for record in payload["requests"]] == expected
    assert payload["total"] == 5


@pytest.mark.parametrize(
    ("query", "mentions"),
    [("?status=9xx", "status"), ("?limit=many", "limit"), ("?limit=-1", "limit")],
)
def test_bad_filters_are_a_json_400(query: str, mentions: str) -> None:
    app = recording_app()
    response = api(app, query)
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "bad_filter"
    assert mentions in body["detail"]


def test_api_answers_404_while_off_and_403_to_other_clients() -> None:
    off = recording_app(DEBUG=False)
    assert off.test_client().get(API).status_code == 404
    app = recording_app()
    response = app.test_client().get(API, environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert response.status_code == 403
    assert response.get_json()["error"] == "forbidden"
