"""Which rule Werkzeug picks for a request, and what it then does with it.

A step-by-step retelling of ``StateMachineMatcher.match`` and
``MapAdapter.match`` over our copy of the trie: the depth-first walk, the
strict-slash check, the second walk with merged slashes, ``to_python`` on the
chosen rule only (a ``ValidationError`` there is a 404: Werkzeug does not go
back and try later rules; an HTTP error such as ``NotFound`` raised there
leaves ``MapAdapter.match`` as it is, so the app answers its status), then
the defaults, alias and ``redirect_to`` redirects. The outcome names the rule
responsible, which Werkzeug's own exceptions do not, so the explanation can
say *why*. Tests hold this module to Werkzeug's real answers on generated maps.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass
from dataclasses import field

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map
from werkzeug.routing import Rule
from werkzeug.routing import ValidationError

from .url_trie import CONVERTER_GROUP_PREFIX
from .url_trie import TrieNode
from .url_trie import UrlTrie
from .url_trie import merge_slashes

# What happened, from Werkzeug's point of view.
MATCHED = "matched"
SLASH_REDIRECT = "slash_redirect"
MERGE_REDIRECT = "merge_slashes_redirect"
SLASHES_NOT_MERGED = "slashes_not_merged"
DEFAULTS_REDIRECT = "defaults_redirect"
ALIAS_REDIRECT = "alias_redirect"
REDIRECT_TO = "redirect_to"
VALIDATION_ERROR = "validation_error"
CONVERTER_ABORTED = "converter_aborted"  # to_python raised an HTTP error (NotFound...)
CONVERTER_ERROR = "converter_error"
NO_MATCH = "no_match"

REDIRECTS = frozenset(
    {SLASH_REDIRECT, MERGE_REDIRECT, DEFAULTS_REDIRECT, ALIAS_REDIRECT, REDIRECT_TO}
)


@dataclass(frozen=True)
class RawValue:
    """A converter's text as cut from the URL, and the URL part it came from."""

    name: str
    text: str
    position: int  # index into ``url_parts`` (0 is the host/subdomain)


@dataclass
class Decision:
    """Werkzeug's choice for one request, with the rule that caused it."""

    kind: str
    url_parts: list[str]
    rule: Rule | None = None
    raw_values: list[RawValue] = field(default_factory=list)
    values: dict[str, t.Any] = field(default_factory=dict)
    have_match_for: set[str] = field(default_factory=set)
    websocket_mismatch: bool = False
    merged: bool = False  # decided on the second walk, with slashes merged
    failed_value: RawValue | None = None
    error: BaseException | None = None
    defaults_rule: Rule | None = None  # the rule a defaults redirect goes to

    @property
    def status(self) -> int:
        if self.kind == MATCHED:
            return 200
        if self.kind in REDIRECTS:
            return 308
        if self.kind == CONVERTER_ERROR:
            return 500
        if self.kind == CONVERTER_ABORTED:
            # As ``explain`` reads the exception Werkzeug lets through.
            return getattr(self.error, "code", None) or 404
        if self.have_match_for:
            return 405
        if self.websocket_mismatch:
            return 400
        return 404


class _SlashRequired(Exception):
    def __init__(self, rule: Rule) -> None:
        self.rule = rule


def url_parts(domain: str, path: str) -> list[str]:
    """The parts Werkzeug matches: the domain, then the path split on slashes."""
    path_part = f"/{path.lstrip('/')}" if path else ""
    return [domain, *path_part.split("/")]


