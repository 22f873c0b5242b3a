"""One request as it was recorded, and its JSON form drawn when asked.

The recorder fills a :class:`RequestRecord` on the serving thread with raw
values only (a rule object, kept values, ``(name, perf_counter)`` tuples), so
the request pays for appends and nothing else. The dictionaries the API and
the pages show are built here, later, on the thread drawing them: the view is
looked up, values are described, secrets redacted, the routing failure
explained and the traceback's source lines read.

>>> record.summary(app)["status"]  # doctest: +SKIP
200
"""

from __future__ import annotations

import contextlib
import importlib
import traceback
import typing as t
import weakref
from datetime import datetime
from datetime import timezone
from time import perf_counter
from urllib.parse import quote

from . import exchange
from . import redact
from .diagnose import parts_ways_early
from .routes import describe_view

MAX_URL_TEXT = 1000
"""Characters kept of the path, and of the query string."""
MAX_HEADER_VALUE = 256
"""Characters kept of each request header's value."""
MAX_HEADERS = 32
"""Request headers kept; a note says how many more there were.

With these, a record's own text is at most about 11,000 characters
(:data:`MAX_HEADERS` x (:data:`MAX_HEADER_VALUE` + a name), the path and the
query string twice: in the summary and the detail) whatever the client sends;
once written, that drawn JSON is all that is kept of a request.
"""
MAX_CANDIDATES_KEPT = 40
"""Rules a 404/405 record keeps the outcome of (the match page shows them all).

Without a cap a record grows with the app's rule count: about 170 bytes a
rule. The rules kept are the nearest: first those that got past the host and
the first segment, then the rest, each in match order; the explanation says
how many were left out (``candidates_omitted``).
"""

if t.TYPE_CHECKING:
    from threading import Thread

    from flask import Flask
    from werkzeug.routing import Rule

    from .capture import LogEntry


class RoutingFailure:
    """Why Werkzeug did not hand the request to a view, kept raw for ``explain``."""

    __slots__ = (
        "code",
        "exception",
        "host",
        "method",
        "new_url",
        "path",
        "script_name",
        "websocket",
    )

    def __init__(
        self,
        exception: str,
        code: int | None,
        path: str,
        method: str,
        host: str,
        websocket: bool,
        new_url: str | None,
        script_name: str = "",
    ) -> None:
        self.exception = exception
        self.code = code
        self.path = path
        self.method = method
        self.host = host
        self.websocket = websocket
        self.new_url = new_url
        # Where the app is mounted; ``path`` is what Werkzeug routed below it.
        self.script_name = script_name


class CapturedException:
    """An unhandled exception, reduced to what can be shown.

    Keeping the exception itself would keep its traceback's frames, and so
    every local variable of every frame, alive for as long as the record.
    """

    __slots__ = ("message", "stack", "type_name")

    def __init__(self, error: BaseException) -> None:
        self.type_name = redact.type_name(type(error))
        try:
            self.message = redact.bounded_text(str(error))
        except Exception:
            self.message = "(str() of the exception failed)"
        # Source lines are read from linecache only when the page is drawn.
        self.stack = traceback.StackSummary.extract(
            traceback.walk_tb(error.__traceback__), lookup_lines=False
        )


