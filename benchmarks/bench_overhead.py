"""What recording every request costs, against bare Flask, measured in one run.

Run: ``python -m benchmarks.bench_overhead [ROUNDS] [CALLS]`` (default 30 rounds of
2,000 calls per variant and view).

Variants, all with ``DEBUG=True`` (debug changes Flask's own template handling,
so every variant runs in the same mode):

- ``bare``: Flask alone;
- ``inspected``: ``Inspect(app)``, everything recorded, badge on, the history
  in memory (``INSPECT_STORE="memory"``);
- ``sqlite``: the same with the default store, an SQLite file;
- ``off``: ``Inspect(app)`` with ``INSPECT_ENABLED=False``;
- ``debugtoolbar``: Flask-DebugToolbar, for comparison (if installed: ``.[bench]``);

and, to show where the time goes (not targets):

- ``noop-receivers``: bare Flask plus a receiver that does nothing on each of
  the ten signals the recorder listens to: what blinker's dispatch alone costs;
- ``skeleton``: the cheapest recorder of the same shape, as a floor (not a
  product): a middleware that keeps a bounded history of (environ, timeline)
  and adds the id header, and one receiver per signal that only appends the
  event to the timeline. No record object, routing facts, contexts registry,
  badge, explained error pages or streaming;
- ``no-badge``: inspected with ``INSPECT_BADGE=False``;
- ``no-contexts``: inspected without the live contexts registry riding on the
  recorder's receivers;
- ``idle``: ``Inspect(app)`` left in an app with debug off (``INSPECT_ENABLED``
  unset), against bare Flask with debug off (``bare-nodebug``).

Views: a trivial one (returns a short string) and one rendering a small page
template (a layout, a loop, a flashed message read back). Every call is a
direct WSGI call with a browser-like environ (no network), the body read
and closed. Each variant runs in a process of its own (``benchmarks.isolated``
says why: in a shared process "bare" is not bare), the variants take turns
inside each round (rotated so none always goes first), and each ratio is the
median over rounds of ``variant / bare`` for that round, so drift in machine
speed cancels out.

The figures above are the serving thread's CPU time: what a request waits
for. The history's background writer (drawing each record's JSON, writing
it) runs on another thread of the same process, so a second pass times
``bare``, ``inspected`` and ``sqlite`` by the whole process's CPU time, in
batches of 200 calls each followed by waiting until every record is
written (the writer keeps up, nothing is dropped): what the machine pays.

Then memory: 1,000 records kept (``INSPECT_HISTORY_SIZE=1000``) of the
template view, in memory, measured with ``tracemalloc``.

Targets: inspected <= 1.25x bare (trivial), <= 1.05x (template); off <= 1.02x;
sqlite <= inspected + 0.05x (serving thread); 1,000 records <= 10 MB.

Reading the figures: ``off`` installs nothing at all, so its requests run the
very same code as ``bare``; how far its ratio strays from 1.00 (and the width
of each ratio's middle half, printed beside it) is this machine's noise. On a
shared two-core machine that is about 0.02-0.03 either way.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
import typing as t
from collections import deque
from contextvars import ContextVar
from pathlib import Path

from flask import Flask
from flask import flash
from flask import render_template
from flask import signals
from werkzeug.test import EnvironBuilder

from benchmarks.isolated import interleaved_rounds
from flask_inspect import Inspect

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse
    from _typeshed.wsgi import WSGIEnvironment

LAYOUT = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{% block title %}{% endblock %} · Shop</title>
<link rel="stylesheet" href="/static/site.css"></head>
<body>
<header><nav><a href="/">Home</a> <a href="/items">Items</a>
<a href="/about">About</a></nav></header>
{% for category, message in get_flashed_messages(with_categories=true) %}
<p class="flash {{ category }}">{{ message }}</p>
{% endfor %}
<main>{% block content %}{% endblock %}</main>
<footer>Served by {{ config.get("SERVER_NAME") or "localhost" }}</footer>
</body>
</html>
"""

