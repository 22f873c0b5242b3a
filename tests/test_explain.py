"""``explain``: the verdict, each rule's own outcome and reason, the summary, suggestions."""

from __future__ import annotations

import contextlib
import re
import typing as t
import uuid
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.routing import BaseConverter
from werkzeug.routing import Rule

from example_app.converters import DateConverter
from flask_inspect import Explanation
from flask_inspect import explain
from flask_inspect.explain import MAX_PATH_LENGTH
from flask_inspect.explain import ExplainInputError
from flask_inspect.explain import split_target
from tests.versions import DUPLICATE_RULES_REFUSED
from tests.versions import FLASK_VERSION
from tests.versions import DuplicateRuleError


class BrokenConverter(BaseConverter):
    """Raises something other than ValidationError: the app itself would answer 500."""

    regex = r"\d+"

    def to_python(self, value: str) -> int:
        raise ValueError("database is down")


def _view(**_: t.Any) -> str:
    return ""


def make_app(**config: t.Any) -> Flask:
    app = Flask("explain_tests", static_folder=None)
    app.config.update(config)
    app.url_map.converters["date"] = DateConverter
    app.url_map.converters["broken"] = BrokenConverter
    return app


def candidate(explanation: Explanation, rule: str) -> t.Any:
    found = [c for c in explanation.candidates if c.rule == rule]
    assert len(found) == 1, [c.rule for c in explanation.candidates]
    return found[0]


def test_explain_reports_a_match_with_typed_view_args() -> None:
    app = make_app()
    app.add_url_rule("/orders/<uuid:order>/<date:day>/<int:n>", "order", _view)
    key = uuid.UUID(int=5)
    explanation = explain(app, f"/orders/{key}/2026-11-29/7")
    assert explanation.verdict == "matched"
    assert explanation.status == 200
    assert explanation.endpoint == "order"
    assert explanation.rule == "/orders/<uuid:order>/<date:day>/<int:n>"
    assert {name: (arg.repr, arg.type) for name, arg in explanation.view_args.items()} == {
        "order": (repr(key), "uuid.UUID"),
        "day": ("datetime.date(2026, 11, 29)", "datetime.date"),
        "n": ("7", "int"),
    }
    assert candidate(explanation, explanation.rule).outcome == "matched"
    assert explanation.summary.startswith("200: /orders/<uuid:order>/<date:day>/<int:n> matches")


def test_explain_reports_converter_rejection() -> None:
    app = make_app()
    app.add_url_rule("/user/<int:id>", "user", _view)
    explanation = explain(app, "/user/abc")
    assert explanation.verdict == "not_found"
    assert explanation.status == 404
    assert explanation.summary == "404: closest is /user/<int:id>; segment 1: 'abc' is not an int"
    user = candidate(explanation, "/user/<int:id>")
    assert (user.outcome, user.segment) == ("converter_rejected", 1)


def test_explain_reports_static_text_difference() -> None:
    app = make_app()
    app.add_url_rule("/users/<int:id>", "user", _view)
    user = candidate(explain(app, "/user/3"), "/users/<int:id>")
    assert (user.outcome, user.segment) == ("static_mismatch", 0)
    assert user.reason == "expected 'users', got 'user'"


@pytest.mark.parametrize(
    ("rule", "path", "reason"),
    [
        ("/page/<int(max=50):n>", "/page/51", "51 is above max=50"),
        ("/page/<int(min=1):n>", "/page/0", "0 is below min=1"),
        ("/code/<int(fixed_digits=4):n>", "/code/12", "'12' has 2 digits; fixed_digits=4"),
        ("/day/<date:d>", "/day/2026-02-30", "the date converter rejected '2026-02-30'"),
    ],
)
def test_explain_reports_converter_option_rejection(rule: str, path: str, reason: str) -> None:
    app = make_app()
    app.add_url_rule(rule, "e", _view)
    explanation = explain(app, path)
    assert explanation.status == 404
    chosen = candidate(explanation, rule)
    assert chosen.outcome == "validation_error"
    assert chosen.segment == 1
    assert reason in chosen.reason
    assert "no later rule is tried" in chosen.reason


def test_explain_says_werkzeug_stops_after_a_validation_error() -> None:
    app = make_app()
    app.add_url_rule("/calendar/<date:day>", "day", _view)
    app.add_url_rule("/calendar/<name>", "named", _view)
    explanation = explain(app, "/calendar/2026-02-30")
    assert explanation.status == 404  # even though /calendar/<name> would take it
    assert candidate(explanation, "/calendar/<date:day>").outcome == "validation_error"
    later = candidate(explanation, "/calendar/<name>")
    assert later.outcome == "not_tried"
    assert "stopped at /calendar/<date:day>" in later.reason
    assert explanation.summary.startswith("404: /calendar/<date:day> was chosen, but segment 1:")
    assert "/calendar/<name> never got a chance" in explanation.summary


