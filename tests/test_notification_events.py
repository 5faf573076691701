"""Every event reaches the people it concerns (issue 16, point 2): retractions reach the
contributors, comments the thread's other participants, profile changes their supervisors (and sit
in "Awaiting my review"), a submission nobody may decide the country's supervisors and the admins;
never the actor. And a daily digest for those who want one mail a day."""

import pytest
from sqlalchemy import select

from assess.extensions import db
from assess.models import Notification, OutboxEmail, User
from assess.services import assessments, comments, digests, profile_content
from assess.services.content import VersionContent

from .queue_data import country_id, draft, submitted
from .review_support import visible_text


def notified(person) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.message)
            .where(Notification.user_id == person.id)
            .order_by(Notification.id)
        )
    )


def mails_to(person) -> list[OutboxEmail]:
    return list(
        db.session.scalars(
            select(OutboxEmail)
            .where(OutboxEmail.recipient == person.email)
            .order_by(OutboxEmail.id)
        )
    )


@pytest.fixture
def team(make_user):
    return {
        "reviewer": make_user("reviewer", ["KZ"], name="Aigerim"),
        "second_reviewer": make_user("reviewer", ["KZ"], name="Bolat"),
        "supervisor": make_user("supervisor", ["KZ"], name="Dana"),
        "global": make_user("supervisor", [], name="Marc"),
        "admin": make_user("admin", name="Ada"),
    }


def published(team):
    version = submitted(team["reviewer"])
    return assessments.approve(team["global"], version.id)


def test_a_retraction_tells_the_contributors_with_the_reason(team):
    version = published(team)
    assessments.retract(team["supervisor"], version.id, "The Criminal Code was amended.")
    message = "Dana withdrew CSAM Definition for Kazakhstan from the public profile."
    assert notified(team["reviewer"])[-1] == message
    assert message not in notified(team["supervisor"])  # never the actor
    assert message not in notified(team["global"])  # decided, did not contribute
    [mail] = [m for m in mails_to(team["reviewer"]) if m.subject.startswith("Withdrawn")]
    assert mail.subject == "Withdrawn from the public profile: Kazakhstan, CSAM Definition"
    assert "The Criminal Code was amended." in mail.body


def test_a_comment_tells_the_other_participants(team, make_user):
    version = draft(team["reviewer"])
    content = VersionContent(status="yes", analysis="Amended by Bolat.")
    assessments.save(team["second_reviewer"], version.id, content, 2)
    assessments.submit(team["reviewer"], version.id)
    assessments.request_changes(team["supervisor"], version.id, "Which article?")
    onlooker = team["global"]  # may read it, but took no part
    before = len(notified(onlooker))
    comments.add(team["reviewer"], version.id, "Article 122; see the new paragraph.")
    message = "Aigerim commented on CSAM Definition for Kazakhstan."
    assert notified(team["supervisor"])[-1] == message  # decided on it
    assert notified(team["second_reviewer"])[-1] == message  # contributed to it
    assert message not in notified(team["reviewer"])  # wrote it
    assert len(notified(onlooker)) == before
    [mail] = [m for m in mails_to(team["supervisor"]) if m.subject.startswith("New comment")]
    assert "Article 122; see the new paragraph." in mail.body
    assert f"/staff/versions/{version.id}#thread" in mail.body
    # A participant who left the country's team hears no more of it.
    db.session.get(User, team["second_reviewer"].id).grants.clear()
    db.session.commit()
    comments.add(team["supervisor"], version.id, "Thanks.")
    assert notified(team["second_reviewer"])[-1] == message
    assert notified(team["reviewer"])[-1] == "Dana commented on CSAM Definition for Kazakhstan."


def test_profile_changes_reach_their_supervisors_and_their_contributors(team):
    change = profile_content.propose(
        team["reviewer"],
        country_id("KZ"),
        "member",
        "add",
        {"name": "ECPAT Kazakhstan"},
        submit=True,
    )
    asked = (
        "Aigerim submitted a change to the profile of Kazakhstan for review "
        "(member organisation “ECPAT Kazakhstan”)."
    )
    assert notified(team["supervisor"]) == [asked]
    assert notified(team["global"]) == [asked]
    assert notified(team["reviewer"]) == [] and notified(team["admin"]) == []
    [mail] = mails_to(team["supervisor"])
    assert mail.subject == "Review requested: profile of Kazakhstan"
    assert f"/admin/profile/changes/{change.id}" in mail.body
    profile_content.approve(team["supervisor"], change.id)
    assert notified(team["reviewer"]) == [
        "Dana approved a change to the profile of Kazakhstan (member organisation "
        "“ECPAT Kazakhstan”); the public profile shows it."
    ]


