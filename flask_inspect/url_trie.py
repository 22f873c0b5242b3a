"""The trie Werkzeug matches URLs with, copied once per map, with our own patterns.

Werkzeug's ``StateMachineMatcher`` keeps every rule in a trie: the host or
subdomain is the first part, then one part per path segment (a ``path``
converter swallows the rest). Matching walks it depth first: the rules that
end at a state, then the static transition for the segment, then the dynamic
transitions sorted by weight (ties keep registration order).

We copy that trie (the live one when Werkzeug exposes it, so ties come out in
Werkzeug's own order) and attach patterns compiled by us. Werkzeug's matcher
calls ``re.compile`` on every transition it tries and relies on ``re``'s
small internal cache; diagnosing through that cache would evict the app's
own entries and slow its matching. Our patterns never touch it.

>>> trie = url_trie(app.url_map)  # doctest: +SKIP
>>> [rule.rule for rule in trie.order]  # doctest: +SKIP
['/user/<int:id>', '/user/<name>']
"""

from __future__ import annotations

import contextlib
import re
import threading
import typing as t
import weakref
from dataclasses import dataclass
from dataclasses import field

from werkzeug.routing import Map
from werkzeug.routing import Rule

if t.TYPE_CHECKING:
    from werkzeug.routing import BaseConverter

# The name Werkzeug gives the regex group of the n-th converter in a part.
CONVERTER_GROUP_PREFIX = "__werkzeug_"

_compile_uncached: t.Callable[[str, int], re.Pattern[str]] | None = getattr(
    getattr(re, "_compiler", None), "compile", None
)


def compile_private(pattern: str) -> re.Pattern[str]:
    """Compile without adding ``pattern`` to ``re``'s shared cache when possible."""
    if _compile_uncached is not None:
        # An interpreter whose private compiler differs falls back to re.compile.
        with contextlib.suppress(Exception):
            return _compile_uncached(pattern, 0)
    return re.compile(pattern)


@dataclass(eq=False)
class DynamicEdge:
    """A transition through converters: one segment, or the rest for ``path``."""

    part: t.Any
    pattern: re.Pattern[str]
    final: bool
    suffixed: bool
    node: TrieNode


@dataclass(eq=False)
class TrieNode:
    """One state: rules ending here, static and dynamic transitions onward."""

    depth: int
    rules: list[Rule] = field(default_factory=list)
    static: dict[str, TrieNode] = field(default_factory=dict)
    dynamic: list[DynamicEdge] = field(default_factory=list)
    # Every rule ending at this node or below it, in match priority.
    subtree: list[Rule] = field(default_factory=list)
    # Static keys by their one- and two-letter deletions, built when first
    # needed (see ``suggest``).
    typo_index: dict[str, list[str]] | None = None


@dataclass(eq=False)
class RulePlan:
    """What the diagnosis needs to know about one rule, worked out once."""

    rule: Rule
    priority: int
    node: TrieNode | None
    # The edges from the root to the rule's node: a static key or a dynamic edge.
    steps: list[str | DynamicEdge]
    # Rule text for each of the rule's parts (the host/subdomain first).
    part_texts: list[str]
    # Names of the converter variables in each part.
    part_variables: list[list[str]]
    # Ready-made text for candidates and pages; ``segments`` are the rule's
    # path parts as written, one per URL segment (a ``path`` converter's part
    # holds the rest of the rule).
    text: str = ""
    endpoint: str = ""
    domain: str = ""
    segments: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()

    @property
    def converters(self) -> dict[str, BaseConverter]:
        return t.cast("dict[str, BaseConverter]", getattr(self.rule, "_converters", {}))


@dataclass(eq=False)
class UrlTrie:
    """A map's matcher trie with everything the diagnosis looks up per rule."""

    root: TrieNode
    order: list[Rule]
    plans: dict[int, RulePlan]
    plan_order: list[RulePlan]
    host_matching: bool
    merge_slashes: bool
    converter_names: dict[type, str]
    # Results worked out from this trie (lint notes, example URLs): a new
    # trie is built when rules are added, so these go with it.
    memo: dict[t.Any, t.Any] = field(default_factory=dict)

    def plan(self, rule: Rule) -> RulePlan:
        return self.plans[id(rule)]


