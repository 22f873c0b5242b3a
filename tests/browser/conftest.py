"""Real-browser fixtures: Playwright driving Debian's chromium, headless.

Never a downloaded browser build: the system chromium at /usr/bin/chromium.
Every page records console errors, page errors and CSP violations, and the
``page`` fixture fails the test if any happened.
"""

from __future__ import annotations

import os
import shutil
import typing as t
from dataclasses import dataclass
from dataclasses import field

import pytest

CHROMIUM = os.environ.get("INSPECT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

if t.TYPE_CHECKING:
    from flask import Flask
    from playwright.sync_api import Browser
    from playwright.sync_api import Page

    from tests.conftest import LiveServer


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def browser() -> t.Iterator[Browser]:
    """One browser per test module.

    Playwright's sync API keeps an event loop running on the main thread while
    it is started; the fixture stops it after each module so the rest of the
    suite (async views served by the test client) runs without it.
    """
    from playwright.sync_api import sync_playwright

    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.fail(f"chromium not found at {CHROMIUM}; the test command installs it")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@dataclass
class PageProblems:
    """What went wrong in the page: console errors, uncaught errors, CSP."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    @property
    def all(self) -> list[str]:
        return self.console_errors + self.page_errors


@pytest.fixture
def page_problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def page(
    browser: Browser,
    page_problems: PageProblems,
    live_server_factory: t.Callable[[Flask], LiveServer],
) -> t.Iterator[Page]:
    """A fresh page; fails the test if the browser reported any problem.

    It asks for ``live_server_factory`` although it starts no server: pytest
    tears fixtures down in reverse order of set-up, so this makes every server
    a test starts outlive the page, whatever order the test names its
    fixtures in. Otherwise a server could stop while the page still fetches
    from it (a poll, the favicon it asks for lazily), and that failed load is
    a console error.
    """
    del live_server_factory  # only needed for the teardown order
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # The browser asks every site for /favicon.ico on its own; the teaching app
    # (like many apps) has none, and that 404 is not what any test is about.
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            page_problems.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: page_problems.page_errors.append(str(error)))
    page.set_default_timeout(10_000)
    yield page
    context.close()
    assert page_problems.all == [], f"browser reported problems: {page_problems.all}"
