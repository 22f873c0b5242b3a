"""One app's request history, whatever the backend: the serving side and the panel's side.

The serving thread calls :meth:`StoredHistory.add` when a request begins and
:meth:`StoredHistory.finished` when it ends: a dictionary assignment and a
``deque`` append, no lock, no I/O. The background writer (:mod:`.writer`)
then draws each finished record's JSON (``summary()`` and ``detail()``,
redacted and bounded) and writes it to the backend; only then is the raw
record, with its WSGI environ, let go. So at most :data:`PENDING_LIMIT`
finished records wait in memory; when the writer falls behind that far the
oldest waiting records are dropped (and counted), never a request.

The panel reads through :meth:`newest_first`, :meth:`get`,
:meth:`newer_than`, :meth:`neighbours` and :meth:`clear`: this process's
records not written yet (in flight, or queued), then what the backend holds.
When the backend fails (a corrupt or locked file, a full disk, Redis gone),
the history falls back to memory for good, logs one warning and keeps a
note for the panel; the app's responses never notice.
"""

from __future__ import annotations

import contextlib
import json
import logging
import tempfile
import threading
import time
import typing as t
import weakref
from collections import deque
from datetime import datetime
from datetime import timezone

from .. import settings
from ..store import RequestHistory
from . import process
from .choice import new_app_key
from .choice import open_backend
from .choice import public_location
from .memory import MemoryBackend
from .records import Row
from .records import learn_shape
from .writer import writer

if t.TYPE_CHECKING:
    from flask import Flask

    from ..record import RequestRecord
    from .backend import Backend
    from .records import StoredRecord
    from .records import WorkerInfo

logger = logging.getLogger("flask_inspect")

PENDING_LIMIT = 256
"""Finished records waiting for the writer, at most; beyond, the oldest are dropped."""

BATCH_SIZE = 100
"""Records written in one transaction."""

LIVE_WORKER_WINDOW_S = 10.0
"""A worker whose heartbeat is older than this is not listed as live."""

ACTIVE_FOR_S = 600.0
"""A history beats only this long after it last wrote or was read: an app
made and dropped (a test, a factory called twice) stops writing soon."""


class LiveRecord:
    """A record of this process not written yet, drawn from its raw facts when asked."""

    __slots__ = ("id", "record")

    def __init__(self, record: RequestRecord) -> None:
        self.id = record.id
        self.record = record

    def summary(self, app: Flask) -> dict[str, t.Any]:
        return {**self.record.summary(app), "process": process_facts()}

    def detail(self, app: Flask) -> dict[str, t.Any]:
        return {**self.record.detail(app), "process": process_facts()}

    def summary_json(self, app: Flask, after_restart: bool) -> str:
        return _dumps({**self.summary(app), "after_restart": after_restart})

    @property
    def started(self) -> float:
        return self.record.started_at

    @property
    def boot(self) -> str:
        return process.current().boot

    @property
    def boot_started(self) -> float:
        return process.current().started_at


if t.TYPE_CHECKING:
    RecordView = LiveRecord | StoredRecord


def process_facts() -> dict[str, t.Any]:
    me = process.current()
    return {**me.to_dict(), "started_at": iso8601(me.started_at)}


