"""Route lint: rules that can never match, ties, converters that block a fallback.

Every "never matches" finding is checked against Werkzeug itself: no URL
built for the rule reaches it.
"""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from werkzeug.routing import Rule

from example_app.converters import DateConverter
from flask_inspect import explain
from flask_inspect.route_lint import LintNote
from flask_inspect.route_lint import lint_routes
from flask_inspect.samples import accepted_values
from tests.conftest import make_app
from tests.test_explain_agreement import MapSpec
from tests.test_explain_agreement import build_app
from tests.test_explain_agreement import map_specs
from tests.test_explain_agreement import oracle_adapter
from tests.test_explain_agreement import werkzeug_says
from tests.versions import DUPLICATE_RULES_REFUSED
from tests.versions import FLASK_VERSION
from tests.versions import DuplicateRuleError


def _view(**_: t.Any) -> str:
    return ""


def _notes(app: Flask) -> dict[tuple[str, str], LintNote]:
    return {(note.endpoint, note.kind): note for note in lint_routes(app)}


def _app() -> Flask:
    app = Flask("lint", static_folder=None)
    app.url_map.converters["date"] = DateConverter
    return app


def test_lint_finds_a_duplicate_rule_that_never_matches() -> None:
    app = _app()
    app.add_url_rule("/items/<int:id>", "first", _view)
    if DUPLICATE_RULES_REFUSED:
        # Werkzeug 3.2+ refuses the rule this lint finding is about.
        with pytest.raises(DuplicateRuleError):
            app.add_url_rule("/items/<int(max=5):id>", "second", _view)
        return
    app.add_url_rule("/items/<int(max=5):id>", "second", _view)
    app.add_url_rule("/items/<int:id>", "posting", _view, methods=["POST"])
    notes = _notes(app)
    duplicate = notes[("second", "duplicate")]
    assert duplicate.severity == "bad"
    assert "registered earlier" in duplicate.message
    assert ("posting", "duplicate") not in notes  # POST is its own
    for value in ("1", "5"):
        assert explain(app, f"/items/{value}").endpoint == "first"


def test_lint_finds_a_converter_shadowed_by_an_equal_weight_catch_all() -> None:
    app = _app()
    app.add_url_rule("/calendar/<name>", "named", _view)
    app.add_url_rule("/calendar/<date:day>", "day", _view)
    note = _notes(app)[("day", "shadowed")]
    assert note.severity == "bad"
    assert note.label == "never matches"
    assert "at segment 1" in note.message
    assert explain(app, "/calendar/2026-11-29").endpoint == "named"


def test_lint_reports_equal_weight_ties_decided_by_registration_order() -> None:
    app = _app()
    app.add_url_rule("/t/<any(a, b):x>", "letters", _view)
    app.add_url_rule("/t/<string(maxlength=3):y>", "short", _view)
    tie = _notes(app)[("short", "tie")]
    assert tie.severity == "info"
    assert "registration order decides" in tie.message
    assert explain(app, "/t/a").endpoint == "letters"
    assert explain(app, "/t/abc").endpoint == "short"


def test_lint_warns_when_to_python_can_block_a_fallback() -> None:
    app = _app()
    app.add_url_rule("/calendar/<date:day>", "day", _view)
    app.add_url_rule("/calendar/<name>", "named", _view)
    app.add_url_rule("/page/<int(max=50):n>", "page", _view)
    app.add_url_rule("/page/<slug>", "slug", _view)
    notes = _notes(app)
    date_note = notes[("day", "rejects_before_fallback")]
    assert date_note.severity == "warn"
    assert "never tries /calendar/<name>" in date_note.message
    page_note = notes[("page", "rejects_before_fallback")]
    assert "(for example /page/51)" in page_note.message
    assert explain(app, "/page/51").status == 404  # not /page/<slug>


