"""``explain`` agrees with Werkzeug on generated maps and requests (Werkzeug is the oracle).

Maps mix every built-in converter and its options, custom converters (one
whose ``to_python`` raises ``ValidationError``, one that raises ``NotFound``,
which Werkzeug lets through untouched), strict and lenient slashes,
trailing slashes, method sets, websocket rules, defaults pairs on one
endpoint, aliases, ``redirect_to``, ``merge_slashes`` both ways, subdomain
matching and host matching. Requests take valid and wrong values, doubled,
missing and extra slashes, dropped and extra segments, every method, and the
websocket flag, to apps mounted under a prefix (``SCRIPT_NAME``), also
requested without the slash after it (an empty ``PATH_INFO``). Each map is
asked several requests, so a run checks thousands of cases.

Three things are checked per request: the verdict fields equal Werkzeug's
own ``MapAdapter.match`` (bound independently here); our own retelling of the
matcher (``match_decision``) reaches the same decision; and the per-rule
candidates are consistent with it (one matched rule when it matched, the
405's methods come from rules that said "method not allowed", every example
URL really reaches its rule); and the engine never logs that its reading of the
matcher differs from Werkzeug's. A smaller run sends the same requests through
the real app and compares with the responses.
"""

from __future__ import annotations

import json
import logging
import typing as t
from dataclasses import dataclass
from dataclasses import field
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask import request
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter
from werkzeug.routing import MapAdapter
from werkzeug.routing import RequestRedirect
from werkzeug.routing import Rule
from werkzeug.routing import ValidationError
from werkzeug.routing import WebsocketMismatch
from werkzeug.test import EnvironBuilder
from werkzeug.test import run_wsgi_app
from werkzeug.urls import iri_to_uri

from flask_inspect import explain
from flask_inspect.diagnose import METHOD_NOT_ALLOWED
from flask_inspect.diagnose import OUTCOMES
from flask_inspect.explain import Explanation
from flask_inspect.explain import type_name
from flask_inspect.match_decision import decide
from flask_inspect.url_trie import url_trie
from tests.versions import FLASK_VERSION
from tests.versions import WERKZEUG_VERSION
from tests.versions import DuplicateRuleError


class EvenConverter(BaseConverter):
    """Digits whose ``to_python`` refuses odd numbers: a ValidationError after the regex."""

    regex = r"\d+"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number % 2:
            raise ValidationError(f"{number} is odd")
        return number

    def to_url(self, value: t.Any) -> str:
        return str(value)


class HexColorConverter(BaseConverter):
    regex = r"[0-9a-f]{3}"


class KnownNameConverter(BaseConverter):
    """A lookup in ``to_python`` that raises ``NotFound`` for unknown names.

    Werkzeug's matcher catches only ``ValidationError``: the ``NotFound``
    leaves ``MapAdapter.match`` as it is, so the verdict is a 404 and no
    later rule is tried (and no 405 either).
    """

    regex = r"[a-z]+"
    known = frozenset({"a", "ab", "users"})

    def to_python(self, value: str) -> str:
        if value not in self.known:
            raise NotFound()
        return value


CUSTOM_CONVERTERS: dict[str, type[BaseConverter]] = {
    "even": EvenConverter,
    "hexcolor": HexColorConverter,
    "known": KnownNameConverter,
}

STATIC_WORDS = ("a", "b", "user", "users", "docs", "x1", "file-3")
CONVERTER_SLOTS = (
    "int",
    "int(min=3)",
    "int(max=50)",
    "int(min=1, max=9)",
    "int(signed=True)",
    "int(fixed_digits=2)",
    "float",
    "float(min=0.5, max=9.5)",
    "float(signed=True)",
    "",
    "string(minlength=2)",
    "string(maxlength=3)",
    "string(length=2)",
    "any(a, b, users)",
    "uuid",
    "even",
    "hexcolor",
    "known",
)
# Text for converter slots in requests: right for some converters, wrong for others.
VALUES = (
    "0",
    "1",
    "2",
    "7",
    "42",
    "51",
    "07",
    "007",
    "-3",
    "1.5",
    "0.25",
    "-2.5",
    "abc",
    "ab",
    "a",
    "users",
    "user",
    "fff",
    "ggg",
    "12345678-1234-5678-1234-567812345678",
    "file-3",
    "file-x",
)
PATH_VALUES = ("a/b", "x", "a/b/c", "docs/")
# Values on the edge of each converter's options, so to_python gets to say no.
EDGE_VALUES = {
    "int(min=3)": ("2", "3"),
    "int(max=50)": ("50", "51"),
    "int(min=1, max=9)": ("0", "5", "10"),
    "int(fixed_digits=2)": ("7", "07", "123"),
    "float(min=0.5, max=9.5)": ("0.25", "9.75", "1.5"),
    "even": ("7", "8"),
    "known": ("ab", "abc", "user"),
}
METHODS = ("GET", "GET", "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH")
SERVER_NAME = "example.com"
# Where a generated app is mounted ("" is the server's root).
SCRIPT_NAMES = ("", "", "", "/app", "/my app/sub")


