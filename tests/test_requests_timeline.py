"""The timeline: a request's events turned into context spans and diagram geometry."""

from __future__ import annotations

import typing as t

from flask_inspect.timeline import DIAGRAM_WIDTH
from flask_inspect.timeline import IN_ORDER
from flask_inspect.timeline import LABEL_WIDTH
from flask_inspect.timeline import Timeline
from flask_inspect.timeline import build_timeline
from flask_inspect.timeline import layout


def events(*pairs: tuple[str, float]) -> list[dict[str, t.Any]]:
    return [{"name": name, "t_ms": moment} for name, moment in pairs]


PLAIN = events(
    ("wsgi_call", 0.0),
    ("appcontext_pushed", 0.1),
    ("request_started", 0.3),
    ("before_render_template", 0.5),
    ("template_rendered", 0.8),
    ("request_finished", 1.0),
    ("start_response", 1.05),
    ("request_tearing_down", 1.1),
    ("appcontext_tearing_down", 1.15),
    ("appcontext_popped", 1.2),
    ("wsgi_return", 1.3),
)

STREAMED = events(
    ("wsgi_call", 0.0),
    ("appcontext_pushed", 0.1),
    ("request_started", 0.2),
    ("request_finished", 0.4),
    ("start_response", 0.45),
    ("request_tearing_down", 0.5),
    ("appcontext_tearing_down", 0.55),
    ("appcontext_popped", 0.6),
    ("wsgi_return", 0.7),
    ("appcontext_pushed", 0.8),
    ("request_tearing_down", 300.0),
    ("appcontext_tearing_down", 300.1),
    ("appcontext_popped", 300.2),
    ("body_closed", 300.5),
)


def spans(timeline: Timeline, lane: str) -> list[tuple[float, float | None, int]]:
    (found,) = [each for each in timeline.lanes if each.name == lane]
    return [(span.start_ms, span.end_ms, span.row) for span in found.spans]


def test_plain_request_shows_app_and_request_contexts_around_the_dispatch() -> None:
    timeline = build_timeline(PLAIN)
    assert [lane.name for lane in timeline.lanes] == [
        "wsgi",
        "app",
        "request",
        "dispatch",
        "template",
    ]
    assert spans(timeline, "app") == [(0.1, 1.2, 0)]
    assert spans(timeline, "request") == [(0.1, 1.1, 0)]
    assert spans(timeline, "dispatch") == [(0.3, 1.0, 0)]
    assert spans(timeline, "template") == [(0.5, 0.8, 0)]
    # A buffered body: the recorder ends the call when the app returns it.
    assert spans(timeline, "wsgi") == [(0.0, 1.3, 0)]
    request_lane = next(lane for lane in timeline.lanes if lane.name == "request")
    assert request_lane.spans[0].inferred  # no signal marks a request context push
    assert [mark.name for mark in timeline.marks] == ["start_response", "wsgi_return"]


def test_streamed_body_pushes_the_contexts_again_after_the_app_returned() -> None:
    timeline = build_timeline(STREAMED)
    assert spans(timeline, "app") == [(0.1, 0.6, 0), (0.8, 300.2, 0)]
    assert spans(timeline, "request") == [(0.1, 0.5, 0), (0.8, 300.0, 0)]
    assert spans(timeline, "wsgi") == [(0.0, 300.5, 0)]
    assert timeline.total_ms == 300.5


def test_nested_app_context_goes_on_a_second_row() -> None:
    nested = events(
        ("wsgi_call", 0.0),
        ("appcontext_pushed", 0.1),
        ("request_started", 0.2),
        ("appcontext_pushed", 0.3),
        ("appcontext_popped", 0.4),
        ("request_finished", 0.5),
        ("request_tearing_down", 0.6),
        ("appcontext_popped", 0.7),
        ("body_closed", 0.8),
    )
    timeline = build_timeline(nested)
    assert spans(timeline, "app") == [(0.1, 0.7, 0), (0.3, 0.4, 1)]
    assert spans(timeline, "request") == [(0.1, 0.6, 0)]


