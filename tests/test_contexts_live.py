"""Live contexts under real servers: Werkzeug's threaded server and waitress's pool.

Requests are held open in a view by a gate (an event the test releases), so
"N requests in flight" is a fact the test controls, not a guess about sleeps.
The registry is read the way a user reads it: ``GET /_inspect/api/contexts``.
"""

from __future__ import annotations

import json
import threading
import time
import typing as t
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from flask import appcontext_pushed
from waitress.server import create_server

from flask_inspect.extension import get_state
from tests.conftest import LiveServer
from tests.conftest import make_app
from tests.versions import MERGED_CONTEXTS

WAIT = 15.0


class Gate:
    """Holds requests inside a view until released, counting arrivals."""

    def __init__(self) -> None:
        self._arrivals = threading.Condition()
        self.arrived = 0
        self._released = threading.Event()

    def enter(self) -> None:
        with self._arrivals:
            self.arrived += 1
            self._arrivals.notify_all()
        if not self._released.wait(WAIT):
            raise RuntimeError("the test never released the gate")

    def wait_for(self, count: int) -> bool:
        with self._arrivals:
            return self._arrivals.wait_for(lambda: self.arrived >= count, WAIT)

    def release(self) -> None:
        self._released.set()


def held_app(gate: Gate, **config: t.Any) -> Flask:
    app = make_app(**config)

    @app.route("/held")
    def held() -> str:
        gate.enter()
        return "released"

    @app.route("/quick")
    def quick() -> str:
        return "quick"

    return app


class WaitressServer:
    """waitress on a free loopback port: a fixed pool of worker threads."""

    def __init__(self, app: Flask, threads: int) -> None:
        self.server: t.Any = create_server(app, host="127.0.0.1", port=0, threads=threads)
        self.thread = threading.Thread(target=self._serve, name="waitress-loop", daemon=True)
        self._stopping = False

    def _serve(self) -> None:
        try:
            self.server.run()
        except OSError:
            # Closing the listening socket under a running ``select`` is how
            # waitress is stopped from another thread.
            if not self._stopping:
                raise

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.effective_port}"

    def __enter__(self) -> WaitressServer:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping = True
        self.server.close()
        self.server.task_dispatcher.shutdown(timeout=5)
        self.thread.join(timeout=10)


Server: t.TypeAlias = "LiveServer | WaitressServer"


SERVERS: dict[str, t.Callable[[Flask], Server]] = {
    "werkzeug": LiveServer,  # a new thread per request
    "waitress": lambda app: WaitressServer(app, threads=12),  # a fixed pool
}


@pytest.fixture(params=sorted(SERVERS))
def serve(request: pytest.FixtureRequest) -> t.Iterator[t.Callable[[Flask], Server]]:
    """Start an app under the parametrized server; stopped after the test."""
    started: list[Server] = []

    def start(app: Flask) -> Server:
        server: Server = SERVERS[request.param](app)
        server.__enter__()
        started.append(server)
        return server

    yield start
    for server in started:
        server.__exit__(None, None, None)


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=WAIT) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def contexts(server: Server) -> dict[str, t.Any]:
    status, body = get(server.url + "/_inspect/api/contexts")
    assert status == 200
    data: dict[str, t.Any] = json.loads(body)
    return data


def busy_lanes(snapshot: dict[str, t.Any]) -> list[dict[str, t.Any]]:
    """Threads with contexts, other than the one that answered the snapshot."""
    return [
        thread
        for thread in snapshot["threads"]
        if (thread["contexts"] or thread["tasks"]) and not thread["serving"]
    ]


def wait_until_idle(server: Server) -> dict[str, t.Any]:
    """Poll until no thread but the answering one holds a context (bounded)."""
    deadline = time.monotonic() + WAIT
    while True:
        snapshot = contexts(server)
        if not busy_lanes(snapshot) or time.monotonic() > deadline:
            return snapshot
        time.sleep(0.02)


def test_held_requests_each_show_their_own_thread_with_app_and_request_context(
    serve: t.Callable[[Flask], Server],
) -> None:
    gate = Gate()
    server = serve(held_app(gate))
    count = 5
    with ThreadPoolExecutor(max_workers=count) as clients:
        replies = [clients.submit(get, server.url + "/held") for _ in range(count)]
        try:
            assert gate.wait_for(count)
            snapshot = contexts(server)
        finally:
            gate.release()
        assert [reply.result(WAIT) for reply in replies] == [(200, b"released")] * count

    held = [lane for lane in busy_lanes(snapshot) if lane["contexts"]]
    assert len(held) == count
    assert len({lane["ident"] for lane in held}) == count
    request_ids = set()
    app_objects = set()
    for lane in held:
        app_box, request_box = lane["contexts"]
        assert app_box["kind"] == "app"
        assert app_box["app"] == "tests_app"
        assert app_box["inferred"] is False
        assert request_box["kind"] == "request"
        assert request_box["inferred"] is not MERGED_CONTEXTS
        assert (request_box["method"], request_box["path"]) == ("GET", "/held")
        assert request_box["endpoint"] == "held"
        assert app_box["depth"] == request_box["depth"] == 1
        request_ids.add(request_box["request_id"])
        app_objects.add(app_box["object_id"])
    assert len(request_ids) == count
    assert None not in request_ids
    assert len(app_objects) == count

    # The thread answering the snapshot shows its own request, to the API.
    (serving,) = [thread for thread in snapshot["threads"] if thread["serving"]]
    assert [box["path"] for box in serving["contexts"] if box["kind"] == "request"] == [
        "/_inspect/api/contexts"
    ]

    assert busy_lanes(wait_until_idle(server)) == []


