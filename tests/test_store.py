"""The request history store: bounded, newest first, thread-safe, unique ids."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from flask_inspect.store import RequestHistory


@dataclass
class Item:
    id: str


def _filled(count: int, limit: int = 1000) -> RequestHistory[Item]:
    history: RequestHistory[Item] = RequestHistory()
    for _ in range(count):
        history.add(Item(history.new_id()), limit)
    return history


def test_history_lists_newest_first() -> None:
    history: RequestHistory[Item] = RequestHistory()
    for name in ("a", "b", "c"):
        history.add(Item(name), 10)
    assert [item.id for item in history.newest_first()] == ["c", "b", "a"]


def test_history_drops_the_oldest_beyond_the_limit() -> None:
    history: RequestHistory[Item] = RequestHistory()
    for index in range(10):
        history.add(Item(str(index)), 3)
    assert [item.id for item in history.newest_first()] == ["9", "8", "7"]
    assert history.get("6") is None
    assert history.get("9") == Item("9")


def test_history_limit_is_read_on_every_add() -> None:
    history = _filled(50)
    assert len(history) == 50
    history.add(Item("last"), 5)  # the setting was lowered on a running app
    assert len(history) == 5
    assert history.newest_first()[0].id == "last"


def test_history_ids_are_unique_and_not_sequential_guesses() -> None:
    history: RequestHistory[Item] = RequestHistory()
    ids = [history.new_id() for _ in range(5000)]
    assert len(set(ids)) == len(ids)
    random_parts = {record_id.split("-")[1] for record_id in ids}
    assert len(random_parts) > 4000  # the part after the counter varies
    other = RequestHistory[Item]().new_id()
    assert other.split("-")[0] == "1"  # counters are per history


def test_history_discard_and_clear() -> None:
    history: RequestHistory[Item] = RequestHistory()
    history.add(Item("keep"), 10)
    history.add(Item("drop"), 10)
    history.discard("drop")
    history.discard("never-there")
    assert [item.id for item in history.newest_first()] == ["keep"]
    history.clear()
    assert history.newest_first() == []


def test_history_is_safe_to_fill_and_read_from_many_threads() -> None:
    history: RequestHistory[Item] = RequestHistory()
    errors: list[BaseException] = []
    start = threading.Barrier(9)

    def writer() -> None:
        try:
            start.wait()
            for _ in range(2000):
                history.add(Item(history.new_id()), 300)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    def reader() -> None:
        try:
            start.wait()
            for _ in range(500):
                items = history.newest_first()
                assert len(items) <= 300
                for item in items[:5]:
                    history.get(item.id)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer) for _ in range(8)] + [
        threading.Thread(target=reader)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(history) == 300
    ids = [item.id for item in history.newest_first()]
    assert len(set(ids)) == 300


def test_ids_drawn_from_many_threads_at_once_are_unique() -> None:
    history: RequestHistory[Item] = RequestHistory()
    start = threading.Barrier(8)
    drawn: list[list[str]] = [[] for _ in range(8)]

    def draw(into: list[str]) -> None:
        start.wait()
        for _ in range(3000):  # several batches each, so refills overlap
            into.append(history.new_id())

    threads = [threading.Thread(target=draw, args=(into,)) for into in drawn]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    every_id = [record_id for into in drawn for record_id in into]
    assert len(every_id) == 24000
    assert len(set(every_id)) == 24000
    counters = sorted(int(record_id.split("-")[0], 16) for record_id in every_id)
    assert counters == list(range(1, 24001))  # no number skipped or repeated


def test_history_raising_the_limit_keeps_what_it_has() -> None:
    history: RequestHistory[Item] = RequestHistory()
    for index in range(5):
        history.add(Item(str(index)), 5)
    history.add(Item("next"), 8)
    assert [item.id for item in history.newest_first()] == ["next", "4", "3", "2", "1", "0"]
    history.add(Item("after"), 8)
    assert len(history) == 7


def test_newer_than_lists_what_arrived_after_an_id_newest_first() -> None:
    history: RequestHistory[Item] = RequestHistory()
    for name in ("a", "b", "c", "d"):
        history.add(Item(name), 10)
    assert [item.id for item in history.newer_than("b")] == ["d", "c"]
    assert history.newer_than("d") == []
    assert [item.id for item in history.newer_than("a")] == ["d", "c", "b"]


def test_newer_than_an_id_no_longer_kept_gives_every_record() -> None:
    history: RequestHistory[Item] = RequestHistory()
    for index in range(6):
        history.add(Item(str(index)), 3)
    # "1" was pushed out by the bound: the caller cannot know what it missed.
    assert [item.id for item in history.newer_than("1")] == ["5", "4", "3"]
    assert [item.id for item in history.newer_than("unknown")] == ["5", "4", "3"]
    history.discard("4")
    assert [item.id for item in history.newer_than("3")] == ["5"]
    history.clear()
    assert history.newer_than("5") == []