class RequestRecord:
    """Raw facts about one request; see :meth:`summary` and :meth:`detail`.

    Made on every request, so it holds in slots only what every request sets;
    the rest reads as the class's default until there is something to say
    (a ``__dict__`` is made then).
    """

    __slots__ = (
        "__dict__",
        "app_context",
        "buffered",
        "closed",
        "contexts_deferred",
        "contexts_pushed_at",
        "dispatched",
        "end",
        "environ",
        "id",
        "request_context",
        "request_ref",
        "response_headers",
        "routing_failure",
        "rule",
        "started",
        "started_at",
        "static",
        "status",
        "thread",
        "timeline",
    )

    view_args: dict[str, t.Any] | None = None
    exception: CapturedException | None = None
    templates: t.Sequence[tuple[str | None, tuple[tuple[str, t.Any], ...]]] = ()
    """Each rendered template's name and its context's names with their kept values."""
    flashes: t.Sequence[tuple[t.Any, t.Any]] = ()
    g: dict[str, t.Any] | None = None
    body: tuple[str, t.Any] | None = None
    """``("json", snapshot)`` or ``("form", pairs)``: what the app parsed (see ``capture``)."""
    session: tuple[list[str], int, bool] | None = None
    """The session's key names, its size and whether the app changed it."""
    logs: t.Sequence[LogEntry] = ()
    logs_dropped: int = 0
    sent_bytes: int | None = None
    """Bytes of a streamed body, counted as it was sent (set when it ends)."""
    _summary: dict[str, t.Any] | None = None
    _explanation: dict[str, t.Any] | None = None

    def __init__(
        self,
        record_id: str,
        environ: dict[str, t.Any],
        started: float,
        started_at: float,
        thread: Thread,
    ) -> None:
        self.id = record_id
        # The environ itself, read (method, path, headers) only when drawn:
        # copying values out costs more than the whole rest of the record.
        # Its other values are the server's per-request objects, finished
        # with by then.
        self.environ = environ
        self.started = started
        self.started_at = started_at
        # The thread itself: its name and ident are read when drawn.
        self.thread = thread
        self.timeline: list[tuple[str, float]] = [("wsgi_call", started)]
        """Events and their ``perf_counter()`` times, in order."""
        self.status: str | None = None
        self.end: float | None = None
        self.closed = False
        self.buffered = False
        self.dispatched = False
        """``request_started`` was seen: Flask began dispatching the request."""
        self.contexts_deferred = False
        """The request pushed its own app context; the contexts registry hears of
        it at ``request_started`` and forgets it at ``appcontext_popped``."""
        self.app_context: weakref.ref[t.Any] | None = None
        """The request's own app context while it is pushed: set by the
        contexts registry, which then also sets ``request_context`` and
        ``contexts_pushed_at`` (slots, so that every request's record stays
        without a ``__dict__``; read only after ``app_context`` is set)."""
        self.request_context: weakref.ref[t.Any] | None
        self.contexts_pushed_at: float
        self.rule: Rule | None = None
        self.routing_failure: RoutingFailure | None = None
        self.static = False
        self.request_ref: weakref.ref[t.Any] | None = None
        """The request object, weakly: alive after the request only while a
        copied request context (``copy_current_request_context``) holds it."""
        self.response_headers: list[tuple[str, str]] | None = None
        """The headers handed to ``start_response`` (``None`` until then)."""

    # -- read from the environ and the thread, when drawn -------------------

    @property
    def method(self) -> str:
        return str(self.environ.get("REQUEST_METHOD", "GET"))

    @property
    def path(self) -> str:
        return str(self.environ.get("PATH_INFO", ""))

    @property
    def query_string(self) -> str:
        return str(self.environ.get("QUERY_STRING", ""))

    @property
    def script_root(self) -> str:
        return str(self.environ.get("SCRIPT_NAME", ""))

    @property
    def thread_name(self) -> str:
        return self.thread.name

    @property
    def thread_ident(self) -> int | None:
        return self.thread.ident

    # -- facts derived cheaply ----------------------------------------------

    @property
    def status_code(self) -> int | None:
        if self.status is None:
            return None
        try:
            return int(self.status.split(None, 1)[0])
        except ValueError:
            return None

    @property
    def finished(self) -> bool:
        return self.end is not None

    @property
    def endpoint(self) -> str | None:
        return None if self.rule is None else str(self.rule.endpoint)

    # -- drawing ---------------------------------------------------------------

    def summary(self, app: Flask) -> dict[str, t.Any]:
        """The record as the list API serves it (the public RequestRecord keys).

        A closed record never changes again, so its summary is built once.
        """
        cached = self._summary
        if cached is not None:
            return cached
        finished = self.finished
        endpoint = self.endpoint
        data = {
            "id": self.id,
            "method": _cut(self.method, MAX_HEADER_VALUE),
            "path": _cut(
                redact.redact_path(app, _wsgi_text(self.path), self.view_args), MAX_URL_TEXT
            ),
            "query_string": _cut(
                redact.redact_query(app, _wsgi_text(self.query_string)), MAX_URL_TEXT
            ),
            "status": self.status_code,
            "duration_ms": None if self.end is None else _ms(self.end - self.started),
            "started_at": _iso8601(self.started_at),
            "finished": finished,
            "thread": {"name": self.thread_name, "ident": self.thread_ident},
            "endpoint": endpoint,
            "rule": None if self.rule is None else self.rule.rule,
            "view_args": redact.describe_mapping(app, self.view_args or {}),
            "view": _describe_view(app, endpoint),
            "blueprint": None if endpoint is None else (endpoint.rpartition(".")[0] or None),
            "routing_error": self._routing_error(app),
            "exception": None
            if self.exception is None
            else {"type": self.exception.type_name, "message": self.exception.message},
            "templates": [
                {"name": name, "context_keys": [key for key, _ in context]}
                for name, context in list(self.templates)
            ],
            "flashes": [_describe_flash(category, message) for category, message in self.flashes],
            "events": [
                {"name": name, "t_ms": _ms(moment - self.started)}
                for name, moment in list(self.timeline)
            ],
        }
        if self.closed:
            self._summary = data
        return data

    def detail(self, app: Flask) -> dict[str, t.Any]:
        """Everything: the summary plus traceback, headers, ``g`` and the full explanation."""
        data = dict(self.summary(app))
        if self.exception is not None:
            data["exception"] = {
                "type": self.exception.type_name,
                "message": self.exception.message,
                "traceback": _describe_stack(self.exception.stack),
            }
        if data["routing_error"] is not None:
            data["routing_error"] = dict(data["routing_error"], explanation=self._explain(app))
        data["headers"] = [
            [_cut(name, MAX_HEADER_VALUE), value]
            for name, value in redact.redact_pairs(app, self._header_pairs())
        ]
        data["g"] = None if self.g is None else redact.describe_mapping(app, self.g)
        self._draw_exchange(app, data)
        return data

    def _draw_exchange(self, app: Flask, data: dict[str, t.Any]) -> None:
        """The request's inputs, its response, its logs and template values (see ``exchange``)."""
        environ = self.environ
        data["running_ms"] = None if self.end is not None else _ms(perf_counter() - self.started)
        data["remote_addr"] = environ.get("REMOTE_ADDR")
        data["url"] = self._url(data["path"], data["query_string"])
        data["query"] = exchange.query_arguments(app, self.query_string)
        data["cookies"] = exchange.cookie_names(_wsgi_text(str(environ.get("HTTP_COOKIE", ""))))
        data["body"] = exchange.request_body(app, environ, self.body)
        data["session"] = exchange.session_keys(self.session)
        data["response"] = exchange.response_facts(app, self.response_headers, self.sent_bytes)
        data["logs"] = exchange.log_records(self.logs, self.logs_dropped, self.started_at)
        data["templates"] = [
            dict(drawn, context=exchange.template_context(app, context))
            for drawn, (_, context) in zip(data["templates"], list(self.templates), strict=False)
        ]

    def _url(self, path: str, query: str) -> str:
        """The URL the client asked for, as the app saw it (scheme, host, root, path, query).

        ``path`` and ``query`` are the record's as shown: secrets already redacted.
        """
        environ = self.environ
        scheme = str(environ.get("wsgi.url_scheme", "http"))
        host = environ.get("HTTP_HOST")
        if not host:
            host = f"{environ.get('SERVER_NAME', 'localhost')}:{environ.get('SERVER_PORT', '80')}"
        path = quote(_wsgi_text(self.script_root) + path, safe="/:@!$&'()*+,;=~")
        url = f"{scheme}://{_wsgi_text(str(host))}{path}"
        # Already percent-encoded by the client; what it left raw (spaces, <, ") is encoded.
        return f"{url}?{quote(query, safe=_QUERY_SAFE)}" if query else url

    def _header_pairs(self) -> list[tuple[str, str]]:
        """``HTTP_USER_AGENT`` -> ``User-Agent``, as the client sent them (bounded)."""
        pairs = []
        for key, value in list(self.environ.items()):
            if not isinstance(value, str):
                continue
            if key.startswith("HTTP_"):
                name = key[5:].replace("_", "-").title()
            elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
                name = key.replace("_", "-").title()
            else:
                continue
            # The name is cut after redaction (by name), in ``detail``.
            pairs.append((name, _cut(_wsgi_text(value), MAX_HEADER_VALUE)))
        if len(pairs) > MAX_HEADERS:
            more = len(pairs) - MAX_HEADERS + 1
            pairs = [*pairs[: MAX_HEADERS - 1], ("…", f"{more} more headers not kept")]
        return pairs

    def _routing_error(self, app: Flask) -> dict[str, t.Any] | None:
        failure = self.routing_failure
        if failure is None:
            return None
        explanation = self._explain(app)
        fallback = f"Werkzeug raised {failure.exception} while matching the URL."
        return {
            "exception": failure.exception,
            "status": failure.code,
            "verdict": None if explanation is None else explanation.get("verdict"),
            "summary": fallback if explanation is None else explanation.get("summary", fallback),
            "redirect_to": failure.new_url,
        }

    def _explain(self, app: Flask) -> dict[str, t.Any] | None:
        """The route explain engine's account of the failure, computed once."""
        failure = self.routing_failure
        if failure is None:
            return None
        if self._explanation is None:
            self._explanation = explain_failure(app, failure)
        return self._explanation or None


