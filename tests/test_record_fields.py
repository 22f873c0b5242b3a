"""A request's complete record: its inputs, its response, its logs and template values.

Real requests over a real threaded server: a POST with a JSON body, a
cookie, a session write, a logged warning, a rendered template. Each field is
checked in the detail JSON and on the detail page, with its secrets redacted.
"""

from __future__ import annotations

import http.client
import json
import logging
import subprocess
import sys
import threading
import typing as t
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from flask import Response
from flask import render_template_string
from flask import request
from flask import session
from flask import stream_with_context

from flask_inspect import capture
from flask_inspect.extension import get_state
from flask_inspect.record import RequestRecord
from flask_inspect.recorder import REQUEST_ID_HEADER
from tests.conftest import make_app

if t.TYPE_CHECKING:
    from tests.conftest import LiveServer

SECRET_VALUES = ("pw-in-json", "hunter2", "key-in-query", "cookie-value-1", "token-in-form")


def shop_app() -> Flask:
    app = make_app()

    @app.post("/order")
    def order() -> tuple[str, int, dict[str, str]]:
        data = request.get_json()
        session["cart"] = data["items"]
        session["user"] = data["name"]
        logging.getLogger("shop.orders").warning("order for %s", data["name"])
        page = render_template_string(
            "<p>{{ name }} {{ count }} {{ password }}</p>",
            name=data["name"],
            count=len(data["items"]),
            password="hunter2",
        )
        return page, 201, {"Location": "/orders/1"}

    @app.post("/login")
    def login() -> Response:
        request.form.get("user")
        response = Response("ok")
        response.set_cookie("remember", "cookie-value-1", httponly=True)
        return response

    @app.post("/upload")
    def upload() -> str:
        # The view reads the stream itself: the recorder must leave it whole.
        return f"got {len(request.stream.read())} bytes"

    @app.get("/noisy")
    def noisy() -> str:
        for index in range(capture.MAX_LOGS + 7):
            app.logger.info("line %d", index)
        app.logger.error("x" * (capture.MAX_LOG_TEXT * 3))
        return "noisy"

    @app.get("/stream")
    def stream() -> Response:
        def chunks() -> t.Iterator[str]:
            yield "abc"
            yield "defgh"

        return Response(stream_with_context(chunks()), mimetype="text/plain")

    return app


def _send(
    server: LiveServer,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    host, port = server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _detail(app: Flask, record_id: str) -> dict[str, t.Any]:
    response = app.test_client().get(f"/_inspect/api/requests/{record_id}")
    assert response.status_code == 200
    return t.cast(dict[str, t.Any], response.get_json())


def _page(app: Flask, record_id: str) -> str:
    response = app.test_client().get(f"/_inspect/requests/{record_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_post_with_json_cookie_session_and_a_warning_records_every_field(
    live_server_factory: t.Callable[[Flask], LiveServer],
) -> None:
    app = shop_app()
    server = live_server_factory(app)
    payload = {"name": "Ann", "items": [1, 2, 3], "password": "pw-in-json"}
    status, headers, _ = _send(
        server,
        "POST",
        "/order?page=2&api_key=key-in-query",
        body=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "Cookie": "theme=dark; tracking=abc"},
    )
    assert status == 201
    record = _detail(app, headers[REQUEST_ID_HEADER])

    assert record["remote_addr"] == "127.0.0.1"
    assert record["running_ms"] is None
    assert record["query"] == [["page", "2"], ["api_key", "[redacted]"]]
    assert record["query_string"] == "page=2&api_key=[redacted]"
    assert record["cookies"] == ["theme", "tracking"]
    assert record["body"]["kind"] == "json"
    assert record["body"]["content_type"] == "application/json"
    assert record["body"]["value"] == {"name": "Ann", "items": [1, 2, 3], "password": "[redacted]"}
    assert record["session"] == {"keys": ["cart", "user"], "count": 2, "modified": True}

    response = record["response"]
    assert response["content_type"] == "text/html; charset=utf-8"
    assert response["location"] == "/orders/1"
    assert response["body_bytes"] == len("<p>Ann 3 hunter2</p>")
    header_names = [name for name, _ in response["headers"]]
    assert "Content-Type" in header_names
    set_cookie = [value for name, value in response["headers"] if name == "Set-Cookie"]
    assert len(set_cookie) == 1
    assert set_cookie[0].startswith("session=[redacted]; ")
    assert "HttpOnly" in set_cookie[0]

    (log,) = record["logs"]["records"]
    assert log["level"] == "WARNING"
    assert log["logger"] == "shop.orders"
    assert log["message"] == "order for Ann"
    assert 0 <= log["t_ms"] <= record["duration_ms"] + 1
    assert record["logs"]["dropped"] == 0

    (template,) = record["templates"]
    assert template["context"]["name"] == {"repr": "'Ann'", "type": "str"}
    assert template["context"]["count"] == {"repr": "3", "type": "int"}
    assert template["context"]["password"]["repr"] == "[redacted]"
    assert template["context"]["request"]["type"] == "flask.wrappers.Request"

    serialised = json.dumps(record)
    for secret in SECRET_VALUES:
        assert secret not in serialised, secret
    # The session cookie's value is not shown either.
    session_cookie = headers["Set-Cookie"].split(";", 1)[0].split("=", 1)[1]
    assert session_cookie not in serialised

    page = _page(app, record["id"])
    for shown in (
        'id="remote-addr">127.0.0.1',
        "api_key",
        "tracking",
        "cart",
        "order for Ann",
        "shop.orders",
        "/orders/1",
        "session=[redacted]; ",
        "&#39;Ann&#39;",
    ):
        assert shown in page, shown
    for secret in (*SECRET_VALUES, session_cookie):
        assert secret not in page, secret


