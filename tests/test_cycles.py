"""Review cycles: an admin opens one (name, due date, countries, indicators, who is assigned),
assigns reviewers only where they hold the role, follows its progress and closes it; reviewers
see their assignments on the staff home."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from assess.extensions import db
from assess.models import (
    AuditEvent,
    Indicator,
    ReviewAssignment,
    ReviewCycle,
    ReviewCycleCountry,
    ReviewCycleIndicator,
    Version,
)
from assess.queries import cycles as cycle_queries
from assess.services import assessments, cycles
from assess.services.errors import PermissionDenied, ValidationError

from .publishing import content, publish, submitted

SLUGS = ("age-of-consent", "csam-definition", "national-commitments")


@pytest.fixture
def team(make_user):
    return {
        "admin": make_user("admin", name="Ada"),
        "rita": make_user("reviewer", ["KZ"], email="rita@example.org", name="Rita"),
        "bob": make_user("reviewer", ["UZ"], email="bob@example.org", name="Bob"),
        "sam": make_user("supervisor", ["KZ", "UZ"], name="Sam"),
    }


def indicator_ids(*slugs: str) -> list[int]:
    rows = db.session.execute(select(Indicator.slug, Indicator.id).where(Indicator.slug.in_(slugs)))
    found = dict(rows.all())
    return [found[slug] for slug in slugs]


def text_rows(page: str, table_class: str = "progress") -> list[str]:
    """Each row of the page's tables of that class, tags stripped."""
    rows = []
    for table in re.findall(rf'<table class="{table_class}">(.*?)</table>', page, re.S):
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
            rows.append(" ".join(re.sub(r"<[^>]+>", " ", row).split()))
    return rows


def open_kz_uz(team, **kwargs) -> ReviewCycle:
    given = {
        "name": "Annual review 2027",
        "due_on": date.today() + timedelta(days=30),
        "country_codes": ["KZ", "UZ"],
        "indicator_ids": indicator_ids(*SLUGS),
        "assignments": [("KZ", "rita@example.org"), ("UZ", "bob@example.org")],
    } | kwargs
    return cycles.open_cycle(team["admin"], cycles.CycleInput(**given))


def test_an_admin_opens_a_cycle_through_the_form(client, auth, team):
    auth.login(team["admin"])
    form = client.get("/admin/cycles/new").get_data(as_text=True)
    assert 'name="due_on"' in form and "Age of Consent" in form
    due = (date.today() + timedelta(days=60)).isoformat()
    response = client.post_form(
        "/admin/cycles/new",
        {
            "name": "Annual review 2027",
            "due_on": due,
            "countries": "kz, UZ",
            "indicators": indicator_ids("age-of-consent", "national-commitments"),
            "assignments": "KZ: rita@example.org\nUZ: bob@example.org",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    cycle = db.session.scalar(select(ReviewCycle))
    assert cycle.name == "Annual review 2027"
    assert cycle.due_on.isoformat() == due
    assert cycle.created_by_id == team["admin"].id and cycle.closed_at is None
    assert sorted(c.country.iso2 for c in cycle.countries) == ["KZ", "UZ"]
    assert sorted(i.indicator.slug for i in cycle.indicators) == [
        "age-of-consent",
        "national-commitments",
    ]
    assert sorted((a.country.iso2, a.reviewer.email) for a in cycle.assignments) == [
        ("KZ", "rita@example.org"),
        ("UZ", "bob@example.org"),
    ]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "open_cycle"))
    assert event.object_type == "reviewcycle" and event.object_id == cycle.id
    assert event.actor_id == team["admin"].id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<h1>Annual review 2027</h1>" in page
    listing = client.get("/admin/cycles/").get_data(as_text=True)
    assert f'href="/admin/cycles/{cycle.id}"' in listing and "Annual review 2027" in listing


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "Give the cycle a name."),
        ({"due_on": "31/12/2027"}, "Not a valid date value."),
        ({"due_on": "2001-01-01"}, "The due date is in the past"),
        ({"countries": ""}, "List at least one country"),
        ({"countries": "KZ, PNN, XX"}, "Unknown country codes: PNN, XX."),
        ({"indicators": []}, "Choose at least one active indicator."),
        ({"assignments": "KZ rita@example.org"}, "Line 1: write a country code, a colon"),
        ({"assignments": "FR: rita@example.org"}, "FR is not among the cycle&#39;s countries"),
        ({"assignments": "KZ: nobody@example.org"}, "No user has the e-mail address"),
        # Bob reviews Uzbekistan, not Kazakhstan.
        ({"assignments": "KZ: bob@example.org"}, "Bob is not a reviewer for Kazakhstan"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(client, auth, team, data, message):
    auth.login(team["admin"])
    form = {
        "name": "Cycle",
        "due_on": (date.today() + timedelta(days=5)).isoformat(),
        "countries": "KZ",
        "indicators": indicator_ids("national-commitments"),
        "assignments": "",
    } | data
    response = client.post_form("/admin/cycles/new", form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    for model in (ReviewCycle, ReviewCycleCountry, ReviewCycleIndicator, ReviewAssignment):
        assert _count(model) == 0
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "open_cycle")) is None


