"""Copy as curl: the command drawn from a record replays to the same status.

Each request is sent to a real threaded server, its record's command is run
with curl (or, where curl is missing, parsed and sent by Python), and the
replay must get the status the original got, and reach the view with the
same method, path, query and body.
"""

from __future__ import annotations

import http.client
import json
import shlex
import shutil
import subprocess
import typing as t
import urllib.parse

import pytest
from flask import Flask
from flask import request

from flask_inspect.capture import CUT_MARK
from flask_inspect.capture import MAX_KEPT_TEXT
from flask_inspect.curl import curl_command
from flask_inspect.recorder import REQUEST_ID_HEADER
from tests.conftest import make_app

if t.TYPE_CHECKING:
    from tests.conftest import LiveServer


def echo_app() -> tuple[Flask, list[dict[str, t.Any]]]:
    """An app whose views note what reached them."""
    app = make_app()
    seen: list[dict[str, t.Any]] = []

    def note() -> None:
        seen.append(
            {
                "method": request.method,
                "path": request.path,
                "args": request.args.to_dict(flat=False),
                "json": request.get_json(silent=True) if request.is_json else None,
                "form": request.form.to_dict(flat=False),
                "accept": request.headers.get("X-Custom"),
            }
        )

    @app.route("/items/<int:item_id>", methods=["GET", "PUT", "DELETE"])
    def item(item_id: int) -> tuple[str, int]:
        note()
        return "item", 200 if request.method == "GET" else 202

    @app.post("/orders")
    def orders() -> tuple[str, int]:
        note()
        return "created", 201

    @app.post("/form")
    def form() -> tuple[str, int]:
        note()
        return "posted", 200

    @app.get("/caf\u00e9 menu")
    def menu() -> str:
        note()
        return "menu"

    return app, seen


