"""``describe_routes``: every field of the Route contract, on real Flask apps."""

from __future__ import annotations

import functools
import typing as t

from flask import Blueprint
from flask import Flask
from flask.views import MethodView
from werkzeug.routing import BaseConverter
from werkzeug.routing import ValidationError

from flask_inspect import describe_routes
from flask_inspect.routes import RouteInfo


def _route(app: Flask, endpoint: str, rule: str | None = None) -> RouteInfo:
    matches = [
        route
        for route in describe_routes(app)
        if route.endpoint == endpoint and (rule is None or route.rule == rule)
    ]
    assert len(matches) == 1, matches
    return matches[0]


def _view() -> str:
    return ""


def test_builtin_converters_with_options_are_described() -> None:
    app = Flask(__name__)
    app.add_url_rule("/i/<int(fixed_digits=4, min=1000, signed=True):year>", "int", _view)
    app.add_url_rule("/f/<float(min=0.5, max=9.5):ratio>", "float", _view)
    app.add_url_rule("/s/<string(minlength=2, maxlength=8):slug>", "string", _view)
    app.add_url_rule("/l/<string(length=3):code>", "length", _view)
    app.add_url_rule("/a/<any(red, 'dark blue'):colour>", "any", _view)
    app.add_url_rule("/p/<path:rest>", "path", _view)
    app.add_url_rule("/u/<uuid:ident>", "uuid", _view)
    app.add_url_rule("/d/<name>", "default", _view)

    (year,) = _route(app, "int").arguments
    assert year.to_dict() == {
        "name": "year",
        "converter": "int",
        "class": "werkzeug.routing.converters.IntegerConverter",
        "python_type": "int",
        "options": {"fixed_digits": 4, "min": 1000, "signed": True},
        "regex": r"-?\d+",
    }
    (ratio,) = _route(app, "float").arguments
    assert (ratio.converter, ratio.python_type, ratio.options) == (
        "float",
        "float",
        {"min": 0.5, "max": 9.5},
    )
    (slug,) = _route(app, "string").arguments
    assert slug.options == {"minlength": 2, "maxlength": 8}
    assert slug.regex == "[^/]{2,8}"
    assert _route(app, "length").arguments[0].options == {"length": 3}
    (colour,) = _route(app, "any").arguments
    assert colour.options == {"items": ["red", "dark blue"]}
    assert colour.python_type == "str"
    (rest,) = _route(app, "path").arguments
    assert (rest.converter, rest.class_, rest.python_type) == (
        "path",
        "werkzeug.routing.converters.PathConverter",
        "str",
    )
    assert _route(app, "uuid").arguments[0].python_type == "uuid.UUID"
    (name,) = _route(app, "default").arguments
    assert (name.converter, name.class_, name.options) == (
        "default",
        "werkzeug.routing.converters.UnicodeConverter",
        {},
    )


class ListConverter(BaseConverter):
    """Comma separated values, with an annotated ``to_python``."""

    def __init__(self, url_map: t.Any, separator: str = ",") -> None:
        super().__init__(url_map)
        self.separator = separator

    def to_python(self, value: str) -> list[str]:
        return value.split(self.separator)


class EvenConverter(BaseConverter):
    regex = r"\d+"

    def to_python(self, value: str):  # type: ignore[no-untyped-def]  # unannotated on purpose
        if int(value) % 2:
            raise ValidationError()
        return int(value)


def test_custom_converters_show_their_class_options_and_python_type() -> None:
    app = Flask(__name__)
    app.url_map.converters["list"] = ListConverter
    app.url_map.converters["even"] = EvenConverter
    app.add_url_rule("/tags/<list(separator='+'):tags>", "tags", _view)
    app.add_url_rule("/even/<even:number>", "even", _view)

    (tags,) = _route(app, "tags").arguments
    assert tags.class_ == f"{__name__}.ListConverter"
    assert tags.options == {"separator": "+"}
    assert tags.python_type == "list[str]"
    (number,) = _route(app, "even").arguments
    assert number.class_ == f"{__name__}.EvenConverter"
    assert number.python_type == "unknown"
    assert number.regex == r"\d+"


def test_methods_mark_the_automatic_head_and_options() -> None:
    app = Flask(__name__)
    app.add_url_rule("/read", "read", _view)
    app.add_url_rule("/write", "write", _view, methods=["POST"])
    app.add_url_rule("/manual", "manual", _view, methods=["GET"], provide_automatic_options=False)

    read = _route(app, "read")
    assert read.methods == ["GET", "HEAD", "OPTIONS"]
    assert read.automatic_methods == ["HEAD", "OPTIONS"]
    write = _route(app, "write")
    assert write.methods == ["OPTIONS", "POST"]
    assert write.automatic_methods == ["OPTIONS"]
    manual = _route(app, "manual")
    assert manual.methods == ["GET", "HEAD"]
    assert manual.automatic_methods == ["HEAD"]