def test_only_admins_manage_cycles(team):
    with pytest.raises(PermissionDenied):
        cycles.open_cycle(
            team["sam"],
            cycles.CycleInput("X", date.today(), ["KZ"], indicator_ids("national-commitments")),
        )
    cycle = open_kz_uz(team)
    for act in (
        lambda: cycles.close_cycle(team["sam"], cycle.id),
        lambda: cycles.list_cycles(team["rita"]),
        lambda: cycles.get_cycle(team["rita"], cycle.id),
    ):
        with pytest.raises(PermissionDenied):
            act()


def test_a_reviewer_is_assigned_only_where_they_hold_the_reviewer_role(client, auth, team):
    cycle = open_kz_uz(team, assignments=[])
    auth.login(team["admin"])
    page = client.get(f"/admin/cycles/{cycle.id}").get_data(as_text=True)
    # Both reviewers are offered: each reviews one of the cycle's countries.
    assert "Rita (rita@example.org)" in page and "Bob (bob@example.org)" in page
    kz = next(c.country_id for c in cycle.countries if c.country.iso2 == "KZ")
    refused = client.post_form(
        f"/admin/cycles/{cycle.id}/assign", {"country": kz, "reviewer": team["bob"].id}
    )
    assert refused.status_code == 422
    assert "Bob is not a reviewer for Kazakhstan" in refused.get_data(as_text=True)
    assert _count(ReviewAssignment) == 0
    # A supervisor is not a reviewer either.
    with pytest.raises(ValidationError, match="Sam is not a reviewer for Kazakhstan"):
        cycles.assign(team["admin"], cycle.id, kz, team["sam"].id)
    done = client.post_form(
        f"/admin/cycles/{cycle.id}/assign", {"country": kz, "reviewer": team["rita"].id}
    )
    assert done.status_code == 303
    assignment = db.session.scalar(select(ReviewAssignment))
    assert (assignment.country_id, assignment.reviewer_id) == (kz, team["rita"].id)
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "assign_reviewer")
    ).details == {"reviewer": team["rita"].id, "country": "KZ"}
    # Twice is refused, and removing takes it away.
    again = client.post_form(
        f"/admin/cycles/{cycle.id}/assign", {"country": kz, "reviewer": team["rita"].id}
    )
    assert again.status_code == 303
    assert "already assigned" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert _count(ReviewAssignment) == 1
    client.post_form(f"/admin/cycles/{cycle.id}/assignments/{assignment.id}/remove")
    assert _count(ReviewAssignment) == 0


def _backdate(version_id: int, days: int) -> None:
    then = datetime.now(UTC) - timedelta(days=days)
    db.session.execute(update(Version).where(Version.id == version_id).values(published_at=then))
    db.session.commit()


