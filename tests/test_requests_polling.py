"""The live list's polling API: ``?after=<id>`` for new records, ``pending`` for in-flight ones."""

from __future__ import annotations

import typing as t

from flask import Flask

from flask_inspect.extension import get_state
from flask_inspect.recorder import REQUEST_ID_HEADER
from tests.test_recorder import recording_app

API = "/_inspect/api/requests"


def serve(app: Flask, *paths: str) -> list[str]:
    """Request ``paths``, then let the history's writer store (and trim) them."""
    client = app.test_client()
    ids = [client.get(path).headers[REQUEST_ID_HEADER] for path in paths]
    history = get_state(app).history
    assert history is not None
    assert history.flush(timeout=10)
    return ids


def poll(app: Flask, query: str) -> t.Any:
    response = app.test_client().get(API + query)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_after_lists_only_the_records_that_arrived_since_newest_first() -> None:
    app = recording_app()
    first, second, third = serve(app, "/json", "/docs/", "/nowhere")
    payload = poll(app, f"?after={first}")
    assert [record["id"] for record in payload["requests"]] == [third, second]
    assert payload["reset"] is False
    assert payload["pending"] == []
    assert payload["gone"] == []
    assert payload["history_size"] == 200
    idle = poll(app, f"?after={third}")
    assert idle["requests"] == []
    assert idle["reset"] is False


def test_after_an_id_no_longer_kept_starts_over_with_the_whole_history() -> None:
    app = recording_app(INSPECT_HISTORY_SIZE=3)
    ids = serve(app, "/json", "/json", "/json", "/json", "/json")
    for after in (ids[0], "not-an-id", ""):
        payload = poll(app, f"?after={after}")
        assert payload["reset"] is True, after
        assert [record["id"] for record in payload["requests"]] == ids[:1:-1]


def test_after_keeps_the_lists_filters() -> None:
    app = recording_app()
    first, _found, missing, _json = serve(app, "/json", "/docs/", "/nowhere", "/json")
    payload = poll(app, f"?after={first}&status=4xx")
    assert [record["id"] for record in payload["requests"]] == [missing]
    payload = poll(app, f"?after={first}&limit=1")
    assert len(payload["requests"]) == 1


def test_pending_records_are_reported_until_they_finish_then_gone_when_dropped() -> None:
    app = recording_app()
    (before,) = serve(app, "/json")
    streaming = app.test_client().get("/stream", buffered=False)
    in_flight = streaming.headers[REQUEST_ID_HEADER]
    payload = poll(app, f"?after={before}")
    assert [record["id"] for record in payload["requests"]] == [in_flight]
    assert payload["requests"][0]["finished"] is False

    payload = poll(app, f"?after={in_flight}&pending={in_flight},gone-1")
    assert payload["requests"] == []
    assert [record["id"] for record in payload["pending"]] == [in_flight]
    assert payload["pending"][0]["finished"] is False
    assert payload["gone"] == ["gone-1"]

    assert b"last" in streaming.get_data()
    streaming.close()
    payload = poll(app, f"?after={in_flight}&pending={in_flight}")
    (done,) = payload["pending"]
    assert done["finished"] is True
    assert done["status"] == 200
    assert done["duration_ms"] >= 300  # the stream sleeps twice 0.15 s


def test_pending_alone_answers_without_new_records_missing() -> None:
    app = recording_app()
    first, second = serve(app, "/json", "/docs/")
    payload = poll(app, f"?pending={first}")
    assert payload["reset"] is True  # no ``after``: everything, to start from
    assert [record["id"] for record in payload["requests"]] == [second, first]
    assert [record["id"] for record in payload["pending"]] == [first]


def test_too_many_pending_ids_is_a_json_400() -> None:
    app = recording_app()
    response = app.test_client().get(API + "?after=x&pending=" + ",".join(["a"] * 101))
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "bad_filter"
    assert "pending" in body["detail"]


def test_an_idle_poll_of_a_full_history_is_tiny_next_to_the_whole_list() -> None:
    app = recording_app()
    ids = serve(app, *["/shop/item/4?q=1", "/nowhere", "/json", "/docs/"] * 50)
    client = app.test_client()
    whole = client.get(API).get_data()
    idle = client.get(f"{API}?after={ids[-1]}").get_data()
    assert len(whole) > 60_000
    assert len(idle) < 100
    one_new = serve(app, "/json")[0]
    changed = client.get(f"{API}?after={ids[-1]}").get_data()
    assert one_new.encode() in changed
    assert len(changed) < 1_500
