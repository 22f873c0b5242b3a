"""A recorded request as a ``curl`` command that sends it again.

Built from the record's detail (the same dictionary the API serves), so it
works for any history backend, and holds only what the detail holds: a
header, query value or body field that was redacted is left out (a command
sending ``[redacted]`` would only mislead), and what was left out is listed
next to the command. Every argument is quoted for a POSIX shell.

>>> curl_command({"method": "GET", "url": "http://localhost/", "headers": []})["command"]
'curl -g -i http://localhost/'
"""

from __future__ import annotations

import ast
import json
import shlex
import typing as t
from urllib.parse import urlencode

from . import settings
from .capture import CUT_MARK
from .capture import TRUNCATED
from .redact import MAX_REPR

# Headers curl sets itself from the command (or that would garble its output).
_LEFT_TO_CURL = frozenset({"host", "content-length", "connection", "accept-encoding"})


def curl_command(detail: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """``{"command": str, "complete": bool, "left_out": [str, ...]}`` for one record."""
    method = str(detail.get("method") or "GET")
    left_out: list[str] = []
    url = str(detail.get("url") or "")
    if settings.REDACTED in url or "%5Bredacted%5D" in url:
        left_out.append("a redacted query value (the URL has [redacted] in its place)")
    arguments = ["curl", "-g", "-i"]  # -g: brackets in a URL are not a glob
    if method == "HEAD":
        arguments.append("--head")
    elif method != "GET":
        arguments += ["-X", method]
    arguments.append(url)
    for name, value in detail.get("headers") or []:
        if str(name).lower() in _LEFT_TO_CURL:
            continue
        if value == settings.REDACTED:
            left_out.append(f"the {name} header (redacted)")
            continue
        arguments += ["-H", f"{name}: {value}"]
    data, body_note = _body_argument(detail.get("body") or {})
    if data is not None:
        arguments += ["--data-raw", data]
    if body_note:
        left_out.append(body_note)
    return {
        "command": " ".join(shlex.quote(argument) for argument in arguments),
        "complete": not left_out,
        "left_out": left_out,
    }


def _body_argument(body: t.Mapping[str, t.Any]) -> tuple[str | None, str | None]:
    """The body to send again, and why it is missing or incomplete (if it is)."""
    kind = body.get("kind")
    if kind == "json":
        value = body.get("value")
        text = json.dumps(value, ensure_ascii=False)
        if _holds_cut(value):
            return text, "part of the JSON body (redacted or cut values are sent as shown)"
        return text, None
    if kind == "form":
        pairs = []
        note = None
        for name, described in body.get("fields") or []:
            raw = _form_value(described)
            if raw is None or name == TRUNCATED:
                note = "part of the form (redacted, cut or non-text fields)"
                continue
            pairs.append((name, raw))
        return urlencode(pairs), note
    if kind == "unread":
        return None, "the body (the app never parsed it, so it was not recorded)"
    return None, None


def _form_value(described: t.Mapping[str, str]) -> str | None:
    """A form field's text back from its repr, unless it was redacted, cut or not text."""
    text = described.get("repr", "")
    if described.get("type") != "str" or text == settings.REDACTED or len(text) >= MAX_REPR:
        return None
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


def _holds_cut(value: t.Any) -> bool:
    """Whether a JSON snapshot holds a redacted or truncated part."""
    if isinstance(value, dict):
        return any(name == TRUNCATED or _holds_cut(item) for name, item in value.items())
    if isinstance(value, list):
        return any(_holds_cut(item) for item in value)
    return isinstance(value, str) and (
        value == settings.REDACTED or value.startswith(TRUNCATED) or value.endswith(CUT_MARK)
    )
