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

import functools
import typing as t

from flask import has_request_context
from flask import request
from markupsafe import escape

from . import settings
from .access import request_host
from .access import server_name_allowed

if t.TYPE_CHECKING:
    from flask import Flask
    from flask import Response

BADGE_CLASS = "flask-inspect-badge"
BADGE_STYLESHEET = "/static/flask_inspect/badge.css"

# Statuses whose body must stay exactly as it is (or is empty anyway).
_UNTOUCHED_STATUSES = frozenset({204, 206, 304})
# Headers saying the body is not the whole document as written.
_UNTOUCHABLE_HEADERS = frozenset({"content-encoding", "content-range"})


def html_page_end(response: Response) -> tuple[bytes, int] | None:
    """The in-memory body and where its last ``</body>`` starts, if it has one.

    The body is looked at before anything else: most responses (JSON,
    fragments, plain text) have no ``</body>``, and finding that out is
    cheaper than reading headers.
    """
    chunks = response.response
    if type(chunks) is list and len(chunks) == 1 and type(chunks[0]) is bytes:
        html = chunks[0]  # what get_data() would join, without the generator
    elif response.is_streamed or response.direct_passthrough:
        return None
    else:
        html = response.get_data()
    index = body_end(html)
    return None if index < 0 else (html, index)


def add_badge(
    app: Flask,
    response: Response,
    page: tuple[bytes, int],
    record_id: str,
    panel_root: str,
    remote_addr: str | None,
) -> Response:
    """``response`` with the badge added, when it is an HTML page the client may follow.

    ``page`` is what :func:`html_page_end` found in its body.
    """
    if not wants_badge(response):
        return response
    if not _client_allowed(app, remote_addr) or not _host_allowed(app):
        return response  # the link would only lead to a 403
    html, index = page
    response.set_data(html[:index] + badge_html(panel_root, record_id) + html[index:])
    return response  # set_data also set Content-Length


def wants_badge(response: Response) -> bool:
    """An in-memory, uncompressed HTML document with a body."""
    status = response.status_code
    if status < 200 or status in _UNTOUCHED_STATUSES:
        return False
    if response.direct_passthrough or response.is_streamed:
        return False
    # One pass over the few headers: ``name in headers`` raises and catches a
    # KeyError for every absent name, which costs more than this whole check.
    # Iterating the headers themselves (not ``items()``) runs no generator.
    content_type = ""
    for name, value in response.headers:
        lowered = name.lower()
        if lowered == "content-type":
            content_type = value
        elif lowered in _UNTOUCHABLE_HEADERS:
            return False
    mimetype, _, parameters = content_type.partition(";")
    if mimetype.strip().lower() != "text/html":
        return False
    # The link is ASCII; it can only be spliced into an ASCII-compatible body.
    parameters = parameters.lower()
    return "utf-16" not in parameters and "utf-32" not in parameters


def _client_allowed(app: Flask, remote_addr: str | None) -> bool:
    """``settings.client_allowed``, with a fast answer for the usual listed address."""
    hosts = app.config.get(settings.ALLOWED_HOSTS)
    if isinstance(hosts, (tuple, list, set, frozenset)) and remote_addr in hosts:
        return True
    return settings.client_allowed(app, remote_addr)


def _host_allowed(app: Flask) -> bool:
    """The page was asked for under a name the panel answers (not through a tunnel)."""
    if not has_request_context():
        return True
    return server_name_allowed(app, request_host(request.environ))


def badge_html(panel_root: str, record_id: str) -> bytes:
    """The link (and the stylesheet that places it), escaped, as UTF-8."""
    before, after = _badge_parts(panel_root)
    if record_id.isascii() and record_id.replace("-", "").isalnum():
        # The recorder's own ids (hex digits and a dash) need no escaping,
        # and checking that costs less than escaping them.
        return before + record_id.encode("ascii") + after
    return before + escape(record_id).encode("utf-8") + after


@functools.lru_cache(maxsize=16)
def _badge_parts(panel_root: str) -> tuple[bytes, bytes]:
    """The badge around its record id, per panel root (one per mount point)."""
    root = escape(panel_root)
    before = (
        f'<link rel="stylesheet" href="{root}{BADGE_STYLESHEET}">'
        f'<a class="{BADGE_CLASS}" title="See this request in flask-inspect" '
        f'href="{root}/requests/'
    )
    return before.encode("utf-8"), b'">inspect</a>'


def body_end(html: bytes) -> int:
    """Where the last ``</body>`` starts (any letter case), or -1."""
    index = html.rfind(b"</body>")
    # ``find``, not ``in``: ``bytes in bytes`` first tries the operand as an
    # integer and so raises and clears a TypeError, on every response.
    if index < 0 and html.find(b"</") >= 0:
        index = html.lower().rfind(b"</body>")
    return index


def insert_before_body_end(html: bytes, snippet: bytes) -> bytes | None:
    """``html`` with ``snippet`` before its last ``</body>``, or ``None`` if it has none."""
    index = body_end(html)
    if index < 0:
        return None
    return html[:index] + snippet + html[index:]
