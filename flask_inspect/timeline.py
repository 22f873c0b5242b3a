"""A request's events, laid out as the spans a timeline diagram draws.

Pure: a function of ``[{"name", "t_ms"}]`` in the order they happened.

Flask announces an app context's push and pop (``appcontext_pushed`` /
``appcontext_popped``) but never a request context's. Its push is inferred:
a request context is pushed right after the app context it brings along, so
its span starts at the first app context push after the previous request
context ended; it ends when ``request_tearing_down`` is sent, just before the
pop. A streamed body shows both pushed a second time, while the server sends
the body, after the app has returned.

>>> events = [{"name": "wsgi_call", "t_ms": 0.0}, {"name": "body_closed", "t_ms": 1.0}]
>>> timeline = build_timeline(events)
>>> [lane.name for lane in timeline.lanes]
['wsgi']
"""

from __future__ import annotations

import bisect
import typing as t
from dataclasses import dataclass
from dataclasses import field

from .durations import format_duration

LANES = (
    ("wsgi", "WSGI call"),
    ("app", "app context"),
    ("request", "request context"),
    ("dispatch", "dispatch"),
    ("template", "templates"),
)
LANE_TITLES = dict(LANES)

DISPATCH = "before_request, view, after_request"
"""The dispatch bar's label when a rule took the URL and its view ran."""

# Single moments drawn as ticks across the diagram.
MARKS = {
    "start_response": "start_response: status and headers handed to the server",
    "wsgi_return": "the app returned its body to the server",
    "message_flashed": "message_flashed",
    "got_request_exception": "got_request_exception: an unhandled error",
    "wsgi_raise": "an error escaped the app",
    "body_raise": "an error escaped the streamed body",
}

_END_OF_CALL = ("body_closed", "wsgi_raise", "body_raise")


@dataclass
class Span:
    """A bar: from ``start_ms`` to ``end_ms`` (``None``: still open)."""

    label: str
    start_ms: float
    end_ms: float | None
    row: int = 0
    inferred: bool = False
    note: str = ""


@dataclass
class Lane:
    name: str
    title: str
    spans: list[Span] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return 1 + max((span.row for span in self.spans), default=0)


@dataclass
class Mark:
    name: str
    t_ms: float
    note: str


@dataclass
class Timeline:
    total_ms: float
    lanes: list[Lane]
    marks: list[Mark]
    moments: list[float] = field(default_factory=list)
    """Every event's time, sorted: the columns of the in-order scale."""


def build_timeline(
    events: t.Sequence[t.Mapping[str, t.Any]], routing_exception: str | None = None
) -> Timeline:
    """Spans per lane (only lanes with something in them) and marks.

    ``routing_exception``: what Werkzeug raised when no rule took the URL
    (``NotFound``, ``MethodNotAllowed``, ``RequestRedirect``): dispatch then
    handles that exception, and no view runs.
    """
    moments = [(str(event["name"]), float(event["t_ms"])) for event in events]
    total = max((moment for _, moment in moments), default=0.0)
    lanes = {name: Lane(name, title) for name, title in LANES}
    _wsgi_span(moments, lanes["wsgi"])
    _paired_spans(moments, lanes["app"], "appcontext_pushed", "appcontext_popped", "app context")
    _request_spans(moments, lanes["request"])
    _dispatch_spans(moments, lanes["dispatch"], _dispatch_label(routing_exception))
    _paired_spans(
        moments, lanes["template"], "before_render_template", "template_rendered", "render"
    )
    marks = [Mark(name, moment, MARKS[name]) for name, moment in moments if name in MARKS]
    return Timeline(
        total_ms=total,
        lanes=[lane for lane in lanes.values() if lane.spans],
        marks=marks,
        moments=sorted({moment for _, moment in moments}),
    )


def _wsgi_span(moments: list[tuple[str, float]], lane: Lane) -> None:
    if not moments:
        return
    start = moments[0][1]
    end = next((moment for name, moment in moments if name in _END_OF_CALL), None)
    if end is None and moments[-1][0] == "wsgi_return":
        # A buffered body: the call ended when the app returned it (a streamed
        # one goes on to ``body_closed``; one in flight ends with ``now``).
        end = moments[-1][1]
    lane.spans.append(Span("app(environ, start_response) until the body is closed", start, end))


