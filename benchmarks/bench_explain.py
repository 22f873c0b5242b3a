"""How long ``explain`` takes on a 1,000-rule map, and whether it slows the app.

Run: ``python -m benchmarks.bench_explain [RULES]`` (default 1,000 rules).

1. ``explain`` latency: the median over a mix of URLs (matches, typos, wrong
   values, wrong methods, slash redirects, to_python refusals); the target is
   2 ms or less.
2. The app's own matching (``MapAdapter.match``, what every request does)
   before and after a long ``explain`` loop, and in blocks interleaved with
   blocks of ``explain`` calls against quiet blocks. Werkzeug's matcher calls
   ``re.compile`` on every transition and relies on ``re``'s cache; explain
   keeps its own compiled patterns, so it must leave that cache alone.
3. Two controls: the same interleaving with unrelated Python work of the
   same duration (any work leaves the CPU's caches colder), and with a naive
   diagnosis that matches each rule through ``re`` and its cache, to show the
   effect being avoided.
"""

from __future__ import annotations

import contextlib
import functools
import random
import re
import statistics
import sys
import time
import typing as t

from flask import Flask

from example_app.converters import DateConverter
from flask_inspect import explain

RESOURCES = 100
ACTIONS = (
    ("", None),
    ("<int:id>", None),
    ("<int:id>/edit", ["GET", "POST"]),
    ("<int:id>/delete", ["POST"]),
    ("new/", None),
    ("<slug>", None),
    ("<uuid:key>/files/<path:name>", None),
    ("page/<int(min=1, max=500):number>", None),
    ("<float:price>/price", None),
    ("by-date/<date:day>", None),
)


def build_app(rule_count: int) -> Flask:
    app = Flask(__name__, static_folder=None)
    app.url_map.converters["date"] = DateConverter
    added = 0
    resource = 0
    while added < rule_count:
        for suffix, methods in ACTIONS:
            if added >= rule_count:
                break
            rule = f"/res{resource}/{suffix}" if suffix else f"/res{resource}"
            app.add_url_rule(rule, f"res{resource}_{added}", lambda **_: "", methods=methods)
            added += 1
        resource += 1
    return app


