"""The recorder: a WSGI middleware and Flask's signals, turned into request records.

The middleware sees the whole exchange (the start, the status, the body being
streamed and closed, an error escaping Flask); Flask's signals say what
happened in between (contexts pushed and popped, the request dispatched,
templates rendered, messages flashed, exceptions raised). Each request's
record is made current in a ``ContextVar`` by the middleware, so a receiver
finds it on whatever thread or event loop Flask runs it, including an async
view's loop (which runs in a copy of the caller's context) and a streamed
body (the middleware sets it again around every chunk).

Receivers run inline on the request's thread, so they store raw values and
never format anything. They are connected with ``sender=app``: two inspected
apps in one process never see each other's signals. And every one of them
catches every error: a receiver that raised in ``appcontext_pushed`` would
leave the context pushed on the thread for good.

The live contexts registry (``state.contexts``) rides on the same receivers,
so there is one set of receivers and one cost. While the panel is off (debug
off, ``INSPECT_ENABLED`` unset) the first request to find it so disconnects
them, and the first to find it on again reconnects them: an app that keeps
``Inspect(app)`` in production pays only for the middleware's check.

A buffered response is finished when the app returns it; a streamed one is
followed until the server closes it, so its duration counts the whole body.
"""

from __future__ import annotations

import contextlib
import logging
import typing as t
import weakref
from contextvars import ContextVar
from threading import current_thread
from time import perf_counter
from time import time

from flask import globals as flask_globals
from flask import signals

from . import settings
from .access import may_see_request_id
from .access import request_host
from .badge import add_badge
from .badge import html_page_end
from .capture import LOG_CAPTURE
from .capture import note_body
from .capture import note_session
from .capture import note_template_context
from .record import CapturedException
from .record import RequestRecord
from .record import RoutingFailure
from .redact import keep
from .redact import plain_text
from .stores.history import StoredHistory

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse
    from _typeshed.wsgi import WSGIApplication
    from _typeshed.wsgi import WSGIEnvironment
    from flask import Flask
    from flask import Response

    from .contexts import ContextRegistry

REQUEST_ID_HEADER = "X-Inspect-Request-Id"

MAX_ENDED_REQUESTS = 256
"""Ended requests remembered for their copied contexts (dead ones are dropped first)."""

logger = logging.getLogger("flask_inspect")

# Looked up by feature, not imported by name: Flask 3.2 drops the request variable
# and keeps the request on the app context.
_app_context_var: ContextVar[t.Any] | None = getattr(flask_globals, "_cv_app", None)
_request_context_var: ContextVar[t.Any] | None = getattr(flask_globals, "_cv_request", None)


class HasContexts(t.Protocol):
    """The part of ``InspectState`` the recorder reads: the live contexts registry."""

    @property
    def contexts(self) -> ContextRegistry | None: ...