_QUERY_SAFE = "%=&;+/:@!$'()*,?~[]"


def explain_failure(app: Flask, failure: RoutingFailure) -> dict[str, t.Any]:
    """``explain(...)`` for the failed request, or ``{}`` if it cannot be had."""
    try:
        # Looked up by name: the explain engine is optional to this module.
        explain = getattr(importlib.import_module("flask_inspect.explain"), "explain", None)
    except ImportError:
        return {}
    if explain is None:
        return {}
    try:
        explanation = explain(
            app,
            failure.path,
            failure.method,
            host=failure.host,
            websocket=failure.websocket,
            script_name=failure.script_name,
        )
        return _keep_nearest_candidates(dict(explanation.to_dict()))
    except Exception:
        return {}


def _keep_nearest_candidates(explanation: dict[str, t.Any]) -> dict[str, t.Any]:
    """At most :data:`MAX_CANDIDATES_KEPT` candidates, the nearest, in match order."""
    candidates: list[dict[str, t.Any]] = explanation["candidates"]
    ranked = sorted(
        range(len(candidates)),
        key=lambda index: (
            parts_ways_early(candidates[index]["outcome"], candidates[index]["segment"]),
            index,
        ),
    )
    kept = sorted(ranked[:MAX_CANDIDATES_KEPT])
    explanation["candidates"] = [candidates[index] for index in kept]
    explanation["candidates_omitted"] = len(candidates) - len(kept)
    return explanation


