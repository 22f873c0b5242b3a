"""The benchmarks' timing harness: each variant in a process of its own.

A receiver connected for one app makes blinker look up receivers on every
app's sends, so variants sharing a process would time a "bare" app that is
not bare. These tests run real worker processes.
"""

from __future__ import annotations

import os
import typing as t

import pytest

from benchmarks.isolated import interleaved_rounds


def _ignore(sender: object, **extra: object) -> None:
    return None


def receivers_seen(variant: str) -> t.Callable[[int], float]:
    """A worker that reports how many receivers ``request_started`` holds in its process."""
    from flask import Flask
    from flask import signals

    app = Flask(variant)
    if variant == "connected":
        signals.request_started.connect(_ignore, sender=app, weak=False)

    def run(calls: int) -> float:
        return float(len(signals.request_started.receivers) * 1000 + calls)

    return run


def process_id(variant: str) -> t.Callable[[int], float]:
    if variant == "broken":
        raise ValueError("this variant cannot be built")
    pid = os.getpid()
    return lambda calls: float(pid)


def test_a_receiver_connected_by_one_variant_is_not_seen_by_another() -> None:
    rounds = interleaved_rounds(receivers_seen, ["bare", "connected"], (), 3, 7)
    assert rounds == {"bare": [7.0, 7.0, 7.0], "connected": [1007.0, 1007.0, 1007.0]}


def test_every_variant_runs_in_its_own_process() -> None:
    rounds = interleaved_rounds(process_id, ["a", "b", "c"], (), 2, 1)
    pids = {variant: set(values) for variant, values in rounds.items()}
    assert all(len(values) == 1 for values in pids.values())
    distinct = set().union(*pids.values())
    assert len(distinct) == 3
    assert float(os.getpid()) not in distinct


def test_a_worker_that_cannot_be_set_up_fails_the_run_with_its_traceback() -> None:
    with pytest.raises(RuntimeError, match="this variant cannot be built"):
        interleaved_rounds(process_id, ["a", "broken"], (), 1, 1)
