"""Who may see the panel: the Host header (DNS rebinding, tunnels) and the client address.

The Host check is proven over real TCP: a threaded Werkzeug server on
127.0.0.1, and ``http.client`` sending a forged ``Host`` the way a rebound
page or a tunnel delivers it (from 127.0.0.1, under a foreign name).
"""

from __future__ import annotations

import http.client
import json
import logging
import typing as t

import pytest
from flask import Flask

from flask_inspect import Inspect
from flask_inspect.access import client_allowed
from flask_inspect.access import is_loopback
from flask_inspect.access import server_name_allowed
from flask_inspect.access import split_host
from flask_inspect.recorder import REQUEST_ID_HEADER
from tests.conftest import LiveServer
from tests.conftest import make_app

PANEL_URLS = [
    "/_inspect/",
    "/_inspect/routes",
    "/_inspect/match?path=/",
    "/_inspect/requests",
    "/_inspect/contexts",
    "/_inspect/api/routes",
    "/_inspect/api/match?path=/",
    "/_inspect/api/requests",
    "/_inspect/api/contexts",
    "/_inspect/static/flask_inspect/inspect.css",
]


def _app(**config: t.Any) -> Flask:
    app = make_app(**config)

    @app.route("/")
    def index() -> str:
        return "<html><body>home</body></html>"

    @app.route("/user/<int:user_id>")
    def user(user_id: int) -> str:
        return str(user_id)

    return app


def _get(server: LiveServer, path: str, host: str | None) -> tuple[int, dict[str, str], bytes]:
    """One GET over a real socket, with ``Host`` exactly as given (or none at all)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.server.server_port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        if host is not None:
            connection.putheader("Host", host)
        connection.putheader("Accept", "text/html")
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("url", PANEL_URLS)
def test_a_forged_host_gets_403_naming_the_setting_over_real_tcp(
    live_server_factory: t.Callable[[Flask], LiveServer], url: str
) -> None:
    server = live_server_factory(_app())
    status, _, body = _get(server, url, "attacker.example")
    assert status == 403
    text = body.decode()
    assert "INSPECT_ALLOWED_SERVER_NAMES" in text
    assert "attacker.example" in text
    assert "Routes" not in text
    assert "/user/" not in text
    # The same URL under the server's own name answers.
    port = server.server.server_port
    assert _get(server, url, f"127.0.0.1:{port}")[0] == 200
    assert _get(server, url, f"localhost:{port}")[0] == 200


@pytest.mark.parametrize(
    "host",
    ["attacker.example", "attacker.example:5000", "localhost.attacker.example", "127.0.0.1.nip.io"],
)
def test_foreign_names_are_refused_and_the_app_still_answers_them(
    live_server_factory: t.Callable[[Flask], LiveServer], host: str
) -> None:
    server = live_server_factory(_app())
    assert _get(server, "/_inspect/api/requests", host)[0] == 403
    status, _, body = _get(server, "/", host)
    assert (status, body) == (200, b"<html><body>home</body></html>")  # no badge either


@pytest.mark.parametrize(
    "host", ["localhost", "LOCALHOST:8000", "127.0.0.1:1", "127.3.4.5:80", "[::1]:5000", "[::1]"]
)
def test_local_names_at_any_port_are_allowed(
    live_server_factory: t.Callable[[Flask], LiveServer], host: str
) -> None:
    server = live_server_factory(_app())
    assert _get(server, "/_inspect/api/routes", host)[0] == 200


def test_server_name_is_allowed_and_the_setting_can_add_names(
    live_server_factory: t.Callable[[Flask], LiveServer],
) -> None:
    app = _app(INSPECT_ALLOWED_SERVER_NAMES=("localhost", "dev.example.test:8080"))
    server = live_server_factory(app)
    assert _get(server, "/_inspect/api/routes", "dev.example.test:8080")[0] == 200
    assert _get(server, "/_inspect/api/routes", "dev.example.test:9999")[0] == 403
    assert _get(server, "/_inspect/api/routes", "127.0.0.1")[0] == 403  # not listed any more
    app.config["SERVER_NAME"] = "myapp.test"
    assert server_name_allowed(app, "myapp.test:5000")


def test_star_allows_every_name_and_warns(
    live_server_factory: t.Callable[[Flask], LiveServer], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="flask_inspect"):
        app = _app(INSPECT_ALLOWED_SERVER_NAMES="*")
    assert "INSPECT_ALLOWED_SERVER_NAMES contains '*'" in caplog.text
    server = live_server_factory(app)
    assert _get(server, "/_inspect/api/routes", "anything.example")[0] == 200


def test_the_api_refusal_is_json(live_server_factory: t.Callable[[Flask], LiveServer]) -> None:
    server = live_server_factory(_app())
    status, headers, body = _get(server, "/_inspect/api/requests", "evil.example")
    assert status == 403
    assert headers["Content-Type"] == "application/json"
    data = json.loads(body)
    assert data["error"] == "forbidden"
    assert "INSPECT_ALLOWED_SERVER_NAMES" in data["detail"]


def test_an_explained_404_under_a_forged_host_is_the_apps_plain_page(
    live_server_factory: t.Callable[[Flask], LiveServer],
) -> None:
    server = live_server_factory(_app())
    port = server.server.server_port
    status, _, body = _get(server, "/user/abc", f"127.0.0.1:{port}")
    assert status == 404
    assert b"/user/&lt;int:user_id&gt;" in body
    status, _, forged = _get(server, "/user/abc", "attacker.example")
    assert status == 404
    assert b"user_id" not in forged
    assert b"flask-inspect" not in forged
    assert b"Not Found" in forged


def test_the_request_id_header_goes_only_to_allowed_clients() -> None:
    app = _app()
    client = app.test_client()
    assert REQUEST_ID_HEADER in client.get("/").headers
    assert REQUEST_ID_HEADER in client.get("/", environ_base={"REMOTE_ADDR": "127.0.0.9"}).headers
    outside = client.get("/", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert outside.status_code == 200
    assert REQUEST_ID_HEADER not in outside.headers


def test_the_request_id_header_goes_only_to_hosts_the_panel_answers(
    live_server_factory: t.Callable[[Flask], LiveServer],
) -> None:
    """Through a tunnel every visitor comes from 127.0.0.1, under the tunnel's name."""
    server = live_server_factory(_app())
    port = server.server.server_port
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"):
        status, headers, _ = _get(server, "/", host)
        assert status == 200
        assert REQUEST_ID_HEADER in headers, host
    for host in ("abc123.tunnel.example", f"attacker.example:{port}"):
        status, headers, body = _get(server, "/", host)
        assert status == 200
        assert body == b"<html><body>home</body></html>"  # no badge either
        assert REQUEST_ID_HEADER not in headers, host


