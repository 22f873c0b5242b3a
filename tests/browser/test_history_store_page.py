"""The stored history in a real browser: the restart marker and the store's note."""

from __future__ import annotations

import sqlite3
import typing as t
import urllib.request
from pathlib import Path

from flask import Flask

from flask_inspect import Inspect
from flask_inspect.extension import get_state
from flask_inspect.stores import process

if t.TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.conftest import LiveServer


def _app(store: str) -> Flask:
    app = Flask("stored_page")
    app.config.update(DEBUG=True, INSPECT_STORE=store)
    Inspect(app)

    @app.route("/hello")
    def hello() -> str:
        return "hello"

    return app


def _get(server: LiveServer, path: str) -> None:
    with urllib.request.urlopen(server.url + path, timeout=10) as response:
        response.read()


def test_the_list_draws_where_the_app_restarted(
    live_server_factory: t.Callable[[Flask], LiveServer], page: Page, tmp_path: Path
) -> None:
    store = tmp_path / "history.sqlite3"
    app = _app(f"sqlite:///{store}")
    server = live_server_factory(app)
    _get(server, "/hello?before=1")
    _get(server, "/hello?before=2")
    history = get_state(app).history
    assert history is not None
    assert history.flush()
    # Those two records now read as written by a process that ran before this one.
    began = process.current().started_at
    with sqlite3.connect(store) as connection:
        connection.execute(
            "UPDATE records_v1 SET boot = 'before', boot_started = ?, started = started - ?",
            (began - 3600, 3600 + 60),
        )
    _get(server, "/hello?after=1")
    page.goto(server.url + "/_inspect/requests")
    rows = page.locator("#requests-table tbody tr")
    rows.nth(3).wait_for()
    texts = [rows.nth(index).inner_text() for index in range(rows.count())]
    assert "after=1" in texts[0]
    assert texts[1].startswith("app restarted here")
    assert "before=2" in texts[2]
    assert "before=1" in texts[3]
    assert page.locator("tr.restart-marker").count() == 1


def test_a_failed_store_shows_its_note(
    live_server_factory: t.Callable[[Flask], LiveServer], page: Page, tmp_path: Path
) -> None:
    corrupt = tmp_path / "corrupt.sqlite3"
    corrupt.write_bytes(b"not a database" * 500)
    app = _app(f"sqlite:///{corrupt}")
    server = live_server_factory(app)
    _get(server, "/hello")
    history = get_state(app).history
    assert history is not None
    assert history.flush()
    page.goto(server.url + "/_inspect/requests")
    note = page.locator("#store-note")
    assert note.is_visible()
    assert "kept in this process's memory" in note.inner_text()
    page.locator("#requests-table tbody tr").first.wait_for()
    assert "/hello" in page.locator("#requests-table tbody tr").first.inner_text()
