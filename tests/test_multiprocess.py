"""The history across processes: gunicorn workers and the reloader's restarts.

Real servers in subprocesses on 127.0.0.1, a real HTTP client: every badge
link (a response's ``X-Inspect-Request-Id``, fetched from the panel's API)
resolves within a second whichever worker answers it, and records made
before a restart are still listed, with the restart marked.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import time
import typing as t
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from flask_inspect.recorder import REQUEST_ID_HEADER
from tests.store_helpers import free_port

APP_MODULE = textwrap.dedent(
    """
    import os

    from flask import Flask
    from flask_inspect import Inspect

    app = Flask("served_app")
    app.config.update(DEBUG=True, SECRET_KEY="s", INSPECT_HISTORY_SIZE=1000)
    app.config["INSPECT_STORE"] = os.environ.get("TEST_INSPECT_STORE") or None
    Inspect(app)


    @app.route("/page/<int:number>")
    def page(number):
        return "<!doctype html><html><body>page %d</body></html>" % number
    """
)


def _get(url: str, timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _wait_until_serving(url: str, server: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server exited with {server.returncode}")
        try:
            _get(url, timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answered at {url}")


def _environment(folder: Path) -> dict[str, str]:
    """The test's own temporary directory: the default SQLite file goes there."""
    env = dict(os.environ)
    env["TMPDIR"] = str(folder)
    env["PYTHONPATH"] = str(folder)
    env.pop("FLASK_RUN_FROM_CLI", None)
    return env


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


@pytest.mark.parametrize(
    ("worker_class", "store"), [("gthread", "sqlite"), ("sync", "sqlite"), ("gthread", "redis")]
)
def test_every_badge_link_resolves_within_a_second_under_four_gunicorn_workers(
    tmp_path: Path, worker_class: str, store: str, request: pytest.FixtureRequest
) -> None:
    (tmp_path / "served_app.py").write_text(APP_MODULE)
    env = _environment(tmp_path)
    if store == "redis":
        env["TEST_INSPECT_STORE"] = request.getfixturevalue("redis_server").url
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "gunicorn", "-w", "4", "-k", worker_class]
    if worker_class == "gthread":
        command += ["--threads", "4"]
    command += ["-b", f"127.0.0.1:{port}", "--chdir", str(tmp_path), "served_app:app"]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_until_serving(base + "/page/0", server)

        def visit(number: int) -> tuple[str, float | None]:
            """One page, then its badge link, polled until it answers or a second is up."""
            status, headers, _ = _get(f"{base}/page/{number}")
            answered = time.monotonic()
            assert status == 200
            record_id = headers[REQUEST_ID_HEADER]
            while True:
                status, _, body = _get(f"{base}/_inspect/api/requests/{record_id}")
                waited = time.monotonic() - answered
                if status == 200:
                    assert json.loads(body)["path"] == f"/page/{number}"
                    return record_id, waited
                assert status == 404, status
                if waited > 1.0:
                    return record_id, None
                time.sleep(0.05)

        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(visit, range(1, 201)))
        unresolved = [record_id for record_id, waited in results if waited is None]
        assert unresolved == [], f"{len(unresolved)} of {len(results)} badge links did not resolve"
        boots = {record_id.rsplit("-", 1)[1] for record_id, _ in results}
        assert len(boots) >= 2, "every request went to one worker: nothing was proven"
        waits = sorted(waited or 0.0 for _, waited in results)
        print(
            f"{worker_class}/{store}: badge links resolved after median {waits[100]:.3f} s,"
            f" 95th percentile {waits[189]:.3f} s, slowest {waits[-1]:.3f} s"
        )

        # Every worker's records in one list, and the contexts page names the others.
        status, _, body = _get(base + "/_inspect/api/requests?limit=1000")
        listed = {record["id"] for record in json.loads(body)["requests"]}
        assert {record_id for record_id, _ in results} <= listed
        time.sleep(2.5)  # a heartbeat from every worker
        status, _, body = _get(base + "/_inspect/api/contexts")
        assert status == 200
        contexts = json.loads(body)
        seen = {contexts["process"]["boot"]} | {w["boot"] for w in contexts["other_workers"]}
        assert boots <= seen
        pids = {contexts["process"]["pid"]} | {w["pid"] for w in contexts["other_workers"]}
        page = _get(base + "/_inspect/contexts")[2].decode()  # perhaps from another worker
        shown = re.search(r"threads of process <strong>(\d+)</strong>", page)
        assert shown is not None
        assert int(shown.group(1)) in pids
        assert "Other live workers" in page
    finally:
        _stop(server)


RELOADED_MODULE = APP_MODULE + "\n# edit {edit}\n"


def test_records_survive_the_reloaders_restart_and_the_restart_is_marked(tmp_path: Path) -> None:
    module = tmp_path / "served_app.py"
    module.write_text(RELOADED_MODULE.format(edit=0))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = _environment(tmp_path)
    env["FLASK_DEBUG"] = "1"
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "flask", "--app", "served_app", "run", "--reload"),
            *("--port", str(port), "--host", "127.0.0.1"),
        ],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_serving(base + "/page/0", server)
        before = [_get(f"{base}/page/{n}")[1][REQUEST_ID_HEADER] for n in (1, 2, 3)]
        old_boot = before[0].rsplit("-", 1)[1]
        time.sleep(1.2)  # written (within a second), and the file's time will differ
        module.write_text(RELOADED_MODULE.format(edit=1))
        deadline = time.monotonic() + 20
        after: str | None = None
        while time.monotonic() < deadline:
            try:
                status, headers, _ = _get(f"{base}/page/4", timeout=1)
            except OSError:
                time.sleep(0.1)  # between the two processes
                continue
            if status == 200 and headers[REQUEST_ID_HEADER].rsplit("-", 1)[1] != old_boot:
                after = headers[REQUEST_ID_HEADER]
                break
            time.sleep(0.2)
        assert after is not None, "the reloader did not restart the app"
        status, _, body = _get(base + "/_inspect/api/requests")
        listed = json.loads(body)["requests"]
        ids = [record["id"] for record in listed]
        assert set(before) <= set(ids), "records from before the restart are gone"
        first_new = min(
            (record for record in listed if record["process"]["boot"] != old_boot),
            key=lambda record: t.cast(str, record["started_at"]),
        )
        marked = [record["id"] for record in listed if record["after_restart"]]
        assert marked == [first_new["id"]]
        assert _get(f"{base}/_inspect/api/requests/{before[0]}")[0] == 200
        assert _get(f"{base}/_inspect/requests/{before[0]}")[0] == 200
    finally:
        _stop(server)
