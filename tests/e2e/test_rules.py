"""The rules a person meets in the browser: four eyes, a stale form between two tabs, and
signing out ending the session."""

import re

from playwright.sync_api import expect

from .conftest import hand_made_post, log_in


def _start_draft(page, indicator: str) -> int:
    page.goto("/staff/countries/kz")
    page.get_by_role("button", name=re.compile(rf"Start a draft\s*: {indicator}")).click()
    expect(page.get_by_role("status")).to_contain_text("Draft started")
    return int(page.url.rsplit("/", 1)[1])


def test_a_supervisor_cannot_approve_what_they_submitted(new_page):
    supervisor = new_page()
    log_in(supervisor, "supervisor2@example.org")
    version_id = _start_draft(supervisor, "Child Advocacy Centers")
    supervisor.get_by_role("radio", name="No", exact=True).check()
    supervisor.get_by_label("Text of the analysis (Markdown)").fill("No child advocacy centres.")
    supervisor.get_by_role("button", name="Save and submit for review").click()
    expect(supervisor.get_by_role("status")).to_contain_text("Submitted for review")

    expect(supervisor.get_by_text("You contributed to this version")).to_be_visible()
    expect(supervisor.get_by_role("button", name="Approve and publish")).to_have_count(0)
    assert hand_made_post(supervisor, f"/staff/versions/{version_id}/approve") == 403
    expect(supervisor.get_by_role("alert")).to_contain_text("contribut")
    supervisor.goto(f"/staff/versions/{version_id}")
    expect(supervisor.get_by_text("Awaiting review").first).to_be_visible()

    # Not in their own queue either; the other supervisor of Kazakhstan has it.
    supervisor.goto("/staff/queue/review")
    expect(supervisor.get_by_role("link", name=re.compile("Child Advocacy Centers"))).to_have_count(
        0
    )
    other = new_page()
    log_in(other, "supervisor@example.org")
    other.goto("/staff/queue/review")
    expect(other.get_by_role("link", name=re.compile("Child Advocacy Centers"))).to_have_count(1)


def test_a_stale_form_in_a_second_tab_gets_a_conflict_page_and_loses_nothing(new_page):
    first = new_page()
    log_in(first, "reviewer@example.org")
    version_id = _start_draft(first, "National Commitments")
    second = first.context.new_page()
    second.goto(f"/staff/versions/{version_id}")

    first.get_by_label("Text of the analysis (Markdown)").fill("Text saved in the first tab.")
    first.get_by_role("button", name="Save draft").last.click()
    expect(first.get_by_role("status")).to_contain_text("saved")

    second.get_by_label("Text of the analysis (Markdown)").fill("Text typed in the second tab.")
    with second.expect_response(re.compile(r"/save$")) as answer:
        second.get_by_role("button", name="Save draft").last.click()
    assert answer.value.status == 409
    conflict = second.get_by_role("region", name="Someone else saved this version")
    expect(conflict).to_contain_text("Text saved in the first tab.")
    expect(conflict).to_contain_text("Text typed in the second tab.")
    expect(second.get_by_label("Text of the analysis (Markdown)")).to_have_value(
        "Text typed in the second tab."
    )
    # Saving again, knowingly, replaces the stored text.
    second.get_by_role("button", name="Save draft").last.click()
    expect(second.get_by_role("status")).to_contain_text("saved")
    first.reload()
    expect(first.get_by_label("Text of the analysis (Markdown)")).to_have_value(
        "Text typed in the second tab."
    )


def test_signing_out_ends_the_session(new_page, browser, live_server):
    page = new_page()
    log_in(page, "reviewer@example.org")
    cookies = page.context.cookies()
    assert any(c["name"] == "session" for c in cookies), cookies
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status").or_(page.get_by_text("You are signed out."))).to_contain_text(
        "signed out"
    )
    page.goto("/staff/")
    expect(page).to_have_url(re.compile("/auth/login"))

    # The cookie from before signing out no longer opens a session anywhere.
    replay = browser.new_context(base_url=live_server)
    try:
        replay.add_cookies(cookies)
        stolen = replay.new_page()
        stolen.goto("/staff/")
        expect(stolen).to_have_url(re.compile("/auth/login"))
        expect(stolen.get_by_role("heading", name="Staff sign in")).to_be_visible()
    finally:
        replay.close()
