"""Durations and ages read the same on every page: one format, in Python and in script."""

from __future__ import annotations

import re
import typing as t
import urllib.request

from example_app import create_app
from flask_inspect.durations import format_duration

if t.TYPE_CHECKING:
    from flask import Flask
    from playwright.sync_api import Page

    from tests.conftest import LiveServer

DURATION = re.compile(r"\d+\.\d{1,2} (ms|s)|\d+ min \d+ s")
# Clear of rounding ties, so both languages must agree digit for digit.
SAMPLES = [0.0, 0.058, 1.934, 9.994, 9.996, 12.34, 412.26, 999.94, 999.96, 6200.0, 59_949.0]
SAMPLES += [59_951.0, 125_000.0, 3_600_000.0]


def _start(live_server_factory: t.Callable[[Flask], LiveServer]) -> LiveServer:
    app = create_app()
    app.debug = True
    return live_server_factory(app)


def test_the_script_writes_durations_exactly_as_the_server_does(
    live_server_factory: t.Callable[[Flask], LiveServer], page: Page
) -> None:
    server = _start(live_server_factory)
    page.goto(server.url + "/_inspect/")
    written = page.evaluate("values => values.map(window.flaskInspect.duration)", SAMPLES)
    assert written == [format_duration(value) for value in SAMPLES]


def test_request_list_and_record_write_durations_in_the_one_format(
    live_server_factory: t.Callable[[Flask], LiveServer], page: Page
) -> None:
    server = _start(live_server_factory)
    with urllib.request.urlopen(server.url + "/user/7", timeout=10) as response:
        record_id = response.headers["X-Inspect-Request-Id"]
    page.goto(server.url + "/_inspect/requests")
    row = page.locator("#requests-table tbody tr", has_text="/user/7")
    row.wait_for()
    assert page.locator("#requests-table thead th").nth(4).inner_text() == "Duration"
    assert DURATION.fullmatch(row.locator("td").nth(4).inner_text())
    page.goto(f"{server.url}/_inspect/requests/{record_id}")
    facts = page.locator("p.facts strong").first.inner_text()
    assert DURATION.fullmatch(facts), facts
    offsets = page.locator("#events tbody td.num").all_inner_texts()
    assert offsets
    assert all(DURATION.fullmatch(offset) for offset in offsets), offsets
    ticks = page.locator("svg#timeline text.tick-label").all_text_contents()
    assert ticks
    assert all(DURATION.fullmatch(tick) for tick in ticks), ticks


def test_a_records_start_reads_as_in_the_request_list(
    live_server_factory: t.Callable[[Flask], LiveServer], page: Page
) -> None:
    server = _start(live_server_factory)
    with urllib.request.urlopen(server.url + "/user/7", timeout=10) as response:
        record_id = response.headers["X-Inspect-Request-Id"]
    page.goto(server.url + "/_inspect/requests")
    row = page.locator("#requests-table tbody tr", has_text="/user/7")
    row.wait_for()
    listed = row.locator("td").first.inner_text()
    page.goto(f"{server.url}/_inspect/requests/{record_id}")
    started = page.locator("p.facts time.clock")
    assert started.inner_text() == listed
    assert "T" not in listed  # a clock time, not the ISO 8601 moment ...
    assert "T" in (started.get_attribute("title") or "")  # ... which stays in the title
