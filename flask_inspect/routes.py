"""Describe an app's URL map the way Werkzeug really uses it.

Pure: a function of ``app.url_map`` and ``app.view_functions``, nothing else.
Rules come back in Werkzeug's matching priority, which is *not* registration
order: Werkzeug walks a state machine where, at every path segment, static
text is tried before converters and converters are tried by weight.

>>> [r.rule for r in describe_routes(app)]  # doctest: +SKIP
['/user/<int:id>', '/user/<name>', '/static/<path:filename>']
"""

from __future__ import annotations

import inspect
import os
import re
import typing as t
import uuid
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field

from werkzeug.routing import BaseConverter
from werkzeug.routing import Map
from werkzeug.routing import Rule
from werkzeug.routing import parse_converter_args

from .settings import REDACTED
from .settings import is_secret_name
from .url_trie import url_trie

if t.TYPE_CHECKING:
    from flask import Flask

# ``<converter(arguments):variable>`` or ``<variable>``; mirrors the rule grammar
# Werkzeug documents, so converter names and raw arguments can be shown.
_VARIABLE_RE = re.compile(
    r"<(?:(?P<converter>[a-zA-Z_][a-zA-Z0-9_]*)(?:\((?P<arguments>.*?)\))?:)?"
    r"(?P<variable>[a-zA-Z_][a-zA-Z0-9_]*)>"
)

# Python types the built-in converters return from ``to_python``.
_BUILTIN_PYTHON_TYPES = {
    "werkzeug.routing.converters.UnicodeConverter": "str",
    "werkzeug.routing.converters.PathConverter": "str",
    "werkzeug.routing.converters.AnyConverter": "str",
    "werkzeug.routing.converters.IntegerConverter": "int",
    "werkzeug.routing.converters.FloatConverter": "float",
    "werkzeug.routing.converters.UUIDConverter": "uuid.UUID",
}

JSONValue: t.TypeAlias = bool | int | float | str | list[t.Any] | dict[str, t.Any] | None


@dataclass
class ArgumentInfo:
    """One dynamic part of a rule: ``<int(min=1):id>``."""

    name: str
    converter: str
    class_: str
    python_type: str
    options: dict[str, JSONValue]
    regex: str

    def to_dict(self) -> dict[str, t.Any]:
        return {
            "name": self.name,
            "converter": self.converter,
            "class": self.class_,
            "python_type": self.python_type,
            "options": self.options,
            "regex": self.regex,
        }


@dataclass
class ViewInfo:
    """Where the code behind an endpoint lives (decorators unwrapped)."""

    module: str | None
    qualname: str
    file: str | None
    line: int | None

    def to_dict(self) -> dict[str, t.Any]:
        return asdict(self)

    @property
    def location(self) -> str:
        """``file:line`` for people, or just the qualified name."""
        return self.location_relative_to(None)

    def location_relative_to(self, base: str | None) -> str:
        """``file:line`` with ``file`` shortened when it lies under ``base``."""
        if self.file is None:
            return self.qualname
        file = self.file
        if base is not None:
            relative = os.path.relpath(file, base) if os.path.isabs(file) else file
            if not relative.startswith(".."):
                file = relative
        return f"{file}:{self.line}" if self.line else file


@dataclass
class RouteInfo:
    """One URL rule, as the public JSON contract describes it."""

    rule: str
    endpoint: str
    methods: list[str]
    automatic_methods: list[str]
    priority: int
    registration_index: int
    arguments: list[ArgumentInfo] = field(default_factory=list)
    defaults: dict[str, JSONValue] = field(default_factory=dict)
    strict_slashes: bool = True
    merge_slashes: bool = True
    subdomain: str | None = None
    host: str | None = None
    redirect_to: str | None = None
    alias: bool = False
    build_only: bool = False
    websocket: bool = False
    blueprint: str | None = None
    view: ViewInfo | None = None

    def to_dict(self) -> dict[str, t.Any]:
        return {
            "rule": self.rule,
            "endpoint": self.endpoint,
            "methods": self.methods,
            "automatic_methods": self.automatic_methods,
            "priority": self.priority,
            "arguments": [argument.to_dict() for argument in self.arguments],
            "defaults": self.defaults,
            "strict_slashes": self.strict_slashes,
            "merge_slashes": self.merge_slashes,
            "subdomain": self.subdomain,
            "host": self.host,
            "redirect_to": self.redirect_to,
            "alias": self.alias,
            "build_only": self.build_only,
            "websocket": self.websocket,
            "blueprint": self.blueprint,
            "view": None if self.view is None else self.view.to_dict(),
        }


