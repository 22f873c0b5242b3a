"""Overview: what the panel offers and the state of the app at a glance."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version

from flask import Blueprint
from flask import render_template

from .panel_app import inspected_app


def register(blueprint: Blueprint) -> None:
    blueprint.add_url_rule("/", "overview", overview_page)


def overview_page() -> str:
    app = inspected_app()
    return render_template(
        "flask_inspect/overview.html",
        active="overview",
        app_name=app.name,
        debug=app.debug,
        rule_count=len(list(app.url_map.iter_rules())),
        blueprint_count=len(app.blueprints),
        versions={name: _version(name) for name in ("flask", "werkzeug", "blinker")},
    )


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"
