"""One way to write a duration or an age, on every page and in every title.

About three significant digits, in the unit a person reads at a glance:
``0.06 ms``, ``1.93 ms``, ``412.3 ms``, ``6.2 s``, ``2 min 5 s``. The pages'
script writes live values (a context's age) with the same rules
(``flaskInspect.duration`` in ``inspect.js``), so a value reads the same
wherever it is drawn.

>>> [format_duration(ms) for ms in (0.058, 1.934, 412.26, 6200.0, 125_000.0)]
['0.06 ms', '1.93 ms', '412.3 ms', '6.2 s', '2 min 5 s']
"""

from __future__ import annotations


def format_duration(ms: float) -> str:
    """``ms`` milliseconds as text; the unit changes where the rounded value would."""
    if ms < 9.995:
        return f"{ms:.2f} ms"
    if ms < 999.95:
        return f"{ms:.1f} ms"
    if ms < 59_950.0:
        return f"{ms / 1000:.1f} s"
    minutes, seconds = divmod(round(ms / 1000), 60)
    return f"{minutes} min {seconds} s"
