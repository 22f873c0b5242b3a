"""Why a URL matches a rule, or why it does not: ``explain(app, path)``.

Werkzeug is the oracle. The verdict, status, endpoint, typed view arguments,
redirect target and allowed methods are taken from the real
``MapAdapter.match``, bound the way Flask binds a request for that host.
Around that answer the explanation adds what Werkzeug does not say: which
rule was responsible, every other rule's own outcome segment by segment
(``diagnose``), and the closest rules when nothing matched (``suggest``).

>>> explanation = explain(app, "/user/abc")  # doctest: +SKIP
>>> explanation.summary  # doctest: +SKIP
"404: closest is /user/<int:id>; segment 1: 'abc' is not an int"
"""

from __future__ import annotations

import dataclasses
import io
import logging
import sys
import typing as t
import uuid
import warnings
from dataclasses import dataclass
from dataclasses import field
from urllib.parse import unquote
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.routing import MapAdapter
from werkzeug.routing import RequestRedirect
from werkzeug.routing import Rule
from werkzeug.routing import WebsocketMismatch

from . import diagnose as outcomes
from . import match_decision as decided
from . import reasons
from .diagnose import Candidate
from .diagnose import diagnose
from .match_decision import Decision
from .match_decision import decide
from .redact import plain_repr
from .suggest import Suggestion
from .suggest import suggest
from .suggest import top_level_paths
from .url_trie import compile_private
from .url_trie import url_trie

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = [
    "MAX_PATH_LENGTH",
    "Candidate",
    "ExplainInputError",
    "Explanation",
    "Suggestion",
    "ViewArg",
    "explain",
    "split_target",
]

logger = logging.getLogger("flask_inspect")

MAX_PATH_LENGTH = 4096
MAX_HOST_LENGTH = 261  # 253 for the name, 8 for ":" and a port

MATCHED = "matched"
REDIRECT = "redirect"
METHOD_NOT_ALLOWED = "method_not_allowed"
WEBSOCKET_MISMATCH = "websocket_mismatch"
NOT_FOUND = "not_found"
# Not a routing verdict: a converter or a redirect_to function raised, and the
# app itself would answer 500.
ERROR = "error"

# How each verdict reads to a person (page title, CLI first line).
VERDICT_LABELS = {
    MATCHED: "Matched",
    REDIRECT: "Redirect",
    METHOD_NOT_ALLOWED: "Method not allowed",
    WEBSOCKET_MISMATCH: "WebSocket mismatch",
    NOT_FOUND: "Not found",
    ERROR: "Error in the app",
}

_METHOD = compile_private(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}\Z")
_CONTROL = compile_private(r"[\x00-\x1f\x7f]")
_HOST = compile_private(r"(?:\[[0-9A-Fa-f:.]+\]|[^\s/\\@?#:\[\]]+)(?::[0-9]{1,5})?\Z")


class ExplainInputError(ValueError):
    """The request to explain is not one a client could send; says why.

    ``error`` is a short machine name, ``status`` the HTTP status the panel's
    API answers with.
    """

    def __init__(self, error: str, detail: str, status: int = 400) -> None:
        super().__init__(detail)
        self.error = error
        self.detail = detail
        self.status = status


@dataclass(frozen=True)
class ViewArg:
    """A converted view argument: its ``repr`` and its type's name."""

    repr: str
    type: str

    def to_dict(self) -> dict[str, str]:
        return {"repr": self.repr, "type": self.type}