class Recorder:
    """The signal receivers and the record bookkeeping of one app.

    Holds no reference to the app (blinker holds the receivers strongly, and
    disconnects them when the app, their sender, is garbage collected).
    """

    def __init__(self, state: HasContexts, history: StoredHistory, prefix: str) -> None:
        self.state = state
        self.history = history
        self.prefix = prefix
        self._panel_folder = prefix + "/"
        self.current: ContextVar[RequestRecord | None] = ContextVar(
            "flask_inspect_record", default=None
        )
        self._reported_failure = False
        self._ended_requests: dict[int, tuple[str, weakref.ref[t.Any]]] = {}
        """Ended records' ids by ``id()`` of their environ, with their request
        held weakly: a request context copied into another thread keeps that
        request (and its environ) alive after its record is written."""
        self.listening = False
        self.explain_routing_error: t.Callable[[Response], Response] | None = None
        """Set by the explained error pages; called for a finished 404 or 405."""
        self._receivers = self._make_receivers()
        self.panel_apps: list[Flask] = []
        # Log records emitted during a request join its record (see ``capture``);
        # a recorder collected while listening stops being asked.
        weakref.finalize(self, LOG_CAPTURE.remove_source, self.current)

    def listen(self, app: Flask) -> None:
        """Connect every receiver to ``app``'s signals (and the panel app's)."""
        for signal, receiver in self._receivers:
            # Strong references: a weak one costs a dereference on every send.
            signal.connect(receiver, sender=app, weak=False)
            for panel_app in self.panel_apps:
                signal.connect(receiver, sender=panel_app, weak=False)
        LOG_CAPTURE.add_source(self.current)
        self.listening = True

    def listen_to_panel(self, panel_app: Flask) -> None:
        """Let the live contexts view see the panel's own request too.

        The panel runs on a private app of its own; its contexts are the
        ones the thread serving a contexts poll has pushed.
        """
        self.panel_apps.append(panel_app)
        if self.listening:
            for signal, receiver in self._receivers:
                signal.connect(receiver, sender=panel_app, weak=False)

    def stop_listening(self, app: Flask) -> None:
        """Disconnect them: while off, Flask's signals cost what they cost without us.

        Disconnected from every sender, not just ``app`` (they were only ever
        connected to ``app``): blinker forgets a receiver disconnected from one
        sender only for that sender and keeps it in ``signal.receivers``, and a
        signal with any receiver at all makes every send look up its receivers
        (about 50 bytecodes per send, six sends per request).
        """
        self.listening = False
        for signal, receiver in self._receivers:
            signal.disconnect(receiver)
        LOG_CAPTURE.remove_source(self.current)

    def record_ids_by_environ(self) -> dict[int, str]:
        """Each record's id, by ``id()`` of its WSGI environ, for environs still in use.

        A record not written yet keeps its environ; an ended one counts only
        while its request object is alive (a copied request context in a
        background thread), which proves the environ is that request's and
        not a newer object at a reused address.
        """
        ids = {}
        ended = self._ended_requests
        for key, (record_id, request_ref) in list(ended.items()):
            request = request_ref()
            if request is None or id(getattr(request, "environ", None)) != key:
                ended.pop(key, None)
            else:
                ids[key] = record_id
        for record in self.history.live_records():
            ids[id(record.environ)] = record.id
        return ids

    def record_thread(self, app: Flask, record_id: str) -> tuple[str, int | None] | None:
        """The name and ident of the thread that served a kept record, if it is kept.

        A record still in this process has its thread; a written one says it
        in its summary.
        """
        for record in self.history.live_records():
            if record.id == record_id:
                return record.thread.name, record.thread.ident
        view = self.history.get(record_id)
        if view is None:
            return None
        thread = view.summary(app).get("thread") or {}
        ident = thread.get("ident")
        return str(thread.get("name")), ident if isinstance(ident, int) else None

    # -- the record's life, called by the middleware ---------------------------

    def begin(self, app: Flask, environ: WSGIEnvironment) -> RequestRecord | None:
        """A new record for this request, or ``None`` when it is not recorded."""
        try:
            limit = settings.recording_limit(app)
            if not limit:
                # Off for now (``INSPECT_ENABLED`` unset and debug off): stop
                # listening, so the app's signals cost nothing extra until
                # the first request that finds the panel on again.
                if self.listening:
                    self.stop_listening(app)
                return None
            if not self.listening:
                self.listen(app)
            path = environ.get("PATH_INFO", "")
            if path == self.prefix or path.startswith(self._panel_folder):
                return None  # the panel's own pages, API and static files
            history = self.history
            record = RequestRecord(
                history.new_id(), environ, perf_counter(), time(), current_thread()
            )
            history.add(record, limit)
            return record
        except Exception:
            self._report_failure()
            return None

    def returned(self, record: RequestRecord) -> None:
        """The app returned a body that is not held in memory: follow it to its close.

        A streamed body (or one Flask did not finish, after an error) may run
        more of the app's code while the server sends it. (A buffered body is
        finished by the middleware at once.)
        """
        try:
            record.timeline.append(("wsgi_return", perf_counter()))
        except Exception:
            self._report_failure()

    def raised(self, record: RequestRecord, error: BaseException, event: str) -> None:
        """An error escaped the app (or its streamed body): keep it, end the record."""
        try:
            if record.exception is None:
                record.exception = CapturedException(error)
            if record.status is None:
                # Nothing was sent; the server (or debugger) answers 500.
                record.status = "500 INTERNAL SERVER ERROR"
        except Exception:
            self._report_failure()
        self.finish(record, event)

    def body_exhausted(self, record: RequestRecord) -> None:
        """The last chunk was sent; ``close`` may come later (or, wrongly, never)."""
        try:
            record.end = perf_counter()
        except Exception:
            self._report_failure()

    def finish(self, record: RequestRecord, event: str = "body_closed") -> None:
        try:
            record.end = now = perf_counter()
            record.timeline.append((event, now))
            record.closed = True
            request_ref = record.request_ref
            if request_ref is not None:
                ended = self._ended_requests
                if len(ended) >= MAX_ENDED_REQUESTS:
                    self._forget_ended_requests()
                ended[id(record.environ)] = (record.id, request_ref)
            if record.static and (record.status_code or 500) < 400:
                self.history.discard(record.id)
            else:
                self.history.finished(record)
        except Exception:
            self._report_failure()

    def _forget_ended_requests(self) -> None:
        """Drop the ended requests nothing holds any more (most of them)."""
        ended = self._ended_requests
        for key, (_, request_ref) in list(ended.items()):
            if request_ref() is None:
                ended.pop(key, None)
        while len(ended) >= MAX_ENDED_REQUESTS:  # all alive: drop the oldest
            ended.pop(next(iter(ended)), None)

    # -- receivers -------------------------------------------------------------

    def _make_receivers(self) -> list[tuple[t.Any, t.Callable[..., None]]]:
        """The receivers, each a plain function closed over what it reads.

        Each is called by blinker as ``receiver(app, **signal_arguments)``.
        Plain functions, not bound methods: blinker asks
        ``inspect.iscoroutinefunction`` about every receiver on every send,
        which unwraps a method first, and a closed-over name is read faster
        than an attribute. They are made once, so ``disconnect`` finds them.

        The four receivers the contexts registry rides on tell it in a second
        ``try``: a failure to record must not also blind the live contexts view.
        """
        current_record = self.current.get
        report_failure = self._report_failure
        state = self.state
        prefix = self.prefix
        recorder = self

        def on_appcontext_pushed(app: Flask, **_: t.Any) -> None:
            try:
                record = current_record()
                if record is not None:
                    record.timeline.append(("appcontext_pushed", perf_counter()))
                    if not record.dispatched:
                        # Served through the middleware and not dispatched
                        # yet: the request's own app context, which
                        # ``request_started`` tells the registry about
                        # together with the request context (no frame walk).
                        record.contexts_deferred = True
                        return
                elif not settings.is_enabled(app):
                    return
            except Exception:
                report_failure()
            try:
                contexts = state.contexts
                if contexts is not None:
                    contexts.app_pushed(app)
            except Exception:
                report_failure()

        def on_request_started(app: Flask, **_: t.Any) -> None:
            served = None
            try:
                record = current_record()
                if record is not None:
                    record.dispatched = True
                    if record.contexts_deferred:
                        served = record
                    record.timeline.append(("request_started", perf_counter()))
                    _note_routing(record)
                elif not settings.is_enabled(app):
                    return
            except Exception:
                report_failure()
            try:
                contexts = state.contexts
                if contexts is not None:
                    contexts.request_started(app, served)
            except Exception:
                report_failure()

        def on_before_render_template(
            app: Flask, template: t.Any = None, context: t.Any = None, **_: t.Any
        ) -> None:
            try:
                record = current_record()
                if record is not None:
                    record.timeline.append(("before_render_template", perf_counter()))
                    kept = (template.name, note_template_context(context))
                    if isinstance(record.templates, list):
                        record.templates.append(kept)
                    else:  # the first one (the class's default is an empty tuple)
                        record.templates = [kept]
            except Exception:
                report_failure()

        def event_only(name: str) -> t.Callable[..., None]:
            """A receiver that only puts ``name`` on the record's timeline."""

            def on_event(app: Flask, **_: t.Any) -> None:
                try:
                    record = current_record()
                    if record is not None:
                        record.timeline.append((name, perf_counter()))
                except Exception:
                    report_failure()

            return on_event

        on_template_rendered = event_only("template_rendered")
        on_appcontext_tearing_down = event_only("appcontext_tearing_down")

        def on_message_flashed(
            app: Flask, message: t.Any = None, category: t.Any = None, **_: t.Any
        ) -> None:
            try:
                record = current_record()
                if record is not None:
                    record.timeline.append(("message_flashed", perf_counter()))
                    flash = (_kept_text(category), _kept_text(message))
                    if isinstance(record.flashes, list):
                        record.flashes.append(flash)
                    else:  # the first one (the class's default is an empty tuple)
                        record.flashes = [flash]
            except Exception:
                report_failure()

        def on_got_request_exception(
            app: Flask, exception: BaseException | None = None, **_: t.Any
        ) -> None:
            try:
                record = current_record()
                if record is not None:
                    record.timeline.append(("got_request_exception", perf_counter()))
                    if exception is not None:
                        record.exception = CapturedException(exception)
            except Exception:
                report_failure()

        def on_request_finished(app: Flask, response: Response | None = None, **_: t.Any) -> None:
            """The final response, after every ``after_request`` function: explain, badge."""
            try:
                record = current_record()
                if record is not None:
                    record.timeline.append(("request_finished", perf_counter()))
                    if response is not None:
                        explain_routing_error = recorder.explain_routing_error
                        if record.routing_failure is not None and explain_routing_error:
                            # Here rather than in ``after_request``: only a
                            # request that matched no rule pays for it. Changes
                            # the response in place and catches everything.
                            explain_routing_error(response)
                        # A list is what Flask makes of a returned str or bytes
                        # (asked first: ``is_streamed`` is a Python property).
                        record.buffered = not response.direct_passthrough and (
                            type(response.response) is list or not response.is_streamed
                        )
                        if app.config.get(settings.BADGE):
                            page = html_page_end(response)
                            if page is not None:  # most responses have no </body>
                                add_badge(
                                    app,
                                    response,
                                    page,
                                    record.id,
                                    record.script_root + prefix,
                                    record.environ.get("REMOTE_ADDR"),
                                )
            except Exception:
                report_failure()

        def on_request_tearing_down(
            app: Flask, exc: BaseException | None = None, **_: t.Any
        ) -> None:
            try:
                record = current_record()
                if record is not None:
                    record.timeline.append(("request_tearing_down", perf_counter()))
                    _note_g(record)
                    _note_inputs(record)
                    if exc is not None and record.exception is None:
                        record.exception = CapturedException(exc)
                    if record.contexts_deferred:
                        # The request pushed its own app context, popped
                        # right after: ``app_popped`` forgets both contexts.
                        return
                elif not settings.is_enabled(app):
                    return
            except Exception:
                report_failure()
            try:
                contexts = state.contexts
                if contexts is not None:
                    contexts.request_ended(app)
            except Exception:
                report_failure()

        def on_appcontext_popped(app: Flask, **_: t.Any) -> None:
            record = None
            try:
                record = current_record()
                if record is not None:
                    record.timeline.append(("appcontext_popped", perf_counter()))
                elif not settings.is_enabled(app):
                    return
            except Exception:
                report_failure()
            try:
                contexts = state.contexts
                if contexts is not None:
                    contexts.app_popped(app, record)
            except Exception:
                report_failure()

        return [
            (signals.appcontext_pushed, on_appcontext_pushed),
            (signals.request_started, on_request_started),
            (signals.before_render_template, on_before_render_template),
            (signals.template_rendered, on_template_rendered),
            (signals.message_flashed, on_message_flashed),
            (signals.got_request_exception, on_got_request_exception),
            (signals.request_finished, on_request_finished),
            (signals.request_tearing_down, on_request_tearing_down),
            (signals.appcontext_tearing_down, on_appcontext_tearing_down),
            (signals.appcontext_popped, on_appcontext_popped),
        ]

    def _report_failure(self) -> None:
        """Say once that recording failed; the app carries on regardless."""
        if self._reported_failure:
            return
        self._reported_failure = True
        with contextlib.suppress(Exception):  # logging must not break the app either
            logger.warning("flask-inspect: recording a request failed", exc_info=True)