@dataclass
class RuleSpec:
    segments: list[tuple[str, str]]  # ("static", word) | ("conv", converter) | ("path", "")
    trailing_slash: bool
    endpoint: str
    options: dict[str, t.Any] = field(default_factory=dict)
    via_map: bool = False  # added with url_map.add (methods=None allowed)

    def text(self) -> str:
        pieces = []
        for index, (kind, value) in enumerate(self.segments):
            if kind == "static":
                pieces.append(value)
            elif kind == "path":
                pieces.append(f"<path:v{index}>")
            elif kind == "mixed":
                pieces.append(f"file-<int:v{index}>")
            else:
                pieces.append(f"<{value}:v{index}>" if value else f"<v{index}>")
        text = "/" + "/".join(pieces) + ("/" if self.trailing_slash else "")
        return "/" + text if self.options.get("_leading_double") else text


@dataclass
class MapSpec:
    mode: str  # "plain" | "subdomain" | "host"
    rules: list[RuleSpec]
    merge_slashes: bool
    strict_slashes: bool
    redirect_defaults: bool
    server_name: bool


@st.composite
def segment_lists(draw: st.DrawFn) -> list[tuple[str, str]]:
    count = draw(st.integers(min_value=0, max_value=3))
    segments: list[tuple[str, str]] = []
    for index in range(count):
        kind = draw(st.sampled_from(("static", "static", "conv", "conv", "path", "mixed")))
        if kind == "path" and index != count - 1 and not draw(st.booleans()):
            kind = "conv"
        if kind == "static":
            segments.append(("static", draw(st.sampled_from(STATIC_WORDS))))
        elif kind == "conv":
            segments.append(("conv", draw(st.sampled_from(CONVERTER_SLOTS))))
        else:
            segments.append((kind, ""))
    return segments


@st.composite
def rule_specs(draw: st.DrawFn, index: int, mode: str) -> list[RuleSpec]:
    segments = draw(segment_lists())
    options: dict[str, t.Any] = {}
    methods = draw(
        st.sampled_from(
            (None, None, ["GET"], ["POST"], ["GET", "POST"], ["PUT"], ["DELETE", "GET"], "all")
        )
    )
    via_map = methods == "all"
    if methods not in (None, "all"):
        options["methods"] = methods
    strict = draw(st.sampled_from((None, None, True, False)))
    if strict is not None:
        options["strict_slashes"] = strict
    if draw(st.integers(0, 4)) == 0:
        options["merge_slashes"] = False
    if draw(st.integers(0, 5)) == 0:
        options["redirect_to"] = draw(st.sampled_from(("/a", "users/target", "callable")))
    if draw(st.integers(0, 11)) == 0:
        options["websocket"] = True
        options["methods"] = ["GET"]
    if draw(st.integers(0, 15)) == 0:
        options["_leading_double"] = True
    if mode == "subdomain":
        options["subdomain"] = draw(st.sampled_from(("", "", "api", "<sub>")))
    elif mode == "host":
        options["host"] = draw(
            st.sampled_from((SERVER_NAME, SERVER_NAME, "api.example.com", "<h>.example.com"))
        )
    endpoint = f"e{index}"
    rule = RuleSpec(segments, draw(st.booleans()), endpoint, options, via_map)
    extra = draw(st.integers(0, 8))
    if extra == 2:
        # Twins: one endpoint, the same defaults; the later one always redirects.
        first = RuleSpec(
            [("static", "start")],
            False,
            endpoint,
            {"defaults": {"v9": 1}, **_domain_options(options)},
        )
        second = RuleSpec(
            [("static", "begin")],
            draw(st.booleans()),
            endpoint,
            {"defaults": {"v9": 1}, **_domain_options(options)},
        )
        return [first, second]
    if extra == 0:
        # A defaults pair on one endpoint: /blog/ means /blog/page/1.
        short = RuleSpec(
            [("static", "blog")],
            True,
            endpoint,
            {"defaults": {"v1": 1}, **_domain_options(options)},
        )
        long = RuleSpec(
            [("static", "blog"), ("conv", "int")], False, endpoint, _domain_options(options)
        )
        return [short, long]
    if extra == 1:
        # An alias and its canonical rule.
        canonical = RuleSpec(
            [("static", "canon"), ("conv", "int")], False, endpoint, _domain_options(options)
        )
        alias = RuleSpec(
            [("static", "alias"), ("conv", "int")],
            False,
            endpoint,
            {"alias": True, **_domain_options(options)},
        )
        return [canonical, alias]
    return [rule]


