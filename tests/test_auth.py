"""Login, logout, sessions that can be ended, CSRF, and safe redirects."""

import re

import pytest
from sqlalchemy import select

from assess.extensions import db
from assess.models import AuditEvent, User
from assess.services import accounts, users

from .conftest import TEST_PASSWORD


def test_login_and_logout_through_the_forms(client, auth, make_user):
    user = make_user("reviewer", ["KZ"], name="Aigerim")
    response = auth.login(user)
    assert response.headers["Location"] == "/staff/"
    page = client.get("/staff/").get_data(as_text=True)
    assert "Signed in as Aigerim" in page
    assert "Kazakhstan" in page
    auth.logout()
    response = client.get("/staff/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make_user):
    user = make_user()
    wrong = client.post_form("/auth/login", {"email": user.email, "password": "not the password"})
    unknown = client.post_form(
        "/auth/login", {"email": "nobody@example.org", "password": "not the password"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert "The e-mail address or password is incorrect." in wrong.get_data(as_text=True)
    assert "The e-mail address or password is incorrect." in unknown.get_data(as_text=True)


def test_login_is_throttled_per_account(client, make_user):
    user = make_user()
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT):
        client.post_form("/auth/login", {"email": user.email, "password": "wrong password!"})
    response = client.post_form("/auth/login", {"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 401
    assert "Too many failed attempts" in response.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client, make_user):
    user = make_user()
    response = client.post("/auth/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "The form has expired" in response.get_data(as_text=True)
    assert "_user_id" not in client.get("/").headers.get("Set-Cookie", "")
    assert client.get("/staff/").status_code == 302


def test_the_token_the_pages_carry_signs_in_and_signs_out(client, make_user):
    """The tests' `post_form` makes its token without a page; this one reads the real forms'."""
    user = make_user()
    login_page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    response = client.post(
        "/auth/login", data={"csrf_token": token, "email": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    staff_page = client.get("/staff/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', staff_page).group(1)
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/staff/").status_code == 302


def test_logout_is_post_only(client, auth, make_user):
    auth.login(make_user())
    assert client.get("/auth/logout").status_code == 405
    assert client.get("/staff/").status_code == 200


def _replay(app, cookies):
    """A second browser presenting cookies captured earlier."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value, domain="localhost")
    return other


@pytest.mark.parametrize("remember", [False, True])
def test_logout_ends_the_session_even_for_a_replayed_cookie(app, client, auth, make_user, remember):
    user = make_user()
    auth.login(user, remember=remember)
    captured = {c.key: c.value for c in client._cookies.values()}
    assert _replay(app, captured).get("/staff/").status_code == 200
    auth.logout()
    assert _replay(app, captured).get("/staff/").status_code == 302


def test_password_change_ends_other_sessions(app, client, auth, make_user):
    user = make_user()
    auth.login(user)
    captured = {c.key: c.value for c in client._cookies.values()}
    response = client.post_form(
        "/auth/password",
        {
            "current": TEST_PASSWORD,
            "new": "another long passphrase",
            "confirm": "another long passphrase",
        },
    )
    assert response.status_code == 302
    assert _replay(app, captured).get("/staff/").status_code == 302
    fresh = app.test_client()
    fresh.__class__ = client.__class__
    from .conftest import AuthActions

    AuthActions(fresh).login(user, password="another long passphrase")


def test_deactivation_ends_sessions(app, client, auth, make_user):
    user = make_user()
    admin = make_user("admin")
    auth.login(user)
    users.deactivate(admin, user.id)
    assert client.get("/staff/").status_code == 302
    refused = client.post_form("/auth/login", {"email": user.email, "password": TEST_PASSWORD})
    assert refused.status_code == 401


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/staff/", "/staff/"),
        ("/countries/kz", "/countries/kz"),
        ("https://evil.example/", "/staff/"),
        ("//evil.example/", "/staff/"),
        ("/\\evil.example", "/staff/"),
        ("javascript:alert(1)", "/staff/"),
    ],
)
def test_next_is_followed_only_to_local_paths(client, make_user, target, expected):
    user = make_user()
    response = client.post_form(
        "/auth/login", {"email": user.email, "password": TEST_PASSWORD, "next": target}
    )
    assert response.headers["Location"] == expected


def test_cookies_are_hardened(app, make_user, database_url):
    from assess import create_app

    from .conftest import base_config

    production = create_app(
        base_config(database_url, "")
        | {"SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True}
    )
    production.test_client_class = type(app.test_client())
    client = production.test_client()
    with production.app_context():
        user = make_user()
        client.post_form(
            "/auth/login", {"email": user.email, "password": TEST_PASSWORD, "remember": "y"}
        )
    cookies = client.get("/staff/").headers.getlist("Set-Cookie")
    with production.app_context():
        db.engine.dispose()
    headers = " ".join(cookies)
    assert "HttpOnly" in headers
    assert "SameSite=Lax" in headers
    assert "Secure" in headers


def test_login_writes_an_audit_event(app, auth, make_user):
    user = make_user()
    auth.login(user)
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == user.id))
    assert "login" in list(actions)
    stored = db.session.get(User, user.id)
    assert stored.last_login_at is not None
    assert stored.password_hash.startswith("$argon2id$")
