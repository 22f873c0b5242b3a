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

A request served through the recorder's middleware (nearly every request)
takes a shorter way, because it is the per-request cost: its own app and
request contexts are not put on the thread's stack but on the request's
record (two weak references), and the record goes in ``served`` until its
app context is popped; the snapshot puts them back in their place on the
thread's lane, ordered by push time with whatever else that thread pushed.

There is no signal for a request context push. With Flask 3.0/3.1 a request
served through the recorder's middleware is seen at ``request_started``
(with its own app context, pushed a moment before: the recorder knows it is
coming and reports both at once), and so is one pushed on top of an app
context that was already there; any other (a request context copied into a
thread, a streamed body's re-push) is seen at the moment its app context is
pushed (see :class:`context_compat.RequestPushFinder`). Request entries are
marked ``inferred``. How many times a context is
pushed is read from the context itself when the page is drawn, so one context
entered twice shows two pushes without any bookkeeping here.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import typing as t
import weakref
from contextvars import ContextVar
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

LONG_HELD_MS = 2000.0
"""Contexts pushed for longer than this are highlighted on the page."""

# A raw entry, built on the request's thread, so a plain tuple:
# (kind, weak reference to the context, perf_counter() at push).
# The app's name is read from the context when the page is drawn, and a
# stored request entry is always inferred (no signal announces one).
Entry: t.TypeAlias = tuple[str, "weakref.ref[t.Any]", float]
KIND: t.Final = 0
CONTEXT: t.Final = 1
PUSHED_AT: t.Final = 2

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
    served_on: str | None = None
    """Name of the thread that served this request (from its record), if known."""
    own_request: bool | None = None
    """True: the request this thread serves; False: one served on another
    thread, carried here (``copy_current_request_context``); None: unknown."""

    def to_dict(self) -> dict[str, t.Any]:
        # Written out rather than ``asdict``: a page of 200 threads calls this
        # a few hundred times a second while it is open.
        data: dict[str, t.Any] = {
            "kind": self.kind,
            "app": self.app,
            "age_ms": self.age_ms,
            "depth": self.depth,
            "pushes": self.pushes,
            "inferred": self.inferred,
            "long_held": self.long_held,
            "object_id": self.object_id,
        }
        if self.kind == APP:
            data["g_keys"] = self.g_keys or []
        else:
            data["method"] = self.method
            data["path"] = self.path
            data["endpoint"] = self.endpoint
            data["request_id"] = self.request_id
            data["request_object_id"] = self.request_object_id
            data["served_on"] = self.served_on
            data["own_request"] = self.own_request
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


class ServedRequest(t.Protocol):
    """A request served through the recorder's middleware (its record).

    The registry sets ``app_context`` and ``request_context`` (weak
    references, ``None`` when not pushed or not separate) and
    ``contexts_pushed_at`` when the request starts, and clears
    ``app_context`` once that context is popped.
    """

    @property
    def thread(self) -> threading.Thread: ...

    app_context: weakref.ref[t.Any] | None
    request_context: weakref.ref[t.Any] | None
    contexts_pushed_at: float


class _TaskStack:
    """A task's entries and the thread its event loop runs on."""

    __slots__ = ("entries", "thread")

    def __init__(self, thread: threading.Thread) -> None:
        self.thread = _ref(thread)
        self.entries: list[Entry] = []


class ContextRegistry:
    """Which contexts are pushed on which thread or task, right now.

    The four event methods run inline on the request's thread: they store a
    tuple and a ``perf_counter()``, format nothing, and never raise. A request
    served through the recorder's middleware (the common case) skips the
    thread's stack altogether; otherwise each looks at the top of that stack.
    """

    def __init__(self, model: compat.ContextModel | None = None) -> None:
        self.model = model if model is not None else compat.detect_context_model()
        self._threads: weakref.WeakKeyDictionary[threading.Thread, list[Entry]] = (
            weakref.WeakKeyDictionary()
        )
        self._tasks: weakref.WeakKeyDictionary[asyncio.Task[t.Any], _TaskStack] = (
            weakref.WeakKeyDictionary()
        )
        # The same lists as ``_threads``, found without hashing a weak key.
        self._local = threading.local()
        # Requests being served through the middleware, by ``id()``: their
        # own contexts are held by them (see the module's docstring).
        self._served: dict[int, ServedRequest] = {}
        self.record_ids: t.Callable[[], t.Mapping[int, str]] | None = None
        """Set by the extension: the record id of each recorded request, by
        ``id()`` of its WSGI environ (alive as long as its record), so a
        request box, also one copied into a background thread, links to its
        record. Asked once per snapshot."""
        self.record_thread: t.Callable[[str], tuple[str, int | None] | None] | None = None
        """Set by the extension: the name and ident of the thread that served a
        recorded request, by record id, so a request box on another thread is
        told apart as a copy. Asked for each request box drawn."""
        # Guards adding keys and the snapshot's walk over tasks; a thread
        # only ever changes its own stack, so pushes and pops need no lock.
        self._lock = threading.Lock()
        # Resolved once so the events below make no Python-level calls in
        # the common case.
        model = self.model
        self._merged = model.name == compat.MERGED
        self._app_context = _getter(model.app_var)
        self._request_context = (
            _getter(model.request_var) if not self._merged else model.current_request_context
        )
        self._find_request_push = model.request_push_finder.find
        self._pushed_attribute = model.pushed_attribute

    # -- events, on the pushing thread ------------------------------------

    def app_pushed(self, app: Flask) -> None:
        """``appcontext_pushed``: an app context (maybe a request's) went on."""
        try:
            ctx = self._app_context()
            if ctx is None:
                return
            stack = self._stack(create=True)
            assert stack is not None
            if stack and _top_app_context(stack) is ctx:
                return  # the same context pushed again: its push count shows it
            now = perf_counter()
            stack.append((APP, _ref(ctx), now))
            if not self._merged:
                request_ctx = self._find_request_push()
                if request_ctx is not None:
                    stack.append((REQUEST, _ref(request_ctx), now))
        except Exception:  # noqa: S110 - must never break the app it watches
            pass

    def app_popped(self, app: Flask, served: ServedRequest | None = None) -> None:
        """``appcontext_popped``: drop what is no longer pushed from the top.

        ``served``: the request being served through the middleware on this
        thread, if any: when its own app context is the one popped, the
        request is forgotten, and the thread's stack is left alone.
        """
        try:
            if served is not None:
                app_context = served.app_context
                if app_context is not None:
                    ctx = app_context()
                    if ctx is None or not getattr(ctx, self._pushed_attribute, None):
                        served.app_context = None
                        self._served.pop(id(served), None)
                        return
            stack = self._stack(create=False)
            pushed_attribute = self._pushed_attribute
            while stack:
                ctx = stack[-1][CONTEXT]()
                # ``_cv_tokens`` (a list) or ``_push_count``: falsy once popped.
                if ctx is not None and getattr(ctx, pushed_attribute, None):
                    break
                stack.pop()
        except Exception:  # noqa: S110 - must never break the app it watches
            pass

    def request_started(self, app: Flask, served: ServedRequest | None = None) -> None:
        """``request_started``: add the request context if it is not seen yet.

        ``served``: the request is served through the recorder's middleware,
        which did not report the push of its own app context (that saves a
        call, and the search of the call stack for the request context): both
        contexts are kept on ``served`` until :meth:`app_popped` is told.
        """
        try:
            ctx = self._request_context()
            if ctx is None:
                return
            if served is not None:
                app_ctx = self._app_context()
                if app_ctx is not None:
                    served.app_context = _ref(app_ctx)
                    # With the merged model the request is the app context.
                    served.request_context = None if ctx is app_ctx else _ref(ctx)
                    served.contexts_pushed_at = perf_counter()
                    self._served[id(served)] = served
                    return
            stack = self._stack(create=True)
            assert stack is not None
            for entry in stack:  # a loop, not any(): no generator per request
                if entry[CONTEXT]() is ctx:
                    return  # seen when its app context was pushed (or it is that one)
            stack.append((REQUEST, _ref(ctx), perf_counter()))
        except Exception:  # noqa: S110 - must never break the app it watches
            pass

    def request_ended(self, app: Flask) -> None:
        """``request_tearing_down``: the request context is being popped.

        Only needed for a request context pushed over an app context that
        stays; otherwise ``app_popped`` cleans up right after. With the merged
        model the request is the app context, which ``app_popped`` removes.
        """
        try:
            if self._merged:
                return
            stack = self._stack(create=False)
            if stack and stack[-1][CONTEXT]() is self._request_context():
                stack.pop()
        except Exception:  # noqa: S110 - must never break the app it watches
            pass

    # -- bookkeeping --------------------------------------------------------

    def _stack(self, create: bool) -> list[Entry] | None:
        """This thread's stack, or the running asyncio task's while a loop runs here."""
        if _get_running_loop() is None:
            return self._thread_stack(create)
        return self._task_stack(create)

    def _thread_stack(self, create: bool) -> list[Entry] | None:
        stack: list[Entry] | None = getattr(self._local, "stack", None)
        if stack is None and create:
            stack = []
            self._local.stack = stack
            with self._lock:
                self._threads[_current_thread()] = stack
        return stack

    def _task_stack(self, create: bool) -> list[Entry] | None:
        """The running task's stack (the thread's when no task runs)."""
        task = _current_task()
        if task is None:
            return self._thread_stack(create)
        task_stack = self._tasks.get(task)
        if task_stack is None:
            if not create:
                return None
            task_stack = _TaskStack(_current_thread())
            with self._lock:
                self._tasks[task] = task_stack
        return task_stack.entries

    def pushed_count(self) -> int:
        """Entries still held for live, pushed contexts, on any thread or task."""
        with self._lock:
            stacks = [*self._threads.values()]
            stacks += [task_stack.entries for task_stack in self._tasks.values()]
        stacks += self._served_entries().values()
        return sum(1 for stack in stacks for entry in list(stack) if not _is_gone(entry))

    def served_count(self) -> int:
        """Requests served through the middleware whose contexts are held here."""
        self._served_entries()  # forgets those whose contexts are gone
        return len(self._served)

    def _served_entries(self) -> dict[threading.Thread, list[Entry]]:
        """The served requests' contexts as stack entries, by thread (the
        object, as for the stacks: a reused ident is another thread).

        A request whose app context is gone or popped (its receiver failed,
        say) is forgotten here, so nothing stays behind for good.
        """
        by_thread: dict[threading.Thread, list[Entry]] = {}
        for key, served in list(self._served.items()):
            app_context = served.app_context
            ctx = app_context() if app_context is not None else None
            if ctx is None or compat.push_count(ctx) <= 0:
                self._served.pop(key, None)
                continue
            assert app_context is not None
            pushed_at = served.contexts_pushed_at
            entries = by_thread.setdefault(served.thread, [])
            entries.append((APP, app_context, pushed_at))
            if served.request_context is not None:
                entries.append((REQUEST, served.request_context, pushed_at))
        return by_thread

    # -- reading, on the thread that draws the page ------------------------

    def snapshot(self) -> ContextsSnapshot:
        """Every thread of the process with its contexts, bottom-up."""
        now = perf_counter()
        captured_at = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        serving = _current_thread()
        record_ids = self.record_ids() if self.record_ids is not None else {}
        record_thread = self.record_thread
        with self._lock:
            tasks = list(self._tasks.items())
        tasks_by_thread: dict[int, list[TaskState]] = {}
        for task, task_stack in tasks:
            contexts = describe_entries(list(task_stack.entries), now, self._merged, record_ids)
            thread = task_stack.thread()
            if contexts and thread is not None:
                state = TaskState(name=task.get_name(), contexts=contexts)
                tasks_by_thread.setdefault(id(thread), []).append(state)
        served = self._served_entries()
        threads = []
        for thread in threading.enumerate():
            entries = list(self._threads.get(thread) or ())
            served_here = served.get(thread)
            if served_here:
                # In push order; a stable sort keeps an app context below
                # the request context pushed in the same instant.
                entries = sorted(entries + served_here, key=_pushed_at)
            contexts = describe_entries(entries, now, self._merged, record_ids)
            if record_thread is not None:
                _mark_own_requests(contexts, thread, record_thread)
            threads.append(
                ThreadState(
                    ident=thread.ident,
                    name=thread.name,
                    daemon=thread.daemon,
                    serving=thread is serving,
                    contexts=contexts,
                    tasks=tasks_by_thread.get(id(thread), []),
                )
            )
        return ContextsSnapshot(
            captured_at=captured_at,
            context_model=self.model.name,
            long_held_ms=LONG_HELD_MS,
            threads=threads,
        )


def _mark_own_requests(
    contexts: list[ContextInfo],
    thread: threading.Thread,
    record_thread: t.Callable[[str], tuple[str, int | None] | None],
) -> None:
    """Tell a request served on ``thread`` from one carried over from another."""
    for info in contexts:
        if info.kind != REQUEST or info.request_id is None:
            continue
        served_on = record_thread(info.request_id)
        if served_on is not None:
            info.served_on = served_on[0]
            info.own_request = served_on == (thread.name, thread.ident)


def _getter(var: ContextVar[t.Any] | None) -> t.Callable[[], t.Any]:
    """``var.get(None)`` as a C-level callable, or one that always says ``None``."""
    if var is None:
        return lambda: None
    return functools.partial(var.get, None)


def _pushed_at(entry: Entry) -> float:
    return entry[PUSHED_AT]


def _top_app_context(stack: list[Entry]) -> t.Any:
    for entry in reversed(stack):
        if entry[KIND] == APP:
            return entry[CONTEXT]()
    return None


def _is_gone(entry: Entry) -> bool:
    ctx = entry[CONTEXT]()
    return ctx is None or compat.push_count(ctx) <= 0


def describe_entries(
    entries: list[Entry], now: float, merged: bool, record_ids: t.Mapping[int, str]
) -> list[ContextInfo]:
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
            app=_app_name(ctx),
            age_ms=age_ms,
            depth=depth[kind],
            pushes=pushes,
            inferred=kind == REQUEST,
            long_held=age_ms >= LONG_HELD_MS,
            object_id=f"{id(ctx):x}",
        )
        if kind == APP:
            info.g_keys = _g_keys(ctx)
            described.append(info)
            if merged and compat.carries_request(ctx):
                depth[REQUEST] += pushes
                described.append(_merged_request_info(info, depth[REQUEST]))
                _add_request_details(described[-1], ctx, record_ids)
        else:
            _add_request_details(info, ctx, record_ids)
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


def _add_request_details(info: ContextInfo, ctx: t.Any, record_ids: t.Mapping[int, str]) -> None:
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
        info.request_id = record_ids.get(id(request.environ))
        info.request_object_id = f"{id(request):x}"
    except Exception:  # noqa: S110 - a request mid-teardown: show what we have
        pass


def _app_name(ctx: t.Any) -> str:
    try:
        return str(ctx.app.name)
    except Exception:
        return "?"


def _g_keys(ctx: t.Any) -> list[str]:
    try:
        return sorted(str(name) for name in vars(ctx.g))
    except Exception:
        return []
