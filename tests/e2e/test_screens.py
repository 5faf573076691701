"""The key pages at desktop and phone widths: no axe-core violations, and a screenshot of each
in artifacts/screenshots/ for a person to look at. Staff pages are seen as the global
supervisor."""

import json

import pytest
from playwright.sync_api import expect

from .conftest import axe_violations, log_in, screenshot

PUBLIC = {
    "public-profile": "/countries/kz",
    "indicator-map": "/indicators/age-of-consent",
    "home-map": "/",
    "countries": "/countries/",
    "assessment": "/countries/kz/age-of-consent",
    "permalink": "/countries/kz/age-of-consent/v/1",
    "data": "/data/",
}
STAFF = {
    "coverage-matrix": "/staff/matrix",
    "staff-home": "/staff/",
    "staff-country": "/staff/countries/kz",
    "queue-review": "/staff/queue/review",
    "queue-returned": "/staff/queue/returned",
    "queue-drafts": "/staff/queue/drafts",
    "notifications": "/staff/notifications",
    "published-version": "/staff/versions/1",
}
SHOT = {"public-profile", "indicator-map", "coverage-matrix"}


@pytest.mark.parametrize("width", [1280, 390])
def test_key_pages_have_no_axe_violations_and_are_photographed(new_page, width):
    page = new_page(width)
    found = {}

    def visit(name: str, url: str) -> None:
        response = page.goto(url)
        assert response.status == 200, url
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        violations = axe_violations(page)
        if violations:
            found[url] = violations
        if name in SHOT:
            screenshot(page, f"{name}-{width}")
        # Nothing wider than the window: a phone never scrolls sideways.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} is {overflow}px wider than the {width}px window"

    for name, url in PUBLIC.items():
        visit(name, url)
    log_in(page, "supervisor2@example.org")
    for name, url in STAFF.items():
        visit(name, url)
    assert found == {}, json.dumps(found, indent=1)
