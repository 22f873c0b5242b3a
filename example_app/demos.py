"""Context demos: requests that keep their contexts alive long enough to watch.

Open the panel's Contexts view in one tab and these URLs in others.
"""

from __future__ import annotations

import asyncio
import threading
import time
import typing as t

import click
from flask import Blueprint
from flask import Response
from flask import copy_current_request_context
from flask import current_app
from flask import flash
from flask import g
from flask import render_template
from flask import request
from flask import stream_with_context
from markupsafe import escape

demos = Blueprint("demos", __name__, url_prefix="/demo")

MAX_HOLD_SECONDS = 30.0


def _seconds(default: float) -> float:
    """``?seconds=`` bounded to a sane range, so a typo cannot hang a worker."""
    try:
        value = float(request.args.get("seconds", default))
    except ValueError:
        value = default
    return min(max(value, 0.0), MAX_HOLD_SECONDS)


@demos.route("/slow")
def slow() -> str:
    """Holds its request (and so its contexts) open: open it in several tabs."""
    seconds = _seconds(5.0)
    g.started = time.monotonic()
    time.sleep(seconds)
    return f"<h1>Done after {seconds:g}s</h1><p>Thread: {threading.current_thread().name}</p>"


@demos.route("/stream")
def stream() -> Response:
    """A streamed body: the request context stays pushed while it streams."""
    seconds = _seconds(5.0)
    steps = 5

    def generate() -> t.Iterator[str]:
        yield "<h1>Streaming</h1>\n"
        for index in range(steps):
            time.sleep(seconds / steps)
            yield f"<p>chunk {index + 1} of {steps} for {escape(request.path)}</p>\n"

    return Response(stream_with_context(generate()), mimetype="text/html")


@demos.route("/background")
def background() -> str:
    """``copy_current_request_context`` carries this request into another thread."""
    seconds = _seconds(5.0)

    @copy_current_request_context
    def work() -> None:
        time.sleep(seconds)
        current_app.logger.info("background work for %s finished", request.path)

    threading.Thread(target=work, name="background-worker", daemon=True).start()
    return "<h1>Started a background thread holding a copy of this request's context</h1>"


@demos.route("/app-context")
def app_context_thread() -> str:
    """A thread that pushes only an application context (no request)."""
    seconds = _seconds(5.0)
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def work() -> None:
        with app.app_context():
            time.sleep(seconds)

    threading.Thread(target=work, name="app-context-worker", daemon=True).start()
    return "<h1>Started a thread with only an application context</h1>"


@demos.route("/async")
async def async_view() -> str:
    """An async view, and two asyncio tasks each pushing an app context.

    Flask runs the view in an event loop on a helper thread, in a copy of the
    request thread's context variables: ``request`` works without a push. Each
    task pushes its own app context, which only that task sees.
    """
    seconds = _seconds(5.0)
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    async def task_with_its_own_app_context(number: int) -> str:
        with app.app_context():
            g.task_number = number
            await asyncio.sleep(seconds)
            return f"task {number} saw g.task_number == {g.task_number}"

    results = await asyncio.gather(
        task_with_its_own_app_context(1), task_with_its_own_app_context(2)
    )
    lines = "".join(f"<li>{line}</li>" for line in results)
    return f"<h1>Hello from an async view on {escape(request.path)}</h1><ul>{lines}</ul>"


@demos.cli.command("contexts")
def contexts_command() -> None:
    """Show the app context the ``flask`` command pushed for this command.

    Run with ``--debug`` so the panel is on: ``flask --app example_app.app
    --debug demos contexts``.
    """
    from flask_inspect.extension import get_state

    registry = get_state(current_app).contexts
    if registry is None:
        click.echo("flask-inspect is switched off for this app.")
        return
    seen = False
    for thread in registry.snapshot().threads:
        for context in thread.contexts:
            seen = True
            click.echo(
                f"{thread.name}: {context.kind} context of {context.app!r}, "
                f"held {context.age_ms:g} ms, depth {context.depth}"
            )
    if not seen:
        click.echo("The panel is off (not in debug mode): add --debug to watch contexts.")
    click.echo(f"current_app is {current_app.name!r}; there is no request in a CLI command.")


@demos.route("/flash")
def flash_and_render() -> str:
    """Flashes a message and renders a template, for the request history."""
    flash("Flashed from /demo/flash", "info")
    return render_template("hello.html", name="template")


@demos.route("/error")
def error() -> str:
    """Raises: the request history records the exception."""
    raise RuntimeError("this view fails on purpose")
