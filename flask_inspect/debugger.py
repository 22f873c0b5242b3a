"""The crash page under Werkzeug's debugger, with its record's id and badge.

``flask run --debug`` and ``app.run(debug=True)`` wrap the app, from the
outside, in Werkzeug's ``DebuggedApplication``. An unhandled error then
leaves the recording middleware as an exception, and the debugger outside
turns it into its HTML page: the middleware never sees that response, so it
could give it neither the ``X-Inspect-Request-Id`` header nor the badge, and
that page is where a user most wants the link to the request's record.

So when the middleware finds an outer debugger (it announces itself with
``werkzeug.debug.preserve_context`` in the environ, when it can run code),
it sends recorded requests through a debugger of its own, inside: the error
becomes the debugger's page within the middleware, which adds the header
and the badge. The page's console then talks to that inner debugger: its
requests carry the inner debugger's secret and frame ids, which the outer
one does not know, so it passes them on to the app, and the middleware hands
them to the inner debugger unrecorded. The inner debugger's PIN and trust
cookie are derived from the same Flask app as the outer one's, so the PIN
printed at start-up unlocks both.
"""

from __future__ import annotations

import sys
import threading
import typing as t
import weakref

from werkzeug.debug import DebuggedApplication

from . import settings
from .access import may_see_panel
from .access import may_see_request_id
from .access import request_host
from .badge import badge_html
from .badge import insert_before_body_end
from .recorder import REQUEST_ID_HEADER

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse
    from _typeshed.wsgi import WSGIEnvironment

    from .record import RequestRecord
    from .recorder import RecordingMiddleware

_RECORD_KEY = "flask_inspect.debugged_record"
_DEBUGGER_QUERY = "__debugger__=yes"

_lock = threading.Lock()


def serve_debugged(
    middleware: RecordingMiddleware, environ: WSGIEnvironment, start_response: StartResponse
) -> t.Iterable[bytes]:
    """Serve a request that carries ``werkzeug.debug.preserve_context``.

    That key is also set by Flask's test client (``with client:``), where
    errors must propagate to the test: only a real outer debugger, found on
    the call stack, gets the inner one.
    """
    try:
        outer = outer_debugger()
        debugger = None if outer is None else inner_debugger(middleware, outer)
    except Exception:  # an unexpected Werkzeug: the request goes on as it would have
        middleware.recorder._report_failure()
        debugger = None
    if debugger is None:
        return middleware.normal(environ, start_response)
    if _DEBUGGER_QUERY in environ.get("QUERY_STRING", ""):
        # The inner debugger's console, PIN prompt or resources: not the app's.
        return debugger(environ, start_response)
    record = middleware.recorder.begin(middleware.app, environ)
    if record is None:
        return middleware.unrecorded(environ, start_response)
    environ[_RECORD_KEY] = record
    exchange = _Exchange(middleware, environ, record, start_response)
    return exchange.body(debugger(environ, exchange.start_response))


_DEBUG_APPLICATION_CODE = DebuggedApplication.debug_application.__code__
_STACK_SEARCHED = 24
"""Frames looked through for the debugger (it is a few calls up: server, debugger,
Flask, any other middleware, this one)."""


def outer_debugger() -> DebuggedApplication | None:
    """The Werkzeug debugger whose ``debug_application`` is running this request."""
    frame = sys._getframe(1)
    for _ in range(_STACK_SEARCHED):
        frame = frame.f_back  # type: ignore[assignment]
        if frame is None:
            return None
        if frame.f_code is _DEBUG_APPLICATION_CODE:
            debugger = frame.f_locals.get("self")
            return debugger if isinstance(debugger, DebuggedApplication) else None
    return None


def inner_debugger(
    middleware: RecordingMiddleware, outer: DebuggedApplication
) -> DebuggedApplication:
    """The middleware's own debugger for ``outer``, made on first use."""
    debugger = middleware.debugger
    if not isinstance(debugger, _InnerDebugger) or debugger.outer() is not outer:
        with _lock:
            debugger = middleware.debugger
            if not isinstance(debugger, _InnerDebugger) or debugger.outer() is not outer:
                debugger = middleware.debugger = _InnerDebugger(middleware, outer)
    return debugger