@dataclass
class Explanation:
    """Everything about one (path, method, host): ``to_dict()`` is the JSON contract."""

    path: str
    method: str
    host: str
    verdict: str
    status: int
    endpoint: str | None
    rule: str | None
    view_args: dict[str, ViewArg]
    redirect_to: str | None
    allowed_methods: list[str] | None
    summary: str
    candidates: list[Candidate] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    # For the panel: the URL's path segments the candidates' indexes refer to.
    segments: list[str] = field(default_factory=list)
    websocket: bool = False
    # Where the app is mounted (WSGI ``SCRIPT_NAME``): ``path`` is routed
    # below it, so the URL a browser sent is ``host + script_name + path``.
    script_name: str = ""
    # When nothing is close: a link to each top-level path of the app.
    top_level: list[Suggestion] = field(default_factory=list)

    def to_dict(self) -> dict[str, t.Any]:
        return {
            "path": self.path,
            "method": self.method,
            "host": self.host,
            "verdict": self.verdict,
            "status": self.status,
            "endpoint": self.endpoint,
            "rule": self.rule,
            "view_args": {name: arg.to_dict() for name, arg in self.view_args.items()},
            "redirect_to": self.redirect_to,
            "allowed_methods": self.allowed_methods,
            "summary": self.summary,
            "candidates": [candidate.to_dict() for candidate in self.candidates],
            "suggestions": [suggestion.to_dict() for suggestion in self.suggestions],
        }

    @property
    def matched(self) -> bool:
        """True when a rule takes the request, redirects included (the CLI's exit 0)."""
        return self.verdict in (MATCHED, REDIRECT)


@dataclass
class _Answer:
    """What Werkzeug's real ``MapAdapter.match`` said."""

    verdict: str
    status: int
    rule: Rule | None = None
    values: t.Mapping[str, t.Any] = field(default_factory=dict)
    redirect_to: str | None = None
    allowed_methods: list[str] | None = None
    error: BaseException | None = None


def explain(
    app: Flask,
    path: str,
    method: str = "GET",
    host: str | None = None,
    websocket: bool = False,
    *,
    script_name: str | None = None,
) -> Explanation:
    """Explain how ``app`` routes ``method path`` on ``host``.

    ``path`` is the decoded path, as a WSGI server hands it to the app
    (``PATH_INFO``: below ``script_name``, and empty for a mounted app's
    own URL without its slash). ``host=None`` means the app's
    ``SERVER_NAME``, else ``"localhost"``; ``script_name=None`` means its
    ``APPLICATION_ROOT``, as for ``url_for`` outside a request.
    Raises ``ExplainInputError`` for input no client could send.
    """
    path = check_path(path)
    method = check_method(method)
    host = check_host(host if host is not None else app.config.get("SERVER_NAME") or "localhost")
    if script_name is None:
        script_name = str(app.config.get("APPLICATION_ROOT") or "")
    script_name = check_script_name(script_name)
    adapter = bind(app, host, method, websocket, script_name)
    url_map = app.url_map
    answer = _ask_werkzeug(adapter, path, method, websocket)
    trie = url_trie(url_map)
    domain = _domain_part(adapter, url_map.host_matching)
    decision = decide(trie, url_map, domain, path, method, websocket)
    if not _agrees(decision, answer):
        logger.warning(
            "flask-inspect: our reading of the matcher (%s) differs from Werkzeug (%s) for "
            "%s %s; the verdict shown is Werkzeug's",
            decision.kind,
            answer.verdict,
            method,
            path,
        )
    diagnosis = diagnose(
        trie, url_map, decision, domain, path, method, websocket, answer.redirect_to
    )
    candidates = diagnosis.candidates
    suggestions = (
        _routable_examples(
            app,
            method,
            suggest(trie, url_map, adapter, diagnosis, decision.url_parts, method, websocket),
        )
        if answer.verdict == NOT_FOUND
        else []
    )
    top_level = (
        top_level_paths(trie, url_map, adapter, websocket)
        if answer.verdict == NOT_FOUND and not suggestions
        else []
    )
    matched_rule = answer.rule if answer.verdict == MATCHED else None
    return Explanation(
        path=path,
        method=method,
        host=host,
        verdict=answer.verdict,
        status=answer.status,
        endpoint=str(matched_rule.endpoint) if matched_rule is not None else None,
        rule=matched_rule.rule if matched_rule is not None else None,
        view_args={name: describe_value(value) for name, value in answer.values.items()},
        redirect_to=answer.redirect_to,
        allowed_methods=answer.allowed_methods,
        summary=summarize(answer, decision, candidates, suggestions, method),
        candidates=candidates,
        suggestions=suggestions,
        segments=decision.url_parts[2:],
        websocket=websocket,
        script_name=script_name,
        top_level=top_level,
    )


