"""How the running Flask keeps its contexts, detected by feature.

Flask 3.0 and 3.1 keep two context variables: ``_cv_app`` holds an
``AppContext`` and ``_cv_request`` a separate ``RequestContext`` whose push
implicitly pushes an app context first. Each context counts its pushes in a
``_cv_tokens`` list. Flask 3.2 merges the two: one ``AppContext`` carries the
request (``has_request``), counts pushes in ``_push_count``, and
``_cv_request`` is gone.

Nothing private is imported at module level: every name is looked up with
``getattr`` the first time it is needed, so the same code runs on all three
and degrades to "unknown" instead of failing on a future layout.
"""

from __future__ import annotations

import sys
import typing as t
from contextvars import ContextVar
from types import CodeType
from types import FrameType

SPLIT = "split"
"""Flask 3.0/3.1: a request context sits on top of an app context."""

MERGED = "merged"
"""Flask 3.2+: the request lives inside the app context."""

_UNRESOLVED: t.Any = object()
_app_var: t.Any = _UNRESOLVED
_request_var: t.Any = _UNRESOLVED
_request_push_codes: t.Any = _UNRESOLVED

# Frames between the registry's ``app_pushed`` and the code pushing a request:
# the recorder's receiver, blinker's ``send``, ``AppContext.push`` and
# ``__enter__``; a few spare for wrappers and subclasses.
FRAMES_TO_SEARCH = 8


def _flask_globals() -> t.Any:
    return sys.modules.get("flask.globals")


def app_context_var() -> ContextVar[t.Any] | None:
    """Flask's context variable holding the current app context, if it has one."""
    global _app_var
    if _app_var is _UNRESOLVED:
        _app_var = getattr(_flask_globals(), "_cv_app", None)
    return t.cast("ContextVar[t.Any] | None", _app_var)


def app_context_carries_request() -> bool:
    """The merged model's feature: ``AppContext`` itself has ``has_request``."""
    app_context_class = getattr(sys.modules.get("flask.ctx"), "AppContext", None)
    return getattr(app_context_class, "has_request", None) is not None


def request_context_var() -> ContextVar[t.Any] | None:
    """The separate request context variable (Flask < 3.2), else ``None``."""
    global _request_var
    if _request_var is _UNRESOLVED:
        split = not app_context_carries_request()
        _request_var = getattr(_flask_globals(), "_cv_request", None) if split else None
    return t.cast("ContextVar[t.Any] | None", _request_var)


def context_model() -> str:
    """``"split"`` when Flask has a separate request context, else ``"merged"``."""
    return SPLIT if request_context_var() is not None else MERGED


def current_app_context() -> t.Any:
    """The app context active in the calling thread or task, or ``None``."""
    var = app_context_var()
    return var.get(None) if var is not None else None


def current_request_context() -> t.Any:
    """The context carrying the current request, or ``None``.

    With the split model that is the ``RequestContext``; with the merged model
    it is the app context itself when it carries a request.
    """
    var = request_context_var()
    if var is not None:
        return var.get(None)
    ctx = current_app_context()
    if ctx is not None and carries_request(ctx):
        return ctx
    return None


def carries_request(ctx: t.Any) -> bool:
    """Whether ``ctx`` holds a request: always for a split request context."""
    has_request = getattr(ctx, "has_request", None)
    if has_request is not None:
        return bool(has_request)
    return getattr(ctx, "request", None) is not None


def request_of(ctx: t.Any) -> t.Any:
    """The request object a context carries, or ``None``."""
    request = getattr(ctx, "_request", None)
    if request is not None:
        return request
    try:
        return getattr(ctx, "request", None)
    except RuntimeError:
        return None


def push_count(ctx: t.Any) -> int:
    """How many times ``ctx`` is pushed right now (0 once fully popped)."""
    count = getattr(ctx, "_push_count", None)
    if isinstance(count, int):
        return count
    tokens = getattr(ctx, "_cv_tokens", None)
    if tokens is not None:
        return len(tokens)
    token = getattr(ctx, "_cv_token", None)
    return 1 if token is not None else 0


def _request_context_push_codes() -> dict[CodeType, str]:
    """Code objects that push an app context just before a request context.

    Maps each to the name of its local holding that request context:
    ``RequestContext.push`` itself (``self``), and the generator inside
    ``stream_with_context``, which since Flask 3.1.1 pushes the recorded app
    context and then the request context again when streaming starts, after
    the request was torn down once (``req_ctx``).
    """
    global _request_push_codes
    if _request_push_codes is _UNRESOLVED:
        codes: dict[CodeType, str] = {}
        if request_context_var() is not None:
            request_context = getattr(sys.modules.get("flask.ctx"), "RequestContext", None)
            push_code = getattr(getattr(request_context, "push", None), "__code__", None)
            if isinstance(push_code, CodeType):
                codes[push_code] = "self"
            stream = getattr(sys.modules.get("flask.helpers"), "stream_with_context", None)
            stream_code = getattr(stream, "__code__", None)
            for constant in getattr(stream_code, "co_consts", ()):
                if isinstance(constant, CodeType) and constant.co_name == "generator":
                    codes[constant] = "req_ctx"
        _request_push_codes = codes
    return t.cast("dict[CodeType, str]", _request_push_codes)


def request_context_pushing_app_context(frame: FrameType | None) -> t.Any:
    """The ``RequestContext`` about to be pushed on top of this app context.

    With the split model a request's app context is pushed a moment before
    the request context, and no signal ever announces the request context.
    Looking a few frames up from the ``appcontext_pushed`` receiver for the
    code that does this (see :func:`_request_context_push_codes`) tells us,
    at push time and on the pushing thread, that a request context is coming
    and which one. This is also how a request copied into a background thread
    by ``copy_current_request_context`` is seen: no ``request_started`` is
    sent there. Returns ``None`` with the merged model (the app context
    carries its request itself) or when the push came from anywhere else.
    """
    codes = _request_context_push_codes()
    if not codes:
        return None
    for _ in range(FRAMES_TO_SEARCH):
        if frame is None:
            return None
        local_name = codes.get(frame.f_code)
        if local_name is not None:
            return frame.f_locals.get(local_name)
        frame = frame.f_back
    return None
