"""The panel's URL, printed once when the development server starts.

``flask run --debug`` and ``app.run(debug=True)`` start Werkzeug's server,
which logs ``* Running on http://127.0.0.1:5000`` once, in one log record,
with the port really bound (also for ``--port 0``). With the reloader the
process that logs it is the one watching files, and the process serving
requests stays quiet; so the panel's URL rides on that same record: one
line under the server's own, printed once however many processes load the
app, and only when the panel is on by the time the server starts
(``app.run(debug=True)`` turns debug on just before).

The hook is a filter on the ``werkzeug`` logger that adds to the record and
never drops one: with that logger silenced, nothing is printed, like the
server's own line. Only the app that server serves is announced, however
many apps with the panel the process holds.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import types
import typing as t
import weakref

from werkzeug.serving import BaseWSGIServer

from . import settings

if t.TYPE_CHECKING:
    from flask import Flask

_RUNNING_ON = re.compile(r"\* Running on (https?://[^\s/]+)")


class PanelURLNotice(logging.Filter):
    """Adds `` * flask-inspect panel: <url>`` to Werkzeug's "Running on" record."""

    def __init__(self) -> None:
        super().__init__("flask_inspect")
        self.apps: weakref.WeakSet[Flask] = weakref.WeakSet()
        self._lock = threading.Lock()

    def watch(self, app: Flask) -> None:
        with self._lock:
            self.apps.add(app)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            if isinstance(record.msg, str) and "Running on" in record.msg:
                self._add_panel_url(record)
        except Exception:  # noqa: S110 - a log line must never break the server
            pass
        return True

    def _add_panel_url(self, record: logging.LogRecord) -> None:
        app = self._served_app()
        if app is None or not settings.is_enabled(app):
            return
        message = record.getMessage()
        line = panel_line(message, settings.url_prefix(app))
        if line is not None:
            record.msg = f"{message}\n{line}"
            record.args = None

    def _served_app(self) -> Flask | None:
        """The app of the server logging its start, if it is one of ours.

        Werkzeug logs from ``BaseWSGIServer.log_startup``: the server is
        ``self`` a few frames up. Its WSGI app may be wrapped (the debugger,
        a proxy fix), each wrapper keeping the next as ``.app``.
        """
        with self._lock:
            apps = list(self.apps)
        frame: types.FrameType | None = sys._getframe(1)
        for _ in range(_FRAMES_SEARCHED):
            if frame is None:
                return None
            server = frame.f_locals.get("self")
            if isinstance(server, BaseWSGIServer):
                wsgi_app: object = server.app
                for _ in range(_WRAPPERS_UNWRAPPED):
                    found = next((app for app in apps if app is wsgi_app), None)
                    if found is not None or wsgi_app is None:
                        return found
                    wsgi_app = getattr(wsgi_app, "app", None)
                return None
            frame = frame.f_back
        return None


_FRAMES_SEARCHED = 20
_WRAPPERS_UNWRAPPED = 6


def panel_line(message: str, url_prefix: str) -> str | None:
    """The line naming the panel, for the server's start-up ``message``.

    The first address is the one to use: when serving on all addresses it is
    the loopback one, which the panel answers by default.
    """
    found = _RUNNING_ON.search(message)
    if found is None:
        return None
    return f" * flask-inspect panel: {found.group(1)}{url_prefix}/"


_NOTICE = PanelURLNotice()


def print_panel_url_at_startup(app: Flask) -> None:
    """Have the development server's start-up message name ``app``'s panel."""
    _NOTICE.watch(app)
    werkzeug_logger = logging.getLogger("werkzeug")
    if _NOTICE not in werkzeug_logger.filters:
        werkzeug_logger.addFilter(_NOTICE)
