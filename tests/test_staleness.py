"""Staleness: an assessment is due for review `REVIEW_INTERVAL_DAYS` after its last
publication. Overdue ones carry "Review overdue" on the staff country page, the queues and the
coverage matrix, and a quiet "Last reviewed on …" on the public assessment page and profile,
from the first visit of the day it becomes overdue (kept bodies, stored responses and ETags
follow the day)."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from assess import staleness
from assess.extensions import db
from assess.models import Version
from assess.public import helpers

from .publishing import content, draft, publish, submitted
from .queue_data import count_queries

BADGE = "Review overdue"


@pytest.fixture
def people(make_user):
    return make_user("reviewer", ["KZ"], name="Rita"), make_user("supervisor", ["KZ"], name="Sam")


def published_days_ago(version: Version, days: int) -> None:
    then = datetime.now(UTC) - timedelta(days=days)
    db.session.execute(update(Version).where(Version.id == version.id).values(published_at=then))
    db.session.commit()


def row_of(page: str, slug: str) -> str:
    found = re.search(rf'<tr id="ind-{slug}">(.*?)</tr>', page, re.S)
    assert found, slug
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_review_due_is_the_last_publication_plus_the_interval(app):
    published = datetime(2025, 1, 10, 23, 30, tzinfo=UTC)
    assert staleness.review_due(published) == date(2026, 1, 10)
    assert not staleness.is_overdue(published, on=date(2026, 1, 10))
    assert staleness.is_overdue(published, on=date(2026, 1, 11))
    assert staleness.review_due(None) is None and not staleness.is_overdue(None)
    # The SQL form agrees: published before midnight of the day one interval ago.
    assert staleness.overdue_before(date(2026, 1, 11)) == datetime(2025, 1, 11, tzinfo=UTC)
    app.config["REVIEW_INTERVAL_DAYS"] = 30
    assert staleness.review_due(published) == date(2025, 2, 9)


def test_the_default_interval_is_a_year(app):
    assert app.config["REVIEW_INTERVAL_DAYS"] == 365


def test_the_staff_country_page_marks_overdue_assessments_only(client, auth, people):
    reviewer, supervisor = people
    old = publish(reviewer, supervisor, "KZ", "age-of-consent", content("yes", "Old."))
    publish(reviewer, supervisor, "KZ", "csam-definition", content("no", "Recent."))
    published_days_ago(old, 400)
    auth.login(reviewer)
    page = client.get("/staff/countries/kz").get_data(as_text=True)
    due = staleness.review_due(db.session.get(Version, old.id).published_at)
    assert BADGE in row_of(page, "age-of-consent")
    assert due.strftime("%b %-d, %Y") in row_of(page, "age-of-consent")
    assert BADGE not in row_of(page, "csam-definition")
    # A shorter interval makes the recent one overdue too; a longer one neither.
    app = client.application
    app.config["REVIEW_INTERVAL_DAYS"] = 1000
    assert BADGE not in client.get("/staff/countries/kz").get_data(as_text=True)


def test_a_shorter_interval_from_the_configuration(make_app, people):
    reviewer, supervisor = people
    version = publish(reviewer, supervisor, "KZ", "age-of-consent", content("yes", "Finding."))
    published_days_ago(version, 40)
    for days, overdue in ((30, True), (365, False)):
        other = make_app(REVIEW_INTERVAL_DAYS=days)
        with other.app_context():
            client = other.test_client()
            client.post_form(
                "/auth/login", {"email": reviewer.email, "password": "a long test passphrase"}
            )
            page = client.get("/staff/countries/kz").get_data(as_text=True)
            assert (BADGE in row_of(page, "age-of-consent")) is overdue, days


def test_the_queues_mark_work_on_an_overdue_assessment(client, auth, people, make_user):
    reviewer, supervisor = people
    old = publish(reviewer, supervisor, "KZ", "age-of-consent", content("yes", "Old."))
    published_days_ago(old, 400)
    publish(reviewer, supervisor, "KZ", "csam-definition", content("no", "Recent."))
    submitted(reviewer, "KZ", "age-of-consent", content("no", "Update of the old one."))
    submitted(reviewer, "KZ", "csam-definition", content("yes", "Update of the recent one."))
    draft(reviewer, "KZ", "national-commitments", content("yes", "Never published."))
    auth.login(supervisor)
    review = client.get("/staff/queue/review").get_data(as_text=True)
    rows = [r for r in review.split("</tr>") if "/staff/versions/" in r]
    assert len(rows) == 2
    old_row = next(r for r in rows if "Age of Consent" in r)
    recent_row = next(r for r in rows if "Age of Consent" not in r)
    assert BADGE in old_row and BADGE not in recent_row
    auth.logout()
    auth.login(reviewer)
    drafts = client.get("/staff/queue/drafts").get_data(as_text=True)
    assert drafts.count(BADGE) == 1


def test_the_matrix_marks_overdue_cells(client, auth, people):
    reviewer, supervisor = people
    old = publish(reviewer, supervisor, "KZ", "age-of-consent", content("yes", "Old."))
    published_days_ago(old, 400)
    publish(reviewer, supervisor, "KZ", "csam-definition", content("no", "Recent."))
    auth.login(reviewer)
    page = client.get("/staff/matrix?region=Asia").get_data(as_text=True)
    body = page.split("<tbody>", 1)[1]
    row = re.search(r">Kazakhstan</a>.*?</tr>", body, re.S).group(0)
    cells = [
        " ".join(re.sub(r"<[^>]+>", " ", c).split())
        for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]
    assert BADGE in cells[0]
    assert all(BADGE not in cell for cell in cells[1:])
    assert body.count(BADGE) == 1


def test_the_matrix_costs_the_same_statements_with_the_badge(client, auth, people):
    reviewer, supervisor = people
    auth.login(reviewer)
    with count_queries() as before:
        client.get("/staff/matrix?region=Asia")
    old = publish(reviewer, supervisor, "KZ", "age-of-consent", content("yes", "Old."))
    published_days_ago(old, 400)
    with count_queries() as after:
        page = client.get("/staff/matrix?region=Asia").get_data(as_text=True)
    assert BADGE in page.split("<tbody>", 1)[1]
    assert after.count == before.count


def _later(days: int, monkeypatch) -> None:
    """The public pages' clock, `days` on."""
    later = datetime.now(UTC) + timedelta(days=days)
    monkeypatch.setattr(helpers, "today", lambda: later)


