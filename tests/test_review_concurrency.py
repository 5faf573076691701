"""Concurrent requests, each in its own thread and app context (own session and connection), as
under several gunicorn workers. Run on SQLite by default and on PostgreSQL with
ASSESS_TEST_DATABASE_URL."""

import threading
import time

from sqlalchemy import func, select

from assess.extensions import db
from assess.models import AuditEvent, Version
from assess.services import audit, notifications

from .review_support import (
    AGE,
    DEMO_PASSWORDS,
    act,
    assessment,
    login,
    save,
    start_draft,
    text,
    user,
    version,
)

PUBLISHED_AGE_TEXT = "Age of sexual consent is 16 years."
NEW_TEXT = "Age of sexual consent is 18 years."


def submitted_version(client, auth) -> Version:
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client)
    assert save(client, draft, analysis=NEW_TEXT).status_code == 302
    assert act(client, draft.id, "submit").status_code == 302
    return version(draft.id)


def signed_in_client(app, email):
    """A second browser: its own cookies, signed in, with its CSRF token."""
    other = app.test_client()
    response = other.post(
        "/auth/login",
        data={
            "email": email,
            "password": DEMO_PASSWORDS[email],
            "csrf_token": other.csrf_token(),
        },
    )
    assert response.status_code == 302
    return other, other.csrf_token()


def in_thread(app, work, results, key):
    def run():
        with app.app_context():
            try:
                results[key] = work()
            except BaseException as error:  # reported by the test, not lost in the thread
                results[key] = error
            finally:
                db.session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_two_supervisors_approving_at_once_publish_once(app, client, auth, demo_data, monkeypatch):
    submitted = submitted_version(client, auth)
    first, first_token = signed_in_client(app, "supervisor@example.org")
    second, second_token = signed_in_client(app, "supervisor2@example.org")
    url = f"/staff/versions/{submitted.id}/approve"
    barrier = threading.Barrier(2)
    real_hook = notifications.on_transition

    def slow_hook(*args, **kwargs):
        time.sleep(0.3)  # hold the transaction open, so that the other request arrives meanwhile
        return real_hook(*args, **kwargs)

    monkeypatch.setattr(notifications, "on_transition", slow_hook)

    def approve(browser, token):
        def work():
            barrier.wait()
            response = browser.post(url, data={"csrf_token": token, "comment": ""})
            return response.status_code, response.get_data(as_text=True)

        return work

    results: dict = {}
    threads = [
        in_thread(app, approve(first, first_token), results, "first"),
        in_thread(app, approve(second, second_token), results, "second"),
    ]
    for thread in threads:
        thread.join(timeout=60)
    for value in results.values():
        assert not isinstance(value, BaseException), value
    statuses = sorted(status for status, _page in results.values())
    assert statuses == [302, 409]
    loser_page = next(page for status, page in results.values() if status == 409)
    published = version(submitted.id)
    assert published.state == "published"
    winner = published.decided_by.display_name
    assert f"This version was already approved by {winner}." in loser_page
    approvals = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "approve", AuditEvent.object_id == submitted.id)
    )
    assert approvals == 1
    published_versions = db.session.scalar(
        select(func.count())
        .select_from(Version)
        .where(Version.assessment_id == submitted.assessment_id, Version.state == "published")
    )
    assert published_versions == 1
    assert assessment("KZ", AGE).published_version_id == submitted.id


def test_the_public_profile_shows_the_old_version_until_the_approval_commits(
    app, client, auth, demo_data, monkeypatch
):
    submitted = submitted_version(client, auth)
    assert PUBLISHED_AGE_TEXT in text(client.get("/countries/kz"))
    assert NEW_TEXT not in text(client.get("/countries/kz"))  # submitted is not public
    supervisor, token = signed_in_client(app, "supervisor@example.org")
    paused, resume = threading.Event(), threading.Event()
    real_record = audit.record

    def pause_before_commit(actor, action, *args, **kwargs):
        event = real_record(actor, action, *args, **kwargs)
        if action == "supersede":  # the new version is published, the old one superseded...
            db.session.flush()  # ...and written to the database, not yet committed
            paused.set()
            resume.wait(timeout=30)
        return event

    monkeypatch.setattr(audit, "record", pause_before_commit)
    results: dict = {}
    thread = in_thread(
        app,
        lambda: (
            supervisor.post(
                f"/staff/versions/{submitted.id}/approve", data={"csrf_token": token}
            ).status_code
        ),
        results,
        "approve",
    )
    assert paused.wait(timeout=30)
    reader = app.test_client()
    try:
        during = text(reader.get("/countries/kz"))
    finally:
        resume.set()
        thread.join(timeout=60)
    assert PUBLISHED_AGE_TEXT in during
    assert NEW_TEXT not in during
    assert results["approve"] == 302
    after = text(reader.get("/countries/kz"))
    assert NEW_TEXT in after
    assert PUBLISHED_AGE_TEXT not in after
    assert user("supervisor@example.org").id == version(submitted.id).decided_by_id
