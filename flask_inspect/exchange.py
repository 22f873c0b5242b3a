"""A request's inputs and its response, drawn for the record's detail.

Pure functions of what the recorder kept (the environ, the response headers,
the snapshots made by :mod:`flask_inspect.capture`), run off the serving
thread when a record is drawn. Everything leaving here is bounded and
redacted: a name that looks secret (``INSPECT_REDACT``) hides its value,
cookies and the session are shown by name only, and a ``Set-Cookie`` header
keeps the cookie's name and attributes but never its value.
"""

from __future__ import annotations

import typing as t
from urllib.parse import parse_qsl

from . import redact
from . import settings
from .capture import TRUNCATED

if t.TYPE_CHECKING:
    import re

    from flask import Flask

    from .capture import LogEntry

MAX_QUERY_ARGS = 50
MAX_COOKIES = 50
MAX_HEADERS = 100


def query_arguments(app: Flask, query_string: str) -> list[list[str]]:
    """``[[name, value], ...]`` as the app's ``request.args`` parses them, redacted by name."""
    is_secret = redact.secret_parameter_test(app)
    pairs = []
    for index, (name, value) in enumerate(_parse_query(query_string)):
        if index == MAX_QUERY_ARGS:
            pairs.append([TRUNCATED, TRUNCATED])
            break
        shown = settings.REDACTED if is_secret(name) else redact.bounded_text(value)
        pairs.append([redact.bounded_text(name), shown])
    return pairs


def _parse_query(query_string: str) -> list[tuple[str, str]]:
    """Parsed as Werkzeug parses ``request.args`` (WSGI strings carry latin-1 bytes)."""
    try:
        text = query_string.encode("latin-1").decode("utf-8", "replace")
    except UnicodeEncodeError:
        text = query_string
    return parse_qsl(text, keep_blank_values=True)


def cookie_names(cookie_header: str) -> list[str]:
    """The names of the cookies the client sent; their values are never shown."""
    names = []
    for part in cookie_header.split(";"):
        name = part.split("=", 1)[0].strip()
        if name:
            names.append(redact.bounded_text(name, 200))
        if len(names) == MAX_COOKIES:
            break
    return names


def request_body(
    app: Flask, environ: t.Mapping[str, t.Any], body: tuple[str, t.Any] | None
) -> dict[str, t.Any]:
    """What the request carried and what of it the app parsed.

    ``kind`` is ``"json"`` or ``"form"`` (parsed by the app, shown redacted),
    ``"unread"`` (a body the app never parsed, so it is not shown) or
    ``"none"`` (no body was sent).
    """
    content_type = _text(environ.get("CONTENT_TYPE")) or None
    length_text = _text(environ.get("CONTENT_LENGTH"))
    content_length = int(length_text) if length_text.isdigit() else None
    drawn: dict[str, t.Any] = {"content_type": content_type, "content_length": content_length}
    pattern = settings.redact_pattern(app)
    if body is not None and body[0] == "json":
        drawn.update(kind="json", value=redacted_json(body[1], pattern))
    elif body is not None and body[0] == "form":
        fields = []
        for name, value in body[1]:
            if pattern.search(name):
                fields.append([name, {"repr": settings.REDACTED, "type": "str"}])
            elif name == TRUNCATED:
                fields.append([name, {"repr": TRUNCATED, "type": ""}])
            else:
                fields.append([name, redact.describe_value(value)])
        drawn.update(kind="form", fields=fields)
    elif content_length or environ.get("HTTP_TRANSFER_ENCODING"):
        drawn.update(kind="unread")
    else:
        drawn.update(kind="none")
    return drawn


def redacted_json(value: t.Any, pattern: re.Pattern[str]) -> t.Any:
    """A bounded JSON snapshot with secret-looking keys' values replaced, ready to serialise."""
    if isinstance(value, dict):
        return {
            name: settings.REDACTED if pattern.search(name) else redacted_json(item, pattern)
            for name, item in value.items()
        }
    if isinstance(value, list):
        return [redacted_json(item, pattern) for item in value]
    if isinstance(value, str):
        return redact.bounded_text(value)
    if value is None or type(value) in (bool, int, float):
        return value
    return redact.describe_value(value)["repr"]


def session_keys(session: tuple[list[str], int, bool] | None) -> dict[str, t.Any] | None:
    if session is None:
        return None
    names, count, modified = session
    return {
        "keys": [redact.bounded_text(name, 200) for name in names],
        "count": count,
        "modified": modified,
    }


def response_facts(
    app: Flask, headers: list[tuple[str, str]] | None, sent_bytes: int | None
) -> dict[str, t.Any] | None:
    """The response's headers (redacted), type, redirect target and body size.

    ``None`` until the app started its response. The size is the
    ``Content-Length`` the app sent, else the bytes counted while a streamed
    body was sent (``None`` while it is still being sent).
    """
    if headers is None:
        return None
    pattern = settings.redact_pattern(app)
    shown = []
    content_type = location = None
    content_length: int | None = None
    for name, value in list(headers)[:MAX_HEADERS]:
        lowered = name.lower()
        if lowered == "set-cookie":
            shown.append([name, set_cookie_without_value(value)])
            continue
        if lowered == "content-type":
            content_type = value
        elif lowered == "location":
            location = value
        elif lowered == "content-length" and value.strip().isdigit():
            content_length = int(value)
        hidden = pattern.search(name.replace("-", "_")) and lowered not in _NEVER_SECRET
        shown.append([name, settings.REDACTED if hidden else redact.bounded_text(value)])
    return {
        "headers": shown,
        "content_type": content_type,
        "location": None if location is None else redact.bounded_text(location),
        "body_bytes": content_length if content_length is not None else sent_bytes,
    }


_NEVER_SECRET = frozenset({"content-type", "content-length", "location"})


def set_cookie_without_value(header: str) -> str:
    """``name=[redacted]; Path=/; HttpOnly``: what the cookie is, not what it holds."""
    first, _, attributes = header.partition(";")
    name = first.split("=", 1)[0].strip()
    shown = f"{name}={settings.REDACTED}"
    if attributes.strip():
        shown += "; " + attributes.strip()
    return redact.bounded_text(shown)


def log_records(logs: t.Sequence[LogEntry], dropped: int, started_at: float) -> dict[str, t.Any]:
    return {
        "records": [
            {
                "t_ms": round((entry.created - started_at) * 1000, 3),
                "level": entry.level,
                "logger": entry.logger,
                "message": entry.message,
                "exception": entry.exception,
            }
            for entry in list(logs)
        ],
        "dropped": dropped,
    }


def template_context(app: Flask, context: t.Sequence[tuple[str, t.Any]]) -> dict[str, t.Any]:
    """A template's context values (plain ones shown, others by type), redacted by name."""
    return redact.describe_mapping(app, dict(context))


def _text(value: t.Any) -> str:
    return value if isinstance(value, str) else ""
