"""The recorder on real Flask apps: every field of a RequestRecord, as served.

Records are read the way the panel reads them: the response's
``X-Inspect-Request-Id`` header names the record, drawn by ``summary`` /
``detail`` (the JSON the API serves).
"""

from __future__ import annotations

import asyncio
import datetime
import threading
import time
import typing as t
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Blueprint
from flask import Flask
from flask import Response
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import stream_with_context
from flask import url_for
from flask.globals import _cv_app
from jinja2 import DictLoader
from werkzeug.routing import BaseConverter

from example_app.converters import DateConverter
from flask_inspect.extension import get_state
from flask_inspect.record import RequestRecord
from flask_inspect.recorder import REQUEST_ID_HEADER
from flask_inspect.recorder import RecordingMiddleware
from tests.conftest import LiveServer
from tests.conftest import make_app
from tests.versions import REDIRECT_STATUS
from tests.versions import STREAM_PUSHES_AGAIN

if t.TYPE_CHECKING:
    from werkzeug.test import TestResponse

RECORD_KEYS = {
    "id",
    "method",
    "path",
    "query_string",
    "status",
    "duration_ms",
    "started_at",
    "finished",
    "thread",
    "endpoint",
    "rule",
    "view_args",
    "view",
    "blueprint",
    "routing_error",
    "exception",
    "templates",
    "flashes",
    "events",
    "process",
}
"""The public keys of a record, plus ``process`` (pid, boot id, host, start: which
worker served it, and where the app restarted)."""

TEMPLATES = {
    "item.html": "<!doctype html><html><body><h1>Item {{ item_id }}</h1>"
    "{% for c, m in get_flashed_messages(with_categories=true) %}<p>{{ m }}</p>{% endfor %}"
    "</body></html>",
    "async.html": "<p>async {{ value }}</p>",
}


def recording_app(**config: t.Any) -> Flask:
    """A debug app with the extension and one route per thing to record."""
    app = make_app(**config)
    app.jinja_loader = DictLoader(TEMPLATES)
    app.url_map.converters["date"] = DateConverter
    shop = Blueprint("shop", __name__, url_prefix="/shop")

    @shop.route("/item/<int:item_id>")
    def item(item_id: int) -> str:
        flash(f"Looked at {item_id}", "info")
        return render_template("item.html", item_id=item_id)

    app.register_blueprint(shop)

    @app.route("/typed/<uuid:order>/<float:price>/<date:day>/<path:rest>")
    def typed(order: uuid.UUID, price: float, day: datetime.date, rest: str) -> str:
        return "typed"

    @app.route("/json")
    def as_json() -> dict[str, int]:
        return {"answer": 42}

    @app.route("/docs/")
    def docs() -> str:
        return "<html><body>docs</body></html>"

    @app.route("/go")
    def go() -> t.Any:
        return redirect(url_for("docs"))

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("this view fails on purpose")

    @app.route("/async")
    async def async_view() -> str:
        await asyncio.sleep(0.01)
        flash("from async", "note")
        return render_template("async.html", value=7)

    @app.route("/stream")
    def stream() -> Response:
        def chunks() -> t.Iterator[str]:
            yield "<p>first</p>"
            time.sleep(0.15)
            yield "<p>second</p>"
            time.sleep(0.15)
            yield "<p>last</p>"

        return Response(stream_with_context(chunks()), mimetype="text/html")

    @app.route("/slow")
    def slow() -> str:
        time.sleep(0.2)
        return "slow"

    return app


def record_of(app: Flask, response: TestResponse) -> dict[str, t.Any]:
    """The record a response names, as the detail API draws it."""
    record_id = response.headers[REQUEST_ID_HEADER]
    history = get_state(app).history
    assert history is not None
    record = history.get(record_id)
    assert record is not None, f"no record {record_id}"
    return record.detail(app)


def only_record(app: Flask) -> dict[str, t.Any]:
    history = get_state(app).history
    assert history is not None
    records = history.newest_first()
    assert len(records) == 1, [r.summary(app)["path"] for r in records]
    return records[0].detail(app)


def event_names(record: dict[str, t.Any]) -> list[str]:
    return [event["name"] for event in record["events"]]


