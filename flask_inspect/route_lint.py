"""Route lint: rules that can never match, ties, and converters that block fallbacks.

Werkzeug never complains about a URL map; it just routes. Some maps route
differently from how they read:

- a rule with the same pattern as an earlier one, for the same methods, is
  never reached (``duplicate``);
- ``/calendar/<name>`` registered before ``/calendar/<date:day>`` takes
  every date first: converters of equal weight are tried in registration
  order, and ``<name>`` accepts any segment (``shadowed``);
- a rule written with a leading ``//`` (and no slash merging) cannot match,
  because Werkzeug strips leading slashes from the URL (``leading_double_slash``);
- a subdomain rule in an app without ``subdomain_matching`` is never tried
  against a real subdomain (``subdomain_ignored``; always so from Flask 3.1,
  and on Flask 3.0 when ``SERVER_NAME`` is not set: the running Flask is asked);
- two converters of equal weight that both accept some values are a tie
  settled by registration order (``tie``);
- a converter whose ``to_python`` can say no (``<int(max=50)>``, a custom date)
  ahead of a rule that would take the same URL: Werkzeug answers 404 instead
  of trying the later rule (``rejects_before_fallback``);
- a rule whose own defaults are exactly those of an earlier rule of its
  endpoint: every URL it matches is redirected (308) to that twin, so it
  never serves a page itself (``always_redirects``).

>>> [note.message for note in lint_routes(app)]  # doctest: +SKIP
"""

from __future__ import annotations

import re
import typing as t
from dataclasses import dataclass

from werkzeug.routing import Rule
from werkzeug.routing import UnicodeConverter
from werkzeug.test import EnvironBuilder

from . import match_decision as decided
from .diagnose import rules_accepting
from .match_decision import url_parts
from .reasons import can_reject_in_python
from .reasons import converter_label
from .samples import accepted_values
from .samples import regex_examples
from .samples import rejected_by_python
from .url_trie import DynamicEdge
from .url_trie import TrieNode
from .url_trie import UrlTrie
from .url_trie import url_trie

if t.TYPE_CHECKING:
    from flask import Flask

BAD = "bad"  # the rule can never match
WARN = "warn"  # routes differently from how it reads
INFO = "info"


@dataclass(frozen=True)
class LintNote:
    """One finding about one rule."""

    rule: str
    endpoint: str
    # Index of the rule in ``url_map.iter_rules()`` (``RouteInfo.registration_index``).
    rule_index: int
    kind: str
    severity: str
    message: str

    def to_dict(self) -> dict[str, t.Any]:
        return {
            "rule": self.rule,
            "endpoint": self.endpoint,
            "kind": self.kind,
            "severity": self.severity,
            "message": self.message,
        }

    @property
    def label(self) -> str:
        """A tag's worth of text: what a reader should know first."""
        if self.severity == BAD:
            return "never matches"
        return _LABELS.get(self.kind, self.kind.replace("_", " "))


_LABELS = {
    "partly_shadowed": "partly shadowed",
    "tie": "tie",
    "rejects_before_fallback": "blocks a fallback",
    "leading_double_slash": "leading //",
    "always_redirects": "always redirects",
}


def notes_by_rule_index(notes: list[LintNote]) -> dict[int, list[LintNote]]:
    """Notes grouped by ``RouteInfo.registration_index``, for the routes page."""
    grouped: dict[int, list[LintNote]] = {}
    for note in notes:
        grouped.setdefault(note.rule_index, []).append(note)
    return grouped


def lint_routes(app: Flask) -> list[LintNote]:
    """Every finding for ``app``'s URL map, in match priority order (cached per map)."""
    url_map = app.url_map
    trie = url_trie(url_map)
    subdomain_matching = bool(getattr(app, "subdomain_matching", True))
    key = ("lint", subdomain_matching, app.config.get("SERVER_NAME"))
    notes = trie.memo.get(key)
    if notes is None:
        notes = trie.memo[key] = _lint(app, trie)
    return list(notes)


def _lint(app: Flask, trie: UrlTrie) -> list[LintNote]:
    url_map = app.url_map
    index_of = {id(rule): index for index, rule in enumerate(url_map.iter_rules())}
    linter = _Linter(app, trie, index_of)
    linter.run()
    priority = {id(rule): position for position, rule in enumerate(trie.order)}
    return sorted(
        linter.notes,
        key=lambda note: (priority.get(id(linter.rule_of[note]), 0), note.kind),
    )


