"""The Flask context-model shims: detected by feature, never by version.

The installed Flask is checked for real, whichever model it has. Flask 3.2
is not released, so its layout (one ``AppContext`` carrying the request, counting
pushes in ``_push_count``, no ``_cv_request``) is described by a small class
with the same attribute names, and the detection and drawing are checked
against that shape.
"""

from __future__ import annotations

import threading
import types
import typing as t
from contextvars import ContextVar

import flask
import flask.ctx
import flask.globals
import flask.helpers
from flask import Flask

from flask_inspect import context_compat as compat
from flask_inspect.contexts import ContextRegistry

INSTALLED_IS_MERGED = getattr(flask.globals, "_cv_request", None) is None
"""Flask 3.2+ (its development branch today) has no request variable."""


def test_installed_flask_is_detected_by_its_features() -> None:
    model = compat.detect_context_model()
    assert model.app_var is flask.globals._cv_app
    if INSTALLED_IS_MERGED:
        assert model.name == compat.MERGED
        assert model.request_var is None
        assert model.pushed_attribute == "_push_count"
    else:
        assert model.name == compat.SPLIT
        assert model.request_var is flask.globals._cv_request
        assert model.pushed_attribute == "_cv_tokens"


def test_the_request_being_pushed_is_found_when_its_app_context_is_pushed() -> None:
    app = Flask("compat")
    model = compat.detect_context_model()
    found: list[object] = []

    def receiver(sender: Flask, **extra: object) -> None:
        if INSTALLED_IS_MERGED:  # the request is the app context being pushed
            found.append(model.current_request_context())
        else:  # the request context about to go on top of it
            found.append(model.request_push_finder.find())

    flask.appcontext_pushed.connect(receiver, app)
    try:
        ctx = app.test_request_context("/found")
        with ctx:
            pass
        with app.app_context():
            pass
    finally:
        flask.appcontext_pushed.disconnect(receiver, app)
    # First push: a request's, so that request's context; second: a plain
    # ``with app.app_context()``, so nothing.
    assert found == [ctx, None]


def test_push_count_and_request_helpers_on_the_installed_flask() -> None:
    app = Flask("compat")
    ctx = app.test_request_context("/x")
    assert compat.push_count(ctx) == 0
    with ctx:
        assert compat.push_count(ctx) == 1
        assert compat.carries_request(ctx)
        assert compat.request_of(ctx) is ctx.request
        if not INSTALLED_IS_MERGED:  # the request's own app context, beneath it
            implicit = flask.globals._cv_app.get()
            assert not compat.carries_request(implicit)
            assert compat.request_of(implicit) is None
    assert compat.push_count(ctx) == 0
    with app.app_context() as app_ctx:
        assert compat.push_count(app_ctx) == 1
        assert not compat.carries_request(app_ctx)
        assert compat.request_of(app_ctx) is None


def test_no_context_variable_means_nothing_is_watched_but_threads_are_listed() -> None:
    model = compat.detect_context_model({"flask.globals": types.SimpleNamespace()})
    assert model.name == compat.UNKNOWN
    registry = ContextRegistry(model)
    app = Flask("compat")
    with app.app_context():
        registry.app_pushed(app)
        assert registry.pushed_count() == 0
    names = [thread.name for thread in registry.snapshot().threads]
    assert threading.current_thread().name in names


class _MergedRequest:
    """Just what the drawing reads from a request."""

    method = "GET"
    path = "/merged"
    url_rule = types.SimpleNamespace(endpoint="merged_view")

    def __init__(self) -> None:
        self.environ: dict[str, t.Any] = {}


class Flask32StyleAppContext:
    """The attribute layout of Flask 3.2's merged ``AppContext``."""

    _merged_var: ContextVar[t.Any] = ContextVar("merged_app_ctx")

    def __init__(self, app: Flask, request: _MergedRequest | None) -> None:
        self.app = app
        self.g = types.SimpleNamespace()
        self._request = request
        self._push_count = 0
        self._cv_token: t.Any = None

    @property
    def has_request(self) -> bool:
        return self._request is not None

    @property
    def request(self) -> _MergedRequest:
        if self._request is None:
            raise RuntimeError("There is no request in this context.")
        return self._request

    def push(self) -> None:
        self._push_count += 1
        if self._cv_token is None:
            self._cv_token = self._merged_var.set(self)

    def pop(self) -> None:
        self._push_count -= 1
        if self._push_count == 0:
            self._merged_var.reset(self._cv_token)
            self._cv_token = None


def _merged_modules() -> dict[str, t.Any]:
    return {
        "flask.globals": types.SimpleNamespace(_cv_app=Flask32StyleAppContext._merged_var),
        "flask.ctx": types.SimpleNamespace(AppContext=Flask32StyleAppContext),
        "flask.helpers": flask.helpers,
    }


def test_merged_model_is_detected_by_has_request_on_the_app_context() -> None:
    model = compat.detect_context_model(_merged_modules())
    assert model.name == compat.MERGED
    assert model.request_var is None
    assert model.pushed_attribute == "_push_count"
    assert model.request_push_finder.find() is None


def test_merged_model_helpers_read_the_request_from_the_app_context() -> None:
    model = compat.detect_context_model(_merged_modules())
    app = Flask("merged")
    plain = Flask32StyleAppContext(app, None)
    with_request = Flask32StyleAppContext(app, _MergedRequest())
    assert not compat.carries_request(plain)
    assert compat.request_of(plain) is None
    assert compat.carries_request(with_request)
    with_request.push()
    try:
        assert model.current_request_context() is with_request
        assert compat.push_count(with_request) == 1
    finally:
        with_request.pop()
    assert compat.push_count(with_request) == 0
    assert model.current_request_context() is None


def test_merged_model_draws_one_context_as_an_app_box_and_a_request_box() -> None:
    registry = ContextRegistry(compat.detect_context_model(_merged_modules()))
    app = Flask("merged")
    request = _MergedRequest()
    registry.record_ids = lambda: {id(request.environ): "7-abc"}  # as the recorder answers
    ctx = Flask32StyleAppContext(app, request)
    ctx.push()
    registry.app_pushed(app)
    registry.request_started(app)
    (lane,) = [
        thread
        for thread in registry.snapshot().threads
        if thread.ident == threading.current_thread().ident
    ]
    app_box, request_box = lane.contexts
    assert (app_box.kind, app_box.app, app_box.inferred) == ("app", "merged", False)
    # Observed, not inferred: the pushed app context carries the request.
    assert (request_box.kind, request_box.inferred) == ("request", False)
    assert (request_box.path, request_box.endpoint) == ("/merged", "merged_view")
    assert request_box.request_id == "7-abc"
    assert app_box.object_id == request_box.object_id
    registry.request_ended(app)
    ctx.pop()
    registry.app_popped(app)
    assert registry.pushed_count() == 0
