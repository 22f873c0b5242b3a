"""``GET /_inspect/api/contexts`` and the ``/_inspect/contexts`` page shell."""

from __future__ import annotations

import threading
from datetime import datetime

from flask_inspect.extension import get_state
from tests.conftest import make_app


def test_api_contexts_serves_every_thread_with_its_contexts() -> None:
    app = make_app()
    response = app.test_client().get("/_inspect/api/contexts")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.get_json()
    assert datetime.fromisoformat(data["captured_at"]).tzinfo is not None
    assert data["context_model"] == "split"
    idents = {thread["ident"] for thread in data["threads"]}
    assert {thread.ident for thread in threading.enumerate()} <= idents
    (serving,) = [thread for thread in data["threads"] if thread["serving"]]
    assert serving["ident"] == threading.current_thread().ident
    assert [(box["kind"], box.get("path")) for box in serving["contexts"]] == [
        ("app", None),
        ("request", "/_inspect/api/contexts"),
    ]
    assert serving["contexts"][1]["endpoint"] == "flask_inspect.api_contexts"


def test_api_contexts_answers_404_json_when_no_registry_watches_this_app() -> None:
    app = make_app()
    get_state(app).contexts = None
    response = app.test_client().get("/_inspect/api/contexts")
    assert response.status_code == 404
    assert set(response.get_json()) == {"error", "detail"}


def test_api_contexts_is_not_served_while_the_panel_is_off() -> None:
    app = make_app(DEBUG=False)
    assert app.test_client().get("/_inspect/api/contexts").status_code == 404
    assert app.test_client().get("/_inspect/contexts").status_code == 404


def test_contexts_page_is_a_shell_pointing_at_the_api() -> None:
    app = make_app()
    response = app.test_client().get("/_inspect/contexts")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-api="/_inspect/api/contexts"' in html
    assert "contexts.js" in html
    assert "<strong>split</strong> model" in html
    assert "<script>" not in html
    assert "style=" not in html
