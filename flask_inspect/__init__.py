"""flask-inspect: see inside a running Flask app.

``Inspect(app)`` adds a panel at ``/_inspect/`` with the URL map, route explain,
request history and live contexts; the same data is served as JSON and by
``flask inspect ...``.
"""

from __future__ import annotations

from .explain import Explanation
from .explain import explain
from .extension import Inspect
from .routes import RouteInfo
from .routes import describe_routes

__all__ = ["Explanation", "Inspect", "RouteInfo", "describe_routes", "explain"]
__version__ = "0.1.0"
