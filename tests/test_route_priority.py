"""The ``priority`` order is the order Werkzeug really matches in (Werkzeug is the oracle).

For generated maps and URLs: among all rules that would accept a URL on their
own, the rule Werkzeug picks is the one ``describe_routes`` ranks first.
"""

from __future__ import annotations

import typing as t
import uuid

from flask import Flask
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map
from werkzeug.routing import RequestRedirect
from werkzeug.routing import Rule

from flask_inspect import describe_routes
from flask_inspect.routes import rules_in_match_order

STATIC_WORDS = ["a", "b", "user", "users", "1", "x1"]
# converter text -> a value the converter accepts when building a URL
CONVERTERS: dict[str, t.Any] = {
    "int": 7,
    "int(min=5, max=50)": 12,
    "float": 1.5,
    "string": "ab",
    "string(length=2)": "xy",
    "any(a, b)": "a",
    "uuid": uuid.UUID(int=5),
    "path": "p/q",
    "": "zz",  # the default converter
}


@st.composite
def rule_texts(draw: st.DrawFn) -> tuple[str, dict[str, t.Any]]:
    """A rule like ``/user/<int:v0>/`` and values that build a URL for it."""
    segments = []
    values: dict[str, t.Any] = {}
    for index in range(draw(st.integers(min_value=1, max_value=3))):
        if draw(st.booleans()):
            segments.append(draw(st.sampled_from(STATIC_WORDS)))
        else:
            converter = draw(st.sampled_from(sorted(CONVERTERS)))
            name = f"v{index}"
            segments.append(f"<{converter}:{name}>" if converter else f"<{name}>")
            values[name] = CONVERTERS[converter]
    trailing = "/" if draw(st.booleans()) else ""
    return "/" + "/".join(segments) + trailing, values


@st.composite
def maps(draw: st.DrawFn) -> list[tuple[str, dict[str, t.Any], bool, str]]:
    """Rules with strictness and an endpoint; endpoints are often shared.

    Werkzeug stores rules grouped by endpoint but matches in the order they
    were added, so shared endpoints are what tell the two orders apart.
    """
    rules = draw(st.lists(rule_texts(), min_size=1, max_size=8, unique_by=lambda r: r[0]))
    return [
        (text, values, draw(st.booleans()), f"e{draw(st.integers(0, 3))}") for text, values in rules
    ]


def _view(**values: t.Any) -> str:
    return ""


def _flask_app(rules: list[tuple[str, dict[str, t.Any], bool, str]]) -> Flask:
    app = Flask(__name__, static_folder=None)
    for text, _, strict, endpoint in rules:
        app.add_url_rule(text, endpoint, _view, strict_slashes=strict)
    return app


def _accepts_alone(rule: Rule, path: str) -> bool:
    """Would this rule, alone in a map, match ``path`` without a redirect?"""
    alone = Map([rule.empty()], strict_slashes=bool(rule.strict_slashes))
    try:
        alone.bind("localhost").match(path, "GET")
    except (HTTPException, RequestRedirect):
        return False
    return True


def _is_trailing_slash_fallback(rule: Rule, path: str) -> bool:
    """A non-strict rule matching ``/x/`` for ``/x`` is Werkzeug's last resort, not a rank."""
    return not rule.strict_slashes and path.endswith("/") and not rule.rule.endswith("/")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(maps(), st.lists(st.sampled_from([*STATIC_WORDS, "7", "ab", "1.5", ""]), max_size=4))
def test_match_priority_agrees_with_werkzeug(
    rules: list[tuple[str, dict[str, t.Any], bool, str]], extra_segments: list[str]
) -> None:
    app = _flask_app(rules)
    adapter = app.url_map.bind("localhost")
    # Rules are unhashable and endpoints shared: key the priorities by rule text.
    priority = {route.rule: route.priority for route in describe_routes(app)}
    urls = {"/" + "/".join(extra_segments)}
    for rule in app.url_map.iter_rules():
        values = next(v for text, v, _, _ in rules if text == rule.rule)
        built = rule.build(values, append_unknown=False)
        assert built is not None, rule.rule
        urls.add(built[1])
    checked = 0
    for url in sorted(urls):
        try:
            winner, _ = adapter.match(url, "GET", return_rule=True)
        except (HTTPException, RequestRedirect):
            continue
        accepting = [
            rule
            for rule in app.url_map.iter_rules()
            if _accepts_alone(rule, url) and not _is_trailing_slash_fallback(rule, url)
        ]
        if _is_trailing_slash_fallback(winner, url):
            continue
        assert winner in accepting
        best = min(accepting, key=lambda rule: priority[rule.rule])
        assert best is winner, (url, [r.rule for r in accepting], winner.rule)
        checked += 1
    # Every rule's own built URL matches something, so the check always ran.
    assert checked >= 1