def request_mix(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """(path, method) pairs: matches and every kind of miss."""
    requests = []
    for _ in range(count):
        resource = rng.randrange(RESOURCES)
        kind = rng.randrange(9)
        if kind == 0:
            requests.append((f"/res{resource}/{rng.randrange(1000)}", "GET"))
        elif kind == 1:
            requests.append((f"/rse{resource}/{rng.randrange(1000)}", "GET"))  # typo
        elif kind == 2:
            requests.append((f"/res{resource}/12/edit/extra", "GET"))
        elif kind == 3:
            requests.append((f"/res{resource}/12/delete", "GET"))  # 405
        elif kind == 4:
            requests.append((f"/res{resource}/new", "GET"))  # slash redirect
        elif kind == 5:
            requests.append((f"/res{resource}/page/900", "GET"))  # to_python says no
        elif kind == 6:
            requests.append((f"/res{resource}/by-date/2026-02-30", "GET"))
        elif kind == 7:
            requests.append((f"/res{resource}/1.5/price", "GET"))
        else:
            requests.append((f"/nothing/{rng.randrange(1000)}/here", "GET"))
    return requests


def time_each(calls: t.Iterable[t.Callable[[], object]]) -> list[float]:
    timings = []
    for call in calls:
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def explain_latency(app: Flask, requests: list[tuple[str, str]]) -> list[float]:
    return time_each(functools.partial(explain, app, path, method) for path, method in requests)


def app_matching(app: Flask, urls: list[str]) -> float:
    """Microseconds per ``MapAdapter.match`` over ``urls`` (what a request does)."""
    adapter = app.url_map.bind("localhost", subdomain="")
    started = time.perf_counter()
    for url in urls:
        # 404s and redirects are part of the mix.
        with contextlib.suppress(Exception):
            adapter.match(url, "GET")
    return (time.perf_counter() - started) * 1e6 / len(urls)


def naive_diagnosis(app: Flask, path: str) -> None:
    """A diagnosis that matches each rule through ``re`` and its shared cache.

    One pattern per rule (the rule's parts joined) is what a straightforward
    "does this rule match?" loop compiles; with a big map that is more
    patterns than ``re`` caches, so Werkzeug's own patterns are evicted.
    """
    for rule in app.url_map.iter_rules():
        parts = getattr(rule, "_parts", [])
        pattern = "/".join(
            part.content.replace("(?P<__werkzeug_", f"(?P<p{index}_")
            for index, part in enumerate(parts)
        )
        re.match(pattern, path)


def interleaved(
    app: Flask, match_urls: list[str], between: t.Callable[[int], None], rounds: int
) -> tuple[float, float]:
    """Median match cost in blocks with and without ``between`` run before them."""
    quiet, busy = [], []
    for round_index in range(rounds):
        quiet.append(app_matching(app, match_urls))
        between(round_index)
        busy.append(app_matching(app, match_urls))
    return statistics.median(quiet), statistics.median(busy)


def main() -> None:
    rule_count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rng = random.Random(7)
    app = build_app(rule_count)
    total = len(list(app.url_map.iter_rules()))
    explain(app, "/")  # builds and caches our copy of the trie once
    requests = request_mix(rng, 600)
    timings = explain_latency(app, requests)
    median = statistics.median(timings)
    p90 = statistics.quantiles(timings, n=10)[-1]

    match_urls = [path for path, _ in request_mix(rng, 400)]
    other = request_mix(rng, 4000)

    # Before and after a long explain loop: any lasting effect on matching.
    before = statistics.median(app_matching(app, match_urls) for _ in range(15))
    for path, method in other[:2000]:
        explain(app, path, method)
    after = statistics.median(app_matching(app, match_urls) for _ in range(15))

    def explain_block(index: int) -> None:
        for path, method in other[(index * 40) % 4000 :][:40]:
            explain(app, path, method)

    def naive_block(index: int) -> None:
        for path, _ in other[(index * 40) % 4000 :][:40]:
            naive_diagnosis(app, path)

    started = time.perf_counter()
    explain_block(0)
    block_seconds = time.perf_counter() - started

    def other_work_block(index: int) -> None:
        """Unrelated Python work for as long as an explain block takes."""
        deadline = time.perf_counter() + block_seconds
        while time.perf_counter() < deadline:
            sorted({str(number): [number] * 3 for number in range(500)}.items())

    # Interleaved: match blocks right after blocks of explain calls, against
    # quiet blocks in the same run. Any work in between leaves the CPU's
    # caches colder; the "other work" control shows how much of the
    # difference is just that.
    quiet, busy = interleaved(app, match_urls, explain_block, 25)
    other_quiet, other_busy = interleaved(app, match_urls, other_work_block, 25)
    naive_quiet, naive_busy = interleaved(app, match_urls, naive_block, 25)

    print(f"rules in map:                           {total}")
    print(f"explain median:                         {median:7.3f} ms   (target <= 2 ms)")
    print(f"explain 90th percentile:                {p90:7.3f} ms")
    print(f"app match before a 2,000-explain loop:  {before:7.2f} us/match")
    print(
        f"app match after it:                     {after:7.2f} us/match   "
        f"ratio {after / before:.3f}"
    )
    print(
        f"app match, interleaved with explain:    {busy:7.2f} us/match   "
        f"ratio {busy / quiet:.3f} to quiet blocks ({quiet:.2f})"
    )
    print(
        f"control, interleaved with other work:   {other_busy:7.2f} us/match   "
        f"ratio {other_busy / other_quiet:.3f} to quiet blocks ({other_quiet:.2f})"
    )
    print(
        f"control, interleaved with a re loop:    {naive_busy:7.2f} us/match   "
        f"ratio {naive_busy / naive_quiet:.3f} to quiet blocks ({naive_quiet:.2f})"
    )
    print("PASS" if median <= 2.0 else "FAIL: explain median above 2 ms")


if __name__ == "__main__":
    main()