class _InnerDebugger(DebuggedApplication):
    """A debugger inside the middleware, set up like ``outer``.

    Made around the app the outer one wraps, so the PIN and the trust
    cookie's name come out the same (Werkzeug derives both from that app,
    and from ``WERKZEUG_DEBUG_PIN``); quiet while made, so the PIN is not
    announced twice. Then it is pointed at the recorded request.
    """

    def __init__(self, middleware: RecordingMiddleware, outer: DebuggedApplication) -> None:
        super().__init__(
            outer.app,
            evalex=True,  # the outer one sets ``preserve_context`` only with evalex
            show_hidden_frames=outer.show_hidden_frames,
            pin_logging=False,
        )
        self.outer = weakref.ref(outer)
        _ = self.pin_cookie_name  # derived now, from the outer one's app (the PIN too)
        self.pin = outer.pin  # then the outer one's PIN, should it have been set by hand
        self.pin_logging = outer.pin_logging  # "print the PIN" from the page still works
        # Werkzeug 3.0.3 added the Host check; an earlier one has no list to share.
        trusted_hosts = getattr(outer, "trusted_hosts", None)
        if trusted_hosts is not None:
            self.trusted_hosts = trusted_hosts
        self.console_path = None  # type: ignore[assignment]  # the outer one serves it

        def through(environ: WSGIEnvironment, start_response: StartResponse) -> t.Iterable[bytes]:
            record = environ.pop(_RECORD_KEY, None)
            if record is None:
                return middleware.wsgi_app(environ, start_response)
            return middleware.recorded(environ, start_response, record)

        self.app = through


class _Exchange:
    """One response through the inner debugger: the crash page gets the id and the badge."""

    def __init__(
        self,
        middleware: RecordingMiddleware,
        environ: WSGIEnvironment,
        record: RequestRecord,
        start_response: StartResponse,
    ) -> None:
        self.middleware = middleware
        self.environ = environ
        self.record = record
        self.start_response_outside = start_response
        self.sent_any = False
        self.held: tuple[str, list[tuple[str, str]], t.Any] | None = None

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: t.Any = None
    ) -> t.Callable[[bytes], object]:
        if self._is_crash_page(status, headers):
            app = self.middleware.app
            environ = self.environ
            if may_see_request_id(app, environ.get("REMOTE_ADDR"), request_host(environ)):
                headers = [*headers, (REQUEST_ID_HEADER, self.record.id)]
                if (
                    not self.sent_any
                    and app.config.get(settings.BADGE)
                    and _is_html(headers)
                    and may_see_panel(app, self.environ)
                ):
                    # Held until the page is read, to put the badge in it.
                    self.held = (status, headers, exc_info)
                    return self._no_write
        if exc_info is None:
            return self.start_response_outside(status, headers)
        return self.start_response_outside(status, headers, exc_info)

    def _is_crash_page(self, status: str, headers: list[tuple[str, str]]) -> bool:
        """The debugger's page: a 500 after an error, without the id the app's own got."""
        if self.record.exception is None or not status.startswith("500"):
            return False
        return all(name != REQUEST_ID_HEADER for name, _ in headers)

    def _no_write(self, data: bytes) -> object:
        raise RuntimeError("the debugger's page is not written with write()")

    def body(self, body: t.Iterable[bytes]) -> t.Iterator[bytes]:
        page: list[bytes] = []
        try:
            for chunk in body:
                if self.held is not None:
                    page.append(chunk)
                    continue
                if chunk:
                    self.sent_any = True
                yield chunk
            if self.held is not None:
                yield self._with_badge(b"".join(page))
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    def _with_badge(self, html: bytes) -> bytes:
        assert self.held is not None
        status, headers, exc_info = self.held
        root = self.environ.get("SCRIPT_NAME", "") + self.middleware.prefix
        badged = insert_before_body_end(html, badge_html(root, self.record.id))
        if badged is not None:
            html = badged
        headers = [(name, value) for name, value in headers if name.lower() != "content-length"]
        headers.append(("Content-Length", str(len(html))))
        if exc_info is None:
            self.start_response_outside(status, headers)
        else:
            self.start_response_outside(status, headers, exc_info)
        return html


def _is_html(headers: list[tuple[str, str]]) -> bool:
    return any(
        name.lower() == "content-type" and value.lower().startswith("text/html")
        for name, value in headers
    )
