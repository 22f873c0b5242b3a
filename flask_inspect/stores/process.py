"""Which process this is: a boot id, the pid, when it started.

Every stored record carries them, so the history can say where the app
restarted and which worker served what, and the writer's heartbeat lists
the workers alive now. A forked child (a gunicorn worker forked from a
preloaded master, a ``multiprocessing`` child) is a new process with a
new identity, set again right after the fork.

>>> current().pid == os.getpid()
True
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class ProcessInfo:
    """One run of one process: ``boot`` is new on every start and every fork."""

    boot: str
    pid: int
    host: str
    started_at: float
    """Wall-clock time (``time.time()``) the process began (or was forked)."""

    def to_dict(self) -> dict[str, object]:
        return {"pid": self.pid, "boot": self.boot, "host": self.host}


def _new_identity() -> ProcessInfo:
    try:
        host = socket.gethostname()
    except OSError:
        host = ""
    # Six hex digits: short enough for a record id, and with the record's
    # own counter and random part, ids of two processes never meet.
    return ProcessInfo(secrets.token_hex(3), os.getpid(), host, time.time())


_current = _new_identity()


def current() -> ProcessInfo:
    return _current


def _renew_after_fork() -> None:
    global _current
    _current = _new_identity()


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_renew_after_fork)
