"""The history in an SQLite file: the default, shared by processes and kept across restarts.

One file can hold the histories of several apps (a column says whose).
WAL mode lets the panel read while a worker writes; a write waits for
another process's write at most :data:`LOCK_TIMEOUT` seconds before the
file counts as locked. Only the background writer thread writes; each read
opens its own connection (threads and forked workers never share one).

The tables carry a layout version in their names, so a file written by
another version of the package keeps working beside it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import typing as t

from .records import StoredRecord
from .records import StoreError
from .records import WorkerInfo

if t.TYPE_CHECKING:
    from .process import ProcessInfo
    from .records import Row

LOCK_TIMEOUT = 1.0
"""Seconds a statement waits for another connection's lock."""

WORKER_ROWS_KEPT_S = 3600.0
"""Heartbeats older than this are deleted."""

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS records_v1 (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        app TEXT NOT NULL,
        id TEXT NOT NULL,
        schema INTEGER NOT NULL,
        started REAL NOT NULL,
        boot TEXT NOT NULL,
        boot_started REAL NOT NULL,
        pid INTEGER NOT NULL,
        summary TEXT NOT NULL,
        detail TEXT NOT NULL
    )""",
    "CREATE UNIQUE INDEX IF NOT EXISTS records_v1_app_id ON records_v1 (app, id)",
    "CREATE INDEX IF NOT EXISTS records_v1_app_seq ON records_v1 (app, seq)",
    """CREATE TABLE IF NOT EXISTS workers_v1 (
        app TEXT NOT NULL,
        boot TEXT NOT NULL,
        pid INTEGER NOT NULL,
        host TEXT NOT NULL,
        started REAL NOT NULL,
        last_seen REAL NOT NULL,
        PRIMARY KEY (app, boot)
    )""",
)


class SQLiteBackend:
    name = "sqlite"

    def __init__(self, path: str, app_key: str) -> None:
        self.location = path
        self._key = app_key
        self._writer: sqlite3.Connection | None = None
        self._writer_pid = 0
        self._lock = threading.Lock()
        try:
            connection = self._connect()
            try:
                mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()
                if not mode or str(mode[0]).lower() != "wal":
                    raise StoreError(f"{path} cannot be put in WAL mode")
                with _transaction(connection):
                    for statement in SCHEMA:
                        connection.execute(statement)
            finally:
                connection.close()
        except (sqlite3.Error, OSError) as error:
            raise StoreError(f"{path}: {error}") from error

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(
            self.location, timeout=LOCK_TIMEOUT, isolation_level=None, check_same_thread=False
        )
        # With WAL, a commit is durable across an app crash (not a power cut),
        # and costs no fsync: right for a debugging history.
        connection.execute("PRAGMA synchronous=NORMAL")
        return connection

    def _writer_connection(self) -> sqlite3.Connection:
        """The writer thread's own connection (a new one in a forked child)."""
        pid = os.getpid()
        if self._writer is None or self._writer_pid != pid:
            self._writer = self._connect()
            self._writer_pid = pid
        return self._writer

    def _read(self, query: str, parameters: tuple[t.Any, ...]) -> list[tuple[t.Any, ...]]:
        try:
            connection = self._connect()
            try:
                return connection.execute(query, parameters).fetchall()
            finally:
                connection.close()
        except (sqlite3.Error, OSError) as error:
            raise StoreError(f"{self.location}: {error}") from error

    def write(self, rows: list[Row], limit: int) -> None:
        key = self._key
        with self._lock:
            try:
                connection = self._writer_connection()
                with _transaction(connection):
                    connection.executemany(
                        "INSERT OR REPLACE INTO records_v1"
                        " (app, id, schema, started, boot, boot_started, pid, summary, detail)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [
                            (
                                key,
                                r.id,
                                r.schema,
                                r.started,
                                r.boot,
                                r.boot_started,
                                r.pid,
                                r.summary,
                                r.detail,
                            )
                            for r in rows
                        ],
                    )
                    connection.execute(
                        "DELETE FROM records_v1 WHERE app = ? AND seq <= ("
                        " SELECT seq FROM records_v1 WHERE app = ?"
                        " ORDER BY seq DESC LIMIT 1 OFFSET ?)",
                        (key, key, limit),
                    )
            except (sqlite3.Error, OSError) as error:
                self._drop_writer()
                raise StoreError(f"{self.location}: {error}") from error

    def _drop_writer(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            with contextlib.suppress(sqlite3.Error):
                writer.close()

    def _record(self, row: tuple[t.Any, ...]) -> StoredRecord | None:
        record_id, schema, summary, detail, started, boot, boot_started = row
        fetch = None if detail is not None else self._detail_fetcher(record_id)
        marks = (float(started or 0.0), str(boot or ""), float(boot_started or 0.0))
        return StoredRecord.load(record_id, schema, summary, detail, fetch, marks)

    def _detail_fetcher(self, record_id: str) -> t.Callable[[], str | None]:
        def fetch() -> str | None:
            try:
                rows = self._read(
                    "SELECT detail FROM records_v1 WHERE app = ? AND id = ?",
                    (self._key, record_id),
                )
            except StoreError:
                return None
            return str(rows[0][0]) if rows else None

        return fetch

    def _records(self, rows: list[tuple[t.Any, ...]]) -> list[StoredRecord]:
        loaded = (self._record(row) for row in rows)
        return [record for record in loaded if record is not None]

    def newest(self, limit: int) -> list[StoredRecord]:
        return self._records(
            self._read(
                "SELECT id, schema, summary, NULL, started, boot, boot_started"
                " FROM records_v1 WHERE app = ? ORDER BY seq DESC LIMIT ?",
                (self._key, limit),
            )
        )

    def get(self, record_id: str) -> StoredRecord | None:
        rows = self._read(
            "SELECT id, schema, summary, detail, started, boot, boot_started"
            " FROM records_v1 WHERE app = ? AND id = ?",
            (self._key, record_id),
        )
        return self._record(rows[0]) if rows else None

    def _seq(self, record_id: str) -> int | None:
        rows = self._read(
            "SELECT seq FROM records_v1 WHERE app = ? AND id = ?", (self._key, record_id)
        )
        return int(rows[0][0]) if rows else None

    def newer_than(self, record_id: str, limit: int) -> list[StoredRecord] | None:
        seq = self._seq(record_id)
        if seq is None:
            return None
        return self._records(
            self._read(
                "SELECT id, schema, summary, NULL, started, boot, boot_started"
                " FROM records_v1 WHERE app = ? AND seq > ?"
                " ORDER BY seq DESC LIMIT ?",
                (self._key, seq, limit),
            )
        )

    def neighbours(self, record_id: str) -> tuple[str | None, str | None] | None:
        seq = self._seq(record_id)
        if seq is None:
            return None
        older = self._read(
            "SELECT id FROM records_v1 WHERE app = ? AND seq < ? ORDER BY seq DESC LIMIT 1",
            (self._key, seq),
        )
        newer = self._read(
            "SELECT id FROM records_v1 WHERE app = ? AND seq > ? ORDER BY seq ASC LIMIT 1",
            (self._key, seq),
        )
        return (older[0][0] if older else None, newer[0][0] if newer else None)

    def clear(self) -> None:
        with self._lock:
            try:
                connection = self._writer_connection()
                with _transaction(connection):
                    connection.execute("DELETE FROM records_v1 WHERE app = ?", (self._key,))
            except (sqlite3.Error, OSError) as error:
                self._drop_writer()
                raise StoreError(f"{self.location}: {error}") from error

    def beat(self, process: ProcessInfo, now: float) -> None:
        with self._lock:
            try:
                connection = self._writer_connection()
                with _transaction(connection):
                    connection.execute(
                        "INSERT OR REPLACE INTO workers_v1"
                        " (app, boot, pid, host, started, last_seen) VALUES (?, ?, ?, ?, ?, ?)",
                        (
                            self._key,
                            process.boot,
                            process.pid,
                            process.host,
                            process.started_at,
                            now,
                        ),
                    )
                    connection.execute(
                        "DELETE FROM workers_v1 WHERE last_seen < ?", (now - WORKER_ROWS_KEPT_S,)
                    )
            except (sqlite3.Error, OSError) as error:
                self._drop_writer()
                raise StoreError(f"{self.location}: {error}") from error

    def workers(self, now: float) -> list[WorkerInfo]:
        rows = self._read(
            "SELECT boot, pid, host, started, last_seen FROM workers_v1 WHERE app = ?",
            (self._key,),
        )
        return [
            WorkerInfo(str(b), int(p), str(h), float(s), float(seen)) for b, p, h, s, seen in rows
        ]

    def close(self) -> None:
        with self._lock:
            self._drop_writer()


class _transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (rolled back on error) on an autocommit connection.

    Immediate: the write lock is taken at the start, so two writers wait
    for each other (up to the timeout) instead of failing mid-transaction.
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def __enter__(self) -> sqlite3.Connection:
        self._connection.execute("BEGIN IMMEDIATE")
        return self._connection

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self._connection.execute("COMMIT")
        else:
            with contextlib.suppress(sqlite3.Error):
                self._connection.execute("ROLLBACK")
