"""What the live contexts registry costs, and how fast 200 threads are drawn.

Run: ``python -m benchmarks.bench_contexts [ROUNDS] [CALLS]`` (default 40 rounds
of 500 calls per variant).

1. The registry's share of a request. Variants, all ``DEBUG=True``, on a
   trivial view, each a direct WSGI call (no network) with its body read and
   closed:

   - ``bare``: Flask alone;
   - ``recorder only``: ``Inspect(app)`` with the registry detached
     (``state.contexts = None``), so the recorder's receivers skip it;
   - ``inspected``: ``Inspect(app)`` as shipped, registry included.

   Each variant runs in a process of its own (a receiver connected for one
   app makes blinker look up receivers on every other app's sends too), and
   they take turns inside each round (rotated); each ratio is the median over
   rounds of ``variant / bare`` in that round, so drift in the machine's
   speed cancels out. The registry's share is ``inspected`` minus
   ``recorder only``. Budget: the whole of ``inspected`` <= 1.25x bare.

2. ``GET /_inspect/api/contexts`` with 200 threads each holding an app and a
   request context: server-side time (snapshot + JSON), median.

3. The page in headless chromium (``/usr/bin/chromium``, skipped if absent)
   against a real threaded server with the same 200 threads: the page's own
   ``performance.measure`` entries, ``contexts-render`` (building the lanes)
   and ``contexts-update`` (fetch, server, parse and draw). Budget: <= 50 ms.
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import threading
import time
import typing as t

from flask import Flask
from werkzeug.serving import make_server
from werkzeug.test import EnvironBuilder

from benchmarks.bench_overhead import time_calls
from benchmarks.isolated import interleaved_rounds
from flask_inspect import Inspect
from flask_inspect.extension import get_state

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

THREADS = 200
REQUEST_BUDGET = 1.25
DRAW_BUDGET_MS = 50.0
UPDATES_MEASURED = 8
CHROMIUM = os.environ.get("INSPECT_CHROMIUM", "/usr/bin/chromium")
VARIANTS = ("bare", "recorder only", "inspected")


def build_app(variant: str) -> Flask:
    app = Flask(f"bench_{variant.replace(' ', '_')}")
    app.config.update(DEBUG=True, SECRET_KEY="benchmark-only")

    @app.route("/trivial")
    def trivial() -> str:
        return "ok"

    if variant != "bare":
        Inspect(app)
    if variant == "recorder only":
        get_state(app).contexts = None
    return app


def environ_for(path: str) -> WSGIEnvironment:
    """A bare environ (no browser headers, unlike ``bench_overhead``'s)."""
    builder = EnvironBuilder(path=path, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    try:
        return builder.get_environ()
    finally:
        builder.close()


def timer(variant: str) -> t.Callable[[int], float]:
    """Build ``variant``'s app in this (worker) process, warm it up, return its timer."""
    app = build_app(variant)
    environ = environ_for("/trivial")
    time_calls(app, environ, 200)  # warm up
    return lambda calls: time_calls(app, environ, calls)


def request_overhead(rounds: int, calls: int) -> dict[str, tuple[float, float]]:
    """Per variant: (median ratio to bare, median microseconds per call).

    Each variant runs in a process of its own (see ``benchmarks.isolated``).
    """
    timings = interleaved_rounds(timer, VARIANTS, (), rounds, calls)
    result = {}
    for variant in VARIANTS:
        ratios = [mine / bare for mine, bare in zip(timings[variant], timings["bare"], strict=True)]
        result[variant] = (
            statistics.median(ratios),
            statistics.median(timings[variant]) * 1e6,
        )
    return result


class HeldContexts:
    """``count`` threads, each inside ``app.test_request_context`` until released."""

    def __init__(self, app: Flask, count: int) -> None:
        self.app = app
        self.release = threading.Event()
        self.ready = threading.Barrier(count + 1, timeout=30)
        self.threads = [
            threading.Thread(target=self._hold, args=(index,), name=f"holder-{index}", daemon=True)
            for index in range(count)
        ]

    def _hold(self, index: int) -> None:
        with self.app.test_request_context(f"/orders/{index}", method="POST"):
            self.ready.wait()
            self.release.wait(120)

    def __enter__(self) -> HeldContexts:
        for thread in self.threads:
            thread.start()
        self.ready.wait()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release.set()
        for thread in self.threads:
            thread.join(10)


def api_time_ms(app: Flask, repeats: int = 25) -> tuple[float, int]:
    client = app.test_client()
    timings = []
    size = 0
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get("/_inspect/api/contexts")
        timings.append((time.perf_counter() - started) * 1000)
        size = len(response.data)
        assert response.status_code == 200
    return statistics.median(timings), size


def browser_times_ms(app: Flask) -> tuple[float, float, int] | None:
    """Median (render, update) ms over live updates, and lanes drawn."""
    if not os.path.exists(CHROMIUM):
        return None
    from playwright.sync_api import sync_playwright

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, name="bench-server", daemon=True)
    serving.start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"http://127.0.0.1:{server.server_port}/_inspect/contexts")
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                done = page.evaluate("performance.getEntriesByName('contexts-update').length")
                if done >= UPDATES_MEASURED:
                    break
                time.sleep(0.2)
            render = page.evaluate(
                "performance.getEntriesByName('contexts-render').map(e => e.duration)"
            )
            update = page.evaluate(
                "performance.getEntriesByName('contexts-update').map(e => e.duration)"
            )
            lanes = page.locator(".lane").count()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    # The first update also loads fonts and compiles the script: left out.
    return statistics.median(render[1:]), statistics.median(update[1:]), lanes


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    calls = int(sys.argv[2]) if len(sys.argv) > 2 else 500

    print(f"1. Trivial view, {rounds} rounds x {calls} calls per variant")
    results = request_overhead(rounds, calls)
    for variant in VARIANTS:
        ratio, micros = results[variant]
        print(f"   {variant:<14} {ratio:6.3f}x bare   {micros:7.1f} us/request")
    share = results["inspected"][0] - results["recorder only"][0]
    share_us = results["inspected"][1] - results["recorder only"][1]
    inspected = results["inspected"][0]
    verdict = "within" if inspected <= REQUEST_BUDGET else "OVER"
    print(f"   registry's share: {share:+.3f}x bare ({share_us:+.1f} us/request)")
    print(f"   inspected total {inspected:.3f}x: {verdict} the {REQUEST_BUDGET}x budget")

    app = build_app("inspected")
    with HeldContexts(app, THREADS):
        registry = get_state(app).contexts
        assert registry is not None
        busy = sum(1 for thread in registry.snapshot().threads if thread.contexts)
        api_ms, size = api_time_ms(app)
        print(f"2. GET /api/contexts, {busy} threads holding contexts")
        print(f"   server side: {api_ms:.1f} ms median, {size / 1024:.0f} KiB of JSON")
        times = browser_times_ms(app)
    if times is None:
        print(f"3. Browser: skipped ({CHROMIUM} not found)")
        return
    render_ms, update_ms, lanes = times
    print(f"3. Browser, {lanes} lanes drawn")
    print(f"   render (build and swap the lanes): {render_ms:.1f} ms median")
    print(f"   update (fetch + server + parse + render): {update_ms:.1f} ms median")
    verdict = "within" if update_ms <= DRAW_BUDGET_MS else "OVER"
    print(f"   {verdict} the {DRAW_BUDGET_MS:g} ms budget for drawing {THREADS} threads")


if __name__ == "__main__":
    main()