_VIEWS_DESCRIBED: weakref.WeakKeyDictionary[t.Any, dict[str, t.Any] | None] = (
    weakref.WeakKeyDictionary()
)
"""Each view function's description, drawn once (finding its file reads the disk)."""


def _describe_view(app: Flask, endpoint: str | None) -> dict[str, t.Any] | None:
    if endpoint is None:
        return None
    function = app.view_functions.get(endpoint)
    try:
        described = _VIEWS_DESCRIBED[function]
    except (KeyError, TypeError):  # not yet, or not weakly referable: drawn now
        try:
            view = describe_view(function)
        except Exception:
            return None
        described = None if view is None else view.to_dict()
        with contextlib.suppress(TypeError):
            _VIEWS_DESCRIBED[function] = described
    return None if described is None else dict(described)


def _describe_flash(category: t.Any, message: t.Any) -> dict[str, str]:
    return {"category": _text_or_repr(category), "message": _text_or_repr(message)}


def _text_or_repr(value: t.Any) -> str:
    """Strings as they are (bounded); anything else kept by ``keep``, described."""
    text = redact.plain_text(value)
    if text is not None:
        return redact.bounded_text(text)
    return redact.describe_value(value)["repr"]


def _describe_stack(stack: traceback.StackSummary) -> list[dict[str, t.Any]]:
    frames = []
    for frame in stack:
        try:
            code = frame.line
        except Exception:
            code = None
        frames.append(
            {"file": frame.filename, "line": frame.lineno, "function": frame.name, "code": code}
        )
    return frames


def _cut(text: str, limit: int) -> str:
    """``text`` of at most ``limit`` characters; a cut one ends in an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


def _wsgi_text(text: str) -> str:
    """WSGI strings carry bytes as latin-1; show them as the UTF-8 they were."""
    try:
        return text.encode("latin-1").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return text


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _iso8601(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat(timespec="milliseconds")