def iso8601(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat(timespec="milliseconds")


class StoredHistory:
    """The history of one app: see the module's docstring."""

    def __init__(self, app: Flask) -> None:
        self._app = weakref.ref(app)
        self.key = new_app_key(app)
        self.limit = settings.history_size(app)
        self._ids: RequestHistory[t.Any] = RequestHistory()
        self._live: dict[str, RequestRecord] = {}
        """Records of this process not written yet (in flight or queued), by id."""
        self._pending: deque[RequestRecord] = deque()
        self._backend: Backend | None = None
        self._open_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._drop_lock = threading.Lock()
        self.dropped = 0
        """Finished records dropped because the writer fell behind."""
        self.note: str | None = None
        """Why the history is in memory although another store was asked for."""
        self._active_until = 0.0
        self._opened_with: t.Any = None
        """The ``INSPECT_STORE`` value the backend was opened with."""
        self._reported_failure = False
        self._temp_folder = tempfile.gettempdir()
        writer.watch(self)

    # -- the serving side ----------------------------------------------------

    def new_id(self) -> str:
        return self._ids.new_id()

    def add(self, record: RequestRecord, limit: int) -> None:
        """A request began: show it (as pending) until it is written."""
        live = self._live
        live[record.id] = record
        if limit != self.limit:
            self.limit = limit
        if len(live) > limit + PENDING_LIMIT:
            self._forget_oldest_live(limit + PENDING_LIMIT)

    def finished(self, record: RequestRecord) -> None:
        """The request is over: queue it for the writer."""
        pending = self._pending
        if len(pending) >= PENDING_LIMIT:
            self._drop_oldest_pending()
        pending.append(record)

    def discard(self, record_id: str) -> None:
        """Forget a record before it is written (a static file served fine)."""
        self._live.pop(record_id, None)

    def live_records(self) -> list[RequestRecord]:
        """This process's records not written yet (the contexts registry links to them)."""
        return list(self._live.values())

    def _forget_oldest_live(self, keep: int) -> None:
        """Records begun and never finished (a body never closed) must not pile up."""
        live = self._live
        with contextlib.suppress(Exception):
            for record_id in list(live)[: max(0, len(live) - keep)]:
                live.pop(record_id, None)

    def _drop_oldest_pending(self) -> None:
        with self._drop_lock:
            try:
                oldest = self._pending.popleft()
            except IndexError:
                return
            self._live.pop(oldest.id, None)
            self.dropped += 1

    # -- the writer's side ---------------------------------------------------

    def prepare(self) -> None:
        """Open the backend ahead of the first record, on the writer thread.

        Opening costs an import (redis), a connection, the tables: paid here,
        not by the first records' wait to be readable. A setting changed after
        ``Inspect(app)`` (before the first request) is still honoured: see
        :meth:`write_pending`.
        """
        if self._backend is None:
            app = self._app()
            if app is not None and settings.is_enabled(app):
                self._backend_now()

    def _follow_setting(self, app: Flask) -> None:
        """Reopen when ``INSPECT_STORE`` changed since the backend was opened."""
        backend = self._backend
        if backend is None or self.note is not None:
            return
        if app.config.get(settings.STORE) == self._opened_with:
            return
        with self._open_lock:
            self._backend = None
        with contextlib.suppress(Exception):
            backend.close()

    def write_pending(self) -> None:
        """Draw and write every queued record (called on the writer thread)."""
        pending = self._pending
        if not pending:
            return
        with self._write_lock:
            app = self._app()
            if app is not None:
                self._follow_setting(app)
            while pending:
                batch: list[RequestRecord] = []
                with contextlib.suppress(IndexError):
                    while len(batch) < BATCH_SIZE:
                        batch.append(pending.popleft())
                if app is not None:
                    rows = [row for row in (self._draw(app, record) for record in batch) if row]
                    if rows:
                        self._write(rows)
                live = self._live
                for record in batch:
                    live.pop(record.id, None)
            self._active_until = time.monotonic() + ACTIVE_FOR_S

    def _draw(self, app: Flask, record: RequestRecord) -> Row | None:
        """The record's JSON as the API draws it, redacted and bounded."""
        try:
            facts = process_facts()
            summary = {**record.summary(app), "process": facts}
            detail = {**record.detail(app), "process": facts}
            learn_shape(detail)
            me = process.current()
            return Row(
                id=record.id,
                started=record.started_at,
                boot=me.boot,
                pid=me.pid,
                summary=_dumps(summary),
                detail=_dumps(detail),
                boot_started=me.started_at,
            )
        except Exception:
            self._report_failure("drawing a request record failed")
            return None

    def _write(self, rows: list[Row]) -> None:
        backend = self._backend_now()
        try:
            backend.write(rows, self.limit)
        except Exception as error:
            self._fall_back(backend, error)
            with contextlib.suppress(Exception):
                self._backend_now().write(rows, self.limit)

    def beat(self) -> None:
        """Say this process is alive (every few seconds, from the writer thread)."""
        backend = self._backend
        if backend is None or time.monotonic() > self._active_until:
            return
        try:
            backend.beat(process.current(), time.time())
        except Exception as error:
            self._fall_back(backend, error)

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every finished record is written (tests, benchmarks, shutdown)."""
        deadline = time.monotonic() + timeout
        while self._pending and time.monotonic() < deadline:
            time.sleep(0.005)
        with self._write_lock:  # a batch taken off the queue is written by now
            return not self._pending

    # -- the backend, and falling back ---------------------------------------

    @property
    def backend(self) -> Backend:
        return self._backend_now()

    def _backend_now(self) -> Backend:
        backend = self._backend
        if backend is not None:
            return backend
        with self._open_lock:
            if self._backend is None:
                self._backend = self._open()
            return self._backend

    def _open(self) -> Backend:
        app = self._app()
        setting = None if app is None else app.config.get(settings.STORE)
        self._opened_with = setting
        if app is None:
            return MemoryBackend()
        try:
            backend = open_backend(app, self.key, setting, self._temp_folder)
        except Exception as error:
            described = "INSPECT_STORE" if setting is None else repr(public_location(str(setting)))
            self._degrade(f"the store {described} cannot be opened ({error})")
            return MemoryBackend()
        if backend.name != "memory":
            with contextlib.suppress(Exception):
                backend.beat(process.current(), time.time())
            self._active_until = time.monotonic() + ACTIVE_FOR_S
        return backend

    def _fall_back(self, failed: Backend, error: BaseException) -> None:
        with self._open_lock:
            if self._backend is not failed or failed.name == "memory":
                return
            self._backend = MemoryBackend()
        with contextlib.suppress(Exception):
            failed.close()
        self._degrade(f"the {failed.name} store failed ({error})")

    def _degrade(self, reason: str) -> None:
        self.note = (
            f"The request history is kept in this process's memory for now: {reason}. "
            "Other workers' records and those from before are not shown; the app's "
            "responses are not affected. Restart the app once the store is fixed."
        )
        with contextlib.suppress(Exception):
            logger.warning("flask-inspect: %s", self.note)

    def _report_failure(self, what: str) -> None:
        if self._reported_failure:
            return
        self._reported_failure = True
        with contextlib.suppress(Exception):
            logger.warning("flask-inspect: %s", what, exc_info=True)

    def _read(self, call: t.Callable[[Backend], t.Any], default: t.Any) -> t.Any:
        """``call(backend)``; on failure, fall back to memory and ask it instead."""
        backend = self._backend_now()
        self._active_until = time.monotonic() + ACTIVE_FOR_S
        try:
            return call(backend)
        except Exception as error:
            self._fall_back(backend, error)
        try:
            return call(self._backend_now())
        except Exception:
            return default

    # -- the panel's side ----------------------------------------------------

    def _live_views(self) -> list[LiveRecord]:
        """Records not written yet, newest first.

        Read together with the backend under the write lock (see
        :meth:`_consistent`): a record written meanwhile, and perhaps already
        trimmed away, would otherwise show as not written yet.
        """
        views = [LiveRecord(record) for record in list(self._live.values())]
        views.reverse()
        return views

    def _consistent(self) -> t.ContextManager[object]:
        """Hold the writer off while the panel reads memory and backend together.

        Only the panel waits (at most one batch); the serving threads never
        take this lock.
        """
        return self._write_lock

    def newest_first(self) -> list[RecordView]:
        with self._consistent():
            live = self._live_views()
            stored: list[StoredRecord] = self._read(lambda b: b.newest(self.limit), [])
        return _merged(live, stored)[: self.limit]

    def get(self, record_id: str) -> RecordView | None:
        record = self._live.get(record_id)
        if record is not None:
            return LiveRecord(record)
        found: StoredRecord | None = self._read(lambda b: b.get(record_id), None)
        return found

    def newer_than(self, record_id: str) -> list[RecordView]:
        """Records that arrived after ``record_id``, newest first; all if it is unknown."""
        with self._consistent():
            live = self._live_views()
            ids = [view.id for view in live]
            if record_id in ids:
                newer_live = live[: ids.index(record_id)]
                began = live[ids.index(record_id)].record.started_at
                stored: list[StoredRecord] = self._read(lambda b: b.newest(self.limit), [])
                later = [r for r in stored if r.started >= began]
                return _merged(newer_live, later)[: self.limit]
            newer: list[StoredRecord] | None = self._read(
                lambda b: b.newer_than(record_id, self.limit), None
            )
        if newer is None:
            return self.newest_first()
        return _merged(live, newer)[: self.limit]

    def neighbours(self, record_id: str) -> tuple[str | None, str | None]:
        """``(older_id, newer_id)`` around ``record_id``."""
        with self._consistent():
            live = self._live_views()  # newest first
            ids = [view.id for view in live]
            if record_id in ids:
                index = ids.index(record_id)
                newer = ids[index - 1] if index > 0 else None
                if index + 1 < len(ids):
                    return ids[index + 1], newer
                newest: list[StoredRecord] = self._read(lambda b: b.newest(1), [])
                return (newest[0].id if newest else None), newer
            around: tuple[str | None, str | None] | None = self._read(
                lambda b: b.neighbours(record_id), None
            )
        if around is None:
            return None, None
        older, newer_id = around
        if newer_id is None and ids:
            newer_id = ids[-1]  # the oldest record not written yet
        return older, newer_id

    def clear(self) -> None:
        with self._write_lock:
            self._pending.clear()
            self._live.clear()
            self._read(lambda b: b.clear(), None)

    def __len__(self) -> int:
        return len(self.newest_first())

    def workers(self) -> list[WorkerInfo]:
        """Processes that wrote a heartbeat lately, newest first (this one included)."""
        now = time.time()
        found: list[WorkerInfo] = self._read(lambda b: b.workers(now), [])
        alive = [w for w in found if now - w.last_seen <= LIVE_WORKER_WINDOW_S]
        alive.sort(key=lambda w: w.last_seen, reverse=True)
        return alive

    def describe(self) -> dict[str, t.Any]:
        """Where the history is, for the panel and the API."""
        backend = self._backend_now()
        return {
            "backend": backend.name,
            "location": public_location(backend.location),
            "note": self.note,
            "dropped": self.dropped,
            "process": process_facts(),
        }


def _merged(live: list[LiveRecord], stored: list[StoredRecord]) -> list[RecordView]:
    """Live records first (newest), then stored ones; a record in both shows once."""
    written = {record.id for record in stored}
    merged: list[RecordView] = [view for view in live if view.id not in written]
    merged.extend(stored)
    return merged


def _dumps(data: dict[str, t.Any]) -> str:
    return json.dumps(data, separators=(",", ":"), default=str)


def restart_flags(views: t.Sequence[RecordView]) -> list[bool]:
    """Where the app restarted, in a newest-first list: ``after_restart`` per record.

    True on a record whose process started after the record listed below it
    (older) was made: between the two, the app restarted (the reloader, a new
    worker). Workers running side by side never mark one another.
    """
    flags = []
    for index, view in enumerate(views):
        older = views[index + 1] if index + 1 < len(views) else None
        flags.append(
            older is not None
            and view.boot != older.boot
            and bool(view.boot_started)
            and view.boot_started > older.started
        )
    return flags


def listing_json(parts: list[str], extra: dict[str, t.Any]) -> str:
    """``{"requests": [...], **extra}`` from each record's summary already as JSON."""
    tail = json.dumps(extra, separators=(",", ":"), default=str)
    return '{"requests":[' + ",".join(parts) + "]" + ("," + tail[1:] if len(tail) > 2 else "}")