def test_in_flight_request_has_open_spans() -> None:
    in_flight = events(("wsgi_call", 0.0), ("appcontext_pushed", 0.1), ("request_started", 0.2))
    timeline = build_timeline(in_flight)
    assert spans(timeline, "app") == [(0.1, None, 0)]
    assert spans(timeline, "request") == [(0.1, None, 0)]
    assert spans(timeline, "dispatch") == [(0.2, None, 0)]


def test_a_streamed_body_still_being_sent_keeps_the_call_open_until_now() -> None:
    """The detail page adds ``now`` to an in-flight record's events: bars reach it."""
    sending = [*STREAMED[:9], {"name": "appcontext_pushed", "t_ms": 0.8}]
    timeline = build_timeline([*sending, {"name": "now", "t_ms": 5.0}])
    assert spans(timeline, "wsgi") == [(0.0, None, 0)]
    assert timeline.total_ms == 5.0
    diagram = layout(timeline)
    wsgi_bar = next(bar for bar in diagram.bars if bar.lane == "wsgi")
    assert wsgi_bar.open
    assert wsgi_bar.x + wsgi_bar.width == DIAGRAM_WIDTH - 10  # reaches the end: now


def test_an_error_escaping_the_app_ends_the_call_and_is_marked() -> None:
    failed = events(
        ("wsgi_call", 0.0),
        ("appcontext_pushed", 0.1),
        ("request_started", 0.2),
        ("got_request_exception", 0.3),
        ("request_tearing_down", 0.4),
        ("appcontext_popped", 0.5),
        ("wsgi_raise", 0.6),
    )
    timeline = build_timeline(failed)
    assert spans(timeline, "wsgi") == [(0.0, 0.6, 0)]
    assert spans(timeline, "dispatch") == [(0.2, 0.4, 0)]
    assert [mark.name for mark in timeline.marks] == ["got_request_exception", "wsgi_raise"]


def test_layout_places_bars_in_time_order_inside_the_diagram() -> None:
    diagram = layout(build_timeline(STREAMED))
    assert diagram.width == DIAGRAM_WIDTH
    for bar in diagram.bars:
        assert LABEL_WIDTH <= bar.x <= DIAGRAM_WIDTH
        assert bar.x + bar.width <= DIAGRAM_WIDTH + 1
        assert bar.width >= 2  # even an instant stays visible
        assert 0 <= bar.y < diagram.plot_bottom
    app_bars = [bar for bar in diagram.bars if bar.lane == "app"]
    assert app_bars[0].x < app_bars[1].x
    assert app_bars[1].width > app_bars[0].width * 100
    assert [label.text for label in diagram.labels] == [
        "WSGI call",
        "app context",
        "request context",
        "dispatch",
    ]
    assert diagram.ticks[0].label == "0.00 ms"
    assert diagram.ticks[-1].label == "300.5 ms"
    streamed_request = [bar for bar in diagram.bars if bar.lane == "request"][-1]
    assert streamed_request.title.startswith("request context: 0.80 ms to 300.0 ms")


def test_in_order_spacing_gives_every_moment_the_same_room() -> None:
    to_scale = layout(build_timeline(STREAMED))
    in_order = layout(build_timeline(STREAMED), scale=IN_ORDER)
    plot = DIAGRAM_WIDTH - LABEL_WIDTH - 10
    first_to_scale, _ = [bar for bar in to_scale.bars if bar.lane == "app"]
    first_in_order, second_in_order = [bar for bar in in_order.bars if bar.lane == "app"]
    # To scale, the pushes around the view vanish next to the 300 ms stream...
    assert first_to_scale.width < plot * 0.01
    # ...in order, each of the 14 moments gets a column: both pushes are plain to see.
    assert first_in_order.width > plot * 0.3
    assert second_in_order.x > first_in_order.x + first_in_order.width
    assert len(in_order.ticks) == 14
    assert [tick.label for tick in in_order.ticks if tick.label] == ["0.00 ms", "300.5 ms"]
    returned = next(mark for mark in in_order.marks if mark.name == "wsgi_return")
    assert first_in_order.x + first_in_order.width < returned.x < second_in_order.x


def test_no_events_gives_an_empty_diagram() -> None:
    diagram = layout(build_timeline([]))
    assert diagram.bars == []
    assert diagram.marks == []