def _domain_options(options: dict[str, t.Any]) -> dict[str, t.Any]:
    return {key: options[key] for key in ("subdomain", "host") if key in options}


@st.composite
def map_specs(draw: st.DrawFn) -> MapSpec:
    mode = draw(st.sampled_from(("plain", "plain", "plain", "subdomain", "host")))
    rules: list[RuleSpec] = []
    for index in range(draw(st.integers(min_value=1, max_value=9))):
        rules.extend(draw(rule_specs(index, mode)))
    if draw(st.booleans()):
        # Siblings: several converters competing for the same segment, so
        # weights, ties, shadowing and to_python refusals meet.
        word = draw(st.sampled_from(STATIC_WORDS))
        slots = draw(st.lists(st.sampled_from(CONVERTER_SLOTS), min_size=2, max_size=4))
        if draw(st.integers(0, 2)) == 0:
            slots.insert(0, "")  # a catch-all first: it takes every equal-weight value
        for offset, slot in enumerate(slots):
            rules.append(
                RuleSpec(
                    [("static", word), ("conv", slot)],
                    draw(st.booleans()),
                    f"s{offset}",
                    {"host": SERVER_NAME} if mode == "host" else {},
                )
            )
    return MapSpec(
        mode=mode,
        rules=rules,
        merge_slashes=draw(st.sampled_from((True, True, False))),
        strict_slashes=draw(st.sampled_from((True, True, False))),
        redirect_defaults=draw(st.sampled_from((True, True, False))),
        server_name=mode == "subdomain" or draw(st.booleans()),
    )


def _view(**values: t.Any) -> t.Any:
    rule = request.url_rule
    return {
        "rule": rule.rule if rule else None,
        "view_args": {name: [repr(v), type_name(v)] for name, v in values.items()},
    }


def _redirect_function(adapter: MapAdapter, **values: t.Any) -> str:
    return "/called"


def build_app(spec: MapSpec) -> Flask:
    app = Flask(
        "generated",
        static_folder=None,
        host_matching=spec.mode == "host",
        subdomain_matching=spec.mode == "subdomain",
    )
    app.config["TESTING"] = False
    if spec.server_name:
        app.config["SERVER_NAME"] = SERVER_NAME
    app.url_map.converters.update(CUSTOM_CONVERTERS)
    app.url_map.merge_slashes = spec.merge_slashes
    app.url_map.strict_slashes = spec.strict_slashes
    app.url_map.redirect_defaults = spec.redirect_defaults
    for rule in spec.rules:
        options = dict(rule.options)
        text = rule.text()
        options.pop("_leading_double", None)
        if options.get("redirect_to") == "callable":
            options["redirect_to"] = _redirect_function
        if options.get("redirect_to") == "users/target":
            names = [f"v{i}" for i, (kind, _) in enumerate(rule.segments) if kind != "static"]
            options["redirect_to"] = "users/" + "/".join(f"<{name}>" for name in names)
        try:
            if rule.via_map:
                app.url_map.add(Rule(text, endpoint=rule.endpoint, **options))
                app.view_functions.setdefault(rule.endpoint, _view)
            else:
                app.add_url_rule(text, rule.endpoint, _view, **options)
        except (ValueError, AssertionError, DuplicateRuleError):
            continue  # e.g. a rule Werkzeug itself refuses (3.2+: a duplicate)
    return app


