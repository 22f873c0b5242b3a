"""The badge: a small link from an HTML page to the record of its own request.

Only a whole HTML document held in memory is touched: a streamed body cannot
be edited without buffering it, a compressed one without decompressing it,
and anything that is not HTML has nowhere to put a link. The link goes before
the last ``</body>`` and the Content-Length follows the new body. It needs no
script and no inline style (so it works under the app's own CSP): a plain
``<a>`` with a class, and the panel's small stylesheet that places it.

>>> insert_before_body_end(b"<body>hi</body>", b"<a>x</a>")
b'<body>hi<a>x</a></body>'
"""

from __future__ import annotations

import typing as t

from flask import request
from markupsafe import escape

from . import settings

if t.TYPE_CHECKING:
    from flask import Flask
    from flask import Response

BADGE_CLASS = "flask-inspect-badge"
BADGE_STYLESHEET = "/static/flask_inspect/badge.css"

# Statuses whose body must stay exactly as it is (or is empty anyway).
_UNTOUCHED_STATUSES = frozenset({204, 206, 304})


def add_badge(app: Flask, response: Response, record_id: str, panel_root: str) -> Response:
    """``response`` with the badge added, when it is an HTML page the client may follow."""
    if not wants_badge(response):
        return response
    if not settings.client_allowed(app, request.remote_addr):
        return response  # the link would only lead to a 403
    html = insert_before_body_end(response.get_data(), badge_html(panel_root, record_id))
    if html is not None:
        response.set_data(html)  # also sets Content-Length
    return response


def wants_badge(response: Response) -> bool:
    """An in-memory, uncompressed HTML document with a body."""
    status = response.status_code
    if status < 200 or status in _UNTOUCHED_STATUSES:
        return False
    if response.direct_passthrough or response.is_streamed:
        return False
    headers = response.headers
    if "Content-Encoding" in headers or "Content-Range" in headers:
        return False
    mimetype, _, parameters = headers.get("Content-Type", "").partition(";")
    if mimetype.strip().lower() != "text/html":
        return False
    # The link is ASCII; it can only be spliced into an ASCII-compatible body.
    return "utf-16" not in parameters.lower() and "utf-32" not in parameters.lower()


def badge_html(panel_root: str, record_id: str) -> bytes:
    """The link (and the stylesheet that places it), escaped, as UTF-8."""
    href = escape(f"{panel_root}/requests/{record_id}")
    stylesheet = escape(panel_root + BADGE_STYLESHEET)
    html = (
        f'<link rel="stylesheet" href="{stylesheet}">'
        f'<a class="{BADGE_CLASS}" href="{href}" data-flask-inspect-request="{escape(record_id)}"'
        ' title="See this request in flask-inspect">inspect</a>'
    )
    return html.encode("utf-8")


def insert_before_body_end(html: bytes, snippet: bytes) -> bytes | None:
    """``html`` with ``snippet`` before its last ``</body>``, or ``None`` if it has none."""
    index = html.rfind(b"</body>")
    if index < 0:
        index = html.lower().rfind(b"</body>")
        if index < 0:
            return None
    return html[:index] + snippet + html[index:]
