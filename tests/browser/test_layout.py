"""Panel pages at phone and desktop widths, and in the dark theme.

At 390 px (a phone) and 1280 px no page is wider than the window: wide
tables scroll inside their own box, the columns worth least are dropped
first, paths wrap only between segments, and the top bar stays small.
"""

from __future__ import annotations

import typing as t
import urllib.error
import urllib.request

import pytest

from example_app import create_app

if t.TYPE_CHECKING:
    from flask import Flask
    from playwright.sync_api import Page
    from playwright.sync_api import ViewportSize

    from tests.browser.conftest import PageProblems
    from tests.conftest import LiveServer

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
LONG_PATH = "/files/some-folder/with-many-hyphens/and-a-long-file-name-2026-02-30.txt"


def _fetch(server: LiveServer, path: str) -> str:
    try:
        with urllib.request.urlopen(server.url + path, timeout=10) as response:
            response.read()
            return str(response.headers["X-Inspect-Request-Id"])
    except urllib.error.HTTPError as error:
        error.read()
        return str(error.headers["X-Inspect-Request-Id"])


@pytest.fixture
def teaching_server(live_server_factory: t.Callable[[Flask], LiveServer]) -> LiveServer:
    app = create_app()
    app.debug = True
    server = live_server_factory(app)
    for path in ("/", "/user/ada", "/user/7", "/demo/flash", "/nope", LONG_PATH + "?download=1"):
        _fetch(server, path)
    return server


def panel_pages(server: LiveServer) -> dict[str, str]:
    missing = _fetch(server, "/calendar/2026-02-30")
    return {
        "overview": "/_inspect/",
        "routes": "/_inspect/routes",
        "match": "/_inspect/match?path=/user/abc",
        "requests": "/_inspect/requests",
        "request detail": f"/_inspect/requests/{missing}",
        "contexts": "/_inspect/contexts",
        "explained 404": "/calendar/2026-02-30",
    }


# The explained 404 page is a 404 document: the browser logs that once.
DOCUMENT_404 = "Failed to load resource: the server responded with a status of 404 (NOT FOUND)"


def open_page(page: Page, url: str, problems: PageProblems | None = None) -> None:
    response = page.goto(url)
    assert response is not None
    if response.status == 404 and problems is not None:
        page.wait_for_load_state("load")
        problems.console_errors.remove(DOCUMENT_404)
    page.wait_for_load_state("load")
    if "/_inspect/requests" in url and url.endswith("requests"):
        page.locator("#requests-table tbody tr").first.wait_for()
    if url.endswith("/contexts"):
        page.locator("#lanes .lane").first.wait_for()


WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_no_panel_page_is_wider_than_the_window(
    teaching_server: LiveServer, page: Page, page_problems: PageProblems, viewport: ViewportSize
) -> None:
    page.set_viewport_size(viewport)
    too_wide = {}
    for name, path in panel_pages(teaching_server).items():
        open_page(page, teaching_server.url + path, page_problems)
        scroll_width, inner_width = page.evaluate(WIDTH)
        assert inner_width == viewport["width"]
        if scroll_width > inner_width:
            too_wide[name] = scroll_width
    assert too_wide == {}


def test_phone_top_bar_is_one_small_band_that_scrolls_away(
    teaching_server: LiveServer, page: Page
) -> None:
    page.set_viewport_size(PHONE)
    open_page(page, teaching_server.url + "/_inspect/routes")
    bar = page.locator("header.topbar")
    box = bar.bounding_box()
    assert box is not None
    assert box["height"] <= 0.1 * PHONE["height"]  # it took 19% when it wrapped in three rows
    for link in ("Routes", "Match", "Requests", "Contexts"):
        assert page.get_by_role("link", name=link, exact=True).is_visible()
    assert bar.evaluate("bar => getComputedStyle(bar).position") == "static"
    page.set_viewport_size(DESKTOP)
    assert bar.evaluate("bar => getComputedStyle(bar).position") == "sticky"


