"""Arabic, right to left: the profile, an indicator page, the editor and the review screen at
desktop and phone widths mirror without spilling out of the window, with no axe-core violation;
a screenshot of each goes to artifacts/screenshots/ for a person to look at."""

import json

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from assess import create_app
from assess.extensions import db
from assess.models import User
from assess.services.content import CitationInput, SourceInput

from ..conftest import base_config
from ..publishing import content, draft, submitted
from .conftest import axe_violations, log_in, own_site, screenshot

# Every element's box, except those clipped on purpose (visually hidden text, the contents of a
# scrolling region, which scroll inside it): how far it reaches past either edge of the window.
OUTSIDE = """() => {
  const width = document.documentElement.clientWidth, outside = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;
    let clipped = false;
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") { clipped = true; break; }
    }
    if (clipped) continue;
    if (box.left < -1 || box.right > width + 1) {
      outside.push(`${element.tagName.toLowerCase()}.${element.className}: ${Math.round(box.left)}..${Math.round(box.right)}`);
    }
  }
  return outside.slice(0, 10);
}"""


# A site of its own: the draft and the submission below are of Kazakhstan's assessments, of
# which other browser tests leave drafts on the shared site.
e2e_database_url, live_server = own_site()


@pytest.fixture(scope="module")
def open_work(e2e_database_url, tmp_path_factory) -> dict[str, int]:
    """A draft for the editor and a submission for the review screen, both by the reviewer of
    Kazakhstan."""
    app = create_app(base_config(e2e_database_url, str(tmp_path_factory.mktemp("rtl"))))
    with app.app_context():
        reviewer = db.session.scalar(select(User).where(User.email == "reviewer@example.org"))
        editing = draft(reviewer, "KZ", "sec-police-unit", content("partial", "A unit exists."))
        rows = content(
            "no",
            "No binding standard applies to **tour operators**.",
            citations=[CitationInput("Law on Tourism", 2001, "Article 4", 2024, "", "ru")],
            sources=[SourceInput("Country report", "ECPAT International", 2013, "")],
        )
        review = submitted(reviewer, "KZ", "protection-standards-travel-tourism", rows)
        work = {"editor": editing.id, "review": review.id}
        db.session.remove()
        db.engine.dispose()
    return work


def in_arabic(page, base: str) -> None:
    page.context.add_cookies([{"name": "lang", "value": "ar", "url": base}])


def check(page, url: str, name: str, width: int, found: dict) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{url} is {overflow}px wider than the {width}px window"
    assert page.evaluate(OUTSIDE) == [], url
    # Mirrored: the main heading starts at the right-hand edge of its column.
    heading = page.get_by_role("heading", level=1).first
    assert heading.evaluate("h => getComputedStyle(h).direction") == "rtl"
    violations = axe_violations(page)
    if violations:
        found[url] = violations
    screenshot(page, f"ar-{name}-{width}")


@pytest.mark.parametrize("width", [1280, 390])
def test_arabic_pages_mirror_fit_the_window_and_pass_axe(new_page, live_server, open_work, width):
    found: dict = {}
    public = new_page(width)
    in_arabic(public, live_server)
    check(public, "/countries/kz", "profile", width, found)
    check(public, "/indicators/age-of-consent", "indicator", width, found)

    reviewer = new_page(width)
    log_in(reviewer, "reviewer@example.org")
    in_arabic(reviewer, live_server)
    check(reviewer, f"/staff/versions/{open_work['editor']}", "editor", width, found)
    expect(reviewer.locator("textarea").first).to_be_visible()

    supervisor = new_page(width)
    log_in(supervisor, "supervisor2@example.org")
    in_arabic(supervisor, live_server)
    check(supervisor, f"/staff/versions/{open_work['review']}", "review", width, found)
    expect(supervisor.get_by_role("button", name="الموافقة والنشر")).to_be_visible()
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)
