"""Overview: what the panel offers and the state of the app at a glance."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version

from flask import Blueprint
from flask import render_template
from flask import request

from .panel_app import inspected_app


def register(blueprint: Blueprint) -> None:
    blueprint.add_url_rule("/", "overview", overview_page)


def overview_page() -> str:
    app = inspected_app()
    # Counted as the Routes page lists them: the app's own, the panel's apart.
    panel_blueprint = request.blueprint
    rules = list(app.url_map.iter_rules())
    panel_rules = [rule for rule in rules if _is_panel(str(rule.endpoint), panel_blueprint)]
    return render_template(
        "flask_inspect/overview.html",
        active="overview",
        app_name=app.name,
        debug=app.debug,
        rule_count=len(rules) - len(panel_rules),
        panel_rule_count=len(panel_rules),
        blueprint_count=len([name for name in app.blueprints if name != panel_blueprint]),
        versions={name: _version(name) for name in ("flask", "werkzeug", "blinker")},
    )


def _is_panel(endpoint: str, panel_blueprint: str | None) -> bool:
    return panel_blueprint is not None and endpoint.startswith(panel_blueprint + ".")


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"
