"""Rule by rule, segment by segment: why each rule does or does not take a URL.

Every rule is checked on its own against the URL's parts, walking the same
trie Werkzeug walks so that rules sharing a prefix share the work: when a
transition turns a segment down, every rule below it fails there, for the
same reason, at the same segment. The rules whose path does fit are then set
against Werkzeug's actual decision (``match_decision``): the one it picked,
the ones it never reached, and the ones a higher-priority rule beat.

Segments are counted from 0 after the leading slash: in ``/user/abc``,
segment 0 is ``user`` and segment 1 is ``abc``. The host or subdomain has no
segment number.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass
from dataclasses import field

from werkzeug.routing import Map
from werkzeug.routing import Rule

from . import match_decision as decided
from . import reasons
from .match_decision import Decision
from .match_decision import RawValue
from .match_decision import url_parts
from .redact import plain_repr
from .url_trie import CONVERTER_GROUP_PREFIX
from .url_trie import DynamicEdge
from .url_trie import RulePlan
from .url_trie import TrieNode
from .url_trie import UrlTrie

# Outcomes a rule can have. The explanation's JSON uses these strings.
MATCHED = "matched"
SHADOWED = "shadowed"
NOT_TRIED = "not_tried"
HOST_MISMATCH = "host_mismatch"
STATIC_MISMATCH = "static_mismatch"
CONVERTER_REJECTED = "converter_rejected"
VALIDATION_ERROR = "validation_error"
CONVERTER_ABORTED = "converter_aborted"
CONVERTER_ERROR = "converter_error"
TOO_FEW_SEGMENTS = "too_few_segments"
TOO_MANY_SEGMENTS = "too_many_segments"
TRAILING_SLASH = "unexpected_trailing_slash"
SLASH_REDIRECT = "slash_redirect"
MISSING_SLASH = "missing_slash"
MERGE_REDIRECT = "merge_slashes_redirect"
SLASHES_NOT_MERGED = "slashes_not_merged"
DEFAULTS_REDIRECT = "defaults_redirect"
REDIRECT_TO = "redirect_to"
METHOD_NOT_ALLOWED = "method_not_allowed"
WEBSOCKET_MISMATCH = "websocket_mismatch"
BUILD_ONLY = "build_only"

OUTCOMES = (
    MATCHED,
    SHADOWED,
    NOT_TRIED,
    HOST_MISMATCH,
    STATIC_MISMATCH,
    CONVERTER_REJECTED,
    VALIDATION_ERROR,
    CONVERTER_ABORTED,
    CONVERTER_ERROR,
    TOO_FEW_SEGMENTS,
    TOO_MANY_SEGMENTS,
    TRAILING_SLASH,
    SLASH_REDIRECT,
    MISSING_SLASH,
    MERGE_REDIRECT,
    SLASHES_NOT_MERGED,
    DEFAULTS_REDIRECT,
    REDIRECT_TO,
    METHOD_NOT_ALLOWED,
    WEBSOCKET_MISMATCH,
    BUILD_ONLY,
)

# Outcomes that decided the verdict: the rule worth drawing under the URL.
DECIDING = frozenset(
    {
        MATCHED,
        VALIDATION_ERROR,
        CONVERTER_ABORTED,
        CONVERTER_ERROR,
        SLASH_REDIRECT,
        MERGE_REDIRECT,
        SLASHES_NOT_MERGED,
        DEFAULTS_REDIRECT,
        REDIRECT_TO,
    }
)

# Outcomes that say nothing beyond "this rule is about something else".
_UNRELATED = frozenset(
    {STATIC_MISMATCH, CONVERTER_REJECTED, TOO_FEW_SEGMENTS, TOO_MANY_SEGMENTS, TRAILING_SLASH}
)


def parts_ways_early(outcome: str, segment: int | None) -> bool:
    """Fails at the host or the first segment: noise on a page unless asked for."""
    if outcome in (HOST_MISMATCH, BUILD_ONLY):
        return True
    return outcome in _UNRELATED and (segment or 0) == 0


_DECISION_OUTCOMES = {
    decided.MATCHED: MATCHED,
    decided.SLASH_REDIRECT: SLASH_REDIRECT,
    decided.MERGE_REDIRECT: MERGE_REDIRECT,
    decided.SLASHES_NOT_MERGED: SLASHES_NOT_MERGED,
    decided.DEFAULTS_REDIRECT: DEFAULTS_REDIRECT,
    decided.ALIAS_REDIRECT: DEFAULTS_REDIRECT,
    decided.REDIRECT_TO: REDIRECT_TO,
    decided.VALIDATION_ERROR: VALIDATION_ERROR,
    decided.CONVERTER_ABORTED: CONVERTER_ABORTED,
    decided.CONVERTER_ERROR: CONVERTER_ERROR,
}

EXACT = "exact"
TRAILING = "trailing"  # the URL's extra trailing slash, accepted: strict_slashes is off
SLASH_NEEDED = "slash_needed"


@dataclass(eq=False, slots=True)
class Candidate:
    """One rule's outcome for the URL; ``to_dict()`` is the JSON contract's candidate."""

    rule: str
    endpoint: str
    outcome: str
    reason: str
    segment: int | None
    # URL parts the rule got through before failing (for "did you mean").
    progress: int = field(default=0, repr=False)
    plan: RulePlan | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, t.Any]:
        return {
            "rule": self.rule,
            "endpoint": self.endpoint,
            "outcome": self.outcome,
            "reason": self.reason,
            "segment": self.segment,
        }

    @property
    def rule_object(self) -> Rule | None:
        return self.plan.rule if self.plan is not None else None

    @property
    def domain(self) -> str:
        """The rule's host or subdomain pattern (empty for none)."""
        return self.plan.domain if self.plan is not None else ""

    @property
    def rule_segments(self) -> tuple[str, ...]:
        """The rule's path segments, as written (``<int:id>`` kept whole)."""
        return self.plan.segments if self.plan is not None else ()

    @property
    def methods(self) -> tuple[str, ...]:
        return self.plan.methods if self.plan is not None else ()


