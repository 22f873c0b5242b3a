"""A blueprint with a URL prefix, and a nested one inside it."""

from __future__ import annotations

from flask import Blueprint
from flask import url_for

shop = Blueprint("shop", __name__, url_prefix="/shop")
admin = Blueprint("admin", __name__, url_prefix="/admin")


@shop.route("/")
def catalogue() -> str:
    return f'<h1>Shop</h1><p><a href="{url_for(".item", item_id=7)}">Item 7</a></p>'


@shop.route("/item/<int:item_id>")
def item(item_id: int) -> str:
    return f"<h1>Item {item_id}</h1>"


@admin.route("/")
def dashboard() -> str:
    return "<h1>Shop admin</h1>"


shop.register_blueprint(admin)
