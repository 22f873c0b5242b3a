"""Live pages in a real browser: rows and lanes update in place.

Requests and Contexts poll about once a second. A user reading them must be
able to keep a link focused and text selected while updates arrive, stay at
the same place in a long list, and hear (screen readers) only of changes.
"""

from __future__ import annotations

import typing as t
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect

from tests.test_contexts_live import Gate
from tests.test_contexts_live import get
from tests.test_contexts_live import held_app

if t.TYPE_CHECKING:
    from flask import Flask
    from playwright.sync_api import Page

    from tests.conftest import LiveServer

# The server is requested before ``page`` in every test: torn down after the
# page, so no poll meets a closed port.

ROWS = "#requests-table tbody tr"

# Marks the focused element and the selection, to be compared after updates.
REMEMBER = """() => {
  window.remembered = {focus: document.activeElement, text: getSelection().toString()};
}"""
STILL_THERE = """() => {
  const r = window.remembered;
  const selection = getSelection();
  return {
    sameFocus: document.activeElement === r.focus,
    focusConnected: r.focus.isConnected,
    selected: selection.toString(),
    anchorConnected: selection.anchorNode !== null && selection.anchorNode.isConnected,
    remembered: r.text,
  };
}"""


@pytest.fixture
def clients() -> t.Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        yield pool


def quick(server: LiveServer, count: int = 1) -> None:
    for _ in range(count):
        assert get(server.url + "/quick")[0] == 200


def polls(page: Page) -> int:
    return int(page.locator("#requests-table").get_attribute("data-polls") or 0)


def wait_for_polls(page: Page, count: int) -> None:
    page.wait_for_function(
        "n => Number(document.getElementById('requests-table').dataset.polls || 0) >= n",
        arg=count,
    )


def open_requests(page: Page, server: LiveServer, rows: int) -> None:
    page.goto(server.url + "/_inspect/requests")
    expect(page.locator(ROWS)).to_have_count(rows)


def test_focus_and_selection_survive_three_polls_while_new_rows_arrive(
    live_server_factory: t.Callable[[Flask], LiveServer], page: Page
) -> None:
    server = live_server_factory(held_app(Gate()))
    quick(server, 3)
    open_requests(page, server, 3)
    page.locator(f"{ROWS} >> nth=1").locator("td.path a").focus()
    # Select across cells of another row, from its time to its endpoint.
    page.evaluate(
        """() => {
          const row = document.querySelectorAll('#requests-table tbody tr')[2];
          const cells = row.querySelectorAll('td');
          const endpoint = cells[5].querySelector('.seg-text').firstChild;
          getSelection().setBaseAndExtent(cells[0].firstChild, 0, endpoint, 3);
        }"""
    )
    page.evaluate(REMEMBER)
    start = polls(page)
    for added in range(1, 4):
        quick(server)
        expect(page.locator(ROWS)).to_have_count(3 + added)
        wait_for_polls(page, start + added)
    wait_for_polls(page, start + 4)
    state = page.evaluate(STILL_THERE)
    selected_row = page.locator(f"{ROWS} >> nth=5")  # three rows arrived above it
    assert state["remembered"].startswith(selected_row.locator("td").first.inner_text())
    assert "quick" in state["remembered"]
    assert state == {
        "sameFocus": True,
        "focusConnected": True,
        "selected": state["remembered"],
        "anchorConnected": True,
        "remembered": state["remembered"],
    }


def test_a_pending_row_turns_finished_in_place_and_is_announced(
    live_server_factory: t.Callable[[Flask], LiveServer],
    page: Page,
    clients: ThreadPoolExecutor,
) -> None:
    gate = Gate()
    server = live_server_factory(held_app(gate))
    quick(server)
    open_requests(page, server, 1)
    announcer = page.locator("#live-announce")
    assert announcer.get_attribute("aria-live") == "polite"
    assert page.locator("#live-state").get_attribute("aria-live") is None
    reply = clients.submit(get, server.url + "/held")
    try:
        assert gate.wait_for(1)
        held = page.locator(ROWS, has_text="/held")
        expect(held.locator(".status-code")).to_have_text("…")
        expect(announcer).to_have_text("new request: GET /held")
        held.evaluate("row => { window.heldRow = row; }")
        # Nothing changes for a while: nothing is announced again.
        page.evaluate(
            """() => {
              window.announcements = 0;
              new MutationObserver(list => { window.announcements += list.length; })
                .observe(document.getElementById('live-announce'),
                         {childList: true, characterData: true, subtree: true});
            }"""
        )
        wait_for_polls(page, polls(page) + 3)
        assert page.evaluate("window.announcements") == 0
    finally:
        gate.release()
    assert reply.result(15)[0] == 200
    expect(held.locator(".status-code")).to_have_text("200")
    expect(announcer).to_have_text("GET /held finished: 200")
    assert held.evaluate("row => row === window.heldRow && row.isConnected")
    assert "status-2xx" in (held.get_attribute("class") or "")
    assert held.locator("td.col-ms").inner_text() != "…"


