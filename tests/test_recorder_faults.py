"""Fault injection: the recorder failing must never change what the app answers.

Two twin apps with the same views, one inspected and one bare, answer the
same requests. With every receiver made to raise (the record's lists and the
contexts registry explode on touch), and then with the middleware unable to
even create a record, the inspected app's responses must be byte-identical
to the bare app's (status, headers in order, body), and no app or request
context may be left pushed.
"""

from __future__ import annotations

import asyncio
import typing as t

import pytest
from flask import Flask
from flask import Response
from flask import flash
from flask import redirect
from flask import render_template_string
from flask import stream_with_context
from flask.globals import _cv_app
from itsdangerous.timed import TimestampSigner

from flask_inspect import Inspect
from flask_inspect import context_compat
from flask_inspect import record as record_module
from flask_inspect import recorder as recorder_module
from flask_inspect.extension import get_state
from flask_inspect.recorder import REQUEST_ID_HEADER

PAGE = (
    "<!doctype html><html><body><h1>{{ title }}</h1>"
    "{% for m in get_flashed_messages() %}<p>{{ m }}</p>{% endfor %}</body></html>"
)

REQUESTS: list[tuple[str, str]] = [
    ("GET", "/page"),
    ("GET", "/flash"),
    ("GET", "/json"),
    ("GET", "/redirect"),
    ("GET", "/stream"),
    ("GET", "/async"),
    ("GET", "/error"),
    ("GET", "/missing"),
    ("POST", "/page"),
    ("HEAD", "/page"),
    ("GET", "/user/abc"),
]


# Flask 3.2 keeps the request in the app context and has no request variable:
# the model says which variables this Flask has.
CONTEXT_MODEL = context_compat.detect_context_model()


def assert_nothing_pushed(after: str) -> None:
    assert CONTEXT_MODEL.current_app_context() is None, f"app context left pushed after {after}"
    assert CONTEXT_MODEL.current_request_context() is None, (
        f"request context left pushed after {after}"
    )


class Explosion(Exception):
    """Raised by every injected fault."""


class ExplodingList(list[t.Any]):
    """A record list that raises on every write: each receiver touching it fails."""

    touches = 0

    def append(self, item: t.Any) -> None:
        ExplodingList.touches += 1
        raise Explosion("injected fault")


class ExplodingRegistry:
    """A contexts registry whose every event raises."""

    def __init__(self) -> None:
        self.calls = 0

    def __getattr__(self, name: str) -> t.Callable[..., None]:
        def explode(*args: object, **kwargs: object) -> None:
            self.calls += 1
            raise Explosion(f"injected fault in {name}")

        return explode


def twin_app(inspected: bool) -> Flask:
    app = Flask("twin")
    app.config.update(DEBUG=True, SECRET_KEY="twin-secret", PROPAGATE_EXCEPTIONS=False)
    # Explained 404/405 pages change those answers on purpose; they are not the recorder.
    app.config["INSPECT_EXPLAIN_ERRORS"] = False
    if inspected:
        Inspect(app)

    @app.route("/page", methods=["GET"])
    def page() -> str:
        return render_template_string(PAGE, title="Page")

    @app.route("/flash")
    def flashing() -> str:
        flash("Saved")
        return render_template_string(PAGE, title="Flashed")

    @app.route("/json")
    def as_json() -> dict[str, t.Any]:
        return {"items": [1, 2, 3]}

    @app.route("/redirect")
    def moved() -> t.Any:
        return redirect("/page")

    @app.route("/stream")
    def stream() -> Response:
        def chunks() -> t.Iterator[str]:
            yield "<html><body>"
            yield "streamed"
            yield "</body></html>"

        return Response(stream_with_context(chunks()), mimetype="text/html")

    @app.route("/async")
    async def async_view() -> str:
        await asyncio.sleep(0)
        return render_template_string(PAGE, title="Async")

    @app.route("/error")
    def error() -> str:
        raise RuntimeError("fails on purpose")

    @app.route("/user/<int:user_id>")
    def user(user_id: int) -> str:
        return f"user {user_id}"

    return app


def exchange(app: Flask, method: str, path: str) -> tuple[str, list[tuple[str, str]], bytes]:
    response = app.test_client().open(path, method=method, buffered=True)
    assert_nothing_pushed(f"{method} {path}")
    return response.status, list(response.headers.items()), response.get_data()


