"""The supervisors' dashboard: the median and oldest wait of what is in review (assessment
versions and profile changes of the countries they supervise) and each reviewer's work, in a
fixed number of statements."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from assess.extensions import db
from assess.models import IndicatorRevision, ProfileChange, Reply, Version
from assess.services import framework_revisions, profile_content, replies

from .publishing import content, draft, publish, submitted
from .queue_data import bulk_work, count_queries, country_id, indicator_ids


def indicator_id(slug: str) -> int:
    from sqlalchemy import select

    from assess.models import Indicator

    return db.session.scalar(select(Indicator.id).where(Indicator.slug == slug))


@pytest.fixture
def team(make_user):
    return {
        "rita": make_user("reviewer", ["KZ"], name="Rita"),
        "bob": make_user("reviewer", ["KZ"], name="Bob"),
        "jean": make_user("reviewer", ["FR"], name="Jean"),
        "sam": make_user("supervisor", ["KZ"], name="Sam"),
        "claire": make_user("supervisor", ["FR"], name="Claire"),
        "ada": make_user("admin", name="Ada"),
    }


def waiting_since(model, item_id: int, days: float) -> None:
    then = datetime.now(UTC) - timedelta(days=days)
    db.session.execute(update(model).where(model.id == item_id).values(submitted_at=then))
    db.session.commit()


def rows(page: str, table_class: str) -> list[str]:
    table = re.search(rf'<table class="{table_class}">(.*?)</table>', page, re.S).group(1)
    return [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)
    ]


def test_waits_and_work_per_reviewer_for_the_supervised_countries(client, auth, team):
    rita, bob, jean, sam = team["rita"], team["bob"], team["jean"], team["sam"]
    for slug, days in (("age-of-consent", 1), ("csam-definition", 3), ("national-commitments", 10)):
        waiting_since(Version, submitted(rita, "KZ", slug, content()).id, days)
    # France is not Sam's.
    waiting_since(Version, submitted(jean, "FR", "age-of-consent", content()).id, 50)
    change = profile_content.propose(
        bob, country_id("KZ"), "fact", "add", {"text": "A fact."}, submit=True
    )
    waiting_since(ProfileChange, change.id, 5)
    reply = replies.propose(
        bob,
        country_id("KZ"),
        indicator_id("age-of-consent"),
        replies.ReplyInput("Ministry of Justice", "government", "We disagree.", "en", "2026-11-02"),
        submit=True,
    )
    waiting_since(Reply, reply.id, 2)
    revision = framework_revisions.propose(
        team["ada"],
        indicator_id("age-of-consent"),
        "fr",
        framework_revisions.RevisionInput({"title": "Âge du consentement"}),
        submit=True,
    )
    waiting_since(IndicatorRevision, revision.id, 7)
    draft(rita, "KZ", "background-check-required", content())
    recent = publish(rita, sam, "KZ", "child-advocacy-centers", content())
    old = publish(bob, sam, "KZ", "sec-police-unit", content())
    db.session.execute(
        update(Version)
        .where(Version.id == old.id)
        .values(published_at=datetime.now(UTC) - timedelta(days=40))
    )
    db.session.commit()
    assert recent.id

    auth.login(sam)
    page = client.get("/staff/dashboard").get_data(as_text=True)
    assert "<h1>Supervisor dashboard</h1>" in page
    # Indicator texts are decided by supervisors of every country: not a row for Sam.
    assert rows(page, "dashboard-waits") == [
        "Assessment versions 3 3 days 10 days",
        "Profile changes 1 5 days 5 days",
        "Rights of reply 1 2 days 2 days",
        "All 5 3 days 10 days",
    ]
    # Rita: a draft, three in review, one published lately; Bob's publication is 40 days old.
    # Jean reviews France only.
    assert rows(page, "dashboard-work") == ["Rita 1 3 1", "Bob 0 0 0"]

    # An admin sees every country.
    auth.logout()
    auth.login(team["ada"])
    page = client.get("/staff/dashboard").get_data(as_text=True)
    waits = rows(page, "dashboard-waits")
    assert waits[0] == "Assessment versions 4 6 days 50 days"
    assert waits[3:] == ["Indicator texts 1 7 days 7 days", "All 7 5 days 50 days"]
    assert "Jean 0 1 0" in rows(page, "dashboard-work")


def test_nothing_waiting_reads_as_nothing(client, auth, team):
    auth.login(team["claire"])
    page = client.get("/staff/dashboard").get_data(as_text=True)
    assert rows(page, "dashboard-waits")[0] == "Assessment versions 0 — —"
    assert rows(page, "dashboard-work") == ["Jean 0 0 0"]


def test_only_supervisors_and_admins_see_the_dashboard_and_its_links(client, auth, team):
    auth.login(team["rita"])
    assert client.get("/staff/dashboard").status_code == 403
    home = client.get("/staff/").get_data(as_text=True)
    assert 'href="/staff/dashboard"' not in home
    auth.logout()
    auth.login(team["sam"])
    home = client.get("/staff/").get_data(as_text=True)
    assert 'href="/staff/dashboard"' in home.split("</header>")[1]
    assert 'href="/staff/dashboard"' in home.split("</header>")[0]


def test_the_dashboard_costs_the_same_statements_for_3_or_3000_items(client, auth, make_user):
    author = make_user("reviewer", name="Author")  # a reviewer of every country
    decider = make_user("supervisor", name="Decider")
    indicators = indicator_ids()
    bulk_work(
        author_id=author.id, states=["submitted", "draft"], limit=3, indicators=indicators[:1]
    )
    auth.login(decider)
    with count_queries() as few:
        small = client.get("/staff/dashboard").get_data(as_text=True)
    assert rows(small, "dashboard-work") == ["Author 1 2 0"]
    bulk_work(author_id=author.id, states=["submitted", "draft"], indicators=indicators[1:])
    with count_queries() as many:
        large = client.get("/staff/dashboard").get_data(as_text=True)
    waiting = rows(large, "dashboard-waits")[0].split()[2]
    assert int(waiting.replace(",", "")) > 900
    assert many.count == few.count, many
    # The user and grants, the organisation's settings, the unread count, four waits (versions,
    # profile changes, replies, indicator texts), the counts and the people.
    assert few.count <= 10, "\n---\n".join(few)
