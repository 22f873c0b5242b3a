"""Contexts view (filled in by its own issue; until then the page says so)."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template


def register(blueprint: Blueprint) -> None:
    blueprint.add_url_rule("/contexts", "contexts", contexts_page)


def contexts_page() -> str:
    return render_template("flask_inspect/not_yet.html", active="contexts", title="Contexts")
