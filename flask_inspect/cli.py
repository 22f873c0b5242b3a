"""``flask inspect ...``: the panel's data on the command line (thin)."""

from __future__ import annotations

import json
import os
import shutil
import sys
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
from .extension import get_state
from .route_lint import lint_routes
from .route_listing import app_routes
from .route_listing import match_numbers
from .routes import RouteInfo
from .routes import describe_routes
from .routes_text import format_routes_table
from .routes_text import listing_footer
from .routes_text import wrap

if t.TYPE_CHECKING:
    from flask import Flask

APP_ITSELF = "-"
"""``--blueprint -``: the rules registered on the app, not in a blueprint."""

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
@click.option("--method", default="", help="Only rules that accept this HTTP method.")
@click.option(
    "--blueprint",
    default="",
    help="Only rules of this blueprint and the blueprints nested in it ('-': the app's own).",
)
@click.option("--all", "show_all", is_flag=True, help="Also list the panel's own rules.")
@with_appcontext
def routes_command(
    as_json: bool, sort: str, filter_text: str, method: str, blueprint: str, show_all: bool
) -> None:
    """List every URL rule with its converters, methods and view."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    panel_blueprint = _panel_blueprint(app)
    every_route = describe_routes(app)
    listed = every_route if show_all else app_routes(every_route, panel_blueprint)
    _check_blueprint(blueprint, listed)
    numbers = match_numbers(listed)
    routes = [
        route
        for route in listed
        if _route_matches(route, filter_text)
        and _accepts_method(route, method)
        and _in_blueprint(route, blueprint)
    ]
    routes.sort(key=SORT_KEYS[sort])
    if as_json:
        click.echo(json.dumps({"routes": [route.to_dict() for route in routes]}, indent=2))
        return
    width = output_width()
    hidden = len(every_route) - len(listed)
    if not routes:
        click.echo("No routes match." if listed else "No routes.")
        if hidden:
            click.echo(f"The panel's own {hidden} rules are not listed (--all lists them).")
        return
    click.echo(format_routes_table(routes, numbers, width))
    click.echo("")
    for line in listing_footer(sort, len(routes), len(listed), hidden):
        click.echo(wrap(line, width))
    shown = {route.registration_index for route in routes}
    notes = [note for note in lint_routes(app) if note.rule_index in shown]
    for line in format_lint_notes(notes):
        click.echo(wrap(line, width, indent="      "))


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


def output_width() -> int | None:
    """How wide the output may be: ``COLUMNS``, else the terminal's; ``None`` when piped."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


def _panel_blueprint(app: Flask) -> str | None:
    try:
        return get_state(app).blueprint_name
    except LookupError:  # the command group added by hand to an app without Inspect
        return None


def _accepts_method(route: RouteInfo, method: str) -> bool:
    return not method or method.upper() in route.methods


def _in_blueprint(route: RouteInfo, name: str) -> bool:
    if not name:
        return True
    if name == APP_ITSELF:
        return route.blueprint is None
    return route.blueprint is not None and (
        route.blueprint == name or route.blueprint.startswith(name + ".")
    )


def _check_blueprint(name: str, routes: list[RouteInfo]) -> None:
    known = sorted({route.blueprint for route in routes if route.blueprint})
    if name and name != APP_ITSELF and name not in known:
        choices = ", ".join(known) or "none"
        raise click.BadParameter(
            f"no blueprint {name!r} among the rules listed (blueprints: {choices}; "
            f"{APP_ITSELF!r}: the app's own rules).",
            param_hint="'--blueprint'",
        )


def _route_matches(route: RouteInfo, text: str) -> bool:
    if not text:
        return True
    needle = text.lower()
    haystack = [route.rule, route.endpoint, route.blueprint or "", route.host or ""]
    haystack += [route.subdomain or "", route.view.qualname if route.view else ""]
    haystack += [arg.converter for arg in route.arguments]
    return any(needle in item.lower() for item in haystack)
