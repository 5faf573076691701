"""Notifications: who hears of a transition, the in-app list and its unread count, and the outbox
sent after commit by `assess send-mail`."""

import smtplib

import pytest
from sqlalchemy import func, select

from assess.extensions import db
from assess.models import Notification, OutboxEmail, User, Version
from assess.services import assessments, mail
from assess.services.errors import Conflict

from .queue_data import count_queries, draft, submitted


def notified(user) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.message)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id)
        )
    )


def outbox() -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


@pytest.fixture
def team(make_user):
    """Kazakhstan's staff, a global supervisor, a supervisor elsewhere, and an admin."""
    return {
        "reviewer": make_user("reviewer", ["KZ"], name="Aigerim"),
        "second_reviewer": make_user("reviewer", ["KZ"], name="Bolat"),
        "supervisor": make_user("supervisor", ["KZ"], name="Dana"),
        "global": make_user("supervisor", [], name="Marc"),
        "elsewhere": make_user("supervisor", ["FR"], name="Claire"),
        "admin": make_user("admin", name="Ada"),
    }


def test_submit_notifies_the_eligible_supervisors_and_nobody_else(team):
    version = submitted(team["reviewer"])
    expected = "Aigerim submitted CSAM Definition for Kazakhstan for review."
    assert notified(team["supervisor"]) == [expected]
    assert notified(team["global"]) == [expected]
    for name in ("reviewer", "second_reviewer", "elsewhere", "admin"):
        assert notified(team[name]) == [], name
    mails = outbox()
    assert sorted(m.recipient for m in mails) == sorted(
        [team["supervisor"].email, team["global"].email]
    )
    assert mails[0].subject == "Review requested: Kazakhstan, CSAM Definition"
    assert f"/staff/versions/{version.id}" in mails[0].body
    assert all(m.sent_at is None and m.attempts == 0 for m in mails)


def test_a_supervisor_who_contributed_is_not_asked_to_review(team):
    version = draft(team["reviewer"])
    assessments.save(team["supervisor"], version.id, _content(), version.row_version)
    assessments.submit(team["reviewer"], version.id)
    assert notified(team["supervisor"]) == []  # a contributor: may not decide (four-eyes)
    assert len(notified(team["global"])) == 1


def test_request_changes_notifies_every_contributor_but_not_the_actor(team):
    version = draft(team["reviewer"])
    assessments.save(team["second_reviewer"], version.id, _content(), version.row_version)
    assessments.submit(team["reviewer"], version.id)
    assessments.request_changes(team["supervisor"], version.id, "Cite Article 122, please.")
    message = "Dana requested changes to CSAM Definition for Kazakhstan."
    assert notified(team["reviewer"]) == [message]
    assert notified(team["second_reviewer"]) == [message]
    assert message not in notified(team["supervisor"])
    change_mails = [m for m in outbox() if m.subject.startswith("Changes requested")]
    assert {m.recipient for m in change_mails} == {
        team["reviewer"].email,
        team["second_reviewer"].email,
    }
    assert "Cite Article 122, please." in change_mails[0].body


def _content():
    from assess.services.content import VersionContent

    return VersionContent(status="partial", analysis="Amended by a second reviewer.")


@pytest.mark.parametrize(
    ("decide", "message"),
    [
        (
            lambda user, vid: assessments.approve(user, vid),
            "Marc approved and published CSAM Definition for Kazakhstan.",
        ),
        (
            lambda user, vid: assessments.reject(user, vid, "Out of scope."),
            "Marc rejected CSAM Definition for Kazakhstan.",
        ),
    ],
)
def test_decisions_notify_the_contributors(team, decide, message):
    version = submitted(team["reviewer"])
    decide(team["global"], version.id)
    assert notified(team["reviewer"])[-1] == message
    assert message not in notified(team["global"])


def test_start_save_withdraw_and_discard_notify_nobody(team):
    version = draft(team["reviewer"])
    assert outbox() == []
    assessments.submit(team["reviewer"], version.id)
    after_submit = (len(outbox()), db.session.scalar(select(func.count(Notification.id))))
    assessments.withdraw(team["reviewer"], version.id)
    assessments.discard(team["reviewer"], version.id)
    assert (len(outbox()), db.session.scalar(select(func.count(Notification.id)))) == after_submit