_CACHE: weakref.WeakKeyDictionary[Map, tuple[tuple[int, ...], UrlTrie]] = (
    weakref.WeakKeyDictionary()
)
_CACHE_LOCK = threading.Lock()
_PATTERNS: dict[str, re.Pattern[str]] = {}
_MAX_PATTERNS = 20_000


def url_trie(url_map: Map) -> UrlTrie:
    """The (cached) trie of ``url_map``; rebuilt when rules were added."""
    url_map.update()
    signature = _signature(url_map)
    cached = _CACHE.get(url_map)
    if cached is not None and cached[0] == signature:
        return cached[1]
    with _CACHE_LOCK:
        trie = _build(url_map)
        _CACHE[url_map] = (signature, trie)
    return trie


def _signature(url_map: Map) -> tuple[int, ...]:
    rules_by_endpoint = getattr(url_map, "_rules_by_endpoint", None)
    count = (
        sum(map(len, rules_by_endpoint.values()))
        if isinstance(rules_by_endpoint, dict)
        else len(list(url_map.iter_rules()))
    )
    return (count, int(url_map.host_matching), int(url_map.merge_slashes))


def pattern_for(content: str) -> re.Pattern[str]:
    pattern = _PATTERNS.get(content)
    if pattern is None:
        if len(_PATTERNS) >= _MAX_PATTERNS:
            _PATTERNS.clear()
        pattern = _PATTERNS[content] = compile_private(content)
    return pattern


def _build(url_map: Map) -> UrlTrie:
    live_root = getattr(getattr(url_map, "_matcher", None), "_root", None)
    if live_root is not None and hasattr(live_root, "static"):
        root = _copy_state(live_root, 0)
    else:
        root = _rebuild(url_map)
    order: list[Rule] = []
    _collect(root, order)
    matched = {id(rule) for rule in order}
    # Build-only rules are never in the matcher; list them last, as registered.
    order.extend(rule for rule in url_map.iter_rules() if id(rule) not in matched)
    plans: dict[int, RulePlan] = {}
    steps_of: dict[int, tuple[TrieNode, list[str | DynamicEdge]]] = {}
    _record_steps(root, [], steps_of)
    for priority, rule in enumerate(order):
        node, steps = steps_of.get(id(rule), (None, []))
        texts, variables = _describe_parts(rule)
        plans[id(rule)] = RulePlan(
            rule,
            priority,
            node,
            steps,
            texts,
            variables,
            text=rule.rule,
            endpoint=str(rule.endpoint),
            domain=texts[0] if texts else "",
            segments=tuple(texts[2:]),
            methods=tuple(sorted(rule.methods or ())),
        )
    names: dict[type, str] = {}
    for name, converter_class in url_map.converters.items():
        if converter_class not in names or names[converter_class] == "default":
            names[converter_class] = name
    return UrlTrie(
        root=root,
        order=order,
        plans=plans,
        plan_order=[plans[id(rule)] for rule in order],
        host_matching=bool(url_map.host_matching),
        merge_slashes=bool(url_map.merge_slashes),
        converter_names=names,
    )


def _copy_state(state: t.Any, depth: int) -> TrieNode:
    node = TrieNode(depth=depth, rules=list(state.rules))
    for key, child in state.static.items():
        node.static[key] = _copy_state(child, depth + 1)
    for part, child in state.dynamic:
        node.dynamic.append(_edge(part, _copy_state(child, depth + 1)))
    return node