@pytest.mark.parametrize("url", ["/countries/kz/age-of-consent", "/countries/kz"])
def test_public_pages_say_last_reviewed_only_once_overdue(client, people, monkeypatch, url):
    reviewer, supervisor = people
    version = publish(reviewer, supervisor, "KZ", "age-of-consent", content("yes", "Finding."))
    published = db.session.get(Version, version.id).published_at
    fresh = client.get(url)
    assert "Last reviewed on" not in fresh.get_data(as_text=True)
    again = client.get(url, headers={"If-None-Match": fresh.headers["ETag"]})
    assert again.status_code == 304
    # The same address, nothing committed since: on the day after the review fell due, the
    # stored response, the kept body and the validator are yesterday's, and not served.
    _later(366, monkeypatch)
    later = client.get(url, headers={"If-None-Match": fresh.headers["ETag"]})
    assert later.status_code == 200
    text = later.get_data(as_text=True)
    expected = published.strftime("%B %-d, %Y")
    assert f"Last reviewed on {expected}" in text
    assert text.count("Last reviewed on") == 1
    # The day before, not yet.
    _later(365, monkeypatch)
    assert "Last reviewed on" not in client.get(url).get_data(as_text=True)


def test_a_new_publication_clears_the_public_notice(client, people, monkeypatch):
    reviewer, supervisor = people
    old = publish(reviewer, supervisor, "KZ", "age-of-consent", content("yes", "Old."))
    published_days_ago(old, 400)
    # The backdating is not a public change: a new query string renders afresh.
    assert "Last reviewed on" in client.get("/countries/kz/age-of-consent?a=1").get_data(
        as_text=True
    )
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("no", "Reviewed again."))
    page = client.get("/countries/kz/age-of-consent?a=1").get_data(as_text=True)
    assert "Reviewed again." in page
    assert "Last reviewed on" not in page


def test_the_interval_comes_from_the_environment_and_nonsense_is_refused(
    monkeypatch, database_url, tmp_path
):
    from assess import create_app
    from assess.config import ConfigError

    from .conftest import base_config

    monkeypatch.setenv("ASSESS_REVIEW_INTERVAL_DAYS", "90")
    app = create_app(base_config(database_url, str(tmp_path)))
    assert app.config["REVIEW_INTERVAL_DAYS"] == 90
    app.extensions["assess_public_responses"].watcher.close()
    monkeypatch.delenv("ASSESS_REVIEW_INTERVAL_DAYS")
    for bad in ("a year", 0, -5, 1.5, True):
        with pytest.raises(ConfigError, match="is not a number of days"):
            create_app(base_config(database_url, str(tmp_path)) | {"REVIEW_INTERVAL_DAYS": bad})