def test_the_progress_view_counts_done_in_review_and_not_started(client, auth, team):
    rita, bob, sam = team["rita"], team["bob"], team["sam"]
    # Published before the cycle opened: not the cycle's work.
    old = publish(rita, sam, "KZ", "national-commitments", content("yes", "Old."))
    _backdate(old.id, 10)
    cycle = open_kz_uz(team, assignments=[("KZ", "rita@example.org"), ("UZ", "bob@example.org")])
    publish(rita, sam, "KZ", "age-of-consent", content("no", "Done in the cycle."))
    submitted(rita, "KZ", "csam-definition", content("partial", "Waiting."))
    # A draft is not started, as far as the cycle goes.
    assessments.start_draft(bob, *_ids("UZ", "national-commitments"))
    # Outside the cycle: an indicator it does not cover.
    publish(rita, sam, "KZ", "background-check-required", content("yes", "Elsewhere."))

    result = cycle_queries.progress(cycle_queries.load_cycle(cycle.id))
    by_country = {row.country.iso2: row.counts for row in result.countries}
    assert (by_country["KZ"].done, by_country["KZ"].in_review, by_country["KZ"].not_started) == (
        1,
        1,
        1,
    )
    assert (by_country["UZ"].done, by_country["UZ"].in_review, by_country["UZ"].not_started) == (
        0,
        0,
        3,
    )
    assert (result.total.done, result.total.in_review, result.total.not_started) == (1, 1, 4)

    auth.login(team["admin"])
    page = client.get(f"/admin/cycles/{cycle.id}").get_data(as_text=True)
    assert text_rows(page) == [
        "Country Reviewers Done In review Not started Total",
        "Kazakhstan Rita 1 1 1 3",
        "Uzbekistan Bob 0 0 3 3",
        "All countries 1 1 4 6",
        "Reviewer Countries Done In review Not started Total",
        "Bob Uzbekistan 0 0 3 3",
        "Rita Kazakhstan 1 1 1 3",
    ]


def _ids(iso2, slug):
    from .publishing import ids

    return ids(iso2, slug)


def test_closing_a_cycle_keeps_its_progress_and_refuses_changes(client, auth, team):
    cycle = open_kz_uz(team)
    publish(team["rita"], team["sam"], "KZ", "age-of-consent", content("no", "In time."))
    auth.login(team["admin"])
    response = client.post_form(f"/admin/cycles/{cycle.id}/close")
    assert response.status_code == 303
    db.session.refresh(cycle)
    assert cycle.closed_at is not None
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "close_cycle"))
    # Published after closing: not the cycle's work.
    publish(team["rita"], team["sam"], "KZ", "csam-definition", content("no", "Late."))
    page = client.get(f"/admin/cycles/{cycle.id}").get_data(as_text=True)
    assert "Closed on" in page
    assert "Kazakhstan Rita 1 0 2 3" in text_rows(page)
    assert "Assign a reviewer" not in page
    uz = next(c.country_id for c in cycle.countries if c.country.iso2 == "UZ")
    refused = client.post_form(
        f"/admin/cycles/{cycle.id}/assign", {"country": uz, "reviewer": team["bob"].id}
    )
    assert "was closed on" in client.get(refused.headers["Location"]).get_data(as_text=True)
    assert _count(ReviewAssignment) == 2
    again = client.post_form(f"/admin/cycles/{cycle.id}/close")
    assert "was closed on" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_reviewers_see_their_assignments_on_the_staff_home(client, auth, team):
    cycle = open_kz_uz(team, name="Spring round")
    closed = open_kz_uz(team, name="Old round")
    cycles.close_cycle(team["admin"], closed.id)
    auth.login(team["rita"])
    page = client.get("/staff/").get_data(as_text=True)
    assert "My assignments" in page
    rows = text_rows(page, "assignments")
    due = cycle.due_on
    assert len(rows) == 2  # the heading and Kazakhstan in the open cycle
    assert rows[1].startswith("Kazakhstan Spring round 3 ")
    assert f'<time datetime="{due.isoformat()}">' in page
    assert 'href="/staff/countries/kz"' in page
    assert "Old round" not in page and "Overdue" not in page
    # Past its due date: said in words, not only by colour.
    db.session.execute(
        update(ReviewCycle)
        .where(ReviewCycle.id == cycle.id)
        .values(due_on=date.today() - timedelta(days=1))
    )
    db.session.commit()
    page = client.get("/staff/").get_data(as_text=True)
    assert text_rows(page, "assignments")[1].endswith("Overdue")
    auth.logout()
    auth.login(team["sam"])  # assigned nowhere
    assert "My assignments" not in client.get("/staff/").get_data(as_text=True)


