"""Live contexts: the ``/contexts`` page and ``GET /api/contexts``.

The page is a shell; its lanes are drawn in the browser from
``/api/contexts``, polled about once a second, so it keeps showing what is
pushed on every thread while requests come and go.
"""

from __future__ import annotations

import time
import typing as t

from flask import Blueprint
from flask import Response
from flask import render_template

from ..contexts import LONG_HELD_MS
from ..contexts import ContextRegistry
from ..extension import get_state
from ..stores import process
from .panel_app import inspected_app
from .responses import api_error
from .responses import api_json

POLL_INTERVAL_MS = 1000


def register(blueprint: Blueprint) -> None:
    blueprint.add_url_rule("/contexts", "contexts", contexts_page)
    blueprint.add_url_rule("/api/contexts", "api_contexts", contexts_api)


def contexts_page() -> str:
    registry = _registry()
    return render_template(
        "flask_inspect/contexts.html",
        active="contexts",
        title="Contexts",
        **_processes(),
        context_model=registry.model.name if registry is not None else "unknown",
        poll_interval_ms=POLL_INTERVAL_MS,
        long_held_seconds=LONG_HELD_MS / 1000.0,
    )


def contexts_api() -> Response:
    registry = _registry()
    if registry is None:
        return api_error(404, "not_found", "flask-inspect is not watching contexts on this app.")
    return api_json({**registry.snapshot().to_dict(), **_processes()})


def _processes() -> dict[str, t.Any]:
    """Which process these contexts are of, and the app's other live workers.

    The lanes show one process (the one that answered); under several workers
    the others are listed from the history store's heartbeats.
    """
    app = inspected_app()
    me = process.current()
    history = get_state(app).history
    workers = [] if history is None else history.workers()
    now = time.time()
    return {
        "process": {"pid": me.pid, "boot": me.boot, "host": me.host},
        "other_workers": [w.to_dict(now) for w in workers if w.boot != me.boot],
    }


def _registry() -> ContextRegistry | None:
    app = inspected_app()
    try:
        return get_state(app).contexts
    except LookupError:
        return None
