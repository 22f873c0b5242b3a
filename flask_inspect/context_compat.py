"""How the running Flask keeps its contexts, detected by feature.

Flask 3.0 and 3.1 keep two context variables: ``_cv_app`` holds an
``AppContext`` and ``_cv_request`` a separate ``RequestContext`` whose push
implicitly pushes an app context first. Each context counts its pushes in a
``_cv_tokens`` list. Flask 3.2 merges the two: one ``AppContext`` carries the
request (``has_request``), counts its pushes in ``_push_count``, and
``_cv_request`` is gone.

Nothing private is imported at module level: :func:`detect_context_model`
looks every name up with ``getattr`` once Flask is loaded, so the same code
runs on all three and degrades to "nothing seen" on a layout it does not know.
"""

from __future__ import annotations

import inspect
import sys
import typing as t
from contextvars import ContextVar
from dataclasses import dataclass
from dataclasses import field
from types import CodeType
from types import FrameType

SPLIT = "split"
"""Flask 3.0/3.1: a request context sits on top of an app context."""

MERGED = "merged"
"""Flask 3.2+: the request lives inside the app context."""

UNKNOWN = "unknown"
"""No context variable found: nothing can be watched."""

# How far up from the registry to look for the code pushing a request: the
# recorder's receiver, blinker's ``send``, ``AppContext.push`` and
# ``__enter__``, then a few spare for wrappers and subclasses.
FRAMES_TO_SEARCH = 10
OFFSETS_REMEMBERED = 4


def push_count(ctx: t.Any) -> int:
    """How many times ``ctx`` is pushed right now (0 once fully popped)."""
    count = getattr(ctx, "_push_count", None)
    if isinstance(count, int):
        return count
    tokens = getattr(ctx, "_cv_tokens", None)
    if tokens is not None:
        return len(tokens)
    return 1 if getattr(ctx, "_cv_token", None) is not None else 0


def request_of(ctx: t.Any) -> t.Any:
    """The request object a context carries, or ``None``."""
    request = getattr(ctx, "_request", None)
    if request is not None:
        return request
    try:
        return getattr(ctx, "request", None)
    except RuntimeError:  # the merged model's property raises without one
        return None


def carries_request(ctx: t.Any) -> bool:
    """Whether ``ctx`` holds a request (always, for a split request context)."""
    has_request = getattr(ctx, "has_request", None)
    if has_request is not None:
        return bool(has_request)
    return request_of(ctx) is not None


class RequestPushFinder:
    """Finds the request context about to be pushed over an app context.

    With the split model a request's app context is pushed a moment before
    the request context, and no signal ever announces the request context.
    Looking up the call stack of the ``appcontext_pushed`` receiver for the
    code doing that push tells us, at push time and on the pushing thread,
    which request context is coming. It is how a request copied into a
    background thread by ``copy_current_request_context`` is seen (no
    ``request_started`` there) and a streamed response's re-push.

    Where it was found (frame offset and code) is remembered, so a request's
    push costs one ``sys._getframe`` and an identity check instead of a walk.
    Code objects are compared with ``is``: hashing one is slow.
    """

    def __init__(self, codes: dict[CodeType, str]) -> None:
        self._codes = tuple(codes.items())
        self._hits: tuple[tuple[int, CodeType, str], ...] = ()

    def find(self) -> t.Any:
        """The request context being pushed, seen from the registry's caller."""
        if not self._codes:
            return None
        get_frame = sys._getframe
        for offset, code, local_name in self._hits:
            try:
                frame = get_frame(offset)
            except ValueError:
                continue
            if frame.f_code is code:
                return frame.f_locals.get(local_name)
        walked: FrameType | None = get_frame(2)
        for offset in range(2, 2 + FRAMES_TO_SEARCH):
            if walked is None:
                return None
            walked_code = walked.f_code
            for code, local_name in self._codes:
                if walked_code is code:
                    self._remember(offset, code, local_name)
                    return walked.f_locals.get(local_name)
            walked = walked.f_back
        return None

    def _remember(self, offset: int, code: CodeType, local_name: str) -> None:
        for hit in self._hits:
            if hit[0] == offset and hit[1] is code:
                return
        self._hits = ((offset, code, local_name), *self._hits)[:OFFSETS_REMEMBERED]