def test_profile_changes_wait_in_awaiting_my_review(client, auth, team):
    change = profile_content.propose(
        team["reviewer"],
        country_id("KZ"),
        "fact",
        "add",
        {"text": "Population: 20 million."},
        submit=True,
    )
    auth.login(team["supervisor"])
    page = client.get("/staff/queue/review")
    said = visible_text(page)
    assert "Profile changes awaiting my review" in said
    assert "Add fact “Population: 20 million.”" in said
    assert f"/admin/profile/changes/{change.id}" in page.get_data(as_text=True)
    assert "Aigerim" in said
    # Filtering by an indicator leaves profile changes out; by country keeps them.
    assert "Population" not in visible_text(
        client.get("/staff/queue/review?indicator=csam-definition")
    )
    assert "Population" in visible_text(client.get("/staff/queue/review?country=KZ"))
    # Its proposer does not find it there (four-eyes).
    auth.logout()
    auth.login(team["reviewer"])
    assert "Population" not in visible_text(client.get("/staff/queue/review"))


def test_a_submission_nobody_may_decide_tells_the_supervisors_and_the_admins(make_user):
    reviewer = make_user("reviewer", ["UZ"], name="Ulugbek")
    supervisor = make_user("supervisor", ["UZ"], name="Sabina")
    admin = make_user("admin", name="Ada")
    version = draft(reviewer, "UZ")
    assessments.save(supervisor, version.id, VersionContent(status="no", analysis="Sabina's."), 2)
    assessments.submit(reviewer, version.id)
    stuck = (
        "Ulugbek submitted CSAM Definition for Uzbekistan, but nobody may decide on it: every "
        "supervisor of the country worked on it. Give another person the supervisor role for "
        "the country."
    )
    assert notified(supervisor) == [stuck]
    assert notified(admin) == [stuck]
    assert notified(reviewer) == []
    assert mails_to(admin)[0].subject == "Needs a second supervisor: Uzbekistan, CSAM Definition"


def test_a_profile_change_nobody_may_decide_is_flagged_too(client, auth, make_user):
    supervisor = make_user("supervisor", ["UZ"], name="Sabina")
    admin = make_user("admin", name="Ada")
    profile_content.propose(
        supervisor, country_id("UZ"), "member", "add", {"name": "Child Rights UZ"}, submit=True
    )
    assert notified(admin)[0].startswith(
        "Sabina submitted a change to the profile of Uzbekistan (member organisation "
        "“Child Rights UZ”), but nobody may decide on it"
    )
    auth.login(admin)
    said = visible_text(client.get("/staff/queue/review"))
    assert "Profile changes that need a second supervisor" in said
    assert "Add member organisation “Child Rights UZ”" in said


def test_a_daily_digest_instead_of_one_mail_per_event(app, team):
    supervisor = db.session.get(User, team["supervisor"].id)
    supervisor.email_digest = True
    db.session.commit()
    submitted(team["reviewer"], position=2)
    submitted(team["reviewer"], position=3)
    assert mails_to(team["supervisor"]) == []  # nothing at once...
    assert len(notified(team["supervisor"])) == 2  # ...but the notices are there
    assert len(mails_to(team["global"])) == 2  # the others' mail is unchanged

    result = app.test_cli_runner().invoke(args=["send-digests"])
    assert result.exit_code == 0, result.output
    assert "Wrote 1 digest e-mails." in result.output
    [digest] = mails_to(team["supervisor"])
    assert digest.subject == "Your daily summary: 2 events"
    assert digest.body.count("- Aigerim submitted") == 2
    assert "/staff/versions/" in digest.body
    assert digests.send_digests() == 0  # each notice goes in one digest only
    pending = select(Notification).where(Notification.digest_pending.is_(True))
    assert db.session.scalars(pending).all() == []


def test_a_digest_is_written_in_its_readers_language(team):
    supervisor = db.session.get(User, team["supervisor"].id)
    supervisor.email_digest, supervisor.language = True, "fr"
    db.session.commit()
    submitted(team["reviewer"])
    assert digests.send_digests() == 1
    [digest] = mails_to(team["supervisor"])
    assert digest.subject == "Votre résumé quotidien : 1 événement"
    assert "Kazakhstan" in digest.body


def test_the_digest_is_a_choice_on_the_account_page(client, auth, team):
    auth.login(team["supervisor"])
    page = visible_text(client.get("/account/"))
    assert "As one daily summary, instead of one e-mail per event" in page
    client.post_form("/account/", {"email_notifications": "y", "email_digest": "y"})
    stored = db.session.get(User, team["supervisor"].id)
    assert stored.email_notifications and stored.email_digest
