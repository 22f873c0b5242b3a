"""How fast the panel reads the history: the list API and one record, 1,000 stored.

Run: ``python -m benchmarks.bench_store [REPEATS]`` (default 30).

For each store (memory, the default SQLite file, and Redis when a
``redis-server`` is on the PATH: one is started on a free loopback port),
1,000 requests of the template view (with a flashed message, the view's
arguments, a 404 among them) are recorded and written, then the panel's
JSON is fetched through the app, as the browser's poll would:

- ``GET /_inspect/api/requests`` (the whole list, 1,000 records);
- ``GET /_inspect/api/requests/<id>`` (one record's detail);
- ``GET /_inspect/requests/<id>`` (its page, timeline diagrams drawn).

Each figure is the median over REPEATS fetches of the wall time and, in
brackets, of the fetching thread's CPU time (the app runs in that thread:
on a shared machine the wall clock also counts the moments the core was
given to someone else; Redis's own work is in its server, not counted).
Targets, on the wall time: list <= 20 ms, detail <= 5 ms.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import typing as t
from pathlib import Path

from flask import Flask
from flask import flash
from flask import render_template_string

from flask_inspect import Inspect

RECORDS = 1000
LIST_TARGET_MS = 20.0
DETAIL_TARGET_MS = 5.0

PAGE = """<!doctype html><html><body>
{% for m in get_flashed_messages() %}<p>{{ m }}</p>{% endfor %}
<ul>{% for i in items %}<li>{{ i }}</li>{% endfor %}</ul></body></html>"""


def build_app(store: str) -> Flask:
    app = Flask("bench_store")
    app.config.update(
        DEBUG=True, SECRET_KEY="benchmark-only", INSPECT_HISTORY_SIZE=RECORDS, INSPECT_STORE=store
    )
    Inspect(app)

    @app.route("/items/<int:number>")
    def items(number: int) -> str:
        flash(f"looked at {number}", "info")
        return render_template_string(PAGE, items=range(10))

    return app


def fill(app: Flask) -> str:
    """Record ``RECORDS`` requests, wait until written; the id of one in the middle."""
    client = app.test_client()
    history = app.extensions["inspect"].history
    middle = ""
    for number in range(RECORDS):
        path = f"/items/{number}" if number % 10 else "/nowhere"
        response = client.get(path, headers={"User-Agent": "bench", "Accept": "text/html"})
        if number == RECORDS // 2:
            middle = response.headers["X-Inspect-Request-Id"]
        if number % 200 == 199:
            history.flush(timeout=60)
    history.flush(timeout=60)
    return middle


def median_ms(fetch: t.Callable[[], t.Any], repeats: int) -> tuple[float, float]:
    """Median wall and thread-CPU milliseconds of one fetch."""
    fetch()  # warm
    walls = []
    cpus = []
    for _ in range(repeats):
        started = time.perf_counter()
        cpu = time.thread_time()
        fetch()
        cpus.append(time.thread_time() - cpu)
        walls.append(time.perf_counter() - started)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000


def measure(store: str, repeats: int) -> dict[str, t.Any]:
    app = build_app(store)
    record_id = fill(app)
    history = app.extensions["inspect"].history
    client = app.test_client()

    first = client.get("/_inspect/api/requests").get_json()  # checked once, outside the timing
    assert first["total"] == RECORDS, first["total"]
    assert len(first["requests"]) == RECORDS

    def listed() -> None:
        response = client.get("/_inspect/api/requests")
        assert response.status_code == 200
        assert len(response.get_data()) > RECORDS * 100

    def detail() -> None:
        assert client.get(f"/_inspect/api/requests/{record_id}").status_code == 200

    def page() -> None:
        assert client.get(f"/_inspect/requests/{record_id}").status_code == 200

    return {
        "backend": history.backend.name,
        "list": median_ms(listed, repeats),
        "detail": median_ms(detail, repeats),
        "page": median_ms(page, repeats),
    }


def main() -> int:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    failures = []
    with tempfile.TemporaryDirectory() as folder:
        stores = {"memory": "memory", "sqlite": f"sqlite:///{Path(folder) / 'bench.sqlite3'}"}
        server = None
        try:
            from tests.store_helpers import REDIS_SERVER
            from tests.store_helpers import RedisServer

            if REDIS_SERVER is not None:
                server = RedisServer(Path(folder))
                stores["redis"] = server.url
            else:
                print("redis-server is not installed: Redis not measured.")
            print(f"{RECORDS} records stored; median of {repeats} fetches\n")
            for name, setting in stores.items():
                figures = measure(setting, repeats)
                (listed, listed_cpu), (detail, detail_cpu), (page, page_cpu) = (
                    figures["list"],
                    figures["detail"],
                    figures["page"],
                )
                print(
                    f"  {name:<7} list API {listed:6.1f} ms ({listed_cpu:5.1f})"
                    f"   detail API {detail:5.2f} ms ({detail_cpu:4.2f})"
                    f"   detail page {page:5.2f} ms ({page_cpu:4.2f})"
                    f"   [backend in use: {figures['backend']}]"
                )
                if listed > LIST_TARGET_MS:
                    failures.append(f"{name}: list {listed:.1f} ms > {LIST_TARGET_MS}")
                if detail > DETAIL_TARGET_MS:
                    failures.append(f"{name}: detail {detail:.2f} ms > {DETAIL_TARGET_MS}")
        finally:
            if server is not None:
                server.kill()
    print("\n" + ("all targets met" if not failures else "missed: " + "; ".join(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
