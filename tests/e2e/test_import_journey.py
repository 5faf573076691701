"""The import journey in a real browser: the reviewer of Kazakhstan uploads an .xlsx workbook,
reads the dry run (every row named, a typo refused with a suggestion), imports it as one batch;
a supervisor opens the batch from the queues and approves it whole; the public profile shows it.
Every page on the way is checked with axe-core and photographed, the batch page in Arabic too."""

import re

from playwright.sync_api import expect

from ..spreadsheets import xlsx
from .conftest import axe_violations, log_in, own_site, screenshot

ANALYSIS = "Kazakhstan adopted a national action plan against the sexual exploitation of children."
WORKBOOK = xlsx(
    {
        "Assessments": [
            ["country", "indicator", "status", "analysis", "analysis_language"],
            ["KZ", "national-commitments", "Yes", ANALYSIS, "en"],
            ["KZ", "protection-standards-travel-tourism", "No", "No standard applies.\nNone.", "en"],
            ["KS", "public-sec-case-data", "No", "Not published.", "en"],
        ],
        "Members": [
            ["country", "name", "description", "url", "email", "phone"],
            ["KZ", "Almaty Child Helpline", "A helpline for children.", "",
             "help@helpline.example.org", "+7 727 111 11 11"],
        ],
    }
)  # fmt: skip


# A site of its own: the workbook fills Kazakhstan's assessments, of which other browser tests
# leave drafts on the shared site.
e2e_database_url, live_server = own_site()


def test_a_reviewer_imports_a_workbook_and_a_supervisor_approves_the_batch(new_page):
    found: dict[str, list] = {}

    def audit(page, name):
        violations = axe_violations(page)
        if violations:
            found[name] = violations

    reviewer = new_page()
    log_in(reviewer, "reviewer@example.org")
    reviewer.get_by_role("link", name=re.compile("Imports: batches to review")).click()
    reviewer.get_by_role("link", name="Import a spreadsheet").click()
    audit(reviewer, "import form")
    reviewer.get_by_label("File (spreadsheet, CSV or JSON)").set_input_files(
        {
            "name": "kazakhstan.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": WORKBOOK,
        }
    )
    reviewer.get_by_role("button", name="Check the file (dry run)").click()
    expect(reviewer.get_by_role("heading", level=1)).to_have_text("Dry run: kazakhstan.xlsx")
    problem = reviewer.get_by_role("row").filter(has_text="Unknown country")
    expect(problem).to_contain_text("Did you mean KZ (Kazakhstan)?")
    expect(problem.get_by_role("cell").nth(1)).to_have_text("4")  # the spreadsheet's row 4
    ready = reviewer.get_by_role("row").filter(has_text="National Commitments")
    expect(ready).to_contain_text("Kazakhstan (KZ)")
    expect(ready).to_contain_text("English")
    expect(reviewer.get_by_role("row").filter(has_text="Almaty Child Helpline")).to_contain_text(
        "Member organisation"
    )
    audit(reviewer, "dry run")
    screenshot(reviewer, "import-dry-run")
    reviewer.get_by_role("button", name="Import 3 rows").click()
    expect(reviewer.get_by_role("status")).to_contain_text("Imported 3 items from kazakhstan.xlsx")
    expect(reviewer.get_by_text("Imported by Aigerim Reviewer")).to_be_visible()
    expect(reviewer.get_by_role("button", name=re.compile("Approve"))).to_have_count(0)
    batch_url = reviewer.url

    supervisor = new_page()
    log_in(supervisor, "supervisor@example.org")
    supervisor.get_by_role("link", name="Awaiting my review").first.click()
    supervisor.get_by_role("navigation", name="Work queues").get_by_role(
        "link", name="Imports"
    ).click()
    audit(supervisor, "imports list")
    supervisor.get_by_role("link", name="kazakhstan.xlsx").first.click()
    expect(supervisor.get_by_text("You may decide 3 items of this batch.")).to_be_visible()
    items = supervisor.get_by_role("table").filter(has_text="Every item of the batch")
    expect(items.get_by_role("row")).to_have_count(4)
    expect(items).to_contain_text("Protection Standards Travel and Tourism")
    expect(items).to_contain_text("Member organisation: Almaty Child Helpline")
    audit(supervisor, "batch")
    screenshot(supervisor, "import-batch")
    supervisor.get_by_label("Decision comment").fill("Read every row.")
    supervisor.get_by_role("button", name="Approve and publish all 3 items").click()
    expect(supervisor.get_by_role("status")).to_contain_text("Approved 3 items.")
    expect(items.get_by_text("Published")).to_have_count(3)
    screenshot(supervisor, "import-batch-approved")

    supervisor.goto(batch_url.replace("/staff/", "/ar/staff/"))
    expect(supervisor.locator("html")).to_have_attribute("dir", "rtl")
    audit(supervisor, "batch in Arabic")
    screenshot(supervisor, "import-batch-rtl")

    public = new_page()
    public.goto("/countries/kz")
    expect(public.get_by_text(ANALYSIS)).to_be_visible()
    expect(public.get_by_role("link", name="help@helpline.example.org")).to_be_visible()
    assert found == {}