def test_explain_reports_too_few_and_too_many_segments() -> None:
    app = make_app()
    app.add_url_rule("/a/<int:id>/edit", "edit", _view)
    short = candidate(explain(app, "/a/1"), "/a/<int:id>/edit")
    assert (short.outcome, short.segment) == ("too_few_segments", 2)
    long = candidate(explain(app, "/a/1/edit/now"), "/a/<int:id>/edit")
    assert (long.outcome, long.segment) == ("too_many_segments", 3)
    assert "'/now'" in long.reason


def test_explain_reports_strict_slash_redirect() -> None:
    app = make_app()
    app.add_url_rule("/docs/", "docs", _view)
    explanation = explain(app, "/docs")
    assert (explanation.verdict, explanation.status) == ("redirect", 308)
    assert explanation.redirect_to == "http://localhost/docs/"
    docs = candidate(explanation, "/docs/")
    assert (docs.outcome, docs.segment) == ("slash_redirect", 1)
    assert explanation.summary == (
        "308: /docs/ ends with a slash, so Werkzeug redirects to http://localhost/docs/"
    )


def test_explain_reports_unexpected_trailing_slash_and_lenient_rules() -> None:
    app = make_app()
    app.add_url_rule("/strict", "strict", _view)
    app.add_url_rule("/lenient", "lenient", _view, strict_slashes=False)
    strict = candidate(explain(app, "/strict/"), "/strict")
    assert strict.outcome == "unexpected_trailing_slash"
    assert "strict_slashes=False would accept it" in strict.reason
    assert explain(app, "/lenient/").verdict == "matched"


def test_explain_reports_missing_slash_when_the_method_does_not_fit() -> None:
    app = make_app()
    app.add_url_rule("/docs/", "docs", _view)
    explanation = explain(app, "/docs", "POST")
    assert explanation.status == 404  # no redirect for a method the rule refuses
    docs = candidate(explanation, "/docs/")
    assert docs.outcome == "missing_slash"
    assert "does not accept POST" in docs.reason


def test_explain_reports_merge_slashes_redirect_and_rules_that_refuse_merging() -> None:
    app = make_app()
    app.add_url_rule("/a/b", "merged", _view)
    explanation = explain(app, "/a//b")
    assert explanation.redirect_to == "http://localhost/a/b"
    assert candidate(explanation, "/a/b").outcome == "merge_slashes_redirect"

    strict_app = make_app()
    strict_app.add_url_rule("/a/b", "unmerged", _view, merge_slashes=False)
    refused = explain(strict_app, "/a//b")
    assert refused.status == 404
    assert candidate(refused, "/a/b").outcome == "slashes_not_merged"
    assert "merge_slashes=False" in refused.summary


def test_explain_reports_defaults_redirect() -> None:
    app = make_app()
    app.add_url_rule("/blog/", "blog", _view, defaults={"page": 1})
    app.add_url_rule("/blog/page/<int:page>", "blog", _view)
    explanation = explain(app, "/blog/page/1")
    assert explanation.redirect_to == "http://localhost/blog/"
    long = candidate(explanation, "/blog/page/<int:page>")
    assert long.outcome == "defaults_redirect"
    assert "/blog/ gives the same values by default" in long.reason
    assert explain(app, "/blog/page/2").verdict == "matched"


def test_explain_reports_redirect_to() -> None:
    app = make_app()
    app.url_map.add(Rule("/old/<int:id>", endpoint="old", redirect_to="new/<id>"))
    explanation = explain(app, "/old/4")
    assert explanation.redirect_to == "http://localhost/new/4"
    assert candidate(explanation, "/old/<int:id>").outcome == "redirect_to"
    assert (
        explanation.summary
        == "308: /old/<int:id> redirects (redirect_to) to http://localhost/new/4"
    )


def test_explain_reports_method_not_allowed_with_the_allowed_set() -> None:
    app = make_app()
    app.add_url_rule("/submit", "submit", _view, methods=["POST"])
    app.add_url_rule("/submit", "replace", _view, methods=["PUT"])
    explanation = explain(app, "/submit", "get")
    assert explanation.method == "GET"
    assert (explanation.verdict, explanation.status) == ("method_not_allowed", 405)
    assert explanation.allowed_methods == ["OPTIONS", "POST", "PUT"]
    assert all(c.outcome == "method_not_allowed" for c in explanation.candidates)
    assert explanation.summary == "405: /submit allows OPTIONS, POST, PUT, not GET"


def test_explain_reports_websocket_mismatch() -> None:
    app = make_app()
    app.add_url_rule("/ws", "ws", _view, websocket=True)
    explanation = explain(app, "/ws")
    assert (explanation.verdict, explanation.status) == ("websocket_mismatch", 400)
    assert candidate(explanation, "/ws").outcome == "websocket_mismatch"
    assert explanation.summary == "400: /ws accepts only WebSocket requests"
    assert explain(app, "/ws", websocket=True).verdict == "matched"


