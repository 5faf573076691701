"""The work queues: awaiting my review (only where I may decide), returned to me, my drafts;
their filters and pages, and a fixed number of statements per page whatever the data size."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from assess.extensions import db
from assess.models import Version
from assess.services import assessments

from .queue_data import bulk_work, count_queries, country_id, draft, indicator_ids, submitted


@pytest.fixture
def team(make_user):
    return {
        "reviewer": make_user("reviewer", ["KZ"], name="Aigerim"),
        "supervisor": make_user("supervisor", ["KZ"], name="Dana"),
        "fr_supervisor": make_user("supervisor", ["FR"], name="Claire"),
        "fr_reviewer": make_user("reviewer", ["FR"], name="Jean"),
        "admin": make_user("admin", name="Ada"),
    }


def rows(page: str) -> list[str]:
    """The table rows of a queue page, tags stripped, one string each."""
    import re

    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return [
        " ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in body.split("</tr>") if "<t" in row
    ]


def age(version_id: int, days: int) -> None:
    """Make a version look `days` old in every state."""
    then = datetime.now(UTC) - timedelta(days=days)
    db.session.execute(
        update(Version)
        .where(Version.id == version_id)
        .values(submitted_at=then, decided_at=then, updated_at=then, created_at=then)
    )
    db.session.commit()


def test_awaiting_review_lists_what_the_supervisor_may_decide_oldest_first(client, auth, team):
    newer = submitted(team["reviewer"], position=2)
    older = submitted(team["reviewer"], position=3)
    age(older.id, 3)
    auth.login(team["supervisor"])
    page = client.get("/staff/queue/review").get_data(as_text=True)
    first, second = rows(page)
    assert first == "Kazakhstan Background Check Required , Kazakhstan ✓ Yes Aigerim 3 days"
    assert second.startswith("Kazakhstan CSAM Definition , Kazakhstan ✓ Yes Aigerim ")
    assert second.endswith(("second", "seconds", "minute", "minutes"))
    assert f'href="/staff/versions/{older.id}"' in page
    assert page.index(f"/staff/versions/{older.id}") < page.index(f"/staff/versions/{newer.id}")
    assert "2 versions" in page


def test_awaiting_review_hides_what_the_user_may_not_decide(client, auth, team):
    own = draft(team["supervisor"], position=4)
    assessments.submit(team["supervisor"], own.id)  # his own: four-eyes
    theirs = submitted(team["reviewer"], position=2)
    auth.login(team["supervisor"])
    page = client.get("/staff/queue/review").get_data(as_text=True)
    assert f"/staff/versions/{theirs.id}" in page
    assert f'href="/staff/versions/{own.id}">' not in page.split("Needs a second supervisor")[0]
    auth.logout()
    for name in ("fr_supervisor", "reviewer", "admin"):
        auth.login(team[name])
        page = client.get("/staff/queue/review").get_data(as_text=True)
        assert rows(page.split('id="stuck"')[0]) == [], name
        assert "Nothing awaits your review." in page, name
        auth.logout()
    auth.login(team["reviewer"])
    page = client.get("/staff/queue/review").get_data(as_text=True)
    assert "You do not supervise any country" in page


def test_a_submission_nobody_may_decide_says_it_needs_a_second_supervisor(
    client, auth, team, make_user
):
    version = draft(team["supervisor"], position=5)
    assessments.submit(team["supervisor"], version.id)
    for name in ("supervisor", "admin"):
        auth.login(team[name])
        page = client.get("/staff/queue/review").get_data(as_text=True)
        stuck = rows(page.split('id="stuck"')[1])
        assert len(stuck) == 1, name
        assert "Kazakhstan Child Advocacy Centers" in stuck[0]
        assert "Needs a second supervisor" in stuck[0]
        auth.logout()
    auth.login(team["supervisor"])
    drafts = rows(client.get("/staff/queue/drafts").get_data(as_text=True))
    assert drafts[0].startswith("Kazakhstan Child Advocacy Centers , Kazakhstan ⚠ Needs a second")
    auth.logout()
    auth.login(team["fr_supervisor"])  # not theirs to worry about
    assert 'id="stuck"' not in client.get("/staff/queue/review").get_data(as_text=True)
    auth.logout()

    second = make_user("supervisor", ["KZ"], name="Erlan")
    auth.login(second)
    page = client.get("/staff/queue/review").get_data(as_text=True)
    assert 'id="stuck"' not in page
    assert f"/staff/versions/{version.id}" in page
    auth.logout()
    auth.login(team["supervisor"])
    drafts = rows(client.get("/staff/queue/drafts").get_data(as_text=True))
    assert "◷ In review" in drafts[0]


def test_returned_lists_changes_requested_on_my_work(client, auth, team):
    version = submitted(team["reviewer"], position=2)
    other = submitted(team["reviewer"], position=3)
    assessments.request_changes(team["supervisor"], version.id, "Cite the article, please.")
    auth.login(team["reviewer"])
    page = client.get("/staff/queue/returned").get_data(as_text=True)
    assert len(rows(page)) == 1
    assert rows(page)[0].startswith("Kazakhstan CSAM Definition , Kazakhstan Dana Cite the article")
    assert f"/staff/versions/{other.id}" not in page
    auth.logout()
    auth.login(team["supervisor"])
    page = client.get("/staff/queue/returned").get_data(as_text=True)
    assert rows(page) == []
    assert "Nothing has been returned to you." in page


def test_my_drafts_lists_drafts_and_waiting_submissions_and_filters_by_state(client, auth, team):
    mine = draft(team["reviewer"], position=2)
    waiting = submitted(team["reviewer"], position=3)
    returned = submitted(team["reviewer"], position=4)
    assessments.request_changes(team["supervisor"], returned.id, "Not yet.")
    auth.login(team["reviewer"])
    page = client.get("/staff/queue/drafts").get_data(as_text=True)
    assert len(rows(page)) == 2
    assert f"/staff/versions/{mine.id}" in page
    assert f"/staff/versions/{waiting.id}" in page
    assert f"/staff/versions/{returned.id}" not in page  # under "Returned to me"
    only_drafts = client.get("/staff/queue/drafts?state=draft").get_data(as_text=True)
    assert [r.split(" , ")[0] for r in rows(only_drafts)] == ["Kazakhstan CSAM Definition"]
    assert "✎ Draft" in rows(only_drafts)[0]
    auth.logout()
    auth.login(team["supervisor"])
    assert rows(client.get("/staff/queue/drafts").get_data(as_text=True)) == []


def test_filters_by_country_indicator_and_age(client, auth, team, make_user):
    both = make_user("reviewer", ["KZ", "FR"], name="Both")
    global_supervisor = make_user("supervisor", name="Marc")
    kz_new = submitted(both, "KZ", position=2)
    kz_old = submitted(both, "KZ", position=3)
    fr_old = submitted(both, "FR", position=2)
    age(kz_old.id, 10)
    age(fr_old.id, 40)
    auth.login(global_supervisor)

    def listed(query: str) -> set[int]:
        page = client.get("/staff/queue/review" + query).get_data(as_text=True)
        return {v.id for v in (kz_new, kz_old, fr_old) if f"/staff/versions/{v.id}" in page}

    assert listed("") == {kz_new.id, kz_old.id, fr_old.id}
    assert listed("?country=KZ") == {kz_new.id, kz_old.id}
    assert listed("?country=fr") == {fr_old.id}
    assert listed("?indicator=csam-definition") == {kz_new.id, fr_old.id}
    assert listed("?older_than=7") == {kz_old.id, fr_old.id}
    assert listed("?older_than=30") == {fr_old.id}
    assert listed("?country=KZ&older_than=7&indicator=csam-definition") == set()
    page = client.get("/staff/queue/review?country=KZ").get_data(as_text=True)
    assert '<option value="KZ" selected>Kazakhstan</option>' in page
    assert "Clear filters" in page


@pytest.mark.parametrize(
    "query",
    [
        "?page=abc",
        "?page=-3",
        "?page=0",
        "?page=99999999999999999999",
        "?page=1000",
        "?country=ZZZ",
        "?indicator=%3Cscript%3E",
        "?older_than=5",
        "?older_than=-1",
        "?state=published",
    ],
)
@pytest.mark.parametrize("queue", ["review", "returned", "drafts"])
def test_odd_arguments_are_ignored_not_errors(client, auth, team, queue, query):
    # (A NUL character is refused with 400 for every request: tests/test_security_input.py.)
    submitted(team["reviewer"])
    auth.login(team["supervisor"])
    response = client.get(f"/staff/queue/{queue}{query}")
    assert response.status_code == 200
    assert "<script>" not in response.get_data(as_text=True)


def test_pages_hold_25_rows_with_links_that_keep_the_filters(client, auth, make_user):
    reviewer = make_user("reviewer", name="Bulk")
    supervisor = make_user("supervisor", name="Marc")
    bulk_work(author_id=reviewer.id, states=["submitted"], limit=30, published=False)
    auth.login(supervisor)
    first = client.get("/staff/queue/review?older_than=1").get_data(as_text=True)
    assert len(rows(first)) == 25
    assert "30 versions, showing 1–25" in first
    assert "Page 1 of 2" in first
    assert 'href="/staff/queue/review?older_than=1&amp;page=2" rel="next"' in first
    second = client.get("/staff/queue/review?older_than=1&page=2").get_data(as_text=True)
    assert len(rows(second)) == 5
    assert 'href="/staff/queue/review?older_than=1&amp;page=1" rel="prev"' in second
    assert set(rows(first)).isdisjoint(rows(second))
    past = client.get("/staff/queue/review?page=9").get_data(as_text=True)
    assert "This page is past the end of the list." in past
    assert "showing" not in past


@pytest.mark.parametrize(
    ("queue", "state"),
    [("review", "submitted"), ("returned", "changes_requested"), ("drafts", "draft")],
)
def test_a_queue_page_costs_the_same_statements_for_3_or_3000_items(
    client, auth, make_user, queue, state
):
    author = make_user("supervisor", name="Author")  # a contributor for returned and drafts
    reviewer_of_all = make_user("supervisor", name="Decider")  # eligible for the review queue
    user = author if queue != "review" else reviewer_of_all
    indicators = indicator_ids()
    bulk_work(author_id=author.id, states=[state], limit=3, indicators=indicators[:1])
    auth.login(user)
    with count_queries() as few:
        small = client.get(f"/staff/queue/{queue}")
    assert len(rows(small.get_data(as_text=True))) == 3
    bulk_work(author_id=author.id, states=[state], indicators=indicators[1:])
    with count_queries() as many:
        large = client.get(f"/staff/queue/{queue}?page=40")
    assert len(rows(large.get_data(as_text=True))) == 25
    assert many.count == few.count, many
    # The user and grants, the unread count, the filters' countries and indicators, and for each
    # of versions and profile changes a count and a page of those one may decide and of those
    # nobody may decide (the review queue), the replies one may decide (the review queue), and
    # the publishing organisation's settings for the header: 15, whatever the number of items.
    limit = 15 if queue == "review" else 10
    assert few.count <= limit, "\n---\n".join(few)


def test_reviewers_see_only_their_countries_in_returned_and_drafts(client, auth, team):
    version = submitted(team["reviewer"], position=2)
    assessments.request_changes(team["supervisor"], version.id, "More.")
    # The reviewer loses Kazakhstan: its work is no longer theirs to see.
    from assess.models import RoleGrant

    db.session.execute(
        RoleGrant.__table__.delete().where(
            RoleGrant.user_id == team["reviewer"].id,
            RoleGrant.country_id == country_id("KZ"),
        )
    )
    db.session.commit()
    auth.login(team["reviewer"])
    assert rows(client.get("/staff/queue/returned").get_data(as_text=True)) == []


def test_staff_home_links_every_queue_and_the_header_links_them_too(client, auth, team):
    auth.login(team["admin"])
    page = client.get("/staff/").get_data(as_text=True)
    for path in (
        "/staff/queue/review",
        "/staff/queue/returned",
        "/staff/queue/drafts",
        "/staff/matrix",
        "/staff/notifications",
        "/staff/audit",
    ):
        assert f'href="{path}"' in page, path
    auth.logout()
    auth.login(team["reviewer"])
    page = client.get("/staff/").get_data(as_text=True)
    assert 'href="/staff/audit"' not in page
    header = client.get("/").get_data(as_text=True).split("</header>")[0]
    assert 'href="/staff/queue/review"' in header
    assert 'href="/staff/matrix"' in header
    assert 'href="/staff/notifications"' in header


def test_queue_page_is_accessible_markup(client, auth, team):
    submitted(team["reviewer"])
    auth.login(team["supervisor"])
    page = client.get("/staff/queue/review").get_data(as_text=True)
    assert "<caption>Submitted versions awaiting your decision, oldest first</caption>" in page
    assert page.count('<th scope="col">') >= 5
    assert '<th scope="row">Kazakhstan</th>' in page
    assert '<form method="get" class="filters"' in page
    for name in ("country", "indicator", "older_than"):
        assert f'<label for="filter-{name}">' in page
        assert f'<select id="filter-{name}" name="{name}">' in page
    assert 'aria-current="page">Awaiting my review</a>' in page


def test_the_queues_name_countries_in_the_readers_language(client, auth, team):
    submitted(team["reviewer"], position=2)
    auth.login(team["supervisor"])
    page = client.get("/ru/staff/queue/review").get_data(as_text=True)
    (row,) = rows(page)
    assert row.startswith("Казахстан ")
    assert "Kazakhstan" not in row
