"""The README's "Watching contexts" walk-through, checked against the teaching app.

Each demo holds its contexts for a couple of seconds (that is the demo); the
tests poll ``/_inspect/api/contexts`` until the promised lane shows up, and
where the README says the boxes go, until they are gone.
"""

from __future__ import annotations

import http.client
import json
import re
import time
import typing as t
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from example_app import create_app
from flask_inspect.extension import get_state
from tests.conftest import LiveServer
from tests.versions import MERGED_CONTEXTS

WAIT = 15.0
HOLD = "seconds=2"


def start_example(live_server_factory: t.Callable[..., LiveServer]) -> LiveServer:
    app = create_app()
    app.debug = True
    return live_server_factory(app)


def snapshot(server: LiveServer) -> dict[str, t.Any]:
    with urllib.request.urlopen(server.url + "/_inspect/api/contexts", timeout=WAIT) as response:
        data: dict[str, t.Any] = json.load(response)
        return data


def others(data: dict[str, t.Any]) -> list[dict[str, t.Any]]:
    return [thread for thread in data["threads"] if not thread["serving"]]


def boxes(thread: dict[str, t.Any]) -> list[tuple[str, str | None]]:
    return [(box["kind"], box.get("path")) for box in thread["contexts"]]


def poll(
    server: LiveServer, found: t.Callable[[dict[str, t.Any]], bool]
) -> dict[str, t.Any] | None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        data = snapshot(server)
        if found(data):
            return data
        time.sleep(0.02)
    return None


def fetch(url: str) -> tuple[int, str, dict[str, str]]:
    with urllib.request.urlopen(url, timeout=WAIT) as response:
        return response.status, response.read().decode(), dict(response.headers)


def test_slow_requests_at_once_get_one_lane_each_and_go_when_done(
    live_server_factory: t.Callable[..., LiveServer],
) -> None:
    server = start_example(live_server_factory)

    def slow_lanes(data: dict[str, t.Any]) -> list[dict[str, t.Any]]:
        return [lane for lane in others(data) if ("request", "/demo/slow") in boxes(lane)]

    with ThreadPoolExecutor(max_workers=3) as tabs:
        pages = [tabs.submit(fetch, f"{server.url}/demo/slow?{HOLD}") for _ in range(3)]
        seen = poll(server, lambda data: len(slow_lanes(data)) == 3)
        assert seen is not None
        assert len({lane["ident"] for lane in slow_lanes(seen)}) == 3
        assert all(
            boxes(lane) == [("app", None), ("request", "/demo/slow")] for lane in slow_lanes(seen)
        )
        for lane in slow_lanes(seen):
            assert lane["contexts"][1]["own_request"] is True
            assert lane["contexts"][1]["served_on"] == lane["name"]
        assert [page.result(WAIT)[0] for page in pages] == [200, 200, 200]
    assert poll(server, lambda data: not slow_lanes(data)) is not None


def test_streamed_response_keeps_its_contexts_while_it_streams(
    live_server_factory: t.Callable[..., LiveServer],
) -> None:
    server = start_example(live_server_factory)
    connection = http.client.HTTPConnection("127.0.0.1", server.server.server_port, timeout=WAIT)
    connection.request("GET", f"/demo/stream?{HOLD}")
    response = connection.getresponse()
    assert response.status == 200
    assert response.readline() == b"<h1>Streaming</h1>\n"  # the view has returned

    def streaming(data: dict[str, t.Any]) -> bool:
        return any(("request", "/demo/stream") in boxes(lane) for lane in others(data))

    assert poll(server, streaming) is not None
    assert b"chunk 5 of 5" in response.read()
    connection.close()
    assert poll(server, lambda data: not streaming(data)) is not None


