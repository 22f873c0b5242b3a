""" "Did you mean": the rules closest to a URL that matched nothing, with examples.

Closeness is scored on the whole URL, not just up to the first failure:
``/user/abc/edit`` is nearer ``/user/<int:id>/edit`` (one wrong value) than
``/user/<name>`` (one segment too many). A typo in static text costs its edit
distance relative to its length, unrelated static text two segments, a value
a converter refuses half a segment, and a missing or extra segment a whole
one.

Every example URL is built the way ``url_for`` builds it (the rule's own
builder, converters' ``to_url``), from values the converters accept — the
user's own where they fit — and is checked to really reach that rule.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

from werkzeug.routing import Map
from werkzeug.routing import MapAdapter
from werkzeug.routing import Rule

from . import match_decision as decided
from .diagnose import BUILD_ONLY
from .diagnose import MATCHED
from .diagnose import RuleOutcome
from .samples import accepted_values
from .samples import accepts
from .samples import is_accepted
from .url_trie import DynamicEdge
from .url_trie import RulePlan
from .url_trie import UrlTrie

MAX_SUGGESTIONS = 5
# Unrelated static text is worse than a missing segment: the URL is about
# something else there.
DISSIMILAR_COST = 2.0
_SHORTLIST = 16
_EXAMPLE_ATTEMPTS = 3


@dataclass(frozen=True)
class Suggestion:
    """A rule the URL was probably meant for, and a URL that reaches it."""

    rule: str
    endpoint: str
    example: str | None

    def to_dict(self) -> dict[str, t.Any]:
        return {"rule": self.rule, "endpoint": self.endpoint, "example": self.example}


def suggest(
    trie: UrlTrie,
    url_map: Map,
    adapter: MapAdapter,
    outcomes: list[RuleOutcome],
    parts: list[str],
    method: str,
    websocket: bool,
) -> list[Suggestion]:
    """The closest rules, best first, each with an example URL."""
    segments = [part for part in parts[2:] if part]
    # Half a point per segment the URL has: a one-segment URL may have one typo.
    budget = 0.5 * len(segments) + 0.5
    candidates = [
        outcome
        for outcome in outcomes
        if outcome.outcome not in (BUILD_ONLY, MATCHED) and outcome.rule.websocket == websocket
    ]
    candidates.sort(key=lambda outcome: -outcome.progress)
    shortlist = candidates[:_SHORTLIST]
    chosen = {id(outcome.rule) for outcome in shortlist}
    near = [
        (distance, index)
        for index, outcome in enumerate(candidates)
        if id(outcome.rule) not in chosen
        and (distance := _failing_static_distance(trie, outcome, parts)) is not None
    ]
    near.sort()
    shortlist += [candidates[index] for _, index in near[:_SHORTLIST]]
    scored = []
    for outcome in shortlist:
        plan = trie.plan(outcome.rule)
        cost = alignment_cost(plan, parts)
        if cost < budget:
            scored.append((cost, -outcome.progress, plan.priority, outcome.rule))
    scored.sort(key=lambda item: item[:3])
    suggestions = []
    for _, _, _, rule in scored[:MAX_SUGGESTIONS]:
        example = example_url(trie, url_map, adapter, rule, method, parts)
        suggestions.append(Suggestion(rule.rule, str(rule.endpoint), example))
    return suggestions


def _failing_static_distance(trie: UrlTrie, outcome: RuleOutcome, parts: list[str]) -> float | None:
    """Edit distance at a static segment that differs, if that is where it failed."""
    position = outcome.progress
    if position < 2 or position >= len(parts):
        return None
    steps = trie.plan(outcome.rule).steps
    if position >= len(steps) or not isinstance(steps[position], str):
        return None
    expected = t.cast(str, steps[position])
    distance = bounded_distance(expected, parts[position], 3)
    return None if distance is None else distance / max(len(expected), len(parts[position]), 1)


def alignment_cost(plan: RulePlan, parts: list[str]) -> float:
    """How far the URL is from the rule, segment by segment (0 means it fits)."""
    cost = 0.0
    index = 0
    count = len(parts)
    for position, step in enumerate(plan.steps):
        if index >= count:
            trailing_slash = position == len(plan.steps) - 1 and step == ""
            cost += 0.25 if trailing_slash else 1.0
            continue
        if isinstance(step, DynamicEdge):
            if step.final:
                target = "/".join(parts[index:])
                index = count
            else:
                target = parts[index]
                index += 1
            if step.pattern.match(target) is None:
                cost += 2.0 if position == 0 else 0.5
            continue
        got = parts[index]
        index += 1
        if step == got:
            continue
        if position == 0:
            cost += 2.0
            continue
        cost += static_cost(step, got)
    left = count - index
    if left == 1 and parts[-1] == "":
        cost += 0.25
    elif left > 0:
        cost += left
    return cost


def static_cost(expected: str, got: str) -> float:
    """A typo costs its share of the text; unrelated text costs two segments."""
    longest = max(len(expected), len(got), 1)
    distance = bounded_distance(expected, got, max(1, round(longest / 3)))
    if distance is None:
        return DISSIMILAR_COST
    return distance / longest


def bounded_distance(first: str, second: str, bound: int) -> int | None:
    """Levenshtein distance, or ``None`` as soon as it must exceed ``bound``."""
    if first == second:
        return 0
    start = 0
    while start < min(len(first), len(second)) and first[start] == second[start]:
        start += 1
    end = 0
    while end < min(len(first), len(second)) - start and first[-1 - end] == second[-1 - end]:
        end += 1
    first = first[start : len(first) - end]
    second = second[start : len(second) - end]
    if abs(len(first) - len(second)) > bound:
        return None
    if not first or not second:
        return max(len(first), len(second))
    previous = list(range(len(second) + 1))
    for row, character in enumerate(first, 1):
        current = [row]
        for column, other in enumerate(second, 1):
            current.append(
                min(
                    previous[column] + 1,
                    current[column - 1] + 1,
                    previous[column - 1] + (character != other),
                )
            )
        if min(current) > bound:
            return None
        previous = current
    return previous[-1] if previous[-1] <= bound else None


def example_url(
    trie: UrlTrie,
    url_map: Map,
    adapter: MapAdapter,
    rule: Rule,
    method: str | None = None,
    parts: list[str] | None = None,
) -> str | None:
    """A URL that reaches ``rule``, built like ``url_for`` builds, or ``None``."""
    plan = trie.plans.get(id(rule))
    if plan is None or rule.build_only:
        return None
    request_method = _method_for(rule, method)
    # First the user's own values where they fit, then the converters' samples.
    for attempt in range(-1, _EXAMPLE_ATTEMPTS):
        values = _values_for(plan, parts or [], attempt)
        if values is None:
            return None
        try:
            built = rule.build(values, append_unknown=False)
        except Exception:
            built = None
        if built is None:
            continue
        domain_part, path = built
        decision = decided.decide(trie, url_map, domain_part, path, request_method, rule.websocket)
        if decision.kind == decided.MATCHED and decision.rule is rule:
            return _compose(url_map, adapter, domain_part, path, rule.websocket)
    return None


def _method_for(rule: Rule, method: str | None) -> str:
    methods = rule.methods
    if methods is None or (method is not None and method in methods):
        return method or "GET"
    for preferred in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        if preferred in methods:
            return preferred
    return sorted(methods)[0]


def _values_for(plan: RulePlan, parts: list[str], attempt: int) -> dict[str, t.Any] | None:
    converters = plan.converters
    defaults = plan.rule.defaults or {}
    values: dict[str, t.Any] = {}
    own = _own_values(plan, parts) if attempt < 0 else {}
    for name, converter in converters.items():
        if name in defaults:
            continue
        if name in own:
            values[name] = own[name]
            continue
        accepted = accepted_values(converter, limit=_EXAMPLE_ATTEMPTS)
        if not accepted:
            return None
        values[name] = accepted[min(max(attempt, 0), len(accepted) - 1)][1]
    return values


def _own_values(plan: RulePlan, parts: list[str]) -> dict[str, t.Any]:
    """The user's own segment values, where the rule's converter takes them."""
    own: dict[str, t.Any] = {}
    converters = plan.converters
    for position, names in enumerate(plan.part_variables):
        if len(names) != 1 or position >= len(parts) or position == 0:
            continue
        text = plan.part_texts[position] if position < len(plan.part_texts) else ""
        if not (text.startswith("<") and text.endswith(">") and text.count("<") == 1):
            continue
        step = plan.steps[position] if position < len(plan.steps) else None
        if isinstance(step, DynamicEdge) and step.final:
            continue
        value = accepts(converters[names[0]], parts[position])
        if is_accepted(value):
            own[names[0]] = value
    return own


def _compose(
    url_map: Map, adapter: MapAdapter, domain_part: str, path: str, websocket: bool
) -> str:
    """Relative when on the adapter's own host, absolute otherwise (like ``url_for``)."""
    same_host = (
        adapter.get_host(domain_part) == adapter.server_name
        if url_map.host_matching
        else domain_part == adapter.subdomain
    )
    if same_host and not websocket:
        return f"{adapter.script_name.rstrip('/')}/{path.lstrip('/')}"
    secure = adapter.url_scheme in ("https", "wss")
    scheme = ("wss" if secure else "ws") if websocket else ("https" if secure else "http")
    return (
        f"{scheme}://{adapter.get_host(domain_part)}{adapter.script_name[:-1]}/{path.lstrip('/')}"
    )
