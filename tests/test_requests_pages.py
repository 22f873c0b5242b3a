"""The request history pages: the list shell and one record drawn on the server."""

from __future__ import annotations

import re
import typing as t

from flask import Flask

from flask_inspect.recorder import REQUEST_ID_HEADER
from tests.test_recorder import recording_app

TAG = re.compile(r"<[a-zA-Z][^>]*>")
INLINE_ATTRIBUTE = re.compile(r"\s(?:on[a-z]+|style)\s*=", re.IGNORECASE)


def assert_no_inline_code(html: str) -> None:
    """CSP-safe: scripts only from files, no style attributes or event handlers."""
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, tag
    assert "<style" not in html
    for tag in TAG.findall(html):
        assert not INLINE_ATTRIBUTE.search(tag), tag


def detail_page(app: Flask, path: str, method: str = "GET") -> tuple[t.Any, str]:
    client = app.test_client()
    response = client.open(path, method=method, buffered=True)
    record_id = response.headers[REQUEST_ID_HEADER]
    page = client.get(f"/_inspect/requests/{record_id}")
    assert page.status_code == 200
    return response, page.get_data(as_text=True)


def test_list_page_is_a_shell_the_script_fills_from_the_api() -> None:
    app = recording_app()
    response = app.test_client().get("/_inspect/requests")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="requests-table"' in html
    assert 'data-api="/_inspect/api/requests"' in html
    assert 'src="/_inspect/static/flask_inspect/requests.js"' in html
    for control in (
        "filter-text",
        "filter-status",
        "filter-method",
        "filter-endpoint",
        "live-toggle",
    ):
        assert f'id="{control}"' in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert_no_inline_code(html)


def test_detail_page_of_a_matched_request_shows_view_arguments_and_templates() -> None:
    app = recording_app()
    _, html = detail_page(app, "/shop/item/12")
    assert "Handled by <code>shop.item</code>" in html
    assert "/shop/item/&lt;int:item_id&gt;" in html
    assert 'id="view-args"' in html
    assert '<td><code>item_id</code></td><td class="mono-cell">12</td>' in html
    assert "item.html" in html
    assert "Looked at 12" in html
    assert "test_recorder.py" in html
    assert_no_inline_code(html)


def test_detail_page_draws_the_timeline_diagram() -> None:
    app = recording_app()
    _, html = detail_page(app, "/shop/item/1")
    svg = html[html.index('<svg class="timeline"') : html.index("</svg>")]
    lanes = set(re.findall(r'data-lane="([a-z]+)"', svg))
    assert lanes == {"wsgi", "app", "request", "dispatch", "template"}
    assert "app context" in svg
    assert "request context" in svg
    assert 'class="mark mark-start_response"' in svg
    assert "<title>" in svg
    assert 'id="events"' in html
    assert "request_tearing_down" in html
    assert_no_inline_code(html)


def test_detail_page_of_a_404_explains_it_and_links_to_route_explain() -> None:
    app = recording_app()
    _, html = detail_page(app, "/shop/item/twelve")
    assert "Werkzeug raised <code>NotFound</code> (404)" in html
    assert 'id="routing-summary"' in html
    assert "is not an int" in html
    assert "/_inspect/match?path=/shop/item/twelve&amp;method=GET" in html


def test_detail_page_of_an_error_shows_the_traceback() -> None:
    app = recording_app(PROPAGATE_EXCEPTIONS=False)
    _, html = detail_page(app, "/boom")
    assert 'id="exception"' in html
    assert "<code>RuntimeError</code>: this view fails on purpose" in html
    assert "raise RuntimeError(&#34;this view fails on purpose&#34;)" in html


def test_detail_page_escapes_everything_it_shows() -> None:
    app = recording_app()
    hostile = "/<script>alert(1)</script>"
    _, html = detail_page(app, hostile + "?q=<img src=x onerror=alert(2)>")
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert_no_inline_code(html)


def test_unknown_record_page_is_a_404_that_says_why() -> None:
    app = recording_app(INSPECT_HISTORY_SIZE=3)
    response = app.test_client().get("/_inspect/requests/gone-away")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Request not found" in html
    assert "gone-away" in html
    assert "last\n  3 requests" in html or "last 3 requests" in " ".join(html.split())


def test_in_flight_record_page_says_so_and_reloads() -> None:
    app = recording_app()
    history = app.extensions["inspect"].history
    client = app.test_client()
    response = client.get("/stream")  # not read: the body is still open
    record = history.get(response.headers[REQUEST_ID_HEADER])
    assert record is not None
    assert not record.summary(app)["finished"]
    html = client.get(f"/_inspect/requests/{record.id}").get_data(as_text=True)
    assert 'id="in-flight"' in html
    response.close()
