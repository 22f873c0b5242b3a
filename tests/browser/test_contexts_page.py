"""The contexts page in a real browser, against Werkzeug's threaded server.

Requests are held open by a gate in the view, so the test decides when lanes
should appear (a held request's thread pushes its contexts) and disappear
(the request finishes and its thread ends).
"""

from __future__ import annotations

import re
import threading
import typing as t
from concurrent.futures import Future
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from flask import copy_current_request_context
from playwright.sync_api import expect

from tests.test_contexts_live import Gate
from tests.test_contexts_live import get
from tests.test_contexts_live import held_app

if t.TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.conftest import LiveServer

# Fixture order matters: the server is requested before ``page`` so it is
# stopped after the page is closed; the page polls, and a poll refused by a
# stopped server would be a console error.
HELD_BOX = '.ctx-request[data-path="/held"]'
HELD_BOXES = ".lane.busy " + HELD_BOX


@pytest.fixture
def clients() -> t.Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        yield pool


def open_contexts_page(page: Page, server: LiveServer) -> None:
    response = page.goto(server.url + "/_inspect/contexts")
    assert response is not None
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator("#lanes")).to_have_attribute("data-captured-at", _any_text())


def _any_text() -> t.Any:
    import re

    return re.compile(".+")


def hold(
    clients: ThreadPoolExecutor, server: LiveServer, path: str, count: int
) -> list[Future[t.Any]]:
    return [clients.submit(get, server.url + path) for _ in range(count)]


def test_lanes_appear_while_requests_are_held_and_disappear_when_they_finish(
    live_server_factory: t.Callable[[Flask], LiveServer],
    page: Page,
    clients: ThreadPoolExecutor,
) -> None:
    gate = Gate()
    server = live_server_factory(held_app(gate))
    open_contexts_page(page, server)
    expect(page.locator(HELD_BOXES)).to_have_count(0)

    replies = hold(clients, server, "/held", 3)
    try:
        assert gate.wait_for(3)
        expect(page.locator(HELD_BOXES)).to_have_count(3)
        held_lanes = page.locator(".lane.busy", has=page.locator(HELD_BOX))
        idents = held_lanes.evaluate_all("lanes => lanes.map(lane => lane.dataset.ident)")
        names = held_lanes.evaluate_all("lanes => lanes.map(lane => lane.dataset.name)")
        assert len(set(idents)) == 3
        for index in range(3):
            held_lane = held_lanes.nth(index)
            expect(held_lane.locator(".ctx-app")).to_have_count(1)
            resolves = held_lane.locator(".resolves")
            expect(resolves).to_contain_text("the app tests_app")
            expect(resolves).to_contain_text("GET /held")
            expect(held_lane.locator(".ctx-request .ctx-record")).to_have_attribute(
                "href", _any_text()
            )
    finally:
        gate.release()
    assert [reply.result(15)[0] for reply in replies] == [200, 200, 200]

    expect(page.locator(HELD_BOXES)).to_have_count(0)
    for name in names:
        # Werkzeug's threaded server ends the request's thread: its lane goes.
        # (Matched by name: the ident may already serve a newer thread.)
        expect(page.locator(f'.lane[data-name="{name}"]')).to_have_count(0)


def test_pausing_stops_the_updates_and_resuming_catches_up(
    live_server_factory: t.Callable[[Flask], LiveServer],
    page: Page,
    clients: ThreadPoolExecutor,
) -> None:
    gate = Gate()
    server = live_server_factory(held_app(gate))
    open_contexts_page(page, server)
    toggle = page.locator("#live-toggle")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#live-state")).to_have_text("paused")
    captured = page.locator("#lanes").get_attribute("data-captured-at")

    replies = hold(clients, server, "/held", 1)
    try:
        assert gate.wait_for(1)
        page.wait_for_timeout(2500)  # more than two polling intervals
        assert page.locator("#lanes").get_attribute("data-captured-at") == captured
        expect(page.locator(HELD_BOXES)).to_have_count(0)

        toggle.click()
        expect(toggle).to_have_attribute("aria-pressed", "false")
        expect(page.locator(HELD_BOXES)).to_have_count(1)
    finally:
        gate.release()
    assert replies[0].result(15)[0] == 200


def test_idle_threads_can_be_hidden(
    live_server_factory: t.Callable[[Flask], LiveServer], page: Page
) -> None:
    server = live_server_factory(held_app(Gate()))
    open_contexts_page(page, server)
    idle = page.locator(".lane.idle")
    assert idle.count() > 0  # at least the main thread and the server's loop
    expect(idle.first).to_be_visible()
    page.locator("#show-idle").uncheck()
    expect(page.locator(".lane.idle:visible")).to_have_count(0)
    expect(page.locator(".lane.serving")).to_be_visible()


def test_a_copied_request_context_is_shown_sharing_the_request_object(
    live_server_factory: t.Callable[[Flask], LiveServer],
    page: Page,
    clients: ThreadPoolExecutor,
) -> None:
    gate = Gate()
    app = held_app(gate)

    @app.route("/copy-and-hold")
    def copy_and_hold() -> str:
        @copy_current_request_context
        def work() -> None:
            gate.enter()

        threading.Thread(target=work, name="copy-worker").start()
        gate.enter()
        return "done"

    server = live_server_factory(app)
    open_contexts_page(page, server)
    replies = hold(clients, server, "/copy-and-hold", 1)
    try:
        assert gate.wait_for(2)
        worker_lane = page.locator('.lane[data-name="copy-worker"]')
        expect(worker_lane.locator(".ctx-request")).to_contain_text("GET /copy-and-hold")
        expect(worker_lane.locator(".ctx-request.inferred")).to_have_count(1)
        expect(worker_lane.locator(".ctx-shared")).to_contain_text("same request object as")
        # Not called the worker's own request: a copy of one served elsewhere.
        resolves = worker_lane.locator(".resolves")
        expect(resolves).to_contain_text("carried here by a copied request context")
        expect(resolves).not_to_contain_text("this thread is serving")
        serving = page.locator(
            ".lane:not([data-name='copy-worker']) .resolves", has_text="/copy-and-hold"
        )
        expect(serving).to_contain_text("the request this thread is serving")
        # Ages in the one duration format (flask_inspect.durations).
        age = worker_lane.locator(".ctx-request .tag", has_text="held").first.inner_text()
        assert re.fullmatch(r"held \d+\.\d{1,2} (ms|s)", age), age
    finally:
        gate.release()
    assert replies[0].result(15)[0] == 200


def test_request_values_are_drawn_as_text_never_as_html(
    live_server_factory: t.Callable[[Flask], LiveServer],
    page: Page,
    clients: ThreadPoolExecutor,
) -> None:
    gate = Gate()
    app = held_app(gate)

    @app.route("/label/<path:label>")
    def labelled(label: str) -> str:
        gate.enter()
        return "done"

    server = live_server_factory(app)
    open_contexts_page(page, server)
    replies = hold(clients, server, "/label/%3Cimg%20src=x%20id=injected%3E", 1)
    try:
        assert gate.wait_for(1)
        box = page.locator(".ctx-request", has_text="/label/<img src=x id=injected>")
        expect(box).to_have_count(1)
        expect(page.locator("#lanes img")).to_have_count(0)
        expect(page.locator("#injected")).to_have_count(0)
    finally:
        gate.release()
    assert replies[0].result(15)[0] == 200