def test_background_worker_holds_a_copy_of_the_request_context(
    live_server_factory: t.Callable[..., LiveServer],
) -> None:
    server = start_example(live_server_factory)
    status, _, headers = fetch(f"{server.url}/demo/background?{HOLD}")
    assert status == 200

    def worker(data: dict[str, t.Any]) -> dict[str, t.Any] | None:
        lanes = [lane for lane in others(data) if lane["name"] == "background-worker"]
        return lanes[0] if lanes and lanes[0]["contexts"] else None

    seen = poll(server, lambda data: worker(data) is not None)
    assert seen is not None
    lane = worker(seen)
    assert lane is not None
    assert boxes(lane) == [("app", None), ("request", "/demo/background")]
    assert lane["contexts"][1]["inferred"] is not MERGED_CONTEXTS
    assert lane["contexts"][1]["request_id"] == headers["X-Inspect-Request-Id"]
    # Told apart from the request a thread serves: a copy, from the serving thread.
    record_url = f"{server.url}/_inspect/api/requests/{headers['X-Inspect-Request-Id']}"
    served_on = json.loads(fetch(record_url)[1])["thread"]["name"]
    assert served_on != "background-worker"
    assert lane["contexts"][1]["own_request"] is False
    assert lane["contexts"][1]["served_on"] == served_on


def test_app_context_thread_has_an_app_box_and_no_request_box(
    live_server_factory: t.Callable[..., LiveServer],
) -> None:
    server = start_example(live_server_factory)
    assert fetch(f"{server.url}/demo/app-context?{HOLD}")[0] == 200
    seen = poll(
        server,
        lambda data: any(
            lane["name"] == "app-context-worker" and lane["contexts"] for lane in others(data)
        ),
    )
    assert seen is not None
    (lane,) = [lane for lane in others(seen) if lane["name"] == "app-context-worker"]
    assert boxes(lane) == [("app", None)]
    assert lane["contexts"][0]["app"] == "example_app.app"


def test_async_view_tasks_each_push_their_own_app_context(
    live_server_factory: t.Callable[..., LiveServer],
) -> None:
    server = start_example(live_server_factory)

    def task_lanes(data: dict[str, t.Any]) -> list[dict[str, t.Any]]:
        return [lane for lane in others(data) if len(lane["tasks"]) == 2]

    with ThreadPoolExecutor(max_workers=1) as tabs:
        page = tabs.submit(fetch, f"{server.url}/demo/async?{HOLD}")
        seen = poll(server, lambda data: bool(task_lanes(data)))
        assert seen is not None
        (helper,) = task_lanes(seen)
        assert helper["contexts"] == []
        for task in helper["tasks"]:
            (box,) = task["contexts"]
            assert (box["kind"], box["g_keys"]) == ("app", ["task_number"])
        # The request's own thread keeps its boxes while the coroutine runs.
        assert any(("request", "/demo/async") in boxes(lane) for lane in others(seen))
        status, body, _ = page.result(WAIT)
    assert status == 200
    assert "task 1 saw g.task_number == 1" in body
    assert "task 2 saw g.task_number == 2" in body


def test_cli_command_prints_the_app_context_the_flask_command_pushed() -> None:
    app = create_app()
    # As ``flask --debug``: the CLI sets app.debug from FLASK_DEBUG when it loads the app.
    result = app.test_cli_runner().invoke(args=["demos", "contexts"], env={"FLASK_DEBUG": "1"})
    assert result.exit_code == 0, result.output
    first, second = result.output.splitlines()
    assert re.fullmatch(r".+: app context of 'example_app\.app', held [\d.]+ ms, depth 1", first)
    assert second == "current_app is 'example_app.app'; there is no request in a CLI command."


def test_a_copied_request_context_links_to_its_record_after_the_record_is_stored(
    live_server_factory: t.Callable[..., LiveServer],
) -> None:
    """The request has ended and its record is written (its environ let go by
    the record), yet the background thread's copy still links to it."""
    server = start_example(live_server_factory)
    status, _, headers = fetch(f"{server.url}/demo/background?{HOLD}")
    assert status == 200
    history = get_state(server.app).history
    assert history is not None
    assert history.flush(timeout=10)
    assert headers["X-Inspect-Request-Id"] not in {r.id for r in history.live_records()}

    def worker(data: dict[str, t.Any]) -> dict[str, t.Any] | None:
        lanes = [lane for lane in others(data) if lane["name"] == "background-worker"]
        return lanes[0] if lanes and lanes[0]["contexts"] else None

    seen = poll(server, lambda data: worker(data) is not None)
    assert seen is not None
    lane = worker(seen)
    assert lane is not None
    assert lane["contexts"][1]["request_id"] == headers["X-Inspect-Request-Id"]
