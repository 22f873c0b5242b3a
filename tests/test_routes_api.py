"""``/_inspect/api/routes`` and the routes page, over HTTP."""

from __future__ import annotations

from html.parser import HTMLParser

from flask import Flask

from example_app import create_app
from flask_inspect import describe_routes
from tests.conftest import make_app


def test_api_routes_serves_the_contract_in_match_order() -> None:
    app = create_app()
    app.debug = True
    response = app.test_client().get("/_inspect/api/routes")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    payload = response.json
    assert payload is not None
    routes = payload["routes"]
    assert routes == [route.to_dict() for route in describe_routes(app)]
    assert [route["priority"] for route in routes] == list(range(len(routes)))
    by_endpoint = {route["endpoint"]: route for route in routes}
    assert by_endpoint["user_by_id"]["priority"] < by_endpoint["username"]["priority"]
    assert by_endpoint["calendar_day"]["arguments"][0]["python_type"] == "datetime.date"
    assert by_endpoint["shop.admin.dashboard"]["blueprint"] == "shop.admin"
    assert by_endpoint["items"]["view"]["qualname"] == "ItemsAPI"


SAFE_ATTRIBUTES = {
    "lang",
    "data-theme",
    "charset",
    "name",
    "content",
    "rel",
    "type",
    "href",
    "src",
    "defer",
    "data-prefix",
    "class",
    "aria-label",
    "aria-current",
    "id",
    "role",
    "placeholder",
    "autocomplete",
    "value",
    "title",
    "hidden",
    "data-priority",
    "data-registration",
    "data-number",
    "data-number-all",
    "data-methods",
    "data-panel",
    "data-blueprint",
    "data-converters",
    "data-text",
    "for",
    "data-url-param",
    "data-taking",
    "data-match",
    "aria-live",
}


def _attribute_names(html: str) -> set[str]:
    """Every attribute name in the page: an injected handler would show up here."""
    names: set[str] = set()

    class Collector(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            names.update(name for name, _ in attrs)

    Collector().feed(html)
    return names


def test_routes_page_escapes_hostile_endpoint_names_and_defaults() -> None:
    app = make_app()
    app.add_url_rule(
        "/x/<int:id>",
        "<script>alert(1)</script>",
        lambda id: "",
        defaults={"note": '"><img src=x onerror=alert(2)>', '" onmouseover="alert(3)': 1},
    )
    html = app.test_client().get("/_inspect/routes").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert _attribute_names(html) <= SAFE_ATTRIBUTES


def test_routes_page_shows_converter_types_and_view_locations() -> None:
    app = create_app()
    app.debug = True
    html = app.test_client().get("/_inspect/routes").get_data(as_text=True)
    assert '<span class="type">uuid.UUID</span>' in html
    assert '<span class="type">datetime.date</span>' in html
    assert "example_app/app.py:" in html
    assert "match order" in html


def test_routes_api_handles_an_app_with_no_rules_but_the_panel() -> None:
    app = Flask(__name__, static_folder=None)
    app.debug = True
    from flask_inspect import Inspect

    Inspect(app)
    payload = app.test_client().get("/_inspect/api/routes").json
    assert payload is not None
    assert all(route["blueprint"] == "flask_inspect" for route in payload["routes"])
