"""The right of reply (issue 17.11): an organisation's response entered by the country's staff,
reviewed with four eyes through the engine, and shown beside the assessment at once on approval."""

import pytest
from sqlalchemy import select

from assess.extensions import db
from assess.models import AuditEvent, Notification, Reply
from assess.services import replies
from assess.services.errors import FourEyes, NotPermitted, ValidationError

from .publishing import FULL, ids, publish

PAGE = "/countries/kz/age-of-consent"
TEXT = "The Ministry notes that a bill raising the age to **18** is before Parliament."


@pytest.fixture
def team(make_user):
    reviewer = make_user("reviewer", ["KZ"], name="Rita")
    supervisor = make_user("supervisor", ["KZ"], name="Sam")
    publish(reviewer, supervisor, "KZ", "age-of-consent", FULL)
    return reviewer, supervisor


def entered(user, submit=True, **fields) -> Reply:
    data = {
        "organisation": "Ministry of Justice of Kazakhstan",
        "role": "government",
        "text": TEXT,
        "language": "en",
        "received_on": "2026-11-20",
        "url": "https://gov.kz/reply",
    } | fields
    return replies.propose(
        user, *ids("KZ", "age-of-consent"), replies.ReplyInput(**data), submit=submit
    )


def test_a_reply_goes_draft_submitted_published_by_another_supervisor(team):
    reviewer, supervisor = team
    reply = entered(reviewer, submit=False)
    assert reply.state == "draft"
    replies.submit(reviewer, reply.id)
    approved = replies.approve(supervisor, reply.id)
    assert (approved.state, approved.decided_by_id) == ("published", supervisor.id)
    actions = list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "reply", AuditEvent.object_id == reply.id)
            .order_by(AuditEvent.id)
        )
    )
    assert actions == ["start_reply", "submit_reply", "approve_reply"]


def test_a_submitted_reply_waits_in_the_review_queue_of_who_may_decide_it(
    client, auth, team, make_user
):
    reviewer, supervisor = team
    entered(reviewer)
    entered(supervisor, organisation="ECPAT Kazakhstan ✓", role="member")
    auth.login(supervisor)
    page = client.get("/staff/queue/review").get_data(as_text=True)
    section = page.split('id="replies"')[1]
    # Sam entered the second one: four-eyes keeps it out of his queue.
    assert "Ministry of Justice of Kazakhstan" in section
    assert "ECPAT Kazakhstan ✓" not in section
    assert "1 reply to an assessment, oldest submission first" in section
    # A supervisor of another country sees neither; nor does a reviewer.
    auth.logout()
    auth.login(make_user("supervisor", ["FR"], name="Claire"))
    assert 'id="replies"' not in client.get("/staff/queue/review").get_data(as_text=True)
    auth.logout()
    auth.login(reviewer)
    assert 'id="replies"' not in client.get("/staff/queue/review").get_data(as_text=True)


def test_four_eyes_the_supervisor_who_entered_it_cannot_approve_it(team):
    reply = entered(team[1])
    with pytest.raises(FourEyes):
        replies.approve(team[1], reply.id)
    assert db.session.get(Reply, reply.id).state == "submitted"


def test_another_countrys_staff_and_an_admin_cannot_enter_one(team, make_user):
    with pytest.raises(NotPermitted):
        entered(make_user("admin"))
    with pytest.raises(Exception, match="No such"):
        entered(make_user("reviewer", ["FR"]))


def test_bad_fields_are_refused_each_with_its_message(team):
    with pytest.raises(ValidationError) as refused:
        entered(team[0], organisation=" ", role="press", received_on="yesterday", url="ftp://x")
    assert set(refused.value.errors) == {"organisation", "role", "received_on", "url"}
    assert db.session.scalar(select(Reply)) is None


def test_submission_tells_the_supervisor_and_approval_the_author(team):
    reviewer, supervisor = team
    reply = entered(reviewer)
    asked = db.session.scalar(
        select(Notification).where(
            Notification.user_id == supervisor.id, Notification.key == "reply_review_requested"
        )
    )
    assert asked.link == f"/staff/replies/{reply.id}"
    assert "Ministry of Justice of Kazakhstan" in asked.message
    replies.approve(supervisor, reply.id)
    told = db.session.scalar(
        select(Notification).where(
            Notification.user_id == reviewer.id, Notification.key == "reply_published"
        )
    )
    assert told is not None


