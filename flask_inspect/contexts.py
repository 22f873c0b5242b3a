"""The live registry of contexts pushed on every thread and asyncio task.

Flask keeps contexts in context variables, which another thread cannot read.
So the registry listens instead: the recorder's receivers call it on the
pushing thread when an app context is pushed or popped and when a request
starts or is torn down. Each thread (or asyncio task) gets its own small stack
of raw entries, keyed by the thread or task *object* in a
``WeakKeyDictionary`` (thread idents are reused, objects are not), and each
entry holds only a weak reference to its context. Everything is turned into
readable dictionaries later, by :meth:`ContextRegistry.snapshot`, on the
thread that draws the page.

There is no signal for a request context push. With Flask 3.0/3.1 the push
is seen at the moment its app context is pushed (see
:func:`context_compat.request_context_pushing_app_context`), or at
``request_started`` when it went on top of an app context that was already
there; such entries are marked ``inferred``. How many times a context is
pushed is read from the context itself when the page is drawn, so a request
context pushed again by ``stream_with_context`` shows depth 2.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
import typing as t
import weakref
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timezone
from time import perf_counter

from . import context_compat as compat

if t.TYPE_CHECKING:
    from flask import Flask

APP = "app"
REQUEST = "request"

RECORD_ID_ENVIRON_KEY = "flask_inspect.record_id"
"""Where the request's record id is kept, so a copied request context (in a
background thread, where no ``request_started`` is sent) links to it too."""

LONG_HELD_MS = 2000.0
"""Contexts pushed for longer than this are highlighted on the page."""

# A raw entry, built on the request's thread, so a plain tuple:
# (kind, app name, weak reference to the context, perf_counter at push, inferred)
Entry: t.TypeAlias = tuple[str, str, "weakref.ref[t.Any]", float, bool]
KIND: t.Final = 0
APP_NAME: t.Final = 1
CONTEXT: t.Final = 2
PUSHED_AT: t.Final = 3
INFERRED: t.Final = 4

_get_running_loop = asyncio._get_running_loop
_current_task = asyncio.current_task
_current_thread = threading.current_thread
_ref = weakref.ref


@dataclass
class ContextInfo:
    """One pushed context as a learner sees it: a box in a thread's lane."""

    kind: str
    app: str
    age_ms: float
    depth: int
    pushes: int
    inferred: bool
    long_held: bool
    object_id: str
    g_keys: list[str] | None = None
    method: str | None = None
    path: str | None = None
    endpoint: str | None = None
    request_id: str | None = None
    request_object_id: str | None = None

    def to_dict(self) -> dict[str, t.Any]:
        data = asdict(self)
        if self.kind == APP:
            for key in ("method", "path", "endpoint", "request_id", "request_object_id"):
                del data[key]
        else:
            del data["g_keys"]
        return data


@dataclass
class TaskState:
    """An asyncio task that pushed contexts of its own."""

    name: str
    contexts: list[ContextInfo] = field(default_factory=list)

    def to_dict(self) -> dict[str, t.Any]:
        return {"name": self.name, "contexts": [c.to_dict() for c in self.contexts]}


@dataclass
class ThreadState:
    """A thread of the process and, bottom-up, the contexts pushed on it."""

    ident: int | None
    name: str
    daemon: bool
    serving: bool
    contexts: list[ContextInfo] = field(default_factory=list)
    tasks: list[TaskState] = field(default_factory=list)

    def to_dict(self) -> dict[str, t.Any]:
        return {
            "ident": self.ident,
            "name": self.name,
            "daemon": self.daemon,
            "serving": self.serving,
            "contexts": [c.to_dict() for c in self.contexts],
            "tasks": [task.to_dict() for task in self.tasks],
        }


@dataclass
class ContextsSnapshot:
    """What ``/api/contexts`` serves: every thread, idle ones included."""

    captured_at: str
    context_model: str
    long_held_ms: float
    threads: list[ThreadState]

    def to_dict(self) -> dict[str, t.Any]:
        return {
            "captured_at": self.captured_at,
            "context_model": self.context_model,
            "long_held_ms": self.long_held_ms,
            "threads": [thread.to_dict() for thread in self.threads],
        }