@pytest.mark.parametrize("address", ["::ffff:127.0.0.1", "127.0.0.2", "127.255.255.254", "::1"])
def test_every_loopback_spelling_is_a_local_client(address: str) -> None:
    app = _app()
    response = app.test_client().get("/_inspect/api/routes", environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 200


@pytest.mark.parametrize("address", ["::ffff:10.0.0.1", "128.0.0.1", "0.0.0.0", "", "junk"])
def test_other_addresses_are_not_local(address: str) -> None:
    app = _app()
    response = app.test_client().get("/_inspect/api/routes", environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 403


def test_allowed_hosts_none_does_not_crash_init_and_allows_no_one() -> None:
    app = Flask(__name__)
    app.config.update(DEBUG=True, INSPECT_ALLOWED_HOSTS=None)
    Inspect(app)
    assert app.test_client().get("/_inspect/").status_code == 403
    assert not client_allowed(app, "127.0.0.1")


def test_localhost_in_allowed_hosts_means_the_loopback_addresses() -> None:
    app = _app(INSPECT_ALLOWED_HOSTS=("localhost",))
    assert client_allowed(app, "127.0.0.1")
    assert client_allowed(app, "::1")
    assert not client_allowed(app, "10.0.0.1")


def test_a_listed_remote_address_may_be_written_as_ipv4_mapped() -> None:
    app = _app(INSPECT_ALLOWED_HOSTS=("10.0.0.5",))
    assert client_allowed(app, "::ffff:10.0.0.5")
    assert not client_allowed(app, "127.0.0.1")  # loopback only when a loopback is listed


def test_helpers() -> None:
    assert is_loopback("127.0.0.1")
    assert is_loopback("::ffff:127.1.2.3")
    assert is_loopback("[::1]")
    assert not is_loopback("localhost")
    assert not is_loopback("10.0.0.1")
    assert split_host("[::1]:80") == ("::1", "80")
    assert split_host("Example.Test.:443") == ("example.test", "443")
    app = _app()
    assert server_name_allowed(app, "app.localhost:5000")
    assert not server_name_allowed(app, "localhost.evil.example")
    assert not server_name_allowed(app, "")
    assert not server_name_allowed(app, None)


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Forwarded-For": "203.0.113.5"},
        {"X-Forwarded-For": "127.0.0.1, 198.51.100.7"},
        {"X-Real-Ip": "198.51.100.7"},
        {"Forwarded": 'for="[2001:db8::1]:4711";proto=https'},
        {"Forwarded": "for=192.0.2.60;proto=http, for=127.0.0.1"},
    ],
)
def test_a_request_forwarded_for_an_outside_client_is_refused(headers: dict[str, str]) -> None:
    app = _app()
    client = app.test_client()
    response = client.get("/_inspect/api/routes", headers=headers)
    assert response.status_code == 403
    assert "forwarded for" in response.get_json()["detail"]
    assert client.get("/", headers=headers).status_code == 200  # the app is not affected