def check_path(path: t.Any) -> str:
    if not isinstance(path, str):
        raise ExplainInputError("invalid_path", "the path must be text")
    if len(path) > MAX_PATH_LENGTH:
        raise ExplainInputError(
            "path_too_long",
            f"the path is {len(path)} characters; flask-inspect explains paths of up to "
            f"{MAX_PATH_LENGTH}",
            status=414,
        )
    control = _CONTROL.search(path)
    if control is not None:
        raise ExplainInputError(
            "invalid_path",
            f"the path contains the control character {control.group()!r} at "
            f"position {control.start()}; no client sends that",
        )
    return path


def check_script_name(script_name: t.Any) -> str:
    """``"/shop"`` or ``""`` (``"/"`` and a trailing slash are dropped, as Werkzeug does)."""
    if not isinstance(script_name, str):
        raise ExplainInputError("invalid_script_name", "the script name must be text")
    if len(script_name) > MAX_PATH_LENGTH or _CONTROL.search(script_name):
        raise ExplainInputError(
            "invalid_script_name", "the script name is too long or has control characters"
        )
    if script_name and not script_name.startswith("/"):
        raise ExplainInputError(
            "invalid_script_name",
            f"{script_name[:80]!r} is not where an app can be mounted: it must start with '/'",
        )
    return script_name.rstrip("/")


def strip_script_name(path: str, script_name: str) -> str | None:
    """``/shop/item/1`` under ``/shop`` -> ``/item/1``; ``/shop`` -> ``""``.

    ``None`` when the path is not under ``script_name`` (no request for it
    would reach the app).
    """
    if not script_name:
        return path
    if path == script_name:
        return ""
    if path.startswith(script_name + "/"):
        return path[len(script_name) :]
    return None


def locate_path(path: str, script_name: str) -> tuple[str, list[str]]:
    """A typed path as the app routes it, and what was done to it, in words.

    A path without a leading slash gets one (a browser always sends it).
    For an app mounted at ``script_name``, a path under the mount point
    loses it (``/shop/item/1`` -> ``/item/1``); any other path is read as
    already inside the app.
    """
    notes: list[str] = []
    if not path:
        path = "/"
    elif not path.startswith("/"):
        notes.append(
            f"{reasons.quoted(path)} has no leading slash; a browser always sends one, "
            f"so this explains /{path}."
        )
        path = "/" + path
    if script_name:
        inside = strip_script_name(path, script_name)
        if inside is None:
            notes.append(
                f"The app is mounted at {script_name}, so this explains "
                f"{script_name}{path}: the app routes {path}."
            )
        else:
            routed = inside or "an empty path (no slash after the mount point)"
            notes.append(f"The app is mounted at {script_name}; it routes {routed}.")
            path = inside
    return path, notes


def check_method(method: t.Any) -> str:
    if not isinstance(method, str) or _METHOD.match(method) is None:
        raise ExplainInputError(
            "invalid_method",
            f"{str(method)[:40]!r} is not an HTTP method: use a single word such as GET or POST",
        )
    return method.upper()


def check_host(host: t.Any) -> str:
    if not isinstance(host, str) or not host:
        raise ExplainInputError("invalid_host", "the host must be a name such as localhost")
    if len(host) > MAX_HOST_LENGTH or _HOST.match(host) is None:
        raise ExplainInputError(
            "invalid_host",
            f"{host[:80]!r} is not a host name: expected something like example.com or "
            "localhost:5000 (no spaces, slashes or '@')",
        )
    try:
        host.split(":")[0].encode("idna")
    except UnicodeError:
        raise ExplainInputError(
            "invalid_host", f"{host[:80]!r} is not a valid international host name"
        ) from None
    return host.lower()


