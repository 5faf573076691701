"""No axe-core violations on the public pages, in headless Chromium against a live server; the
skip link is the first thing the keyboard reaches."""

import json
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from .publishing import FULL, content, publish

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parent / "axe" / "axe.min.js"
PAGES = [
    "/", "/countries/", "/countries/kz", "/countries/kz/age-of-consent",
    "/countries/kz/age-of-consent/v/1", "/indicators/", "/indicators/age-of-consent", "/data/",
    "/search?q=consent", "/search?q=kaz&finding=partial", "/compare?c=kz&c=cr", "/compare",
    "/methodology", "/data/releases/", "/indicators/age-of-consent?finding=not_assessed",
    "/countries/kz?lang=ru",
]  # fmt: skip

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium"),
]


@pytest.fixture
def live_server(app, make_user):
    reviewer, supervisor = make_user("reviewer", ["KZ"]), make_user("supervisor", ["KZ"], name="S")
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("no", "An earlier view."))
    publish(reviewer, supervisor, "KZ", "age-of-consent", FULL)
    app.test_client_class = None
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


def _violations(page) -> list[dict]:
    page.evaluate(AXE.read_text())
    return page.evaluate(
        """async () => (await axe.run(document)).violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
        }))"""
    )


@pytest.mark.parametrize("width", [1280, 390])
def test_public_pages_have_no_axe_violations(live_server, browser, width):
    # axe is injected by the test, not served by the site: let it past the site's CSP.
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    found = {}
    for url in PAGES:
        response = page.goto(live_server + url)
        assert response.status == 200, url
        violations = _violations(page)
        if violations:
            found[url] = violations
    context.close()
    assert found == {}, json.dumps(found, indent=1)


def test_the_keyboard_reaches_the_skip_link_first_and_it_moves_focus(live_server, browser):
    page = browser.new_page()
    page.goto(live_server + "/countries/kz")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_the_keyboard_can_skip_the_map(live_server, browser):
    page = browser.new_page()
    page.goto(live_server + "/indicators/age-of-consent")
    page.focus(".skip-map")
    assert page.evaluate("document.activeElement.textContent") == "Skip the map"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "after-map"
