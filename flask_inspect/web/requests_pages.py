"""Request history views: the live list, one record, and their JSON.

``/requests`` draws its table from ``/api/requests``, polled about once a
second; ``/requests/<id>`` is drawn on the server, timeline diagram included.
The JSON list can be narrowed with the same filters the page offers
(``?status=4xx&method=GET&endpoint=user&q=text&limit=50``).

The live page asks only for what changed: ``?after=<id>`` lists the records
that arrived after the newest one it holds, and ``&pending=<id>,<id>`` gives
the current state of the records it still shows in flight (or says they are
gone), so an idle list costs a few dozen bytes a second instead of the whole
history.
"""

from __future__ import annotations

import typing as t

from flask import Blueprint
from flask import current_app
from flask import render_template
from flask import request

from .. import settings
from ..curl import curl_command
from ..extension import get_state
from ..routes import ViewInfo
from ..stores.history import listing_json
from ..stores.history import restart_flags
from ..timeline import IN_ORDER
from ..timeline import TO_SCALE
from ..timeline import build_timeline
from ..timeline import event_notes
from ..timeline import layout
from .actions import clear_token
from .panel_app import inspected_app
from .responses import api_error
from .responses import api_json

if t.TYPE_CHECKING:
    from flask import Flask
    from flask import Response

    from ..stores.history import StoredHistory

STATUS_CLASSES = ("1xx", "2xx", "3xx", "4xx", "5xx", "pending")
NO_ENDPOINT = "-"
"""The endpoint filter's value for requests no rule matched."""
PENDING_ASKED_MAX = 100
"""How many in-flight ids one poll may ask about (the page sends its newest)."""


FILTERS = ("status", "method", "endpoint", "q")
"""The list's filters; without any, its records are served as stored."""


class BadFilter(ValueError):
    """A query parameter the list cannot be filtered by; becomes a 400."""


def register(blueprint: Blueprint) -> None:
    blueprint.add_url_rule("/requests", "requests", requests_page)
    blueprint.add_url_rule("/requests/<record_id>", "request_detail", request_detail_page)
    blueprint.add_url_rule("/api/requests", "api_requests", requests_api)
    blueprint.add_url_rule("/api/requests/<record_id>", "api_request", request_api)


def requests_page() -> str:
    app = _app()
    return render_template(
        "flask_inspect/requests.html",
        active="requests",
        clear_token=clear_token(app),
        cleared=request.args.get("cleared") == "1",
        store=_history(app).describe(),
        history_size=settings.history_size(app),
        status_classes=STATUS_CLASSES,
        no_endpoint=NO_ENDPOINT,
    )


def request_detail_page(record_id: str) -> tuple[str, int]:
    app = _app()
    record = _history(app).get(record_id)
    if record is None:
        page = render_template(
            "flask_inspect/request_detail.html",
            active="requests",
            record=None,
            record_id=record_id,
            history_size=settings.history_size(app),
        )
        return page, 404
    data = record.detail(app)
    view = data["view"]
    routing_exception = (data["routing_error"] or {}).get("exception") or None
    events = data["events"]
    if data["running_ms"] is not None:  # in flight: open bars reach to now
        events = [*events, {"name": "now", "t_ms": data["running_ms"]}]
    timeline = build_timeline(events, routing_exception)
    older_id, newer_id = _history(app).neighbours(record_id)
    return render_template(
        "flask_inspect/request_detail.html",
        active="requests",
        record=data,
        record_id=record_id,
        diagrams=[
            (IN_ORDER, "in order", layout(timeline, scale=IN_ORDER)),
            (TO_SCALE, "to scale", layout(timeline, scale=TO_SCALE)),
        ],
        event_notes=event_notes(data["endpoint"], routing_exception),
        view_location=ViewInfo(**view).location_relative_to(app.root_path) if view else None,
        older_id=older_id,
        newer_id=newer_id,
        curl=curl_command(data),
        # Not when a query value was redacted: that URL would not be the same request.
        reopen=data["method"] == "GET" and settings.REDACTED not in data["url"],
    ), 200


