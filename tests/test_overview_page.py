"""The overview page: where the panel starts."""

from __future__ import annotations

from example_app import create_app


def test_overview_names_the_app_counts_rules_and_links_every_view() -> None:
    app = create_app()
    app.debug = True
    html = app.test_client().get("/_inspect/").get_data(as_text=True)
    rule_count = len(list(app.url_map.iter_rules()))
    assert "<code>example_app.app</code>" in html
    assert f"{rule_count} URL rules" in html
    for view in ("routes", "match", "requests", "contexts"):
        assert f'href="/_inspect/{view}"' in html