def decide(
    trie: UrlTrie,
    url_map: Map,
    domain: str,
    path: str,
    method: str,
    websocket: bool,
) -> Decision:
    """Run the matcher the way Werkzeug does and say what it decides."""
    parts = url_parts(domain, path)
    walk = _Walk(method, websocket)
    decision = Decision(kind=NO_MATCH, url_parts=parts)
    try:
        found = walk.match(trie.root, parts, 0, [])
    except _SlashRequired as required:
        return _finish(walk, decision, SLASH_REDIRECT, required.rule)
    if found is None and trie.merge_slashes:
        merged_parts = url_parts(domain, merge_slashes(f"/{path.lstrip('/')}" if path else ""))
        decision.url_parts = merged_parts
        decision.merged = True
        try:
            found = walk.match(trie.root, merged_parts, 0, [])
        except _SlashRequired as required:
            return _finish(walk, decision, SLASH_REDIRECT, required.rule)
        if found is None:
            return _finish(walk, decision, NO_MATCH, None)
        rule, raw = found
        decision.raw_values = _named(rule, raw)
        kind = MERGE_REDIRECT if rule.merge_slashes else SLASHES_NOT_MERGED
        return _finish(walk, decision, kind, rule)
    if found is None:
        return _finish(walk, decision, NO_MATCH, None)
    rule, raw = found
    decision.raw_values = raw = _named(rule, raw)
    converters = getattr(rule, "_converters", {})
    for value in raw:
        try:
            decision.values[value.name] = converters[value.name].to_python(value.text)
        except ValidationError as error:
            decision.failed_value = value
            decision.error = error
            return _finish(walk, decision, VALIDATION_ERROR, rule)
        except HTTPException as error:
            # Not caught by the matcher: it leaves MapAdapter.match as it is,
            # and Flask answers with its status (NotFound: a plain 404).
            decision.failed_value = value
            decision.error = error
            return _finish(walk, decision, CONVERTER_ABORTED, rule)
        except Exception as error:  # the app itself would fail with a 500
            decision.failed_value = value
            decision.error = error
            return _finish(walk, decision, CONVERTER_ERROR, rule)
    if rule.defaults:
        decision.values.update(rule.defaults)
    if rule.alias and url_map.redirect_defaults:
        return _finish(walk, decision, ALIAS_REDIRECT, rule)
    if url_map.redirect_defaults:
        target = _defaults_target(url_map, rule, method, decision.values)
        if target is not None:
            decision.defaults_rule = target
            return _finish(walk, decision, DEFAULTS_REDIRECT, rule)
    if rule.redirect_to is not None:
        return _finish(walk, decision, REDIRECT_TO, rule)
    return _finish(walk, decision, MATCHED, rule)


def _finish(walk: _Walk, decision: Decision, kind: str, rule: Rule | None) -> Decision:
    decision.kind = kind
    decision.rule = rule
    decision.have_match_for = walk.have_match_for
    decision.websocket_mismatch = walk.websocket_mismatch
    return decision


def _defaults_target(
    url_map: Map, rule: Rule, method: str, values: dict[str, t.Any]
) -> Rule | None:
    """The rule a defaults redirect goes to (``MapAdapter.get_default_redirect``)."""
    for other in url_map.iter_rules(rule.endpoint):
        # Rules sorted ahead of the matched one provide its defaults.
        if other is rule:
            break
        if other.provides_defaults_for(rule) and other.suitable_for(values, method):
            return other
    return None


class _Walk:
    """One depth-first walk (or two, with merged slashes) of the trie."""

    def __init__(self, method: str, websocket: bool) -> None:
        self.method = method
        self.websocket = websocket
        self.have_match_for: set[str] = set()
        self.websocket_mismatch = False

    def _fits(self, rule: Rule) -> bool:
        """Records a method or websocket mismatch the way Werkzeug does."""
        if rule.methods is not None and self.method not in rule.methods:
            self.have_match_for.update(rule.methods)
            return False
        if rule.websocket != self.websocket:
            self.websocket_mismatch = True
            return False
        return True

    def match(
        self, node: TrieNode, parts: list[str], index: int, raw: list[RawValue]
    ) -> tuple[Rule, list[RawValue]] | None:
        if index == len(parts):
            for rule in node.rules:
                if self._fits(rule):
                    return rule, raw
            slash_node = node.static.get("")
            if slash_node is not None:
                for rule in slash_node.rules:
                    if rule.websocket == self.websocket and (
                        rule.methods is None or self.method in rule.methods
                    ):
                        if rule.strict_slashes:
                            raise _SlashRequired(rule)
                        return rule, raw
            return None

        part = parts[index]
        static_node = node.static.get(part)
        if static_node is not None:
            found = self.match(static_node, parts, index + 1, raw)
            if found is not None:
                return found
        for edge in node.dynamic:
            if edge.final:
                target = "/".join(parts[index:])
                next_index = len(parts)
            else:
                target = part
                next_index = index + 1
            matched = edge.pattern.match(target)
            if matched is None:
                continue
            if edge.suffixed and matched.groups()[-1] == "/":
                next_index = len(parts) - 1  # the URL's trailing "" part is left
            found = self.match(edge.node, parts, next_index, raw + _values(matched, edge, index))
            if found is not None:
                return found
        if index == len(parts) - 1 and part == "":
            for rule in node.rules:
                if not rule.strict_slashes and self._fits(rule):
                    return rule, raw
        return None


def _values(matched: t.Any, edge: t.Any, position: int) -> list[RawValue]:
    """Converter texts of one part, in group order, named later by the rule."""
    groups = sorted(
        (
            (int(name[len(CONVERTER_GROUP_PREFIX) :]), value)
            for name, value in matched.groupdict().items()
            if name.startswith(CONVERTER_GROUP_PREFIX)
        ),
    )
    return [RawValue("", value, position) for _, value in groups]


def _named(rule: Rule, raw: list[RawValue]) -> list[RawValue]:
    """Name the texts after the rule's converters, in order, as Werkzeug does."""
    names = getattr(rule, "_converters", {})
    return [
        RawValue(name, value.text, value.position) for name, value in zip(names, raw, strict=False)
    ]
