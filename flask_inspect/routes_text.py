"""``flask inspect routes`` as text: the table, its footer, lines wrapped to a width.

Pure: strings in, strings out. The command (``cli.py``) decides the width
from ``COLUMNS`` or the terminal.
"""

from __future__ import annotations

import os
import textwrap
import typing as t

if t.TYPE_CHECKING:
    from .routes import RouteInfo

MIN_VIEW_WIDTH = 12
"""Narrower than this, the View column is left out rather than cut."""


def format_routes_table(
    routes: list[RouteInfo], numbers: dict[int, int], width: int | None = None
) -> str:
    """A plain-text table; converters appear as ``name:type``.

    ``#`` is the rule's place in match order among the rules listed
    (``numbers``). Given a ``width``, the columns worth least give way
    first: the view's location is shortened to its file name, then left
    out, and then the arguments (their converters still show in the rule).
    """
    header = ("#", "Methods", "Rule", "Arguments", "Endpoint", "View")
    rows: list[tuple[str, ...]] = [header]
    for route in routes:
        rows.append(
            (
                str(numbers.get(route.registration_index, "")),
                ",".join(m for m in route.methods if m not in route.automatic_methods) or "-",
                _rule_with_host(route),
                " ".join(f"{arg.name}:{arg.python_type}" for arg in route.arguments) or "-",
                route.endpoint,
                route.view.location_relative_to(os.getcwd()) if route.view else "-",
            )
        )
    return "\n".join(_fit_columns(rows, width))


def _fit_columns(rows: list[tuple[str, ...]], width: int | None) -> list[str]:
    """Lay ``rows`` (header first) out as aligned lines no wider than ``width`` if possible."""
    columns = [list(column) for column in zip(*rows, strict=True)]
    if width is not None:
        columns = _narrow(columns, width)
    widths = [max(len(cell) for cell in column) for column in columns]
    lines = []
    for index in range(len(rows)):
        cells = [column[index].ljust(w) for column, w in zip(columns, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths[:-1]) + "  " + "-" * len(columns[-1][0]))
    return lines


def _narrow(columns: list[list[str]], width: int) -> list[list[str]]:
    """Shorten or drop the View column, then drop Arguments, until the table fits."""

    def table_width(cols: list[list[str]]) -> int:
        return sum(max(len(cell) for cell in column) for column in cols) + 2 * (len(cols) - 1)

    if table_width(columns) <= width:
        return columns
    view = columns[-1]
    others = columns[:-1]
    room = width - table_width(others) - 2
    if room >= MIN_VIEW_WIDTH:
        return [*others, [view[0]] + [_shorten_location(cell, room) for cell in view[1:]]]
    if table_width(others) <= width:
        return others
    return [column for column in others if column[0] != "Arguments"]


def _shorten_location(location: str, room: int) -> str:
    """``pkg/module.py:12`` as ``module.py:12``, cut from the left to ``room``."""
    short = os.path.basename(location)
    if len(short) <= room:
        return short
    return "…" + short[-(room - 1) :]


def wrap(line: str, width: int | None, indent: str = "") -> str:
    if width is None or len(line) <= width or not line.strip():
        return line
    lead = line[: len(line) - len(line.lstrip())]
    return textwrap.fill(
        line.strip(),
        width=max(width, 20),
        initial_indent=lead,
        subsequent_indent=indent or lead,
        break_long_words=False,
        break_on_hyphens=False,
    )


def listing_footer(sort: str, shown: int, listed: int, hidden: int) -> list[str]:
    """What ``#`` means and what is counted, so the numbers need no guessing."""
    order = "the order Werkzeug tries these rules in, 1 first"
    if sort == "match":
        lines = [f"Match order: # is {order}."]
    else:
        lines = [f"Sorted by {sort}; # is still {order}."]
    noun = "rule" if listed == 1 else "rules"
    count = f"{listed} {noun}" if shown == listed else f"{shown} of {listed} {noun} shown"
    if hidden:
        count += f"; the panel's own {hidden} are not listed (--all lists them)"
    lines.append(count + ".")
    return lines


def _rule_with_host(route: RouteInfo) -> str:
    if route.host:
        return f"{route.host}|{route.rule}"
    if route.subdomain:
        return f"{route.subdomain}.|{route.rule}"
    return route.rule
