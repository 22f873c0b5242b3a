"""The badge: a link to the request's record, on whole HTML pages only."""

from __future__ import annotations

import gzip
import typing as t

import pytest
from flask import Flask
from flask import Response
from flask import send_file
from flask import stream_with_context

from flask_inspect.badge import BADGE_CLASS
from flask_inspect.badge import insert_before_body_end
from flask_inspect.recorder import REQUEST_ID_HEADER
from tests.conftest import make_app

PAGE = "<!doctype html><html><head><title>t</title></head><body><p>é</p></body></html>"


def badge_app(**config: t.Any) -> Flask:
    app = make_app(**config)

    @app.route("/page")
    def page() -> str:
        return PAGE

    @app.route("/upper")
    def upper() -> str:
        return "<HTML><BODY>shout</BODY></HTML>"

    @app.route("/two-bodies")
    def two_bodies() -> str:
        return "<body><pre>&lt;/body&gt; </body> in text</pre></body>"

    @app.route("/fragment")
    def fragment() -> str:
        return "<p>no body tag</p>"

    @app.route("/json")
    def as_json() -> dict[str, str]:
        return {"html": PAGE}

    @app.route("/text")
    def text() -> Response:
        return Response(PAGE, mimetype="text/plain")

    @app.route("/stream")
    def stream() -> Response:
        def chunks() -> t.Iterator[str]:
            yield "<html><body>"
            yield "streamed</body></html>"

        return Response(stream_with_context(chunks()), mimetype="text/html")

    @app.route("/compressed")
    def compressed() -> Response:
        response = Response(gzip.compress(PAGE.encode()), mimetype="text/html")
        response.headers["Content-Encoding"] = "gzip"
        return response

    @app.route("/utf16")
    def utf16() -> Response:
        return Response(PAGE.encode("utf-16"), content_type="text/html; charset=utf-16")

    @app.route("/file")
    def file() -> Response:
        import io

        return send_file(io.BytesIO(PAGE.encode()), mimetype="text/html")

    return app


def get(app: Flask, path: str, **kwargs: t.Any) -> t.Any:
    return app.test_client().get(path, buffered=True, **kwargs)


def test_html_page_gets_a_link_to_its_record_before_the_last_body_end() -> None:
    app = badge_app()
    response = get(app, "/page")
    record_id = response.headers[REQUEST_ID_HEADER]
    html = response.get_data(as_text=True)
    link = f'href="/_inspect/requests/{record_id}">inspect</a>'
    assert link in html
    assert f'class="{BADGE_CLASS}"' in html
    assert html.index(link) < html.rindex("</body>")
    assert html.endswith("</body></html>")
    assert '<link rel="stylesheet" href="/_inspect/static/flask_inspect/badge.css">' in html
    # Nothing inline: no script, no style attribute.
    assert "<script" not in html
    assert "style=" not in html
    assert int(response.headers["Content-Length"]) == len(response.data)
    assert html.replace(html[html.index("<link") : html.index("</a>") + 4], "") == PAGE


def test_the_badge_link_leads_to_the_record() -> None:
    app = badge_app()
    client = app.test_client()
    response = client.get("/page", buffered=True)
    record_id = response.headers[REQUEST_ID_HEADER]
    record_page = client.get(f"/_inspect/requests/{record_id}")
    assert record_page.status_code == 200
    assert record_id in record_page.get_data(as_text=True)
    assert client.get("/_inspect/static/flask_inspect/badge.css").status_code == 200


def test_badge_goes_before_the_last_body_end_whatever_its_case() -> None:
    app = badge_app()
    upper = get(app, "/upper").get_data(as_text=True)
    assert upper.endswith("inspect</a></BODY></HTML>")
    two = get(app, "/two-bodies").get_data(as_text=True)
    assert two.endswith("inspect</a></body>")
    assert two.count(BADGE_CLASS) == 1


@pytest.mark.parametrize(
    "path",
    ["/fragment", "/json", "/text", "/stream", "/compressed", "/utf16", "/file"],
)
def test_responses_that_are_not_whole_html_in_memory_are_left_untouched(path: str) -> None:
    app = badge_app()
    response = get(app, path)
    assert REQUEST_ID_HEADER in response.headers  # still recorded
    assert BADGE_CLASS.encode() not in response.data
    assert BADGE_CLASS.encode() not in _maybe_gunzip(response.data)


def _maybe_gunzip(data: bytes) -> bytes:
    try:
        return gzip.decompress(data)
    except OSError:
        return data


def test_compressed_page_keeps_its_exact_bytes_and_length() -> None:
    app = badge_app()
    response = get(app, "/compressed")
    assert gzip.decompress(response.data).decode() == PAGE
    assert int(response.headers["Content-Length"]) == len(response.data)


def test_badge_setting_off_leaves_html_untouched() -> None:
    app = badge_app(INSPECT_BADGE=False)
    response = get(app, "/page")
    assert REQUEST_ID_HEADER in response.headers
    assert response.get_data(as_text=True) == PAGE


def test_client_not_allowed_to_see_the_panel_gets_no_badge_and_no_id() -> None:
    app = badge_app()
    response = get(app, "/page", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.get_data(as_text=True) == PAGE
    assert REQUEST_ID_HEADER not in response.headers
    # Still recorded: the panel lists it for the clients that may see it.
    listed = app.test_client().get("/_inspect/api/requests").get_json()["requests"]
    assert [item["path"] for item in listed] == ["/page"]


def test_a_page_asked_for_under_a_foreign_host_gets_no_badge() -> None:
    app = badge_app()
    response = get(app, "/page", headers={"Host": "tunnel.example.net"})
    assert response.get_data(as_text=True) == PAGE


def test_badge_follows_the_mount_point_and_prefix() -> None:
    app = badge_app(INSPECT_URL_PREFIX="/debug/panel")
    response = get(app, "/page", environ_overrides={"SCRIPT_NAME": "/my app"})
    record_id = response.headers[REQUEST_ID_HEADER]
    html = response.get_data(as_text=True)
    assert f'href="/my app/debug/panel/requests/{record_id}"' in html
    assert 'href="/my app/debug/panel/static/flask_inspect/badge.css"' in html


def test_badge_escapes_a_hostile_mount_point() -> None:
    app = badge_app()
    response = get(app, "/page", environ_overrides={"SCRIPT_NAME": '/x"><script>alert(1)</script>'})
    html = response.get_data(as_text=True)
    assert "<script>" not in html
    assert "&#34;&gt;&lt;script&gt;" in html


def test_the_panels_own_pages_get_no_badge() -> None:
    app = badge_app()
    page = app.test_client().get("/_inspect/requests").get_data(as_text=True)
    assert BADGE_CLASS not in page.replace("flask-inspect-badge.css", "")
    assert 'class="flask-inspect-badge"' not in page


def test_insert_before_body_end_is_none_without_a_body_end() -> None:
    assert insert_before_body_end(b"<p>x</p>", b"<a>") is None
    assert insert_before_body_end(b"<body></body>", b"<a>") == b"<body><a></body>"
    assert insert_before_body_end(b"<BODY></Body>", b"<a>") == b"<BODY><a></Body>"
