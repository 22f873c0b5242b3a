"""Values made safe to keep and to show: bounded, redacted, never foreign code.

A request's values outlive the request in the history, and are shown later on
another thread. Two dangers follow. Keeping an arbitrary object alive can
keep a resource alive (a database connection in ``g``, a model loaded by a
custom converter), so only values of a few plain types are kept; anything
else is kept as its type alone (:func:`keep`). And showing an object means
calling its ``__repr__``, which may raise, hang or be huge, so only the
built-in ``repr`` of those plain types is ever called, cut to a bounded length
(:func:`describe_value`).

>>> describe_value(keep(5))
{'repr': '5', 'type': 'int'}
>>> describe_value(keep(object()))["repr"]
'<object object>'
"""

from __future__ import annotations

import datetime
import decimal
import fractions
import reprlib
import typing as t
import uuid

from . import settings

if t.TYPE_CHECKING:
    from flask import Flask

MAX_REPR = 200
"""Longest repr shown; longer ones are cut in the middle with ``...``."""

# Types whose ``repr`` is the standard library's own: it cannot hang, and
# keeping such a value holds no resource.
_PLAIN_TYPES: frozenset[type] = frozenset(
    {
        str,
        bytes,
        int,
        float,
        complex,
        bool,
        type(None),
        uuid.UUID,
        datetime.date,
        datetime.datetime,
        datetime.time,
        datetime.timedelta,
        decimal.Decimal,
        fractions.Fraction,
    }
)

PLAIN_TYPES = _PLAIN_TYPES
"""The types :func:`keep` keeps as they are (for callers that inline it)."""

_REPR = reprlib.Repr()
_REPR.maxstring = MAX_REPR
_REPR.maxother = MAX_REPR
_REPR.maxlong = MAX_REPR


class Opaque:
    """Stands in for a value that was not kept: only its type is known."""

    __slots__ = ("type_",)

    def __init__(self, type_: type) -> None:
        self.type_ = type_


def keep(value: t.Any) -> t.Any:
    """``value`` itself if it is of a plain type, else an :class:`Opaque` of its type.

    Cheap enough for the request path: one type lookup, no formatting.
    """
    if type(value) in _PLAIN_TYPES:
        return value
    return Opaque(type(value))


def type_name(type_: type) -> str:
    """``int`` for built-ins, ``module.Qualname`` for everything else."""
    module = getattr(type_, "__module__", None)
    qualname = getattr(type_, "__qualname__", None) or getattr(type_, "__name__", "?")
    if module in (None, "builtins"):
        return str(qualname)
    return f"{module}.{qualname}"


def describe_value(value: t.Any) -> dict[str, str]:
    """``{"repr": ..., "type": ...}`` for a value returned by :func:`keep`."""
    if isinstance(value, Opaque):
        name = type_name(value.type_)
        return {"repr": f"<{name} object>", "type": name}
    return {"repr": bounded_repr(value), "type": type_name(type(value))}


def bounded_repr(value: t.Any) -> str:
    """The built-in ``repr`` of a plain value, at most about :data:`MAX_REPR` long."""
    if type(value) not in _PLAIN_TYPES:
        return f"<{type_name(type(value))} object>"
    try:
        return _REPR.repr(value)
    except Exception:
        return f"<{type_name(type(value))} (repr failed)>"


def bounded_text(text: str, limit: int = MAX_REPR * 5) -> str:
    """Text cut to ``limit`` characters, marking the cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 3] + "..."


def plain_text(value: t.Any) -> str | None:
    """An exact ``str`` for a ``str`` (or subclass, such as ``Markup``), else ``None``.

    ``str.__str__`` is called directly so a subclass's own ``__str__`` never runs.
    """
    if isinstance(value, str):
        return str.__str__(value)
    return None


def redact_pairs(app: Flask, pairs: t.Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Header-like ``(name, value)`` pairs, secret-looking values replaced.

    Names are matched with dashes read as underscores, so ``X-Api-Key`` is
    caught by ``API_KEY`` as its WSGI spelling ``HTTP_X_API_KEY`` would be.
    """
    pattern = settings.redact_pattern(app)
    return [
        (
            name,
            settings.REDACTED if pattern.search(name.replace("-", "_")) else bounded_text(value),
        )
        for name, value in pairs
    ]


def describe_mapping(app: Flask, mapping: t.Mapping[str, t.Any]) -> dict[str, dict[str, str]]:
    """``{name: {"repr", "type"}}`` for kept values, secret-looking names redacted."""
    pattern = settings.redact_pattern(app)
    described = {}
    for name, value in mapping.items():
        if pattern.search(name):
            described[name] = {"repr": settings.REDACTED, "type": describe_value(value)["type"]}
        else:
            described[name] = describe_value(value)
    return described
