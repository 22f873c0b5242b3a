"""What the running Flask and Werkzeug do, so tests assert that behaviour.

Flask's development branch (the next release) changes a few defaults; a test
that depends on one reads it here instead of assuming a version. Each fact is
found by asking the running library, or by its version where there is nothing
to ask.
"""

from __future__ import annotations

import re
import typing as t
from importlib.metadata import version

import flask
import werkzeug.routing.exceptions
from flask import Flask
from flask import appcontext_pushed
from flask import stream_with_context
from werkzeug.routing import Map
from werkzeug.routing import Rule

from flask_inspect import context_compat


def _release(distribution: str) -> tuple[int, int, int]:
    """``(3, 1, 3)`` for "3.1.3"; a development build counts as its release."""
    numbers = re.findall(r"\d+", version(distribution))[:3]
    return tuple(int(part) for part in (*numbers, "0", "0")[:3])  # type: ignore[return-value]


FLASK_VERSION = _release("flask")
WERKZEUG_VERSION = _release("werkzeug")

MERGED_CONTEXTS = context_compat.detect_context_model().name == context_compat.MERGED
"""Flask 3.2+: one context carries both the app and the request."""

with Flask(__name__).app_context():
    REDIRECT_STATUS = flask.redirect("/elsewhere").status_code
"""What ``redirect(url)`` answers without a code: 302, or 303 from Flask 3.2."""


def _streamed_body_pushes() -> int:
    """App-context pushes during one streamed request of a bare app."""
    app = Flask(__name__)
    pushes = []

    @app.route("/")
    def streamed() -> t.Any:
        def body() -> t.Iterator[str]:
            yield "streamed"

        return stream_with_context(body())

    def count(sender: Flask, **extra: t.Any) -> None:
        pushes.append(sender)

    with appcontext_pushed.connected_to(count, app):
        app.test_client().get("/").close()
    return len(pushes)


STREAM_PUSHES_AGAIN = _streamed_body_pushes() == 2
"""Flask 3.1.1+: ``stream_with_context`` pushes the contexts again for the body,
after the request was torn down once; before, it kept them pushed from the view."""


class _NeverRaised(Exception):
    """Stands for ``DuplicateRuleError`` where Werkzeug has none."""


DuplicateRuleError: type[Exception] = getattr(
    werkzeug.routing.exceptions, "DuplicateRuleError", _NeverRaised
)


def _duplicate_rules_refused() -> bool:
    """Whether Werkzeug refuses a rule equal to one already in the map."""
    url_map = Map([Rule("/same", endpoint="first")])
    try:
        url_map.add(Rule("/same", endpoint="second"))
    except DuplicateRuleError:
        return True
    return False


DUPLICATE_RULES_REFUSED = _duplicate_rules_refused()
"""Werkzeug 3.2+ raises ``DuplicateRuleError`` when a rule duplicates one in the
map; before, the later rule was kept and could never match."""
