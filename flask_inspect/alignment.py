"""Rule and URL side by side: one column per path segment, for drawing.

The match page draws each candidate rule under the URL it is compared with,
segment under segment, with the failing segment marked. This module decides
what goes in each column; the template only draws it.

>>> [cell.status for cell in align(candidate, ["user", "abc"], 2).cells]  # doctest: +SKIP
['ok', 'fail']
"""

from __future__ import annotations

from dataclasses import dataclass

from . import diagnose as outcomes
from .diagnose import Candidate
from .url_trie import DynamicEdge

OK = "ok"
FAIL = "fail"
UNTRIED = "untried"
MISSING = "missing"  # the rule needs a segment the URL does not have

# Outcomes whose path fits completely: every segment lines up.
_PATH_FITS = frozenset(
    {
        outcomes.MATCHED,
        outcomes.SHADOWED,
        outcomes.NOT_TRIED,
        outcomes.METHOD_NOT_ALLOWED,
        outcomes.WEBSOCKET_MISMATCH,
        outcomes.DEFAULTS_REDIRECT,
        outcomes.REDIRECT_TO,
        outcomes.MERGE_REDIRECT,
        outcomes.SLASHES_NOT_MERGED,
        outcomes.VALIDATION_ERROR,
        outcomes.CONVERTER_ABORTED,
        outcomes.CONVERTER_ERROR,
    }
)


@dataclass(frozen=True)
class Cell:
    """One column of a rule's row: its text there and how that segment fared."""

    text: str
    status: str
    span: int = 1


@dataclass(frozen=True)
class Row:
    host: Cell | None
    cells: list[Cell]


def columns_for(url_segments: list[str], candidates: list[Candidate]) -> int:
    """Enough columns for the URL and for the longest rule shown."""
    longest = max((len(candidate.rule_segments) for candidate in candidates), default=0)
    return max(len(url_segments), longest, 1)


def align(candidate: Candidate, url_segments: list[str], columns: int) -> Row:
    """The candidate's rule laid out under ``url_segments``, ``columns`` wide."""
    texts = list(candidate.rule_segments)
    finals = _final_from(candidate)
    failing = candidate.segment
    outcome = candidate.outcome
    host_status = OK
    if outcome == outcomes.HOST_MISMATCH:
        host_status = FAIL
    elif outcome == outcomes.BUILD_ONLY:
        host_status = UNTRIED
    host = Cell(candidate.domain, host_status) if candidate.domain else None
    cells: list[Cell] = []
    column = 0
    for index, text in enumerate(texts):
        if column == columns - 1 and index < len(texts) - 1:
            # Out of columns: the rest of the rule shares the last one.
            text = "/".join(texts[index:])
            cells.append(Cell(text, _status(outcome, failing, column, url_segments)))
            column += 1
            break
        span = 1
        if finals is not None and index == finals:
            # A path converter takes every segment that is left.
            span = max(1, len(url_segments) - column)
            if texts[index + 1 :] == [""]:
                span = max(1, span - (1 if url_segments[-1:] == [""] else 0))
        cells.append(Cell(text, _status(outcome, failing, column, url_segments), span))
        column += span
    while column < columns:
        cells.append(Cell("", "blank"))
        column += 1
    return Row(host, cells)


def _status(outcome: str, failing: int | None, column: int, url_segments: list[str]) -> str:
    if outcome == outcomes.BUILD_ONLY:
        return UNTRIED
    if outcome == outcomes.HOST_MISMATCH:
        return UNTRIED
    if outcome in _PATH_FITS:
        return FAIL if failing is not None and column == failing else OK
    if outcome in (outcomes.SLASH_REDIRECT, outcomes.MISSING_SLASH, outcomes.TOO_FEW_SEGMENTS):
        if failing is not None and column >= failing:
            return MISSING if column >= len(url_segments) else FAIL
        return OK
    if failing is None:
        return UNTRIED
    if column < failing:
        return OK
    if column == failing:
        return FAIL
    return UNTRIED


def _final_from(candidate: Candidate) -> int | None:
    """Index (among path segments) of a part that swallows the rest, if any."""
    plan = candidate.plan
    if plan is None:
        return None
    for index, step in enumerate(plan.steps[2:]):
        if isinstance(step, DynamicEdge) and step.final:
            return index
    return None