def describe_routes(app: Flask) -> list[RouteInfo]:
    """Every rule of ``app.url_map`` in Werkzeug's matching priority."""
    url_map = app.url_map
    url_map.update()
    registered = list(url_map.iter_rules())
    ranked = rules_in_match_order(url_map)
    priority_of = {id(rule): index for index, rule in enumerate(ranked)}
    routes = [
        _describe_rule(app, rule, priority_of.get(id(rule), len(ranked)), index)
        for index, rule in enumerate(registered)
    ]
    routes.sort(key=lambda route: route.priority)
    return routes


def rules_in_match_order(url_map: Map) -> list[Rule]:
    """The rules in the order Werkzeug's state machine tries them.

    Werkzeug keeps a trie of rule parts (the host or subdomain first, then one
    part per path segment). Matching is depth first: the rules that end at a
    state, then static transitions, then dynamic ones sorted by weight, ties
    kept in the order the rules were added. A pre-order walk of that trie (the
    live one where Werkzeug exposes it, see :mod:`url_trie`) therefore puts the
    rule that wins for any URL ahead of every other rule that would match it.
    Build-only rules are never matched and come last.
    """
    return list(url_trie(url_map).order)


def _describe_rule(app: Flask, rule: Rule, priority: int, registration_index: int) -> RouteInfo:
    methods = sorted(rule.methods or ())
    endpoint = str(rule.endpoint)
    return RouteInfo(
        rule=rule.rule,
        endpoint=endpoint,
        methods=methods,
        automatic_methods=_automatic_methods(rule),
        priority=priority,
        registration_index=registration_index,
        arguments=describe_arguments(rule),
        defaults={
            str(k): REDACTED if is_secret_name(app, str(k)) else _jsonable(v)
            for k, v in (rule.defaults or {}).items()
        },
        strict_slashes=bool(rule.strict_slashes),
        merge_slashes=bool(rule.merge_slashes),
        subdomain=rule.subdomain,
        host=rule.host,
        redirect_to=_describe_redirect(rule.redirect_to),
        alias=bool(rule.alias),
        build_only=bool(rule.build_only),
        websocket=bool(rule.websocket),
        blueprint=endpoint.rpartition(".")[0] or None,
        view=describe_view(app.view_functions.get(endpoint)),
    )


def _automatic_methods(rule: Rule) -> list[str]:
    """Methods added for the developer rather than by them.

    Werkzeug always adds HEAD next to GET; Flask adds OPTIONS unless told not to
    and records that on the rule.
    """
    methods = rule.methods or set()
    automatic = []
    if "HEAD" in methods and "GET" in methods:
        automatic.append("HEAD")
    if "OPTIONS" in methods and getattr(rule, "provide_automatic_options", False):
        automatic.append("OPTIONS")
    return automatic


def describe_arguments(rule: Rule) -> list[ArgumentInfo]:
    """Converters of the host/subdomain part and of the path, in rule order."""
    converters: dict[str, BaseConverter] = getattr(rule, "_converters", {})
    texts = [rule.host or rule.subdomain or "", rule.rule]
    arguments = []
    for text in texts:
        for match in _VARIABLE_RE.finditer(text):
            name = match["variable"]
            converter = converters.get(name)
            if converter is None:
                continue
            arguments.append(
                ArgumentInfo(
                    name=name,
                    converter=match["converter"] or "default",
                    class_=_qualified_name(type(converter)),
                    python_type=converter_python_type(type(converter)),
                    options=_converter_options(type(converter), match["arguments"]),
                    regex=converter.regex,
                )
            )
    return arguments


def converter_python_type(converter_class: type[BaseConverter]) -> str:
    """The type ``to_python`` returns, as far as it can be known without a value."""
    for klass in converter_class.__mro__:
        known = _BUILTIN_PYTHON_TYPES.get(_qualified_name(klass))
        if known is not None and getattr(klass, "to_python", None) is converter_class.to_python:
            return known
    if converter_class.to_python is BaseConverter.to_python:
        return "str"
    try:
        hints = t.get_type_hints(converter_class.to_python)
    except Exception:
        hints = {}
    returned = hints.get("return")
    if returned is None:
        return "unknown"
    # ``list[str]`` passes ``isinstance(_, type)`` on Python 3.10: it names
    # itself fully, so only a plain class is shortened to its name.
    if isinstance(returned, type) and t.get_origin(returned) is None:
        return returned.__name__ if returned.__module__ == "builtins" else _qualified_name(returned)
    return str(returned).replace("typing.", "")