def _send(
    server: LiveServer, method: str, target: str, body: bytes | None, headers: dict[str, str]
) -> tuple[int, str]:
    host, port = server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request(method, target, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, response.headers[REQUEST_ID_HEADER]
    finally:
        connection.close()


def _replay(command: str) -> int:
    """Run the command with curl, or parse it and send it with Python if curl is missing."""
    arguments = shlex.split(command)
    assert arguments[0] == "curl"
    if shutil.which("curl"):
        result = subprocess.run(
            [*arguments, "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10"],
            capture_output=True,
            text=True,
            check=True,
        )
        return int(result.stdout)
    return _replay_in_python(arguments[1:])


def _replay_in_python(arguments: list[str]) -> int:
    method = None
    url = None
    headers: dict[str, str] = {}
    data: bytes | None = None
    words = iter(arguments)
    for word in words:
        if word == "-X":
            method = next(words)
        elif word == "-H":
            name, _, value = next(words).partition(":")
            headers[name.strip()] = value.strip()
        elif word == "--data-raw":
            data = next(words).encode()
        elif word == "--head":
            method = "HEAD"
        elif word in ("-g", "-i"):
            continue
        else:
            url = word
    assert url is not None
    if method is None:
        method = "POST" if data is not None else "GET"
    if data is not None:
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        target = parts.path + ("?" + parts.query if parts.query else "")
        connection.request(method, target, body=data, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _command(app: Flask, record_id: str) -> dict[str, t.Any]:
    detail = app.test_client().get(f"/_inspect/api/requests/{record_id}").get_json()
    return curl_command(detail)


CASES = [
    ("GET", "/items/4?colour=red&size=2&size=3", None, {}),
    ("PUT", "/items/4", None, {"X-Custom": "yes"}),
    ("DELETE", "/items/5", None, {}),
    ("HEAD", "/items/4", None, {}),
    ("GET", "/nowhere?x=1", None, {}),
    ("POST", "/items/4", None, {}),
    (
        "POST",
        "/orders?source=web",
        json.dumps({"name": "Ann", "items": [1, {"id": 2}], "note": 'it\'s "fine"'}).encode(),
        {"Content-Type": "application/json"},
    ),
    (
        "POST",
        "/form",
        b"user=ann&tags=a&tags=b+c&empty=",
        {"Content-Type": "application/x-www-form-urlencoded"},
    ),
    ("GET", "/caf%C3%A9%20menu?q=a%20b", None, {}),
]


@pytest.mark.parametrize(("method", "target", "body", "headers"), CASES)
def test_the_curl_command_replays_to_the_same_status_and_the_same_view_input(
    live_server_factory: t.Callable[[Flask], LiveServer],
    method: str,
    target: str,
    body: bytes | None,
    headers: dict[str, str],
) -> None:
    app, seen = echo_app()
    server = live_server_factory(app)
    status, record_id = _send(server, method, target, body, headers)
    command = _command(app, record_id)
    assert command["complete"], command["left_out"]
    seen_first = list(seen)
    assert _replay(command["command"]) == status
    # The replay reached the view exactly as the original did (when it reached one).
    assert seen[len(seen_first) :] == seen_first


def test_redacted_parts_are_left_out_and_listed(
    live_server_factory: t.Callable[[Flask], LiveServer],
) -> None:
    app, _ = echo_app()
    server = live_server_factory(app)
    status, record_id = _send(
        server,
        "POST",
        "/orders?api_key=abc",
        json.dumps({"password": "pw", "name": "Ann"}).encode(),
        {
            "Content-Type": "application/json",
            "Cookie": "session=s1",
            "Authorization": "Bearer t1",
        },
    )
    command = _command(app, record_id)
    assert not command["complete"]
    text = " ".join(command["left_out"])
    assert "Cookie" in text
    assert "Authorization" in text
    assert "query" in text
    assert "JSON body" in text
    for secret in ("abc", "pw", "s1", "t1"):
        assert f"{secret}'" not in command["command"]
        assert f"={secret}" not in command["command"]
    # Still a command curl accepts (brackets are not globbed) and the app answers it.
    assert _replay(command["command"]) == status


def test_every_argument_is_quoted_for_the_shell() -> None:
    command = curl_command(
        {
            "method": "POST",
            "url": "http://localhost/a?x=$(touch /tmp/pwned)",
            "headers": [["X-Note", "it's `here`"]],
            "body": {"kind": "json", "value": {"q": "'; rm -rf ~; '"}},
        }
    )["command"]
    words = shlex.split(command)
    assert words[:5] == ["curl", "-g", "-i", "-X", "POST"]
    assert words[5] == "http://localhost/a?x=$(touch /tmp/pwned)"
    assert words[6:8] == ["-H", "X-Note: it's `here`"]
    assert json.loads(words[9]) == {"q": "'; rm -rf ~; '"}


def test_an_unread_body_is_listed_as_left_out() -> None:
    command = curl_command(
        {
            "method": "POST",
            "url": "http://localhost/upload",
            "headers": [],
            "body": {"kind": "unread", "content_type": "application/octet-stream"},
        }
    )
    assert not command["complete"]
    assert "never parsed" in command["left_out"][0]


def test_the_python_replay_used_without_curl_agrees(
    live_server_factory: t.Callable[[Flask], LiveServer],
) -> None:
    """The fallback replay (for machines without curl) sends the same request."""
    app, seen = echo_app()
    server = live_server_factory(app)
    body = json.dumps({"name": "Ann"}).encode()
    status, record_id = _send(
        server, "POST", "/orders?a=1", body, {"Content-Type": "application/json"}
    )
    command = _command(app, record_id)
    assert _replay_in_python(shlex.split(command["command"])[1:]) == status == 201
    assert seen[0] == seen[1]
    assert seen[1]["json"] == {"name": "Ann"}


def test_a_body_cut_when_kept_is_listed_as_incomplete() -> None:
    cut = "x" * (MAX_KEPT_TEXT - len(CUT_MARK)) + CUT_MARK
    command = curl_command(
        {
            "method": "POST",
            "url": "http://localhost/doc",
            "headers": [],
            "body": {"kind": "json", "value": {"text": cut}},
        }
    )
    assert not command["complete"]
    assert "JSON body" in command["left_out"][0]
