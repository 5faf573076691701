"""Review cycles in a real browser: an administrator opens a cycle over Kazakhstan with its
reviewer assigned, the reviewer finds the assignment and its due date on the staff home, the
cycle's page shows its progress, and the supervisor's dashboard shows the waits. axe-core on
every page."""

import datetime
import re

from playwright.sync_api import expect

from .conftest import axe_violations, log_in, screenshot


def test_an_admin_opens_a_cycle_and_the_reviewer_finds_the_assignment(new_page):
    due = datetime.date.today() + datetime.timedelta(days=60)
    admin = new_page()
    log_in(admin, "admin@example.org")
    admin.goto("/admin/cycles/")
    assert axe_violations(admin) == []
    admin.goto("/admin/cycles/new")
    admin.get_by_label("Name").fill("Annual review 2027")
    admin.get_by_label("Due date").fill(due.isoformat())
    admin.get_by_label("Countries").fill("KZ")
    for box in admin.locator("input[name=indicators]").all():  # every one is ticked at first
        box.uncheck()
    admin.get_by_label("Age of Consent").check()
    admin.get_by_label("Background Check Required").check()
    admin.get_by_label("Who is assigned").fill("KZ: reviewer@example.org")
    assert axe_violations(admin) == []
    admin.get_by_role("button", name="Open the cycle").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Annual review 2027")
    progress = admin.locator("table.progress").first
    row = progress.get_by_role("row").filter(has_text="Kazakhstan")
    expect(row).to_contain_text("Aigerim Reviewer")  # the assigned reviewer
    # Two indicators, neither published since the cycle opened: 0 done, 0 in review, 2 to do.
    expect(progress.locator("tfoot")).to_have_text(re.compile(r"All countries\s+0\s+0\s+2\s+2"))
    assert axe_violations(admin) == []
    screenshot(admin, "cycle-progress")

    reviewer = new_page()
    log_in(reviewer, "reviewer@example.org")
    reviewer.goto("/staff/")
    assignments = reviewer.get_by_role("region", name="My assignments")
    entry = assignments.get_by_role("row").filter(has_text="Kazakhstan")
    expect(entry).to_contain_text("Annual review 2027")
    expect(entry.locator("time")).to_have_attribute("datetime", due.isoformat())
    assert axe_violations(reviewer) == []
    entry.get_by_role("link", name="Kazakhstan").click()
    expect(reviewer.locator(".cycle-notice")).to_contain_text("Annual review 2027")
    expect(reviewer.locator(".cycle-notice strong")).to_have_text("you")

    supervisor = new_page()
    log_in(supervisor, "supervisor@example.org")
    supervisor.goto("/staff/")
    supervisor.get_by_role("link", name="Supervisor dashboard: waits and work per reviewer").click()
    expect(supervisor.get_by_role("heading", level=1)).to_have_text("Supervisor dashboard")
    expect(supervisor.locator("table.dashboard-work")).to_contain_text("Aigerim Reviewer")
    assert axe_violations(supervisor) == []
