"""The app the real-server tests run in a server process of its own.

``python -m tests.served_app werkzeug|waitress PORT`` serves it in-process
servers' way; gunicorn imports ``tests.served_app:app`` and uvicorn
``tests.served_app:asgi_app`` (a2wsgi's WSGI-to-ASGI bridge, which runs the
app on a pool of threads). ``/held`` waits until ``/release`` is asked, so the
test decides how many requests are in flight at once; the wait is bounded.
"""

from __future__ import annotations

import sys
import threading
import time
import typing as t

from flask import Flask

from flask_inspect import Inspect

HOLD_SECONDS = 20.0
OVERLAP_SECONDS = 0.5

app = Flask("served_app")
app.config.update(DEBUG=True, SECRET_KEY="served-app-secret")
Inspect(app)

_released = threading.Event()
_overlap_lock = threading.Lock()
_overlap = {"running": 0, "peak": 0}
_overlap_threads: set[str] = set()


@app.route("/held")
def held() -> tuple[str, int]:
    if not _released.wait(HOLD_SECONDS):
        return "never released", 504
    return "released", 200


@app.post("/release")
def release() -> str:
    _released.set()
    return "released"


@app.route("/overlap")
def overlap() -> str:
    """Takes a moment, noting how many of these ran at once and on which threads."""
    with _overlap_lock:
        _overlap["running"] += 1
        _overlap["peak"] = max(_overlap["peak"], _overlap["running"])
        _overlap_threads.add(threading.current_thread().name)
    time.sleep(OVERLAP_SECONDS)
    with _overlap_lock:
        _overlap["running"] -= 1
    return "done"


@app.route("/overlap/peak")
def overlap_peak() -> dict[str, t.Any]:
    with _overlap_lock:
        return {"peak": _overlap["peak"], "threads": sorted(_overlap_threads)}


def __getattr__(name: str) -> t.Any:
    """The ASGI apps, built on first use so only an ASGI server needs them.

    ``asgi_app``: a2wsgi's bridge (a pool of threads). ``asgiref_app``:
    asgiref's ``WsgiToAsgi``, which runs every request on one shared thread.
    """
    if name == "asgi_app":
        from a2wsgi import WSGIMiddleware

        # a2wsgi's environ type is a TypedDict; Flask's is a plain dict.
        return WSGIMiddleware(app, workers=8)  # type: ignore[arg-type]
    if name == "asgiref_app":
        from asgiref.wsgi import WsgiToAsgi

        return WsgiToAsgi(app)  # type: ignore[no-untyped-call]
    raise AttributeError(name)


def main(argv: list[str]) -> None:
    server, port = argv[0], int(argv[1])
    if server == "werkzeug":
        from werkzeug.serving import make_server

        make_server("127.0.0.1", port, app, threaded=True).serve_forever()
    elif server == "waitress":
        from waitress import serve

        serve(app, host="127.0.0.1", port=port, threads=8, _quiet=True)
    else:
        raise SystemExit(f"unknown server {server!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