def test_inactive_supervisors_are_not_notified(team):
    db.session.get(User, team["global"].id).active = False
    db.session.commit()
    submitted(team["reviewer"])
    assert notified(team["global"]) == []
    assert [m.recipient for m in outbox()] == [team["supervisor"].email]


def test_a_failed_transition_leaves_no_notification(team):
    version = submitted(team["reviewer"])
    before = len(outbox())
    stored = db.session.get(Version, version.id)
    stored.row_version += 1  # the content changed after submission: approval must refuse
    db.session.commit()
    with pytest.raises(Conflict):
        assessments.approve(team["global"], version.id)
    assert len(outbox()) == before
    assert notified(team["reviewer"]) == []


def test_header_shows_the_unread_count_and_marking_read_clears_it(client, auth, team):
    submitted(team["reviewer"])
    submitted(team["reviewer"], position=3)
    auth.login(team["supervisor"])
    page = client.get("/staff/").get_data(as_text=True)
    assert '<span class="nav-count">2<span class="visually-hidden"> unread</span>' in page
    listing = client.get("/staff/notifications").get_data(as_text=True)
    assert "Aigerim submitted CSAM Definition for Kazakhstan for review." in listing
    assert listing.count(">New</strong>") == 2
    first = db.session.scalar(
        select(Notification).where(Notification.user_id == team["supervisor"].id)
    )
    response = client.post_form(f"/staff/notifications/{first.id}/read")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/notifications"
    assert db.session.get(Notification, first.id).read
    page = client.get("/staff/notifications").get_data(as_text=True)
    assert '<span class="nav-count">1<span class="visually-hidden"> unread</span>' in page
    unread = client.get("/staff/notifications?show=unread").get_data(as_text=True)
    assert unread.count(">New</strong>") == 1
    client.post_form("/staff/notifications/read-all")
    page = client.get("/staff/notifications").get_data(as_text=True)
    assert "nav-count" not in page
    assert "No unread notifications." in client.get("/staff/notifications?show=unread").text


def test_nobody_can_mark_another_users_notification(client, auth, team):
    submitted(team["reviewer"])
    theirs = db.session.scalar(
        select(Notification).where(Notification.user_id == team["supervisor"].id)
    )
    auth.login(team["global"])
    assert client.post_form(f"/staff/notifications/{theirs.id}/read").status_code == 404
    client.post_form("/staff/notifications/read-all")
    assert not db.session.get(Notification, theirs.id).read


def test_mark_read_returns_only_to_a_local_notifications_page(client, auth, team):
    submitted(team["reviewer"])
    mine = db.session.scalar(
        select(Notification).where(Notification.user_id == team["supervisor"].id)
    )
    auth.login(team["supervisor"])
    response = client.post_form(
        f"/staff/notifications/{mine.id}/read", {"next": "https://evil.example/"}
    )
    assert response.headers["Location"] == "/staff/notifications"
    response = client.post_form(
        "/staff/notifications/read-all", {"next": "/staff/notifications?page=2"}
    )
    assert response.headers["Location"] == "/staff/notifications?page=2"


def test_the_notification_list_costs_the_same_queries_for_many(client, auth, team):
    auth.login(team["supervisor"])
    submitted(team["reviewer"])
    with count_queries() as few:
        client.get("/staff/notifications")
    db.session.add_all(
        Notification(user_id=team["supervisor"].id, message=f"Note {n}") for n in range(300)
    )
    db.session.commit()
    with count_queries() as many:
        page = client.get("/staff/notifications?page=2").get_data(as_text=True)
    assert many.count == few.count
    assert "Page 2 of 13" in page


# Sending the outbox ---------------------------------------------------------------------------


class FailingBackend:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent: list = []

    def send(self, message) -> None:
        if self.failures:
            self.failures -= 1
            raise smtplib.SMTPServerDisconnected("connection lost")
        self.sent.append(message)


def test_send_mail_prints_with_the_console_backend_and_marks_sent(app, team):
    submitted(team["reviewer"])
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "Subject: Review requested: Kazakhstan, CSAM Definition" in result.output
    assert f"To: {team['supervisor'].email}" in result.output
    assert "Sent 2, failed 0." in result.output
    assert all(m.sent_at is not None and m.attempts == 1 for m in outbox())
    again = app.test_cli_runner().invoke(args=["send-mail"])
    assert "Sent 0, failed 0." in again.output