def test_rule_flags_defaults_and_redirects_are_described() -> None:
    app = Flask(__name__)
    app.add_url_rule("/blog/", "blog", _view, defaults={"page": 1})
    app.add_url_rule("/blog/<int:page>", "blog", _view)
    app.add_url_rule("/loose", "loose", _view, strict_slashes=False, merge_slashes=False)
    app.add_url_rule("/old", "old", redirect_to="/new")
    app.add_url_rule("/gone/<int:id>", "gone", redirect_to=lambda adapter, id: f"/item/{id}")
    app.add_url_rule("/alias", "aliased", _view, alias=True)
    app.add_url_rule("/only-built/<int:id>", "built", _view, build_only=True)
    app.add_url_rule("/ws", "ws", _view, websocket=True, methods=["GET"])

    blog = _route(app, "blog", "/blog/")
    assert blog.defaults == {"page": 1}
    assert _route(app, "blog", "/blog/<int:page>").defaults == {}
    loose = _route(app, "loose")
    assert (loose.strict_slashes, loose.merge_slashes) == (False, False)
    assert _route(app, "blog", "/blog/").strict_slashes is True
    old = _route(app, "old")
    assert old.redirect_to == "/new"
    assert old.view is None
    gone = _route(app, "gone").redirect_to
    assert gone is not None
    assert gone.startswith(f"{__name__}.test_rule_flags")
    assert gone.endswith("<lambda>")
    assert _route(app, "aliased").alias is True
    built = _route(app, "built")
    assert built.build_only is True
    # Build-only rules are never tried when matching, so they come last.
    assert built.priority == max(route.priority for route in describe_routes(app))
    assert _route(app, "ws").websocket is True


def test_blueprints_and_nested_blueprints_are_named() -> None:
    app = Flask(__name__)
    parent = Blueprint("parent", __name__, url_prefix="/parent")
    child = Blueprint("child", __name__, url_prefix="/child")
    parent.add_url_rule("/", "home", _view)
    child.add_url_rule("/leaf/<int:id>", "leaf", _view)
    parent.register_blueprint(child)
    app.register_blueprint(parent)
    app.add_url_rule("/", "index", _view)

    assert _route(app, "index").blueprint is None
    assert _route(app, "parent.home").blueprint == "parent"
    leaf = _route(app, "parent.child.leaf")
    assert leaf.blueprint == "parent.child"
    assert leaf.rule == "/parent/child/leaf/<int:id>"


def test_subdomain_matching_app_describes_subdomains_and_their_converters() -> None:
    app = Flask(__name__, subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.test"
    app.add_url_rule("/", "root", _view)
    app.add_url_rule("/", "tenant", _view, subdomain="<tenant>")
    app.add_url_rule("/api", "api", _view, subdomain="api")

    tenant = _route(app, "tenant")
    assert tenant.subdomain == "<tenant>"
    assert [argument.name for argument in tenant.arguments] == ["tenant"]
    assert _route(app, "api").subdomain == "api"
    assert _route(app, "root").subdomain in (None, "")


def test_host_matching_app_describes_hosts_and_their_converters() -> None:
    app = Flask(__name__, host_matching=True, static_host="static.test")
    app.add_url_rule("/", "main", _view, host="example.test")
    app.add_url_rule("/<int:id>", "shard", _view, host="<shard>.example.test")

    assert _route(app, "main").host == "example.test"
    shard = _route(app, "shard")
    assert shard.host == "<shard>.example.test"
    assert [(a.name, a.python_type) for a in shard.arguments] == [("shard", "str"), ("id", "int")]


def _logged(view: t.Callable[..., str]) -> t.Callable[..., str]:
    @functools.wraps(view)
    def wrapper(*args: t.Any, **kwargs: t.Any) -> str:
        return view(*args, **kwargs)

    return wrapper


def decorated_view() -> str:
    return "decorated"


class Things(MethodView):
    def get(self) -> str:
        return "things"


def test_view_location_unwraps_decorators_and_resolves_method_views() -> None:
    app = Flask(__name__)
    app.add_url_rule("/decorated", "decorated", _logged(decorated_view))
    app.add_url_rule("/things", view_func=Things.as_view("things"))

    view = _route(app, "decorated").view
    assert view is not None
    assert (view.module, view.qualname, view.file) == (__name__, "decorated_view", __file__)
    assert view.line == decorated_view.__code__.co_firstlineno
    things = _route(app, "things").view
    assert things is not None
    assert (things.qualname, things.file) == ("Things", __file__)
    assert things.line is not None
    with open(__file__, encoding="utf-8") as source:
        assert source.read().splitlines()[things.line - 1].startswith("class Things")


def test_to_dict_has_exactly_the_contract_keys() -> None:
    app = Flask(__name__)
    app.add_url_rule("/user/<int(min=1):id>", "user", _view)
    data = _route(app, "user").to_dict()
    assert list(data) == [
        "rule",
        "endpoint",
        "methods",
        "automatic_methods",
        "priority",
        "arguments",
        "defaults",
        "strict_slashes",
        "merge_slashes",
        "subdomain",
        "host",
        "redirect_to",
        "alias",
        "build_only",
        "websocket",
        "blueprint",
        "view",
    ]
    assert data["arguments"][0]["options"] == {"min": 1}
    assert list(data["view"]) == ["module", "qualname", "file", "line"]
