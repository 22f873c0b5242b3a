"""Flask's default 404 explained, in a real browser: the page works under its CSP."""

from __future__ import annotations

import typing as t

from example_app import create_app

if t.TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.conftest import PageProblems
    from tests.conftest import LiveServer

DOCUMENT_404 = "Failed to load resource: the server responded with a status of 404"


def test_explained_404_page_shows_why_and_its_suggestion_leads_to_a_working_page(
    live_server_factory: t.Callable[..., LiveServer], page: Page, page_problems: PageProblems
) -> None:
    app = create_app()
    app.debug = True
    server = live_server_factory(app)
    response = page.goto(server.url + "/calendar/2026-02-30")
    assert response is not None
    assert response.status == 404
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.locator("#error-title").inner_text().startswith("404 ")
    summary = page.locator("#summary").inner_text()
    assert "ValidationError" in summary
    assert "/calendar/<name> never got a chance" in summary
    # The failing segment is marked in the rule-by-rule table, as on the match page.
    assert page.locator("#candidates-table td.seg-fail").count() >= 1
    # The browser reports the document's own 404 status once; that is the point of
    # the page, not a fault. Anything else (a CSP violation, a script error) still fails.
    assert page_problems.console_errors.count(f"{DOCUMENT_404} (NOT FOUND)") == 1
    page_problems.console_errors.remove(f"{DOCUMENT_404} (NOT FOUND)")

    page.locator("#suggestions a", has_text="/calendar/example").click()
    page.wait_for_url(server.url + "/calendar/example")
    assert page.locator("h1").inner_text() == "Calendar example"


def test_explained_404_is_framed_as_the_apps_page_and_links_to_its_home(
    live_server_factory: t.Callable[..., LiveServer], page: Page, page_problems: PageProblems
) -> None:
    app = create_app()
    app.debug = True
    server = live_server_factory(app)
    response = page.goto(server.url + "/nope")
    assert response is not None
    assert response.status == 404
    page_problems.console_errors.remove(f"{DOCUMENT_404} (NOT FOUND)")
    assert page.locator("#frame-title").inner_text() == "Your app's 404, explained"
    assert page.locator("header.topbar").count() == 0  # not the panel's navigation
    top_level = page.locator("#top-level a.example")
    assert top_level.count() >= 10
    page.locator("#app-home").click()
    page.wait_for_url(server.url + "/")
    assert page.locator("h1").inner_text() == "Hello world"
