"""Secrets never leave the panel in clear, in every spelling real apps use.

Each secret is sent once, then looked for in the list JSON and the detail
JSON: its value must not appear anywhere, and ``[redacted]`` must. Useful
values with secret-sounding names (``Content-Length``, ``author``) must
still be shown.
"""

from __future__ import annotations

import json
import time
import typing as t

import pytest
from flask import Flask
from flask import g
from werkzeug.routing import BaseConverter

from flask_inspect.redact import plain_repr
from flask_inspect.redact import redact_query
from flask_inspect.redact import redact_text
from tests.conftest import make_app

REDACTED = "[redacted]"

QUERY_SECRETS = ["password", "access_token", "api_key", "code", "token", "key", "sig", "apiKey"]
HEADER_SECRETS = [
    "X-Access-Key",
    "X-Auth",
    "Authentication",
    "X-Hub-Signature",
    "X-Hub-Signature-256",
    "X-Api-Key",
    "Authorization",
]
G_SECRETS = ["auth", "jwt", "bearer", "otp", "access_key", "password", "refresh_token"]


def _app() -> Flask:
    app = make_app()

    @app.route("/page", methods=["GET", "POST"])
    def page() -> str:
        return "ok"

    @app.route("/g/<name>")
    def set_g(name: str) -> str:
        setattr(g, name, "g-secret-value-1234")
        g.author = "Ada Lovelace"
        g.form = "user=bob&password=hunter2-in-form"
        return "ok"

    app.add_url_rule(
        "/hook",
        "hook",
        lambda api_key, page_size: "ok",
        defaults={"api_key": "default-key-999", "page_size": 50},
    )
    return app


def _list_and_detail(app: Flask) -> tuple[str, str]:
    client = app.test_client()
    (summary,) = client.get("/_inspect/api/requests").get_json()["requests"]
    detail = client.get(f"/_inspect/api/requests/{summary['id']}").get_json()
    return json.dumps(summary), json.dumps(detail)


@pytest.mark.parametrize("name", QUERY_SECRETS)
def test_query_string_secret_is_redacted_in_list_and_detail(name: str) -> None:
    app = _app()
    app.test_client().get(f"/page?page=2&{name}=qs-secret-value-42&author=Ada")
    listed, detail = _list_and_detail(app)
    for text in (listed, detail):
        assert "qs-secret-value-42" not in text
        assert f"{name}={REDACTED}" in text
        assert "page=2" in text
        assert "author=Ada" in text  # not "auth"


def test_percent_encoded_parameter_names_are_read_as_decoded() -> None:
    app = _app()
    app.test_client().get("/page?pass%77ord=enc-secret-77&x=1")
    listed, detail = _list_and_detail(app)
    assert "enc-secret-77" not in listed
    assert "enc-secret-77" not in detail


@pytest.mark.parametrize("header", HEADER_SECRETS)
def test_secret_header_is_redacted_in_detail(header: str) -> None:
    app = _app()
    app.test_client().get("/page", headers={header: "hdr-secret-value-7", "X-Author": "Ada"})
    listed, detail = _list_and_detail(app)
    assert "hdr-secret-value-7" not in listed
    assert "hdr-secret-value-7" not in detail
    headers = dict(json.loads(detail)["headers"])
    assert headers[header.title()] == REDACTED
    assert headers["X-Author"] == "Ada"


def test_a_referer_keeps_its_url_but_not_its_token() -> None:
    app = _app()
    referer = "http://localhost:5000/login?next=%2Fhome&token=ref-secret-1#top"
    app.test_client().get("/page", headers={"Referer": referer})
    _, detail = _list_and_detail(app)
    assert "ref-secret-1" not in detail
    headers = dict(json.loads(detail)["headers"])
    assert headers["Referer"] == f"http://localhost:5000/login?next=%2Fhome&token={REDACTED}#top"


def test_content_length_and_type_stay_visible() -> None:
    app = _app()
    app.test_client().post("/page", data={"a": "1"})
    _, detail = _list_and_detail(app)
    headers = dict(json.loads(detail)["headers"])
    assert headers["Content-Length"] == "3"
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"


@pytest.mark.parametrize("name", G_SECRETS)
def test_g_secret_is_redacted_in_detail(name: str) -> None:
    app = _app()
    app.test_client().get(f"/g/{name}")
    _, detail = _list_and_detail(app)
    assert "g-secret-value-1234" not in detail
    g_values = json.loads(detail)["g"]
    assert g_values[name]["repr"] == REDACTED
    assert g_values["author"]["repr"] == "'Ada Lovelace'"
    # A form-like value keeps its shape, not its secret.
    assert "hunter2-in-form" not in detail
    assert g_values["form"]["repr"] == f"'user=bob&password={REDACTED}'"


def test_route_defaults_named_like_secrets_are_redacted() -> None:
    app = _app()
    client = app.test_client()
    routes = client.get("/_inspect/api/routes").get_json()["routes"]
    (hook,) = [route for route in routes if route["endpoint"] == "hook"]
    assert hook["defaults"] == {"api_key": REDACTED, "page_size": 50}
    assert "default-key-999" not in client.get("/_inspect/routes").text
    client.get("/hook")
    listed, detail = _list_and_detail(app)
    assert "default-key-999" not in listed
    assert "default-key-999" not in detail


