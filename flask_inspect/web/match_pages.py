"""Match view: the ``/match`` page and ``/api/match`` (thin over ``explain``)."""

from __future__ import annotations

import logging
import typing as t
from dataclasses import dataclass
from dataclasses import field
from urllib.parse import urlencode

from flask import Blueprint
from flask import Flask
from flask import Response
from flask import render_template
from flask import request
from flask import url_for

from .. import diagnose as outcomes
from ..alignment import Row
from ..alignment import align
from ..alignment import columns_for
from ..explain import VERDICT_LABELS
from ..explain import ExplainInputError
from ..explain import Explanation
from ..explain import bind
from ..explain import check_host
from ..explain import explain
from ..explain import locate_path
from ..explain import split_target
from ..outcome_words import outcome_label
from ..outcome_words import outcome_tone
from ..suggest import example_url
from ..url_trie import UrlTrie
from ..url_trie import url_trie
from .panel_app import inspected_app
from .responses import api_error
from .responses import api_json

logger = logging.getLogger("flask_inspect")

COMMON_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


def register(blueprint: Blueprint) -> None:
    blueprint.add_url_rule("/match", "match", match_page)
    blueprint.add_url_rule("/api/match", "api_match", match_api)


@dataclass
class MatchForm:
    """The page's form, as the user filled it in."""

    path: str = ""
    method: str = "GET"
    host: str = ""
    websocket: bool = False
    show_all: bool = False
    # What was done to the typed path before explaining it (leading slash,
    # mount point), said on the page.
    notes: list[str] = field(default_factory=list)


@dataclass
class CandidateRow:
    priority: int
    """The rule's place in match order among every rule of the map, from 0."""
    number: int | None
    """Its place among the app's own rules, from 1, as the Routes page numbers
    it; ``None`` for the panel's own rules."""
    rule: str
    endpoint: str
    outcome: str
    label: str
    tone: str
    reason: str
    segment: int | None
    early: bool  # failed at the host or the first segment
    focus: bool
    row: Row


def match_api() -> Response:
    """``GET /api/match?path=&method=&host=&websocket=`` -> Explanation JSON."""
    args = request.args
    text = args.get("path")
    if text is None or not text.strip():
        return api_error(400, "missing_parameter", "path is required, e.g. /api/match?path=/user/1")
    websocket = _flag(args.get("websocket", "0"))
    if websocket is None:
        return api_error(400, "invalid_parameter", "websocket must be 0 or 1 (or true/false)")
    try:
        explanation = _explain(
            text, args.get("method", "") or "GET", args.get("host", ""), websocket, []
        )
    except ExplainInputError as error:
        return api_error(error.status, error.error, error.detail)
    except Exception as error:  # a bug of ours must not look like the app's 500
        logger.exception("flask-inspect: explaining %r failed", text[:200])
        return api_error(422, "explain_failed", f"{type(error).__name__}: {error}")
    return api_json(explanation.to_dict())


def match_page() -> tuple[str, int]:
    app = inspected_app()
    args = request.args
    form = MatchForm(
        path=args.get("path", ""),
        method=(args.get("method", "") or "GET").upper(),
        host=args.get("host", ""),
        websocket=_flag(args.get("websocket", "0")) is True,
        show_all=_flag(args.get("all", "0")) is True,
    )
    explanation: Explanation | None = None
    problem: ExplainInputError | None = None
    status = 200
    if form.path.strip():
        try:
            explanation = _explain(form.path, form.method, form.host, form.websocket, form.notes)
        except ExplainInputError as error:
            problem = error
            status = error.status
    return (
        render_template(
            "flask_inspect/match.html",
            active="match",
            title="Match",
            problem=problem,
            methods=_methods(app, form.method),
            default_host=request.host,
            **explanation_context(explanation, form),
        ),
        status,
    )


def explanation_context(explanation: Explanation | None, form: MatchForm) -> dict[str, t.Any]:
    """What ``_explanation.html`` draws, for the match page and the error pages."""
    rows = _rows(explanation) if explanation is not None else []
    return {
        "explanation": explanation,
        "form": form,
        "rows": rows,
        "early_count": sum(1 for row in rows if row.early),
        "columns": _header(explanation, rows),
        "show_host": any(row.row.host is not None for row in rows),
        "verdict_label": VERDICT_LABELS.get(explanation.verdict, "") if explanation else "",
    }