def test_record_of_a_matched_request_has_every_field() -> None:
    app = recording_app()
    before = datetime.datetime.now(datetime.timezone.utc)
    response = app.test_client().get("/shop/item/7?colour=red&size=2", buffered=True)
    assert response.status_code == 200
    record = record_of(app, response)

    assert set(record) >= RECORD_KEYS
    assert record["id"] == response.headers[REQUEST_ID_HEADER]
    assert record["method"] == "GET"
    assert record["path"] == "/shop/item/7"
    assert record["query_string"] == "colour=red&size=2"
    assert record["status"] == 200
    assert record["finished"] is True
    assert record["duration_ms"] > 0
    started = datetime.datetime.fromisoformat(record["started_at"])
    assert (
        before - datetime.timedelta(seconds=1) <= started <= before + datetime.timedelta(seconds=5)
    )
    assert record["thread"] == {
        "name": threading.current_thread().name,
        "ident": threading.get_ident(),
    }
    assert record["endpoint"] == "shop.item"
    assert record["rule"] == "/shop/item/<int:item_id>"
    assert record["blueprint"] == "shop"
    assert record["view_args"] == {"item_id": {"repr": "7", "type": "int"}}
    view = record["view"]
    assert view["qualname"] == "recording_app.<locals>.item"
    assert view["module"] == __name__
    assert view["file"].endswith("test_recorder.py")
    assert isinstance(view["line"], int)
    assert record["routing_error"] is None
    assert record["exception"] is None
    assert [template["name"] for template in record["templates"]] == ["item.html"]
    assert "item_id" in record["templates"][0]["context_keys"]
    assert record["flashes"] == [{"category": "info", "message": "Looked at 7"}]


def test_a_plain_request_fills_only_the_records_slots(monkeypatch: pytest.MonkeyPatch) -> None:
    """What every request writes fits the record's slots: no ``__dict__`` per request.

    The rarer facts (view arguments, templates, flashes, ``g``, exceptions)
    live in a dictionary made only when there is one to keep.
    """
    app = make_app()

    @app.route("/plain")
    def plain() -> str:
        return "plain"

    history = get_state(app).history
    assert history is not None
    # The raw record, as the recorder hands it to the history at its end
    # (what is written afterwards is its JSON, not the record).
    handed: list[RequestRecord] = []
    hand_over = history.finished

    def keep_and_hand_over(record: RequestRecord) -> None:
        handed.append(record)
        hand_over(record)

    monkeypatch.setattr(history, "finished", keep_and_hand_over)
    response = app.test_client().get("/plain")
    (record,) = handed
    assert record.id == response.headers[REQUEST_ID_HEADER]
    assert record.closed
    assert record.status == "200 OK"
    assert vars(record) == {}


def test_template_context_keys_are_recorded_by_name() -> None:
    app = recording_app()
    record = record_of(app, app.test_client().get("/shop/item/3", buffered=True))
    (template,) = record["templates"]
    assert template["name"] == "item.html"
    # The view's own variable and what Flask's context processor adds.
    assert {"item_id", "request", "g"} <= set(template["context_keys"])


def test_events_follow_the_order_flask_sends_them_with_times_from_the_start() -> None:
    app = recording_app()
    record = record_of(app, app.test_client().get("/shop/item/1", buffered=True))
    names = event_names(record)
    expected_order = [
        "wsgi_call",
        "appcontext_pushed",
        "request_started",
        "message_flashed",
        "before_render_template",
        "template_rendered",
        "request_finished",
        "start_response",
        "request_tearing_down",
        "appcontext_tearing_down",
        "appcontext_popped",
        "wsgi_return",
    ]
    assert names == expected_order
    times = [event["t_ms"] for event in record["events"]]
    assert times[0] == 0.0
    assert times == sorted(times)
    assert times[-1] <= record["duration_ms"]


def test_view_arguments_keep_their_converted_types() -> None:
    app = recording_app()
    order = uuid.UUID(int=5)
    response = app.test_client().get(f"/typed/{order}/9.5/2026-11-29/a/b.txt", buffered=True)
    assert response.status_code == 200
    assert record_of(app, response)["view_args"] == {
        "order": {"repr": repr(order), "type": "uuid.UUID"},
        "price": {"repr": "9.5", "type": "float"},
        "day": {"repr": "datetime.date(2026, 11, 29)", "type": "datetime.date"},
        "rest": {"repr": "'a/b.txt'", "type": "str"},
    }


