"""The development server's start-up message names the panel's URL, once."""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.debug import DebuggedApplication
from werkzeug.serving import make_server

from flask_inspect.startup_notice import panel_line
from tests.conftest import make_app

ROOT = Path(__file__).resolve().parent.parent
PANEL_LINE = " * flask-inspect panel: "


class ServerOutput:
    """``flask run`` in a process group of its own, its output read line by line."""

    def __init__(self, *arguments: str) -> None:
        env = {**os.environ, "FLASK_APP": "example_app.app", "PYTHONUNBUFFERED": "1"}
        env.pop("FLASK_DEBUG", None)
        env.pop("WERKZEUG_RUN_MAIN", None)
        env.pop("WERKZEUG_SERVER_FD", None)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "flask",
                "run",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                *arguments,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(line)

    def wait_for(self, text: str, seconds: float = 30) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            self.lines.append(line)
            if text in line:
                return line
        raise AssertionError(f"{text!r} not printed in {seconds}s: {self.lines}")

    def read_for(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                self.lines.append(self._queue.get(timeout=0.1))

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=10)


def _get(url: str) -> int:
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return int(response.status)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_flask_run_debug_prints_the_panel_url_once_with_the_reloader() -> None:
    server = ServerOutput("--debug")
    try:
        running = server.wait_for(" * Running on http://127.0.0.1:")
        port = running.rsplit(":", 1)[1].strip()
        line = server.wait_for(PANEL_LINE)
        assert line == f"{PANEL_LINE}http://127.0.0.1:{port}/_inspect/\n"
        # The serving process (started by the reloader) is up ...
        server.wait_for("Debugger PIN")
        assert _get(f"http://127.0.0.1:{port}/_inspect/") == 200
        # ... and printed nothing more about the panel.
        server.read_for(1.0)
        assert sum(PANEL_LINE in line for line in server.lines) == 1, server.lines
    finally:
        server.stop()


def test_flask_run_debug_without_the_reloader_prints_it_once_too() -> None:
    server = ServerOutput("--debug", "--no-reload")
    try:
        running = server.wait_for(" * Running on http://127.0.0.1:")
        port = running.rsplit(":", 1)[1].strip()
        server.wait_for(PANEL_LINE)
        assert _get(f"http://127.0.0.1:{port}/_inspect/") == 200
        server.read_for(0.5)
        assert sum(PANEL_LINE in line for line in server.lines) == 1, server.lines
    finally:
        server.stop()


def test_flask_run_without_debug_names_no_panel() -> None:
    server = ServerOutput()
    try:
        running = server.wait_for(" * Running on http://127.0.0.1:")
        port = running.rsplit(":", 1)[1].strip()
        assert _get(f"http://127.0.0.1:{port}/") == 200
        server.read_for(0.5)
        assert not any(PANEL_LINE in line for line in server.lines), server.lines
    finally:
        server.stop()


def _startup_message(app: Flask, caplog: pytest.LogCaptureFixture) -> tuple[str, int]:
    """What a real Werkzeug server serving ``app`` logs when it starts, and its port."""
    server = make_server("127.0.0.1", 0, DebuggedApplication(app))
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            server.log_startup()
        running = [r for r in caplog.records if "Running on" in r.getMessage()]
        return running[-1].getMessage(), server.port
    finally:
        server.server_close()


def test_the_served_app_is_announced_only_while_its_panel_is_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    other = make_app(INSPECT_URL_PREFIX="/other-panel")  # alive, on, but not served
    app = make_app(DEBUG=False, INSPECT_URL_PREFIX="/debug-panel")
    message, _ = _startup_message(app, caplog)
    assert PANEL_LINE not in message
    app.config["INSPECT_ENABLED"] = True
    message, port = _startup_message(app, caplog)
    assert message.endswith(f"\n{PANEL_LINE}http://127.0.0.1:{port}/debug-panel/")
    assert message.count(PANEL_LINE) == 1
    assert "/other-panel/" not in message
    assert other.debug


def test_serving_on_all_addresses_names_the_loopback_address_once() -> None:
    message = (
        " * Running on all addresses (0.0.0.0)\n"
        " * Running on http://127.0.0.1:5123\n"
        " * Running on http://192.0.2.7:5123"
    )
    assert panel_line(message, "/_inspect") == f"{PANEL_LINE}http://127.0.0.1:5123/_inspect/"
    assert panel_line(" * Running on unix:///tmp/socket", "/_inspect") is None