@dataclass
class ContextModel:
    """The running Flask's context layout, resolved once by feature."""

    name: str
    app_var: ContextVar[t.Any] | None
    request_var: ContextVar[t.Any] | None
    request_push_finder: RequestPushFinder = field(default_factory=lambda: RequestPushFinder({}))
    pushed_attribute: str = "_cv_tokens"
    """Truthy while a context is pushed: a token list (split) or a count (merged)."""

    def current_app_context(self) -> t.Any:
        """The app context active in the calling thread or task, or ``None``."""
        return self.app_var.get(None) if self.app_var is not None else None

    def current_request_context(self) -> t.Any:
        """The context carrying the current request, or ``None``.

        Split model: the ``RequestContext``. Merged model: the app context
        itself, when it carries a request.
        """
        if self.request_var is not None:
            return self.request_var.get(None)
        ctx = self.current_app_context()
        if ctx is not None and carries_request(ctx):
            return ctx
        return None


def detect_context_model(modules: t.Mapping[str, t.Any] | None = None) -> ContextModel:
    """Inspect the imported Flask (``modules`` defaults to ``sys.modules``)."""
    modules = sys.modules if modules is None else modules
    flask_globals = modules.get("flask.globals")
    flask_ctx = modules.get("flask.ctx")
    app_var = getattr(flask_globals, "_cv_app", None)
    if not isinstance(app_var, ContextVar):
        return ContextModel(name=UNKNOWN, app_var=None, request_var=None)
    app_context_class = getattr(flask_ctx, "AppContext", None)
    if getattr(app_context_class, "has_request", None) is not None:
        return ContextModel(
            name=MERGED, app_var=app_var, request_var=None, pushed_attribute="_push_count"
        )
    request_var = getattr(flask_globals, "_cv_request", None)
    if not isinstance(request_var, ContextVar):
        return ContextModel(name=UNKNOWN, app_var=app_var, request_var=None)
    finder = RequestPushFinder(_request_push_codes(flask_ctx, modules.get("flask.helpers")))
    return ContextModel(
        name=SPLIT, app_var=app_var, request_var=request_var, request_push_finder=finder
    )


def _request_push_codes(flask_ctx: t.Any, flask_helpers: t.Any) -> dict[CodeType, str]:
    """Code that pushes an app context just before a request context.

    Maps each code object to the name of its local holding that request
    context: ``RequestContext.push`` itself (``self``), and the generator in
    ``stream_with_context``, which since Flask 3.1.1 pushes the recorded app
    context and then the request context again when streaming starts, after
    the request was torn down once (``req_ctx``).
    """
    codes: dict[CodeType, str] = {}
    request_context_class = getattr(flask_ctx, "RequestContext", None)
    push_code = getattr(getattr(request_context_class, "push", None), "__code__", None)
    if isinstance(push_code, CodeType):
        codes[push_code] = "self"
    stream = getattr(flask_helpers, "stream_with_context", None)
    for constant in getattr(getattr(stream, "__code__", None), "co_consts", ()):
        if isinstance(constant, CodeType) and constant.co_name == "generator":
            codes[constant] = "req_ctx"
    return codes


def update_template_context(app: t.Any, context: dict[str, t.Any]) -> None:
    """``app.update_template_context`` called the way the running Flask wants.

    Flask 3.0/3.1 take the template context alone; from Flask 3.2 the active
    app context comes first. Told apart by the method's signature (it is only
    called to draw an explained error page, so the look-up costs nothing that
    matters), and the app context is read from ``flask.globals``.
    """
    method = app.update_template_context
    if _required_positional_parameters(method) >= 2:
        flask_globals = sys.modules.get("flask.globals")
        app_var = getattr(flask_globals, "_cv_app", None)
        ctx = app_var.get(None) if isinstance(app_var, ContextVar) else None
        method(ctx, context)
    else:
        method(context)


def _required_positional_parameters(function: t.Callable[..., t.Any]) -> int:
    """How many arguments ``function`` (bound) needs by position; 1 if unknown."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return 1
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    empty = inspect.Parameter.empty
    return sum(1 for p in parameters if p.kind in kinds and p.default is empty)
