"""A class-based view: one MethodView serving several methods and rules."""

from __future__ import annotations

from flask import request
from flask.typing import ResponseReturnValue
from flask.views import MethodView

ITEMS: dict[int, str] = {1: "tea", 2: "coffee"}


class ItemsAPI(MethodView):
    """``/api/items`` (GET, POST) and ``/api/items/<int:item_id>`` (GET, DELETE)."""

    def get(self, item_id: int | None = None) -> ResponseReturnValue:
        if item_id is None:
            return {"items": ITEMS}
        if item_id not in ITEMS:
            return {"error": "no such item"}, 404
        return {"id": item_id, "name": ITEMS[item_id]}

    def post(self) -> ResponseReturnValue:
        name = str((request.get_json(silent=True) or {}).get("name", "unnamed"))
        new_id = max(ITEMS, default=0) + 1
        ITEMS[new_id] = name
        return {"id": new_id, "name": name}, 201

    def delete(self, item_id: int) -> ResponseReturnValue:
        ITEMS.pop(item_id, None)
        return "", 204