def test_explain_reports_subdomain_mismatch() -> None:
    app = make_app(SERVER_NAME="example.com")
    app.subdomain_matching = True
    app.add_url_rule("/", "api_home", _view, subdomain="api")
    missed = explain(app, "/")
    assert missed.host == "example.com"
    home = candidate(missed, "/")
    assert home.outcome == "host_mismatch"
    assert home.segment is None
    assert "needs subdomain 'api'" in home.reason
    assert explain(app, "/", host="api.example.com").verdict == "matched"


def test_explain_reports_host_mismatch_with_host_matching() -> None:
    app = Flask("hosts", host_matching=True, static_folder=None)
    app.add_url_rule("/", "shop", _view, host="shop.example.com")
    missed = candidate(explain(app, "/", host="blog.example.com"), "/")
    assert missed.outcome == "host_mismatch"
    assert "'shop.example.com'" in missed.reason
    assert explain(app, "/", host="shop.example.com").endpoint == "shop"


def test_explain_host_defaults_to_server_name_else_localhost() -> None:
    assert explain(make_app(), "/").host == "localhost"
    assert explain(make_app(SERVER_NAME="example.com:8000"), "/").host == "example.com:8000"


@pytest.mark.parametrize(
    ("rules", "path", "loser", "why"),
    [
        (
            ["/user/<name>", "/user/<int:id>"],
            "/user/7",
            "/user/<name>",
            "converters are tried by weight",
        ),
        (["/p/<name>", "/p/about"], "/p/about", "/p/<name>", "static text 'about' is tried before"),
        (["/t/<x>", "/t/<y>"], "/t/a", "/t/<y>", "the same pattern and was registered first"),
        (
            ["/c/<any(a, b):x>", "/c/<string(length=1):y>"],
            "/c/a",
            "/c/<string(length=1):y>",
            "weigh the same, so registration order decides",
        ),
    ],
)
def test_explain_explains_why_a_rule_is_shadowed(
    rules: list[str], path: str, loser: str, why: str
) -> None:
    app = make_app()
    for index, rule in enumerate(rules):
        if DUPLICATE_RULES_REFUSED and rule == loser and "same pattern" in why:
            # Werkzeug 3.2+ refuses the duplicate, so it can never be shadowed.
            with pytest.raises(DuplicateRuleError):
                app.add_url_rule(rule, f"e{index}", _view)
            return
        app.add_url_rule(rule, f"e{index}", _view)
    explanation = explain(app, path)
    assert explanation.verdict == "matched"
    shadowed = candidate(explanation, loser)
    assert shadowed.outcome == "shadowed"
    assert f"but {explanation.rule} wins" in shadowed.reason
    assert why in shadowed.reason


def test_explain_lists_build_only_rules_last() -> None:
    app = make_app()
    app.url_map.add(Rule("/cdn/<path:file>", endpoint="cdn", build_only=True))
    app.add_url_rule("/cdn/<path:file>", "files", _view)
    explanation = explain(app, "/cdn/a.css")
    assert explanation.endpoint == "files"
    assert [c.outcome for c in explanation.candidates] == ["matched", "build_only"]


def test_explain_suggests_the_closest_rules_with_examples_built_like_url_for() -> None:
    app = make_app()
    app.add_url_rule("/users/<int:id>/edit", "edit", _view)
    app.add_url_rule("/users/<name>", "profile", _view)
    app.add_url_rule("/reports/<int(min=10):year>", "reports", _view)
    explanation = explain(app, "/user/7/edit")
    assert explanation.suggestions[0].rule == "/users/<int:id>/edit"
    # The user's own value is kept where the converter takes it.
    assert explanation.suggestions[0].example == "/users/7/edit"
    assert explanation.summary == (
        "404: closest is /users/<int:id>/edit; segment 0: expected 'users', got 'user'"
    )
    with app.test_request_context():
        from flask import url_for

        assert url_for("edit", id=7) == explanation.suggestions[0].example
    reports = explain(app, "/report/abc")
    assert reports.suggestions[0].example == "/reports/10"  # a value min=10 accepts


def test_explain_offers_no_suggestion_when_nothing_is_close() -> None:
    app = make_app()
    app.add_url_rule("/users/<int:id>", "user", _view)
    explanation = explain(app, "/completely/unrelated/place")
    assert explanation.suggestions == []
    assert explanation.summary == "404: no rule matches; nothing starts like this URL"