def test_the_audit_log_names_the_cycle_events(client, auth, team):
    cycle = open_kz_uz(team)
    cycles.close_cycle(team["admin"], cycle.id)
    auth.login(team["admin"])
    page = client.get("/staff/audit").get_data(as_text=True)
    assert "Review cycle opened" in page and "Review cycle closed" in page
    assert "open cycle" not in page


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_new_pages_show_no_english_interface_text(client, auth, team, language):
    from .test_i18n_catalogues import english_phrases, visible_text

    cycle = open_kz_uz(team)
    publish(team["rita"], team["sam"], "KZ", "age-of-consent", content())
    phrases = english_phrases(language)
    leftovers = {}
    for user, urls in (
        (team["admin"], ["/admin/cycles/", "/admin/cycles/new", f"/admin/cycles/{cycle.id}"]),
        (team["rita"], ["/staff/", "/staff/countries/kz"]),
        (team["sam"], ["/staff/dashboard"]),
    ):
        auth.login(user)
        client.set_cookie("lang", language)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            text = visible_text(response.get_data(as_text=True), language)
            found = sorted(phrase for phrase in phrases if phrase in text)
            if found:
                leftovers[url] = found
        auth.logout()
    assert leftovers == {}


def test_the_staff_country_page_names_its_open_cycles_and_who_is_assigned(client, auth, team):
    cycle = open_kz_uz(team)
    auth.login(team["rita"])
    page = client.get("/staff/countries/kz").get_data(as_text=True)
    notice = " ".join(
        re.sub(r"<[^>]+>", " ", page.split('cycle-notice">')[1].split("</p>")[0]).split()
    )
    assert notice.startswith("Review cycle “Annual review 2027”, due on ")
    assert notice.endswith("Assigned: you")
    auth.logout()
    auth.login(team["sam"])
    page = client.get("/staff/countries/kz").get_data(as_text=True)
    assert "Assigned: Rita" in " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Bob" not in page  # Uzbekistan's reviewer
    cycles.close_cycle(team["admin"], cycle.id)
    assert "cycle-notice" not in client.get("/staff/countries/kz").get_data(as_text=True)


def test_the_cycle_page_costs_the_same_statements_for_2_or_10_countries(
    client, auth, team, make_user
):
    from .queue_data import bulk_work, count_queries, country_id

    everywhere = make_user("reviewer", name="Vera", email="vera@example.org")  # every country
    small = open_kz_uz(team, assignments=[("KZ", "vera@example.org"), ("UZ", "vera@example.org")])
    codes = ["KZ", "UZ", "KG", "TJ", "TM", "FR", "DE", "ES", "IT", "PT"]
    large = open_kz_uz(
        team, country_codes=codes, assignments=[(code, "vera@example.org") for code in codes]
    )
    # Work in every cell of the large cycle: submitted, drafts, nothing open.
    bulk_work(
        author_id=everywhere.id,
        states=["submitted", "draft", ""],
        countries=[country_id(code) for code in codes[2:]],
        indicators=indicator_ids(*SLUGS),
    )
    auth.login(team["admin"])
    with count_queries() as few:
        client.get(f"/admin/cycles/{small.id}")
    with count_queries() as many:
        page = client.get(f"/admin/cycles/{large.id}").get_data(as_text=True)
    assert len(text_rows(page)) == 1 + 10 + 1 + 1 + 1  # headings, countries, total, Vera
    assert "Kyrgyzstan Vera 0 1 2 3" in text_rows(page)
    assert many.count == few.count, many
