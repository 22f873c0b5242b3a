"""The live contexts registry, fed by the real recorder, in one process.

Each test pushes contexts the way Flask itself does (``app_context()``,
``test_request_context()``, the test client, ``copy_current_request_context``,
``stream_with_context``, asyncio tasks) and reads what the registry reports
for the thread or task that pushed them.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import typing as t

import pytest
from flask import Flask
from flask import Response
from flask import copy_current_request_context
from flask import g
from flask import stream_with_context

from flask_inspect.contexts import ContextInfo
from flask_inspect.contexts import ContextRegistry
from flask_inspect.contexts import ThreadState
from flask_inspect.extension import get_state
from tests.conftest import make_app
from tests.versions import MERGED_CONTEXTS

WAIT = 10.0


def registry_of(app: Flask) -> ContextRegistry:
    registry = get_state(app).contexts
    assert registry is not None
    return registry


def lane(app: Flask, thread: threading.Thread | None = None) -> ThreadState:
    """The registry's lane for ``thread`` (default: this one)."""
    thread = thread or threading.current_thread()
    for state in registry_of(app).snapshot().threads:
        if state.ident == thread.ident and state.name == thread.name:
            return state
    raise AssertionError(f"thread {thread.name} is not in the snapshot")


def kinds(contexts: list[ContextInfo]) -> list[str]:
    return [context.kind for context in contexts]


def test_registry_exists_only_while_the_extension_is_not_switched_off() -> None:
    assert isinstance(get_state(make_app()).contexts, ContextRegistry)
    assert get_state(make_app(INSPECT_ENABLED=False)).contexts is None


def test_app_context_push_appears_on_this_thread_and_goes_at_pop() -> None:
    app = make_app()
    assert lane(app).contexts == []
    with app.app_context():
        contexts = lane(app).contexts
        assert kinds(contexts) == ["app"]
        (context,) = contexts
        assert context.app == "tests_app"
        assert context.depth == 1
        assert context.pushes == 1
        assert context.inferred is False
        assert context.age_ms >= 0
    assert lane(app).contexts == []
    assert registry_of(app).pushed_count() == 0


def test_nested_app_contexts_each_show_their_depth() -> None:
    app = make_app()
    with app.app_context(), app.app_context():
        contexts = lane(app).contexts
        assert kinds(contexts) == ["app", "app"]
        assert [context.depth for context in contexts] == [1, 2]
        assert contexts[0].object_id != contexts[1].object_id
    assert lane(app).contexts == []


def test_repeated_push_of_one_context_shows_its_push_count() -> None:
    app = make_app()
    ctx = app.app_context()
    ctx.push()
    ctx.push()
    try:
        (context,) = lane(app).contexts
        assert context.pushes == 2
        assert context.depth == 2
        ctx.pop()
        (context,) = lane(app).contexts
        assert context.pushes == 1
    finally:
        ctx.pop()
    assert lane(app).contexts == []


def test_request_context_is_inferred_on_top_of_its_app_context() -> None:
    app = make_app()
    with app.test_request_context("/hello?x=1", method="POST"):
        app_box, request_box = lane(app).contexts
        assert app_box.kind == "app"
        assert app_box.inferred is False
        assert request_box.kind == "request"
        # Split contexts: no signal announces the request context. Merged: the
        # request is the pushed app context itself.
        assert request_box.inferred is not MERGED_CONTEXTS
        assert request_box.method == "POST"
        assert request_box.path == "/hello"
        assert request_box.endpoint is None  # no such rule
    assert lane(app).contexts == []


def test_a_served_request_shows_its_endpoint_and_record_id() -> None:
    app = make_app()
    seen: dict[str, t.Any] = {}

    @app.route("/look")
    def look() -> str:
        seen["contexts"] = lane(app).contexts
        return "ok"

    response = app.test_client().get("/look")
    assert response.status_code == 200
    app_box, request_box = seen["contexts"]
    assert app_box.kind == "app"
    assert request_box.endpoint == "look"
    assert request_box.request_id == response.headers["X-Inspect-Request-Id"]
    assert registry_of(app).pushed_count() == 0


