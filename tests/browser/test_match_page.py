"""The match page in a real browser: type a URL, see why, follow a suggestion."""

from __future__ import annotations

import re
import typing as t

from example_app import create_app

if t.TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.conftest import LiveServer


def _open_match(page: Page, live_server_factory: t.Callable[..., LiveServer]) -> str:
    app = create_app()
    app.debug = True
    server = live_server_factory(app)
    response = page.goto(server.url + "/_inspect/match")
    assert response is not None
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    return server.url


def test_typing_a_failing_url_highlights_the_segment_and_offers_a_suggestion(
    live_server_factory: t.Callable[..., LiveServer], page: Page
) -> None:
    _open_match(page, live_server_factory)
    page.fill("#match-path", "/page/abc")
    page.press("#match-path", "Enter")
    page.wait_for_selector("#verdict")
    assert page.locator("#verdict-status").inner_text() == "404"
    assert page.locator("#summary").inner_text() == (
        "404: closest is /page/<int(min=1, max=50):number>; segment 1: 'abc' is not an int"
    )
    row = page.locator(
        "#candidates-table tr.candidate:visible",
        has=page.locator("span.endpoint", has_text=re.compile(r"^page$")),
    )
    assert row.count() == 1
    assert "focus" in (row.get_attribute("class") or "")
    assert row.locator("td.seg-fail").inner_text() == "<int(min=1, max=50):number>"
    assert row.locator("td.seg-ok").first.inner_text() == "page"
    # The failing segment is drawn in the error colour, under the URL's segment 1.
    colour = row.locator("td.seg-fail").evaluate("cell => getComputedStyle(cell).color")
    ok_colour = row.locator("td.seg-ok").first.evaluate("cell => getComputedStyle(cell).color")
    assert colour != ok_colour
    header = page.locator("#candidates-table thead th.url-seg").nth(1)
    assert "abc" in header.inner_text()

    suggestion = page.locator("#suggestions a.example").first
    assert suggestion.inner_text() == "/page/1"
    suggestion.click()
    page.wait_for_selector("#verdict-status")
    assert page.locator("#verdict-status").inner_text() == "200"
    assert page.locator("#match-path").input_value() == "/page/1"


def test_validation_error_shows_the_rule_werkzeug_never_tried(
    live_server_factory: t.Callable[..., LiveServer], page: Page
) -> None:
    _open_match(page, live_server_factory)
    page.fill("#match-path", "/calendar/2026-02-30")
    page.press("#match-path", "Enter")
    page.wait_for_selector("#verdict")
    stopped = page.locator("tr.outcome-validation_error")
    assert stopped.locator("td.seg-fail").inner_text() == "<date:day>"
    assert "Werkzeug stops" in stopped.locator("td.reason").inner_text()
    assert (
        page.locator("tr.outcome-not_tried td.reason")
        .inner_text()
        .startswith("would match, but Werkzeug stopped at /calendar/<date:day>")
    )


def test_show_early_rules_toggle_reveals_the_rest_and_keeps_it_in_the_address(
    live_server_factory: t.Callable[..., LiveServer], page: Page
) -> None:
    base = _open_match(page, live_server_factory)
    page.goto(base + "/_inspect/match?path=/user/abc/edit")
    visible = page.locator("#candidates-table tbody tr:visible").count()
    total = page.locator("#candidates-table tbody tr").count()
    assert 0 < visible < total
    page.check("#show-early")
    assert page.locator("#candidates-table tbody tr:visible").count() == total
    assert "all=1" in page.url
    page.uncheck("#show-early")
    assert page.locator("#candidates-table tbody tr:visible").count() == visible
    assert "all=1" not in page.url


def test_routes_page_match_link_opens_the_explanation_of_that_rule(
    live_server_factory: t.Callable[..., LiveServer], page: Page
) -> None:
    base = _open_match(page, live_server_factory)
    page.goto(base + "/_inspect/routes")
    row = page.locator("#routes-table tbody tr", has_text="user_by_id")
    row.locator("a.match-link").click()
    page.wait_for_selector("#verdict-status")
    assert page.locator("#verdict-status").inner_text() == "200"
    assert page.locator("#match-path").input_value() == "/user/1"
    assert "endpoint 'user_by_id'" in page.locator("#summary").inner_text()