class _TaskStack:
    """A task's entries and the thread its event loop runs on."""

    __slots__ = ("entries", "thread")

    def __init__(self, thread: threading.Thread) -> None:
        self.thread = _ref(thread)
        self.entries: list[Entry] = []


class ContextRegistry:
    """Which contexts are pushed on which thread or task, right now.

    The four event methods run inline on the request's thread: they store a
    tuple and a ``perf_counter()``, format nothing, and never raise.
    """

    def __init__(self) -> None:
        self._threads: weakref.WeakKeyDictionary[threading.Thread, list[Entry]] = (
            weakref.WeakKeyDictionary()
        )
        self._tasks: weakref.WeakKeyDictionary[asyncio.Task[t.Any], _TaskStack] = (
            weakref.WeakKeyDictionary()
        )
        # Guards adding keys (and the snapshot's walk over tasks); a thread
        # only ever changes its own stack, so pushes and pops need no lock.
        self._lock = threading.Lock()

    # -- events, on the pushing thread ------------------------------------

    def app_pushed(self, app: Flask) -> None:
        """``appcontext_pushed``: an app context (maybe a request's) went on."""
        try:
            ctx = compat.current_app_context()
            if ctx is None:
                return
            stack = self._stack(create=True)
            assert stack is not None
            for entry in reversed(stack):
                if entry[KIND] == APP:
                    if entry[CONTEXT]() is ctx:
                        return  # the same context pushed again: depth shows it
                    break
            now = perf_counter()
            stack.append((APP, app.name, _ref(ctx), now, False))
            request_ctx = compat.request_context_pushing_app_context(sys._getframe(1))
            if request_ctx is not None:
                stack.append((REQUEST, app.name, _ref(request_ctx), now, True))
        except Exception:  # noqa: S110 - must never break the app it watches
            pass

    def app_popped(self, app: Flask) -> None:
        """``appcontext_popped``: keep only the entries still pushed."""
        with contextlib.suppress(Exception):  # must never break the app it watches
            self._drop_entries(_is_gone)

    def request_started(self, app: Flask, record_id: str | None) -> None:
        """``request_started``: link the request to its record; add it if unseen."""
        try:
            ctx = compat.current_request_context()
            if ctx is None:
                return
            if record_id is not None:
                request = compat.request_of(ctx)
                if request is not None:
                    request.environ[RECORD_ID_ENVIRON_KEY] = record_id
            stack = self._stack(create=True)
            assert stack is not None
            for entry in stack:
                if entry[CONTEXT]() is ctx:
                    return
            # Pushed on top of an app context that was already there: no
            # app push announced it, this is the first we hear of it.
            stack.append((REQUEST, app.name, _ref(ctx), perf_counter(), True))
        except Exception:  # noqa: S110 - must never break the app it watches
            pass

    def request_ended(self, app: Flask) -> None:
        """``request_tearing_down``: the request context is being popped."""
        try:
            ctx = compat.current_request_context()
            if ctx is not None:
                self._drop_entries(lambda entry: entry[CONTEXT]() is ctx)
        except Exception:  # noqa: S110 - must never break the app it watches
            pass

    # -- bookkeeping --------------------------------------------------------

    def _stack(self, create: bool) -> list[Entry] | None:
        """The calling task's stack if an event loop runs here, else the thread's."""
        if _get_running_loop() is not None:
            task = _current_task()
            if task is not None:
                task_stack = self._tasks.get(task)
                if task_stack is None:
                    if not create:
                        return None
                    task_stack = _TaskStack(_current_thread())
                    with self._lock:
                        self._tasks[task] = task_stack
                return task_stack.entries
        thread = _current_thread()
        stack = self._threads.get(thread)
        if stack is None and create:
            stack = []
            with self._lock:
                self._threads[thread] = stack
        return stack

    def _drop_entries(self, should_drop: t.Callable[[Entry], bool]) -> None:
        stack = self._stack(create=False)
        if stack:
            stack[:] = [entry for entry in stack if not should_drop(entry)]

    def pushed_count(self) -> int:
        """Entries still held for live contexts, on any thread or task."""
        with self._lock:
            stacks = [*self._threads.values()]
            stacks += [task_stack.entries for task_stack in self._tasks.values()]
        return sum(1 for stack in stacks for entry in list(stack) if not _is_gone(entry))

    # -- reading, on the thread that draws the page ------------------------

    def snapshot(self) -> ContextsSnapshot:
        """Every thread of the process with its contexts, bottom-up."""
        now = perf_counter()
        captured_at = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        serving = _current_thread()
        with self._lock:
            tasks = list(self._tasks.items())
        tasks_by_thread: dict[int, list[TaskState]] = {}
        for task, task_stack in tasks:
            contexts = describe_entries(list(task_stack.entries), now)
            thread = task_stack.thread()
            if contexts and thread is not None:
                state = TaskState(name=task.get_name(), contexts=contexts)
                tasks_by_thread.setdefault(id(thread), []).append(state)
        threads = []
        for thread in threading.enumerate():
            stack = self._threads.get(thread)
            threads.append(
                ThreadState(
                    ident=thread.ident,
                    name=thread.name,
                    daemon=thread.daemon,
                    serving=thread is serving,
                    contexts=describe_entries(list(stack or ()), now),
                    tasks=tasks_by_thread.get(id(thread), []),
                )
            )
        return ContextsSnapshot(
            captured_at=captured_at,
            context_model=compat.context_model(),
            long_held_ms=LONG_HELD_MS,
            threads=threads,
        )