def test_request_ids_link_to_the_request_records(serve: t.Callable[[Flask], Server]) -> None:
    gate = Gate()
    server = serve(held_app(gate))
    with ThreadPoolExecutor(max_workers=1) as clients:
        reply = clients.submit(get, server.url + "/held")
        try:
            assert gate.wait_for(1)
            (lane,) = busy_lanes(contexts(server))
        finally:
            gate.release()
        assert reply.result(WAIT)[0] == 200
    request_id = lane["contexts"][1]["request_id"]
    status, body = get(f"{server.url}/_inspect/api/requests/{request_id}")
    assert status == 200
    assert json.loads(body)["path"] == "/held"


def test_a_pool_is_visible_with_its_idle_threads() -> None:
    app = held_app(Gate())
    with WaitressServer(app, threads=4) as server:
        assert get(server.url + "/quick")[0] == 200
        snapshot = contexts(server)
    workers = [thread for thread in snapshot["threads"] if thread["name"].startswith("waitress-")]
    assert len([thread for thread in workers if thread["name"] != "waitress-loop"]) == 4
    assert all(thread["contexts"] == [] for thread in workers if not thread["serving"])


def test_a_burst_of_short_requests_leaves_the_registry_empty(
    serve: t.Callable[[Flask], Server],
) -> None:
    gate = Gate()
    app = held_app(gate)
    server = serve(app)
    clients, per_client, held = 8, 25, 3
    with ThreadPoolExecutor(max_workers=held) as holders:
        held_replies = [holders.submit(get, server.url + "/held") for _ in range(held)]
        try:
            assert gate.wait_for(held)
            with ThreadPoolExecutor(max_workers=clients) as pool:
                results = list(
                    pool.map(lambda _: get(server.url + "/quick"), range(clients * per_client))
                )
            assert results == [(200, b"quick")] * (clients * per_client)
            # Two hundred requests came and went: only the held ones are left.
            during = busy_lanes(wait_until_only_held(server, held))
        finally:
            gate.release()
        assert [reply.result(WAIT)[0] for reply in held_replies] == [200] * held
    assert [[(box["kind"], box.get("path")) for box in lane["contexts"]] for lane in during] == [
        [("app", None), ("request", "/held")]
    ] * held
    assert busy_lanes(wait_until_idle(server)) == []
    registry = get_state(app).contexts
    assert registry is not None
    assert registry.pushed_count() == 0


def wait_until_only_held(server: Server, held: int) -> dict[str, t.Any]:
    """Poll until exactly ``held`` threads hold contexts (bounded)."""
    deadline = time.monotonic() + WAIT
    while True:
        snapshot = contexts(server)
        if len(busy_lanes(snapshot)) == held or time.monotonic() > deadline:
            return snapshot
        time.sleep(0.02)


class StaleContextProbe:
    """WSGI middleware outside Flask: is a context already pushed on arrival?

    On a pool thread a context left pushed by an earlier request would still
    be in the thread's context variables when the next request arrives.
    """

    def __init__(self, wsgi_app: t.Any) -> None:
        self.wsgi_app = wsgi_app
        self.stale: list[str] = []

    def __call__(self, environ: t.Any, start_response: t.Any) -> t.Any:
        from flask import globals as flask_globals

        for name in ("_cv_app", "_cv_request"):
            var = getattr(flask_globals, name, None)
            if var is not None and var.get(None) is not None:
                self.stale.append(f"{name} on {threading.current_thread().name}")
        return self.wsgi_app(environ, start_response)


def probe_sees_a_context_stranded_by_a_raising_receiver() -> bool:
    """The probe's control: a receiver that raises *does* strand a context."""
    app = held_app(Gate())
    broken = {"on": True}

    def raising_receiver(sender: Flask, **extra: object) -> None:
        if broken["on"]:
            raise RuntimeError("an app's own receiver that does not catch")

    appcontext_pushed.connect(raising_receiver, app)
    probe = StaleContextProbe(app.wsgi_app)
    app.wsgi_app = probe  # type: ignore[method-assign]
    with WaitressServer(app, threads=1) as server:
        get(server.url + "/quick")  # fails inside Flask, leaving the app context set
        broken["on"] = False
        get(server.url + "/quick")  # arrives on the same pool thread
    appcontext_pushed.disconnect(raising_receiver, app)
    return probe.stale != []


def test_failing_registry_never_leaves_a_context_stuck(monkeypatch: pytest.MonkeyPatch) -> None:
    assert probe_sees_a_context_stranded_by_a_raising_receiver()
    gate = Gate()
    app = held_app(gate)
    registry = get_state(app).contexts
    assert registry is not None

    def injected_fault(*args: object) -> t.NoReturn:
        raise RuntimeError("injected fault in the contexts registry")

    for event in ("app_pushed", "app_popped", "request_started", "request_ended"):
        monkeypatch.setattr(registry, event, injected_fault)
    probe = StaleContextProbe(app.wsgi_app)
    app.wsgi_app = probe  # type: ignore[method-assign]
    with WaitressServer(app, threads=2) as server:
        results = [get(server.url + "/quick") for _ in range(20)]
        assert results == [(200, b"quick")] * 20
        assert probe.stale == []
        monkeypatch.undo()
        # With the fault gone the registry works again on the same threads.
        with ThreadPoolExecutor(max_workers=1) as clients:
            reply = clients.submit(get, server.url + "/held")
            try:
                assert gate.wait_for(1)
                lanes = busy_lanes(contexts(server))
            finally:
                gate.release()
            assert reply.result(WAIT)[0] == 200
        assert [(box["kind"], box.get("path")) for lane in lanes for box in lane["contexts"]] == [
            ("app", None),
            ("request", "/held"),
        ]
        assert busy_lanes(wait_until_idle(server)) == []
    assert probe.stale == []