@dataclass(frozen=True)
class _Failure:
    outcome: str
    position: int
    reason: str
    segment: int | None = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "segment", segment_of(self.position))


@dataclass(frozen=True)
class _PathFit:
    kind: str
    raw: list[RawValue]


_Result = t.Union[_Failure, _PathFit]  # noqa: UP007 - a runtime alias on 3.10


def segment_of(position: int | None) -> int | None:
    """URL part index -> 0-based path segment (``None`` for the host part)."""
    if position is None or position < 2:
        return None
    return position - 2


@dataclass
class Diagnosis:
    """Every rule's candidate, and where static text was compared along the way."""

    candidates: list[Candidate]
    # (trie node, URL part index) pairs where the URL met static transitions:
    # where "did you mean" looks for typos.
    static_stops: list[tuple[TrieNode, int]]
    # (edge, URL part index) pairs where a converter turned the URL's segment
    # down: where "did you mean" looks for one wrong value.
    value_stops: list[tuple[DynamicEdge, int]] = field(default_factory=list)


def diagnose(
    trie: UrlTrie,
    url_map: Map,
    decision: Decision,
    domain: str,
    path: str,
    method: str,
    websocket: bool,
    redirect_url: str | None,
) -> Diagnosis:
    """Every rule of the map, in match priority, with its outcome and reason."""
    parts = decision.url_parts
    walker = _Walker(trie, parts)
    results = walker.run()
    raw_parts = url_parts(domain, path)
    if decision.merged and raw_parts != parts:
        raw_results = _Walker(trie, raw_parts).run()
        for key, result in raw_results.items():
            if isinstance(result, _PathFit) and not isinstance(results.get(key), _PathFit):
                results[key] = result
    context = _Context(trie, decision, parts, method, websocket, redirect_url, url_map)
    chosen = decision.rule
    candidates = []
    for plan in trie.plan_order:
        rule = plan.rule
        found = results.get(id(rule))
        if isinstance(found, _Failure) and rule is not chosen and not rule.build_only:
            # The common case, kept lean: most rules fail at some segment.
            candidates.append(
                Candidate(
                    plan.text,
                    plan.endpoint,
                    found.outcome,
                    found.reason,
                    found.segment,
                    found.position,
                    plan,
                )
            )
        else:
            candidates.append(context.outcome_for(rule, found))
    return Diagnosis(candidates, walker.static_stops, walker.value_stops)