def _paired_spans(
    moments: list[tuple[str, float]], lane: Lane, opening: str, closing: str, label: str
) -> None:
    """Nested open/close pairs; a nested one goes on the next row down."""
    open_spans: list[Span] = []
    for name, moment in moments:
        if name == opening:
            span = Span(label, moment, None, row=len(open_spans))
            open_spans.append(span)
            lane.spans.append(span)
        elif name == closing and open_spans:
            open_spans.pop().end_ms = moment


def _request_spans(moments: list[tuple[str, float]], lane: Lane) -> None:
    start: float | None = None
    for name, moment in moments:
        if name == "appcontext_pushed" and start is None:
            start = moment
        elif name == "request_tearing_down":
            lane.spans.append(
                Span(
                    "request context",
                    moment if start is None else start,
                    moment,
                    inferred=True,
                    note="pushed right after its app context (no signal marks it)",
                )
            )
            start = None
    if start is not None and any(name == "request_started" for name, _ in moments):
        lane.spans.append(Span("request context", start, None, inferred=True, note="still pushed"))


def _dispatch_label(routing_exception: str | None) -> str:
    if routing_exception is None:
        return DISPATCH
    return f"before_request, {routing_exception} handled (no view ran), after_request"


def _dispatch_spans(moments: list[tuple[str, float]], lane: Lane, label: str = DISPATCH) -> None:
    """``request_started`` to ``request_finished``: before_request, the view, after_request."""
    start: float | None = None
    for name, moment in moments:
        if name == "request_started":
            start = moment
        elif name in ("request_finished", "request_tearing_down") and start is not None:
            lane.spans.append(
                Span(
                    label,
                    start,
                    moment,
                    note="" if name == "request_finished" else "ended without request_finished",
                )
            )
            start = None
    if start is not None:
        lane.spans.append(Span(label, start, None))


# -- geometry for the SVG diagram ------------------------------------------------

DIAGRAM_WIDTH = 960
LABEL_WIDTH = 130
ROW_HEIGHT = 22
BAR_HEIGHT = 14
AXIS_HEIGHT = 24
MIN_BAR_WIDTH = 2.0


@dataclass
class Bar:
    lane: str
    x: float
    y: float
    width: float
    height: float
    title: str
    open: bool
    inferred: bool


@dataclass
class LaneLabel:
    text: str
    y: float


@dataclass
class Tick:
    x: float
    label: str


@dataclass
class MarkLine:
    name: str
    x: float
    title: str


@dataclass
class Diagram:
    """Everything the template needs: SVG coordinates, classes and titles, no styles."""

    width: int
    height: float
    plot_top: float
    plot_bottom: float
    labels: list[LaneLabel]
    bars: list[Bar]
    marks: list[MarkLine]
    ticks: list[Tick]


TO_SCALE = "time"
IN_ORDER = "order"


