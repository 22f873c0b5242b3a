"""How each candidate outcome reads to a person: one table for the panel and the CLI.

The JSON keeps the stable ids (``converter_rejected``); people read words
("value rejected"). The tone picks a tag's colour on the panel: ``good``,
``warn``, ``bad``, ``redirect`` (a 308 is routing doing its job, not an
error), or empty for "this rule is about something else".
"""

from __future__ import annotations

from . import diagnose as outcomes

GOOD = "good"
WARN = "warn"
BAD = "bad"
REDIRECT = "redirect"
PLAIN = ""

OUTCOME_WORDS: dict[str, tuple[str, str]] = {
    outcomes.MATCHED: ("matched", GOOD),
    outcomes.SHADOWED: ("shadowed", WARN),
    outcomes.NOT_TRIED: ("never tried", WARN),
    outcomes.HOST_MISMATCH: ("host differs", PLAIN),
    outcomes.STATIC_MISMATCH: ("text differs", PLAIN),
    outcomes.CONVERTER_REJECTED: ("value rejected", PLAIN),
    outcomes.VALIDATION_ERROR: ("to_python said no", BAD),
    outcomes.CONVERTER_ABORTED: ("to_python raised an HTTP error", BAD),
    outcomes.CONVERTER_ERROR: ("converter crashed", BAD),
    outcomes.TOO_FEW_SEGMENTS: ("too short", PLAIN),
    outcomes.TOO_MANY_SEGMENTS: ("too long", PLAIN),
    outcomes.TRAILING_SLASH: ("trailing slash", PLAIN),
    outcomes.SLASH_REDIRECT: ("adds slash (308)", REDIRECT),
    outcomes.MISSING_SLASH: ("needs slash", PLAIN),
    outcomes.MERGE_REDIRECT: ("merges slashes (308)", REDIRECT),
    outcomes.SLASHES_NOT_MERGED: ("slashes not merged", BAD),
    outcomes.DEFAULTS_REDIRECT: ("canonical URL (308)", REDIRECT),
    outcomes.REDIRECT_TO: ("redirect_to (308)", REDIRECT),
    outcomes.METHOD_NOT_ALLOWED: ("method not allowed", WARN),
    outcomes.WEBSOCKET_MISMATCH: ("websocket mismatch", WARN),
    outcomes.BUILD_ONLY: ("build only", PLAIN),
}


def outcome_label(outcome: str) -> str:
    """The words for ``outcome``; an unknown id is shown as it is."""
    return OUTCOME_WORDS.get(outcome, (outcome, PLAIN))[0]


def outcome_tone(outcome: str) -> str:
    return OUTCOME_WORDS.get(outcome, (outcome, PLAIN))[1]