def split_target(text: str) -> tuple[str, str | None]:
    """``"http://example.com/a%20b?x=1"`` -> ``("/a b", "example.com")``.

    A bare path comes back unchanged (percent-decoded) with no host. The
    query string and fragment take no part in routing and are dropped.
    """
    if not isinstance(text, str):
        raise ExplainInputError("invalid_path", "the path must be text")
    stripped = text.strip()
    if "://" in stripped[:16]:
        try:
            parts = urlsplit(stripped)
        except ValueError as error:
            raise ExplainInputError("invalid_url", f"not a URL: {error}") from None
        return unquote(parts.path or "/"), parts.netloc or None
    path = stripped.split("#", 1)[0].split("?", 1)[0]
    return unquote(path), None


def _routable_examples(app: Flask, method: str, suggestions: list[Suggestion]) -> list[Suggestion]:
    """Suggestions whose example URL on another host the running Flask routes there.

    An example is checked against the map, as Werkzeug reads it for the
    rule's host; Flask 3.0 then bound every request of a host-matching app
    with ``SERVER_NAME`` to that name, so a rule for another host could not
    be reached at all. Such an example is asked of Flask itself and dropped
    (``None``) when Flask does not route it to its rule.
    """
    checked = []
    for suggestion in suggestions:
        example = suggestion.example
        parts = urlsplit(example) if example else None
        if parts is not None and parts.netloc:  # on another host than the request's
            plan = suggestion.candidate.plan if suggestion.candidate is not None else None
            rule = getattr(plan, "rule", None)
            if not _flask_routes_to(app, rule, parts.netloc, unquote(parts.path), method):
                suggestion = dataclasses.replace(suggestion, example=None)
        checked.append(suggestion)
    return checked


def _flask_routes_to(app: Flask, rule: Rule | None, host: str, path: str, method: str) -> bool:
    if rule is None:
        return False
    methods = rule.methods
    if methods is not None and method not in methods:
        method = "GET" if "GET" in methods else sorted(methods)[0]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            adapter = app.create_url_adapter(
                app.request_class(_environ(host, method, rule.websocket, ""))
            )
        if adapter is None:
            return False
        matched, _ = adapter.match(path, method, return_rule=True, websocket=rule.websocket)
    except Exception:
        return False
    return matched is rule


def bind(app: Flask, host: str, method: str, websocket: bool, script_name: str = "") -> MapAdapter:
    """The ``MapAdapter`` Flask would create for a request to ``host``, to an
    app mounted at ``script_name``."""
    request = app.request_class(_environ(host, method, websocket, script_name))
    try:
        if app.config.get("SERVER_NAME"):
            # Werkzeug warns when the host is outside SERVER_NAME, then routes
            # it as an invalid subdomain (every rule misses): that is the answer.
            # (Flask 3.0 lets it look even without subdomain_matching.)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                adapter = app.create_url_adapter(request)
        else:
            adapter = app.create_url_adapter(request)
    except HTTPException as error:
        raise ExplainInputError(
            "untrusted_host",
            f"the app refuses host {host!r} before routing ({error.code} {error.name}); "
            "check TRUSTED_HOSTS",
        ) from None
    except Exception as error:
        raise ExplainInputError("invalid_host", f"{host!r} cannot be routed: {error}") from None
    if adapter is None:  # pragma: no cover - Flask always binds for a request
        raise ExplainInputError("invalid_host", "the app could not bind its URL map")
    return adapter