def requests_api() -> Response:
    app = _app()
    try:
        keep = record_filter(request.args)
        limit = _limit(request.args.get("limit"))
    except BadFilter as error:
        return api_error(400, "bad_filter", str(error))
    if "after" in request.args or "pending" in request.args:
        try:
            pending = _pending_ids(request.args.get("pending", ""))
        except BadFilter as error:
            return api_error(400, "bad_filter", str(error))
        return api_json(_changes(app, request.args.get("after", ""), pending, keep, limit))
    history = _history(app)
    views = history.newest_first()
    restarted = restart_flags(views)
    extra = {
        "total": len(views),
        "history_size": settings.history_size(app),
        "store": history.describe(),
    }
    if not any(request.args.get(name) for name in FILTERS):
        # The poll's usual question: every record as stored, not parsed again.
        chosen = list(zip(views, restarted, strict=True))[:limit]
        parts = [view.summary_json(app, flag) for view, flag in chosen]
        return current_app.response_class(listing_json(parts, extra), mimetype="application/json")
    records = [
        {**view.summary(app), "after_restart": flag}
        for view, flag in zip(views, restarted, strict=True)
    ]
    selected = [data for data in records if keep(data)][:limit]
    return api_json({"requests": selected, **extra})


def _changes(
    app: Flask,
    after: str,
    pending: list[str],
    keep: t.Callable[[dict[str, t.Any]], bool],
    limit: int | None,
) -> dict[str, t.Any]:
    """What changed since a poll that saw ``after`` as its newest record.

    ``reset`` says ``after`` is not kept any more (history cleared, app
    restarted, pushed out): ``requests`` is then the whole history, to
    replace what the page shows. ``pending`` holds the current summaries of
    the asked records still kept, ``gone`` the asked ids that are not.
    """
    history = _history(app)
    seen = history.get(after) if after else None
    reset = seen is None
    views = history.newer_than(after)
    # The restart marks, each against the record listed below it (the last
    # one against the record the page already has).
    restarted = restart_flags([*views, seen] if seen is not None else views)
    newer = [
        {**view.summary(app), "after_restart": flag}
        for view, flag in zip(views, restarted, strict=False)
    ]
    current: list[dict[str, t.Any]] = []
    gone: list[str] = []
    for record_id in pending:
        record = history.get(record_id)
        if record is None:
            gone.append(record_id)
        else:
            current.append(record.summary(app))
    return {
        "requests": [data for data in newer if keep(data)][:limit],
        "reset": reset,
        "pending": current,
        "gone": gone,
        "history_size": settings.history_size(app),
    }


def _pending_ids(raw: str) -> list[str]:
    ids = [part for part in raw.split(",") if part]
    if len(ids) > PENDING_ASKED_MAX:
        raise BadFilter(f"pending takes at most {PENDING_ASKED_MAX} ids; got {len(ids)}.")
    return ids


def request_api(record_id: str) -> Response:
    app = _app()
    record = _history(app).get(record_id)
    if record is None:
        return api_error(
            404,
            "not_found",
            f"No request {record_id!r} in the history (it keeps the last "
            f"{settings.history_size(app)} requests).",
        )
    return api_json(record.detail(app))


def record_filter(args: t.Mapping[str, str]) -> t.Callable[[dict[str, t.Any]], bool]:
    """A predicate over summaries from ``status``, ``method``, ``endpoint`` and ``q``."""
    status_class = args.get("status", "").strip().lower()
    if status_class and status_class not in STATUS_CLASSES:
        raise BadFilter(f"status must be one of {', '.join(STATUS_CLASSES)}; got {status_class!r}.")
    method = args.get("method", "").strip().upper()
    endpoint = args.get("endpoint", "").strip()
    words = args.get("q", "").lower().split()

    def keep(data: dict[str, t.Any]) -> bool:
        if status_class and _status_class(data["status"]) != status_class:
            return False
        if method and data["method"] != method:
            return False
        if endpoint and (data["endpoint"] or NO_ENDPOINT) != endpoint:
            return False
        if words:
            haystack = searchable_text(data)
            return all(word in haystack for word in words)
        return True

    return keep


def searchable_text(data: dict[str, t.Any]) -> str:
    """What the text filter looks in: the same fields on the page and in the API."""
    view = data["view"] or {}
    exception = data["exception"] or {}
    parts = [
        data["id"],
        data["method"],
        data["path"],
        data["query_string"],
        str(data["status"] or ""),
        data["endpoint"] or "",
        data["rule"] or "",
        view.get("qualname") or "",
        exception.get("type") or "",
        exception.get("message") or "",
        data["thread"]["name"] or "",
    ]
    return " ".join(parts).lower()


def _status_class(status: int | None) -> str:
    return "pending" if status is None else f"{status // 100}xx"


def _limit(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        limit = int(raw)
    except ValueError:
        raise BadFilter(f"limit must be a whole number; got {raw!r}.") from None
    if limit < 0:
        raise BadFilter(f"limit must not be negative; got {limit}.")
    return limit


def _app() -> Flask:
    return inspected_app()


def _history(app: Flask) -> StoredHistory:
    history = get_state(app).history
    if history is None:  # only while switched off, when these views are not registered
        raise LookupError("flask-inspect is not recording requests")
    return history
