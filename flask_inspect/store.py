"""The request history: a bounded, thread-safe collection of records, newest first.

Every serving thread adds to it while the panel reads it from another, so
every access takes one short lock. The bound is passed in on each ``add``
(the recorder reads ``INSPECT_HISTORY_SIZE`` there), so changing the setting
on a running app takes effect at the next request; the oldest records go first.

>>> history = RequestHistory()
>>> record_id = history.new_id()
"""

from __future__ import annotations

import itertools
import os
import random
import threading
import typing as t
from collections import OrderedDict


class HasId(t.Protocol):
    @property
    def id(self) -> str: ...


Record = t.TypeVar("Record", bound=HasId)


class RequestHistory(t.Generic[Record]):
    """Records by id, in arrival order; at most ``limit`` of them after each add."""

    def __init__(self) -> None:
        # Oldest first. An OrderedDict, not a dict: finding a plain dict's first
        # key walks over every slot deleted since its last resize, so dropping
        # the oldest record would get slower the longer the app runs.
        self._records: OrderedDict[str, Record] = OrderedDict()
        self._lock = threading.Lock()
        self._counter = itertools.count(1)
        # Seeded from the OS once; a system call per request would cost more
        # than the rest of the id, and these ids guard nothing secret.
        self._random = random.Random(os.urandom(16))  # noqa: S311 - not a secret

    def new_id(self) -> str:
        """A fresh id: a counter (unique, sortable) and a random part.

        The random part keeps ids from being guessed from one another, so a
        link to one record does not lead to all the others by arithmetic.
        """
        return "%x-%06x" % (next(self._counter), self._random.getrandbits(24))  # noqa: UP031 - the fastest

    def add(self, record: Record, limit: int) -> None:
        """Keep ``record``; drop the oldest records beyond ``limit``."""
        with self._lock:
            records = self._records
            records[record.id] = record
            while len(records) > limit:
                records.popitem(last=False)

    def get(self, record_id: str) -> Record | None:
        with self._lock:
            return self._records.get(record_id)

    def discard(self, record_id: str) -> None:
        """Forget one record (a static file served fine is not worth keeping)."""
        with self._lock:
            self._records.pop(record_id, None)

    def newest_first(self) -> list[Record]:
        with self._lock:
            return list(reversed(self._records.values()))

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)
