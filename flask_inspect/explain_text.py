"""Route explain and route lint as plain text, for ``flask inspect``.

>>> print(format_explanation(explain(app, "/usr/7")))  # doctest: +SKIP
404 Not found  GET localhost/usr/7
404: closest is /user/<int:id>; segment 0: expected 'user', got 'usr'
...
"""

from __future__ import annotations

from . import diagnose as outcomes
from .diagnose import Candidate
from .explain import VERDICT_LABELS
from .explain import Explanation
from .outcome_words import outcome_label
from .route_lint import LintNote


def format_explanation(explanation: Explanation, show_all: bool = False) -> str:
    lines = [
        f"{explanation.status} {VERDICT_LABELS.get(explanation.verdict, explanation.verdict)}  "
        f"{explanation.method} {explanation.host}{explanation.script_name}{explanation.path}"
        + ("  (WebSocket)" if explanation.websocket else ""),
        explanation.summary,
    ]
    if explanation.view_args:
        lines.append("View arguments:")
        for name, arg in explanation.view_args.items():
            lines.append(f"  {name} = {arg.repr}  ({arg.type})")
    if explanation.redirect_to:
        lines.append(f"Redirects to: {explanation.redirect_to}")
    if explanation.allowed_methods:
        lines.append(f"Allowed methods: {', '.join(explanation.allowed_methods)}")
    focus = _focus(explanation)
    if focus is not None:
        lines += ["", *aligned_diagram(explanation.segments, focus)]
    if explanation.suggestions:
        lines += ["", "Did you mean:"]
        width = max(len(suggestion.rule) for suggestion in explanation.suggestions)
        names = [f"({suggestion.endpoint})" for suggestion in explanation.suggestions]
        name_width = max(len(name) for name in names)
        for suggestion, name in zip(explanation.suggestions, names, strict=True):
            example = f"  e.g. {suggestion.example}" if suggestion.example else ""
            lines.append(f"  {suggestion.rule.ljust(width)}  {name.ljust(name_width)}{example}")
    if explanation.top_level:
        lines += ["", "Nothing is close. The app's top-level paths:"]
        width = max(len(entry.example or "") for entry in explanation.top_level)
        for entry in explanation.top_level:
            lines.append(f"  {(entry.example or '').ljust(width)}  ({entry.endpoint})")
    lines += ["", *_candidate_table(explanation.candidates, focus, explanation, show_all)]
    return "\n".join(lines)


def _focus(explanation: Explanation) -> Candidate | None:
    for candidate in explanation.candidates:
        if candidate.outcome in outcomes.DECIDING:
            return candidate
    if explanation.suggestions:
        return explanation.suggestions[0].candidate
    return None


def aligned_diagram(url_segments: list[str], candidate: Candidate) -> list[str]:
    """The URL over the rule, segment by segment, with a caret under the failure.

    A segment one side lacks is left blank, slash included, so ``/docs``
    over ``/docs/`` shows the missing trailing slash.
    """
    rule_segments = list(candidate.rule_segments)
    count = max(len(url_segments), len(rule_segments))
    widths = [
        max(
            len(url_segments[i]) if i < len(url_segments) else 0,
            len(rule_segments[i]) if i < len(rule_segments) else 0,
            1,
        )
        for i in range(count)
    ]
    url_line = "  URL   " + _joined(url_segments, widths)
    rule_line = "  rule  " + _joined(rule_segments, widths)
    lines = [url_line.rstrip(), rule_line.rstrip()]
    segment = candidate.segment
    if segment is not None and segment < count:
        offset = len("  rule  ") + sum(width + 1 for width in widths[:segment]) + 1
        lines.append(" " * offset + "^" * widths[segment] + f"  segment {segment}")
    elif candidate.outcome == outcomes.HOST_MISMATCH:
        lines.append(f"  host: the rule wants {candidate.domain or '(none)'!r}")
    return lines


def _joined(segments: list[str], widths: list[int]) -> str:
    cells = []
    for index, width in enumerate(widths):
        if index < len(segments):
            cells.append("/" + segments[index].ljust(width))
        else:
            cells.append(" " * (width + 1))
    return "".join(cells)


def _candidate_table(
    candidates: list[Candidate],
    focus: Candidate | None,
    explanation: Explanation,
    show_all: bool,
) -> list[str]:
    suggested = {id(s.candidate) for s in explanation.suggestions if s.candidate is not None}
    shown = [
        (index, candidate)
        for index, candidate in enumerate(candidates)
        if show_all
        or candidate is focus
        or id(candidate) in suggested
        or not outcomes.parts_ways_early(candidate.outcome, candidate.segment)
    ]
    hidden = len(candidates) - len(shown)
    title = "Rule by rule, in match order"
    if hidden:
        title += f" ({hidden} that differ at the host or first segment hidden; --all lists them)"
    lines = [title + ":"]
    if not shown:
        return lines
    rule_width = max(len(candidate.rule) for _, candidate in shown)
    outcome_width = max(len(outcome_label(candidate.outcome)) for _, candidate in shown)
    for index, candidate in shown:
        segment = "-" if candidate.segment is None else str(candidate.segment)
        lines.append(
            f"  {index:>3}  {outcome_label(candidate.outcome).ljust(outcome_width)}  "
            f"{candidate.rule.ljust(rule_width)}  seg {segment:>2}  {candidate.reason}"
        )
    return lines


def format_lint_notes(notes: list[LintNote]) -> list[str]:
    """``Lint:`` lines for ``flask inspect routes``; empty when there is nothing to say."""
    if not notes:
        return []
    lines = ["", "Lint:"]
    for note in notes:
        lines.append(f"  [{note.severity}] {note.rule} ({note.endpoint}): {note.message}")
    return lines
