"""``flask inspect ...``: the panel's data on the command line (thin)."""

from __future__ import annotations

import json
import os
import typing as t

import click
from flask import current_app
from flask.cli import with_appcontext

from .routes import RouteInfo
from .routes import describe_routes

SORT_KEYS: dict[str, t.Callable[[RouteInfo], t.Any]] = {
    "match": lambda route: route.priority,
    "rule": lambda route: (route.rule, route.priority),
    "endpoint": lambda route: (route.endpoint, route.priority),
}


@click.group("inspect", help="Look inside this Flask app (flask-inspect).")
def inspect_group() -> None:
    """The ``flask inspect`` command group."""


@inspect_group.command("routes")
@click.option("--json", "as_json", is_flag=True, help="Print the routes as JSON.")
@click.option(
    "--sort",
    type=click.Choice(sorted(SORT_KEYS)),
    default="match",
    show_default=True,
    help="'match' is the order Werkzeug really tries the rules in.",
)
@click.option("--filter", "filter_text", default="", help="Only rules containing this text.")
@with_appcontext
def routes_command(as_json: bool, sort: str, filter_text: str) -> None:
    """List every URL rule with its converters, methods and view."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    routes = [route for route in describe_routes(app) if _route_matches(route, filter_text)]
    routes.sort(key=SORT_KEYS[sort])
    if as_json:
        click.echo(json.dumps({"routes": [route.to_dict() for route in routes]}, indent=2))
        return
    if not routes:
        click.echo("No routes match." if filter_text else "No routes.")
        return
    click.echo(format_routes_table(routes))
    if sort == "match":
        click.echo("\nOrder: match priority (# = the order Werkzeug tries rules).")


def format_routes_table(routes: list[RouteInfo]) -> str:
    """A plain-text table; converters appear as ``name:type``."""
    header = ("#", "Methods", "Rule", "Arguments", "Endpoint", "View")
    rows = [header]
    for route in routes:
        rows.append(
            (
                str(route.priority),
                ",".join(m for m in route.methods if m not in route.automatic_methods) or "-",
                _rule_with_host(route),
                " ".join(f"{arg.name}:{arg.python_type}" for arg in route.arguments) or "-",
                route.endpoint,
                route.view.location_relative_to(os.getcwd()) if route.view else "-",
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(header) - 1)]
    lines = []
    for index, row in enumerate(rows):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)] + [row[-1]]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths) + "  " + "-" * len(header[-1]))
    return "\n".join(lines)


def _rule_with_host(route: RouteInfo) -> str:
    if route.host:
        return f"{route.host}|{route.rule}"
    if route.subdomain:
        return f"{route.subdomain}.|{route.rule}"
    return route.rule


def _route_matches(route: RouteInfo, text: str) -> bool:
    if not text:
        return True
    needle = text.lower()
    haystack = [route.rule, route.endpoint, route.blueprint or "", route.host or ""]
    haystack += [route.subdomain or "", route.view.qualname if route.view else ""]
    haystack += [arg.converter for arg in route.arguments]
    return any(needle in item.lower() for item in haystack)