@pytest.fixture(autouse=True)
def fixed_session_timestamps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Signed session cookies carry the second they were made; fix it for both twins."""
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_800_000_000)


def test_without_faults_only_the_header_and_the_badge_differ() -> None:
    bare = twin_app(inspected=False)
    inspected = twin_app(inspected=True)
    for method, path in REQUESTS:
        status, headers, body = exchange(inspected, method, path)
        bare_status, bare_headers, bare_body = exchange(bare, method, path)
        assert status == bare_status
        record_ids = [value for name, value in headers if name == REQUEST_ID_HEADER]
        assert len(record_ids) == 1
        others = [(n, v) for n, v in headers if n not in (REQUEST_ID_HEADER, "Content-Length")]
        assert others == [(n, v) for n, v in bare_headers if n != "Content-Length"]
        if body != bare_body:
            assert b"flask-inspect-badge" in body
            assert body.replace(_badge_of(body), b"") == bare_body


def _badge_of(body: bytes) -> bytes:
    start = body.index(b'<link rel="stylesheet" href="/_inspect/static/flask_inspect/badge.css">')
    end = body.index(b"</a>", start) + len(b"</a>")
    return body[start:end]


def test_every_receiver_failing_leaves_the_responses_byte_identical(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bare = twin_app(inspected=False)
    inspected = twin_app(inspected=True)
    registry = ExplodingRegistry()
    get_state(inspected).contexts = registry  # type: ignore[assignment]
    original_init = record_module.RequestRecord.__init__

    def exploding_record(self: record_module.RequestRecord, *args: t.Any, **kwargs: t.Any) -> None:
        original_init(self, *args, **kwargs)
        self.timeline = ExplodingList()
        self.templates = ExplodingList()
        self.flashes = ExplodingList()

    monkeypatch.setattr(record_module.RequestRecord, "__init__", exploding_record)
    monkeypatch.setattr(recorder_module, "_note_routing", _explode)
    monkeypatch.setattr(recorder_module, "_note_g", _explode)
    monkeypatch.setattr(recorder_module, "CapturedException", _explode)
    ExplodingList.touches = 0

    for method, path in REQUESTS:
        assert exchange(inspected, method, path) == exchange(bare, method, path), (method, path)

    # The faults really fired, in the receivers and in the middleware alike.
    assert ExplodingList.touches >= 8 * len(REQUESTS)
    assert registry.calls >= 4 * len(REQUESTS)
    assert inspected.wsgi_app.recorder._reported_failure  # type: ignore[attr-defined]
    # The app still works as a Flask app afterwards: contexts push and pop.
    with inspected.app_context():
        assert _cv_app.get(None) is not None
    assert _cv_app.get(None) is None


def test_failures_with_propagating_errors_leave_no_context_pushed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = twin_app(inspected=True)
    app.config["PROPAGATE_EXCEPTIONS"] = True
    get_state(app).contexts = ExplodingRegistry()  # type: ignore[assignment]
    monkeypatch.setattr(recorder_module, "CapturedException", _explode)
    monkeypatch.setattr(recorder_module, "_note_routing", _explode)
    with pytest.raises(RuntimeError, match="fails on purpose"):
        app.test_client().get("/error")
    assert_nothing_pushed("GET /error")


def test_a_middleware_that_cannot_record_passes_requests_through_untouched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bare = twin_app(inspected=False)
    inspected = twin_app(inspected=True)
    monkeypatch.setattr(recorder_module, "RequestRecord", _explode)
    for method, path in REQUESTS:
        assert exchange(inspected, method, path) == exchange(bare, method, path), (method, path)
    history = get_state(inspected).history
    assert history is not None
    assert len(history) == 0


def test_a_failing_history_passes_requests_through_untouched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bare = twin_app(inspected=False)
    inspected = twin_app(inspected=True)
    history = get_state(inspected).history
    assert history is not None
    monkeypatch.setattr(history, "add", _explode)
    for method, path in REQUESTS:
        assert exchange(inspected, method, path) == exchange(bare, method, path), (method, path)


def _explode(*args: object, **kwargs: object) -> t.NoReturn:
    raise Explosion("injected fault")