def layout(timeline: Timeline, width: int = DIAGRAM_WIDTH, scale: str = TO_SCALE) -> Diagram:
    """Place each lane's spans on rows and the moments on a shared axis.

    ``TO_SCALE`` spaces moments by their time. ``IN_ORDER`` gives every moment
    the same room, in the order they happened: a streamed body's long tail
    would otherwise squeeze the pushes and pops around the view into a pixel.
    """
    plot_left = LABEL_WIDTH
    plot_width = width - LABEL_WIDTH - 10
    total = timeline.total_ms or 1.0
    moments = timeline.moments or [0.0]
    last_rank = max(1, len(moments) - 1)

    def x_of(t_ms: float) -> float:
        if scale != IN_ORDER:
            return round(plot_left + plot_width * (t_ms / total), 2)
        return round(plot_left + plot_width * (_rank(moments, t_ms) / last_rank), 2)

    labels: list[LaneLabel] = []
    bars: list[Bar] = []
    y = 4.0
    for lane in timeline.lanes:
        labels.append(LaneLabel(lane.title, y + BAR_HEIGHT - 2))
        for span in lane.spans:
            end = timeline.total_ms if span.end_ms is None else span.end_ms
            start_x = x_of(span.start_ms)
            bar_width = max(MIN_BAR_WIDTH, x_of(end) - start_x)
            bars.append(
                Bar(
                    lane=lane.name,
                    x=start_x,
                    y=y + span.row * ROW_HEIGHT,
                    width=round(bar_width, 2),
                    height=BAR_HEIGHT,
                    title=_span_title(span),
                    open=span.end_ms is None,
                    inferred=span.inferred,
                )
            )
        y += lane.rows * ROW_HEIGHT
    plot_bottom = y
    marks = [
        MarkLine(mark.name, x_of(mark.t_ms), f"{format_duration(mark.t_ms)}: {mark.note}")
        for mark in timeline.marks
    ]
    if scale == IN_ORDER:
        ticks = [
            Tick(x_of(moment), format_duration(moment) if index in (0, len(moments) - 1) else "")
            for index, moment in enumerate(moments)
        ]
    else:
        ticks = [
            Tick(x_of(total * step / 4), format_duration(total * step / 4)) for step in range(5)
        ]
    return Diagram(
        width=width,
        height=plot_bottom + AXIS_HEIGHT,
        plot_top=0.0,
        plot_bottom=plot_bottom,
        labels=labels,
        bars=bars,
        marks=marks,
        ticks=ticks,
    )


def _rank(moments: list[float], t_ms: float) -> float:
    """Where ``t_ms`` falls among the sorted moments: its index, interpolated between."""
    index = bisect.bisect_left(moments, t_ms)
    if index >= len(moments):
        return float(len(moments) - 1)
    if moments[index] == t_ms or index == 0:
        return float(index)
    before, after = moments[index - 1], moments[index]
    return index - 1 + (t_ms - before) / (after - before)


def _span_title(span: Span) -> str:
    end = "still open" if span.end_ms is None else format_duration(span.end_ms)
    title = f"{span.label}: {format_duration(span.start_ms)} to {end}"
    return f"{title} ({span.note})" if span.note else title


EVENT_NOTES = {
    "wsgi_call": "the server called the app (the recorder's middleware)",
    "appcontext_pushed": "an app context was pushed: current_app and g work from here",
    "request_started": (
        "the request context is pushed (the URL is matched against the rules then); dispatch begins"
    ),
    "before_render_template": "a template is about to be rendered",
    "template_rendered": "a template was rendered",
    "message_flashed": "flash() stored a message for the next page",
    "got_request_exception": "an exception escaped the view and its error handlers",
    "request_finished": "the response is ready (after_request functions have run)",
    "start_response": "the status and headers were handed to the server",
    "request_tearing_down": "teardown_request functions ran; the request context pops now",
    "appcontext_tearing_down": "teardown_appcontext functions ran; the app context pops now",
    "appcontext_popped": "the app context was popped",
    "wsgi_return": "the app returned the body; the server sends it now",
    "body_closed": "the server closed the body: the request is over",
    "wsgi_raise": "an exception escaped the app to the server",
    "body_raise": "an exception escaped while the body was streamed",
}


def event_notes(endpoint: str | None, routing_exception: str | None) -> dict[str, str]:
    """:data:`EVENT_NOTES` told for one request: did its URL match a rule?

    ``request_started`` is sent whether or not a rule took the URL; a 404,
    405 or slash redirect raises its routing exception only when dispatch
    begins. So the note says which happened, from the record.
    """
    if routing_exception is not None:
        started = (
            "the request context is pushed; no rule took the URL as it is "
            f"(Werkzeug raised {routing_exception}), so dispatch goes to error "
            "handling instead of a view"
        )
    elif endpoint is not None:
        started = f"the request context is pushed and the URL matched {endpoint!r}; dispatch begins"
    else:
        started = "the request context is pushed; dispatch begins"
    return {**EVENT_NOTES, "request_started": started}