def test_a_view_replaced_under_its_endpoint_is_described_anew() -> None:
    """A view's description is drawn once per function, never kept for its endpoint."""
    app = make_app()

    @app.route("/swap")
    def first_view() -> str:
        return "first"

    client = app.test_client()
    assert record_of(app, client.get("/swap"))["view"]["qualname"].endswith("first_view")

    def second_view() -> str:
        return "second"

    app.view_functions["first_view"] = second_view
    response = client.get("/swap")
    assert response.get_data(as_text=True) == "second"
    view = record_of(app, response)["view"]
    assert view["qualname"].endswith("second_view")
    view["qualname"] = "changed by a reader"  # each record gets its own copy
    assert record_of(app, client.get("/swap"))["view"]["qualname"].endswith("second_view")


def test_async_view_is_recorded_with_its_templates_and_flashes() -> None:
    app = recording_app()
    response = app.test_client().get("/async", buffered=True)
    assert response.status_code == 200
    record = record_of(app, response)
    assert record["endpoint"] == "async_view"
    assert record["view"]["qualname"] == "recording_app.<locals>.async_view"
    assert [template["name"] for template in record["templates"]] == ["async.html"]
    assert record["flashes"] == [{"category": "note", "message": "from async"}]
    assert "template_rendered" in event_names(record)


def test_streamed_body_duration_includes_the_stream() -> None:
    app = recording_app()
    started = time.perf_counter()
    response = app.test_client().get("/stream", buffered=True)
    elapsed_ms = (time.perf_counter() - started) * 1000
    assert response.get_data(as_text=True) == "<p>first</p><p>second</p><p>last</p>"
    record = record_of(app, response)
    assert record["duration_ms"] >= 300
    assert record["duration_ms"] <= elapsed_ms
    names = event_names(record)
    returned = names.index("wsgi_return")
    if STREAM_PUSHES_AGAIN:
        # Flask 3.1.1+: the app returns and tears the request down; then
        # stream_with_context pushes the contexts again while the body is sent,
        # and tears the request down a second time.
        assert names[returned + 1] == "appcontext_pushed"
        assert names.count("request_tearing_down") == 2
        assert names.count("appcontext_popped") == 2
    else:
        # Before: stream_with_context keeps the contexts pushed from the view
        # on, so the only teardown comes after the body is sent.
        assert names[returned + 1] == "request_tearing_down"
        assert names.count("appcontext_pushed") == 1
        assert names.count("request_tearing_down") == 1
        assert names.count("appcontext_popped") == 1
    assert names[-1] == "body_closed"
    streamed_pop = record["events"][names.index("appcontext_popped", returned)]["t_ms"]
    assert streamed_pop >= 300


def test_unhandled_exception_is_recorded_when_it_propagates() -> None:
    app = recording_app()  # TESTING: Flask re-raises the error
    client = app.test_client()
    with pytest.raises(RuntimeError, match="fails on purpose"):
        client.get("/boom")
    record = only_record(app)
    assert record["status"] == 500
    assert record["finished"] is True
    assert record["exception"]["type"] == "RuntimeError"
    assert record["exception"]["message"] == "this view fails on purpose"
    frames = record["exception"]["traceback"]
    assert frames[-1]["function"] == "boom"
    assert frames[-1]["file"].endswith("test_recorder.py")
    assert "raise RuntimeError" in frames[-1]["code"]
    names = event_names(record)
    assert "got_request_exception" in names
    assert names[-1] == "wsgi_raise"
    assert _cv_app.get(None) is None


def test_unhandled_exception_is_recorded_when_flask_answers_500() -> None:
    app = recording_app(PROPAGATE_EXCEPTIONS=False)
    response = app.test_client().get("/boom", buffered=True)
    assert response.status_code == 500
    record = record_of(app, response)
    assert record["status"] == 500
    assert record["exception"]["type"] == "RuntimeError"
    assert record["endpoint"] == "boom"


def test_not_found_record_carries_the_route_explanation() -> None:
    app = recording_app()
    response = app.test_client().get("/shop/item/seven", buffered=True)
    assert response.status_code == 404
    record = record_of(app, response)
    assert record["endpoint"] is None
    assert record["rule"] is None
    assert record["view"] is None
    error = record["routing_error"]
    assert error["exception"] == "NotFound"
    assert error["status"] == 404
    assert error["verdict"] == "not_found"
    assert "int" in error["summary"]
    explanation = error["explanation"]
    assert explanation["path"] == "/shop/item/seven"
    assert any(c["rule"] == "/shop/item/<int:item_id>" for c in explanation["candidates"])


