"""The background writer: one daemon thread per process, for every app's history.

The serving thread only appends a finished record to its history's queue;
this thread wakes every :data:`POLL_INTERVAL` seconds, draws the queued
records' JSON and writes them in batches, and every
:data:`HEARTBEAT_INTERVAL` seconds says in each store that this process is
alive. Polling instead of being woken costs the serving thread nothing
(setting an ``Event`` takes a lock) and keeps a record readable from any
process well within a second of its response.

A forked child gets a writer of its own: threads do not survive ``fork``.
"""

from __future__ import annotations

import os
import threading
import time
import typing as t
import weakref

if t.TYPE_CHECKING:
    from .history import StoredHistory

POLL_INTERVAL = 0.025
HEARTBEAT_INTERVAL = 2.0
THREAD_NAME = "flask-inspect-writer"


class Writer:
    def __init__(self) -> None:
        self._histories: weakref.WeakSet[StoredHistory] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def watch(self, history: StoredHistory) -> None:
        with self._lock:
            self._histories.add(history)
            self._start()

    def _start(self) -> None:
        thread = self._thread
        if thread is not None and thread.is_alive():
            return
        thread = threading.Thread(target=self._run, name=THREAD_NAME, daemon=True)
        self._thread = thread
        thread.start()

    def _run(self) -> None:
        last_beat = 0.0
        while True:
            time.sleep(POLL_INTERVAL)
            now = time.monotonic()
            beat = now - last_beat >= HEARTBEAT_INTERVAL
            if beat:
                last_beat = now
            for history in list(self._histories):
                # Each history catches its own failures; this is the last net,
                # so that the thread never dies.
                try:
                    history.prepare()
                    history.write_pending()
                    if beat:
                        history.beat()
                except Exception:  # noqa: S112 - reported by the history itself
                    continue

    def _after_fork_in_child(self) -> None:
        self._lock = threading.Lock()
        self._thread = None
        if len(self._histories):
            self._start()


writer = Writer()
if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=writer._after_fork_in_child)
