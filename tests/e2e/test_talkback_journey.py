"""Talking back in a real browser (issue 17.11): a reader suggests a correction on a public
assessment and gets a reference number; the country's reviewer finds it in the queue, starts a
draft from it in one click and enters the Ministry's reply; a supervisor approves the reply and the
public page shows it beside the assessment. Every page on the way is checked with axe-core."""

import re

from playwright.sync_api import expect

from .conftest import axe_violations, log_in, screenshot

ASSESSMENT = "/countries/kz/sec-police-unit"
WRONG = "A specialised unit was created by Order No. 17 of 2026; the assessment predates it."


def _no_violations(page, name: str) -> None:
    assert axe_violations(page) == [], name


def test_a_suggestion_becomes_a_draft_and_a_reply_appears_beside_the_assessment(new_page):
    reader = new_page()
    reader.goto(ASSESSMENT)
    reader.get_by_role("link", name=re.compile(r"^Suggest a correction")).click()
    expect(reader.get_by_role("heading", level=1)).to_contain_text("Suggest a correction")
    _no_violations(reader, "suggestion form")
    reader.get_by_role("button", name="Send the suggestion").click()
    expect(reader.get_by_role("alert")).to_contain_text("Correct the fields marked below.")
    reader.get_by_label("What is wrong?").fill(WRONG)
    reader.get_by_label("Evidence: links (optional)").fill("https://adilet.zan.kz/order-17")
    reader.get_by_label("Your e-mail address (optional)").fill("reader@example.org")
    reader.get_by_role("button", name="Send the suggestion").click()
    expect(reader.get_by_role("heading", level=1)).to_contain_text("your suggestion was received")
    reference = re.search(r"C-\d{4}-\d{6}", reader.get_by_role("status").inner_text()).group(0)
    _no_violations(reader, "thank-you page")
    screenshot(reader, "suggestion-thanks")

    reviewer = new_page()
    log_in(reviewer, "reviewer@example.org")
    reviewer.goto("/staff/")
    reviewer.get_by_role("link", name="Corrections suggested by readers").click()
    _no_violations(reviewer, "suggestion queue")
    reviewer.get_by_role("link", name=reference).click()
    expect(reviewer.get_by_text(WRONG)).to_be_visible()
    _no_violations(reviewer, "suggestion page")
    screenshot(reviewer, "suggestion-page")
    reviewer.get_by_role("button", name="Start a draft from this").click()
    expect(reviewer.get_by_role("heading", name="Suggested by a reader")).to_be_visible()
    expect(reviewer.get_by_text(WRONG)).to_be_visible()

    reviewer.goto("/staff/suggestions?state=in_progress")
    reviewer.get_by_role("link", name=reference).click()
    reviewer.get_by_role("link", name="Enter a reply from an organisation").click()
    _no_violations(reviewer, "reply form")
    reviewer.get_by_label("Organisation", exact=True).fill(
        "Ministry of Internal Affairs of Kazakhstan"
    )
    reviewer.get_by_label("Government").check()
    reviewer.get_by_label("Date received").fill("2026-11-20")
    reviewer.get_by_label("The reply, as the organisation wrote it (Markdown)").fill(
        "The unit began work on 1 October 2026."
    )
    reviewer.get_by_role("button", name="Save and submit for review").click()
    expect(reviewer.get_by_text("Awaiting review").first).to_be_visible()
    _no_violations(reviewer, "reply page")

    supervisor = new_page()
    log_in(supervisor, "supervisor@example.org")
    supervisor.goto("/staff/replies")
    supervisor.get_by_role("link", name="Ministry of Internal Affairs of Kazakhstan").click()
    supervisor.get_by_role("button", name="Approve and publish").click()
    expect(supervisor.get_by_role("status").first).to_contain_text("Approved")

    reader.goto(ASSESSMENT)
    expect(
        reader.get_by_role(
            "heading",
            name="Reply from Ministry of Internal Affairs of Kazakhstan, November 20, 2026",
        )
    ).to_be_visible()
    expect(reader.get_by_text("The unit began work on 1 October 2026.")).to_be_visible()
    _no_violations(reader, "assessment with a reply")
    screenshot(reader, "assessment-with-reply")