def test_method_not_allowed_record_is_explained() -> None:
    app = recording_app()
    response = app.test_client().post("/json", buffered=True)
    assert response.status_code == 405
    error = record_of(app, response)["routing_error"]
    assert error["exception"] == "MethodNotAllowed"
    assert error["status"] == 405
    assert error["verdict"] == "method_not_allowed"


def test_redirects_are_recorded_both_kinds() -> None:
    app = recording_app()
    client = app.test_client()
    slash = client.get("/docs", buffered=True)
    assert slash.status_code == 308
    error = record_of(app, slash)["routing_error"]
    assert error["exception"] == "RequestRedirect"
    assert error["verdict"] == "redirect"
    assert error["redirect_to"] == "http://localhost/docs/"

    view_redirect = client.get("/go", buffered=True)
    assert view_redirect.status_code == REDIRECT_STATUS  # 302, or 303 from Flask 3.2
    record = record_of(app, view_redirect)
    assert record["endpoint"] == "go"
    assert record["routing_error"] is None


def test_every_response_carries_its_request_id() -> None:
    app = recording_app(PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    responses = [
        client.get("/shop/item/1", buffered=True),
        client.get("/json", buffered=True),
        client.get("/nowhere", buffered=True),
        client.post("/json", buffered=True),
        client.get("/go", buffered=True),
        client.get("/boom", buffered=True),
        client.head("/json", buffered=True),
        client.get("/stream", buffered=True),
    ]
    ids = [response.headers.get(REQUEST_ID_HEADER) for response in responses]
    assert None not in ids
    assert len(set(ids)) == len(ids)
    history = get_state(app).history
    assert history is not None
    assert [record.id for record in history.newest_first()] == list(reversed(ids))
    methods = [record_of(app, response)["method"] for response in responses]
    assert methods == ["GET", "GET", "GET", "POST", "GET", "GET", "HEAD", "GET"]


def test_the_panels_own_requests_are_never_recorded() -> None:
    app = recording_app()
    client = app.test_client()
    for path in (
        "/_inspect/",
        "/_inspect",
        "/_inspect/requests",
        "/_inspect/api/requests",
        "/_inspect/static/flask_inspect/inspect.css",
        "/_inspect/no-such-page",
    ):
        response = client.get(path, buffered=True)
        assert REQUEST_ID_HEADER not in response.headers, path
    history = get_state(app).history
    assert history is not None
    assert len(history) == 0
    # A path that only starts with the prefix's text is the app's own.
    client.get("/_inspectorate", buffered=True)
    assert len(history) == 1


def test_static_files_served_fine_are_not_kept_but_missing_ones_are(tmp_path: t.Any) -> None:
    static = tmp_path / "static"
    static.mkdir()
    (static / "site.css").write_text("body { color: black; }")
    app = Flask("static_app", static_folder=str(static))
    app.config.update(DEBUG=True)
    from flask_inspect import Inspect

    Inspect(app)
    client = app.test_client()
    found = client.get("/static/site.css", buffered=True)
    assert found.status_code == 200
    assert REQUEST_ID_HEADER not in found.headers
    missing = client.get("/static/missing.css", buffered=True)
    assert missing.status_code == 404
    record = record_of(app, missing)
    assert record["endpoint"] == "static"
    history = get_state(app).history
    assert history is not None
    assert [r.summary(app)["path"] for r in history.newest_first()] == ["/static/missing.css"]


def _connected_signals(app: Flask) -> list[str]:
    from flask import signals

    names = [
        name
        for name in dir(signals)
        if isinstance(getattr(signals, name), type(signals.request_started))
    ]
    return sorted(name for name in names if list(getattr(signals, name).receivers_for(app)))


def _signals_still_holding_receivers(app: Flask) -> list[str]:
    """The signals whose receiver table still holds one of the recorder's receivers."""
    recorder = get_state(app).recorder
    assert recorder is not None
    return sorted(
        signal.name
        for signal, receiver in recorder._receivers
        if any(held is receiver for held in signal.receivers.values())
    )


def test_nothing_is_recorded_while_debug_is_off_and_recording_starts_with_it() -> None:
    app = recording_app(DEBUG=False)  # INSPECT_ENABLED stays None: follows debug
    assert len(_connected_signals(app)) == 10  # listening from the start, in case
    client = app.test_client()
    response = client.get("/json", buffered=True)
    assert response.status_code == 200
    assert REQUEST_ID_HEADER not in response.headers
    history = get_state(app).history
    assert history is not None
    assert len(history) == 0
    # Found off: the receivers are disconnected, Flask's signals cost nothing extra
    # (blinker looks receivers up on every send while a signal holds any at all).
    assert _connected_signals(app) == []
    assert _signals_still_holding_receivers(app) == []
    app.debug = True  # what app.run(debug=True) does after Inspect(app)
    response = client.get("/json", buffered=True)
    assert REQUEST_ID_HEADER in response.headers
    assert len(history) == 1
    assert len(_connected_signals(app)) == 10
    assert event_names(record_of(app, response))[:3] == [
        "wsgi_call",
        "appcontext_pushed",
        "request_started",
    ]


def test_switched_off_installs_no_middleware_and_no_receivers() -> None:
    from flask import signals

    app = recording_app(INSPECT_ENABLED=False)
    assert not isinstance(app.wsgi_app, RecordingMiddleware)
    state = get_state(app)
    assert state.history is None
    assert state.recorder is None
    for name in (
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
    ):
        signal = getattr(signals, name)
        assert list(signal.receivers_for(app)) == [], name
    response = app.test_client().get("/shop/item/1", buffered=True)
    assert REQUEST_ID_HEADER not in response.headers
    assert b"flask-inspect-badge" not in response.data


def test_two_inspected_apps_never_mix_their_records() -> None:
    outer = recording_app()
    inner = recording_app()

    @outer.route("/calls-inner")
    def calls_inner() -> str:
        # Another app's contexts, templates and requests, inside this request.
        with inner.app_context():
            pass
        inner_response = inner.test_client().get("/shop/item/2", buffered=True)
        return inner_response.get_data(as_text=True)

    response = outer.test_client().get("/calls-inner", buffered=True)
    assert response.status_code == 200
    outer_record = only_record(outer)
    inner_record = only_record(inner)
    assert outer_record["id"] == response.headers[REQUEST_ID_HEADER]
    assert outer_record["templates"] == []
    assert outer_record["flashes"] == []
    assert event_names(outer_record).count("appcontext_pushed") == 1
    assert inner_record["endpoint"] == "shop.item"
    assert [template["name"] for template in inner_record["templates"]] == ["item.html"]


def test_threaded_server_records_each_request_on_its_own_thread(
    live_server_factory: t.Callable[[Flask], LiveServer],
) -> None:
    app = recording_app()
    server = live_server_factory(app)

    def fetch(path: str) -> tuple[str, str]:
        with urllib.request.urlopen(server.url + path, timeout=10) as response:
            response.read()
            return path, response.headers[REQUEST_ID_HEADER]

    paths = [f"/shop/item/{number}" for number in range(1, 5)] + ["/slow"] * 4
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(fetch, paths))
    history = get_state(app).history
    assert history is not None
    deadline = time.monotonic() + 5
    while (
        any(not r.summary(app)["finished"] for r in history.newest_first())
        and time.monotonic() < deadline
    ):
        time.sleep(0.01)
    records = {path_id: history.get(path_id) for _, path_id in results}
    assert len(records) == len(paths)
    for path, record_id in results:
        record = records[record_id]
        assert record is not None
        data = record.detail(app)
        assert data["path"] == path
        assert data["status"] == 200
        assert data["thread"]["name"] != threading.current_thread().name
    slow_threads = {
        records[record_id].detail(app)["thread"]["ident"]  # type: ignore[union-attr]
        for path, record_id in results
        if path == "/slow"
    }
    assert len(slow_threads) == 4  # held at the same time: four threads


