"""The review journey in a real browser, by what a person sees and clicks: a reviewer drafts and
submits, a supervisor asks for changes, the reviewer fixes and resubmits, the supervisor
approves, and the public site, its permalink and its CSV carry the result. Every page on the way
is checked with axe-core; the key pages are photographed at desktop and phone widths."""

import csv
import io
import json
import re

from playwright.sync_api import expect

from .conftest import axe_violations, hand_made_post, log_in, screenshot

ANALYSIS = "The Criminal Code defines child sexual abuse material only in part."
FIXED = ANALYSIS + " Possession without intent to distribute is not an offence."


class Audit:
    """Collects axe-core violations of every page visited, to assert none at the end."""

    def __init__(self) -> None:
        self.found: dict[str, list] = {}

    def check(self, page, name: str) -> None:
        violations = axe_violations(page)
        if violations:
            self.found[f"{name} {page.url}"] = violations


def _start_csam_draft(page, audit):
    # The first link: an earlier browser test may have left an assignment for Kazakhstan, which
    # the staff home lists with its own link to the country.
    page.get_by_role("link", name="Kazakhstan").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kazakhstan")
    audit.check(page, "staff country")
    page.get_by_role("button", name=re.compile(r"Start a draft\s*: CSAM Definition")).click()
    expect(page.get_by_role("status")).to_contain_text("Draft started")
    return int(page.url.rstrip("/").rsplit("/", 1)[1])


def test_draft_review_return_fix_approve_publish(new_page, live_server):
    audit = Audit()

    # The reviewer drafts CSAM Definition for Kazakhstan and submits it.
    reviewer = new_page()
    log_in(reviewer, "reviewer@example.org")
    audit.check(reviewer, "staff home")
    version_id = _start_csam_draft(reviewer, audit)
    reviewer.get_by_label("Partial").check()
    reviewer.get_by_label("Text of the analysis (Markdown)").fill(ANALYSIS)
    reviewer.get_by_role("button", name="Add citation row").click()
    citation = reviewer.get_by_role("group", name="Citation 1")
    citation.get_by_label("Instrument", exact=True).select_option(label="Criminal Code (2014)")
    citation.get_by_label("Provision").fill("Article 311")
    reviewer.get_by_role("button", name="Add source row").click()
    source = reviewer.get_by_role("group", name="Source 1")
    source.get_by_label("Title").fill("Criminal Code of the Republic of Kazakhstan")
    source.get_by_label("Publisher").fill("Adilet legal information system")
    source.get_by_label("Year", exact=True).fill("2014")
    audit.check(reviewer, "editor with rows")
    reviewer.get_by_role("button", name="Save draft").last.click()
    expect(reviewer.get_by_role("status")).to_contain_text("saved")
    expect(reviewer.get_by_label("Provision")).to_have_value("Article 311")
    reviewer.get_by_role("button", name="Save and submit for review").click()
    expect(reviewer.get_by_role("status")).to_contain_text("Submitted for review")
    expect(reviewer.get_by_text("Awaiting review").first).to_be_visible()
    audit.check(reviewer, "submitted version")

    # The supervisor finds it awaiting review, reads the diff and asks for changes.
    supervisor = new_page()
    log_in(supervisor, "supervisor@example.org")
    supervisor.get_by_role("link", name="Awaiting my review").click()
    audit.check(supervisor, "review queue")
    row = supervisor.get_by_role("row").filter(has_text="CSAM Definition")
    expect(row).to_contain_text("Aigerim Reviewer")
    row.get_by_role("link", name=re.compile("CSAM Definition")).click()
    expect(
        supervisor.get_by_role("heading", name="Changes against the published version").first
    ).to_be_visible()
    expect(supervisor.get_by_text(ANALYSIS)).to_be_visible()
    expect(supervisor.get_by_role("row").filter(has_text="Article 311")).to_contain_text("Added")
    audit.check(supervisor, "review diff")
    screenshot(supervisor, "review-diff-1280")
    supervisor.set_viewport_size({"width": 390, "height": 900})
    screenshot(supervisor, "review-diff-390")
    supervisor.set_viewport_size({"width": 1280, "height": 900})
    supervisor.get_by_label("Decision comment").fill("Say whether possession alone is an offence.")
    supervisor.get_by_role("button", name="Request changes").click()
    expect(supervisor.get_by_text("Changes requested").first).to_be_visible()

    # The reviewer finds it returned, fixes it and resubmits.
    reviewer.goto("/staff/")
    reviewer.get_by_role("link", name="Returned to me").click()
    audit.check(reviewer, "returned queue")
    reviewer.get_by_role("row").filter(has_text="CSAM Definition").get_by_role(
        "link", name=re.compile("CSAM Definition")
    ).click()
    expect(
        reviewer.get_by_text("Say whether possession alone is an offence.").first
    ).to_be_visible()
    audit.check(reviewer, "editor, changes requested")
    reviewer.get_by_label("Text of the analysis (Markdown)").fill(FIXED)
    reviewer.get_by_role("button", name="Save and submit for review").click()
    expect(reviewer.get_by_role("status")).to_contain_text("Submitted for review")

    # The reviewer cannot approve: no button, and a hand-made POST is refused.
    expect(reviewer.get_by_role("button", name="Approve and publish")).to_have_count(0)
    assert hand_made_post(reviewer, f"/staff/versions/{version_id}/approve") == 403
    expect(reviewer.get_by_role("alert")).to_be_visible()

    # The supervisor, who only commented, approves.
    supervisor.goto(f"/staff/versions/{version_id}")
    expect(supervisor.get_by_text("possession without intent", exact=False)).to_be_visible()
    supervisor.get_by_role("button", name="Approve and publish").click()
    expect(supervisor.get_by_text("Published", exact=False).first).to_be_visible()
    audit.check(supervisor, "published version")

    # The public sees it: profile, history with the approver, permalink, CSV.
    public = new_page()
    public.goto("/countries/kz")
    section = (
        public.get_by_role("region", name="CSAM Definition")
        .or_(
            public.locator("section, article, li").filter(
                has=public.get_by_role("heading", name="CSAM Definition")
            )
        )
        .first
    )
    expect(section).to_contain_text("Partial")
    audit.check(public, "public profile")
    screenshot(public, "public-profile-1280")
    # The summary at the top links to the section; its "Details" link leads to the history.
    public.get_by_role("link", name=re.compile("Details.*CSAM Definition")).first.click()
    history = public.get_by_role("region", name="History")
    expect(history).to_contain_text("Version 1")
    expect(history).to_contain_text("approved by Dana Supervisor")
    audit.check(public, "public assessment")
    history.get_by_role("link", name="Version 1").click()
    expect(public).to_have_url(re.compile(r"/countries/kz/csam-definition/v/1$"))
    expect(public.get_by_text(FIXED)).to_be_visible()
    expect(public.get_by_label("Cite this version")).to_have_value(
        re.compile("/countries/kz/csam-definition/v/1")
    )
    audit.check(public, "permalink")
    public.goto("/data/")
    audit.check(public, "data")
    with public.expect_download() as download:
        public.get_by_role("link", name="Assessments as CSV").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    kz = [r for r in rows if "csam" in json.dumps(r).lower() and "KZ" in json.dumps(r)]
    assert kz, rows[:2]
    assert "Partial" in json.dumps(kz), kz
    assert "Article 311" in json.dumps(kz), kz

    assert audit.found == {}, json.dumps(audit.found, indent=1)
