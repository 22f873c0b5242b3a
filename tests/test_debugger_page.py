"""A crash under Werkzeug's debugger: the page carries its record's id and the badge.

The debugger here is the real one, wrapped around the app from the outside
as ``flask run --debug`` and ``app.run(debug=True)`` do, served by a real
threaded server; its console is driven as the page's script drives it.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import typing as t
import urllib.parse
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.debug import DebuggedApplication
from werkzeug.serving import make_server

from flask_inspect.recorder import REQUEST_ID_HEADER
from tests.conftest import make_app

PIN = "123-456-789"


class Served:
    def __init__(self, app: Flask) -> None:
        self.debugger = DebuggedApplication(app, evalex=True)
        self.server = make_server("127.0.0.1", 0, self.debugger, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def get(
        self, path: str, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            body = response.read().decode("utf-8", "replace")
            return response.status, dict(response.getheaders()), body
        finally:
            connection.close()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def crashing_app(**config: t.Any) -> Flask:
    app = make_app(TESTING=False, **config)

    @app.route("/boom")
    def boom() -> str:
        secret_local = 41
        raise RuntimeError(f"it broke ({secret_local})")

    @app.route("/fine")
    def fine() -> str:
        return "<html><body>fine</body></html>"

    return app


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> t.Iterator[t.Callable[..., Served]]:
    monkeypatch.setenv("WERKZEUG_DEBUG_PIN", PIN)
    started: list[Served] = []

    def start(**config: t.Any) -> Served:
        server = Served(crashing_app(**config))
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


def test_the_debugger_page_carries_the_id_and_the_badge(served: t.Callable[..., Served]) -> None:
    server = served()
    status, headers, body = server.get("/boom")
    assert status == 500
    assert "Werkzeug Debugger" in body
    assert "RuntimeError" in body
    record_id = headers[REQUEST_ID_HEADER]
    assert f'href="/_inspect/requests/{record_id}"' in body
    assert int(headers["Content-Length"]) == len(body.encode())
    # The record behind the link is the crash.
    status, _, data = server.get(f"/_inspect/api/requests/{record_id}")
    assert status == 200
    assert '"status":500' in data
    assert '"type":"RuntimeError"' in data
    # An ordinary page still goes through with its id and badge.
    status, headers, body = server.get("/fine")
    assert status == 200
    assert f'/_inspect/requests/{headers[REQUEST_ID_HEADER]}"' in body


def test_the_console_works_through_the_inner_debugger(served: t.Callable[..., Served]) -> None:
    server = served()
    _, _, page = server.get("/boom")
    secret_match = re.search(r'SECRET = "([^"]+)"', page)
    assert secret_match is not None
    secret = secret_match.group(1)
    frames = re.findall(r'id="frame-(\d+)"', page)
    assert frames
    # Resources are answered (by the outer debugger).
    status, headers, script = server.get("/boom?__debugger__=yes&cmd=resource&f=debugger.js")
    assert status == 200
    assert "function" in script
    # The PIN printed for the outer debugger unlocks this page.
    query = urllib.parse.urlencode(
        {"__debugger__": "yes", "cmd": "pinauth", "pin": PIN, "s": secret}
    )
    status, headers, answer = server.get(f"/boom?{query}")
    assert status == 200
    assert '"auth": true' in answer
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    assert cookie.split("=", 1)[0] == server.debugger.pin_cookie_name
    # Code runs in the crashed frame.
    query = urllib.parse.urlencode(
        {"__debugger__": "yes", "cmd": "secret_local + 1", "frm": frames[-1], "s": secret}
    )
    status, _, result = server.get(f"/boom?{query}", headers={"Cookie": cookie})
    assert status == 200
    assert "42" in result
    # The console's requests are not the app's: not in the history.
    _, _, listed = server.get("/_inspect/api/requests")
    assert listed.count('"path":"/boom"') == 1
    assert "__debugger__" not in listed


def test_a_pin_set_by_hand_on_the_outer_debugger_unlocks_the_page(
    served: t.Callable[..., Served],
) -> None:
    server = served()
    server.debugger.pin = "999-888-777"
    _, _, page = server.get("/boom")
    secret_match = re.search(r'SECRET = "([^"]+)"', page)
    assert secret_match is not None
    for pin, accepted in (("123-456-789", "false"), ("999-888-777", "true")):
        query = urllib.parse.urlencode(
            {"__debugger__": "yes", "cmd": "pinauth", "pin": pin, "s": secret_match.group(1)}
        )
        status, _, answer = server.get(f"/boom?{query}")
        assert status == 200
        assert f'"auth": {accepted}' in answer


def test_a_client_outside_the_allowed_hosts_gets_neither(served: t.Callable[..., Served]) -> None:
    server = served(INSPECT_ALLOWED_HOSTS=("10.9.9.9",))
    status, headers, body = server.get("/boom")
    assert status == 500
    assert "Werkzeug Debugger" in body
    assert REQUEST_ID_HEADER not in headers
    assert "/_inspect/requests/" not in body


def test_a_foreign_host_gets_no_badge(served: t.Callable[..., Served]) -> None:
    server = served()
    status, headers, body = server.get("/boom", headers={"Host": "tunnel.example.net"})
    assert status == 500
    assert "/_inspect/requests/" not in body
    assert REQUEST_ID_HEADER not in headers


def test_the_test_client_still_sees_the_exception() -> None:
    app = crashing_app()
    app.testing = True
    with app.test_client() as client, pytest.raises(RuntimeError, match="it broke"):
        client.get("/boom")  # sets werkzeug.debug.preserve_context, like the debugger


def test_flask_run_debug_end_to_end() -> None:
    """The real command: ``flask run --debug`` (no reloader) on the teaching app."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    command = [sys.executable, "-m", "flask", "--app", "example_app.app", "run", "--debug"]
    process = subprocess.Popen(
        [*command, "--no-reload", "--host", "127.0.0.1", "--port", str(port)],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", "/demo/error")
                response = connection.getresponse()
                body = response.read().decode()
                connection.close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert response.status == 500
        assert "Werkzeug Debugger" in body
        record_id = response.getheader(REQUEST_ID_HEADER)
        assert record_id
        assert f'href="/_inspect/requests/{record_id}"' in body
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