def test_the_public_pages_show_an_approved_reply_at_once_and_only_then(client, team):
    reviewer, supervisor = team
    # Both pages kept for anonymous visitors before the reply exists.
    assert "Reply from" not in client.get(PAGE).get_data(as_text=True)
    assert "Reply from" not in client.get("/countries/kz").get_data(as_text=True)
    reply = entered(reviewer)
    assert "Reply from" not in client.get(PAGE).get_data(as_text=True)
    replies.approve(supervisor, reply.id)
    page = client.get(PAGE).get_data(as_text=True)
    assert "Reply from Ministry of Justice of Kazakhstan, November 20, 2026" in page
    assert "a bill raising the age to <strong>18</strong>" in page
    assert 'href="https://gov.kz/reply"' in page
    assert "Government" in page
    profile = client.get("/countries/kz").get_data(as_text=True)
    assert "Reply from Ministry of Justice of Kazakhstan, November 20, 2026" in profile
    # Taken off again by a supervisor (with a reason): gone at once.
    replies.retract(supervisor, reply.id, "Sent by mistake.")
    assert "Reply from" not in client.get(PAGE).get_data(as_text=True)
    assert "Reply from" not in client.get("/countries/kz").get_data(as_text=True)


def test_a_reply_in_another_language_says_so(client, team):
    reply = entered(team[0], language="ru", text="Министерство юстиции сообщает.")
    replies.approve(team[1], reply.id)
    page = client.get(PAGE).get_data(as_text=True)
    assert '<div class="reply-text" lang="ru" dir="ltr">' in page
    russian = client.get(PAGE, headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert '<div class="reply-text">' in russian  # the page is in Russian itself


# --- the staff pages --------------------------------------------------------------------------


def test_staff_enter_submit_and_approve_a_reply_through_the_pages(client, auth, team):
    reviewer, supervisor = team
    auth.login(reviewer)
    form = client.get("/staff/countries/kz/age-of-consent/reply").get_data(as_text=True)
    assert "<h1>A reply from an organisation" in form
    refused = client.post_form(
        "/staff/countries/kz/age-of-consent/reply", {"organisation": "", "submit": "1"}
    )
    assert refused.status_code == 422
    assert "This field is required." in refused.get_data(as_text=True)
    response = client.post_form(
        "/staff/countries/kz/age-of-consent/reply",
        {
            "organisation": "ECPAT Kazakhstan",
            "role": "member",
            "received_on": "2026-11-01",
            "language": "",
            "text": "We welcome the assessment.",
            "url": "",
            "submit": "1",
        },
    )
    assert response.status_code == 303
    reply = db.session.scalar(select(Reply))
    assert (reply.state, reply.organisation, reply.language) == (
        "submitted",
        "ECPAT Kazakhstan",
        "en",
    )
    listed = client.get("/staff/replies").get_data(as_text=True)
    assert "ECPAT Kazakhstan" in listed
    auth.logout()
    auth.login(supervisor)
    page = client.get(f"/staff/replies/{reply.id}").get_data(as_text=True)
    assert "Approve and publish" in page
    assert "We welcome the assessment." in page
    refused = client.post_form(f"/staff/replies/{reply.id}/reject", {"comment": ""})
    assert refused.status_code == 422
    approved = client.post_form(f"/staff/replies/{reply.id}/approve", {"comment": ""})
    assert approved.status_code == 303
    db.session.refresh(reply)
    assert reply.state == "published"
    auth.logout()
    assert "Reply from ECPAT Kazakhstan, November 1, 2026" in client.get(PAGE).get_data(
        as_text=True
    )


def test_the_audit_log_names_what_happened_to_suggestions_and_replies(
    client, auth, team, make_user
):
    from assess.services import suggestions

    suggestions.suggest(
        *ids("KZ", "age-of-consent"),
        suggestions.SuggestionInput(what_is_wrong="Out of date."),
        address="192.0.2.1",
        language="en",
    )
    replies.approve(team[1], entered(team[0]).id)
    auth.login(make_user("admin"))
    page = client.get("/staff/audit").get_data(as_text=True)
    assert "Correction suggested by a reader" in page
    assert "Reply from an organisation: Submitted for review" in page
    assert "Reply from an organisation: Approved and published" in page
