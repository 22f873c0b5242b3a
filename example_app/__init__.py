"""The teaching app: the Flask primer's ideas, each one visible in the panel.

Start it with ``python -m example_app`` and open http://127.0.0.1:5000/_inspect/.
"""

from __future__ import annotations

from .app import app
from .app import create_app

__all__ = ["app", "create_app"]
