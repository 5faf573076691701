"""The framework under review in a real browser: an administrator proposes a new rubric, a
supervisor for every country approves it, and the public methodology changes page shows what
changed; a translator enters a French translation of an indicator's title, it is approved, and
the French profile shows it. Every page on the way is checked with axe-core."""

import re

from playwright.sync_api import expect

from .conftest import axe_violations, log_in, screenshot

INDICATOR = "Background Check Required"
NEW_PARTIAL = "Checks are required for some professions working with children, not all."
FRENCH_TITLE = "Données publiques sur les affaires d’exploitation sexuelle d’enfants"


def _no_violations(page, name: str) -> None:
    assert axe_violations(page) == [], name


def test_an_admin_revises_a_rubric_and_a_supervisor_approves_it(new_page):
    admin = new_page()
    log_in(admin, "admin@example.org")
    admin.get_by_role("link", name="Administration").first.click()
    admin.get_by_role("navigation", name="Administration").get_by_role(
        "link", name="Indicators"
    ).click()
    admin.get_by_role("link", name=re.compile(rf"Propose new wording\s*: {INDICATOR}")).click()
    _no_violations(admin, "revision form")
    admin.get_by_label("What “Partial” means").fill(NEW_PARTIAL)
    admin.get_by_role("button", name="Submit for review").click()
    expect(admin.get_by_role("status").first).to_contain_text("saved")
    expect(admin.get_by_text("Awaiting review").first).to_be_visible()
    expect(admin.locator("ins").filter(has_text="children").first).to_be_visible()
    # The author cannot decide on it.
    expect(admin.get_by_role("button", name="Approve and publish")).to_have_count(0)
    _no_violations(admin, "revision, author")

    supervisor = new_page()
    log_in(supervisor, "supervisor2@example.org")
    supervisor.get_by_role("link", name="Profile content").first.click()
    supervisor.get_by_role("link", name="Framework review").first.click()
    _no_violations(supervisor, "framework overview")
    supervisor.get_by_role("row").filter(has_text=INDICATOR).get_by_role("link").first.click()
    expect(supervisor.get_by_role("heading", level=1)).to_contain_text(INDICATOR)
    screenshot(supervisor, "framework-revision-review")
    supervisor.get_by_role("button", name="Approve and publish").click()
    expect(supervisor.get_by_role("status").first).to_contain_text("Approved")

    public = new_page()
    public.goto("/methodology")
    public.get_by_role("link", name="Every change to the framework, with what changed").click()
    expect(public.get_by_role("heading", level=1)).to_have_text("Methodology changes")
    entry = public.get_by_role("listitem").filter(has_text=INDICATOR).first
    expect(entry).to_contain_text("revision 2")
    expect(entry.locator("ins").filter(has_text="children").first).to_be_visible()
    _no_violations(public, "methodology changes")
    screenshot(public, "methodology-changes")
    entry.get_by_role("link").first.click()
    expect(public.get_by_text(NEW_PARTIAL)).to_be_visible()
    expect(public.get_by_text("the current wording")).to_be_visible()
    _no_violations(public, "indicator revision")


def test_a_translator_enters_a_french_title_that_is_approved_and_shown(new_page):
    translator = new_page()
    log_in(translator, "translator@example.org")
    translator.goto("/admin/framework/")
    translator.get_by_role(
        "link", name=re.compile(r"Translate\s*: Public SEC Case Data, Français")
    ).click()
    _no_violations(translator, "translation form")
    screenshot(translator, "framework-translate")
    translator.get_by_label("Title").fill(FRENCH_TITLE)
    translator.get_by_role("button", name="Submit for review").click()
    expect(translator.get_by_role("status").first).to_contain_text("saved")
    expect(translator.get_by_text(FRENCH_TITLE)).to_be_visible()

    supervisor = new_page()
    log_in(supervisor, "supervisor2@example.org")
    supervisor.goto("/admin/framework/")
    supervisor.get_by_role("row").filter(has_text="Translation into French").get_by_role(
        "link"
    ).first.click()
    supervisor.get_by_role("button", name="Approve and publish").click()
    expect(supervisor.get_by_role("status").first).to_contain_text("Approved")

    public = new_page()
    public.goto("/fr/countries/kz")
    heading = public.get_by_role("heading", name=FRENCH_TITLE)
    expect(heading).to_be_visible()
    assert heading.get_attribute("lang") is None  # shown translated: no English mark
    assert public.locator("html").get_attribute("lang") == "fr"
    _no_violations(public, "French profile")
    screenshot(public, "profile-french-translation")
    public.goto("/countries/kz")
    expect(public.get_by_role("heading", name="Public SEC Case Data")).to_be_visible()