def _converter_options(
    converter_class: type[BaseConverter], raw: str | None
) -> dict[str, JSONValue]:
    """Name every argument written in the rule after the converter's parameters."""
    if not raw:
        return {}
    args, kwargs = parse_converter_args(raw)
    options: dict[str, JSONValue] = {}
    try:
        signature = _init_signature(converter_class)
        bound = signature.bind_partial(None, None, *args, **kwargs)
    except (TypeError, ValueError):
        options.update({f"arg{index}": _jsonable(value) for index, value in enumerate(args)})
        options.update({key: _jsonable(value) for key, value in kwargs.items()})
        return options
    parameters = list(signature.parameters.values())[2:]  # drop self and map
    for parameter in parameters:
        if parameter.name not in bound.arguments:
            continue
        value = bound.arguments[parameter.name]
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            options[parameter.name] = [_jsonable(item) for item in value]
        elif parameter.kind is inspect.Parameter.VAR_KEYWORD:
            options.update({key: _jsonable(item) for key, item in value.items()})
        else:
            options[parameter.name] = _jsonable(value)
    return options


_INIT_SIGNATURES: dict[type[BaseConverter], inspect.Signature] = {}


def _init_signature(converter_class: type[BaseConverter]) -> inspect.Signature:
    """``inspect.signature`` is slow; converter classes are few, so remember them."""
    signature = _INIT_SIGNATURES.get(converter_class)
    if signature is None:
        signature = _INIT_SIGNATURES[converter_class] = inspect.signature(converter_class.__init__)
    return signature


def describe_view(view: t.Callable[..., t.Any] | None) -> ViewInfo | None:
    """Module, qualified name, file and line of a view, decorators unwrapped.

    A ``View.as_view`` function is resolved to its class, so a MethodView shows
    where the class is written rather than Flask's generated wrapper.
    """
    if view is None:
        return None
    target: t.Any = getattr(view, "view_class", None) or inspect.unwrap(view)
    target = getattr(target, "func", target)  # functools.partial
    module = getattr(target, "__module__", None)
    qualname = getattr(target, "__qualname__", None) or type(target).__qualname__
    file: str | None = None
    line: int | None = None
    try:
        file = inspect.getsourcefile(target) or inspect.getfile(target)
    except TypeError:
        file = None
    code = getattr(target, "__code__", None)
    if code is not None:
        line = code.co_firstlineno
    elif file is not None:
        try:
            line = inspect.getsourcelines(target)[1]
        except (OSError, TypeError):
            line = None
    return ViewInfo(module=module, qualname=qualname, file=file, line=line)


def _describe_redirect(redirect_to: t.Any) -> str | None:
    if redirect_to is None or isinstance(redirect_to, str):
        return redirect_to
    module = getattr(redirect_to, "__module__", "")
    name = getattr(redirect_to, "__qualname__", type(redirect_to).__qualname__)
    return f"{module}.{name}" if module else name


def _qualified_name(klass: type) -> str:
    return f"{klass.__module__}.{klass.__qualname__}"


def _jsonable(value: t.Any) -> JSONValue:
    """JSON-safe form of a default or converter option; anything else as ``repr``."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    return repr(value)


@dataclass
class RuleToken:
    """A piece of rule text: static text, or a ``<converter:variable>``."""

    text: str
    variable: str | None = None
    converter_text: str | None = None  # ``int(min=1)`` exactly as written, if any


def split_rule(rule: str) -> list[RuleToken]:
    """``"/user/<int:id>"`` -> ``[RuleToken("/user/"), RuleToken("<int:id>", "id")]``."""
    tokens: list[RuleToken] = []
    position = 0
    for match in _VARIABLE_RE.finditer(rule):
        if match.start() > position:
            tokens.append(RuleToken(rule[position : match.start()]))
        converter_text = None
        if match["converter"]:
            converter_text = match["converter"]
            if match["arguments"] is not None:
                converter_text += f"({match['arguments']})"
        tokens.append(RuleToken(match.group(0), match["variable"], converter_text))
        position = match.end()
    if position < len(rule):
        tokens.append(RuleToken(rule[position:]))
    return tokens