class RecordingMiddleware:
    """Wraps ``app.wsgi_app``: one record per request, its id in a response header.

    Reading or setting an attribute it does not have reads or sets it on the
    app it wraps: an app that reads ``app.wsgi_app.x_for`` (ProxyFix) or
    ``app.wsgi_app.script_name`` keeps working once ``Inspect(app)`` is added.

    While the panel is on, the panel's own URLs are served by its private app
    (:mod:`flask_inspect.web.panel_app`), so the app's hooks never run for
    them. Under an outer Werkzeug debugger the recorded requests go through
    the middleware's own debugger (:mod:`flask_inspect.debugger`), so a
    crash page carries its record's id too.

    >>> app.wsgi_app = RecordingMiddleware(  # doctest: +SKIP
    ...     app.wsgi_app, app, recorder, "/_inspect"
    ... )
    """

    __slots__ = ("_panel_folder", "app", "debugger", "panel", "prefix", "recorder", "wsgi_app")

    wsgi_app: WSGIApplication
    app: Flask
    recorder: Recorder
    prefix: str
    _panel_folder: str
    panel: WSGIApplication | None
    debugger: WSGIApplication | None

    def __init__(self, wsgi_app: WSGIApplication, app: Flask, recorder: Recorder, prefix: str):
        own = object.__setattr__
        own(self, "wsgi_app", wsgi_app)
        own(self, "app", app)
        own(self, "recorder", recorder)
        own(self, "prefix", prefix)
        own(self, "_panel_folder", prefix + "/")
        own(self, "panel", None)  # the panel's private app, set by ``Inspect.init_app``
        own(self, "debugger", None)  # its own Werkzeug debugger, made when first needed

    def __getattr__(self, name: str) -> t.Any:
        # Only called for names the middleware does not have itself (or has
        # not set yet: never looked up on the wrapped app, or this recurses).
        if name in RecordingMiddleware.__slots__ or (name[:2] == "__" and name[-2:] == "__"):
            raise AttributeError(name)
        return getattr(self.wsgi_app, name)

    def __setattr__(self, name: str, value: t.Any) -> None:
        if name in RecordingMiddleware.__slots__:
            object.__setattr__(self, name, value)
        else:
            setattr(self.wsgi_app, name, value)

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> t.Iterable[bytes]:
        if _OUTER_DEBUGGER_KEY in environ:
            from .debugger import serve_debugged

            return serve_debugged(self, environ, start_response)
        # ``normal``, written out: one Python call fewer on every request.
        record = self.recorder.begin(self.app, environ)
        if record is None:
            return self.unrecorded(environ, start_response)
        return self.recorded(environ, start_response, record)

    def normal(self, environ: WSGIEnvironment, start_response: StartResponse) -> t.Iterable[bytes]:
        """Record the request (unless it is the panel's) and pass it to the app."""
        record = self.recorder.begin(self.app, environ)
        if record is None:
            return self.unrecorded(environ, start_response)
        return self.recorded(environ, start_response, record)

    def unrecorded(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> t.Iterable[bytes]:
        """The panel's URLs (served by the private app while on), or the app as it is."""
        panel = self.panel
        if panel is not None and self.recorder.listening:  # listening: the panel is on
            path = environ.get("PATH_INFO", "")
            if path == self.prefix or path.startswith(self._panel_folder):
                return panel(environ, start_response)
        return self.wsgi_app(environ, start_response)

    def recorded(
        self, environ: WSGIEnvironment, start_response: StartResponse, record: RequestRecord
    ) -> t.Iterable[bytes]:
        recorder = self.recorder
        # The record's id only goes to clients that may see the panel, by
        # address and by the name they asked under.
        show_id = may_see_request_id(self.app, environ.get("REMOTE_ADDR"), request_host(environ))

        def start_recorded_response(
            status: str, headers: list[tuple[str, str]], exc_info: t.Any = None
        ) -> t.Callable[[bytes], object]:
            # Note the status; send the record's id (written out here rather
            # than in a method: one Python call fewer on every request).
            try:
                record.status = status
                record.timeline.append(("start_response", perf_counter()))
                if show_id and (not record.static or status[:1] not in "123"):
                    # A copy: the list is the app's. A static file served fine is not kept.
                    headers = [*headers, (REQUEST_ID_HEADER, record.id)]
                record.response_headers = headers
            except Exception:
                recorder._report_failure()
            if exc_info is None:
                return start_response(status, headers)
            return start_response(status, headers, exc_info)

        current = recorder.current
        token = current.set(record)
        try:
            body = self.wsgi_app(environ, start_recorded_response)
        except BaseException as error:
            recorder.raised(record, error, "wsgi_raise")
            raise
        finally:
            current.reset(token)
        if record.buffered:
            # Held in memory (Flask knew at ``request_finished``): no more of
            # the app's code runs, so the request is over now.
            recorder.finish(record, "wsgi_return")
            return body
        recorder.returned(record)
        file_wrapper = environ.get("wsgi.file_wrapper")
        if isinstance(file_wrapper, type) and isinstance(body, file_wrapper):
            # Left as it is, so the server can still send the file its fast way.
            recorder.finish(record)
            return body
        return RecordedBody(body, record, recorder)


_OUTER_DEBUGGER_KEY = "werkzeug.debug.preserve_context"
"""Set by a Werkzeug debugger with ``evalex`` (``flask run --debug``) around the app."""


class RecordedBody:
    """The response body, passed through, timed until it is closed.

    The record is made current around each chunk because a streamed body
    (``stream_with_context``) pushes and pops its contexts while the server
    iterates it, after the app has returned.
    """

    __slots__ = ("_body", "_record", "_recorder")

    def __init__(self, body: t.Iterable[bytes], record: RequestRecord, recorder: Recorder):
        self._body = body
        self._record = record
        self._recorder = recorder

    def __iter__(self) -> t.Iterator[bytes]:
        # A generator: its end costs no StopIteration raised through Python code.
        record = self._record
        recorder = self._recorder
        current = recorder.current
        iterator = iter(self._body)
        sent = 0
        while True:
            token = current.set(record)
            try:
                chunk = next(iterator, _END)
            except BaseException as error:
                recorder.raised(record, error, "body_raise")
                raise
            finally:
                current.reset(token)
            if chunk is _END:
                record.sent_bytes = sent
                recorder.body_exhausted(record)
                return
            sent += len(chunk)
            yield chunk

    def close(self) -> None:
        current = self._recorder.current
        token = current.set(self._record)
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            current.reset(token)
            if not self._record.closed:
                self._recorder.finish(self._record)


_END: t.Any = object()


def install_recorder(app: Flask, state: HasContexts, prefix: str) -> Recorder:
    """Connect the receivers and wrap ``app.wsgi_app``."""
    history = StoredHistory(app)
    recorder = Recorder(state, history, prefix)
    recorder.listen(app)
    app.wsgi_app = RecordingMiddleware(app.wsgi_app, app, recorder, prefix)  # type: ignore[method-assign]
    return recorder


# -- raw facts, read on the request's thread ----------------------------------


def _request_context() -> t.Any:
    """The request's context on this thread or task, or ``None`` outside a request.

    Flask 3.2 keeps the request on the app context and has no request variable.
    """
    if _request_context_var is not None:
        return _request_context_var.get(None)
    if _app_context_var is not None:
        ctx = _app_context_var.get(None)
        if ctx is not None and getattr(ctx, "has_request", False):
            return ctx
    return None


def _note_routing(record: RequestRecord) -> None:
    """The rule and view arguments matched, or why nothing matched."""
    ctx = _request_context()
    if ctx is None:
        return
    request = ctx.request
    rule = request.url_rule
    record.rule = rule
    if rule is not None:
        endpoint = rule.endpoint
        if endpoint == "static" or endpoint.endswith(".static"):
            record.static = True
    view_args = request.view_args
    if view_args:
        record.view_args = {name: keep(value) for name, value in view_args.items()}
    failure = request.routing_exception
    if failure is not None:
        environ = request.environ
        record.routing_failure = RoutingFailure(
            exception=type(failure).__name__,
            code=getattr(failure, "code", None),
            # The path Werkzeug routed: empty for a mounted app's URL
            # without its slash, which ``request.path`` shows as "/".
            path=request.path if environ.get("PATH_INFO") else "",
            method=request.method,
            host=request.host,
            websocket=_is_websocket(environ),
            new_url=getattr(failure, "new_url", None),
            script_name=request.script_root,
        )
    try:  # noqa: SIM105 - cheaper than contextlib.suppress on every request
        record.request_ref = weakref.ref(request)
    except TypeError:  # a request class with __slots__ and no __weakref__
        pass


def _note_inputs(record: RequestRecord) -> None:
    """What the view parsed of the body, and the session's keys (see ``capture``)."""
    ctx = _request_context()
    if ctx is None:
        return
    if record.environ.get("CONTENT_TYPE"):  # no body, nothing parsed: skip the look
        note_body(record, ctx.request)
    note_session(record, ctx)


def _is_websocket(environ: WSGIEnvironment) -> bool:
    """What Werkzeug's ``bind_to_environ`` decides from the upgrade headers."""
    connection = environ.get("HTTP_CONNECTION", "").lower()
    upgrade = any(part.strip() == "upgrade" for part in connection.split(","))
    return upgrade and environ.get("HTTP_UPGRADE", "").lower() == "websocket"


def _note_g(record: RequestRecord) -> None:
    """What the view left in ``g`` (plain values kept, others by type)."""
    if _app_context_var is None:
        return
    ctx = _app_context_var.get(None)
    values = None if ctx is None else getattr(ctx.g, "__dict__", None)
    if values:
        record.g = {str(name): keep(value) for name, value in values.items()}


def _kept_text(value: t.Any) -> t.Any:
    """A flashed message or category: text as an exact ``str``, else kept by type."""
    text = plain_text(value)
    return keep(value) if text is None else text
