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

import heapq
import typing as t
from dataclasses import dataclass
from dataclasses import field

from werkzeug.routing import Map
from werkzeug.routing import MapAdapter
from werkzeug.routing import Rule

from . import match_decision as decided
from .diagnose import BUILD_ONLY
from .diagnose import MATCHED
from .diagnose import Candidate
from .diagnose import Diagnosis
from .samples import accepted_values
from .samples import accepts
from .samples import is_accepted
from .url_trie import DynamicEdge
from .url_trie import RulePlan
from .url_trie import TrieNode
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
    # The rule's own outcome, for the summary (not part of the JSON).
    candidate: Candidate | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, t.Any]:
        return {"rule": self.rule, "endpoint": self.endpoint, "example": self.example}

    @property
    def browsable(self) -> bool:
        """The example is a URL a browser link can open (not ``ws://``)."""
        example = self.example or ""
        return example.startswith(("/", "http://", "https://"))


def suggest(
    trie: UrlTrie,
    url_map: Map,
    adapter: MapAdapter,
    diagnosis: Diagnosis,
    parts: list[str],
    method: str,
    websocket: bool,
) -> list[Suggestion]:
    """The closest rules, best first, each with an example URL."""
    candidates = diagnosis.candidates
    segments = [part for part in parts[2:] if part]
    # Half a point per segment the URL has: a one-segment URL may have one typo.
    budget = 0.5 * len(segments) + 0.5
    # Those that got furthest, plus those that stumbled on a typo.
    furthest = heapq.nlargest(_SHORTLIST * 2, candidates, key=lambda candidate: candidate.progress)
    shortlist = [c for c in furthest if _eligible(c, websocket)][:_SHORTLIST]
    taken = {id(candidate) for candidate in shortlist}
    for extra in (
        _typo_candidates(trie, diagnosis, parts, websocket),
        _wrong_value_candidates(trie, diagnosis, websocket),
    ):
        for candidate in extra:
            if id(candidate) not in taken:
                taken.add(id(candidate))
                shortlist.append(candidate)
    scored = []
    for candidate in shortlist:
        plan = t.cast(RulePlan, candidate.plan)
        cost = alignment_cost(plan, parts)
        if cost < budget:
            scored.append((cost, -candidate.progress, plan.priority, candidate))
    scored.sort(key=lambda item: item[:3])
    suggestions = []
    for _, _, _, candidate in scored[:MAX_SUGGESTIONS]:
        rule = t.cast(RulePlan, candidate.plan).rule
        example = example_url(trie, url_map, adapter, rule, method, parts)
        suggestions.append(Suggestion(candidate.rule, candidate.endpoint, example, candidate))
    return suggestions


def _eligible(candidate: Candidate, websocket: bool) -> bool:
    plan = candidate.plan
    return (
        plan is not None
        and candidate.outcome not in (BUILD_ONLY, MATCHED)
        and plan.rule.websocket == websocket
    )


def _typo_candidates(
    trie: UrlTrie, diagnosis: Diagnosis, parts: list[str], websocket: bool
) -> list[Candidate]:
    """Rules whose static text at some segment is a typo or two from the URL's."""
    candidates = diagnosis.candidates
    near: list[tuple[float, int, Candidate]] = []
    for node, index in diagnosis.static_stops:
        if index < 2:
            continue
        got = parts[index]
        if got in node.static:
            continue  # the URL's text exists here: no typo at this segment
        for key, distance in typo_keys(node, got):
            for rule in node.static[key].subtree[:_SHORTLIST]:
                candidate = candidates[trie.plan(rule).priority]
                if not _eligible(candidate, websocket):
                    continue
                near.append((distance / max(len(key), len(got), 1), len(near), candidate))
    near.sort(key=lambda item: item[:2])
    return [candidate for _, _, candidate in near[:_SHORTLIST]]


def _wrong_value_candidates(
    trie: UrlTrie, diagnosis: Diagnosis, websocket: bool
) -> list[Candidate]:
    """Rules below a converter that turned the URL's segment down.

    ``/abc/update`` fails ``/<int:id>/update`` at its first segment, as
    early as every unrelated rule: ranked by progress alone it would drop
    out of a large map's shortlist, yet one wrong value is all that is wrong.
    """
    candidates = diagnosis.candidates
    found: list[Candidate] = []
    for edge, _index in diagnosis.value_stops:
        for rule in edge.node.subtree[:_SHORTLIST]:
            candidate = candidates[trie.plan(rule).priority]
            if _eligible(candidate, websocket):
                found.append(candidate)
        if len(found) >= _SHORTLIST * 2:
            break
    return found[: _SHORTLIST * 2]


MAX_TYPOS = 2
_MAX_TYPO_TEXT = 32