@dataclass
class RequestSpec:
    path: str
    method: str
    host: str
    websocket: bool
    script_name: str = ""


@st.composite
def request_specs(draw: st.DrawFn, spec: MapSpec) -> RequestSpec:
    rule = draw(st.sampled_from(spec.rules))
    segments: list[str] = []
    for kind, value in rule.segments:
        if kind == "static":
            typo = draw(st.integers(0, 5)) == 0
            segments.append(draw(st.sampled_from(STATIC_WORDS)) if typo else value)
        elif kind == "path":
            segments.append(draw(st.sampled_from(PATH_VALUES + VALUES)))
        elif kind == "mixed":
            segments.append(draw(st.sampled_from(("file-3", "file-x", "file-", "x"))))
        elif value in EDGE_VALUES and draw(st.booleans()):
            segments.append(draw(st.sampled_from(EDGE_VALUES[value])))
        else:
            segments.append(draw(st.sampled_from(VALUES)))
    if rule.segments[:1] == [("static", "blog")]:
        segments = ["blog", *draw(st.sampled_from(([], ["page", "1"], ["page", "2"], ["1"])))]
    mutation = draw(st.integers(0, 7))
    if mutation == 0 and segments:
        segments.pop(draw(st.integers(0, len(segments) - 1)))
    elif mutation == 1:
        segments.insert(draw(st.integers(0, len(segments))), "")
    elif mutation == 2:
        segments.append(draw(st.sampled_from(STATIC_WORDS + VALUES)))
    trailing = rule.trailing_slash
    if draw(st.integers(0, 3)) == 0:
        trailing = not trailing
    path = "/" + "/".join(segments) + ("/" if trailing and segments else "")
    if draw(st.integers(0, 12)) == 0:
        path = "/" + path
    if draw(st.integers(0, 30)) == 0:
        path = path.lstrip("/")
    if spec.mode == "host":
        hosts: tuple[str, ...] = (SERVER_NAME, "api.example.com", "x.example.com", "localhost")
    elif spec.mode == "subdomain":
        hosts = (SERVER_NAME, "api.example.com", "x.example.com", "other.org")
    else:
        hosts = ("localhost", SERVER_NAME)
    method = draw(st.sampled_from(METHODS))
    websocket = draw(st.integers(0, 7)) == 0 and method in ("GET", "HEAD", "OPTIONS")
    script_name = draw(st.sampled_from(SCRIPT_NAMES))
    if script_name and draw(st.integers(0, 5)) == 0:
        path = ""  # the mount point itself, without its slash
    return RequestSpec(path, method, draw(st.sampled_from(hosts)), websocket, script_name)


def oracle_adapter(app: Flask, host: str, websocket: bool, script_name: str = "") -> MapAdapter:
    """Bind the map the way Flask binds a request to ``host`` (written out here)."""
    url_map = app.url_map
    scheme = "ws" if websocket else "http"
    server_name = app.config["SERVER_NAME"]
    if url_map.host_matching:
        # Flask 3.0 passed SERVER_NAME on, and Werkzeug then routes by it
        # instead of the request's host.
        if FLASK_VERSION < (3, 1) and server_name:
            return url_map.bind(server_name, script_name=script_name, url_scheme=scheme)
        return url_map.bind(host, script_name=script_name, url_scheme=scheme)
    # Flask 3.0 lets Werkzeug read the subdomain off the host whenever
    # SERVER_NAME is set (unless a default subdomain is configured); Flask
    # 3.1 only with subdomain_matching.
    reads_subdomain = app.subdomain_matching or (
        FLASK_VERSION < (3, 1) and not url_map.default_subdomain
    )
    if reads_subdomain and server_name:
        if host == server_name:
            subdomain = ""
        elif host.endswith("." + server_name):
            subdomain = host[: -len(server_name) - 1]
        elif WERKZEUG_VERSION >= (3, 2):
            # A host outside SERVER_NAME routes as the default subdomain.
            subdomain = url_map.default_subdomain or ""
        else:
            subdomain = "<invalid>"
        return url_map.bind(
            server_name, script_name=script_name, subdomain=subdomain, url_scheme=scheme
        )
    return url_map.bind(
        server_name or host,
        script_name=script_name,
        subdomain=url_map.default_subdomain or "",
        url_scheme=scheme,
    )


