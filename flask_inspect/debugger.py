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

import threading
import typing as t

from werkzeug.debug import DebuggedApplication

from . import settings
from .access import may_see_panel
from .access import may_see_request_id
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
    """Serve a request that an outer Werkzeug debugger passed to the app."""
    if _DEBUGGER_QUERY in environ.get("QUERY_STRING", ""):
        # The inner debugger's console, PIN prompt or resources: not the app's.
        return inner_debugger(middleware)(environ, start_response)
    record = middleware.recorder.begin(middleware.app, environ)
    if record is None:
        return middleware.unrecorded(environ, start_response)
    environ[_RECORD_KEY] = record
    exchange = _Exchange(middleware, environ, record, start_response)
    body = inner_debugger(middleware)(environ, exchange.start_response)
    return exchange.body(body)


def inner_debugger(middleware: RecordingMiddleware) -> DebuggedApplication:
    """The middleware's own debugger, made on first use."""
    debugger = middleware.debugger
    if debugger is None:
        with _lock:
            debugger = middleware.debugger
            if debugger is None:
                debugger = middleware.debugger = _make_debugger(middleware)
    return t.cast("DebuggedApplication", debugger)


def _make_debugger(middleware: RecordingMiddleware) -> DebuggedApplication:
    # Made around the Flask app, so the PIN and the cookie name come out as
    # the outer debugger's (Werkzeug derives both from the app it wraps);
    # quiet while made, so the PIN is not announced twice.
    debugger = DebuggedApplication(middleware.app, evalex=True, pin_logging=False)
    _ = debugger.pin, debugger.pin_cookie_name  # derived now, from the Flask app
    debugger.pin_logging = True  # "print the PIN again" from the page still works
    debugger.console_path = None  # type: ignore[assignment]  # the outer one's job

    def through(environ: WSGIEnvironment, start_response: StartResponse) -> t.Iterable[bytes]:
        record = environ.pop(_RECORD_KEY, None)
        if record is None:
            return middleware.wsgi_app(environ, start_response)
        return middleware.recorded(environ, start_response, record)

    debugger.app = through
    return debugger


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
            if may_see_request_id(app, self.environ.get("REMOTE_ADDR")):
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