def typo_keys(node: TrieNode, text: str) -> list[tuple[str, int]]:
    """Static keys of ``node`` within two edits of ``text`` (itself excluded).

    Looked up by deletions: two strings within two edits share a string made
    by deleting at most two letters from each. The node's keys are indexed
    that way once; a lookup then costs a few dozen dictionary reads instead
    of an edit distance per key.
    """
    if not text or len(text) > _MAX_TYPO_TEXT:
        return []
    index = node.typo_index
    if index is None:
        index = {}
        for key in node.static:
            if key and len(key) <= _MAX_TYPO_TEXT:
                for variant in _deletions(key):
                    index.setdefault(variant, []).append(key)
        node.typo_index = index
    found: dict[str, int] = {}
    for variant in _deletions(text):
        for key in index.get(variant, ()):
            if key == text or key in found:
                continue
            bound = min(MAX_TYPOS, max(1, round(max(len(key), len(text)) / 3)))
            distance = bounded_distance(key, text, bound)
            if distance is not None:
                found[key] = distance
    return sorted(found.items(), key=lambda item: (item[1], item[0]))


def _deletions(text: str) -> set[str]:
    """``text`` with up to two letters deleted (and ``text`` itself)."""
    once = {text[:i] + text[i + 1 :] for i in range(len(text))}
    twice = {item[:i] + item[i + 1 :] for item in once for i in range(len(item))}
    return {text} | once | twice


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
    found = None
    if parts and _own_values(plan, parts):
        found = _built_example(trie, url_map, plan, rule, request_method, parts, -1)
        if found is _NO_VALUES:
            return None
    if found is None:
        # From samples alone the answer depends on the map only: worked out
        # once, so the app's converters are not asked again on every page.
        key = ("sample_example", id(rule), request_method)
        found = trie.memo.get(key, _UNKNOWN)
        if found is _UNKNOWN:
            found = trie.memo[key] = _sample_example(trie, url_map, plan, rule, request_method)
    if found is None:
        return None
    domain_part, path = found
    return _compose(url_map, adapter, domain_part, path, rule.websocket)


_UNKNOWN: t.Any = object()


def _sample_example(
    trie: UrlTrie, url_map: Map, plan: RulePlan, rule: Rule, request_method: str
) -> tuple[str, str] | None:
    for attempt in range(_EXAMPLE_ATTEMPTS):
        found = _built_example(trie, url_map, plan, rule, request_method, [], attempt)
        if found is not None:
            return None if found is _NO_VALUES else found
    return None


_NO_VALUES: t.Any = object()


def _built_example(
    trie: UrlTrie,
    url_map: Map,
    plan: RulePlan,
    rule: Rule,
    request_method: str,
    parts: list[str],
    attempt: int,
) -> tuple[str, str] | None:
    """``(domain_part, path)`` built from the attempt's values, if it reaches ``rule``.

    :data:`_NO_VALUES` when a converter has no value to offer at all.
    """
    values = _values_for(plan, parts, attempt)
    if values is None:
        return t.cast("tuple[str, str]", _NO_VALUES)
    try:
        built = rule.build(values, append_unknown=False)
    except Exception:
        built = None
    if built is None:
        return None
    domain_part, path = built
    decision = decided.decide(trie, url_map, domain_part, path, request_method, rule.websocket)
    if decision.kind == decided.MATCHED and decision.rule is rule:
        return domain_part, path
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


MAX_TOP_LEVEL = 20
# The panel's own rules: not the app's pages, so never offered as a way in.
PANEL_ENDPOINT_PREFIX = "flask_inspect."


def top_level_paths(
    trie: UrlTrie,
    url_map: Map,
    adapter: MapAdapter,
    websocket: bool,
) -> list[Suggestion]:
    """When nothing is close: one way in per first path segment of the app.

    For ``/nope`` in an app with ``/``, ``/auth/login``, ``/auth/register``
    and ``/<int:id>/update``: ``/``, ``/auth/login`` and ``/1/update``, each
    a URL a browser can open with GET on the same host (checked to reach
    its rule), sorted by URL. Static files and the panel's own rules are
    left out.
    """
    # The same for every URL on this host and mount point: worked out once.
    key = (
        "top_level",
        adapter.server_name,
        adapter.subdomain,
        adapter.script_name,
        adapter.url_scheme,
        websocket,
    )
    cached = trie.memo.get(key)
    if cached is None:
        cached = trie.memo[key] = _top_level_paths(trie, url_map, adapter, websocket)
    return list(cached)


def _top_level_paths(
    trie: UrlTrie, url_map: Map, adapter: MapAdapter, websocket: bool
) -> list[Suggestion]:
    plans = sorted(trie.plan_order, key=lambda plan: (len(plan.steps), plan.priority))
    chosen: dict[str, Suggestion] = {}
    for plan in plans:
        rule = plan.rule
        endpoint = plan.endpoint
        if rule.build_only or rule.websocket != websocket or rule.redirect_to is not None:
            continue
        if endpoint.startswith(PANEL_ENDPOINT_PREFIX) or endpoint.rsplit(".", 1)[-1] == "static":
            continue
        if rule.methods is not None and "GET" not in rule.methods:
            continue
        first = plan.part_texts[2] if len(plan.part_texts) > 2 else ""
        if first in chosen:
            continue
        try:
            example = example_url(trie, url_map, adapter, rule, "GET")
        except Exception:  # an odd converter must not break a 404 page
            example = None
        if example is None or "://" in example:
            continue  # no URL reaches it, or only on another host
        chosen[first] = Suggestion(plan.text, endpoint, example)
        if len(chosen) >= MAX_TOP_LEVEL:
            break
    return sorted(chosen.values(), key=lambda suggestion: suggestion.example or "")
