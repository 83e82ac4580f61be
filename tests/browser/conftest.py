"""Browser tests: the app served on a loopback port, driven by Playwright in Debian's Chromium.

Skipped, with the reason, where there is no Chromium (`.ci/run` installs it with apt) or no
Playwright package. Playwright's own browser download is never used. Screenshots are saved
under test-artifacts/browser/.
"""

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.admin import create_accounts
from tests.conftest import make_settings

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts" / "browser"

if not Path(CHROMIUM).exists():
    pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (.ci/run does)",
                allow_module_level=True)
try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - the test extra installs it
    pytest.skip("the playwright package is not installed (pip install -e .[test])",
                allow_module_level=True)


@pytest.fixture
def database_url(tmp_path, sqlite_template):
    """Browser tests run on SQLite only: they test pages, the database tests cover both."""
    path = tmp_path / "tinbao.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    yield url
    from tests import privacy

    privacy.assert_no_reporter_numbers(url)


@pytest.fixture
def settings(database_url, redis_url):
    """Demo mode (the simulator), plain-HTTP cookies for the loopback server."""
    return make_settings(database_url, redis_url, TINBAO_DEMO="1")


@pytest.fixture
def server(app):
    """The app on a free loopback port, in a thread; yields its base URL."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(10)


@pytest.fixture
def accounts(app):
    """Logins for every role."""
    return create_accounts(app.extensions["tinbao"].engine)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser context and page; a screenshot is kept even when the test fails."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-last.png"), full_page=True)
    context.close()


def shot(page, name: str) -> None:
    """Save a full-page screenshot as a test artifact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
