"""Which rules a route listing shows by default, and the number each row gets.

The panel adds a dozen rules of its own to the app's URL map. A listing of the
app's routes (the Routes page, ``flask inspect routes``, the overview's count)
leaves them out unless asked, and numbers what it lists: the ``#`` column is
a rule's place in match order *among the rules listed*, from 1, so the
numbers run 1, 2, 3 with no gap where a hidden rule sits. Filtering the
listing by text, method or blueprint keeps those numbers (a gap then means a
row filtered out, and the count says "5 of 28").

>>> numbers = match_numbers(routes)  # doctest: +SKIP
>>> numbers[routes[0].registration_index]  # doctest: +SKIP
1
"""

from __future__ import annotations

import typing as t

if t.TYPE_CHECKING:
    from .routes import RouteInfo


def is_panel_route(route: RouteInfo, panel_blueprint: str | None) -> bool:
    """True for a rule the panel itself added (its pages, API and static files)."""
    return panel_blueprint is not None and route.blueprint == panel_blueprint


def app_routes(routes: t.Iterable[RouteInfo], panel_blueprint: str | None) -> list[RouteInfo]:
    """``routes`` without the panel's own."""
    return [route for route in routes if not is_panel_route(route, panel_blueprint)]


def match_numbers(routes: t.Iterable[RouteInfo]) -> dict[int, int]:
    """Each rule's place in match order among ``routes``, from 1, by registration index."""
    ordered = sorted(routes, key=lambda route: route.priority)
    return {route.registration_index: number for number, route in enumerate(ordered, 1)}
