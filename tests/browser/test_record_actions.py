"""Records and their actions in a real browser: URL-kept filters, favicon noise, clear,
the Routes URL finder, previous/next, copy as curl, and an in-flight record filling in."""

from __future__ import annotations

import re
import threading
import typing as t
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from playwright.sync_api import expect

from example_app import create_app
from flask_inspect.extension import get_state

if t.TYPE_CHECKING:
    from flask import Flask
    from playwright.sync_api import Page

    from tests.browser.conftest import PageProblems
    from tests.conftest import LiveServer


# ``live_server_factory`` comes before ``page`` in every test: the browser closes
# before the server stops, so no poll meets a closed port.


def _start(live_server_factory: t.Callable[[Flask], LiveServer]) -> LiveServer:
    app = create_app()
    app.debug = True
    return live_server_factory(app)


def _fetch(server: LiveServer, path: str, method: str = "GET") -> tuple[int, str]:
    request = urllib.request.Request(server.url + path, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            return int(response.status), response.headers.get("X-Inspect-Request-Id", "")
    except urllib.error.HTTPError as error:
        error.read()
        return int(error.code), error.headers.get("X-Inspect-Request-Id", "")


def _paths(page: Page) -> list[str]:
    return sorted(page.locator("#requests-table tbody tr td.path").all_inner_texts())


def test_request_filters_round_trip_through_the_url(
    live_server_factory: t.Callable[[Flask], LiveServer], page: Page
) -> None:
    server = _start(live_server_factory)
    for path, method in [("/user/ada", "GET"), ("/nope", "GET"), ("/submit", "POST")]:
        _fetch(server, path, method)
    page.goto(server.url + "/_inspect/requests")
    page.locator("#requests-table tbody tr", has_text="/user/ada").wait_for()

    page.select_option("#filter-status", "4xx")
    page.fill("#filter-text", "nope")
    page.wait_for_url(re.compile(r"status=4xx.*q=nope|q=nope.*status=4xx"))
    query = page.url.split("?", 1)[1]
    assert sorted(query.split("&")) == ["q=nope", "status=4xx"]
    assert _paths(page) == ["/nope"]

    page.reload()
    page.locator("#requests-table tbody tr", has_text="/nope").wait_for()
    assert page.locator("#filter-status").input_value() == "4xx"
    assert page.locator("#filter-text").input_value() == "nope"
    assert _paths(page) == ["/nope"]

    # A shared link: an endpoint not drawn yet is kept and applied.
    page.goto(server.url + "/_inspect/requests?endpoint=username&method=GET")
    page.locator("#requests-table tbody tr", has_text="/user/ada").wait_for()
    assert page.locator("#filter-endpoint").input_value() == "username"
    assert page.locator("#filter-method").input_value() == "GET"
    assert _paths(page) == ["/user/ada"]

    # Back to the defaults: the parameters leave the URL.
    page.select_option("#filter-endpoint", "")
    page.select_option("#filter-method", "")
    page.wait_for_url(re.compile(r"/_inspect/requests$"))


def test_favicon_requests_are_hidden_until_asked_for(
    live_server_factory: t.Callable[[Flask], LiveServer], page: Page
) -> None:
    server = _start(live_server_factory)
    assert _fetch(server, "/favicon.ico")[0] == 404
    assert _fetch(server, "/user/7")[0] == 200
    page.goto(server.url + "/_inspect/requests")
    page.locator("#requests-table tbody tr", has_text="/user/7").wait_for()
    assert _paths(page) == ["/user/7"]
    assert page.locator("#request-count").inner_text() == "1 of 2"

    page.check("#show-favicon")
    page.locator("#requests-table tbody tr", has_text="/favicon.ico").wait_for()
    assert _paths(page) == ["/favicon.ico", "/user/7"]
    assert "favicon=1" in page.url
    page.reload()
    page.locator("#requests-table tbody tr", has_text="/favicon.ico").wait_for()
    assert page.locator("#show-favicon").is_checked()


def test_clear_history_empties_the_list(
    live_server_factory: t.Callable[[Flask], LiveServer], page: Page
) -> None:
    server = _start(live_server_factory)
    _fetch(server, "/user/7")
    page.goto(server.url + "/_inspect/requests")
    page.locator("#requests-table tbody tr", has_text="/user/7").wait_for()
    page.click("#clear-history button[type=submit]")
    page.wait_for_url(re.compile(r"/_inspect/requests\?cleared=1$"))
    assert page.locator("#cleared-notice").inner_text() == "History cleared."
    page.locator("#no-requests").wait_for(state="visible")
    assert page.locator("#requests-table tbody tr").count() == 0


def test_routes_filter_takes_a_concrete_url_and_keeps_it_in_the_url(
    live_server_factory: t.Callable[[Flask], LiveServer], page: Page
) -> None:
    server = _start(live_server_factory)
    page.goto(server.url + "/_inspect/routes")
    page.fill("#filter-text", "/user/7")
    verdict = page.locator("#url-verdict")
    verdict.wait_for(state="visible")
    row = page.locator("#routes-table tbody tr:not([hidden])")
    expect(row).to_have_count(1)
    assert row.locator("td.rule").inner_text().startswith("/user/<int:id>")
    assert "is taken by /user/<int:id> (user_by_id) for GET." in verdict.inner_text()
    assert "q=%2Fuser%2F7" in page.url

    # Text wins over the int rule only where Werkzeug says so.
    page.fill("#filter-text", "/user/ada")
    expect(verdict).to_contain_text("/user/<name>")
    assert page.locator("#routes-table tbody tr:not([hidden]) td.endpoint").all_inner_texts() == [
        "username"
    ]

    # A refused method still names the rule; a miss says so and links to Match.
    page.goto(server.url + "/_inspect/routes?q=/submit")
    expect(verdict).to_contain_text("refuses GET")
    assert "(allows OPTIONS, POST)" in verdict.inner_text()
    assert page.locator("#routes-table tbody tr:not([hidden]) td.endpoint").all_inner_texts() == [
        "submit"
    ]
    page.goto(server.url + "/_inspect/routes?q=/nope")
    expect(verdict).to_contain_text(re.compile(r"^No rule takes /nope\."))
    assert page.locator("#routes-table tbody tr:not([hidden])").count() == 0
    assert verdict.locator("a").get_attribute("href") == "/_inspect/match?path=%2Fnope&method=GET"


def test_routes_filters_survive_a_reload(
    live_server_factory: t.Callable[[Flask], LiveServer], page: Page
) -> None:
    server = _start(live_server_factory)
    page.goto(server.url + "/_inspect/routes")
    page.select_option("#filter-converter", "int")
    page.select_option("#sort-order", "registration")
    page.check("#show-panel-routes")
    page.wait_for_url(re.compile(r"panel=1"))
    shown = page.locator("#routes-table tbody tr:not([hidden]) td.rule").all_inner_texts()
    page.reload()
    assert page.locator("#filter-converter").input_value() == "int"
    assert page.locator("#sort-order").input_value() == "registration"
    assert page.locator("#show-panel-routes").is_checked()
    assert page.locator("#order-label").inner_text() == "definition order"
    assert page.locator("#routes-table tbody tr:not([hidden]) td.rule").all_inner_texts() == shown
    assert all("int" in rule for rule in shown)


def test_record_links_previous_next_routes_and_copy_as_curl(
    live_server_factory: t.Callable[[Flask], LiveServer], page: Page
) -> None:
    server = _start(live_server_factory)
    _, first = _fetch(server, "/user/ada")
    _, second = _fetch(server, "/user/7?tab=posts")
    _, third = _fetch(server, "/nope")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(server.url + f"/_inspect/requests/{second}")

    page.click("#curl summary")
    command = page.locator("#curl-command").inner_text()
    assert command.startswith("curl -g -i ")
    assert f"{server.url}/user/7?tab=posts" in command
    page.click("#copy-curl")
    page.locator("#copy-curl-state", has_text=re.compile("copied|selected")).wait_for()
    if page.locator("#copy-curl-state").inner_text() == "copied":
        assert page.evaluate("() => navigator.clipboard.readText()") == command

    assert page.locator("#reopen-url").get_attribute("href") == f"{server.url}/user/7?tab=posts"
    page.click("#older-record")
    page.wait_for_url(re.compile(rf"/_inspect/requests/{re.escape(first)}$"))
    page.click("#newer-record")
    page.click("#newer-record")
    page.wait_for_url(re.compile(rf"/_inspect/requests/{re.escape(third)}$"))
    assert page.locator("#newer-record").inner_text() == "no newer request →"
    page.click("#older-record")
    page.wait_for_url(re.compile(rf"/_inspect/requests/{re.escape(second)}$"))

    page.click("#rule-on-routes")
    expect(page.locator("#routes-table tbody tr:not([hidden])")).to_have_count(1)
    assert page.locator("#filter-text").input_value() == "/user/7"
    assert page.locator("#routes-table tbody tr:not([hidden]) td.endpoint").inner_text() == (
        "user_by_id"
    )


def test_an_in_flight_record_fills_in_without_reloading_the_page(
    live_server_factory: t.Callable[[Flask], LiveServer], page: Page
) -> None:
    app = create_app()
    app.debug = True
    release = threading.Event()
    arrived = threading.Event()

    @app.route("/held")
    def held() -> str:
        arrived.set()
        release.wait(20)
        return "done"

    server = live_server_factory(app)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(lambda: _fetch(server, "/held"))
        assert arrived.wait(10)
        page.goto(server.url + "/_inspect/requests")
        page.locator("#requests-table tbody tr", has_text="/held").wait_for()
        page.click("#requests-table tbody tr a")
        page.locator("#in-flight").wait_for()
        running = page.locator("#running-for")
        assert re.fullmatch(r"running for \d+(\.\d+)? (ms|s)", running.inner_text())
        assert "not yet" in page.locator("#response-section").inner_text()
        assert page.locator("svg#timeline rect.open").count() >= 1
        page.evaluate("() => { window.stillTheSamePage = true; }")
        page.wait_for_timeout(1300)
        release.set()
        assert pending.result(timeout=10)[0] == 200
    page.locator("#record-status", has_text="200").wait_for()
    page.locator("#in-flight", has_text="Finished.").wait_for()
    assert page.evaluate("() => window.stillTheSamePage") is True
    assert page.locator("#running-for").count() == 0
    assert "until the body was closed" in page.locator("#record-facts").inner_text()
    assert "text/html" in page.locator("#response-type").inner_text()
    assert page.locator("svg#timeline rect.open").count() == 0


def test_an_in_flight_record_cleared_from_the_history_stops_refreshing(
    live_server_factory: t.Callable[[Flask], LiveServer],
    page: Page,
    page_problems: PageProblems,
) -> None:
    app = create_app()
    app.debug = True
    release = threading.Event()
    arrived = threading.Event()

    @app.route("/held")
    def held() -> str:
        arrived.set()
        release.wait(20)
        return "done"

    server = live_server_factory(app)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(lambda: _fetch(server, "/held"))
        assert arrived.wait(10)
        history = get_state(app).history
        assert history is not None
        (record,) = history.newest_first()
        page.goto(server.url + f"/_inspect/requests/{record.id}")
        page.locator("#running-for").wait_for()
        history.clear()
        page.locator("#in-flight", has_text="no longer in the history").wait_for()
        release.set()
        assert pending.result(timeout=10)[0] == 200
    page.wait_for_timeout(1500)  # no further refresh replaces the parts
    assert page.locator("#running-for").count() == 1
    # The one refresh that found the record gone: the browser logs its 404.
    expected = [error for error in page_problems.console_errors if "404" in error]
    assert len(expected) == 1
    page_problems.console_errors.remove(expected[0])
