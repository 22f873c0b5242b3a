"""Which rule takes a concrete URL, as Werkzeug's own matcher decides.

The Routes page's filter accepts a URL such as ``/user/7`` and shows the rule
that would take it. Werkzeug is the oracle, so this asks
``MapAdapter.match`` itself (no re-implementation): the rule it returns, the
rule that takes the URL it redirects to, or, when the method is refused, the
rule that takes the URL for a method it allows.

>>> rule_taking(app, "/user/7", "GET", "localhost")["verdict"]  # doctest: +SKIP
'matched'
"""

from __future__ import annotations

import typing as t
from urllib.parse import unquote
from urllib.parse import urlsplit

from werkzeug.exceptions import MethodNotAllowed
from werkzeug.exceptions import NotFound
from werkzeug.routing import RequestRedirect

if t.TYPE_CHECKING:
    from flask import Flask
    from werkzeug.routing import MapAdapter
    from werkzeug.routing import Rule


class BadUrl(ValueError):
    """Text that is not a path to match; becomes a 400 with this message."""


def rule_taking(app: Flask, url: str, method: str, host: str) -> dict[str, t.Any]:
    """``{"path", "method", "verdict", "registration_index", "rule", "endpoint", ...}``.

    ``verdict`` is ``matched``, ``redirect`` (then ``redirect_to`` and the rule
    taking that URL), ``method_not_allowed`` (then ``allowed_methods`` and the
    rule taking the URL for those) or ``not_found`` (no rule).
    """
    path = _path_of(url)
    method = (method or "GET").upper()
    adapter = app.url_map.bind(host or "localhost", url_scheme="http")
    result: dict[str, t.Any] = {
        "path": path,
        "method": method,
        "verdict": "not_found",
        "registration_index": None,
        "rule": None,
        "endpoint": None,
        "redirect_to": None,
        "allowed_methods": None,
    }
    rule: Rule | None
    try:
        rule = _match(adapter, path, method)
        result["verdict"] = "matched"
    except RequestRedirect as redirect:
        result["verdict"] = "redirect"
        result["redirect_to"] = redirect.new_url
        rule = _rule_for_redirect(adapter, redirect.new_url, method)
    except MethodNotAllowed as refused:
        allowed = sorted(refused.valid_methods or ())
        result["verdict"] = "method_not_allowed"
        result["allowed_methods"] = allowed
        rule = _match_any(adapter, path, allowed)
    except NotFound:
        rule = None
    if rule is not None:
        result["rule"] = rule.rule
        result["endpoint"] = rule.endpoint
        result["registration_index"] = _registration_index(app, rule)
    return result


def _path_of(url: str) -> str:
    text = url.strip()
    if not text.startswith("/"):
        raise BadUrl(f"A URL to match starts with '/'; got {text[:100]!r}.")
    path = urlsplit(text).path or "/"
    return unquote(path)


def _match(adapter: MapAdapter, path: str, method: str) -> Rule:
    rule, _ = adapter.match(path, method, return_rule=True)
    return rule


def _rule_for_redirect(adapter: MapAdapter, new_url: str, method: str) -> Rule | None:
    """The rule that takes the URL Werkzeug redirects to (a slash added or merged)."""
    try:
        return _match(adapter, unquote(urlsplit(new_url).path), method)
    except Exception:
        return None


def _match_any(adapter: MapAdapter, path: str, methods: list[str]) -> Rule | None:
    for method in methods:
        try:
            return _match(adapter, path, method)
        except Exception:  # noqa: S112 - try the next allowed method
            continue
    return None


def _registration_index(app: Flask, rule: Rule) -> int | None:
    """The rule's place in ``url_map.iter_rules()``: how the Routes page names its rows."""
    for index, registered in enumerate(app.url_map.iter_rules()):
        if registered is rule:
            return index
    return None