def test_rows_on_screen_stay_put_when_new_ones_arrive_above(
    live_server_factory: t.Callable[[Flask], LiveServer], page: Page
) -> None:
    server = live_server_factory(held_app(Gate()))
    quick(server, 60)
    open_requests(page, server, 60)
    page.evaluate("window.scrollTo(0, 900)")
    before = page.evaluate(
        """() => {
          window.anchorRow = document.elementFromPoint(400, 500).closest('tr');
          return {top: window.anchorRow.getBoundingClientRect().top, y: window.scrollY};
        }"""
    )
    assert before["y"] == 900
    quick(server, 2)
    expect(page.locator(ROWS)).to_have_count(62)
    after = page.evaluate(
        "() => ({top: window.anchorRow.getBoundingClientRect().top, y: window.scrollY})"
    )
    assert abs(after["top"] - before["top"]) <= 1
    assert after["y"] > before["y"]  # the page scrolled by the height of the new rows


def test_idle_polls_of_a_full_history_download_only_what_changed(
    live_server_factory: t.Callable[[Flask], LiveServer], page: Page
) -> None:
    server = live_server_factory(held_app(Gate()))
    quick(server, 200)
    sizes: list[tuple[str, int]] = []
    page.on(
        "response",
        lambda response: (
            sizes.append((response.url, len(response.body())))
            if "/api/requests" in response.url
            else None
        ),
    )
    open_requests(page, server, 200)
    wait_for_polls(page, 4)
    for _ in range(50):  # response events reach Python a little after the page used them
        if len(sizes) >= 4:
            break
        page.wait_for_timeout(100)
    first, *later = sizes
    assert "after=" not in first[0]
    assert first[1] > 100_000  # the whole history, once
    assert len(later) >= 3
    for url, size in later:
        assert "after=" in url
        assert size < 200, (url, size)


def test_contexts_lanes_keep_focus_and_selection_while_a_held_request_ages(
    live_server_factory: t.Callable[[Flask], LiveServer],
    page: Page,
    clients: ThreadPoolExecutor,
) -> None:
    gate = Gate()
    server = live_server_factory(held_app(gate))
    page.goto(server.url + "/_inspect/contexts")
    reply = clients.submit(get, server.url + "/held")
    try:
        assert gate.wait_for(1)
        lane = page.locator(".lane.busy", has=page.locator('.ctx-request[data-path="/held"]'))
        record_link = lane.locator("a.ctx-record")
        expect(record_link).to_have_count(1)
        record_link.focus()
        lane.locator(".lane-name").evaluate("name => getSelection().selectAllChildren(name)")
        page.evaluate(REMEMBER)
        held_for = lane.locator(".ctx-request .ctx-meta .tag").first
        ages = {held_for.inner_text()}
        for _ in range(3):
            captured = page.locator("#lanes").get_attribute("data-captured-at")
            expect(page.locator("#lanes")).not_to_have_attribute("data-captured-at", captured or "")
            ages.add(held_for.inner_text())
        assert len(ages) >= 3  # "held 1.2 s": the lane's text did change under the user
        state = page.evaluate(STILL_THERE)
        assert state["remembered"] == lane.locator(".lane-name").inner_text()
        assert state["sameFocus"] is True
        assert state["focusConnected"] is True
        assert state["selected"] == state["remembered"]
        assert state["anchorConnected"] is True
    finally:
        gate.release()
    assert reply.result(15)[0] == 200


def test_reordered_lanes_move_only_what_is_out_of_order(
    live_server_factory: t.Callable[[Flask], LiveServer], page: Page
) -> None:
    server = live_server_factory(held_app(Gate()))
    page.goto(server.url + "/_inspect/contexts")
    result = page.evaluate(
        """() => {
          const box = document.createElement('div');
          document.body.append(box);
          const make = name => {
            const node = document.createElement('p');
            node.dataset.name = name;
            node.append(Object.assign(document.createElement('a'), {href: '#' + name, text: name}));
            return node;
          };
          const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map(make);
          box.append(a, b, c, d);
          c.querySelector('a').focus();
          const moved = [];
          new MutationObserver(list => list.forEach(change =>
            change.removedNodes.forEach(node => moved.push(node.dataset.name))))
            .observe(box, {childList: true});
          // "a" went to the end, "e" is new: b, c and d keep their places.
          window.flaskInspect.place(box, [b, c, d, a, e]);
          const order = Array.from(box.children).map(node => node.dataset.name);
          return new Promise(resolve => setTimeout(() => resolve({
            order: order,
            moved: moved,
            focused: document.activeElement.textContent,
          })));
        }"""
    )
    assert result == {"order": ["b", "c", "d", "a", "e"], "moved": ["a"], "focused": "c"}