class _Walker:
    """The isolated check of every rule, sharing work along the trie."""

    def __init__(self, trie: UrlTrie, parts: list[str]) -> None:
        self.trie = trie
        self.parts = parts
        self.count = len(parts)
        self.results: dict[int, _Result] = {}
        self.static_stops: list[tuple[TrieNode, int]] = []
        self.value_stops: list[tuple[DynamicEdge, int]] = []

    def run(self) -> dict[int, _Result]:
        self._walk(self.trie.root, 0, [])
        return self.results

    def _fail(self, rules: t.Iterable[Rule], failure: _Failure) -> None:
        results = self.results
        for rule in rules:
            results[id(rule)] = failure

    def _walk(self, node: TrieNode, index: int, raw: list[RawValue]) -> None:
        parts, count, results = self.parts, self.count, self.results
        if node.rules:
            if index == count:
                fit = _PathFit(EXACT, raw)
                for rule in node.rules:
                    results[id(rule)] = fit
            elif index == count - 1 and parts[index] == "":
                for rule in node.rules:
                    results[id(rule)] = (
                        _PathFit(TRAILING, raw)
                        if not rule.strict_slashes
                        else _Failure(TRAILING_SLASH, index, _trailing_slash_reason())
                    )
            else:
                extra = "/".join(parts[index:])
                self._fail(
                    node.rules,
                    _Failure(
                        TOO_MANY_SEGMENTS,
                        index,
                        f"too many segments: the rule ends here, and the URL goes on with "
                        f"{reasons.quoted('/' + extra)}",
                    ),
                )
        if index == count:
            self._ran_out(node, raw)
            return
        part = parts[index]
        if node.static:
            self.static_stops.append((node, index))
        for key, child in node.static.items():
            if key == part:
                self._walk(child, index + 1, raw)
            else:
                self._static_differs(child, key, part, index)
        for edge in node.dynamic:
            if edge.final:
                target = "/".join(parts[index:])
                next_index = count
            else:
                target = part
                next_index = index + 1
            matched = edge.pattern.match(target)
            if matched is None:
                self._dynamic_rejects(edge, target, index)
                continue
            if edge.suffixed and matched.groups()[-1] == "/":
                next_index = count - 1
            self._walk(edge.node, next_index, raw + _texts(matched, index))

    def _ran_out(self, node: TrieNode, raw: list[RawValue]) -> None:
        """The URL ended at ``node``: deeper rules need more segments."""
        missing = self.count
        for key, child in node.static.items():
            deeper = child.subtree
            if key == "":
                fit = _PathFit(SLASH_NEEDED, raw)
                for rule in child.rules:
                    self.results[id(rule)] = fit
                deeper = child.subtree[len(child.rules) :]
            next_text = "/" if key == "" else key
            self._fail(deeper, self._too_few(missing, next_text))
        for edge in node.dynamic:
            text = self.trie.plan(edge.node.subtree[0]).part_texts[edge.node.depth - 1]
            self._fail(edge.node.subtree, self._too_few(missing, text))

    def _too_few(self, position: int, next_text: str) -> _Failure:
        return _Failure(
            TOO_FEW_SEGMENTS,
            position,
            f"too few segments: the URL ends where the rule continues with {next_text!r}",
        )

    def _static_differs(self, child: TrieNode, expected: str, got: str, index: int) -> None:
        if index == 0:
            self._fail(
                child.subtree, _Failure(HOST_MISMATCH, 0, _host_reason(self.trie, expected, got))
            )
            return
        if expected == "":
            ending = child.rules
            self._fail(
                ending,
                _Failure(
                    TOO_MANY_SEGMENTS,
                    index,
                    "too many segments: the rule ends with a slash here, and the URL goes on "
                    f"with {reasons.quoted(got)}",
                ),
            )
            self._fail(
                child.subtree[len(ending) :],
                _Failure(
                    STATIC_MISMATCH,
                    index,
                    f"expected an empty segment (a doubled slash), got {reasons.quoted(got)}",
                ),
            )
            return
        if got == "" and index == self.count - 1:
            failure = self._too_few(index, expected)
        else:
            failure = _Failure(
                STATIC_MISMATCH, index, f"expected {expected!r}, got {reasons.quoted(got)}"
            )
        self._fail(child.subtree, failure)

    def _dynamic_rejects(self, edge: DynamicEdge, target: str, index: int) -> None:
        rules = edge.node.subtree
        plan = self.trie.plan(rules[0])
        part_index = edge.node.depth - 1
        text = plan.part_texts[part_index] if part_index < len(plan.part_texts) else ""
        if index == 0:
            failure = _Failure(HOST_MISMATCH, 0, _host_reason(self.trie, text, target))
        elif target == "" and index == self.count - 1:
            failure = self._too_few(index, text)
        else:
            failure = _Failure(
                CONVERTER_REJECTED, index, _rejection(self.trie, plan, part_index, target)
            )
            self.value_stops.append((edge, index))
        self._fail(rules, failure)