def test_helpers_leave_ordinary_text_alone() -> None:
    app = _app()
    with app.app_context():
        assert redact_query(app, "a=1&b=&c") == "a=1&b=&c"
        assert redact_query(app, "status_code=404&sort_key=x") == "status_code=404&sort_key=x"
        assert redact_query(app, "code=abc&state=xyz") == f"code={REDACTED}&state=xyz"
        assert redact_text(app, "a plain sentence, x=1 y=2") == "a plain sentence, x=1 y=2"
        assert redact_text(app, "/path?password=p") == f"/path?password={REDACTED}"


# -- the match view never runs a converted value's own __repr__ ------------------


class Hangs:
    def __repr__(self) -> str:
        time.sleep(5)
        return "too late"


class Raises:
    def __repr__(self) -> str:
        raise RuntimeError("repr exploded")


class ObjectConverter(BaseConverter):
    """An app's converter returning a model object (as a database lookup would)."""

    made: t.ClassVar[type] = Hangs

    def to_python(self, value: str) -> t.Any:
        return self.made()

    def to_url(self, value: t.Any) -> str:
        return "x"


@pytest.mark.parametrize("made", [Hangs, Raises])
@pytest.mark.parametrize(
    "url", ["/_inspect/match?path=/obj/abc", "/_inspect/api/match?path=/obj/abc"]
)
def test_match_view_answers_fast_whatever_the_values_repr_does(made: type, url: str) -> None:
    app = make_app()

    class Converter(ObjectConverter):
        pass

    Converter.made = made
    app.url_map.converters["obj"] = Converter

    @app.route("/obj/<obj:item>")
    def item(item: t.Any) -> str:
        return "item"

    client = app.test_client()
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert elapsed < 1.0
    shown = f"&lt;{made.__module__}.{made.__qualname__} object&gt;"
    if url.startswith("/_inspect/api/"):
        assert response.get_json()["view_args"]["item"]["repr"] == shown.replace(
            "&lt;", "<"
        ).replace("&gt;", ">")
    else:
        assert shown in response.text


def test_plain_repr_shows_plain_values_exactly() -> None:
    assert plain_repr(5) == "5"
    assert plain_repr("a'b") == repr("a'b")
    assert plain_repr(["a", 1, (2.5, None)]) == repr(["a", 1, (2.5, None)])
    assert plain_repr([Raises()]) == "<list object>"
    assert plain_repr(Hangs()) == f"<{__name__}.Hangs object>"


def test_a_secret_view_argument_is_redacted_in_the_path_too() -> None:
    app = _app()

    @app.route("/reset/<token>/confirm")
    def reset(token: str) -> str:
        return "ok"

    @app.route("/files/<path:api_key>")
    def files(api_key: str) -> str:
        return "ok"

    client = app.test_client()
    client.get("/reset/path-secret-5150/confirm")
    listed, detail = _list_and_detail(app)
    for text in (listed, detail):
        assert "path-secret-5150" not in text
    assert json.loads(listed)["path"] == f"/reset/{REDACTED}/confirm"
    assert json.loads(detail)["view_args"]["token"]["repr"] == REDACTED
    client.get("/files/a/b-secret-77")
    newest = client.get("/_inspect/api/requests").get_json()["requests"][0]
    assert newest["path"] == f"/files/{REDACTED}"


def test_custom_entries_match_names_however_they_are_spelled() -> None:
    app = make_app(INSPECT_REDACT=("APIKEY", "_PIN_", "my-secret"))

    @app.route("/c")
    def custom() -> str:
        g.pin = "1234-pin"
        g.spinner = "shown"
        g.MySecret = "camel-secret"
        g.apiKey = "camel-key"  # reads api_key as words; apikey with separators dropped
        return "ok"

    client = app.test_client()
    client.get("/c?x=1", headers={"X-ApiKey": "custom-key-1", "X-Token": "now-shown"})
    _, detail = _list_and_detail(app)
    data = json.loads(detail)
    headers = dict(data["headers"])
    assert headers["X-Apikey"] == REDACTED
    assert headers["X-Token"] == "now-shown"  # TOKEN is no longer in the list
    assert data["g"]["pin"]["repr"] == REDACTED
    assert data["g"]["spinner"]["repr"] == "'shown'"
    assert data["g"]["MySecret"]["repr"] == REDACTED
    assert data["g"]["apiKey"]["repr"] == REDACTED


def test_a_changed_redact_setting_is_obeyed_at_once() -> None:
    """The redaction test is remembered per setting value, never past a change."""
    app = make_app(INSPECT_REDACT=("TOKEN",))
    assert redact_query(app, "token=t1&colour=red") == "token=[redacted]&colour=red"
    app.config["INSPECT_REDACT"] = ("COLOUR",)
    assert redact_query(app, "token=t1&colour=red") == "token=t1&colour=[redacted]"
    app.config["INSPECT_REDACT"] = ["SHAPE"]  # a list: not a cache key, still obeyed
    assert redact_query(app, "shape=round&colour=red") == "shape=[redacted]&colour=red"
    app.config["INSPECT_REDACT"].append("COLOUR")  # changed in place: obeyed too
    assert redact_query(app, "shape=round&colour=red") == "shape=[redacted]&colour=[redacted]"
    app.config["INSPECT_REDACT"] = "COLOUR"
    assert redact_query(app, "shape=round&colour=red") == "shape=round&colour=[redacted]"
