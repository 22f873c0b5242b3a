"""flask-inspect: see inside a running Flask app.

``Inspect(app)`` adds a panel at ``/_inspect/`` with the URL map, route explain,
request history and live contexts; the same data is served as JSON and by
``flask inspect ...``.
"""

from __future__ import annotations

from .extension import Inspect
from .routes import RouteInfo
from .routes import describe_routes

__all__ = ["Inspect", "RouteInfo", "describe_routes"]
__version__ = "0.1.0"
