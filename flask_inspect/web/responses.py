"""Small helpers shared by the panel's views."""

from __future__ import annotations

import typing as t

from flask import Response
from flask import current_app
from flask import json
from flask import request


def is_api_request() -> bool:
    """True for URLs under ``<prefix>/api/``."""
    return request.blueprint is not None and "/api/" in request.path


def api_json(payload: t.Any, status: int = 200) -> Response:
    body = json.dumps(payload, indent=None, separators=(",", ":"))
    return current_app.response_class(body, status=status, mimetype="application/json")


def api_error(status: int, error: str, detail: str) -> Response:
    """The API's error shape: ``{"error": ..., "detail": ...}`` with a 4xx status."""
    return api_json({"error": error, "detail": detail}, status=status)