def test_form_fields_are_redacted_by_name_and_set_cookie_values_hidden(
    live_server_factory: t.Callable[[Flask], LiveServer],
) -> None:
    app = shop_app()
    server = live_server_factory(app)
    status, headers, _ = _send(
        server,
        "POST",
        "/login",
        body=b"user=ann&csrf_token=token-in-form",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 200
    record = _detail(app, headers[REQUEST_ID_HEADER])
    assert record["body"]["kind"] == "form"
    assert record["body"]["fields"] == [
        ["user", {"repr": "'ann'", "type": "str"}],
        ["csrf_token", {"repr": "[redacted]", "type": "str"}],
    ]
    cookies = [value for name, value in record["response"]["headers"] if name == "Set-Cookie"]
    assert cookies == ["remember=[redacted]; HttpOnly; Path=/"]
    assert "token-in-form" not in json.dumps(record)
    assert "cookie-value-1" not in json.dumps(record)


def test_a_body_the_app_reads_itself_is_left_whole_and_not_recorded(
    live_server_factory: t.Callable[[Flask], LiveServer],
) -> None:
    app = shop_app()
    server = live_server_factory(app)
    body = b"z" * 5000
    status, headers, answer = _send(
        server,
        "POST",
        "/upload",
        body=body,
        headers={"Content-Type": "application/octet-stream"},
    )
    assert status == 200
    assert answer == b"got 5000 bytes"  # the recorder took nothing from the stream
    record = _detail(app, headers[REQUEST_ID_HEADER])
    assert record["body"] == {
        "kind": "unread",
        "content_type": "application/octet-stream",
        "content_length": 5000,
    }
    assert "not recorded" in _page(app, record["id"])


def test_log_records_are_bounded_in_count_and_length() -> None:
    app = shop_app()
    response = app.test_client().get("/noisy")
    record = _detail(app, response.headers[REQUEST_ID_HEADER])
    logs = record["logs"]
    assert len(logs["records"]) == capture.MAX_LOGS
    assert logs["dropped"] == 8  # 7 more info lines and the error
    assert [entry["message"] for entry in logs["records"][:2]] == ["line 0", "line 1"]
    assert {entry["level"] for entry in logs["records"]} == {"INFO"}


def test_a_long_log_message_is_cut() -> None:
    app = make_app()

    @app.get("/long")
    def long() -> str:
        app.logger.error("y" * (capture.MAX_LOG_TEXT * 3))
        return "long"

    response = app.test_client().get("/long")
    (entry,) = _detail(app, response.headers[REQUEST_ID_HEADER])["logs"]["records"]
    assert len(entry["message"]) == capture.MAX_LOG_TEXT
    assert entry["message"].endswith("...")
    assert entry["level"] == "ERROR"


def test_logging_outside_a_request_is_ignored_and_the_apps_handlers_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = make_app()

    @app.get("/logs")
    def logs() -> str:
        logging.getLogger("shop").warning("inside %s", "the request")
        return "fine"

    logging.getLogger("shop").warning("outside any request")
    response = app.test_client().get("/logs")
    assert response.get_data(as_text=True) == "fine"
    (entry,) = _detail(app, response.headers[REQUEST_ID_HEADER])["logs"]["records"]
    assert entry["message"] == "inside the request"
    # pytest's own handler on the root logger still got both records.
    assert [r.getMessage() for r in caplog.records if r.name == "shop"] == [
        "outside any request",
        "inside the request",
    ]


def test_a_log_message_that_cannot_be_formatted_is_kept_as_such() -> None:
    bad = logging.LogRecord("shop", logging.WARNING, __file__, 1, "%d items", ("many",), None)
    entry = capture._log_entry(bad)
    assert entry.message == "(message could not be formatted: %d items)"
    assert entry.level == "WARNING"


LOGGING_UNCONFIGURED = """
import logging
from flask import Flask
from flask.logging import default_handler
from flask_inspect import Inspect
from flask_inspect.extension import get_state
from flask_inspect.record import RequestRecord

app = Flask("plain")
app.config.update(DEBUG=True, INSPECT_STORE="memory")
Inspect(app)
assert logging.getLogger().handlers == [], logging.getLogger().handlers

@app.get("/")
def index():
    logging.getLogger("shop").warning("from the view, via the last resort")
    app.logger.warning("from app.logger, via its default handler")
    return "ok"

response = app.test_client().get("/")
assert default_handler in app.logger.handlers
record = get_state(app).history.newest_first()[0]
print(sorted(entry["message"] for entry in record.detail(app)["logs"]["records"]))
"""


def test_an_app_without_logging_configured_logs_to_stderr_as_before() -> None:
    """No handler is added anywhere: Python's last resort and Flask's default handler
    still print, and the record still gets both messages. (In a fresh process:
    pytest's own handlers on the root logger would hide both behaviours here.)"""
    result = subprocess.run(
        [sys.executable, "-c", LOGGING_UNCONFIGURED],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "from the view, via the last resort" in result.stderr
    assert "from app.logger, via its default handler" in result.stderr
    assert result.stdout.strip() == str(
        ["from app.logger, via its default handler", "from the view, via the last resort"]
    )


def test_log_capture_wraps_the_record_factory_once_and_keeps_anothers() -> None:
    made: list[str] = []
    previous = logging.getLogRecordFactory()

    def theirs(*args: t.Any, **kwargs: t.Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        made.append(record.getMessage())
        return record

    logging.setLogRecordFactory(theirs)
    try:
        capture_here = capture.LogCapture()
        app = make_app()
        state = get_state(app)
        assert state.recorder is not None
        capture_here.add_source(state.recorder.current)
        capture_here.add_source(state.recorder.current)
        assert capture_here.listening == 1
        logging.getLogger("shop").warning("outside")
        assert made == ["outside"]  # their factory still ran, under ours
        capture_here.remove_source(state.recorder.current)
        assert capture_here.listening == 0
    finally:
        logging.setLogRecordFactory(previous)


def test_a_streamed_body_is_counted_as_it_is_sent() -> None:
    app = shop_app()
    response = app.test_client().get("/stream")
    assert response.get_data() == b"abcdefgh"
    record = _detail(app, response.headers[REQUEST_ID_HEADER])
    assert record["response"]["body_bytes"] == 8
    assert record["response"]["content_type"] == "text/plain; charset=utf-8"


def test_an_in_flight_record_says_how_long_it_has_run_and_what_is_not_yet_known(
    live_server_factory: t.Callable[[Flask], LiveServer],
) -> None:
    app = make_app()
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
        first = _detail(app, record.id)
        second = _detail(app, record.id)
        assert first["running_ms"] is not None
        assert second["running_ms"] >= first["running_ms"] > 0
        assert first["response"] is None
        page = _page(app, record.id)
        assert 'id="running-for">running for ' in page
        assert "not yet: the app has not started its response" in page
        assert 'id="in-flight"' in page
        release.set()
        assert pending.result(timeout=10) == b"done"
    done = _detail(app, record.id)
    assert done["running_ms"] is None
    assert done["response"]["body_bytes"] == 4
    assert "running for" not in _page(app, record.id)


def test_record_of_a_plain_request_makes_no_dictionary_for_the_new_fields() -> None:
    """The new captures keep the common request's cost: slots only, nothing parsed."""
    app = make_app()

    @app.get("/plain")
    def plain() -> str:
        return "plain"

    handed = _handed_records(app)
    client = app.test_client()
    client.set_cookie("x", "1")
    response = client.get("/plain?a=1")
    (record,) = handed
    assert record.id == response.headers[REQUEST_ID_HEADER]
    assert vars(record) == {}
    assert record.response_headers is not None
    detail = record.detail(app)
    assert detail["query"] == [["a", "1"]]
    assert detail["cookies"] == ["x"]
    assert detail["body"]["kind"] == "none"
    assert detail["session"] is None


class _Record:
    session: t.Any = None


class _LazyContext:
    """A context whose ``session`` property would open the session: never to be called."""

    @property
    def session(self) -> t.Any:
        raise AssertionError("the session was opened")


class _PlainContext:
    def __init__(self, session: t.Any) -> None:
        self.session = session


class _PrivateContext:
    def __init__(self, session: t.Any) -> None:
        self._session = session


def test_session_keys_are_read_without_opening_the_session() -> None:
    record = _Record()
    capture.note_session(t.cast(t.Any, record), _LazyContext())
    assert record.session is None
    capture.note_session(t.cast(t.Any, record), _PlainContext({"a": 1}))
    assert record.session == (["a"], 1, False)
    capture.note_session(t.cast(t.Any, record), _PrivateContext({"b": 2, "c": 3}))
    assert record.session == (["b", "c"], 2, False)


class _LoudKey:
    def __str__(self) -> str:
        raise AssertionError("a key's own __str__ ran")


def test_a_session_key_that_is_not_text_is_named_by_its_type() -> None:
    record = _Record()
    capture.note_session(t.cast(t.Any, record), _PrivateContext({_LoudKey(): 1, "a": 2}))
    assert record.session == (["<_LoudKey>", "a"], 2, False)


def test_long_texts_are_cut_when_kept_not_held_whole() -> None:
    app = make_app()
    document = "d" * 100_000

    @app.post("/doc")
    def doc() -> str:
        request.get_json()
        return render_template_string("{{ body|length }}", body=document)

    handed = _handed_records(app)
    response = app.test_client().post("/doc", json={"text": document, "n": 1})
    (record,) = handed
    assert record.id == response.headers[REQUEST_ID_HEADER]
    assert record.body is not None
    kept_text = record.body[1]["text"]
    assert len(kept_text) == capture.MAX_KEPT_TEXT
    assert kept_text.endswith(capture.CUT_MARK)
    ((_, context),) = record.templates
    assert len(dict(context)["body"]) == capture.MAX_KEPT_TEXT
    detail = record.detail(app)
    assert detail["body"]["value"]["text"] == kept_text
    assert detail["body"]["value"]["n"] == 1


def _handed_records(app: Flask) -> list[RequestRecord]:
    """The raw records, as the recorder hands them to the history when they end.

    What the history keeps afterwards is their drawn JSON, not the records.
    """
    history = get_state(app).history
    assert history is not None
    handed: list[RequestRecord] = []
    hand_over = history.finished

    def keep_and_hand_over(record: RequestRecord) -> None:
        handed.append(record)
        hand_over(record)

    history.finished = keep_and_hand_over  # type: ignore[method-assign]
    return handed
