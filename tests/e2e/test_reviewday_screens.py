"""The pages issue 16 added or changed, in English and in Arabic, at desktop and phone widths:
the second review round with its comparison and the thread's rounds, the queue with profile
changes, the summary before giving a role, the account page's digest; no axe-core violation,
nothing wider than the window, a screenshot of each in artifacts/screenshots/."""

import json

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from assess import create_app
from assess.extensions import db
from assess.models import User
from assess.services import accounts, assessments, profile_content

from ..conftest import base_config
from ..publishing import content, draft, ids
from .conftest import axe_violations, log_in, screenshot
from .test_screens_rtl import OUTSIDE

UZ_REVIEWER = ("uz-reviewer@example.org", "uz reviewer passphrase")


@pytest.fixture(scope="module")
def uzbek_work(e2e_database_url, tmp_path_factory) -> dict[str, int]:
    """In Uzbekistan (no other browser test works there): a version returned once and submitted
    again, and a proposed profile change, both by the country's reviewer."""
    app = create_app(base_config(e2e_database_url, str(tmp_path_factory.mktemp("reviewday"))))
    with app.app_context():
        supervisor = db.session.scalar(select(User).where(User.email == "supervisor2@example.org"))
        reviewer = accounts.create_user(
            None, UZ_REVIEWER[0], UZ_REVIEWER[1], "reviewer", ["UZ"], name="Ulugbek Reviewer"
        )
        first = content("partial", "The Criminal Code sets the age of consent at 16.")
        version = draft(reviewer, "UZ", "age-of-consent", first)
        assessments.submit(reviewer, version.id)
        assessments.request_changes(supervisor, version.id, "Cite the article, please.")
        second = content(
            "partial", "Article 128 of the Criminal Code sets the age of consent at 16."
        )
        version = assessments.save(reviewer, version.id, second, version.row_version)
        assessments.submit(reviewer, version.id)
        change = profile_content.propose(
            reviewer,
            ids("UZ", "age-of-consent")[0],
            "member",
            "add",
            {"name": "Istiqbolli Avlod"},
            submit=True,
        )
        work = {"version": version.id, "change": change.id, "reviewer": reviewer.id}
        db.session.remove()
        db.engine.dispose()
    return work


def _check(page, name: str, width: int, found: dict) -> None:
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    screenshot(page, f"{name}-{width}")
    outside = page.evaluate(OUTSIDE)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the {width}px window: {outside}"
    assert outside == [], page.url
    violations = axe_violations(page)
    if violations:
        found[f"{name} {page.url}"] = violations


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("width", [1280, 390])
def test_the_new_pages_read_well_everywhere(new_page, live_server, uzbek_work, width, language):
    found: dict = {}
    suffix = "" if language == "en" else f"-{language}"
    supervisor = new_page(width)
    log_in(supervisor, "supervisor2@example.org")
    if language != "en":
        supervisor.context.add_cookies([{"name": "lang", "value": language, "url": live_server}])

    supervisor.goto(f"/staff/versions/{uzbek_work['version']}")
    tab = supervisor.locator(".tabs [aria-current=page]")
    if language == "en":
        expect(tab).to_have_text("Changes since the last round")
        expect(supervisor.locator("ins").filter(has_text="128").first).to_be_visible()
    supervisor.locator(".round-diff summary").first.click()
    _check(supervisor, f"review-round{suffix}", width, found)

    supervisor.goto("/staff/queue/review")
    expect(supervisor.get_by_text("Istiqbolli Avlod")).to_be_visible()
    _check(supervisor, f"queue-profile-changes{suffix}", width, found)

    supervisor.goto("/account/")
    _check(supervisor, f"account-digest{suffix}", width, found)

    admin = new_page(width)
    log_in(admin, "admin@example.org")
    if language != "en":
        admin.context.add_cookies([{"name": "lang", "value": language, "url": live_server}])
    admin.goto(f"/admin/users/{uzbek_work['reviewer']}")
    admin.locator("#scope-1").check()  # only the listed countries
    admin.locator("#countries").fill("UZ, KG")
    admin.locator("#grant-role button[type=submit]").click()
    expect(admin.locator("#confirm-grant-heading")).to_be_visible()
    if language == "en":
        expect(admin.get_by_text("For 2 countries: Kyrgyzstan, Uzbekistan.")).to_be_visible()
    _check(admin, f"grant-summary{suffix}", width, found)
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)
