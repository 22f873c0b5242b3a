"""``python -m example_app``: run the teaching app with the panel in debug mode."""

from __future__ import annotations

import os

from .app import app

if __name__ == "__main__":
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    # The server's start-up message names the panel's URL (flask_inspect.startup_notice).
    app.run(host=host, port=port, debug=True)
