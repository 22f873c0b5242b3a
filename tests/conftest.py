"""Shared fixtures: small real Flask apps and a real threaded WSGI server."""

from __future__ import annotations

import tempfile
import threading
import typing as t
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer
from werkzeug.serving import make_server

from flask_inspect import Inspect
from tests.store_helpers import NO_REDIS_REASON
from tests.store_helpers import REDIS_SERVER
from tests.store_helpers import RedisServer


@pytest.fixture(autouse=True)
def private_default_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's apps keep their history in a folder of the test's own.

    The default store is an SQLite file in the temporary directory, shared
    by every process of the user and kept across runs: without this, one
    test would see the records of another (most test apps share a name).
    ``TMPDIR`` too, for the servers and commands a test starts as processes
    of their own (and for the runs before this one, whose files are there).
    """
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setenv("TMPDIR", str(tmp_path))


def make_app(**config: t.Any) -> Flask:
    """A debug app with the extension, plus ``config`` overrides."""
    app = Flask("tests_app")
    app.config.update(DEBUG=True, TESTING=True, SECRET_KEY="test-secret-value")
    app.config.update(config)
    Inspect(app)
    return app


@pytest.fixture
def app() -> Flask:
    return make_app()


class LiveServer:
    """A real threaded Werkzeug server on a free loopback port."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
        self.thread = threading.Thread(
            target=self.server.serve_forever, name="live-server", daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def live_server_factory() -> t.Iterator[t.Callable[[Flask], LiveServer]]:
    started: list[LiveServer] = []

    def start(app: Flask) -> LiveServer:
        server = LiveServer(app).__enter__()
        started.append(server)
        return server

    yield start
    for server in started:
        server.__exit__(None, None, None)


@pytest.fixture
def redis_server(tmp_path: Path) -> t.Iterator[RedisServer]:
    """A real redis-server on a free loopback port (skipped, saying why, without one)."""
    if REDIS_SERVER is None:
        pytest.skip(NO_REDIS_REASON)
    server = RedisServer(tmp_path)
    try:
        yield server
    finally:
        server.kill()
