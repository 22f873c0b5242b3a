"""The panel under real servers, each in a process of its own on loopback.

Werkzeug's threaded server (a thread per request), waitress (a fixed pool),
gunicorn's ``gthread`` worker (a pool in one worker process) and uvicorn
serving the app through a2wsgi (an ASGI server; a2wsgi runs the WSGI app on a
pool of threads). Under each, requests held open at once must show as that
many lanes of the contexts page, each with its own app and request context,
and be recorded once released.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import typing as t
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.versions import MERGED_CONTEXTS

ROOT = Path(__file__).resolve().parent.parent
WAIT = 20.0
HELD = 3


def _command(server: str, port: int) -> list[str]:
    python = sys.executable
    bind = f"127.0.0.1:{port}"
    if server == "gunicorn":
        return [
            python, "-m", "gunicorn", "--worker-class", "gthread", "--workers", "1",
            "--threads", "8", "--bind", bind, "--log-level", "warning",
            "tests.served_app:app",
        ]  # fmt: skip
    if server.startswith("uvicorn+"):
        app = {"uvicorn+a2wsgi": "asgi_app", "uvicorn+asgiref": "asgiref_app"}[server]
        return [
            python, "-m", "uvicorn", f"tests.served_app:{app}", "--host", "127.0.0.1",
            "--port", str(port), "--workers", "1", "--log-level", "warning",
        ]  # fmt: skip
    return [python, "-m", "tests.served_app", server, str(port)]


SERVERS = ["werkzeug", "waitress", "gunicorn", "uvicorn+a2wsgi"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str, method: str = "GET") -> tuple[int, bytes]:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=WAIT) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:
        return int(error.code), error.read()


class ServerProcess:
    """``server`` serving ``tests.served_app`` on a free loopback port."""

    def __init__(self, server: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        }
        self.process = subprocess.Popen(
            _command(server, self.port),
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                stderr = self.process.stderr.read() if self.process.stderr else b""
                pytest.fail(f"server exited with {self.process.returncode}: {stderr.decode()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        pytest.fail(f"server did not listen on port {self.port} within {WAIT} s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        if self.process.stderr:
            self.process.stderr.close()


@contextlib.contextmanager
def serving(name: str) -> t.Iterator[ServerProcess]:
    server = ServerProcess(name)
    try:
        server.wait_until_serving()
        yield server
    finally:
        server.stop()


@pytest.fixture(params=SERVERS)
def served(request: pytest.FixtureRequest) -> t.Iterator[ServerProcess]:
    with serving(request.param) as server:
        yield server


def _contexts(server: ServerProcess) -> dict[str, t.Any]:
    status, body = _get(server.url + "/_inspect/api/contexts")
    assert status == 200, body
    data: dict[str, t.Any] = json.loads(body)
    return data


def _held_lanes(snapshot: dict[str, t.Any]) -> list[dict[str, t.Any]]:
    return [
        thread
        for thread in snapshot["threads"]
        if any(box.get("path") == "/held" for box in thread["contexts"])
    ]


def test_requests_held_at_once_show_as_lanes_and_are_recorded(served: ServerProcess) -> None:
    with ThreadPoolExecutor(max_workers=HELD) as clients:
        replies = [clients.submit(_get, served.url + "/held") for _ in range(HELD)]
        try:
            deadline = time.monotonic() + WAIT
            while True:
                snapshot = _contexts(served)
                lanes = _held_lanes(snapshot)
                if len(lanes) >= HELD or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
        finally:
            assert _get(served.url + "/release", method="POST")[0] == 200
        assert [reply.result(WAIT) for reply in replies] == [(200, b"released")] * HELD

    assert len(lanes) == HELD, snapshot
    assert len({lane["ident"] for lane in lanes}) == HELD
    request_ids = set()
    for lane in lanes:
        kinds = [box["kind"] for box in lane["contexts"]]
        assert kinds == ["app", "request"], lane
        app_box, request_box = lane["contexts"]
        assert app_box["app"] == "served_app"
        assert (request_box["method"], request_box["endpoint"]) == ("GET", "held")
        # No signal announces a split request context; a merged one is the app's own.
        assert request_box["inferred"] is (not MERGED_CONTEXTS)
        request_ids.add(request_box["request_id"])
    assert None not in request_ids
    assert len(request_ids) == HELD

    status, body = _get(served.url + "/_inspect/api/requests?limit=50")
    assert status == 200
    records = [r for r in json.loads(body)["requests"] if r["path"] == "/held"]
    assert sorted(r["id"] for r in records) == sorted(request_ids)
    assert {(r["status"], r["endpoint"]) for r in records} == {(200, "held")}

    deadline = time.monotonic() + WAIT
    while _held_lanes(_contexts(served)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _held_lanes(_contexts(served)) == []


@pytest.mark.parametrize(
    ("server", "serialised"), [("uvicorn+asgiref", True), ("uvicorn+a2wsgi", False)]
)
def test_asgirefs_bridge_serialises_requests_where_a2wsgi_does_not(
    server: str, serialised: bool
) -> None:
    """Why the README says the contexts page never shows two requests behind
    asgiref's ``WsgiToAsgi``: it runs them one at a time, on one thread."""
    count = 3
    with serving(server) as served, ThreadPoolExecutor(max_workers=count) as clients:
        replies = [clients.submit(_get, served.url + "/overlap") for _ in range(count)]
        assert [reply.result(WAIT) for reply in replies] == [(200, b"done")] * count
        status, body = _get(served.url + "/overlap/peak")
    assert status == 200
    seen = json.loads(body)
    if serialised:
        assert seen["peak"] == 1
        assert len(seen["threads"]) == 1
    else:
        assert seen["peak"] > 1
        assert len(seen["threads"]) > 1