def test_history_size_bounds_the_records_kept() -> None:
    app = recording_app(INSPECT_HISTORY_SIZE=5)
    client = app.test_client()
    ids = [client.get("/json", buffered=True).headers[REQUEST_ID_HEADER] for _ in range(12)]
    history = get_state(app).history
    assert history is not None
    assert [record.id for record in history.newest_first()] == list(reversed(ids[-5:]))


def test_g_and_request_headers_are_shown_with_secrets_redacted() -> None:
    app = recording_app()

    @app.route("/g")
    def fills_g() -> str:
        g.api_token = "tok-123"
        g.visits = 3
        g.connection = object()
        return "ok"

    client = app.test_client()
    client.set_cookie("remember", "cookie-secret")
    response = client.get(
        "/g",
        headers={
            "Authorization": "Bearer very-secret",
            "X-Api-Key": "k-999",
            "X-Trace": "visible",
        },
        buffered=True,
    )
    record = record_of(app, response)
    headers = dict(record["headers"])
    assert headers["Authorization"] == "[redacted]"
    assert headers["Cookie"] == "[redacted]"
    assert headers["X-Api-Key"] == "[redacted]"
    assert headers["X-Trace"] == "visible"
    assert record["g"]["api_token"] == {"repr": "[redacted]", "type": "str"}
    assert record["g"]["visits"] == {"repr": "3", "type": "int"}
    assert record["g"]["connection"] == {"repr": "<object object>", "type": "object"}
    serialised = repr(record)
    assert "very-secret" not in serialised
    assert "tok-123" not in serialised
    assert "k-999" not in serialised
    assert "cookie-secret" not in serialised


