"""What route explain says, and how, on the panel, the error pages and the CLI.

Each test pins one wording or behaviour a user found wrong: the 405 page
that said no rule answers, the empty table for ``/nope``, suggestions
that were not links, outcome ids on the CLI, the match page's host and a
path without its slash, redirects dressed as errors, error pages dressed as
panel pages, and ``HEAD`` that got Flask's plain page.
"""

from __future__ import annotations

import re
import typing as t

import pytest
from flask import Flask

from example_app import create_app
from flask_inspect import explain
from flask_inspect.diagnose import OUTCOMES
from flask_inspect.outcome_words import OUTCOME_WORDS
from flask_inspect.outcome_words import outcome_label
from tests.conftest import make_app


def _app() -> Flask:
    app = make_app()

    @app.route("/")
    def index() -> str:
        return "home"

    @app.route("/user/<int:id>")
    def user(id: int) -> str:
        return str(id)

    @app.route("/submit", methods=["POST"])
    def submit() -> str:
        return "ok"

    @app.route("/docs/")
    def docs() -> str:
        return "docs"

    return app


# -- the 405 page says what really happened ----------------------------------------


def test_explained_405_says_a_rule_matches_but_refuses_the_method() -> None:
    html = _app().test_client().get("/submit").get_data(as_text=True)
    assert "No rule of this app" not in html
    assert (
        "/submit matches the URL of GET /submit, but allows only OPTIONS, POST; "
        "the request was GET." in html
    )


def test_405_wording_agrees_with_a_plural() -> None:
    app = make_app()
    app.add_url_rule("/x/<int:n>", "a", lambda n: "", methods=["POST"])
    app.add_url_rule("/x/<n>", "b", lambda n: "", methods=["PUT"])
    explanation = explain(app, "/x/1", "DELETE")
    assert explanation.status == 405
    assert explanation.summary == (
        "405: /x/<int:n> and /x/<n> allow OPTIONS, POST, PUT, not DELETE"
    )
    html = app.test_client().delete("/x/1").get_data(as_text=True)
    assert "/x/&lt;int:n&gt; and /x/&lt;n&gt; match the URL of DELETE /x/1, but allow only" in html


# -- /nope offers the app's top-level paths ----------------------------------------


def test_nothing_close_lists_top_level_paths_as_links_on_the_match_page() -> None:
    html = _app().test_client().get("/_inspect/match?path=/nope").get_data(as_text=True)
    section = html.split('id="top-level"', 1)[1].split("</section>", 1)[0]
    assert "Nothing is close" in section
    examples = re.findall(r'<a class="example" href="([^"]+)">([^<]+)</a>', section)
    assert [text for _, text in examples] == ["/", "/docs/", "/user/1"]
    assert all(href.startswith("/_inspect/match?path=") for href, _ in examples)
    assert '<a class="open-app" href="/docs/"' in section


def test_nothing_close_lists_top_level_paths_on_the_explained_404() -> None:
    html = _app().test_client().get("/nope").get_data(as_text=True)
    section = html.split('id="top-level"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'<a class="example" href="([^"]+)">', section) == [
        "/",
        "/docs/",
        "/user/1",
    ]


