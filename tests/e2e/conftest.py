"""Browser tests: headless Chromium from Debian's ``chromium`` package, driven by Playwright for Python,
against pytest-django's live server.

Playwright never downloads a browser here: ``executable_path`` points at the system's Chromium
(``ACCORD_CHROMIUM`` overrides the path; ``tools/ensure_system_packages.sh`` installs the package).
The tests run in the normal suite on SQLite and PostgreSQL: the live server answers from another thread,
so each test uses a transactional database (``live_server`` asks for one), which pytest-django runs after
the ordinary tests and empties after each test.

Screenshots go to ``ACCORD_SCREENSHOTS_DIR`` when it is set, otherwise to ``data/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
# Every wait fails after this long: a page of this application answers in milliseconds, so a test that
# waits longer has found a bug, and it should say so quickly.
TIMEOUT_MS = 5_000


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: a browser test (headless Chromium against the live server)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


def chromium_path() -> str:
    path = os.environ.get("ACCORD_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(
            f"Chromium not found at {path}: run tools/ensure_system_packages.sh (installs Debian's chromium) "
            "or set ACCORD_CHROMIUM to a Chromium binary.",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the browser tests.

    While Playwright's synchronous API is started, an asyncio loop counts as running in this thread, and
    Django would refuse the tests' own database calls (SynchronousOnlyOperation). Those calls are
    synchronous code in a synchronous test, so the check is lifted for as long as the browser runs, and
    only then (the scope is this package, so the rest of the suite keeps the check).
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), headless=True)
        expect.set_options(timeout=TIMEOUT_MS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _open_page(browser: Browser, live_server: LiveServer, **options: object) -> Iterator[Page]:
    """A fresh browser context (no cookies) on the live server; the test fails on any JavaScript error."""
    context: BrowserContext = browser.new_context(base_url=live_server.url, **options)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A desktop-sized page (1280×800)."""
    yield from _open_page(browser, live_server, viewport=DESKTOP)


@pytest.fixture
def phone_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A phone-sized page (375×812, touch, mobile viewport meta honoured)."""
    yield from _open_page(browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True)


def screenshot_dir() -> Path:
    folder = Path(os.environ.get("ACCORD_SCREENSHOTS_DIR") or settings.DATA_DIR / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    """``screenshot(page, name)`` saves the whole page as ``<name>.png`` and returns its path."""

    def take(page: Page, name: str) -> Path:
        path = screenshot_dir() / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def sign_in() -> Callable[[Page, str, str], None]:
    """``sign_in(page, username, password)`` signs in through the sign-in form and waits to leave it."""

    def submit(page: Page, username: str, password: str) -> None:
        if "/login/" not in page.url:
            page.goto("/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login/" not in url)

    return submit