def test_phone_requests_table_scrolls_in_its_box_and_keeps_the_path_column_wide(
    teaching_server: LiveServer, page: Page
) -> None:
    page.set_viewport_size(PHONE)
    open_page(page, teaching_server.url + "/_inspect/requests")
    table = page.locator("#requests-table")
    assert table.evaluate("t => getComputedStyle(t).overflowX") == "auto"
    shown = page.locator("#requests-table thead th:visible").all_inner_texts()
    assert shown == ["Method", "Path", "Status", "Notes"]
    path_cell = page.locator("#requests-table tbody td.path").first.bounding_box()
    assert path_cell is not None
    assert path_cell["width"] >= 150  # it was three characters wide
    page.set_viewport_size(DESKTOP)
    shown = page.locator("#requests-table thead th:visible").all_inner_texts()
    assert shown == [
        "Time",
        "Method",
        "Path",
        "Status",
        "Duration",
        "Endpoint",
        "View",
        "Thread",
        "Notes",
    ]


# Every part of a path drawn on one line: it may wrap before a "/" only.
SEGMENTS_WHOLE = """root => Array.from(root.querySelectorAll('.seg-text'))
  .filter(part => part.getClientRects().length !== 1).map(part => part.textContent)"""


def test_paths_wrap_between_segments_never_inside_one(
    teaching_server: LiveServer, page: Page, page_problems: PageProblems
) -> None:
    narrow: ViewportSize = {"width": 320, "height": 700}
    page.set_viewport_size(narrow)
    open_page(page, teaching_server.url + "/_inspect/requests")
    cell = page.locator("#requests-table tbody td.path", has_text="and-a-long-file-name")
    assert cell.inner_text().replace("\n", "") == LONG_PATH + "?download=1"
    assert cell.evaluate(SEGMENTS_WHOLE) == []
    link = cell.locator("a").bounding_box()
    assert link is not None
    assert link["height"] > 40  # it did wrap, over several lines
    assert cell.evaluate("c => c.querySelectorAll('.seg-text').length") == 5  # 4 "/", 1 "?"

    open_page(page, teaching_server.url + "/calendar/2026-02-30", page_problems)
    title = page.locator("h1 code")
    assert title.inner_text() == "/calendar/2026-02-30"
    assert title.evaluate(SEGMENTS_WHOLE) == []
    assert title.evaluate("code => code.querySelectorAll('.seg-text').length") == 2


def test_match_page_opens_with_its_input_in_view(teaching_server: LiveServer, page: Page) -> None:
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        open_page(page, teaching_server.url + "/_inspect/match?path=/user/abc")
        assert page.evaluate("window.scrollY") == 0
        field = page.locator("#match-path")
        assert field.evaluate("field => field === document.activeElement")
        box = field.bounding_box()
        assert box is not None
        assert box["y"] + box["height"] <= viewport["height"]


def _luminance(rgb: list[float]) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(value) for value in rgb[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: list[float], second: list[float]) -> float:
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


COLOURS = """() => {
  const rgb = text => text.match(/[\\d.]+/g).map(Number);
  const body = getComputedStyle(document.body);
  const muted = document.querySelector('.muted, .lead, .count');
  const link = document.querySelector('main a') || document.querySelector('.topbar nav a');
  return {
    background: rgb(body.backgroundColor),
    text: rgb(body.color),
    muted: rgb(getComputedStyle(muted).color),
    link: rgb(getComputedStyle(link).color),
  };
}"""


def test_dark_theme_is_legible_on_every_page(
    teaching_server: LiveServer, page: Page, page_problems: PageProblems
) -> None:
    page.emulate_media(color_scheme="dark")
    for name, path in panel_pages(teaching_server).items():
        open_page(page, teaching_server.url + path, page_problems)
        colours = page.evaluate(COLOURS)
        assert _luminance(colours["background"]) < 0.05, name  # really dark
        assert contrast(colours["text"], colours["background"]) >= 7, name
        assert contrast(colours["muted"], colours["background"]) >= 4.5, name
        assert contrast(colours["link"], colours["background"]) >= 4.5, name