def test_ties_of_equal_weight_follow_the_order_rules_were_added_not_their_endpoints() -> None:
    """Werkzeug groups rules by endpoint when listing them, but matches ties in add order."""
    app = Flask(__name__, static_folder=None)
    app.add_url_rule("/a/<x>", "first", _view)
    app.add_url_rule("/b/<string(length=2):y>", "second", _view)
    app.add_url_rule("/b/<z>", "third", _view)
    app.add_url_rule("/b/<string(maxlength=3):w>", "first", _view)
    order = [route.rule for route in describe_routes(app)]
    winner, _ = app.url_map.bind("localhost").match("/b/ab", return_rule=True)
    assert winner.rule == "/b/<string(length=2):y>"
    assert order.index(winner.rule) < order.index("/b/<string(maxlength=3):w>")


def test_int_converter_outranks_default_converter_registered_before_it() -> None:
    app = Flask(__name__, static_folder=None)
    app.add_url_rule("/user/<name>", "by_name", lambda name: name)
    app.add_url_rule("/user/<int:id>", "by_id", lambda id: str(id))
    app.add_url_rule("/user/me", "me", lambda: "me")
    order = [route.endpoint for route in describe_routes(app)]
    assert order == ["me", "by_id", "by_name"]
    adapter = app.url_map.bind("localhost")
    assert adapter.match("/user/me")[0] == "me"
    assert adapter.match("/user/5")[0] == "by_id"
    assert adapter.match("/user/ada")[0] == "by_name"


def test_rules_in_match_order_keeps_every_rule_once() -> None:
    app = Flask(__name__)
    app.add_url_rule("/b/<int:x>", "b", lambda x: "")
    app.add_url_rule("/a", "a", lambda: "")
    app.add_url_rule("/built", "built", lambda: "", build_only=True)
    ordered = rules_in_match_order(app.url_map)
    assert sorted(rule.rule for rule in ordered) == sorted(
        rule.rule for rule in app.url_map.iter_rules()
    )
    assert ordered[-1].rule == "/built"


HOSTS = ["a.test", "b.test", "<tenant>.test", "<int:shard>.test"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(rule_texts(), st.sampled_from(HOSTS)),
        min_size=1,
        max_size=8,
        unique_by=lambda item: (item[0][0], item[1]),
    )
)
def test_match_priority_agrees_with_werkzeug_on_host_matching_maps(
    rules: list[tuple[tuple[str, dict[str, t.Any]], str]],
) -> None:
    app = Flask(__name__, host_matching=True, static_host="static.test")
    for index, ((text, _), host) in enumerate(rules):
        app.add_url_rule(text, f"e{index}", lambda **_: "", host=host)
    priority = {route.endpoint: route.priority for route in describe_routes(app)}
    checked = 0
    for index, ((_, values), host) in enumerate(rules):
        host_values: dict[str, t.Any] = {"tenant": "acme"} if "tenant" in host else {}
        host_values.update({"shard": 3} if "shard" in host else {})
        external = app.url_map.bind("x.test").build(
            f"e{index}", {**values, **host_values}, force_external=True
        )
        url_host, _, path = external.removeprefix("http://").partition("/")
        path = "/" + path
        try:
            winner, _ = app.url_map.bind(url_host).match(path, "GET", return_rule=True)
        except (HTTPException, RequestRedirect):
            continue
        accepting = []
        for rule in app.url_map.iter_rules():
            alone = Map([rule.empty()], host_matching=True)
            try:
                alone.bind(url_host).match(path, "GET")
            except (HTTPException, RequestRedirect):
                continue
            accepting.append(rule)
        best = min(accepting, key=lambda rule: priority[str(rule.endpoint)])
        assert best is winner, (url_host, path, [r.rule for r in accepting], winner.rule)
        checked += 1
    assert checked >= 1