def test_contexts_pushed_inside_a_served_request_stack_above_its_own() -> None:
    app = make_app()
    seen: dict[str, list[ContextInfo]] = {}

    @app.route("/nested")
    def nested() -> str:
        with app.app_context():
            with app.app_context():
                seen["inside"] = lane(app).contexts
            seen["after_inner_pop"] = lane(app).contexts
        seen["after_both"] = lane(app).contexts
        return "ok"

    assert app.test_client().get("/nested").status_code == 200
    inside = seen["inside"]
    assert kinds(inside) == ["app", "request", "app", "app"]
    assert [box.depth for box in inside] == [1, 1, 2, 3]
    assert inside[1].path == "/nested"
    assert len({box.object_id for box in inside}) == 4
    assert kinds(seen["after_inner_pop"]) == ["app", "request", "app"]
    assert kinds(seen["after_both"]) == ["app", "request"]
    registry = registry_of(app)
    assert lane(app).contexts == []
    assert registry.pushed_count() == 0
    assert registry.served_count() == 0


def test_a_served_request_whose_pop_went_unheard_is_forgotten(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = make_app()
    registry = registry_of(app)

    @app.route("/quick")
    def quick() -> str:
        return "ok"

    def deaf(*args: object) -> None:
        return None  # the pop is never reported, as if the receiver had failed

    monkeypatch.setattr(registry, "app_popped", deaf)
    assert app.test_client().get("/quick").status_code == 200
    monkeypatch.undo()
    # Its contexts are popped, so the next look drops the request.
    assert lane(app).contexts == []
    assert registry.served_count() == 0


def test_request_pushed_over_an_existing_app_context_is_seen_when_it_starts() -> None:
    app = make_app()
    seen: dict[str, t.Any] = {}

    @app.route("/inner")
    def inner() -> str:
        seen["contexts"] = lane(app).contexts
        return "ok"

    with app.app_context():
        # Split contexts, same app: Flask pushes no second app context, so no
        # signal announces this request context until request_started.
        # Merged (Flask 3.2): every request pushes a context of its own.
        assert app.test_client().get("/inner").status_code == 200
        assert kinds(lane(app).contexts) == ["app"]
    if MERGED_CONTEXTS:
        assert kinds(seen["contexts"]) == ["app", "app", "request"]
    else:
        assert kinds(seen["contexts"]) == ["app", "request"]
    assert seen["contexts"][-1].inferred is not MERGED_CONTEXTS
    assert seen["contexts"][-1].path == "/inner"
    assert lane(app).contexts == []


def test_copy_current_request_context_carries_the_request_into_a_thread() -> None:
    app = make_app()
    started = threading.Event()
    release = threading.Event()
    workers: list[threading.Thread] = []

    @app.route("/spawn")
    def spawn() -> str:
        @copy_current_request_context
        def work() -> None:
            started.set()
            release.wait(WAIT)

        worker = threading.Thread(target=work, name="copied-request-worker")
        workers.append(worker)
        worker.start()
        return "spawned"

    response = app.test_client().get("/spawn")
    assert started.wait(WAIT)
    try:
        (worker,) = workers
        app_box, request_box = lane(app, worker).contexts
        assert app_box.kind == "app"
        assert request_box.kind == "request"
        assert request_box.inferred is not MERGED_CONTEXTS
        assert request_box.path == "/spawn"
        assert request_box.endpoint == "spawn"
        # The copy links back to the record of the request it was copied from.
        assert request_box.request_id == response.headers["X-Inspect-Request-Id"]
    finally:
        release.set()
        for worker in workers:
            worker.join(WAIT)
    assert registry_of(app).pushed_count() == 0


def test_streamed_response_keeps_its_contexts_until_the_body_is_closed() -> None:
    app = make_app()

    @app.route("/stream")
    def stream() -> Response:
        def chunks() -> t.Iterator[str]:
            yield "first"
            yield "second"

        return Response(stream_with_context(chunks()))

    response = app.test_client().get("/stream", buffered=False)
    body = iter(response.response)
    assert next(body) == b"first"
    contexts = lane(app).contexts
    assert kinds(contexts) == ["app", "request"]
    assert contexts[1].path == "/stream"
    assert contexts[1].request_id == response.headers["X-Inspect-Request-Id"]
    response.close()
    assert lane(app).contexts == []
    assert registry_of(app).pushed_count() == 0


def test_app_context_pushed_in_a_thread_is_listed_in_that_threads_lane() -> None:
    app = make_app()
    pushed = threading.Event()
    release = threading.Event()

    def work() -> None:
        with app.app_context():
            g.job = "nightly"
            pushed.set()
            release.wait(WAIT)

    worker = threading.Thread(target=work, name="app-context-worker")
    worker.start()
    try:
        assert pushed.wait(WAIT)
        (context,) = lane(app, worker).contexts
        assert context.kind == "app"
        assert context.g_keys == ["job"]
        assert lane(app).contexts == []  # this thread sees nothing of it
    finally:
        release.set()
        worker.join(WAIT)
    assert registry_of(app).pushed_count() == 0


def test_every_thread_is_listed_even_idle_ones() -> None:
    app = make_app()
    idle = threading.Event()
    worker = threading.Thread(target=idle.wait, args=(WAIT,), name="idle-worker", daemon=True)
    worker.start()
    try:
        snapshot = registry_of(app).snapshot().to_dict()
        names = {thread["name"]: thread for thread in snapshot["threads"]}
        assert names["idle-worker"]["contexts"] == []
        assert names["idle-worker"]["daemon"] is True
        assert names["idle-worker"]["ident"] == worker.ident
        assert threading.current_thread().name in names
        assert snapshot["captured_at"].endswith("+00:00")
    finally:
        idle.set()
        worker.join(WAIT)


def test_contexts_of_asyncio_tasks_are_listed_under_their_thread() -> None:
    app = make_app()
    both_pushed = threading.Event()
    release = threading.Event()

    async def task_body(number: int, ready: asyncio.Event) -> int:
        with app.app_context():
            g.number = number
            ready.set()
            while not release.is_set():
                await asyncio.sleep(0.01)
            return int(g.number)

    async def main() -> list[int]:
        ready = [asyncio.Event(), asyncio.Event()]
        tasks = [
            asyncio.create_task(task_body(number, ready[number]), name=f"pusher-{number}")
            for number in (0, 1)
        ]
        await asyncio.gather(*(event.wait() for event in ready))
        both_pushed.set()
        return list(await asyncio.gather(*tasks))

    results: list[list[int]] = []
    loop_thread = threading.Thread(
        target=lambda: results.append(asyncio.run(main())), name="event-loop"
    )
    loop_thread.start()
    try:
        assert both_pushed.wait(WAIT)
        state = lane(app, loop_thread)
        assert state.contexts == []  # the thread itself pushed nothing
        tasks = {task.name: task.contexts for task in state.tasks}
        assert sorted(tasks) == ["pusher-0", "pusher-1"]
        for contexts in tasks.values():
            assert kinds(contexts) == ["app"]
            assert contexts[0].g_keys == ["number"]
        assert tasks["pusher-0"][0].object_id != tasks["pusher-1"][0].object_id
    finally:
        release.set()
        loop_thread.join(WAIT)
    assert results == [[0, 1]]
    assert lane(app, threading.current_thread()).tasks == []
    assert registry_of(app).pushed_count() == 0


def test_a_context_left_pushed_by_a_dead_thread_is_forgotten() -> None:
    app = make_app()
    pushed = threading.Event()
    finish = threading.Event()

    def leave_it_pushed() -> None:
        app.app_context().push()  # never popped: it dies with the thread
        pushed.set()
        finish.wait(WAIT)

    worker = threading.Thread(target=leave_it_pushed, name="careless-worker")
    worker.start()
    assert pushed.wait(WAIT)
    assert kinds(lane(app, worker).contexts) == ["app"]
    assert registry_of(app).pushed_count() == 1
    finish.set()
    worker.join(WAIT)
    gc.collect()
    # The context went with the thread's context variables: only a weak
    # reference was held, so nothing keeps it, and it is no longer counted.
    assert registry_of(app).pushed_count() == 0
    del worker
    gc.collect()
    assert all(thread.name != "careless-worker" for thread in registry_of(app).snapshot().threads)
    assert len(registry_of(app)._threads) <= 1  # only this thread's stack may remain


def test_threads_are_keyed_by_object_so_a_reused_ident_starts_empty() -> None:
    app = make_app()
    pushed = threading.Event()
    hold = threading.Event()

    def leave_it_pushed() -> None:
        ctx = app.app_context()
        ctx.push()
        pushed.set()
        hold.wait(WAIT)

    first = threading.Thread(target=leave_it_pushed, name="first-owner")
    first.start()
    assert pushed.wait(WAIT)
    assert kinds(lane(app, first).contexts) == ["app"]
    hold.set()
    first.join(WAIT)
    first_ident = first.ident
    # ``first`` is kept referenced, so its stack (with the app context it never
    # popped) is still in the registry: exactly what a registry keyed by ident
    # would hand to the next thread that gets the same ident.
    second, waiting = _thread_with_ident(first_ident)
    try:
        assert second.ident == first_ident
        assert lane(app, second).contexts == []
    finally:
        waiting.set()
        second.join(WAIT)


def _thread_with_ident(ident: int | None) -> tuple[threading.Thread, threading.Event]:
    """A live thread whose ident is ``ident``, and the event that lets it end.

    The C library hands a finished thread's ident (its stack address) to the
    next thread it starts when its stack cache allows, which on Linux is almost
    always. When other threads of the test run took that stack first, the
    reuse is reproduced by giving a new thread the old ident: the property
    tested (a new thread never inherits a dead one's contexts) is the same.
    """
    for _ in range(50):
        waiting = threading.Event()
        thread = threading.Thread(target=waiting.wait, args=(WAIT,), name="second-owner")
        thread.start()
        if thread.ident == ident:
            return thread, waiting
        waiting.set()
        thread.join(WAIT)
    waiting = threading.Event()
    thread = threading.Thread(target=waiting.wait, args=(WAIT,), name="second-owner")
    thread.start()
    thread._ident = ident  # type: ignore[attr-defined]  # the reuse the OS did not do
    return thread, waiting


@pytest.mark.parametrize("event", ["app_pushed", "app_popped", "request_started", "request_ended"])
def test_registry_events_never_raise(event: str, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app()
    registry = registry_of(app)

    def broken(*args: object) -> t.NoReturn:
        raise RuntimeError("injected fault")

    monkeypatch.setattr(registry, "_app_context", broken)
    monkeypatch.setattr(registry, "_request_context", broken)
    monkeypatch.setattr(registry, "_local", None)
    with app.test_request_context("/"):
        assert getattr(registry, event)(app) is None


def test_snapshot_is_plain_json_in_the_documented_shape() -> None:
    app = make_app()
    with app.test_request_context("/shape"):
        data = registry_of(app).snapshot().to_dict()
    this = next(
        thread for thread in data["threads"] if thread["ident"] == threading.current_thread().ident
    )
    assert set(this) >= {"ident", "name", "daemon", "contexts"}
    app_box, request_box = this["contexts"]
    assert set(app_box) >= {"kind", "app", "age_ms", "depth", "inferred"}
    assert "method" not in app_box
    assert set(request_box) >= {
        "kind",
        "app",
        "age_ms",
        "depth",
        "inferred",
        "method",
        "path",
        "endpoint",
        "request_id",
    }
    assert request_box["request_id"] is None  # a test request context has no record