def _subdomain_flask_routes(app: Flask, subdomain: str) -> str | None:
    """The subdomain Flask routes a request for ``subdomain`` as, when not that one.

    Asked of the running Flask rather than assumed: without
    ``subdomain_matching`` Flask 3.1+ routes every request as the default
    subdomain, while Flask 3.0 still honours the Host header's subdomain when
    ``SERVER_NAME`` is set. ``None``: Flask keeps the subdomain (the rule can
    match). If the question cannot be asked (``TRUSTED_HOSTS`` refuses the
    probe host, say), the answer is what Flask 3.1+ does.
    """
    default = app.url_map.default_subdomain or ""
    wanted = re.sub(r"<[^>]*>", "probe", subdomain)
    server_name = app.config.get("SERVER_NAME") or "localhost"
    try:
        environ = EnvironBuilder(base_url=f"http://{wanted}.{server_name}/").get_environ()
        adapter = app.create_url_adapter(app.request_class(environ))
    except Exception:
        return default
    routed_as = getattr(adapter, "subdomain", default)
    if routed_as == wanted:
        return None
    return str(routed_as)


class _Linter:
    def __init__(self, app: Flask, trie: UrlTrie, index_of: dict[int, int]) -> None:
        self.app = app
        self.trie = trie
        self.index_of = index_of
        self.notes: list[LintNote] = []
        self.rule_of: dict[LintNote, Rule] = {}
        self.dead: set[int] = set()

    def add(self, rule: Rule, kind: str, severity: str, message: str) -> None:
        note = LintNote(
            rule.rule, str(rule.endpoint), self.index_of.get(id(rule), -1), kind, severity, message
        )
        if note in self.rule_of:
            return
        self.notes.append(note)
        self.rule_of[note] = rule
        if severity == BAD:
            self.dead.add(id(rule))

    def run(self) -> None:
        for rule in self.trie.order:
            self._leading_double_slash(rule)
            self._subdomain_ignored(rule)
        self._walk(self.trie.root)
        for rule in self.trie.order:
            if id(rule) not in self.dead:
                self._rejects_before_fallback(rule)
                self._always_redirects(rule)

    def _walk(self, node: TrieNode) -> None:
        self._duplicates(node.rules, node)
        self._dynamic_siblings(node)
        for child in node.static.values():
            self._walk(child)
        for edge in node.dynamic:
            self._walk(edge.node)

    def _leading_double_slash(self, rule: Rule) -> None:
        # Exactly "//" is the one such rule a URL can reach: "/" plus its
        # optional trailing slash.
        if not rule.rule.startswith("//") or rule.rule == "//":
            return
        if rule.merge_slashes:
            self.add(
                rule,
                "leading_double_slash",
                INFO,
                f"written with a leading '//', but matched as {'/' + rule.rule.lstrip('/')!r} "
                "because slashes are merged",
            )
            return
        self.add(
            rule,
            "leading_double_slash",
            BAD,
            "never matches: Werkzeug strips leading slashes from the URL, so a rule "
            "starting with '//' (with merge_slashes=False) can never be reached",
        )

    def _subdomain_ignored(self, rule: Rule) -> None:
        url_map = self.app.url_map
        if url_map.host_matching or getattr(self.app, "subdomain_matching", True):
            return
        default = url_map.default_subdomain or ""
        if rule.build_only or (rule.subdomain or "") == default:
            return
        routed_as = _subdomain_flask_routes(self.app, rule.subdomain or "")
        if routed_as is None:
            return
        unset = "" if self.app.config.get("SERVER_NAME") else " (and SERVER_NAME is not set)"
        self.add(
            rule,
            "subdomain_ignored",
            BAD,
            f"never matches: it is for subdomain {rule.subdomain!r}, but the app was created "
            f"without subdomain_matching=True{unset}, so Flask routes every request as "
            f"subdomain {routed_as!r}",
        )

    def _duplicates(self, rules: list[Rule], node: TrieNode) -> None:
        """Rules ending at one trie state: the earlier one wins for its methods."""
        for position, rule in enumerate(rules):
            earlier = [other for other in rules[:position] if other.websocket == rule.websocket]
            if not earlier:
                continue
            covered = _methods_union(earlier)
            lenient = _methods_union([other for other in earlier if not other.strict_slashes])
            mine = rule.methods
            exact_dead = _covers(covered, mine)
            if exact_dead and (rule.strict_slashes or _covers(lenient, mine)):
                first = earlier[0]
                same = "the same pattern as" if first.rule == rule.rule else "a pattern equal to"
                self.add(
                    rule,
                    "duplicate",
                    BAD,
                    f"never matches: it has {same} {first.rule} (endpoint {first.endpoint!r}), "
                    "registered earlier, which takes every method this rule accepts",
                )
            elif mine is not None and covered is not None and mine & covered - _AUTOMATIC:
                taken = ", ".join(sorted(mine & covered - _AUTOMATIC))
                first = earlier[0]
                self.add(
                    rule,
                    "partly_shadowed",
                    WARN,
                    f"for {taken}, {first.rule} (endpoint {first.endpoint!r}) has the same "
                    "pattern, was registered earlier and answers first",
                )

    def _dynamic_siblings(self, node: TrieNode) -> None:
        """Converters competing for the same segment with the same weight."""
        edges = [edge for edge in node.dynamic if not edge.final]
        for position, later in enumerate(edges):
            for earlier in edges[:position]:
                if earlier.part.weight != later.part.weight:
                    continue
                self._compare_tied(earlier, later, node)

    def _compare_tied(self, earlier: DynamicEdge, later: DynamicEdge, node: TrieNode) -> None:
        later_rules = later.node.rules
        earlier_rules = earlier.node.rules
        if not later_rules:
            return
        segment = node.depth - 2
        earlier_text = self._part_text(earlier)
        later_text = self._part_text(later)
        if earlier_rules and _takes_every_value(earlier, later):
            for rule in later_rules:
                covering = [other for other in earlier_rules if other.websocket == rule.websocket]
                if not covering or not _covers(_methods_union(covering), rule.methods):
                    continue
                winner = covering[0]
                self.add(
                    rule,
                    "shadowed",
                    BAD,
                    f"never matches: at segment {segment}, {earlier_text!r} accepts every value "
                    f"{later_text!r} does, they weigh the same, and {winner.rule} was "
                    "registered first, so it is always tried first",
                )
            return
        overlap = _shared_value(earlier, later)
        if overlap is None or not earlier_rules:
            return
        for rule in later_rules:
            if id(rule) in self.dead:
                continue
            self.add(
                rule,
                "tie",
                INFO,
                f"ties with {earlier_rules[0].rule} at segment {segment}: {earlier_text!r} and "
                f"{later_text!r} weigh the same, so registration order decides; a value both "
                f"accept (such as {overlap!r}) goes to {earlier_rules[0].rule}",
            )

    def _part_text(self, edge: DynamicEdge) -> str:
        rule = edge.node.subtree[0]
        texts = self.trie.plan(rule).part_texts
        index = edge.node.depth - 1
        return texts[index] if index < len(texts) else ""

    def _rejects_before_fallback(self, rule: Rule) -> None:
        """A to_python refusal that hides a later rule which would take the URL."""
        if rule.build_only:
            return
        converters = getattr(rule, "_converters", {})
        rejecting = [name for name, conv in converters.items() if can_reject_in_python(conv)]
        if not rejecting:
            return
        plan = self.trie.plan(rule)
        method = _a_method(rule)
        for name in rejecting:
            witness = rejected_by_python(converters[name])
            if witness is None:
                continue
            built = self._witness_parts(plan, name, witness)
            if built is None:
                continue
            domain, path = built
            parts = url_parts(domain, path)
            decision = decided.decide(
                self.trie, self.app.url_map, domain, path, method, rule.websocket
            )
            stops = (decided.VALIDATION_ERROR, decided.CONVERTER_ABORTED)
            if decision.kind not in stops or decision.rule is not rule:
                continue
            hidden = [
                other
                for other in rules_accepting(self.trie, parts, method, rule.websocket)
                if other is not rule and self.trie.plan(other).priority > plan.priority
            ]
            if not hidden:
                continue
            label = converter_label(converters[name], self.trie.converter_names)
            names = ", ".join(other.rule for other in hidden[:3])
            self.add(
                rule,
                "rejects_before_fallback",
                WARN,
                f"its {label} converter can reject a value in to_python (for example {path}); "
                f"Werkzeug then answers 404 and never tries {names}, which would take that URL",
            )
            return

    def _always_redirects(self, rule: Rule) -> None:
        """Every match redirects to a twin with the same defaults (``redirect_defaults``).

        After a match Werkzeug looks, among the endpoint's rules built before
        this one, for one that "provides defaults" for it (same endpoint,
        same arguments) and is suitable for the values. When that twin's
        defaults are all fixed by this rule's own defaults, it is suitable for
        every URL this rule matches: the request is always sent there.
        """
        url_map = self.app.url_map
        own = rule.defaults
        if not url_map.redirect_defaults or rule.build_only or rule.alias or not own:
            return
        earlier: list[Rule] = []
        for other in url_map.iter_rules(rule.endpoint):
            if other is rule:
                break
            if other.provides_defaults_for(rule):
                earlier.append(other)
        for twin in earlier:
            twin_defaults = twin.defaults or {}
            if any(key not in own or own[key] != value for key, value in twin_defaults.items()):
                continue
            methods = rule.methods
            outcome = "this rule never serves a page itself"
            if twin.methods is None or (methods is not None and methods <= twin.methods):
                scope = "every request it matches is"
            else:
                shared = sorted(twin.methods) if methods is None else sorted(methods & twin.methods)
                if not shared:
                    continue
                scope = f"every {', '.join(shared)} request it matches is"
                outcome = "only its other methods reach its view"
            target = twin.rule if twin is earlier[0] else f"{twin.rule} (or an earlier twin)"
            self.add(
                rule,
                "always_redirects",
                WARN,
                f"{scope} redirected (308) to {target}: both are for endpoint "
                f"{str(rule.endpoint)!r} with the defaults {twin_defaults!r}, and Werkzeug "
                f"sends such a request to the rule registered first (redirect_defaults), so "
                f"{outcome}; drop it, or say so with redirect_to or alias=True",
            )
            return

    def _witness_parts(self, plan: t.Any, name: str, witness: str) -> tuple[str, str] | None:
        """A URL that reaches ``plan``'s rule with ``witness`` as ``name``'s text."""
        pieces: list[str] = []
        domain = ""
        for index, step in enumerate(plan.steps):
            variables = plan.part_variables[index] if index < len(plan.part_variables) else []
            if isinstance(step, str):
                text = step
            else:
                if len(variables) != 1:
                    return None
                variable = variables[0]
                converter = plan.converters[variable]
                if variable == name:
                    text = witness
                else:
                    accepted = accepted_values(converter, limit=1)
                    if not accepted:
                        return None
                    text = accepted[0][0]
                part_text = plan.part_texts[index] if index < len(plan.part_texts) else ""
                if not (part_text.startswith("<") and part_text.endswith(">")):
                    return None
                if step.pattern.match(text) is None and not step.final:
                    return None
            if index == 0:
                domain = text
            else:
                pieces.append(text)
        return domain, "/".join(pieces) or "/"