def test_nothing_close_lists_top_level_paths_on_the_cli() -> None:
    result = _app().test_cli_runner().invoke(args=["inspect", "match", "/nope"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    start = lines.index("Nothing is close. The app's top-level paths:")
    assert lines[start + 1 : start + 4] == [
        "  /        (index)",
        "  /docs/   (docs)",
        "  /user/1  (user)",
    ]


# -- "did you mean" entries are links everywhere ------------------------------------


def test_suggestions_are_links_on_the_match_page() -> None:
    html = _app().test_client().get("/_inspect/match?path=/user/abc").get_data(as_text=True)
    section = html.split('id="suggestions"', 1)[1].split("</section>", 1)[0]
    assert '<a class="example" href="/_inspect/match?path=/user/1&amp;method=GET">' in section
    assert '<a class="open-app" href="/user/1"' in section


def test_suggestions_are_links_on_the_explained_error_page() -> None:
    html = _app().test_client().get("/user/abc").get_data(as_text=True)
    section = html.split('id="suggestions"', 1)[1].split("</section>", 1)[0]
    assert '<a class="example" href="/user/1">/user/1</a>' in section


def test_suggestions_are_links_in_the_request_detail() -> None:
    client = _app().test_client()
    response = client.get("/user/abc")
    record_id = response.headers["X-Inspect-Request-Id"]
    html = client.get(f"/_inspect/requests/{record_id}").get_data(as_text=True)
    section = html.split('id="record-suggestions"', 1)[1].split("</ul>", 1)[0]
    assert '<a href="/user/1"><code>/user/1</code></a>' in section


# -- the CLI speaks the panel's words ------------------------------------------------


def test_every_outcome_has_words() -> None:
    assert set(OUTCOME_WORDS) == set(OUTCOMES)
    assert all(label for label, _ in OUTCOME_WORDS.values())


def test_cli_prints_outcome_words_not_ids() -> None:
    result = (
        create_app()
        .test_cli_runner()
        .invoke(args=["inspect", "match", "--all", "/calendar/2026-02-30"])
    )
    table = result.output.split("Rule by rule, in match order", 1)[1]
    assert "to_python said no" in table
    assert "never tried" in table
    assert "text differs" in table
    for outcome in ("validation_error", "not_tried", "static_mismatch", "converter_rejected"):
        assert f"  {outcome} " not in table
    assert outcome_label("validation_error") == "to_python said no"


def test_the_web_uses_the_same_words() -> None:
    app = create_app()
    app.debug = True
    html = app.test_client().get("/_inspect/match?path=/calendar/2026-02-30").get_data(as_text=True)
    assert '<span class="tag bad">to_python said no</span>' in html
    assert '<span class="tag warn">never tried</span>' in html


# -- the match page: the viewer's host, and a path without its slash --------------


def test_match_page_defaults_to_the_host_the_panel_is_viewed_on() -> None:
    client = _app().test_client()
    base = "http://127.0.0.1:5000"
    html = client.get("/_inspect/match?path=/user/7", base_url=base).get_data(as_text=True)
    assert 'placeholder="127.0.0.1:5000"' in html
    assert 'id="request-line">GET 127.0.0.1:5000/user/7<' in html
    data = client.get("/_inspect/api/match?path=/docs", base_url=base).get_json()
    assert data["host"] == "127.0.0.1:5000"
    assert data["redirect_to"] == "http://127.0.0.1:5000/docs/"


def test_match_page_normalises_a_path_without_a_leading_slash_and_says_so() -> None:
    html = _app().test_client().get("/_inspect/match?path=user/7").get_data(as_text=True)
    assert 'id="request-line">GET localhost/user/7<' in html
    assert "localhostuser/7" not in html
    assert "&#39;user/7&#39; has no leading slash; a browser always sends one" in html
    assert 'id="verdict-status">200<' in html


# -- redirects are not errors --------------------------------------------------------


def test_a_redirect_has_its_own_neutral_tone() -> None:
    html = _app().test_client().get("/_inspect/match?path=/docs").get_data(as_text=True)
    assert 'class="verdict verdict-redirect"' in html
    assert '<span class="tag redirect">adds slash (308)</span>' in html
    css = _app().test_client().get("/_inspect/static/flask_inspect/match.css")
    rules = css.get_data(as_text=True)
    css.close()
    redirect_rules = [line for line in rules.splitlines() if ".verdict-redirect" in line]
    assert redirect_rules
    assert not any("--bad" in line or "--warn" in line for line in redirect_rules)


# -- explained error pages are the app's, not the panel's -------------------------


def test_explained_error_page_is_framed_as_the_apps_own() -> None:
    html = _app().test_client().get("/nope").get_data(as_text=True)
    assert '<strong id="frame-title">Your app\'s 404, explained</strong>' in html
    assert '<a href="/" id="app-home">' in html
    assert 'class="app-error"' in html
    assert 'class="topbar"' not in html  # not the panel's navigation
    assert "your app, explained</title>" in html


# -- HEAD gets GET's status and headers ---------------------------------------------


@pytest.mark.parametrize("path", ["/nope", "/submit", "/user/abc"])
def test_head_gets_the_same_status_and_headers_as_get(path: str) -> None:
    client = _app().test_client()
    got = client.get(path)
    head = client.head(path)
    assert head.status_code == got.status_code
    assert head.get_data() == b""

    def headers(response: t.Any) -> dict[str, str]:
        return {k: v for k, v in response.headers.items() if k != "X-Inspect-Request-Id"}

    assert headers(head) == headers(got)
    assert "Content-Security-Policy" in head.headers
