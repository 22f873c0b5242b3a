"""What a request brought in and what its response sent, captured raw and bounded.

Called by the recorder on the serving thread, so each function does the least
it can: it copies out values that would be gone once the request is over
(what the view parsed, the session's keys, log records) and leaves everything
that survives in the WSGI environ (query string, cookies, remote address) to
be read when the record is drawn.

The request body is never read here. Only what the app itself already
parsed is kept: the form Werkzeug parsed (``request.form``) and the JSON it
decoded (``request.get_json()``), found in the request's own caches. Reading
or peeking at the body stream would take bytes the app may still want (a
streamed upload, a body the view reads itself), so a body the app left
unread is shown as "not read by the app" with its declared type and length.

A JSON value is copied into a bounded snapshot (so many items, so deep, of
plain types only) the moment it is found, rather than kept by reference: a
large upload would otherwise stay in memory for as long as its record.
"""

from __future__ import annotations

import logging
import threading
import typing as t

from .redact import PLAIN_TYPES
from .redact import Opaque
from .redact import keep
from .redact import plain_text

if t.TYPE_CHECKING:
    from contextvars import ContextVar

    from .record import RequestRecord

MAX_ITEMS = 50
"""Most entries kept of a form, a JSON object or array, a session or a template's context."""
MAX_DEPTH = 4
"""Deepest nesting of a JSON value kept; deeper containers are summarised."""
MAX_LOGS = 100
"""Most log records kept per request; later ones are counted, not kept."""
MAX_LOG_TEXT = 1000
"""Longest log message kept, in characters."""

MAX_KEPT_TEXT = 1000
"""Longest text or bytes value kept from a body or a template's context; longer ones are cut
when kept, so a large upload or document is not held for as long as its record."""

CUT_MARK = "…[cut]"
"""Ends a text cut when kept (so a copy-as-curl command knows the body is incomplete)."""

TRUNCATED = "…"
"""Stands in for the entries of a container cut at :data:`MAX_ITEMS` or :data:`MAX_DEPTH`."""


class LogEntry(t.NamedTuple):
    """One log record emitted while the request was current."""

    created: float
    level: str
    logger: str
    message: str
    exception: str | None


def note_body(record: RequestRecord, request: t.Any) -> None:
    """Keep the form or JSON the app parsed, if it parsed one (never read the stream).

    Looks only in the request's own ``__dict__``: ``form`` is there once
    Werkzeug parsed it, ``_cached_json`` once ``get_json`` decoded the body.
    """
    cached = getattr(request, "__dict__", None)
    if not cached:
        return
    json_pair = cached.get("_cached_json")
    if json_pair is not None:
        for value in json_pair:
            if value is not Ellipsis:
                record.body = ("json", bounded_json(value, MAX_DEPTH))
                return
    form = cached.get("form")
    if form:
        pairs = []
        for index, (name, value) in enumerate(form.items(multi=True)):
            if index == MAX_ITEMS:
                pairs.append((TRUNCATED, TRUNCATED))
                break
            pairs.append((str(name), keep(_cut(value))))
        record.body = ("form", pairs)


def bounded_json(value: t.Any, depth: int) -> t.Any:
    """A copy of decoded JSON: plain values kept, containers cut, anything else by type."""
    kind = type(value)
    if kind is dict:
        if depth <= 0:
            return {TRUNCATED: f"{len(value)} entries"}
        kept: dict[str, t.Any] = {}
        for index, (name, item) in enumerate(value.items()):
            if index == MAX_ITEMS:
                kept[TRUNCATED] = f"{len(value) - MAX_ITEMS} more"
                break
            kept[str(name)] = bounded_json(item, depth - 1)
        return kept
    if kind is list:
        if depth <= 0:
            return [f"{TRUNCATED} {len(value)} items"]
        items = [bounded_json(item, depth - 1) for item in value[:MAX_ITEMS]]
        if len(value) > MAX_ITEMS:
            items.append(f"{TRUNCATED} {len(value) - MAX_ITEMS} more")
        return items
    return keep(_cut(value))


def _cut(value: t.Any) -> t.Any:
    """A long ``str`` or ``bytes`` cut to :data:`MAX_KEPT_TEXT` (the cut marked), else ``value``."""
    kind = type(value)
    if kind is str and len(value) > MAX_KEPT_TEXT:
        return value[: MAX_KEPT_TEXT - len(CUT_MARK)] + CUT_MARK
    if kind is bytes and len(value) > MAX_KEPT_TEXT:
        return value[: MAX_KEPT_TEXT - len(CUT_MARK)] + b"..."
    return value