PAGE = """{% extends "layout.html" %}
{% block title %}{{ title }}{% endblock %}
{% block content %}
<h1>{{ title }}</h1>
<ul>
{% for item in items %}
<li><a href="/items/{{ item.id }}">{{ item.name }}</a> {{ item.price }}</li>
{% endfor %}
</ul>
{% endblock %}
"""

ITEMS = [
    {"id": index, "name": f"item {index}", "price": f"{index * 1.5:.2f}"} for index in range(10)
]

BROWSER_HEADERS = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en-GB,en;q=0.9",
    "Accept-Encoding": "gzip, deflate, br",
    "Connection": "keep-alive",
    "Upgrade-Insecure-Requests": "1",
    "Sec-Fetch-Dest": "document",
    "Sec-Fetch-Mode": "navigate",
    "Sec-Fetch-Site": "same-origin",
    "Cookie": "theme=dark",
}

TARGETS = {"trivial": 1.25, "template": 1.05}
OFF_TARGET = 1.02
SQLITE_EXTRA = 0.05
"""The SQLite store may add this much to the in-memory ratio (serving thread)."""
WRITER_BATCH = 200
"""Calls between waits for the writer, in the whole-process pass."""
MEMORY_TARGET_MB = 10.0
MEMORY_RECORDS = 1000


def write_templates(folder: Path) -> None:
    (folder / "layout.html").write_text(LAYOUT)
    (folder / "page.html").write_text(PAGE)


RECORDED_SIGNALS = (
    "appcontext_pushed",
    "appcontext_popped",
    "appcontext_tearing_down",
    "request_started",
    "request_finished",
    "request_tearing_down",
    "got_request_exception",
    "before_render_template",
    "template_rendered",
    "message_flashed",
)

BASELINES = {"idle": "bare-nodebug"}
"""The variant each ratio is taken against, when it is not ``bare``."""


def build_app(variant: str, template_folder: str) -> Flask:
    app = Flask(f"bench_{variant}", template_folder=template_folder)
    debug = variant not in ("idle", "bare-nodebug")
    app.config.update(DEBUG=debug, SECRET_KEY="benchmark-only")

    @app.route("/trivial")
    def trivial() -> str:
        return "ok"

    @app.route("/template")
    def template() -> str:
        return render_template("page.html", title="Items", items=ITEMS)

    @app.route("/flash")
    def flash_then_render() -> str:
        flash("Saved", "info")
        return render_template("page.html", title="Saved", items=ITEMS)

    if variant in ("inspected", "idle"):
        app.config["INSPECT_STORE"] = "memory"
        Inspect(app)
    elif variant == "sqlite":
        app.config["INSPECT_STORE"] = f"sqlite:///{template_folder}/history-{os.getpid()}.sqlite3"
        Inspect(app)
    elif variant == "no-badge":
        app.config.update(INSPECT_BADGE=False, INSPECT_STORE="memory")
        Inspect(app)
    elif variant == "no-contexts":
        app.config["INSPECT_STORE"] = "memory"
        Inspect(app)
        app.extensions["inspect"].contexts = None
    elif variant == "noop-receivers":
        for name in RECORDED_SIGNALS:
            getattr(signals, name).connect(_ignore, sender=app, weak=False)
    elif variant == "skeleton":
        install_skeleton(app)
    elif variant == "off":
        app.config["INSPECT_ENABLED"] = False
        Inspect(app)
    elif variant == "debugtoolbar":
        from flask_debugtoolbar import DebugToolbarExtension

        app.config["DEBUG_TB_INTERCEPT_REDIRECTS"] = False
        DebugToolbarExtension(app)
    return app


def _ignore(sender: object, **extra: object) -> None:
    return None


