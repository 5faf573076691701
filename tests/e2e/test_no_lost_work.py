"""Issue 16 in a real browser: the session ends while a reviewer types (warned, extended, then
ended), Save keeps the text through signing in again, and leaving the page asks first; a
supervisor rejects only after confirming, with the dialog or, without JavaScript, a page."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import PASSWORDS, axe_violations, log_in, screenshot, serve

TYPED = "Employers must check criminal records before hiring for work with children (Article 7)."
IDLE = 20  # seconds: the session ends this long after the last request; the warning comes at half


@pytest.fixture(scope="module")
def short_session_server(e2e_database_url, tmp_path_factory):
    """The same site and data, with a 20-second idle timeout."""
    folder = tmp_path_factory.mktemp("short-session")
    with serve(
        e2e_database_url, folder, ASSESS_IDLE_TIMEOUT=str(IDLE), ASSESS_SESSION_WARNING="10"
    ) as base:
        yield base


@pytest.fixture
def short_page(browser, short_session_server):
    context = browser.new_context(base_url=short_session_server, bypass_csp=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _start_draft(page, indicator: str) -> int:
    page.goto("/staff/countries/kz")
    page.get_by_role(
        "button", name=re.compile(rf"Start a draft\s*: {re.escape(indicator)}")
    ).click()
    expect(page.get_by_role("status")).to_contain_text("Draft started")
    return int(page.url.rstrip("/").rsplit("/", 1)[1])


def _seconds_left(page) -> int:
    return page.evaluate(
        """() => fetch("/auth/session", {headers: {Accept: "application/json"}})
            .then(r => r.json()).then(d => d.remaining || 0)"""
    )


def test_the_session_ends_while_typing_and_nothing_is_lost(short_page):
    page = short_page
    log_in(page, "reviewer@example.org")
    version_id = _start_draft(page, "Background Check Required")
    page.get_by_role("radio", name="Yes", exact=True).check()
    analysis = page.get_by_label("Text of the analysis (Markdown)")
    analysis.fill(TYPED)

    # Before the end, a live warning offers to stay signed in; it extends the session in place.
    warning = page.locator("#session-live")
    expect(warning).to_contain_text("your session ends at", timeout=IDLE * 1000)
    expect(page.get_by_role("button", name="Stay signed in")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "session-warning-1280")
    page.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_contain_text("You stay signed in.")
    assert _seconds_left(page) > IDLE - 5
    expect(analysis).to_have_value(TYPED)  # the page did not go anywhere

    # Left alone, the session ends; the banner says so, and that the text is safe.
    expect(warning).to_contain_text("Your session has ended", timeout=(IDLE + 10) * 1000)
    screenshot(page, "session-ended-1280")

    # Save: the sign-in page explains, and signing in brings the text back (not a 405).
    page.get_by_role("button", name="Save draft").last.click()
    page.wait_for_url("**/auth/login**")
    expect(page.get_by_role("status")).to_contain_text(
        f"Your session ended after {IDLE} seconds without activity."
    )
    expect(page.get_by_role("status")).to_contain_text("it is kept")
    assert axe_violations(page) == []
    page.get_by_label("E-mail address").fill("reviewer@example.org")
    page.get_by_label("Password").fill(PASSWORDS["reviewer@example.org"])
    with page.expect_navigation() as landed:
        page.get_by_role("button", name="Sign in").click()
    assert landed.value.status == 200
    assert re.search(rf"/staff/versions/{version_id}\?restore=", page.url), page.url
    expect(page.get_by_label("Text of the analysis (Markdown)")).to_have_value(TYPED)
    expect(page.get_by_text("Your session ended before this form was saved.")).to_be_visible()
    screenshot(page, "session-restored-1280")

    # Leaving with the text unsaved makes the browser ask; staying keeps it.
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.get_by_label("Text of the analysis (Markdown)").press("End")
    page.get_by_role("link", name="My work").first.click()
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert f"/staff/versions/{version_id}" in page.url

    page.get_by_role("button", name="Save draft").last.click()
    expect(page.get_by_role("status").first).to_contain_text("saved")
    expect(page.get_by_label("Text of the analysis (Markdown)")).to_have_value(TYPED)


def test_the_warning_reads_right_to_left_in_arabic(short_page, short_session_server):
    page = short_page
    log_in(page, "supervisor@example.org")
    page.context.add_cookies([{"name": "lang", "value": "ar", "url": short_session_server}])
    page.goto("/staff/queue/review")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    warning = page.locator("#session-live")
    expect(warning).to_contain_text("تنتهي جلستك", timeout=IDLE * 1000)
    expect(page.get_by_role("button", name="ابقَ متصلًا")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "session-warning-ar-1280")


def _submitted_by_reviewer(new_page, indicator: str) -> int:
    reviewer = new_page()
    log_in(reviewer, "reviewer@example.org")
    version_id = _start_draft(reviewer, indicator)
    reviewer.get_by_role("radio", name="Partial", exact=True).check()
    reviewer.get_by_label("Text of the analysis (Markdown)").fill(
        "Only some offences reach abroad."
    )
    reviewer.get_by_role("button", name="Save and submit for review").click()
    expect(reviewer.get_by_role("status")).to_contain_text("Submitted for review")
    return version_id


def test_reject_asks_for_confirmation_and_has_its_own_reason(new_page):
    version_id = _submitted_by_reviewer(new_page, "Extraterritoriality & Extradition")
    supervisor = new_page()
    log_in(supervisor, "supervisor@example.org")
    supervisor.goto(f"/staff/versions/{version_id}")
    decision = supervisor.get_by_label("Decision comment")
    reason = supervisor.get_by_label("Reason for rejecting")
    decision.fill("A note for a request for changes.")
    reason.fill("Outside the framework: the law cited is a draft.")
    expect(decision).to_have_value("A note for a request for changes.")  # two separate boxes
    assert axe_violations(supervisor) == []
    screenshot(supervisor, "reject-section-1280")

    # The dialog: dismissed, nothing happens; accepted, the version is rejected.
    messages = []
    supervisor.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    supervisor.get_by_role("button", name="Reject…").click()
    supervisor.wait_for_timeout(300)
    assert messages and "Reject this version for good?" in messages[0]
    expect(supervisor.get_by_text("Awaiting review").first).to_be_visible()
    supervisor.once("dialog", lambda dialog: dialog.accept())
    supervisor.get_by_role("button", name="Reject…").click()
    expect(supervisor.get_by_role("status")).to_contain_text(
        "Rejected. The published version stays."
    )
    expect(
        supervisor.get_by_text("Outside the framework: the law cited is a draft.").first
    ).to_be_visible()


def test_without_javascript_reject_confirms_on_a_page_of_its_own(new_page, browser, live_server):
    version_id = _submitted_by_reviewer(new_page, "Age of Consent")
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    try:
        supervisor = context.new_page()
        log_in(supervisor, "supervisor2@example.org")
        supervisor.goto(f"/staff/versions/{version_id}")
        supervisor.get_by_label("Reason for rejecting").fill("Duplicates the published version.")
        supervisor.get_by_role("button", name="Reject…").click()
        confirm = supervisor.get_by_role("alert").filter(has_text="Reject this version for good?")
        expect(confirm).to_contain_text("Duplicates the published version.")
        expect(supervisor.get_by_text("Awaiting review").first).to_be_visible()
        screenshot(supervisor, "reject-confirm-nojs-1280")
        supervisor.get_by_role("button", name="Yes, reject it").click()
        expect(supervisor.get_by_role("status")).to_contain_text("Rejected.")
    finally:
        context.close()
