"""Browser fixtures: the app served on loopback by a real HTTP server, and Debian's Chromium
driven by Playwright. CSRF protection is on, as in production."""
from __future__ import annotations

import os
import shutil
import threading

import pytest

from tests.conftest import require_service

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic",
                 "--no-first-run"]


@pytest.fixture
def live_server(app):
    from werkzeug.serving import make_server

    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
        app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def browser(tmp_path):
    require_service("Chromium", os.path.exists(CHROMIUM) or bool(shutil.which("chromium")),
                    f"{CHROMIUM} is missing (scripts/browser.sh installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(browser):
    """new_page(viewport=phone by default) -> a page in a fresh browser context (own cookies)."""
    contexts = []

    def make(width=390, height=844):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