def _environ(host: str, method: str, websocket: bool, script_name: str) -> dict[str, t.Any]:
    """Just enough of a WSGI environ for Flask to bind its URL map to ``host``."""
    name, _, port = host.rpartition(":") if host.rfind(":") > host.rfind("]") else (host, "", "")
    environ: dict[str, t.Any] = {
        "REQUEST_METHOD": method,
        # WSGI strings are bytes read as latin-1; Werkzeug decodes them as UTF-8.
        "SCRIPT_NAME": script_name.encode("utf-8", "surrogateescape").decode("latin-1"),
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "SERVER_NAME": name,
        "SERVER_PORT": port or "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if websocket:
        environ["HTTP_CONNECTION"] = "Upgrade"
        environ["HTTP_UPGRADE"] = "websocket"
    return environ


def _domain_part(adapter: MapAdapter, host_matching: bool) -> str:
    """What Werkzeug matches the host/subdomain part of rules against."""
    if not host_matching and adapter.subdomain is not None:
        return adapter.subdomain
    return adapter.server_name


def _ask_werkzeug(adapter: MapAdapter, path: str, method: str, websocket: bool) -> _Answer:
    try:
        rule, values = adapter.match(path, method, return_rule=True, websocket=websocket)
    except RequestRedirect as redirect:
        return _Answer(REDIRECT, redirect.code, redirect_to=redirect.new_url)
    except MethodNotAllowed as error:
        return _Answer(METHOD_NOT_ALLOWED, 405, allowed_methods=sorted(error.valid_methods or ()))
    except WebsocketMismatch:
        return _Answer(WEBSOCKET_MISMATCH, 400)
    except HTTPException as error:
        return _Answer(NOT_FOUND, error.code or 404)
    except Exception as error:  # a converter or redirect_to function crashed
        return _Answer(ERROR, 500, error=error)
    return _Answer(MATCHED, 200, rule=rule, values=values)


def _agrees(decision: Decision, answer: _Answer) -> bool:
    if decision.status != answer.status:
        return False
    return answer.rule is None or answer.rule is decision.rule


def describe_value(value: t.Any) -> ViewArg:
    """Never the value's own ``__repr__``, unless built in (see ``redact.plain_repr``)."""
    return ViewArg(repr=plain_repr(value), type=type_name(value))


def type_name(value: t.Any) -> str:
    """``int``, ``str``, ``uuid.UUID``, ``datetime.date``: builtins unqualified."""
    klass = type(value)
    if klass.__module__ == "builtins":
        return klass.__qualname__
    if isinstance(value, uuid.UUID):
        return "uuid.UUID"
    return f"{klass.__module__}.{klass.__qualname__}"


def summarize(
    answer: _Answer,
    decision: Decision,
    candidates: list[Candidate],
    suggestions: list[Suggestion],
    method: str,
) -> str:
    """The one sentence a person reads first."""
    trusted = _agrees(decision, answer)
    chosen = decision.rule if trusted else None
    chosen_candidate = (
        next((candidate for candidate in candidates if candidate.rule_object is chosen), None)
        if chosen is not None
        else None
    )
    if answer.verdict == MATCHED and answer.rule is not None:
        arguments = ", ".join(
            f"{name}={plain_repr(value)} ({type_name(value)})"
            for name, value in answer.values.items()
        )
        text = f"200: {answer.rule.rule} matches, endpoint {str(answer.rule.endpoint)!r}"
        return text + (f" with {arguments}" if arguments else "")
    if answer.verdict == REDIRECT:
        return _redirect_summary(answer, decision if trusted else None)
    if answer.verdict == METHOD_NOT_ALLOWED:
        allowed = ", ".join(answer.allowed_methods or ())
        refusing = [
            candidate.rule
            for candidate in candidates
            if candidate.outcome == outcomes.METHOD_NOT_ALLOWED
        ]
        if not refusing:
            return f"405: the path allows {allowed}, not {method}"
        verb = "allows" if len(set(refusing)) == 1 else "allow"
        return f"405: {join_rules(refusing)} {verb} {allowed}, not {method}"
    if answer.verdict == WEBSOCKET_MISMATCH:
        other_kind = [
            rule
            for candidate in candidates
            if candidate.outcome == outcomes.WEBSOCKET_MISMATCH
            and (rule := candidate.rule_object) is not None
        ]
        names = join_rules([rule.rule for rule in other_kind])
        accepts = _agree([rule.rule for rule in other_kind], "accepts", "accept")
        if other_kind and all(rule.websocket for rule in other_kind):
            return f"400: {names} {accepts} only WebSocket requests"
        if other_kind:
            return f"400: {names} {accepts} only plain HTTP, not WebSocket"
        return "400: the path fits only rules for the other kind of request (WebSocket vs HTTP)"
    if answer.verdict == ERROR:
        if chosen_candidate is not None:
            return f"500: {chosen_candidate.rule}: {chosen_candidate.reason}"
        return f"500: matching raised {type(answer.error).__name__}: {answer.error}"
    if chosen_candidate is not None and decision.kind in (
        decided.VALIDATION_ERROR,
        decided.CONVERTER_ABORTED,
    ):
        reason = chosen_candidate.reason.rsplit(". Werkzeug ", 1)[0]
        segment = chosen_candidate.segment
        where = f"segment {segment}: " if segment is not None else ""
        skipped = [c.rule for c in candidates if c.outcome == outcomes.NOT_TRIED]
        tail = (
            f"; Werkzeug stops there, so {join_rules(skipped)} never got a chance"
            if skipped
            else "; Werkzeug stops there and tries no later rule"
        )
        return f"{answer.status}: {chosen_candidate.rule} was chosen, but {where}{reason}{tail}"
    if chosen is not None and decision.kind == decided.SLASHES_NOT_MERGED:
        return (
            f"404: {chosen.rule} would match with the repeated slashes merged, but it sets "
            "merge_slashes=False"
        )
    return _not_found_summary(answer, candidates, suggestions)


def _not_found_summary(
    answer: _Answer, candidates: list[Candidate], suggestions: list[Suggestion]
) -> str:
    status = answer.status
    best = suggestions[0].candidate if suggestions else None
    if best is not None:
        where = f"segment {best.segment}: " if best.segment is not None else ""
        return f"{status}: closest is {best.rule}; {where}{best.reason}"
    reachable = [c for c in candidates if c.outcome != outcomes.BUILD_ONLY]
    if not reachable:
        return f"{status}: the app has no rule that can match a request"
    furthest = max(reachable, key=lambda outcome: outcome.progress)
    if furthest.progress <= 2:
        return f"{status}: no rule matches; nothing starts like this URL"
    where = f"segment {furthest.segment}: " if furthest.segment is not None else ""
    return f"{status}: no rule matches; the nearest is {furthest.rule}, {where}{furthest.reason}"


def _redirect_summary(answer: _Answer, decision: Decision | None) -> str:
    target = answer.redirect_to
    rule = decision.rule if decision is not None else None
    kind = decision.kind if decision is not None else None
    if rule is None:
        return f"308: Werkzeug redirects to {target}"
    if kind == decided.SLASH_REDIRECT:
        return f"308: {rule.rule} ends with a slash, so Werkzeug redirects to {target}"
    if kind == decided.MERGE_REDIRECT:
        return f"308: repeated slashes are merged ({rule.rule}); Werkzeug redirects to {target}"
    if kind == decided.ALIAS_REDIRECT:
        return f"308: {rule.rule} is an alias; Werkzeug redirects to the canonical {target}"
    if kind == decided.DEFAULTS_REDIRECT and decision is not None and decision.defaults_rule:
        return (
            f"308: {rule.rule} matches, but {decision.defaults_rule.rule} is the canonical URL "
            f"for these values (defaults); Werkzeug redirects to {target}"
        )
    if kind == decided.REDIRECT_TO:
        return f"308: {rule.rule} redirects (redirect_to) to {target}"
    return f"308: {rule.rule}: Werkzeug redirects to {target}"


def join_rules(rules: list[str]) -> str:
    unique = list(dict.fromkeys(rules))
    if len(unique) <= 3:
        return " and ".join(unique) if len(unique) <= 2 else ", ".join(unique)
    return ", ".join(unique[:3]) + f" and {len(unique) - 3} more"


def _agree(rules: list[str], singular: str, plural: str) -> str:
    """The verb that goes with :func:`join_rules` of ``rules``: one rule or several."""
    return singular if len(set(rules)) <= 1 else plural
