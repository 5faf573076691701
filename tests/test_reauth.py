"""Remember-me within bounds: a remembered session reads, but decisions and admin actions ask
for the password again (then go through with what was sent); a fresh sign-in is not asked."""

import pytest
from sqlalchemy import select

from assess.extensions import db
from assess.models import User

from .conftest import TEST_PASSWORD, AuthActions
from .review_support import version
from .test_review_transitions import submitted_draft
from .test_security_sessions import REMEMBER, _browser, _cookies, clock  # noqa: F401

COMMENT = "Please cite Article 120 of the Criminal Code, with its 2023 wording."


def _remembered(app, client, auth, email, password) -> object:
    """A browser holding only the remember-me cookie: signed in, but not by a password."""
    auth.logout()
    user = db.session.scalar(select(User).where(User.email == email))
    auth.login(user, password=password, remember=True)
    return _browser(app, {REMEMBER: _cookies(client)[REMEMBER]})


def _token(page: str) -> str:
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_a_remembered_session_reads_but_confirms_a_decision(app, client, auth, demo_data):
    draft = submitted_draft(client, auth)
    browser = _remembered(app, client, auth, "supervisor@example.org", "supervisor-demo-pass")
    review = browser.get(f"/staff/versions/{draft.id}")
    assert review.status_code == 200  # reading needs no password
    form = {"csrf_token": browser.csrf_token(), "comment": COMMENT}
    asked = browser.post(f"/staff/versions/{draft.id}/request-changes", data=form)
    assert asked.status_code == 401
    page = asked.get_data(as_text=True)
    assert "Confirm your password" in page
    assert f'name="comment" value="{COMMENT}"' in page  # what was typed rides along
    assert version(draft.id).state == "submitted"

    wrong = browser.post(
        f"/staff/versions/{draft.id}/request-changes",
        data={"csrf_token": _token(page), "comment": COMMENT, "reauth_password": "not it"},
    )
    assert wrong.status_code == 401
    assert "The password is incorrect." in wrong.get_data(as_text=True)
    assert version(draft.id).state == "submitted"

    done = browser.post(
        f"/staff/versions/{draft.id}/request-changes",
        data={"csrf_token": _token(page), "comment": COMMENT,
              "reauth_password": "supervisor-demo-pass"},
    )  # fmt: skip
    assert done.status_code == 302
    db.session.commit()
    assert version(draft.id).state == "changes_requested"
    thread = browser.get(f"/staff/versions/{draft.id}").get_data(as_text=True)
    assert COMMENT in thread


def test_a_fresh_sign_in_decides_without_being_asked(app, client, auth, demo_data):
    draft = submitted_draft(client, auth)
    auth.logout()
    supervisor = db.session.scalar(select(User).where(User.email == "supervisor@example.org"))
    auth.login(supervisor, password="supervisor-demo-pass", remember=True)
    response = client.post_form(f"/staff/versions/{draft.id}/approve", {"comment": ""})
    assert response.status_code == 302
    assert version(draft.id).state == "published"


def test_an_old_password_sign_in_is_asked_again(make_app, app, make_user, clock):  # noqa: F811
    site = make_app(FRESH_LOGIN=600)
    client = site.test_client()
    admin = make_user("admin")
    AuthActions(client).login(admin)
    clock.advance(minutes=5)
    client.get("/admin/").close()  # active: the idle timeout does not end the session
    clock.advance(minutes=6)
    form = {"email": "late@example.org", "name": "Late", "role": "reviewer", "scope": "listed",
            "countries": "kz", "mode": "create", "password": "a long enough passphrase"}  # fmt: skip
    asked = client.post_form("/admin/users/new", form)
    assert asked.status_code == 401
    assert db.session.scalar(select(User).where(User.email == "late@example.org")) is None
    page = asked.get_data(as_text=True)
    confirmed = client.post(
        "/admin/users/new",
        data=form | {"csrf_token": _token(page), "reauth_password": TEST_PASSWORD},
    )
    assert confirmed.status_code in (302, 303)
    db.session.commit()
    assert db.session.scalar(select(User).where(User.email == "late@example.org")) is not None


@pytest.mark.parametrize("action", ["approve", "reject", "retract"])
def test_every_decision_asks_a_remembered_session(app, client, auth, demo_data, action):
    draft = submitted_draft(client, auth)
    browser = _remembered(app, client, auth, "supervisor@example.org", "supervisor-demo-pass")
    form = {"csrf_token": browser.csrf_token(), "comment": COMMENT, "reason": COMMENT}
    asked = browser.post(f"/staff/versions/{draft.id}/{action}", data=form)
    assert asked.status_code == 401
    assert "Confirm your password" in asked.get_data(as_text=True)
    assert version(draft.id).state == "submitted"