def test_a_local_proxy_forwarding_for_a_local_client_is_allowed() -> None:
    app = _app()
    headers = {"X-Forwarded-For": "127.0.0.1", "Forwarded": 'for="[::1]:5000"'}
    assert app.test_client().get("/_inspect/api/routes", headers=headers).status_code == 200


@pytest.mark.parametrize("inspect_first", [True, False])
def test_proxy_fix_in_either_order_keeps_outside_clients_out(inspect_first: bool) -> None:
    from werkzeug.middleware.proxy_fix import ProxyFix

    app = Flask(__name__)
    app.config.update(DEBUG=True)
    if inspect_first:
        Inspect(app)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)  # type: ignore[method-assign]
    else:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)  # type: ignore[method-assign]
        Inspect(app)
    client = app.test_client()
    forwarded = {"X-Forwarded-For": "203.0.113.5"}
    assert client.get("/_inspect/api/routes", headers=forwarded).status_code == 403
    assert client.get("/_inspect/api/routes").status_code == 200


def test_the_host_verdict_follows_the_settings_as_they_change() -> None:
    """The Host verdict is remembered per setting value: a changed setting is read afresh,
    and a setting that cannot be remembered (a list) is still obeyed."""
    app = _app()
    assert server_name_allowed(app, "localhost:5000")
    assert not server_name_allowed(app, "dev.example.test")
    app.config["INSPECT_ALLOWED_SERVER_NAMES"] = ("dev.example.test",)
    assert server_name_allowed(app, "dev.example.test")
    assert not server_name_allowed(app, "localhost:5000")
    app.config["INSPECT_ALLOWED_SERVER_NAMES"] = ["other.example.test"]
    assert server_name_allowed(app, "other.example.test")
    assert not server_name_allowed(app, "dev.example.test")
    app.config["INSPECT_ALLOWED_SERVER_NAMES"].append("third.example.test")  # in place
    assert server_name_allowed(app, "third.example.test")
    app.config["INSPECT_ALLOWED_SERVER_NAMES"].remove("third.example.test")
    assert not server_name_allowed(app, "third.example.test")
    app.config["SERVER_NAME"] = "dev.example.test"
    assert server_name_allowed(app, "dev.example.test")
    client = app.test_client()
    headers = client.get("/", headers={"Host": "other.example.test"}).headers
    assert REQUEST_ID_HEADER in headers
    app.config["INSPECT_ALLOWED_SERVER_NAMES"] = ("localhost",)
    headers = client.get("/", headers={"Host": "other.example.test"}).headers
    assert REQUEST_ID_HEADER not in headers
