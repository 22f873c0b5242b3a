"""Request history in a real browser: badge to record, timeline, live list and filters."""

from __future__ import annotations

import re
import typing as t
import urllib.error
import urllib.request

from example_app import create_app

if t.TYPE_CHECKING:
    from flask import Flask
    from playwright.sync_api import Page

    from tests.conftest import LiveServer


# The ``page`` fixture depends on ``live_server_factory``, so the browser
# closes before the server stops, and a poll of the live list can never meet a
# closed port (a console error, failing the test).


def _start(live_server_factory: t.Callable[[Flask], LiveServer]) -> LiveServer:
    app = create_app()
    app.debug = True
    return live_server_factory(app)


def _fetch(server: LiveServer, path: str, method: str = "GET") -> int:
    request = urllib.request.Request(server.url + path, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        error.read()
        return int(error.code)


def _rows(page: Page) -> t.Any:
    return page.locator("#requests-table tbody tr")


def test_clicking_a_pages_badge_opens_its_record_with_the_timeline(
    live_server_factory: t.Callable[[Flask], LiveServer], page: Page
) -> None:
    server = _start(live_server_factory)
    response = page.goto(server.url + "/demo/flash")
    assert response is not None
    record_id = response.headers["x-inspect-request-id"]
    badge = page.locator("a.flask-inspect-badge")
    assert badge.is_visible()
    # Placed by the badge's own stylesheet: fixed in the corner, not inline.
    assert badge.evaluate("element => getComputedStyle(element).position") == "fixed"
    badge.click()
    page.wait_for_url(re.compile(rf"/_inspect/requests/{re.escape(record_id)}$"))
    assert page.locator("#record-id").inner_text() == record_id
    assert "/demo/flash" in page.locator("h1.request-title").inner_text()
    assert page.locator("#record-status").inner_text() == "200"
    assert "Handled by demos.flash_and_render" in page.locator("#matching h2").inner_text()

    timeline = page.locator("svg#timeline")
    assert timeline.is_visible()
    box = timeline.bounding_box()
    assert box is not None
    assert box["width"] > 400
    for lane in ("wsgi", "app", "request", "dispatch", "template"):
        bar = page.locator(f'svg#timeline rect[data-lane="{lane}"]').first
        bar_box = bar.bounding_box()
        assert bar_box is not None, lane
        assert bar_box["width"] >= 1
    app_bar = page.locator('svg#timeline rect[data-lane="app"]').first.bounding_box()
    dispatch_bar = page.locator('svg#timeline rect[data-lane="dispatch"]').first.bounding_box()
    assert app_bar is not None
    assert dispatch_bar is not None
    # The app context is pushed before the view runs and popped after it.
    assert app_bar["x"] <= dispatch_bar["x"]
    assert app_bar["x"] + app_bar["width"] >= dispatch_bar["x"] + dispatch_bar["width"]
    # The same timeline to scale, one click away.
    page.click('#timeline-scale button[data-scale="time"]')
    assert page.locator("svg#timeline").is_hidden()
    assert page.locator("svg#timeline-time").is_visible()
    assert (
        page.locator('#timeline-scale button[data-scale="time"]').get_attribute("aria-pressed")
        == "true"
    )
    assert "hello.html" in page.locator("#templates").inner_text()
    assert "Flashed from /demo/flash" in page.locator("#flashes").inner_text()


def test_list_updates_live_and_can_be_paused(
    live_server_factory: t.Callable[[Flask], LiveServer], page: Page
) -> None:
    server = _start(live_server_factory)
    page.goto(server.url + "/_inspect/requests")
    page.locator("#no-requests").wait_for(state="visible")
    assert _fetch(server, "/user/7") == 200
    page.locator("#requests-table tbody tr", has_text="/user/7").wait_for()
    assert "user_by_id" in _rows(page).first.inner_text()

    page.click("#live-toggle")
    assert page.locator("#live-toggle").get_attribute("aria-pressed") == "true"
    assert _fetch(server, "/price/9.5") == 200
    page.wait_for_timeout(2500)  # more than two polling periods
    assert page.locator("#requests-table tbody tr", has_text="/price/9.5").count() == 0

    page.click("#live-toggle")
    page.locator("#requests-table tbody tr", has_text="/price/9.5").wait_for()
    assert page.locator("#live-state").inner_text().startswith("live")


def test_list_filters_by_status_method_endpoint_and_text(
    live_server_factory: t.Callable[[Flask], LiveServer], page: Page
) -> None:
    server = _start(live_server_factory)
    assert _fetch(server, "/user/ada") == 200
    assert _fetch(server, "/calendar/2026-02-30") == 404
    assert _fetch(server, "/submit", method="POST") == 200
    assert _fetch(server, "/submit") == 405
    page.goto(server.url + "/_inspect/requests")
    page.locator("#requests-table tbody tr", has_text="/user/ada").wait_for()
    assert _rows(page).count() == 4
    assert page.locator("#request-count").inner_text() == "4"

    page.select_option("#filter-status", "4xx")
    assert sorted(page.locator("#requests-table tbody tr td.path").all_inner_texts()) == [
        "/calendar/2026-02-30",
        "/submit",
    ]
    assert page.locator("#request-count").inner_text() == "2 of 4"
    page.select_option("#filter-method", "POST")
    page.locator("#no-matches").wait_for(state="visible")
    page.select_option("#filter-status", "")
    assert page.locator("#requests-table tbody tr td.path").all_inner_texts() == ["/submit"]
    page.select_option("#filter-method", "")

    page.select_option("#filter-endpoint", "username")
    assert page.locator("#requests-table tbody tr td.path").all_inner_texts() == ["/user/ada"]
    page.select_option("#filter-endpoint", "-")
    assert sorted(page.locator("#requests-table tbody tr td.path").all_inner_texts()) == [
        "/calendar/2026-02-30",
        "/submit",
    ]
    page.select_option("#filter-endpoint", "")

    page.fill("#filter-text", "calendar")
    assert page.locator("#requests-table tbody tr td.path").all_inner_texts() == [
        "/calendar/2026-02-30"
    ]
    assert "NotFound" in _rows(page).first.locator("td.notes").inner_text()
    # Filters hold while the list keeps updating.
    assert _fetch(server, "/calendar/2026-11-29") == 200
    page.locator("#requests-table tbody tr", has_text="/calendar/2026-11-29").wait_for()
    assert _rows(page).count() == 2


def test_a_404_record_shows_why_nothing_matched(
    live_server_factory: t.Callable[[Flask], LiveServer], page: Page
) -> None:
    server = _start(live_server_factory)
    assert _fetch(server, "/calendar/2026-02-30") == 404
    page.goto(server.url + "/_inspect/requests")
    row = page.locator("#requests-table tbody tr", has_text="/calendar/2026-02-30")
    row.locator("td.path a").click()
    page.wait_for_url(re.compile(r"/_inspect/requests/[0-9a-f]+-[0-9a-f]+-[0-9a-f]+$"))
    assert "NotFound" in page.locator("#matching h2").inner_text()
    summary = page.locator("#routing-summary").inner_text()
    assert "2026-02-30" in summary or "date" in summary
    assert page.locator("svg#timeline").is_visible()
