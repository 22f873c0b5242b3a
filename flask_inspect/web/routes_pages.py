"""Routes view: the URL map page and ``/api/routes``."""

from __future__ import annotations

import json
import os

from flask import Blueprint
from flask import Response
from flask import render_template
from flask import request

from ..route_lint import lint_routes
from ..route_lint import notes_by_rule_index
from ..route_listing import app_routes
from ..route_listing import is_panel_route
from ..route_listing import match_numbers
from ..routes import describe_routes
from ..routes import split_rule
from .match_pages import example_links
from .panel_app import inspected_app
from .responses import api_json


def register(blueprint: Blueprint) -> None:
    blueprint.add_url_rule("/routes", "routes", routes_page)
    blueprint.add_url_rule("/api/routes", "api_routes", routes_api)


def routes_page() -> str:
    app = inspected_app()
    routes = describe_routes(app)
    panel_blueprint = request.blueprint
    app_only = app_routes(routes, panel_blueprint)
    return render_template(
        "flask_inspect/routes.html",
        active="routes",
        routes=routes,
        blueprints=sorted({route.blueprint for route in routes if route.blueprint}),
        converters=sorted({arg.converter for route in routes for arg in route.arguments}),
        methods=sorted({method for route in routes for method in route.methods}),
        host_matching=app.url_map.host_matching,
        rule_tokens=split_rule,
        as_json=_as_json,
        source_root=os.getcwd(),
        panel_blueprint=panel_blueprint,
        is_panel_route=is_panel_route,
        app_route_count=len(app_only),
        panel_route_count=len(routes) - len(app_only),
        app_numbers=match_numbers(app_only),
        all_numbers=match_numbers(routes),
        match_links=example_links(app),
        lint_notes=notes_by_rule_index(lint_routes(app)),
    )


def routes_api() -> Response:
    app = inspected_app()
    return api_json({"routes": [route.to_dict() for route in describe_routes(app)]})


def _as_json(value: object) -> str:
    """JSON as a plain string, so the template escapes it like any other text."""
    return json.dumps(value, sort_keys=True, default=repr)
