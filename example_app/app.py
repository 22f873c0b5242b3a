"""The teaching app of the Flask primer, with the panel switched on.

Each route shows one idea: a view function, a dynamic part, each converter
(``int``, ``float``, ``path``, ``uuid``, a custom one), a blueprint, a
class-based view, a POST-only route, a strict trailing slash, redirects.
"""

from __future__ import annotations

import datetime
import uuid

import click
from flask import Flask
from flask import current_app
from flask import url_for
from markupsafe import escape

from flask_inspect import Inspect

from .converters import DateConverter
from .demos import demos
from .items_api import ItemsAPI
from .shop import shop


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "example-only-not-secret"  # noqa: S105 - a demo key
    app.url_map.converters["date"] = DateConverter
    Inspect(app)

    @app.route("/")
    def index() -> str:
        return "<h1>Hello world</h1>" + _tour()

    @app.route("/user/<name>")
    def username(name: str) -> str:
        # Whatever the URL says is escaped: /user/<script>... must stay text.
        return f"<h1>Welcome to your dashboard, {escape(name)}</h1>"

    @app.route("/user/<int:id>")
    def user_by_id(id: int) -> str:
        return f"<h1>User number {id}</h1>"

    @app.route("/price/<float:amount>")
    def price(amount: float) -> str:
        return f"<h1>Price: {amount:.2f}</h1>"

    @app.route("/files/<path:subpath>")
    def files(subpath: str) -> str:
        return f"<h1>File: {escape(subpath)}</h1>"

    @app.route("/orders/<uuid:order_id>")
    def order(order_id: uuid.UUID) -> str:
        return f"<h1>Order {order_id}</h1>"

    @app.route("/page/<int(min=1, max=50):number>")
    def page(number: int) -> str:
        return f"<h1>Page {number} of 50</h1>"

    @app.route("/lang/<any(en, fr, de):code>")
    def language(code: str) -> str:
        return f"<h1>Language: {escape(code)}</h1>"

    @app.route("/calendar/<date:day>")
    def calendar_day(day: datetime.date) -> str:
        return f"<h1>{day:%A %d %B %Y}</h1>"

    @app.route("/calendar/<name>")
    def calendar_named(name: str) -> str:
        return f"<h1>Calendar {escape(name)}</h1>"

    @app.route("/submit", methods=["POST"])
    def submit() -> str:
        return "<h1>Thanks</h1>"

    @app.route("/docs/")
    def docs() -> str:
        return "<h1>Docs</h1><p>Try /docs without the slash: 308 to here.</p>"

    @app.route("/blog/", defaults={"page": 1})
    @app.route("/blog/page/<int:page>")
    def blog(page: int) -> str:
        return f"<h1>Blog, page {page}</h1>"

    app.add_url_rule("/old-home", "old_home", redirect_to="/")

    items = ItemsAPI.as_view("items")
    app.add_url_rule("/api/items", view_func=items, methods=["GET", "POST"])
    app.add_url_rule("/api/items/<int:item_id>", view_func=items, methods=["GET", "DELETE"])

    app.register_blueprint(shop)
    app.register_blueprint(demos)

    @app.cli.command("hello-context")
    def hello_context() -> None:
        """Print what current_app is inside the app context the CLI pushes."""
        click.echo(f"current_app is {current_app.name!r}; url_for('index') is {url_for('index')}")

    return app


def _tour() -> str:
    links = [
        "/user/ada",
        "/user/7",
        "/price/9.5",
        "/files/docs/a.txt",
        f"/orders/{uuid.UUID(int=1)}",
        "/page/3",
        "/lang/fr",
        "/calendar/2026-11-29",
        "/calendar/2026-02-30",
        "/docs",
        "/blog/page/1",
        "/shop/",
        "/api/items",
        "/demo/slow?seconds=10",
        "/demo/stream",
        "/demo/background",
        "/demo/async",
        "/demo/flash",
        "/_inspect/",
    ]
    items = "".join(f'<li><a href="{link}">{link}</a></li>' for link in links)
    return f"<p>Try these, then open the panel:</p><ul>{items}</ul>"


app = create_app()

if __name__ == "__main__":
    app.run(debug=True)