_AUTOMATIC = frozenset({"HEAD", "OPTIONS"})


def _methods_union(rules: list[Rule]) -> set[str] | None:
    """All methods the rules accept together; ``None`` means every method."""
    methods: set[str] = set()
    for rule in rules:
        if rule.methods is None:
            return None
        methods |= rule.methods
    return methods


def _covers(covered: set[str] | None, methods: t.AbstractSet[str] | None) -> bool:
    if covered is None:
        return True
    if methods is None:
        return False
    return set(methods) <= covered


def _takes_every_value(earlier: DynamicEdge, later: DynamicEdge) -> bool:
    """True when ``earlier``'s part accepts every segment ``later``'s part accepts."""
    low, high = _any_segment_bounds(earlier)
    if low is None:
        return False
    if low <= 1 and high is None:
        return True  # accepts any non-empty segment: every single-segment part fits
    later_low, later_high = _any_segment_bounds(later)
    if later_low is None:
        return False
    return low <= later_low and (high is None or (later_high is not None and later_high <= high))


def _any_segment_bounds(edge: DynamicEdge) -> tuple[int | None, int | None]:
    """Length bounds when the part is a single ``string`` converter, else ``(None, None)``."""
    rule = edge.node.subtree[0] if edge.node.subtree else None
    if rule is None:
        return None, None
    for converter in getattr(rule, "_converters", {}).values():
        if not isinstance(converter, UnicodeConverter) or type(converter).to_python is not (
            UnicodeConverter.to_python
        ):
            continue
        if edge.pattern.pattern != f"(?P<__werkzeug_0>{converter.regex})\\Z":
            continue
        bounds = converter.regex[len("[^/]") :].strip("{}").split(",")
        try:
            low = int(bounds[0])
            high = int(bounds[1]) if len(bounds) > 1 and bounds[1] else None
            if len(bounds) == 1:
                high = low
        except ValueError:
            return None, None
        return low, high
    return None, None


def _shared_value(first: DynamicEdge, second: DynamicEdge) -> str | None:
    """A segment both parts accept, if we can find one."""
    for text in regex_examples(second.pattern.pattern) + regex_examples(first.pattern.pattern):
        if first.pattern.match(text) and second.pattern.match(text):
            return text
    return None


def _a_method(rule: Rule) -> str:
    methods = rule.methods
    if methods is None or "GET" in methods:
        return "GET"
    return sorted(methods - _AUTOMATIC or methods)[0]