def test_explain_reports_a_crashing_converter_as_the_500_the_app_would_give() -> None:
    app = make_app()
    app.add_url_rule("/n/<broken:n>", "n", _view)
    explanation = explain(app, "/n/5")
    assert (explanation.verdict, explanation.status) == ("error", 500)
    assert candidate(explanation, "/n/<broken:n>").outcome == "converter_error"
    assert "raised ValueError: 'database is down'" in explanation.summary


def test_explanation_to_dict_has_exactly_the_contract_keys() -> None:
    app = make_app()
    app.add_url_rule("/user/<int:id>", "user", _view)
    data = explain(app, "/user/5").to_dict()
    assert list(data) == [
        "path",
        "method",
        "host",
        "verdict",
        "status",
        "endpoint",
        "rule",
        "view_args",
        "redirect_to",
        "allowed_methods",
        "summary",
        "candidates",
        "suggestions",
    ]
    assert data["view_args"] == {"id": {"repr": "5", "type": "int"}}
    assert set(data["candidates"][0]) == {"rule", "endpoint", "outcome", "reason", "segment"}
    missed = explain(app, "/usr/5").to_dict()
    assert set(missed["suggestions"][0]) == {"rule", "endpoint", "example"}


@pytest.mark.parametrize(
    ("kwargs", "error", "status"),
    [
        ({"path": "/" + "a" * 20_000}, "path_too_long", 414),
        ({"path": "/a\x00b"}, "invalid_path", 400),
        ({"path": "/a", "method": "GE T"}, "invalid_method", 400),
        ({"path": "/a", "method": ""}, "invalid_method", 400),
        ({"path": "/a", "host": "bad host"}, "invalid_host", 400),
        ({"path": "/a", "host": "user@evil.com"}, "invalid_host", 400),
        ({"path": "/a", "host": "x/y"}, "invalid_host", 400),
    ],
)
def test_explain_rejects_input_no_client_could_send(
    kwargs: dict[str, t.Any], error: str, status: int
) -> None:
    app = make_app()
    app.add_url_rule("/a", "a", _view)
    with pytest.raises(ExplainInputError) as raised:
        explain(app, **kwargs)
    assert raised.value.error == error
    assert raised.value.status == status
    assert raised.value.detail


def test_explain_accepts_a_path_at_the_length_limit() -> None:
    app = make_app()
    app.add_url_rule("/<path:rest>", "rest", _view)
    path = "/" + "a" * (MAX_PATH_LENGTH - 1)
    assert explain(app, path).verdict == "matched"


def test_split_target_reads_paths_and_full_urls() -> None:
    assert split_target("/a%20b?x=1#top") == ("/a b", None)
    assert split_target("http://Example.com:5000/user/7?q") == ("/user/7", "Example.com:5000")
    assert split_target("https://example.com") == ("/", "example.com")


def test_explain_leaves_re_cache_as_werkzeugs_own_matching_would() -> None:
    """The diagnosis uses its own compiled patterns: explaining a URL puts into
    ``re``'s cache exactly what the app's own matching of that URL puts there."""
    app = make_app()
    for index in range(40):
        app.add_url_rule(f"/r{index}/<string(length={index + 1}):v>/<int:n>", f"e{index}", _view)
    adapter = app.url_map.bind("localhost", subdomain="")
    cache: dict[t.Any, t.Any] = re._cache  # type: ignore[attr-defined]
    for path in ("/r3/abcd/1", "/r3/abc/1/extra", "/r50/x/1", "/r7/" + "x" * 8 + "/zz"):
        explain(app, path)  # warm our own caches first
        re.purge()
        with contextlib.suppress(Exception):  # a 404 is as good as a match here
            adapter.match(path)
        by_the_app = set(cache)
        re.purge()
        explain(app, path)
        assert set(cache) == by_the_app, path


def test_an_example_url_is_offered_only_when_flask_routes_it_to_its_rule() -> None:
    # Flask 3.0 bound every request of a host-matching app with SERVER_NAME to
    # that name, so a rule for another host was unreachable; 3.1 routes by Host.
    app = Flask("hosts", static_folder=None, host_matching=True)
    app.config["SERVER_NAME"] = "example.com"
    app.add_url_rule("/report/<int:year>", "report", _view, host="api.example.com")
    explanation = explain(app, "/reprt/2024", host="api.example.com")
    assert explanation.verdict == "not_found"
    offered = [s for s in explanation.suggestions if s.endpoint == "report"]
    served = app.test_client().get("/report/2024", base_url="http://api.example.com/")
    assert (served.status_code == 200) is (FLASK_VERSION >= (3, 1))
    if served.status_code == 200:
        (suggestion,) = offered
        assert suggestion.example is not None
        parts = urlsplit(suggestion.example)
        reached = app.test_client().get(
            parts.path, base_url=f"http://{parts.netloc or 'api.example.com'}/"
        )
        assert reached.status_code == 200
    else:  # never an example URL that Flask would not route to the rule
        assert [s.example for s in offered if s.example is not None] == []