def test_secret_looking_view_arguments_are_redacted() -> None:
    app = recording_app()

    @app.route("/reset/<token>")
    def reset(token: str) -> str:
        return "reset"

    record = record_of(app, app.test_client().get("/reset/s3cr3t-value", buffered=True))
    assert record["view_args"] == {"token": {"repr": "[redacted]", "type": "str"}}
    assert "s3cr3t-value" not in repr(record["view_args"])


def test_foreign_reprs_are_never_called_and_long_values_are_bounded() -> None:
    calls: list[str] = []

    class Hostile:
        """Stands for a __repr__ that raises or hangs: any call is noted, then fails."""

        def __repr__(self) -> str:
            calls.append("repr")
            raise RuntimeError("repr fails")

        def __str__(self) -> str:
            calls.append("str")
            raise RuntimeError("str fails")

    class HostileText(str):
        def __repr__(self) -> str:
            calls.append("text repr")
            raise RuntimeError("repr fails")

        def __str__(self) -> str:
            calls.append("text str")
            raise RuntimeError("str fails")

    class HostileConverter(BaseConverter):
        def to_python(self, value: str) -> Hostile:
            return Hostile()

    app = recording_app()
    app.url_map.converters["hostile"] = HostileConverter

    @app.route("/hostile/<hostile:thing>/<path:long>")
    def hostile(thing: Hostile, long: str) -> str:
        g.thing = thing
        flash(HostileText("careful"))
        return "survived"

    long_text = "x" * 5000
    response = app.test_client().get(f"/hostile/a/{long_text}", buffered=True)
    assert response.get_data(as_text=True) == "survived"
    record = record_of(app, response)
    assert calls == []
    test_name = "test_foreign_reprs_are_never_called_and_long_values_are_bounded"
    hostile_name = f"{__name__}.{test_name}.<locals>.Hostile"
    assert record["view_args"]["thing"] == {
        "repr": f"<{hostile_name} object>",
        "type": hostile_name,
    }
    assert record["g"]["thing"]["type"] == hostile_name
    assert record["flashes"] == [{"category": "message", "message": "careful"}]
    shown = record["view_args"]["long"]["repr"]
    assert len(shown) <= 210
    assert "..." in shown
    panel = app.test_client().get(f"/_inspect/requests/{record['id']}")
    assert panel.status_code == 200
    assert calls == []


def test_an_exception_whose_str_fails_is_still_recorded() -> None:
    class Unprintable(Exception):
        def __str__(self) -> str:
            raise ValueError("cannot print")

    app = recording_app(PROPAGATE_EXCEPTIONS=False)

    @app.route("/unprintable")
    def unprintable() -> str:
        raise Unprintable()

    response = app.test_client().get("/unprintable", buffered=True)
    assert response.status_code == 500
    exception = record_of(app, response)["exception"]
    assert exception["type"].endswith("Unprintable")
    assert exception["message"] == "(str() of the exception failed)"


def test_an_in_flight_request_is_listed_before_it_ends(
    live_server_factory: t.Callable[[Flask], LiveServer],
) -> None:
    app = recording_app()
    release = threading.Event()
    arrived = threading.Event()

    @app.route("/held")
    def held() -> str:
        arrived.set()
        release.wait(10)
        return "done"

    server = live_server_factory(app)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(
            lambda: urllib.request.urlopen(server.url + "/held", timeout=10).read()
        )
        assert arrived.wait(10)
        history = get_state(app).history
        assert history is not None
        (record,) = history.newest_first()
        summary = record.summary(app)
        assert summary["status"] is None
        assert summary["finished"] is False
        assert summary["duration_ms"] is None
        assert summary["endpoint"] == "held"
        release.set()
        assert pending.result(timeout=10) == b"done"