def install_skeleton(app: Flask) -> None:
    """The ``skeleton`` variant: a timeline per request, and nothing else."""
    current: ContextVar[list[t.Any] | None] = ContextVar("skeleton", default=None)
    history: deque[tuple[WSGIEnvironment, list[t.Any]]] = deque(maxlen=200)

    def timeline_receiver(name: str) -> t.Callable[..., None]:
        def on_signal(sender: Flask, **extra: t.Any) -> None:
            try:
                timeline = current.get()
                if timeline is not None:
                    timeline.append((name, time.perf_counter()))
            except Exception:
                pass

        return on_signal

    receivers = [timeline_receiver(name) for name in RECORDED_SIGNALS]
    for name, receiver in zip(RECORDED_SIGNALS, receivers, strict=True):
        getattr(signals, name).connect(receiver, sender=app, weak=False)
    wsgi_app = app.wsgi_app

    def middleware(environ: WSGIEnvironment, start_response: StartResponse) -> t.Iterable[bytes]:
        timeline: list[t.Any] = [("wsgi_call", time.perf_counter())]
        history.append((environ, timeline))

        def start_with_id(
            status: str, headers: list[tuple[str, str]], exc_info: t.Any = None
        ) -> t.Callable[[bytes], object]:
            timeline.append(status)
            return start_response(status, [*headers, ("X-Inspect-Request-Id", "1")], exc_info)

        token = current.set(timeline)
        try:
            return wsgi_app(environ, start_with_id)
        finally:
            current.reset(token)
            timeline.append(("wsgi_return", time.perf_counter()))

    app.wsgi_app = middleware  # type: ignore[method-assign]


def environ_for(path: str) -> WSGIEnvironment:
    builder = EnvironBuilder(
        path=path, headers=list(BROWSER_HEADERS.items()), environ_base={"REMOTE_ADDR": "127.0.0.1"}
    )
    try:
        return builder.get_environ()
    finally:
        builder.close()


def _start_response(
    status: str, headers: list[tuple[str, str]], exc_info: t.Any = None
) -> t.Callable[[bytes], object]:
    return _discard


def _discard(data: bytes) -> None:
    return None


def call(app: Flask, environ: WSGIEnvironment) -> bytes:
    body = app(dict(environ), _start_response)
    try:
        return b"".join(body)
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()


def time_calls(app: Flask, environ: WSGIEnvironment, calls: int) -> float:
    """CPU seconds per call over ``calls`` direct WSGI calls.

    The thread's CPU time, not wall time: on a shared machine the wall clock
    also counts the moments the scheduler gave the core to someone else.
    """
    started = time.thread_time()
    for _ in range(calls):
        call(app, environ)
    return (time.thread_time() - started) / calls


def process_time_calls(app: Flask, environ: WSGIEnvironment, calls: int) -> float:
    """Whole-process CPU seconds per call, the history's writer thread included.

    Calls come in batches of :data:`WRITER_BATCH`, each followed by a wait
    until the writer has written every record (sleeping costs no CPU), so
    every record's drawing and writing is counted and none is dropped.
    """
    state = app.extensions.get("inspect")
    history = getattr(state, "history", None)
    started = time.process_time()
    done = 0
    while done < calls:
        batch = min(WRITER_BATCH, calls - done)
        for _ in range(batch):
            call(app, environ)
        done += batch
        if history is not None:
            history.flush(timeout=60)
    if history is not None and history.dropped:
        raise RuntimeError(f"{history.dropped} records dropped: the figure would flatter")
    return (time.process_time() - started) / calls


def timer(variant: str, template_folder: str, path: str) -> t.Callable[[int], float]:
    """Build ``variant``'s app in this (worker) process, warm it up, return its timer."""
    app = build_app(variant, template_folder)
    environ = environ_for(path)
    for _ in range(200):  # warm up: template cache, url adapter, first-request work
        call(app, environ)
    return lambda calls: time_calls(app, environ, calls)


def process_timer(variant: str, template_folder: str, path: str) -> t.Callable[[int], float]:
    """As :func:`timer`, timing the whole process (see :func:`process_time_calls`)."""
    app = build_app(variant, template_folder)
    environ = environ_for(path)
    for _ in range(200):
        call(app, environ)
    return lambda calls: process_time_calls(app, environ, calls)


