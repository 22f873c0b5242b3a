"""The history in this process's memory: ``INSPECT_STORE="memory"``, and the fallback.

Holds what the other backends would write (each record's drawn JSON, never
the raw request), so it is bounded the same way; it is gone with the
process. The detail, read only when a record's page is opened, is kept
compressed: it is most of a record's size (headers, traceback).
"""

from __future__ import annotations

import threading
import typing as t
import zlib
from collections import deque

from .records import StoredRecord
from .records import WorkerInfo

if t.TYPE_CHECKING:
    from .process import ProcessInfo
    from .records import Row


class MemoryBackend:
    name = "memory"

    def __init__(self, location: str = "this process's memory") -> None:
        self.location = location
        self._records: deque[StoredRecord] = deque()
        self._lock = threading.Lock()
        self._beats: dict[str, WorkerInfo] = {}

    def write(self, rows: list[Row], limit: int) -> None:
        loaded = [
            StoredRecord.load(
                row.id,
                row.schema,
                row.summary,
                None,
                _unpacker(zlib.compress(row.detail.encode("utf-8"), 1)),
                marks=(row.started, row.boot, row.boot_started),
            )
            for row in rows
        ]
        with self._lock:
            records = self._records
            records.extend(record for record in loaded if record is not None)
            while len(records) > limit:
                records.popleft()

    def _snapshot(self) -> list[StoredRecord]:
        with self._lock:
            return list(self._records)

    def newest(self, limit: int) -> list[StoredRecord]:
        records = self._snapshot()[-limit:] if limit > 0 else []
        records.reverse()
        return records

    def get(self, record_id: str) -> StoredRecord | None:
        for record in reversed(self._snapshot()):
            if record.id == record_id:
                return record
        return None

    def _index(self, records: list[StoredRecord], record_id: str) -> int | None:
        for index in range(len(records) - 1, -1, -1):
            if records[index].id == record_id:
                return index
        return None

    def newer_than(self, record_id: str, limit: int) -> list[StoredRecord] | None:
        records = self._snapshot()
        index = self._index(records, record_id)
        if index is None:
            return None
        newer = records[index + 1 :][-limit:]
        newer.reverse()
        return newer

    def neighbours(self, record_id: str) -> tuple[str | None, str | None] | None:
        records = self._snapshot()
        index = self._index(records, record_id)
        if index is None:
            return None
        older = records[index - 1].id if index > 0 else None
        newer = records[index + 1].id if index + 1 < len(records) else None
        return older, newer

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def beat(self, process: ProcessInfo, now: float) -> None:
        self._beats[process.boot] = WorkerInfo(
            process.boot, process.pid, process.host, process.started_at, now
        )

    def workers(self, now: float) -> list[WorkerInfo]:
        return list(self._beats.values())

    def close(self) -> None:
        return None


def _unpacker(packed: bytes) -> t.Callable[[], str | None]:
    def unpack() -> str | None:
        return zlib.decompress(packed).decode("utf-8")

    return unpack
