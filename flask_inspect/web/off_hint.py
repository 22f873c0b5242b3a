"""While the panel is off, a local visitor to its URLs learns how to turn it on.

Still a 404, as the panel's URLs answer while it is off, but with one
sentence instead of a bare "Not Found": the panel follows debug mode unless
``INSPECT_ENABLED`` says otherwise. Only a client that would be allowed to
see the panel gets the sentence; anyone else gets exactly what the app would
answer without the extension (its own 404 handler, if it has one).
"""

from __future__ import annotations

import typing as t

from flask import Response
from flask import request

from ..access import may_see_panel
from .responses import api_error
from .responses import is_api_request

if t.TYPE_CHECKING:
    from flask import Flask

PANEL_OFF = (
    "flask-inspect is off: it is on while the app runs in debug mode "
    "(flask run --debug, or app.run(debug=True)), or with INSPECT_ENABLED = True."
)


def panel_off_hint(app: Flask) -> Response | None:
    """The 404 that says how to turn the panel on, or ``None`` for other clients.

    Other clients are those the panel itself would refuse: by address, by
    forwarded address, or by the ``Host`` they asked for.
    """
    if not may_see_panel(app, request.environ):
        return None
    if is_api_request():
        return api_error(404, "panel_off", PANEL_OFF)
    return Response(PANEL_OFF + "\n", status=404, mimetype="text/plain")
