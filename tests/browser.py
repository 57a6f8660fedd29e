"""A real browser for tests: Debian's headless chromium, driven by Playwright.

    from browser import chromium_page

    def test_gallery(served_url):
        with chromium_page() as page:          # a fresh browser, closed on the way out
            page.goto(served_url)
            assert page.evaluate("document.title") == "Auria"

or, as a fixture, `from browser import browser_page` and take `browser_page` as an argument.

Playwright never downloads a browser here: it drives /usr/bin/chromium (the Debian package,
which .ci/run installs) over a pipe, so the `no_network` guard does not get in its way.
A test skips, saying why, when that chromium or the playwright package is missing.
One browser per test; launching it takes about a second.
"""
from __future__ import annotations

import contextlib
import os

import pytest

CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000  # Playwright's own default (30 s) is long for a page on loopback


@contextlib.contextmanager
def chromium_page():
    """Yield a Playwright Page (viewport 1280x900) in a fresh headless chromium."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no browser: {CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("no browser: the playwright package is missing (pip install -e '.[test]')")

    args = ["--disable-dev-shm-usage"]
    if os.geteuid() == 0:
        args.append("--no-sandbox")  # chromium refuses to run sandboxed as root
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        try:
            page = browser.new_context(viewport=VIEWPORT).new_page()
            page.set_default_timeout(TIMEOUT_MS)
            yield page
        finally:
            browser.close()


@pytest.fixture
def browser_page():
    """The page of `chromium_page()`, as a fixture."""
    with chromium_page() as page:
        yield page
