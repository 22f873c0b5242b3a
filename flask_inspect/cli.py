"""``flask inspect ...``: the panel's data on the command line (thin)."""

from __future__ import annotations

import json
import os
import typing as t

import click
from flask import current_app
from flask.cli import with_appcontext

from .explain import ExplainInputError
from .explain import check_script_name
from .explain import explain
from .explain import locate_path
from .explain import split_target
from .explain_text import format_explanation
from .explain_text import format_lint_notes
from .route_lint import lint_routes
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
    shown = {route.registration_index for route in routes}
    notes = [note for note in lint_routes(app) if note.rule_index in shown]
    for line in format_lint_notes(notes):
        click.echo(line)


@inspect_group.command("match")
@click.argument("path")
@click.option("-X", "--method", default="GET", show_default=True, help="The HTTP method.")
@click.option("--host", default=None, help="Host to match on (default: SERVER_NAME or localhost).")
@click.option("--websocket", is_flag=True, help="Match as a WebSocket request.")
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON.")
@click.option("--all", "show_all", is_flag=True, help="List every rule, also the unrelated ones.")
@with_appcontext
def match_command(
    path: str, method: str, host: str | None, websocket: bool, as_json: bool, show_all: bool
) -> None:
    """Explain which rule takes PATH (a path or full URL), or why none does.

    Exits 0 when a rule matches or redirects, 1 otherwise.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        target, url_host = split_target(path)
        # Mounted where APPLICATION_ROOT says, as url_for outside a request.
        script_name = check_script_name(app.config.get("APPLICATION_ROOT") or "")
        target, notes = locate_path(target, script_name)
        explanation = explain(
            app, target, method, host or url_host, websocket, script_name=script_name
        )
    except ExplainInputError as error:
        raise click.UsageError(f"{error.error}: {error.detail}") from None
    if as_json:
        click.echo(json.dumps(explanation.to_dict(), indent=2))
    else:
        for note in notes:
            click.echo(f"Note: {note}")
        click.echo(format_explanation(explanation, show_all))
    raise SystemExit(0 if explanation.matched else 1)


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
