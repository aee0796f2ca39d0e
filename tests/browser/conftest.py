"""Browser fixtures: the app served on loopback by a real HTTP server, and Debian's Chromium
driven by Playwright. CSRF protection is on, as in production."""
from __future__ import annotations

import contextlib
import os
import shutil
import threading
from pathlib import Path

import pytest

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic",
                 "--no-first-run"]


@contextlib.contextmanager
def serving(app):
    """The app on a real HTTP server on loopback, CSRF on; yields its base URL."""
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
def live_server(app):
    with serving(app) as base:
        yield base


def require_chromium() -> None:
    require_service("Chromium", os.path.exists(CHROMIUM) or bool(shutil.which("chromium")),
                    f"{CHROMIUM} is missing (scripts/browser.sh installs Debian's chromium)")


def require_node_module(path: Path) -> Path:
    """An npm test dependency (package-lock.json): skipped locally when missing, failed in CI."""
    require_service("npm test dependencies", path.exists(),
                    f"{path.relative_to(ROOT)} is missing (scripts/node.sh runs npm ci)")
    return path


@contextlib.contextmanager
def chromium():
    """Debian's Chromium, headless, driven by Playwright."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser(tmp_path):
    with chromium() as browser:
        yield browser


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
