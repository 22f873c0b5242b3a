"""What every history backend offers (memory, SQLite, Redis).

Each backend keeps the records of one app, in write order, at most
``limit`` of them after each write. Every method may raise
:class:`~flask_inspect.stores.records.StoreError`; the history then falls
back to memory.
"""

from __future__ import annotations

import typing as t

if t.TYPE_CHECKING:
    from .process import ProcessInfo
    from .records import Row
    from .records import StoredRecord
    from .records import WorkerInfo


class Backend(t.Protocol):
    name: str
    """``memory``, ``sqlite`` or ``redis``."""
    location: str
    """Where the records are, for the panel (a path, a URL without its password)."""

    def write(self, rows: list[Row], limit: int) -> None:
        """Add ``rows`` (oldest first) in one batch; keep the newest ``limit`` records."""

    def newest(self, limit: int) -> list[StoredRecord]:
        """At most ``limit`` records, newest first."""

    def get(self, record_id: str) -> StoredRecord | None: ...

    def newer_than(self, record_id: str, limit: int) -> list[StoredRecord] | None:
        """Records written after ``record_id``, newest first; ``None`` if it is not kept."""

    def neighbours(self, record_id: str) -> tuple[str | None, str | None] | None:
        """``(older_id, newer_id)`` around ``record_id``; ``None`` if it is not kept."""

    def clear(self) -> None: ...

    def beat(self, process: ProcessInfo, now: float) -> None:
        """Say that ``process`` is alive (the workers list reads it)."""

    def workers(self, now: float) -> list[WorkerInfo]:
        """The processes that said so lately, this one included."""

    def close(self) -> None: ...
