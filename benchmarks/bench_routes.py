"""How long describing the URL map takes on a large app.

Run: ``python -m benchmarks.bench_routes [RULES]`` (default 2,000 rules).
Reports the median of several runs of ``describe_routes`` and of the
``/_inspect/api/routes`` request (direct WSGI call, no network).
"""

from __future__ import annotations

import statistics
import sys
import time

from flask import Flask

from flask_inspect import Inspect
from flask_inspect import describe_routes

CONVERTERS = ["int", "string", "float", "path", "uuid", "int(min=1, max=99)", "any(a, b, c)"]


def build_app(rule_count: int) -> Flask:
    app = Flask(__name__)
    app.config["DEBUG"] = True
    Inspect(app)
    for index in range(rule_count):
        converter = CONVERTERS[index % len(CONVERTERS)]
        rule = f"/section{index % 40}/item{index}/<{converter}:value>"
        if index % 3 == 0:
            rule += "/edit"
        app.add_url_rule(rule, f"endpoint_{index}", lambda value: str(value))
    return app


def median_ms(action: object, repeats: int) -> float:
    assert callable(action)
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    rule_count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    app = build_app(rule_count)
    client = app.test_client()
    app.url_map.update()
    describe = median_ms(lambda: describe_routes(app), 7)
    api = median_ms(lambda: client.get("/_inspect/api/routes"), 7)
    page = median_ms(lambda: client.get("/_inspect/routes"), 5)
    total = len(list(app.url_map.iter_rules()))
    print(f"rules in map:              {total}")
    print(f"describe_routes median:    {describe:8.1f} ms")
    print(f"GET /api/routes median:    {api:8.1f} ms")
    print(f"GET /routes (page) median: {page:8.1f} ms")


if __name__ == "__main__":
    main()
