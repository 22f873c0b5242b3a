"""The request history: a bounded, thread-safe collection of records, newest first.

Every serving thread adds to it while the panel reads it from another. The
serving side takes no lock: a record goes into a ``deque`` with a
``maxlen`` (one atomic append that also drops the oldest), and an id comes
off a list made ahead in batches (one atomic pop). The panel's side copies
the deque (also atomic) and searches the copy; it runs a few times a second
at most, over a few hundred records.

The bound is passed in on each ``add`` (the recorder reads
``INSPECT_HISTORY_SIZE`` there), so changing the setting on a running app
takes effect at the next request; the oldest records go first.

>>> history = RequestHistory()
>>> record_id = history.new_id()
"""

from __future__ import annotations

import contextlib
import itertools
import os
import random
import threading
import typing as t
import weakref
from collections import deque

from .stores import process


class HasId(t.Protocol):
    @property
    def id(self) -> str: ...


Record = t.TypeVar("Record", bound=HasId)

ID_BATCH = 256
"""How many ids are made at once: formatting and random bits cost less in bulk."""


class RequestHistory(t.Generic[Record]):
    """Records in arrival order; at most ``limit`` of them after each add."""

    def __init__(self) -> None:
        self._records: deque[Record] = deque(maxlen=200)
        # Only for changing the bound and for removing one record: adding
        # needs no lock.
        self._lock = threading.Lock()
        self._counter = itertools.count(1)
        self._ids: list[str] = []
        # Seeded from the OS once; a system call per request would cost more
        # than the rest of the id, and these ids guard nothing secret.
        self._random = random.Random(os.urandom(16))  # noqa: S311 - not a secret
        _histories.add(self)

    def new_id(self) -> str:
        """A fresh id: a counter (unique, sortable), a random part, the process's part.

        The random part keeps ids from being guessed from one another, so a
        link to one record does not lead to all the others by arithmetic.
        The process's part (its boot id) keeps ids unique across the worker
        processes and restarts that share one stored history.
        """
        try:
            return self._ids.pop()
        except IndexError:
            return self._next_batch()

    def _next_batch(self) -> str:
        """Make the next ``ID_BATCH`` ids; return the first, keep the rest.

        Two threads may both find the list empty and both make a batch: each
        number comes from the counter once, so the ids stay unique (only
        their order of use may interleave).
        """
        bits = self._random.getrandbits
        boot = process.current().boot
        batch = [f"{next(self._counter):x}-{bits(24):06x}-{boot}" for _ in range(ID_BATCH)]
        batch.reverse()  # popped from the end: smallest counter first
        first = batch.pop()
        self._ids.extend(batch)
        return first

    def add(self, record: Record, limit: int) -> None:
        """Keep ``record``; drop the oldest records beyond ``limit``."""
        records = self._records
        if records.maxlen != limit:
            records = self._rebound(limit)
        records.append(record)

    def _rebound(self, limit: int) -> deque[Record]:
        with self._lock:
            records = self._records
            if records.maxlen != limit:
                # A record added by another thread meanwhile, into the old
                # deque, may be lost: only when the setting has just changed.
                records = deque(records.copy(), maxlen=limit)
                self._records = records
            return records

    def get(self, record_id: str) -> Record | None:
        for record in self._records.copy():
            if record.id == record_id:
                return record
        return None

    def neighbours(self, record_id: str) -> tuple[str | None, str | None]:
        """``(older_id, newer_id)``: the records kept just before and after this one.

        ``(None, None)`` for an id not kept; ``None`` on a side with no record.
        """
        records = self._records.copy()
        for index, record in enumerate(records):
            if record.id == record_id:
                older = records[index - 1].id if index > 0 else None
                newer = records[index + 1].id if index + 1 < len(records) else None
                return older, newer
        return None, None

    def discard(self, record_id: str) -> None:
        """Forget one record (a static file served fine is not worth keeping)."""
        with self._lock:
            records = self._records
            for record in records.copy():
                if record.id == record_id:
                    # ``remove`` compares by identity for records (no ``__eq__``
                    # runs Python code), so it cannot race with an append.
                    with contextlib.suppress(ValueError):  # pushed out meanwhile
                        records.remove(record)
                    return

    def newest_first(self) -> list[Record]:
        records = list(self._records.copy())
        records.reverse()
        return records

    def newer_than(self, record_id: str) -> list[Record]:
        """Records that arrived after ``record_id``, newest first.

        Every record when ``record_id`` is not kept (pushed out, cleared, or
        from before a restart): the live list then starts over from it.
        One copy and one backwards scan: a poll that finds nothing new stops
        at the first record.
        """
        records = self._records.copy()
        newer: list[Record] = []
        for record in reversed(records):
            if record.id == record_id:
                return newer
            newer.append(record)
        return newer

    def clear(self) -> None:
        self._records.clear()

    def __len__(self) -> int:
        return len(self._records)

    def _forget_ids_after_fork(self) -> None:
        """In a forked child: ids made before the fork are the parent's too."""
        self._ids = []
        self._random = random.Random(os.urandom(16))  # noqa: S311 - not a secret


_histories: weakref.WeakSet[RequestHistory[t.Any]] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for history in list(_histories):
        history._forget_ids_after_fork()


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_after_fork_in_child)
