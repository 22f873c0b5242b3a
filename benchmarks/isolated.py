"""Variants timed each in a process of its own, taking turns round by round.

Why a process each: blinker keeps one list of receivers per signal for the
whole process. Once any app in a process has a receiver on a signal, every
other app's sends of that signal go through blinker's lookup of receivers
too (``receivers_for`` skips it only while a signal has no receiver at all).
A "bare" app timed next to an inspected one is then not bare: on a trivial
view it ran about 280 more bytecodes per request, which made every ratio
against it look smaller than it is.

So each variant gets a fresh interpreter (``spawn``, not ``fork``: a forked
child would inherit whatever the parent connected). The parent only hands
out turns: one worker runs a batch of calls while the others wait, and the
order rotates every round, so a drift in the machine's speed is shared out.

A worker is set up by ``setup(variant, *args)``, a module-level function the
child imports by name; it builds what it times and returns ``run(calls)``,
which makes that many calls and returns the CPU seconds per call.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import traceback
import typing as t

if t.TYPE_CHECKING:
    from multiprocessing.connection import Connection

Setup = t.Callable[..., t.Callable[[int], float]]


def _serve(connection: Connection, setup: Setup, variant: str, args: tuple[t.Any, ...]) -> None:
    """The worker: set up, say ready, then time a batch for every turn it is given."""
    try:
        run = setup(variant, *args)
    except BaseException:
        connection.send(("error", traceback.format_exc()))
        return
    connection.send(("ready", None))
    while True:
        calls = connection.recv()
        if calls is None:
            return
        try:
            connection.send(("timed", run(calls)))
        except BaseException:
            connection.send(("error", traceback.format_exc()))
            return


def _answer(connection: Connection, variant: str, expected: str) -> t.Any:
    kind, value = connection.recv()
    if kind == "error":
        raise RuntimeError(f"benchmark worker for {variant!r} failed:\n{value}")
    if kind != expected:
        raise RuntimeError(f"benchmark worker for {variant!r} answered {kind!r}")
    return value


def interleaved_rounds(
    setup: Setup, variants: t.Sequence[str], args: tuple[t.Any, ...], rounds: int, calls: int
) -> dict[str, list[float]]:
    """Per variant, its seconds per call in every round (one process per variant)."""
    context = multiprocessing.get_context("spawn")
    workers: dict[str, tuple[multiprocessing.process.BaseProcess, Connection]] = {}
    try:
        for variant in variants:
            parent_end, child_end = context.Pipe()
            process = context.Process(
                target=_serve, args=(child_end, setup, variant, args), daemon=True
            )
            process.start()
            child_end.close()
            workers[variant] = (process, parent_end)
        for variant, (_, connection) in workers.items():
            _answer(connection, variant, "ready")
        per_round: dict[str, list[float]] = {variant: [] for variant in variants}
        names = list(variants)
        for index in range(rounds):
            shift = index % len(names)
            for variant in names[shift:] + names[:shift]:
                connection = workers[variant][1]
                connection.send(calls)
                per_round[variant].append(_answer(connection, variant, "timed"))
        return per_round
    finally:
        for worker, connection in workers.values():
            with contextlib.suppress(OSError):  # the worker has gone already
                connection.send(None)
            worker.join(10)
            if worker.is_alive():
                worker.kill()
