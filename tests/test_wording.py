"""Wording the panel gets right: each sentence says what really happened."""

from __future__ import annotations

import html as html_module
import re

from flask import Flask

from example_app import create_app
from flask_inspect import explain
from flask_inspect.durations import format_duration
from flask_inspect.timeline import event_notes
from tests.conftest import make_app
from tests.test_recorder import recording_app
from tests.test_requests_pages import detail_page


def _started_note(page: str) -> str:
    row = re.search(r"<code>request_started</code></td><td[^>]*>([^<]*)</td>", page)
    assert row is not None, "no request_started row in the events table"
    return html_module.unescape(row.group(1))


def test_a_404_records_timeline_does_not_say_the_url_matched() -> None:
    _, page = detail_page(recording_app(), "/no/such/page")
    note = _started_note(page)
    assert "matched" not in note
    assert "no rule took the URL" in note
    assert "NotFound" in note


def test_a_405_and_a_slash_redirect_name_their_routing_exception() -> None:
    app = recording_app()
    _, page = detail_page(app, "/json", method="POST")
    assert "MethodNotAllowed" in _started_note(page)
    _, page = detail_page(app, "/docs")
    assert "RequestRedirect" in _started_note(page)


def test_a_matched_records_timeline_names_the_endpoint_it_matched() -> None:
    _, page = detail_page(recording_app(), "/shop/item/3")
    assert _started_note(page).startswith("the request context is pushed and the URL matched")
    assert "'shop.item'" in _started_note(page)


def test_event_notes_without_a_verdict_claim_no_match() -> None:
    note = event_notes(None, None)["request_started"]
    assert "matched" not in note


def _two_rules_app() -> Flask:
    app = make_app()
    app.add_url_rule("/item/<int:id>", "by_id", lambda id: "", methods=["GET"])
    app.add_url_rule("/item/<name>", "by_name", lambda name: "", methods=["POST"])
    app.add_url_rule("/ws/<int:id>", "ws_id", lambda id: "", websocket=True)
    app.add_url_rule("/ws/<name>", "ws_name", lambda name: "", websocket=True)
    return app


def test_verbs_agree_with_one_rule_or_several() -> None:
    app = _two_rules_app()
    several = explain(app, "/item/5", "PUT").summary
    assert "/item/<int:id> and /item/<name> allow " in several
    one = explain(app, "/item/x", "PUT").summary
    assert "/item/<name> allows " in one
    assert "/ws/<int:id> and /ws/<name> accept only WebSocket" in explain(app, "/ws/5").summary
    assert "/ws/<name> accepts only WebSocket" in explain(app, "/ws/x").summary


def test_routes_filters_label_no_choice_apart_from_the_any_converter() -> None:
    app = create_app()
    app.debug = True
    page = app.test_client().get("/_inspect/routes").get_data(as_text=True)
    converter = re.search(r'<select id="filter-converter"[^>]*>(.*?)</select>', page, re.S)
    assert converter is not None
    labels = re.findall(r"<option[^>]*>([^<]*)</option>", converter.group(1))
    assert "any" in labels  # the example app's <any(en, fr, de):code>
    assert len(labels) == len(set(labels)), labels
    assert labels[0] == "all"


def test_routes_page_numbers_the_listed_rules_from_1_without_gaps() -> None:
    app = create_app()
    app.debug = True
    page = app.test_client().get("/_inspect/routes").get_data(as_text=True)
    rows = []
    for row in page.split("<tr data-priority")[1:]:
        number = re.search(r'<td class="num[^"]*">(\d+)<', row)
        assert number is not None
        rows.append(('data-panel="1"' in row.split(">", 1)[0], number.group(1)))
    app_numbers = [int(number) for panel, number in rows if not panel]
    panel_numbers = [int(number) for panel, number in rows if panel]
    assert app_numbers == list(range(1, len(app_numbers) + 1))
    panel_rule_count = sum(
        1 for rule in app.url_map.iter_rules() if rule.endpoint.startswith("flask_inspect.")
    )
    assert len(panel_numbers) == panel_rule_count
    count = re.search(r'id="route-count"[^>]*>(\d+)<', page)
    assert count is not None
    assert int(count.group(1)) == len(app_numbers)
    assert f"the panel's own {panel_rule_count} rules" in page
    assert "among the rules listed, 1 first" in page


def test_one_duration_format_changes_unit_where_the_rounded_value_would() -> None:
    assert format_duration(0.058) == "0.06 ms"
    assert format_duration(9.994) == "9.99 ms"
    assert format_duration(9.996) == "10.0 ms"
    assert format_duration(412.26) == "412.3 ms"
    assert format_duration(999.96) == "1.0 s"
    assert format_duration(6200) == "6.2 s"
    assert format_duration(59_951) == "1 min 0 s"
    assert format_duration(125_000) == "2 min 5 s"


def test_a_404s_timeline_diagram_says_no_view_ran() -> None:
    _, page = detail_page(recording_app(), "/no/such/page")
    assert "before_request, NotFound handled (no view ran), after_request" in page
    assert "before_request, view, after_request" not in page
    _, page = detail_page(recording_app(), "/shop/item/3")
    assert "before_request, view, after_request" in page


def test_every_filter_names_its_empty_choice_the_same() -> None:
    app = create_app()
    app.debug = True
    client = app.test_client()
    for url in ("/_inspect/routes", "/_inspect/requests"):
        page = client.get(url).get_data(as_text=True)
        blanks = re.findall(
            r'<select id="filter-[a-z]+"[^>]*><option value="">([^<]*)</option>', page
        )
        assert len(blanks) >= 3, url
        assert set(blanks) == {"all"}, (url, blanks)