def note_session(record: RequestRecord, ctx: t.Any) -> None:
    """The session's key names and whether the app changed it (never its values).

    Read from the context's private ``_session`` (or a plain ``session``
    attribute, never a property) so the session is neither opened (Flask
    versions that open it lazily) nor marked as accessed.
    """
    session = getattr(ctx, "_session", None)
    if session is None:  # a version keeping it as a plain attribute (never a property)
        session = getattr(ctx, "__dict__", {}).get("session")
    if session is None:
        return
    modified = bool(getattr(session, "modified", False))
    if not session and not modified:
        return
    # A key that is not text is named by its type: its own ``__str__`` never runs.
    names = [
        name if type(name) is str else f"<{type(name).__name__}>"
        for name in list(session)[:MAX_ITEMS]
    ]
    record.session = (names, len(session), modified)


def note_template_context(context: t.Any) -> tuple[tuple[str, t.Any], ...]:
    """A rendered template's context: its first names, each value as ``keep`` keeps it.

    Runs on every render, so ``keep`` is written out here, and the stand-in
    for a value not kept is made once per type (Flask alone puts ``request``,
    ``session``, ``g``, ``config`` and two functions in every context).
    """
    items = context.items()
    if len(items) > MAX_ITEMS:
        items = list(items)[:MAX_ITEMS]
    plain = PLAIN_TYPES
    stand_ins = _stand_ins
    kept = []
    for name, value in items:
        kind = type(value)
        if kind not in plain:
            value = stand_ins.get(kind) or _stand_in(kind)
        elif kind is str and len(value) > MAX_KEPT_TEXT:
            value = value[: MAX_KEPT_TEXT - len(CUT_MARK)] + CUT_MARK
        kept.append((name, value))
    return tuple(kept)


_stand_ins: dict[type, Opaque] = {}
MAX_STAND_INS = 1000
"""Types whose stand-in is kept for reuse; beyond that each is made afresh."""


def _stand_in(kind: type) -> Opaque:
    stand_in = Opaque(kind)
    if len(_stand_ins) < MAX_STAND_INS:
        _stand_ins[kind] = stand_in
    return stand_in


class LogCapture:
    """Copies log records made during a recorded request onto its record.

    Hooked in as Python's log record factory (``logging.setLogRecordFactory``)
    rather than as a handler: a handler on the root logger would change how
    the app logs. Python prints to stderr as a last resort only when no
    handler at all is found, and Flask gives ``app.logger`` its own handler
    only when none is found above it, so one more handler would silence both.
    The factory is called only when a logger has decided to log, so a request
    that logs nothing costs nothing; for one that does, it asks each listening
    recorder's ``ContextVar`` for the current record. The record is made by the
    factory that was there before (so another library's factory still runs)
    and returned untouched; nothing here ever raises into the app's logging.
    Loggers that do not propagate are seen as well (no handler is involved).
    """

    def __init__(self) -> None:
        self._sources: tuple[ContextVar[RequestRecord | None], ...] = ()
        self._changing = threading.Lock()
        self._make_record: t.Callable[..., logging.LogRecord] | None = None

    def add_source(self, current: ContextVar[RequestRecord | None]) -> None:
        with self._changing:
            if current not in self._sources:
                self._sources = (*self._sources, current)
            if self._make_record is None:
                # Installed once and left in place: another library may have
                # wrapped it since, so taking it out could drop theirs. With no
                # source listening it only passes records through.
                self._make_record = logging.getLogRecordFactory()
                logging.setLogRecordFactory(self._factory)

    def remove_source(self, current: ContextVar[RequestRecord | None]) -> None:
        with self._changing:
            self._sources = tuple(source for source in self._sources if source is not current)

    @property
    def listening(self) -> int:
        """How many recorders are listening."""
        return len(self._sources)

    def _factory(self, *args: t.Any, **kwargs: t.Any) -> logging.LogRecord:
        make_record = self._make_record or logging.LogRecord
        record = make_record(*args, **kwargs)
        for source in self._sources:
            try:
                request_record = source.get()
                if request_record is not None:
                    _keep_log(request_record, record)
                    break
            except Exception:  # noqa: S112 - the app's logging must carry on regardless
                continue
        return record


def _keep_log(request_record: RequestRecord, record: logging.LogRecord) -> None:
    logs = request_record.logs
    if not isinstance(logs, list):
        logs = request_record.logs = []
    if len(logs) >= MAX_LOGS:
        request_record.logs_dropped += 1
        return
    logs.append(_log_entry(record))


LOG_CAPTURE = LogCapture()


def _log_entry(record: logging.LogRecord) -> LogEntry:
    try:
        message = record.getMessage()
    except Exception:
        message = f"(message could not be formatted: {plain_text(record.msg) or '?'})"
    if len(message) > MAX_LOG_TEXT:
        message = message[: MAX_LOG_TEXT - 3] + "..."
    exc_info = record.exc_info
    error = None
    if exc_info and exc_info[0] is not None:
        error = getattr(exc_info[0], "__name__", "exception")
    return LogEntry(record.created, str(record.levelname), str(record.name), message, error)
