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

import contextlib
import datetime
import decimal
import fractions
import reprlib
import typing as t
import uuid
from urllib.parse import unquote_plus

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


_CONTAINERS: frozenset[type] = frozenset({list, tuple, set, frozenset, dict})


def plain_repr(value: t.Any) -> str:
    """The exact built-in ``repr`` of a plain value (or a small container of them).

    Anything else is shown as ``<module.Type object>``: its own ``__repr__``
    is the app's code, and may hang, raise or be huge. For the match view,
    whose ``repr`` must read exactly as the converted value's.
    """
    if _is_plain(value, 3):
        with contextlib.suppress(Exception):  # built-in reprs of plain values do not fail
            return repr(value)
    return f"<{type_name(type(value))} object>"


def _is_plain(value: t.Any, depth: int) -> bool:
    kind = type(value)
    if kind in _PLAIN_TYPES:
        return True
    if kind not in _CONTAINERS or depth <= 0 or len(value) > 100:
        return False
    if kind is dict:
        return all(_is_plain(k, depth - 1) and _is_plain(v, depth - 1) for k, v in value.items())
    return all(_is_plain(item, depth - 1) for item in value)


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

    Names are read as words (:func:`settings.name_words`), so ``X-Api-Key``
    is caught by ``API_KEY`` as its WSGI spelling ``HTTP_X_API_KEY`` would
    be. A value that carries a query (a ``Referer``) or is form-like has the
    secret-looking parameters inside it redacted.
    """
    is_secret = settings.secret_name_test(app)
    return [
        (
            name,
            settings.REDACTED if is_secret(name) else bounded_text(redact_text(app, value)),
        )
        for name, value in pairs
    ]


def describe_mapping(app: Flask, mapping: t.Mapping[str, t.Any]) -> dict[str, dict[str, str]]:
    """``{name: {"repr", "type"}}`` for kept values, secret-looking names redacted."""
    is_secret = settings.secret_name_test(app)
    described = {}
    for name, value in mapping.items():
        if is_secret(name):
            described[name] = {"repr": settings.REDACTED, "type": describe_value(value)["type"]}
        elif isinstance(value, str) and _looks_form_like(value):
            described[name] = describe_value(redact_text(app, str.__str__(value)))
        else:
            described[name] = describe_value(value)
    return described


def redact_path(app: Flask, path: str, view_args: t.Mapping[str, t.Any] | None) -> str:
    """``/reset/abc123`` -> ``/reset/[redacted]`` when ``abc123`` is the ``token`` view argument.

    The segments holding the value of a secret-looking view argument are
    replaced (text, numbers and UUIDs, as their URL text reads).
    """
    if not view_args:
        return path
    is_secret = settings.secret_name_test(app)
    for name, value in view_args.items():
        if type(value) not in _PATH_VALUE_TYPES or not is_secret(name):
            continue
        text = str(value)
        if not text:
            continue
        if "/" in text:
            path = path.replace(text, settings.REDACTED)
        else:
            path = "/".join(
                settings.REDACTED if segment == text else segment for segment in path.split("/")
            )
    return path


_PATH_VALUE_TYPES: frozenset[type] = frozenset({str, int, float, uuid.UUID})


def redact_query(app: Flask, query: str) -> str:
    """``a=1&token=x`` -> ``a=1&token=[redacted]``: values of secret-looking parameters.

    Parameter names are matched after percent-decoding; the text is otherwise
    left exactly as it was.
    """
    if "=" not in query:
        return query
    is_secret = secret_parameter_test(app)
    pairs = []
    for pair in query.split("&"):
        name, equals, _ = pair.partition("=")
        if equals and is_secret(unquote_plus(name)):
            pair = f"{name}={settings.REDACTED}"
        pairs.append(pair)
    return "&".join(pairs)


def secret_parameter_test(app: Flask) -> t.Callable[[str], bool]:
    """Whether a query or form parameter's (decoded) name hides its value.

    Wider than for headers and keys: in a query string ``code``, ``key`` and
    ``sig`` (OAuth codes, signed URLs) are secrets too.
    """
    is_secret = settings.secret_name_test(app)

    def test(name: str) -> bool:
        name = name.strip()
        return name.lower() in settings.QUERY_SECRET_NAMES or is_secret(name)

    return test


def redact_text(app: Flask, text: str) -> str:
    """A URL's query (a ``Referer``), or a form-like value, with its secrets redacted."""
    if "=" not in text:
        return text
    before, question, rest = text.partition("?")
    if question:
        query, hash_sign, fragment = rest.partition("#")
        return before + "?" + redact_query(app, query) + hash_sign + fragment
    if _looks_form_like(text):
        return redact_query(app, text)
    return text


def _looks_form_like(text: str) -> bool:
    """``name=value`` pairs joined by ``&`` (``a=1&b=2``, ``password=x``), not prose."""
    if "=" not in text or " " in text.strip():
        return False
    return all("=" in pair for pair in text.split("&") if pair)