def compare(
    variants: list[str],
    template_folder: str,
    path: str,
    rounds: int,
    calls: int,
    setup: t.Callable[[str, str, str], t.Callable[[int], float]] = timer,
) -> dict[str, tuple[float, float, float, float]]:
    """Per variant: median µs per call, and the median, first and third quartile
    of its per-round ratio to bare (interleaved rounds, one process per variant)."""
    per_round = interleaved_rounds(setup, variants, (template_folder, path), rounds, calls)
    results = {}
    for name in variants:
        baseline = per_round[BASELINES.get(name, "bare")]
        ratios = [mine / base for mine, base in zip(per_round[name], baseline, strict=True)]
        low, _, high = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
        results[name] = (
            statistics.median(per_round[name]) * 1e6,
            statistics.median(ratios),
            low,
            high,
        )
    return results


def measure_memory(template_folder: str) -> tuple[float, int]:
    """MB held by ``MEMORY_RECORDS`` kept records of the template view (with a flash).

    Each request gets an environ of its own, as from a server, so what a record
    keeps of it (its headers) is counted.
    """
    app = build_app("inspected", template_folder)
    app.config["INSPECT_HISTORY_SIZE"] = MEMORY_RECORDS
    for _ in range(50):
        call(app, environ_for("/flash"))
    history = app.extensions["inspect"].history
    history.flush()
    history.clear()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for number in range(MEMORY_RECORDS):
        call(app, environ_for("/flash"))
        if number % WRITER_BATCH == WRITER_BATCH - 1:
            history.flush(timeout=60)  # paced as a server would be: nothing dropped
    history.flush(timeout=60)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (after - before) / 1e6, len(history)


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    calls = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    variants = ["bare", "inspected", "sqlite", "off"]
    try:
        import flask_debugtoolbar  # noqa: F401
    except ImportError:
        print("Flask-DebugToolbar is not installed (pip install -e '.[bench]'): not compared.")
    else:
        variants.append("debugtoolbar")
    variants += ["noop-receivers", "skeleton", "no-badge", "no-contexts", "bare-nodebug", "idle"]
    failures = []
    with tempfile.TemporaryDirectory() as folder:
        write_templates(Path(folder))
        python = sys.version.split()[0]
        print(f"Python {python}; {rounds} rounds x {calls} calls per variant and view\n")
        for view in ("trivial", "template"):
            results = compare(variants, folder, f"/{view}", rounds, calls)
            print(f"{view} view (ratio: median over rounds, and its middle half)")
            for variant, (micros, ratio, low, high) in results.items():
                baseline = BASELINES.get(variant, "bare")
                print(
                    f"  {variant:<15} {micros:8.1f} µs/request   {ratio:5.2f}x {baseline}"
                    f"   ({low:.2f}-{high:.2f})"
                )
            inspected = results["inspected"][1]
            stored = results["sqlite"][1]
            off = results["off"][1]
            if inspected > TARGETS[view]:
                failures.append(f"{view}: inspected {inspected:.2f}x > {TARGETS[view]}x")
            if view == "trivial" and stored > inspected + SQLITE_EXTRA:
                failures.append(f"{view}: sqlite {stored:.2f}x > inspected {inspected:.2f}x + 0.05")
            if off > OFF_TARGET:
                failures.append(f"{view}: off {off:.2f}x > {OFF_TARGET}x")
            whole = compare(
                ["bare", "inspected", "sqlite"], folder, f"/{view}", rounds, calls, process_timer
            )
            print("  whole process CPU (the history's writer thread included):")
            for variant, (micros, ratio, low, high) in whole.items():
                print(
                    f"  {variant:<15} {micros:8.1f} µs/request   {ratio:5.2f}x bare"
                    f"   ({low:.2f}-{high:.2f})"
                )
            print()
        megabytes, kept = measure_memory(folder)
    print(f"memory: {kept} records kept: {megabytes:.2f} MB (target <= {MEMORY_TARGET_MB} MB)")
    if megabytes > MEMORY_TARGET_MB:
        failures.append(f"memory {megabytes:.2f} MB > {MEMORY_TARGET_MB} MB")
    print("\n" + ("all targets met" if not failures else "missed: " + "; ".join(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