def test_lint_flags_rules_starting_with_a_double_slash() -> None:
    app = _app()
    app.add_url_rule("//raw", "raw", _view, merge_slashes=False)
    app.add_url_rule("//merged", "merged", _view)
    notes = _notes(app)
    assert notes[("raw", "leading_double_slash")].severity == "bad"
    assert explain(app, "//raw").status == 404
    assert notes[("merged", "leading_double_slash")].severity == "info"
    assert explain(app, "/merged").endpoint == "merged"


def _served_status(app: Flask, host: str) -> int:
    """What the running Flask really answers for ``/`` on ``host``."""
    return app.test_client().get("/", base_url=f"http://{host}/").status_code


@pytest.mark.parametrize("server_name", ["example.com", None])
def test_lint_flags_subdomain_rules_exactly_when_flask_ignores_the_subdomain(
    server_name: str | None,
) -> None:
    app = _app()
    app.config["SERVER_NAME"] = server_name
    app.add_url_rule("/", "api", _view, subdomain="api")
    host = f"api.{server_name or 'localhost'}"
    note = _notes(app).get(("api", "subdomain_ignored"))
    # Flask 3.1 routes every request as the default subdomain without
    # subdomain_matching; Flask 3.0 kept the Host's subdomain when SERVER_NAME
    # was set. The verdict must follow the running Flask, whichever it is.
    flask_ignores_subdomain = FLASK_VERSION >= (3, 1) or server_name is None
    assert (_served_status(app, host) == 404) is flask_ignores_subdomain
    assert (explain(app, "/", host=host).status == 404) is flask_ignores_subdomain
    if flask_ignores_subdomain:
        assert note is not None
        assert note.severity == "bad"
        assert "subdomain_matching=True" in note.message
        assert ("SERVER_NAME is not set" in note.message) is (server_name is None)
    else:
        assert note is None, note


def test_lint_is_quiet_about_a_clean_map() -> None:
    app = _app()
    app.add_url_rule("/", "index", _view)
    app.add_url_rule("/user/<int:id>", "user", _view)
    app.add_url_rule("/user/<name>", "name", _view)
    app.add_url_rule("/user/<int:id>/edit", "edit", _view, methods=["GET", "POST"])
    assert lint_routes(app) == []


