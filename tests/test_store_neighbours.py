"""``RequestHistory.neighbours``: the records either side of one, for previous/next links."""

from __future__ import annotations

from dataclasses import dataclass

from flask_inspect.store import RequestHistory


@dataclass
class Item:
    id: str


def _history(*ids: str, limit: int = 10) -> RequestHistory[Item]:
    history: RequestHistory[Item] = RequestHistory()
    for record_id in ids:
        history.add(Item(record_id), limit)
    return history


def test_neighbours_are_the_older_and_the_newer_record() -> None:
    history = _history("a", "b", "c")
    assert history.neighbours("b") == ("a", "c")
    assert history.neighbours("a") == (None, "b")
    assert history.neighbours("c") == ("b", None)


def test_an_unknown_or_dropped_record_has_no_neighbours() -> None:
    history = _history("a", "b", "c", "d", limit=3)  # "a" was dropped
    assert history.neighbours("a") == (None, None)
    assert history.neighbours("zzz") == (None, None)
    assert history.neighbours("b") == (None, "c")


def test_neighbours_skip_a_discarded_record_and_see_new_ones() -> None:
    history = _history("a", "b", "c")
    history.discard("b")
    assert history.neighbours("a") == (None, "c")
    history.add(Item("d"), 10)
    assert history.neighbours("c") == ("a", "d")


def test_a_single_record_and_a_cleared_history() -> None:
    history = _history("only")
    assert history.neighbours("only") == (None, None)
    history.clear()
    assert history.neighbours("only") == (None, None)
