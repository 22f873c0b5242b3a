"""What a kept request costs in memory, whatever the client sends.

A record keeps the request's WSGI environ only until the background writer
has drawn its JSON; what is kept after that is bounded: the path and the
query string cut to 1,000 characters, each header value to 256, at most 32
headers. So 1,000 records of worst-case requests (64 KB of headers each)
stay under 50 MB even in the memory store, and clients that may not open
the panel are recorded within the same bounds.
"""

from __future__ import annotations

import base64
import gc
import json
import os
import tracemalloc
import typing as t

import pytest
from flask import Flask
from werkzeug.test import EnvironBuilder

from flask_inspect import Inspect
from flask_inspect import explain
from flask_inspect.extension import get_state
from flask_inspect.record import MAX_CANDIDATES_KEPT
from flask_inspect.record import MAX_HEADER_VALUE
from flask_inspect.record import MAX_HEADERS
from flask_inspect.record import MAX_URL_TEXT
from flask_inspect.recorder import REQUEST_ID_HEADER

RECORDS = 1000
BOUND_MB = 50.0
HEADER_BYTES = 64 * 1024


def _app(store: str) -> Flask:
    app = Flask("bounded")
    app.config.update(DEBUG=True, INSPECT_HISTORY_SIZE=RECORDS, INSPECT_STORE=store)
    Inspect(app)

    @app.route("/<path:anything>")
    def anything(anything: str) -> str:
        return "ok"

    return app


def _noise(characters: int) -> str:
    """Random text: nothing a store could compress away."""
    return base64.b64encode(os.urandom(characters)).decode()[:characters]


def _wide_noise(characters: int) -> str:
    """Random three-byte (CJK) characters, as a WSGI server passes UTF-8 on: latin-1."""
    text = "".join(
        chr(0x4E00 + byte * 80 + index % 80) for index, byte in enumerate(os.urandom(characters))
    )
    return text.encode().decode("latin-1")


def _worst_case_headers(number: int) -> dict[str, str]:
    """64 KB of headers in the shapes that cost most: many, long, and non-ASCII."""
    shape = number % 3
    if shape == 0:  # 64 headers of 1 KB
        return {f"X-Filler-{i}": _noise(1000) for i in range(64)}
    if shape == 1:  # one header of 64 KB
        return {"X-Huge": _noise(HEADER_BYTES)}
    # 16 headers of 4 KB of three-byte characters
    return {f"X-Wide-{i}": _wide_noise(1365) for i in range(16)}


def _worst_case_environs() -> list[dict[str, t.Any]]:
    """Each shape of request once, from a client that may not see the panel."""
    return [
        EnvironBuilder(
            path="/p/" + _noise(8000),
            query_string="q=" + _noise(8000),
            headers=list(_worst_case_headers(shape).items()),
            environ_overrides={"REMOTE_ADDR": "203.0.113.9"},
        ).get_environ()
        for shape in range(3)
    ]


def _start_response(status: str, headers: list[tuple[str, str]], exc_info: t.Any = None) -> t.Any:
    assert status == "200 OK"
    # Recorded (the test counts the records), but the id is not told to a
    # client that may not see the panel.
    assert all(name != REQUEST_ID_HEADER for name, _ in headers)
    return lambda data: None


@pytest.mark.parametrize("store", ["memory", None])
def test_a_thousand_worst_case_requests_stay_under_50_mb(store: str | None) -> None:
    """Direct WSGI calls (each with a fresh copy of a 64 KB environ), paced as
    a server would be: the writer is let catch up every 100 requests."""
    app = _app(store or "")
    if store is None:
        app.config.pop("INSPECT_STORE")  # the default: SQLite
    history = get_state(app).history
    assert history is not None
    environs = _worst_case_environs()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        for number in range(RECORDS):
            body = app.wsgi_app(dict(environs[number % 3]), _start_response)
            assert b"".join(body) == b"ok"
            getattr(body, "close", lambda: None)()
            if number % 100 == 99:
                assert history.flush(timeout=60)
        del body
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    assert grown / 1e6 <= BOUND_MB, f"{grown / 1e6:.1f} MB for {RECORDS} records"
    assert history.dropped == 0
    records = history.newest_first()
    assert len(records) == RECORDS
    for record in records[:3]:
        detail = record.detail(app)
        assert len(detail["path"]) <= MAX_URL_TEXT
        assert len(detail["query_string"]) <= MAX_URL_TEXT
        assert len(detail["headers"]) <= MAX_HEADERS
        assert all(len(value) <= MAX_HEADER_VALUE for _, value in detail["headers"])


