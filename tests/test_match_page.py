"""The ``/_inspect/match`` page, drawn on the server, and the routes page's links to it."""

from __future__ import annotations

import re
import typing as t
from dataclasses import dataclass
from dataclasses import field
from html.parser import HTMLParser
from urllib.parse import parse_qs
from urllib.parse import urlsplit

from flask import Flask

from example_app import create_app
from tests.conftest import make_app


@dataclass
class Row:
    outcome: str
    endpoint: str = ""
    cells: list[tuple[str, str]] = field(default_factory=list)  # (status, text)
    hidden: bool = False


class CandidateRows(HTMLParser):
    """The candidates table as data: each row's outcome and its segment cells."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Row] = []
        self._cell: str | None = None
        self._text = ""
        self._in_endpoint = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "tr" and "candidate" in classes:
            self.rows.append(Row(str(attributes["data-outcome"]), hidden="hidden" in attributes))
        elif tag == "td" and self.rows and "seg" in classes:
            self._cell = next(c[4:] for c in classes if c.startswith("seg-"))
            self._text = ""
        elif tag == "span" and "endpoint" in classes and self.rows:
            self._in_endpoint = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.rows[-1].cells.append((self._cell, self._text.strip()))
            self._cell = None
        if tag == "span":
            self._in_endpoint = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._text += data
        if self._in_endpoint:
            self.rows[-1].endpoint += data


def rows_of(html: str) -> list[Row]:
    parser = CandidateRows()
    parser.feed(html)
    return parser.rows


def _app() -> Flask:
    app = make_app()

    @app.route("/user/<int:id>")
    def user(id: int) -> str:
        return str(id)

    @app.route("/user/<int:id>/posts/<slug>")
    def post(id: int, slug: str) -> str:
        return slug

    @app.route("/files/<path:name>")
    def files(name: str) -> str:
        return name

    return app


def _page(app: Flask, **params: str) -> t.Any:
    return app.test_client().get("/_inspect/match", query_string=params)


def test_match_page_without_a_path_shows_the_form() -> None:
    response = _page(_app())
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="match-form"' in html
    assert 'id="verdict"' not in html


def test_match_page_highlights_the_failing_segment_under_the_url() -> None:
    response = _page(_app(), path="/user/abc")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "404: closest is /user/&lt;int:id&gt;; segment 1: &#39;abc&#39; is not an int" in html
    user = next(row for row in rows_of(html) if row.endpoint == "user")
    assert user.outcome == "converter_rejected"
    assert user.cells[:2] == [("ok", "user"), ("fail", "<int:id>")]
    # The URL's own segments head the columns the rules are drawn under.
    assert re.search(r"segment 1\s*<span class=\"url-text\">abc</span>", html)


def test_match_page_shows_too_short_urls_as_missing_segments() -> None:
    html = _page(_app(), path="/user/7/posts").get_data(as_text=True)
    post = next(row for row in rows_of(html) if row.endpoint == "post")
    assert [status for status, _ in post.cells[:4]] == ["ok", "ok", "ok", "missing"]


def test_match_page_draws_a_path_converter_across_the_rest_of_the_url() -> None:
    html = _page(_app(), path="/files/a/b/c").get_data(as_text=True)
    files = next(row for row in rows_of(html) if row.endpoint == "files")
    assert files.outcome == "matched"
    assert files.cells[:2] == [("ok", "files"), ("ok", "<path:name>")]
    assert 'colspan="3"' in html


def test_match_page_offers_suggestions_that_explain_their_example() -> None:
    html = _page(_app(), path="/usr/3").get_data(as_text=True)
    assert 'id="suggestions"' in html
    link = re.search(r'<a class="example" href="([^"]+)">/user/3</a>', html)
    assert link is not None
    query = parse_qs(urlsplit(link.group(1).replace("&amp;", "&")).query)
    assert query["path"] == ["/user/3"]


def test_match_page_hides_rules_that_part_ways_at_once_unless_asked() -> None:
    app = _app()
    rows = rows_of(_page(app, path="/user/abc").get_data(as_text=True))
    hidden = [row for row in rows if row.hidden]
    assert hidden
    assert all(row.endpoint != "user" for row in hidden)
    assert not any(
        row.hidden for row in rows_of(_page(app, path="/user/abc", all="1").get_data(as_text=True))
    )


def test_match_page_answers_bad_input_with_a_4xx_and_the_reason() -> None:
    app = _app()
    response = _page(app, path="/x", method="GE T")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="match-problem"' in html
    assert "is not an HTTP method" in html
    assert "Traceback" not in html
    assert _page(app, path="/" + "a" * 20_000).status_code == 414


def test_match_page_escapes_what_the_user_typed() -> None:
    html = _page(_app(), path='/<script>alert("x")</script>').get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


def test_match_page_has_no_inline_scripts_or_styles() -> None:
    html = _page(_app(), path="/user/abc").get_data(as_text=True)
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None
    assert " style=" not in html
    assert "<style" not in html


def test_every_routes_row_links_to_the_match_page_with_a_url_that_matches() -> None:
    app = _app()
    client = app.test_client()
    html = client.get("/_inspect/routes").get_data(as_text=True)
    links = re.findall(r'<a class="tag match-link" href="([^"]+)"', html)
    rules = [rule for rule in app.url_map.iter_rules()]
    assert len(links) == len(rules)
    endpoints = set()
    for link in links:
        page = client.get(link.replace("&amp;", "&"))
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert 'id="verdict-status">200<' in text, link
        endpoints.update(re.findall(r"<dd><code>([^<]+)</code> via", text))
    assert endpoints == {rule.endpoint for rule in rules}


def test_match_page_numbers_rules_as_the_routes_page_does() -> None:
    """The same rule has the same # on Routes and on Match; panel rules get none."""
    app = create_app()
    app.debug = True
    client = app.test_client()
    routes_page = client.get("/_inspect/routes").get_data(as_text=True)
    routes_rows = routes_page.split("<tr data-priority")[1:]
    routes_row = next(
        row for row in routes_rows if 'data-text="/user/&lt;int:id&gt; user_by_id' in row
    )
    number = re.search(r'<td class="num[^"]*">(\d+)<', routes_row)
    assert number is not None
    match_page = client.get("/_inspect/match?path=/user/7").get_data(as_text=True)
    rows = match_page.split('<tr class="candidate')[1:]
    user_row = next(row for row in rows if "user_by_id" in row)
    assert re.search(r'<td class="num">(\d+)</td>', user_row).group(1) == number.group(1)  # type: ignore[union-attr]
    panel_rows = [row for row in rows if "flask_inspect." in row.split("</tr>")[0]]
    assert panel_rows
    assert all("one of the panel's own rules" in row for row in panel_rows)


def test_match_page_counts_the_apps_rules_as_the_routes_page_does() -> None:
    """'Rule by rule' gives the app's rules, as Routes does; the panel's own are named apart."""
    app = create_app()
    app.debug = True
    client = app.test_client()
    routes_page = client.get("/_inspect/routes").get_data(as_text=True)
    routes_count = re.search(r'id="route-count"[^>]*>(\d+)<', routes_page)
    assert routes_count is not None
    match_page = client.get("/_inspect/match?path=/user/7").get_data(as_text=True)
    match_count = re.search(r'id="rule-count"[^>]*>(\d+)<', match_page)
    assert match_count is not None
    assert match_count.group(1) == routes_count.group(1)
    panel_rules = sum(
        1 for rule in app.url_map.iter_rules() if rule.endpoint.startswith("flask_inspect.")
    )
    assert panel_rules > 0
    assert int(match_count.group(1)) == len(list(app.url_map.iter_rules())) - panel_rules
    panel_note = re.search(r'id="panel-rule-count">([^<]*)<', match_page)
    assert panel_note is not None
    assert panel_note.group(1).strip() == f"and the panel's own {panel_rules}"