def _explain(text: str, method: str, host: str, websocket: bool, notes: list[str]) -> Explanation:
    """Explain the typed URL as the app sees it: on the host the panel is
    viewed on unless another is given, below the app's mount point."""
    app = inspected_app()
    typed, url_host = split_target(text)
    script_name = request.script_root
    path, said = locate_path(typed, script_name)
    notes.extend(said)
    chosen_host = host.strip() or url_host or request.host
    return explain(app, path, method, chosen_host, websocket, script_name=script_name)


def _flag(value: str) -> bool | None:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None


def _rows(explanation: Explanation) -> list[CandidateRow]:
    candidates = explanation.candidates
    segments = explanation.segments
    focus = _focus(explanation)
    suggested = {id(s.candidate) for s in explanation.suggestions if s.candidate is not None}
    early_rows = {
        index
        for index, candidate in enumerate(candidates)
        if index != focus
        and id(candidate) not in suggested
        and outcomes.parts_ways_early(candidate.outcome, candidate.segment)
    }
    columns = columns_for(
        segments, [c for index, c in enumerate(candidates) if index not in early_rows]
    )
    from .blueprint import BLUEPRINT_NAME  # here: that module imports this one

    panel_endpoints = BLUEPRINT_NAME + "."
    rows = []
    number = 0
    for priority, candidate in enumerate(candidates):
        label, tone = outcome_label(candidate.outcome), outcome_tone(candidate.outcome)
        is_panel_rule = candidate.endpoint.startswith(panel_endpoints)
        if not is_panel_rule:
            number += 1
        rows.append(
            CandidateRow(
                priority=priority,
                number=None if is_panel_rule else number,
                rule=candidate.rule,
                endpoint=candidate.endpoint,
                outcome=candidate.outcome,
                label=label,
                tone=tone,
                reason=candidate.reason,
                segment=candidate.segment,
                early=priority in early_rows,
                focus=priority == focus,
                row=align(candidate, segments, columns),
            )
        )
    return rows


def _focus(explanation: Explanation) -> int | None:
    """The row that decided the verdict, or the closest rule when none did."""
    for index, candidate in enumerate(explanation.candidates):
        if candidate.outcome in outcomes.DECIDING:
            return index
    if explanation.suggestions and explanation.suggestions[0].candidate is not None:
        best = explanation.suggestions[0].candidate
        for index, candidate in enumerate(explanation.candidates):
            if candidate is best:
                return index
    return None


def _header(explanation: Explanation | None, rows: list[CandidateRow]) -> list[str | None]:
    """The URL's segments, one per column; ``None`` where the URL has none."""
    if explanation is None:
        return []
    segments: list[str | None] = list(explanation.segments)
    width = max((sum(cell.span for cell in row.row.cells) for row in rows), default=0)
    return segments + [None] * (width - len(segments))


def _methods(app: Flask, chosen: str) -> list[str]:
    methods = list(COMMON_METHODS)
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods or ()):
            if method not in methods:
                methods.append(method)
    if chosen and chosen not in methods:
        methods.append(chosen)
    return methods


def example_links(app: Flask) -> dict[int, str]:
    """For the routes page: a match-page link per rule, trying an example URL for it.

    Keyed by the rule's index in ``url_map.iter_rules()``; worked out once per
    map (and host), since building examples for thousands of rules is not free.
    """
    url_map = app.url_map
    trie = url_trie(url_map)
    host = app.config.get("SERVER_NAME") or "localhost"
    page = url_for("flask_inspect.match")
    key = ("example_links", host, bool(getattr(app, "subdomain_matching", False)), page)
    cached = trie.memo.get(key)
    if cached is None:
        arguments = _example_links(app, trie, host)
        cached = trie.memo[key] = {
            index: f"{page}?{urlencode(values)}" for index, values in arguments.items()
        }
    return dict(cached)


def _example_links(app: Flask, trie: UrlTrie, host: str) -> dict[int, dict[str, t.Any]]:
    url_map = app.url_map
    try:
        adapter = bind(app, check_host(host), "GET", False)
    except ExplainInputError:
        return {}
    links: dict[int, dict[str, t.Any]] = {}
    for index, rule in enumerate(url_map.iter_rules()):
        methods = sorted(rule.methods or ())
        method = next(
            (m for m in ("GET", "POST", "PUT", "PATCH", "DELETE") if m in methods),
            methods[0] if methods else "GET",
        )
        try:
            example = example_url(trie, url_map, adapter, rule, method)
        except Exception:  # an odd converter must not break the routes page
            example = None
        arguments: dict[str, t.Any] = {"path": example or rule.rule, "method": method}
        if rule.websocket:
            arguments["websocket"] = "1"
        links[index] = arguments
    return links