def test_cut_request_text_says_it_was_cut() -> None:
    app = _app("memory")
    client = app.test_client()
    headers = {f"X-Many-{i}": "v" for i in range(40)}
    headers["X-Long"] = "L" * 5000
    response = client.get("/p/" + "b" * 3000, headers=headers)
    history = get_state(app).history
    assert history is not None
    record = history.get(response.headers[REQUEST_ID_HEADER])
    assert record is not None
    detail = record.detail(app)
    assert detail["path"].endswith("…")
    assert len(detail["path"]) == MAX_URL_TEXT
    names = [name for name, _ in detail["headers"]]
    assert len(names) == MAX_HEADERS
    assert names[-1] == "…"
    assert detail["headers"][-1][1].endswith("more headers not kept")
    long_values = [value for name, value in detail["headers"] if name == "X-Long"]
    assert long_values in ([], ["L" * (MAX_HEADER_VALUE - 1) + "…"])


def test_a_secret_header_with_a_long_name_is_still_redacted() -> None:
    app = _app("memory")
    name = "X-" + "n" * 600 + "-Token"
    response = app.test_client().get("/p/x", headers={name: "s3cret-value"})
    history = get_state(app).history
    assert history is not None
    record = history.get(response.headers[REQUEST_ID_HEADER])
    assert record is not None
    headers = record.detail(app)["headers"]
    assert "s3cret-value" not in str(headers)
    assert any(value == "[redacted]" for _, value in headers)


def _app_with_many_rules(rules: int) -> Flask:
    app = Flask("many_rules")
    app.config.update(DEBUG=True, INSPECT_STORE="memory")
    Inspect(app)

    def view(**values: t.Any) -> str:
        return "ok"

    for number in range(rules):
        app.add_url_rule(f"/section{number}/<int:item>", f"section{number}", view)
    # Two rules that take the URL's first segment: the nearest to /user/abc/edit.
    app.add_url_rule("/user/<int:user_id>/edit", "edit_user", view)
    app.add_url_rule("/user/<int:user_id>", "user", view)
    return app


def test_a_404_record_keeps_the_nearest_rules_whatever_the_app_size() -> None:
    """A record does not grow with the rule count: the rules that got past the
    first segment are kept, the rest only up to the cap, and the count of
    those left out is said."""
    app = _app_with_many_rules(600)
    total = len(list(app.url_map.iter_rules()))
    response = app.test_client().get("/user/abc/edit")
    assert response.status_code == 404
    history = get_state(app).history
    assert history is not None
    record = history.get(response.headers[REQUEST_ID_HEADER])
    assert record is not None
    explanation = record.detail(app)["routing_error"]["explanation"]
    candidates = explanation["candidates"]
    assert len(candidates) == MAX_CANDIDATES_KEPT
    assert explanation["candidates_omitted"] == total - MAX_CANDIDATES_KEPT
    rules = [candidate["rule"] for candidate in candidates]
    assert "/user/<int:user_id>/edit" in rules
    assert "/user/<int:user_id>" in rules
    # Kept in match order: the order the match page and the API give.
    full = [c.rule for c in explain(app, "/user/abc/edit", "GET").candidates]
    assert rules == sorted(rules, key=full.index)
    assert len(json.dumps(explanation)) < 15_000
    # The verdict and the suggestions are the whole explanation's.
    assert explanation["verdict"] == "not_found"
    assert explanation["suggestions"][0]["rule"] == "/user/<int:user_id>/edit"


def test_a_small_app_keeps_every_rule_in_its_404_record() -> None:
    app = _app_with_many_rules(3)
    response = app.test_client().get("/nowhere")
    history = get_state(app).history
    assert history is not None
    record = history.get(response.headers[REQUEST_ID_HEADER])
    assert record is not None
    explanation = record.detail(app)["routing_error"]["explanation"]
    assert explanation["candidates_omitted"] == 0
    full = explain(app, "/nowhere", "GET").to_dict()["candidates"]
    assert explanation["candidates"] == full