def _texts(matched: t.Any, position: int) -> list[RawValue]:
    groups = sorted(
        (int(name[len(CONVERTER_GROUP_PREFIX) :]), value)
        for name, value in matched.groupdict().items()
        if name.startswith(CONVERTER_GROUP_PREFIX)
    )
    return [RawValue("", value, position) for _, value in groups]


def _rejection(trie: UrlTrie, plan: RulePlan, part_index: int, target: str) -> str:
    """The converter-specific reason when a part is a single converter."""
    text = plan.part_texts[part_index] if part_index < len(plan.part_texts) else ""
    names = plan.part_variables[part_index] if part_index < len(plan.part_variables) else []
    single = (
        len(names) == 1 and text.startswith("<") and text.endswith(">") and text.count("<") == 1
    )
    if single:
        converter = plan.converters[names[0]]
        label = reasons.converter_label(converter, trie.converter_names)
        return reasons.regex_rejection(converter, label, target)
    return f"{reasons.quoted(target)} does not fit {text!r}"


def _host_reason(trie: UrlTrie, expected: str, got: str) -> str:
    if trie.host_matching:
        return f"the rule is for host {expected or '(any)'!r}; the request's host is {got!r}"
    wanted = repr(expected) if expected else "no subdomain"
    if got == "<invalid>":  # Werkzeug's marker for a host outside SERVER_NAME
        return f"the rule needs {wanted}, but the request's host is not under SERVER_NAME"
    actual = repr(got) if got else "none"
    return f"the rule needs subdomain {wanted}; the request's subdomain is {actual}"


def _trailing_slash_reason() -> str:
    return (
        "the URL ends with a slash and the rule does not; with strict_slashes on "
        "that is a 404 (strict_slashes=False would accept it)"
    )