def test_routes_command_prints_lint_notes() -> None:
    app = make_app()
    app.url_map.converters["date"] = DateConverter
    app.add_url_rule("/calendar/<name>", "named", _view)
    app.add_url_rule("/calendar/<date:day>", "day", _view)
    result = app.test_cli_runner().invoke(args=["inspect", "routes"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "Lint:" in lines
    assert any(
        line.startswith("  [bad] /calendar/<date:day> (day): never matches") for line in lines
    )
    filtered = app.test_cli_runner().invoke(args=["inspect", "routes", "--filter", "named"])
    assert "Lint:" not in filtered.output


def test_routes_page_shows_lint_notes() -> None:
    app = make_app()
    app.add_url_rule("//raw", "raw", _view, merge_slashes=False)
    app.add_url_rule("/a/<int:x>", "first", _view)
    if DUPLICATE_RULES_REFUSED:  # Werkzeug 3.2+: the duplicate is refused
        with pytest.raises(DuplicateRuleError):
            app.add_url_rule("/a/<int(min=2):x>", "second", _view)
    else:
        app.add_url_rule("/a/<int(min=2):x>", "second", _view)
    html = app.test_client().get("/_inspect/routes").get_data(as_text=True)
    assert 'data-lint="leading_double_slash"' in html
    assert "never matches: Werkzeug strips leading slashes" in html
    assert ('data-lint="duplicate"' in html) is not DUPLICATE_RULES_REFUSED
    assert ("never matches: it has a pattern equal to /a/&lt;int:x&gt;" in html) is not (
        DUPLICATE_RULES_REFUSED
    )


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(spec=map_specs())
def test_rules_linted_as_never_matching_are_never_reached_on_generated_maps(
    spec: MapSpec,
) -> None:
    """Werkzeug is the judge: URLs built for a "never matches" rule go elsewhere."""
    app = build_app(spec)
    rules = list(app.url_map.iter_rules())
    for note in lint_routes(app):
        if note.severity != "bad":
            continue
        rule = rules[note.rule_index]
        for url, host in _urls_for(app, rule):
            adapter = oracle_adapter(app, host, rule.websocket)
            for method in sorted(rule.methods or {"GET"}):
                reached = werkzeug_says(adapter, url, method, rule.websocket)
                assert reached.rule is not rule, (note, url, method)


def _urls_for(app: Flask, rule: Rule) -> list[tuple[str, str]]:
    """URLs (and hosts) built from several sample values for each converter."""
    converters = getattr(rule, "_converters", {})
    samples = {name: accepted_values(conv, limit=3) for name, conv in converters.items()}
    if any(not values for values in samples.values()):
        return []
    urls = []
    for attempt in range(3):
        values = {
            name: found[min(attempt, len(found) - 1)][1]
            for name, found in samples.items()
            if name not in (rule.defaults or {})
        }
        try:
            built = rule.build(values, append_unknown=False)
        except Exception:
            continue
        if built is None:
            continue
        domain, path = built
        host = _host_for(app, domain)
        urls.append((path, host))
    return urls


def _host_for(app: Flask, domain: str) -> str:
    server_name = app.config.get("SERVER_NAME") or "localhost"
    if app.url_map.host_matching:
        return domain or server_name
    return f"{domain}.{server_name}" if domain else server_name


def test_lint_notes_a_rule_that_always_redirects_to_a_twin_with_the_same_defaults() -> None:
    app = _app()
    app.add_url_rule("/", "index", _view, defaults={"page": 1})
    app.add_url_rule("/index", "index", _view, defaults={"page": 1})
    app.add_url_rule("/home", "index", _view, defaults={"page": 1}, methods=["GET", "POST"])
    # Only /p/1 redirects (to /), /p/2 is served: not "always", no note.
    app.add_url_rule("/p/<int:page>", "index", _view)
    notes = {note.rule: note for note in lint_routes(app) if note.kind == "always_redirects"}
    assert sorted(notes) == ["/home", "/index"]
    assert notes["/index"].severity == "warn"
    assert notes["/index"].label == "always redirects"
    assert notes["/index"].message.startswith(
        "every request it matches is redirected (308) to /: both are for endpoint 'index' "
        "with the defaults {'page': 1}"
    )
    assert notes["/home"].message.startswith(
        "every GET, HEAD, OPTIONS request it matches is redirected (308) to /"
    )
    assert "only its other methods reach its view" in notes["/home"].message
    client = app.test_client()
    assert client.get("/index").headers["Location"] == "http://localhost/"
    assert client.get("/home").status_code == 308
    assert client.post("/home").status_code == 200
    assert client.get("/p/2").status_code == 200


def test_no_twin_note_when_the_map_does_not_redirect_defaults() -> None:
    app = _app()
    app.url_map.redirect_defaults = False
    app.add_url_rule("/", "index", _view, defaults={"page": 1})
    app.add_url_rule("/index", "index", _view, defaults={"page": 1})
    assert [n for n in lint_routes(app) if n.kind == "always_redirects"] == []
    assert app.test_client().get("/index").status_code == 200


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(spec=map_specs())
def test_rules_linted_as_always_redirecting_always_redirect_on_generated_maps(
    spec: MapSpec,
) -> None:
    """Werkzeug is the judge: every URL that reaches the rule gets a 308."""
    app = build_app(spec)
    url_map = app.url_map
    rules = list(url_map.iter_rules())
    for note in lint_routes(app):
        if note.kind != "always_redirects":
            continue
        rule = rules[note.rule_index]
        method = "GET" if rule.methods is None or "GET" in rule.methods else "POST"
        for url, host in _urls_for(app, rule):
            adapter = oracle_adapter(app, host, rule.websocket)
            url_map.redirect_defaults = False  # which rule does the URL reach?
            try:
                reached = werkzeug_says(adapter, url, method, rule.websocket)
            finally:
                url_map.redirect_defaults = True
            if reached.rule is rule:
                answer = werkzeug_says(adapter, url, method, rule.websocket)
                assert answer.verdict == "redirect", (note, url, method)
