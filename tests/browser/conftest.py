"""Browser tests: the real app served on 127.0.0.1 (CSRF on), driven by Playwright in Debian's
Chromium, with axe-core (vendored in axe-playwright-python) for accessibility.

Without /usr/bin/chromium the tests are skipped with a message (`make test` installs it when
run as root); under CI they fail instead, so CI always runs them.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from wizard import create_app

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # The test server's certificate is made up at start (`base_url`).
    "--ignore-certificate-errors",
]
PAGES_WITHOUT_JS: weakref.WeakSet = weakref.WeakSet()
# The WCAG rules, plus best practices that concern people directly (content in landmarks).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"{CHROMIUM} is missing: CI must run the browser tests.")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed: run `make test` as root")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def live_app(app, tmp_path_factory):
    """The application as a person meets it: CSRF on, same database as the test session."""
    instance = tmp_path_factory.mktemp("browser-instance")
    return create_app(
        {
            "INSTANCE_PATH": str(instance),
            "UPLOAD_FOLDER": instance / "uploads",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "MAX_UPLOAD_BYTES": app.config["MAX_UPLOAD_BYTES"],
            "SESSION_COOKIE_SECURE": True,
        }
    )


@pytest.fixture(scope="session")
def base_url(live_app) -> Iterator[str]:
    """Served over HTTPS, as in production: there Flask-WTF also wants each form's Referer
    to name the portal, which a page's `Referrer-Policy` decides (a page sending none had all
    its forms refused). The certificate is made up for the run."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True, ssl_context="adhoc")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    # Per module, not per session: Playwright's sync API runs an event loop in this thread,
    # which must be gone before other tests call pyHanko (it runs its own with asyncio.run).
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(base_url=base_url, locale="en-GB")
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def page_without_js(browser, base_url):
    context = browser.new_context(base_url=base_url, java_script_enabled=False, locale="en-GB")
    opened = context.new_page()
    PAGES_WITHOUT_JS.add(opened)
    yield opened
    context.close()


def screenshot(page, name: str) -> None:
    """Keep a picture of every page visited, for a person to look at (git-ignored folder)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def assert_accessible(page, name: str) -> None:
    """axe-core with the WCAG 2.0/2.1/2.2 A and AA rules: zero violations.

    axe runs inside the page, so it needs JavaScript: with JavaScript off (the same markup,
    already checked with it on) only the screenshot is taken."""
    from axe_playwright_python.sync_playwright import Axe

    screenshot(page, name)
    if page in PAGES_WITHOUT_JS:
        return
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    violations = results.response["violations"]
    details = [
        (v["id"], v["help"], [node["target"] for node in v["nodes"]][:5]) for v in violations
    ]
    assert not violations, f"{name}: {details}"