class _Context:
    """Turns an isolated result into the rule's outcome, given Werkzeug's decision."""

    def __init__(
        self,
        trie: UrlTrie,
        decision: Decision,
        parts: list[str],
        method: str,
        websocket: bool,
        redirect_url: str | None,
        url_map: Map,
    ) -> None:
        self.trie = trie
        self.decision = decision
        self.parts = parts
        self.method = method
        self.websocket = websocket
        self.redirect_url = redirect_url
        self.url_map = url_map
        chosen = decision.rule
        self.chosen_plan = trie.plans.get(id(chosen)) if chosen is not None else None

    def _make(
        self, rule: Rule, outcome: str, reason: str, segment: int | None, progress: int
    ) -> Candidate:
        plan = self.trie.plans.get(id(rule))
        if plan is None:
            return Candidate(rule.rule, str(rule.endpoint), outcome, reason, segment, progress)
        return Candidate(plan.text, plan.endpoint, outcome, reason, segment, progress, plan)

    def outcome_for(self, rule: Rule, result: _Result | None) -> Candidate:
        if rule.build_only:
            return self._make(
                rule,
                BUILD_ONLY,
                "build-only: url_for can build it, but requests never match it",
                None,
                0,
            )
        if rule is self.decision.rule:
            return self._decided(rule)
        if result is None:
            return self._make(rule, STATIC_MISMATCH, "the rule is not in the matcher", None, 0)
        if isinstance(result, _Failure):
            return self._make(
                rule, result.outcome, result.reason, segment_of(result.position), result.position
            )
        return self._fits(rule, result)

    def _end_segment(self) -> int | None:
        return segment_of(len(self.parts))

    def _decided(self, rule: Rule) -> Candidate:
        decision = self.decision
        outcome = _DECISION_OUTCOMES.get(decision.kind, MATCHED)
        progress = len(self.parts)
        target = self.redirect_url or "the canonical URL"
        segment: int | None = None
        if decision.kind == decided.MATCHED:
            values = ", ".join(
                f"{name}={plain_repr(value)}" for name, value in decision.values.items()
            )
            reason = f"matches: endpoint {rule.endpoint!r}" + (f" with {values}" if values else "")
        elif decision.kind == decided.SLASH_REDIRECT:
            segment = self._end_segment()
            reason = f"the rule ends with a slash the URL lacks (strict_slashes): 308 to {target}"
        elif decision.kind == decided.MERGE_REDIRECT:
            reason = f"matches once repeated slashes are merged: 308 to {target}"
        elif decision.kind == decided.SLASHES_NOT_MERGED:
            reason = (
                "would match with repeated slashes merged, but the rule sets "
                "merge_slashes=False, so Werkzeug answers 404"
            )
        elif decision.kind == decided.ALIAS_REDIRECT:
            reason = (
                f"an alias: Werkzeug redirects to the endpoint's canonical URL, 308 to {target}"
            )
        elif decision.kind == decided.DEFAULTS_REDIRECT:
            canonical = decision.defaults_rule.rule if decision.defaults_rule else "another rule"
            defaults = decision.defaults_rule.defaults if decision.defaults_rule else {}
            reason = (
                f"matches, but {canonical} gives the same values by default "
                f"(defaults {plain_repr(defaults)}), so Werkzeug redirects to it: 308 to {target}"
            )
        elif decision.kind == decided.REDIRECT_TO:
            shown = rule.redirect_to if isinstance(rule.redirect_to, str) else "a function"
            reason = f"the rule redirects (redirect_to={shown!r}): 308 to {target}"
        else:
            failed = decision.failed_value
            converter = getattr(rule, "_converters", {}).get(failed.name) if failed else None
            label = (
                reasons.converter_label(converter, self.trie.converter_names) if converter else "?"
            )
            text = failed.text if failed else ""
            segment = segment_of(failed.position if failed else None)
            progress = failed.position if failed else 0
            if decision.kind == decided.CONVERTER_ERROR and decision.error is not None:
                reason = (
                    reasons.crash_description(label, text, decision.error)
                    if converter
                    else str(decision.error)
                )
            elif decision.kind == decided.CONVERTER_ABORTED and decision.error is not None:
                reason = (
                    f"{reasons.abort_description(label, text, decision.error)}. Werkzeug "
                    f"lets it through, so no later rule is tried: {decision.status}"
                )
            else:
                rejected = (
                    reasons.python_rejection(converter, label, text, decision.error)
                    if converter is not None
                    else "to_python rejected the value"
                )
                reason = (
                    f"{rejected}. Werkzeug stops at the first rule whose path fits, so no "
                    "later rule is tried: 404"
                )
        return self._make(rule, outcome, reason, segment, progress)

    def _fits(self, rule: Rule, fit: _PathFit) -> Candidate:
        progress = len(self.parts)
        method_ok = rule.methods is None or self.method in rule.methods
        websocket_ok = rule.websocket == self.websocket
        end = self._end_segment()
        if fit.kind == SLASH_NEEDED and not (method_ok and websocket_ok):
            why = (
                f"it does not accept {self.method} (allows {_methods(rule)})"
                if not method_ok
                else _websocket_text(rule)
            )
            return self._make(
                rule,
                MISSING_SLASH,
                "the rule ends with a slash the URL lacks; Werkzeug redirects to add it only "
                f"for requests the rule accepts, and {why}",
                end,
                progress,
            )
        if not method_ok:
            return self._make(
                rule,
                METHOD_NOT_ALLOWED,
                f"the path fits, but the rule allows {_methods(rule)}, not {self.method}",
                None,
                progress,
            )
        if not websocket_ok:
            return self._make(
                rule,
                WEBSOCKET_MISMATCH,
                f"the path fits, but {_websocket_text(rule)}",
                None,
                progress,
            )
        rejected = self._python_rejects(rule, fit.raw)
        if rejected is not None:
            return rejected
        return self._beaten(rule, fit)

    def _python_rejects(self, rule: Rule, raw: list[RawValue]) -> Candidate | None:
        converters = getattr(rule, "_converters", {})
        for name, value in zip(converters, raw, strict=False):
            converter = converters[name]
            try:
                converter.to_python(value.text)
            except Exception as error:
                label = reasons.converter_label(converter, self.trie.converter_names)
                return self._make(
                    rule,
                    CONVERTER_REJECTED,
                    reasons.python_rejection(converter, label, value.text, error),
                    segment_of(value.position),
                    value.position,
                )
        return None

    def _beaten(self, rule: Rule, fit: _PathFit) -> Candidate:
        decision = self.decision
        chosen = decision.rule
        progress = len(self.parts)
        if chosen is None:
            return self._make(
                rule,
                SHADOWED,
                "the path fits, but Werkzeug did not choose this rule",
                None,
                progress,
            )
        plan = self.trie.plans.get(id(rule))
        if (
            decision.kind in (decided.VALIDATION_ERROR, decided.CONVERTER_ABORTED)
            and plan
            and self.chosen_plan
            and (plan.priority > self.chosen_plan.priority)
        ):
            failed = decision.failed_value
            shown = reasons.quoted(failed.text) if failed else "a value"
            verb = (
                f"raised {type(decision.error).__name__} for"
                if decision.kind == decided.CONVERTER_ABORTED
                else "rejected"
            )
            return self._make(
                rule,
                NOT_TRIED,
                f"would match, but Werkzeug stopped at {chosen.rule} when its converter "
                f"{verb} {shown}; later rules are never tried",
                None,
                progress,
            )
        how = "would redirect to add a slash" if fit.kind == SLASH_NEEDED else "would match too"
        why = self._why_first(plan, fit)
        return self._make(rule, SHADOWED, f"{how}, but {chosen.rule} wins: {why}", None, progress)

    def _why_first(self, plan: RulePlan | None, fit: _PathFit) -> str:
        winner = self.chosen_plan
        if plan is None or winner is None:
            return "it comes first in match order"
        if plan.node is not None and plan.node is winner.node:
            return "it has the same pattern and was registered first"
        common = 0
        for mine, theirs in zip(plan.steps, winner.steps, strict=False):
            if mine is not theirs and mine != theirs:
                break
            common += 1
        if common == len(winner.steps):
            if fit.kind == SLASH_NEEDED:
                return "it matches the URL exactly, and this rule would need a trailing slash"
            return "it ends earlier on the same path and is tried first"
        if common == len(plan.steps):
            if fit.kind == TRAILING:
                return (
                    "it matches the trailing slash exactly; this rule accepts it only because "
                    "strict_slashes is off, and Werkzeug tries that fallback last"
                )
            return "it continues further along the same path and is tried first"
        where = "in the host part" if common == 0 else f"at segment {common - 2}"
        mine, theirs = plan.steps[common], winner.steps[common]
        my_text = _part_text(plan, common)
        their_text = _part_text(winner, common)
        if isinstance(theirs, str) and isinstance(mine, DynamicEdge):
            return (
                f"{where}, static text {their_text!r} is tried before converters like {my_text!r}"
            )
        if isinstance(theirs, DynamicEdge) and isinstance(mine, DynamicEdge):
            my_weight, their_weight = mine.part.weight, theirs.part.weight
            if their_weight == my_weight:
                return (
                    f"{where}, {their_text!r} and {my_text!r} weigh the same, so registration "
                    f"order decides and {winner.rule.rule} was registered first"
                )
            return (
                f"{where}, {their_text!r} is tried before {my_text!r} "
                f"(converters are tried by weight: {_weight_text(theirs)} before "
                f"{_weight_text(mine)})"
            )
        return f"{where}, Werkzeug tries {their_text!r} before {my_text!r}"