def _rebuild(url_map: Map) -> TrieNode:
    """Our own trie, for a Werkzeug that does not expose its matcher."""
    root = TrieNode(depth=0)
    parts_by_node: dict[int, list[t.Any]] = {}
    for rule in url_map.iter_rules():
        if rule.build_only:
            continue
        node = root
        for part in getattr(rule, "_parts", []):
            if part.static:
                node = node.static.setdefault(part.content, TrieNode(depth=node.depth + 1))
                continue
            known = parts_by_node.setdefault(id(node), [])
            for index, known_part in enumerate(known):
                if known_part == part:
                    node = node.dynamic[index].node
                    break
            else:
                known.append(part)
                edge = _edge(part, TrieNode(depth=node.depth + 1))
                node.dynamic.append(edge)
                node = edge.node
        node.rules.append(rule)
    _sort_dynamic(root)
    return root


def _sort_dynamic(node: TrieNode) -> None:
    node.dynamic.sort(key=lambda edge: edge.part.weight)
    for child in node.static.values():
        _sort_dynamic(child)
    for edge in node.dynamic:
        _sort_dynamic(edge.node)


def _edge(part: t.Any, node: TrieNode) -> DynamicEdge:
    return DynamicEdge(
        part=part,
        pattern=pattern_for(part.content),
        final=bool(part.final),
        suffixed=bool(getattr(part, "suffixed", False)),
        node=node,
    )


def _collect(node: TrieNode, out: list[Rule]) -> None:
    """Pre-order walk; fills ``subtree`` on the way back up."""
    start = len(out)
    out.extend(node.rules)
    for child in node.static.values():
        _collect(child, out)
    for edge in node.dynamic:
        _collect(edge.node, out)
    node.subtree = out[start:]


def _record_steps(
    node: TrieNode,
    steps: list[str | DynamicEdge],
    out: dict[int, tuple[TrieNode, list[str | DynamicEdge]]],
) -> None:
    for rule in node.rules:
        out[id(rule)] = (node, steps)
    for key, child in node.static.items():
        _record_steps(child, [*steps, key], out)
    for edge in node.dynamic:
        _record_steps(edge.node, [*steps, edge], out)


def _describe_parts(rule: Rule) -> tuple[list[str], list[list[str]]]:
    """Rule text and converter names for each of the rule's parts.

    The parts come from Werkzeug (``rule._parts``); the text is cut from the
    rule string the same way, so part ``k`` of a rule lines up with part ``k``
    of a URL.
    """
    parts = list(getattr(rule, "_parts", []))
    names = list(getattr(rule, "_converters", {}))
    variables: list[list[str]] = []
    position = 0
    for part in parts:
        count = 0
        if not part.static:
            count = sum(
                1
                for group in pattern_for(part.content).groupindex
                if group.startswith(CONVERTER_GROUP_PREFIX)
            )
        variables.append(names[position : position + count])
        position += count
    host_matching = bool(getattr(getattr(rule, "map", None), "host_matching", False))
    domain = (rule.host if host_matching else rule.subdomain) or ""
    text = rule.rule
    if rule.merge_slashes:
        text = _MERGE_SLASHES.sub("/", text)
    segments = split_rule_segments(text)
    texts = [domain]
    for index, part in enumerate(parts[1:]):
        if index >= len(segments):
            texts.append("")  # the extra empty part after a suffixed path converter
        elif part.final:
            texts.append("/".join(segments[index:]))
            segments = segments[: index + 1]
        else:
            texts.append(segments[index])
    return texts, variables


_MERGE_SLASHES = re.compile("/{2,}")


def split_rule_segments(text: str) -> list[str]:
    """``"/user/<int:id>"`` -> ``["", "user", "<int:id>"]``, like the URL's parts.

    Slashes inside converter arguments do not split.
    """
    segments = [""]
    depth = 0
    for character in text:
        if character == "<":
            depth += 1
        elif character == ">" and depth:
            depth -= 1
        if character == "/" and depth == 0:
            segments.append("")
        else:
            segments[-1] += character
    return segments


def merge_slashes(path: str) -> str:
    return _MERGE_SLASHES.sub("/", path)
