"""The README's first command starts the teaching app and prints the panel's URL."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_python_m_example_app_serves_the_panel_and_prints_its_url() -> None:
    port = _free_port()
    env = {**os.environ, "PORT": str(port), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "example_app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        # Under the server's own "Running on" line, before the reloader restarts.
        first_lines = [process.stdout.readline() for _ in range(6)]
        panel_url = f"http://127.0.0.1:{port}/_inspect/"
        assert f" * flask-inspect panel: {panel_url}\n" in first_lines, first_lines
        deadline = time.monotonic() + 30
        body = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(panel_url + "routes", timeout=2) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.2)
        assert "/user/&lt;int:id&gt;" in body or "user_by_id" in body
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def _readme_console_blocks(command_prefix: str) -> list[tuple[str, str]]:
    """``(command, output)`` of every README console block whose command starts so."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```console\n\$ (.*?)\n(.*?)```", readme, re.S)
    return [(command, output) for command, output in blocks if command.startswith(command_prefix)]


def test_readme_routes_example_is_exactly_what_the_command_prints() -> None:
    blocks = _readme_console_blocks("flask --app example_app.app inspect routes")
    assert blocks, "the README lost its `flask inspect routes` example"
    env = {key: value for key, value in os.environ.items() if key != "COLUMNS"}
    for command, shown in blocks:
        arguments = shlex.split(command)[1:]
        result = subprocess.run(
            [sys.executable, "-m", "flask", *arguments],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout == shown, command