def _part_text(plan: RulePlan, index: int) -> str:
    return plan.part_texts[index] if index < len(plan.part_texts) else ""


def _weight_text(edge: DynamicEdge) -> str:
    weights = list(getattr(edge.part.weight, "argument_weights", []))
    if len(weights) == 1:
        return str(weights[0])
    return str(weights)


def _methods(rule: Rule) -> str:
    return ", ".join(sorted(rule.methods or ())) or "no method"


def _websocket_text(rule: Rule) -> str:
    if rule.websocket:
        return "the rule accepts only WebSocket requests"
    return "the rule accepts only plain HTTP requests, not WebSocket"


def rules_accepting(trie: UrlTrie, parts: list[str], method: str, websocket: bool) -> list[Rule]:
    """Rules that, each on its own, would take the URL: path, method, websocket
    and ``to_python`` all agree. In match priority order."""
    results = _Walker(trie, parts).run()
    accepted = []
    for rule in trie.order:
        result = results.get(id(rule))
        if not isinstance(result, _PathFit) or rule.build_only:
            continue
        if rule.methods is not None and method not in rule.methods:
            continue
        if rule.websocket != websocket:
            continue
        if _python_accepts(rule, result.raw):
            accepted.append(rule)
    return accepted


def _python_accepts(rule: Rule, raw: list[RawValue]) -> bool:
    converters = getattr(rule, "_converters", {})
    try:
        for name, value in zip(converters, raw, strict=False):
            converters[name].to_python(value.text)
    except Exception:
        return False
    return True