def _is_gone(entry: Entry) -> bool:
    ctx = entry[CONTEXT]()
    return ctx is None or compat.push_count(ctx) <= 0


def describe_entries(entries: list[Entry], now: float) -> list[ContextInfo]:
    """Raw entries of one stack, bottom-up, as boxes a learner can read.

    ``depth`` is how deep the context variable is at that box, counting
    repeated pushes of one context, so nested and repeated pushes both show.
    With the merged model (Flask 3.2) an app context carrying a request is
    drawn as an app box with a request box on top, like the split model,
    because that is what ``current_app`` and ``request`` resolve to.
    """
    described: list[ContextInfo] = []
    depth = {APP: 0, REQUEST: 0}
    for entry in entries:
        ctx = entry[CONTEXT]()
        if ctx is None:
            continue
        pushes = compat.push_count(ctx)
        if pushes <= 0:
            continue
        kind = entry[KIND]
        age_ms = round((now - entry[PUSHED_AT]) * 1000.0, 1)
        depth[kind] += pushes
        info = ContextInfo(
            kind=kind,
            app=entry[APP_NAME],
            age_ms=age_ms,
            depth=depth[kind],
            pushes=pushes,
            inferred=entry[INFERRED],
            long_held=age_ms >= LONG_HELD_MS,
            object_id=f"{id(ctx):x}",
        )
        if kind == APP:
            info.g_keys = _g_keys(ctx)
            described.append(info)
            if compat.request_context_var() is None and compat.carries_request(ctx):
                depth[REQUEST] += pushes
                described.append(_merged_request_info(info, depth[REQUEST]))
                _add_request_details(described[-1], ctx)
        else:
            _add_request_details(info, ctx)
            described.append(info)
    return described


def _merged_request_info(app_info: ContextInfo, depth: int) -> ContextInfo:
    return ContextInfo(
        kind=REQUEST,
        app=app_info.app,
        age_ms=app_info.age_ms,
        depth=depth,
        pushes=app_info.pushes,
        inferred=False,
        long_held=app_info.long_held,
        object_id=app_info.object_id,
    )


def _add_request_details(info: ContextInfo, ctx: t.Any) -> None:
    """Method, path, endpoint and record id, read from the live request."""
    try:
        request = compat.request_of(ctx)
        if request is None:
            return
        info.method = str(request.method)
        info.path = str(request.path)
        rule = getattr(request, "url_rule", None)
        endpoint = getattr(rule, "endpoint", None)
        info.endpoint = str(endpoint) if endpoint is not None else None
        record_id = request.environ.get(RECORD_ID_ENVIRON_KEY)
        info.request_id = str(record_id) if record_id is not None else None
        info.request_object_id = f"{id(request):x}"
    except Exception:  # noqa: S110 - a request mid-teardown: show what we have
        pass


def _g_keys(ctx: t.Any) -> list[str]:
    try:
        return sorted(str(name) for name in vars(ctx.g))
    except Exception:
        return []
