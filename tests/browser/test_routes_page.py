"""The routes page in a real browser: loads cleanly, filters, sorts, themes."""

from __future__ import annotations

import typing as t

from example_app import create_app
from flask_inspect import describe_routes

if t.TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.conftest import LiveServer


def _open_routes(page: Page, live_server_factory: t.Callable[..., LiveServer]) -> None:
    app = create_app()
    app.debug = True
    server = live_server_factory(app)
    response = page.goto(server.url + "/_inspect/routes")
    assert response is not None
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]


def _visible_rules(page: Page) -> list[str]:
    return page.locator("#routes-table tbody tr:visible td.rule").all_inner_texts()


def test_routes_page_loads_without_console_errors_or_csp_violations(
    live_server_factory: t.Callable[..., LiveServer], page: Page
) -> None:
    _open_routes(page, live_server_factory)
    rules = _visible_rules(page)
    app_routes = [r for r in describe_routes(create_app()) if r.blueprint != "flask_inspect"]
    assert len(rules) == len(app_routes)
    # Converter types are visible in the rule cell.
    int_row = page.locator("#routes-table tbody tr", has_text="user_by_id")
    assert "int" in int_row.locator("td.rule .type").inner_text()
    # The page's own script ran (filter counter shows the total).
    assert page.locator("#route-count").inner_text() == str(len(rules))


def test_typing_in_the_filter_narrows_the_table(
    live_server_factory: t.Callable[..., LiveServer], page: Page
) -> None:
    _open_routes(page, live_server_factory)
    total = len(_visible_rules(page))
    page.fill("#filter-text", "calendar")
    rules = _visible_rules(page)
    assert 0 < len(rules) < total
    assert all("calendar" in rule for rule in rules)
    assert page.locator("#route-count").inner_text() == f"{len(rules)} of {total}"
    page.fill("#filter-text", "no-such-route-anywhere")
    assert _visible_rules(page) == []
    assert page.locator("#no-routes").is_visible()


def test_method_blueprint_and_converter_filters(
    live_server_factory: t.Callable[..., LiveServer], page: Page
) -> None:
    _open_routes(page, live_server_factory)
    page.select_option("#filter-method", "POST")
    assert sorted(page.locator("#routes-table tbody tr:visible td.endpoint").all_inner_texts()) == [
        "items",
        "submit",
    ]
    page.select_option("#filter-method", "")
    page.select_option("#filter-blueprint", "shop.admin")
    assert page.locator("#routes-table tbody tr:visible td.endpoint").all_inner_texts() == [
        "shop.admin.dashboard"
    ]
    page.select_option("#filter-blueprint", "")
    page.select_option("#filter-converter", "uuid")
    assert page.locator("#routes-table tbody tr:visible td.endpoint").all_inner_texts() == ["order"]


def test_definition_order_can_be_shown_and_match_order_is_the_default(
    live_server_factory: t.Callable[..., LiveServer], page: Page
) -> None:
    _open_routes(page, live_server_factory)
    endpoints = page.locator("#routes-table tbody tr td.endpoint").all_inner_texts()
    # Werkzeug tries <int:id> before <name>, whatever the registration order.
    assert endpoints.index("user_by_id") < endpoints.index("username")
    page.select_option("#sort-order", "registration")
    endpoints = page.locator("#routes-table tbody tr td.endpoint").all_inner_texts()
    assert endpoints.index("username") < endpoints.index("user_by_id")
    assert page.locator("#order-label").inner_text() == "definition order"


def test_theme_toggle_switches_and_persists(
    live_server_factory: t.Callable[..., LiveServer], page: Page
) -> None:
    _open_routes(page, live_server_factory)
    html = page.locator("html")
    assert html.get_attribute("data-theme") == "auto"
    page.click("#theme-toggle")
    assert html.get_attribute("data-theme") == "light"
    page.click("#theme-toggle")
    assert html.get_attribute("data-theme") == "dark"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(22, 24, 27)"
    page.reload()
    assert page.locator("html").get_attribute("data-theme") == "dark"


def test_panel_routes_are_hidden_until_asked_for(
    live_server_factory: t.Callable[..., LiveServer], page: Page
) -> None:
    _open_routes(page, live_server_factory)
    endpoints = page.locator("#routes-table tbody tr:visible td.endpoint").all_inner_texts()
    assert not any(endpoint.startswith("flask_inspect.") for endpoint in endpoints)
    page.check("#show-panel-routes")
    endpoints = page.locator("#routes-table tbody tr:visible td.endpoint").all_inner_texts()
    assert "flask_inspect.api_routes" in endpoints


def test_rules_are_drawn_as_written_with_types(
    live_server_factory: t.Callable[..., LiveServer], page: Page
) -> None:
    _open_routes(page, live_server_factory)
    row = page.locator("#routes-table tbody tr", has_text="username")
    assert row.locator("td.rule").inner_text().replace("\n", "") == "/user/<name>str"
    row = page.locator("#routes-table tbody tr", has_text="page")
    assert "/page/<int(min=1, max=50):number>int" in row.locator("td.rule").all_inner_texts()


def _visible_numbers(page: Page) -> list[int]:
    cells = page.locator("#routes-table tbody tr:visible td.num").all_inner_texts()
    return [int(cell) for cell in cells]


def test_numbers_follow_the_rules_listed_and_survive_filters(
    page: Page, live_server_factory: t.Callable[..., LiveServer]
) -> None:
    _open_routes(page, live_server_factory)
    app_count = len(_visible_rules(page))
    assert _visible_numbers(page) == list(range(1, app_count + 1))
    page.fill("#filter-text", "user")
    assert page.locator("#route-count").inner_text() == f"2 of {app_count}"
    assert _visible_numbers(page) == [3, 4]
    page.fill("#filter-text", "")
    page.check("#show-panel-routes")
    total = len(_visible_rules(page))
    assert total > app_count
    assert _visible_numbers(page) == list(range(1, total + 1))
    assert page.locator("#route-count").inner_text() == str(total)
    page.uncheck("#show-panel-routes")
    assert _visible_numbers(page) == list(range(1, app_count + 1))
