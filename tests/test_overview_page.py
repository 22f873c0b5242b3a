"""The overview page: where the panel starts."""

from __future__ import annotations

import re

from example_app import create_app


def test_overview_names_the_app_counts_rules_and_links_every_view() -> None:
    app = create_app()
    app.debug = True
    html = app.test_client().get("/_inspect/").get_data(as_text=True)
    rules = list(app.url_map.iter_rules())
    panel_rules = [r for r in rules if str(r.endpoint).startswith("flask_inspect.")]
    assert "<code>example_app.app</code>" in html
    # The app's own rules, counted as Routes counts them; the panel's apart.
    assert f"{len(rules) - len(panel_rules)} URL rules" in html
    assert f"not counting the panel's own {len(panel_rules)} rules" in html
    assert f"{len(app.blueprints) - 1} blueprints" in html
    for view in ("routes", "match", "requests", "contexts"):
        assert f'href="/_inspect/{view}"' in html


def test_overview_and_routes_page_count_the_same_rules() -> None:
    app = create_app()
    app.debug = True
    client = app.test_client()
    overview = client.get("/_inspect/").get_data(as_text=True)
    routes = client.get("/_inspect/routes").get_data(as_text=True)
    match = re.search(r'id="route-count"[^>]*>(\d+)<', routes)
    assert match is not None
    assert f"The app has {match.group(1)} URL rules" in " ".join(overview.split())