@dataclass
class OracleAnswer:
    verdict: str
    status: int
    rule: Rule | None = None
    values: dict[str, t.Any] = field(default_factory=dict)
    redirect_to: str | None = None
    allowed: list[str] | None = None


def werkzeug_says(adapter: MapAdapter, path: str, method: str, websocket: bool) -> OracleAnswer:
    try:
        rule, values = adapter.match(path, method, return_rule=True, websocket=websocket)
    except RequestRedirect as redirect:
        return OracleAnswer("redirect", 308, redirect_to=redirect.new_url)
    except MethodNotAllowed as error:
        return OracleAnswer("method_not_allowed", 405, allowed=sorted(error.valid_methods or ()))
    except WebsocketMismatch:
        return OracleAnswer("websocket_mismatch", 400)
    except HTTPException as error:
        return OracleAnswer("not_found", error.code or 0)
    return OracleAnswer("matched", 200, rule=rule, values=dict(values))


def domain_of(adapter: MapAdapter, host_matching: bool) -> str:
    if not host_matching and adapter.subdomain is not None:
        return adapter.subdomain
    return adapter.server_name


class _Warnings(logging.Handler):
    """Collects what the engine logs: "our reading differs" must never appear."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def explain_quietly(app: Flask, req: RequestSpec) -> tuple[Explanation, list[str]]:
    engine_log = logging.getLogger("flask_inspect")
    handler = _Warnings()
    engine_log.addHandler(handler)
    try:
        explanation = explain(
            app, req.path, req.method, req.host, req.websocket, script_name=req.script_name
        )
    finally:
        engine_log.removeHandler(handler)
    return explanation, handler.messages


def check_agreement(app: Flask, req: RequestSpec) -> Explanation:
    explanation, logged = explain_quietly(app, req)
    adapter = oracle_adapter(app, req.host, req.websocket, req.script_name)
    oracle = werkzeug_says(adapter, req.path, req.method, req.websocket)
    context = f"{req} -> {explanation.summary}"
    assert logged == [], context

    # 1. The verdict fields are Werkzeug's.
    assert explanation.verdict == oracle.verdict, context
    assert explanation.status == oracle.status, context
    assert explanation.redirect_to == oracle.redirect_to, context
    assert explanation.allowed_methods == oracle.allowed, context
    if oracle.rule is not None:
        assert explanation.rule == oracle.rule.rule, context
        assert explanation.endpoint == oracle.rule.endpoint, context
        assert {k: (v.repr, v.type) for k, v in explanation.view_args.items()} == {
            k: (repr(v), type_name(v)) for k, v in oracle.values.items()
        }, context
    else:
        assert explanation.rule is None, context
        assert explanation.endpoint is None, context
        assert explanation.view_args == {}, context

    # 2. Our own reading of the matcher reaches the same decision.
    url_map = app.url_map
    decision = decide(
        url_trie(url_map),
        url_map,
        domain_of(adapter, url_map.host_matching),
        req.path,
        req.method,
        req.websocket,
    )
    assert decision.status == oracle.status, context
    if oracle.allowed is not None:
        assert sorted(decision.have_match_for) == oracle.allowed, context
    if oracle.rule is not None:
        assert decision.rule is oracle.rule, context

    # 3. The candidates tell the same story.
    candidates = explanation.candidates
    assert len(candidates) == len(list(url_map.iter_rules())), context
    assert all(candidate.outcome in OUTCOMES for candidate in candidates), context
    assert all(candidate.reason for candidate in candidates), context
    limit = len(explanation.segments)
    assert all(c.segment is None or 0 <= c.segment <= limit for c in candidates), context
    matched = [c for c in candidates if c.outcome == "matched"]
    if oracle.verdict == "matched":
        assert [(c.rule, c.endpoint) for c in matched] == [
            (explanation.rule, explanation.endpoint)
        ], context
    else:
        assert matched == [], context
    redirects = [
        c
        for c in candidates
        if c.outcome
        in ("slash_redirect", "merge_slashes_redirect", "defaults_redirect", "redirect_to")
    ]
    assert len(redirects) == (1 if oracle.verdict == "redirect" else 0), context
    stopped = [c for c in candidates if c.outcome == "validation_error"]
    assert len(stopped) <= 1, context
    if oracle.verdict == "method_not_allowed":
        offered: set[str] = set()
        for candidate in candidates:
            if candidate.outcome == METHOD_NOT_ALLOWED:
                offered.update(candidate.methods)
        assert set(oracle.allowed or ()) <= offered, context
        if not stopped:
            assert set(oracle.allowed or ()) == offered, context
    assert explanation.summary.startswith(f"{oracle.status}:"), context

    # 4. Every example URL reaches the rule it is offered for (the top-level
    # paths offered when nothing is close, with GET: they are links).
    assert not (explanation.suggestions and explanation.top_level), context
    examples = [(s, req.method) for s in explanation.suggestions]
    examples += [(s, "GET") for s in explanation.top_level]
    for suggestion, asked in examples:
        assert explanation.verdict == "not_found", context
        if suggestion.example is None:
            continue
        parsed = urlsplit(suggestion.example)
        host = parsed.netloc or explanation.host
        # The example is a URL a browser sends: the mount point, then the app's path.
        assert parsed.path.startswith(req.script_name + "/"), (suggestion, context)
        reached = werkzeug_says(
            oracle_adapter(app, host, parsed.scheme in ("ws", "wss"), req.script_name),
            parsed.path[len(req.script_name) :],
            _method_for(app, suggestion.rule, suggestion.endpoint, asked),
            parsed.scheme in ("ws", "wss"),
        )
        assert reached.rule is not None, (suggestion, context)
        assert (reached.rule.rule, reached.rule.endpoint) == (
            suggestion.rule,
            suggestion.endpoint,
        ), (suggestion, context)
    return explanation


def _method_for(app: Flask, rule_text: str, endpoint: str, asked: str) -> str:
    """The request's own method when the rule takes it, else the rule's main one."""
    for rule in app.url_map.iter_rules(endpoint):
        if rule.rule != rule_text or rule.methods is None or asked in rule.methods:
            continue
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            if method in rule.methods:
                return method
        return sorted(rule.methods)[0]
    return asked


@settings(
    max_examples=1200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_explain_agrees_with_werkzeug_on_generated_maps(data: st.DataObject) -> None:
    spec = data.draw(map_specs())
    app = build_app(spec)
    for _ in range(8):
        check_agreement(app, data.draw(request_specs(spec)))


def real_response(app: Flask, req: RequestSpec) -> tuple[int, dict[str, str], bytes]:
    headers = [("Connection", "Upgrade"), ("Upgrade", "websocket")] if req.websocket else []
    environ = EnvironBuilder(
        path="/", base_url=f"http://{req.host}/", method=req.method, headers=headers
    ).get_environ()
    environ["PATH_INFO"] = req.path
    # A WSGI string: the UTF-8 bytes read as latin-1.
    environ["SCRIPT_NAME"] = req.script_name.encode().decode("latin-1")
    body_iter, status, response_headers = run_wsgi_app(app, environ, buffered=True)
    body = b"".join(body_iter)
    return int(status.split()[0]), dict(response_headers), body


@pytest.mark.filterwarnings("ignore:Current server name:UserWarning")
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_explain_agrees_with_what_the_app_really_answers(data: st.DataObject) -> None:
    spec = data.draw(map_specs())
    app = build_app(spec)
    for _ in range(6):
        req = data.draw(request_specs(spec))
        explanation, logged = explain_quietly(app, req)
        status, headers, body = real_response(app, req)
        context = f"{req} -> {explanation.summary}"
        assert logged == [], context
        assert status == explanation.status, context
        if status == 308:
            # The response quotes the URL (a space in the mount point) as it is sent.
            assert explanation.redirect_to is not None, context
            assert headers["Location"] == iri_to_uri(explanation.redirect_to), context
        if status == 405:
            allowed = sorted(method.strip() for method in headers["Allow"].split(","))
            assert allowed == explanation.allowed_methods, context
        if status == 200 and req.method not in ("HEAD", "OPTIONS"):
            payload = json.loads(body)
            assert payload["rule"] == explanation.rule, context
            assert payload["view_args"] == {
                name: [arg.repr, arg.type] for name, arg in explanation.view_args.items()
            }, context