def test_a_failure_keeps_the_mail_counts_the_attempt_and_a_later_run_sends_it(app, team):
    submitted(team["reviewer"])
    backend = FailingBackend(failures=2)
    report = mail.send_pending(backend, "assess@example.org")
    assert (report.sent, report.failed) == (0, 2)
    rows = outbox()
    assert all(r.sent_at is None and r.attempts == 1 for r in rows)
    assert rows[0].last_error == "SMTPServerDisconnected: connection lost"
    report = mail.send_pending(backend, "assess@example.org")
    assert (report.sent, report.failed) == (2, 0)
    rows = outbox()
    assert all(r.sent_at is not None and r.attempts == 2 and r.last_error is None for r in rows)
    assert [m["To"] for m in backend.sent] == [r.recipient for r in rows]


def test_max_attempts_skips_mail_that_keeps_failing_without_losing_it(app, team):
    submitted(team["reviewer"])
    mail.send_pending(FailingBackend(failures=99), "assess@example.org")
    report = mail.send_pending(FailingBackend(failures=0), "a@example.org", max_attempts=1)
    assert (report.sent, report.failed) == (0, 0)
    assert len(outbox()) == 2


def test_send_mail_exits_non_zero_when_a_mail_fails(app, team, monkeypatch):
    submitted(team["reviewer"])
    monkeypatch.setattr(mail, "backend_from_config", lambda config, echo: FailingBackend(1))
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 1
    assert "Sent 1, failed 1." in result.output


class FakeSMTP:
    instances: list["FakeSMTP"] = []

    def __init__(self, host, port, timeout):
        self.host, self.port, self.calls = host, port, []
        FakeSMTP.instances.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self, context):
        self.calls.append("starttls")

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, message):
        self.calls.append(("send", message["To"], message["Subject"]))


def test_smtp_backend_from_configuration(app, team, monkeypatch):
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    FakeSMTP.instances.clear()
    app.config.update(
        MAIL_BACKEND="smtp",
        SMTP_HOST="mail.example.org",
        SMTP_PORT="2525",
        SMTP_USER="assess",
        SMTP_PASSWORD="secret-pass",
        SMTP_STARTTLS="true",
    )
    submitted(team["reviewer"])
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    smtp = FakeSMTP.instances[0]
    assert (smtp.host, smtp.port) == ("mail.example.org", 2525)
    assert smtp.calls[:2] == ["starttls", ("login", "assess", "secret-pass")]
    assert smtp.calls[2][0] == "send"
    assert len(FakeSMTP.instances) == 2


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ({"MAIL_BACKEND": "pigeon"}, "use 'console' or 'smtp'"),
        ({"MAIL_BACKEND": "smtp"}, "needs ASSESS_SMTP_HOST"),
        ({"MAIL_BACKEND": "smtp", "SMTP_HOST": "h", "SMTP_PORT": "x"}, "port number"),
    ],
)
def test_bad_mail_configuration_is_explained(app, config, problem):
    app.config.update(config)
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code != 0
    assert problem in result.output


def test_starttls_can_be_turned_off(app):
    backend = mail.backend_from_config(
        {"MAIL_BACKEND": "smtp", "SMTP_HOST": "h", "SMTP_STARTTLS": False}
    )
    assert backend.starttls is False
    assert mail.backend_from_config({"MAIL_BACKEND": "smtp", "SMTP_HOST": "h"}).starttls


def test_the_actor_is_never_a_recipient_even_as_a_contributor(team):
    from assess.services.notifications import recipients
    from assess.workflow import Action

    version = draft(team["reviewer"])
    assessments.save(team["supervisor"], version.id, _content(), version.row_version)
    stored = db.session.get(Version, version.id)
    people = recipients(db.session, team["supervisor"], stored, Action.APPROVE)
    assert [p.id for p in people] == [team["reviewer"].id]


def test_the_e_mail_preference_stops_mail_but_not_the_in_app_notice(team):
    from assess.services import users

    users.set_preferences(team["global"], False)
    submitted(team["reviewer"])
    expected = "Aigerim submitted CSAM Definition for Kazakhstan for review."
    assert notified(team["global"]) == [expected]
    assert [m.recipient for m in outbox()] == [team["supervisor"].email]
