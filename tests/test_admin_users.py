"""User administration: invitations, roles, deactivation, resets, the account page."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from assess.extensions import db
from assess.models import RoleGrant, User, UserToken
from assess.services import grants, users
from assess.services.errors import Conflict, PermissionDenied

from .admin_helpers import audit_actions, last_mail, link_in, page
from .conftest import TEST_PASSWORD, AuthActions

NEW_PASSWORD = "a brand new passphrase"


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _fresh(app, client):
    other = app.test_client()
    other.__class__ = client.__class__
    return other, AuthActions(other)


def test_admin_invites_a_user_who_chooses_a_password(app, client, auth, make_user):
    auth.login(make_user("admin"))
    response = client.post_form(
        "/admin/users/new",
        {"email": "New.Person@Example.org", "name": "New Person", "role": "reviewer",
         "scope": "listed", "countries": "kz, uz", "mode": "invite"},
    )  # fmt: skip
    assert response.status_code == 303
    user = _user("new.person@example.org")
    assert sorted(g.country.iso2 for g in user.grants) == ["KZ", "UZ"]
    assert "Invitation pending" in page(client.get("/admin/users/"))

    mail = last_mail("new.person@example.org")
    assert "invited" in mail.subject
    link = link_in(mail)
    token = link.rsplit("/", 1)[1]
    stored = db.session.scalar(select(UserToken).where(UserToken.user_id == user.id))
    assert token not in stored.token_hash
    assert len(stored.token_hash) == 64

    # The invited user cannot sign in before choosing a password.
    other, other_auth = _fresh(app, client)
    refused = other.post_form("/auth/login", {"email": user.email, "password": "!pending"})
    assert refused.status_code == 401
    assert "For new.person@example.org" in page(other.get(link))
    done = other.post_form(link, {"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 303
    other_auth.login(user, password=NEW_PASSWORD)
    assert "accept_invitation" in audit_actions(object_id=user.id, object_type="user")
    assert "invite_user" in audit_actions(object_id=user.id, object_type="user")


def test_an_invitation_link_works_once(app, client, make_user):
    admin = make_user("admin")
    user = users.invite(admin, "once@example.org", "reviewer", ["KZ"])
    link = link_in(last_mail(user.email))
    assert client.post_form(link, {"new": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 303
    again = client.post_form(
        link, {"new": "yet another passphrase", "confirm": "yet another passphrase"}
    )
    assert again.status_code == 404
    assert "This link no longer works" in page(again)
    assert users.accounts.hasher.verify(_user("once@example.org").password_hash, NEW_PASSWORD)


def test_an_expired_link_is_refused(app, client, make_user):
    admin = make_user("admin")
    user = users.invite(admin, "late@example.org", "reviewer")
    link = link_in(last_mail(user.email))
    token_row = db.session.scalar(select(UserToken).where(UserToken.user_id == user.id))
    token_row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    response = client.get(link)
    assert response.status_code == 404
    assert "This link no longer works" in page(response)
    assert client.get("/account/invitation/not-a-token").status_code == 404


def test_admin_creates_a_user_with_a_password(client, auth, make_user):
    auth.login(make_user("admin"))
    response = client.post_form(
        "/admin/users/new",
        {"email": "direct@example.org", "role": "supervisor", "scope": "all", "countries": "",
         "mode": "create", "password": "short"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Use at least 12 characters." in page(response)
    assert _user("direct@example.org") is None
    client.post_form(
        "/admin/users/new",
        {"email": "direct@example.org", "role": "supervisor", "scope": "all", "mode": "create",
         "password": NEW_PASSWORD},
    )  # fmt: skip
    user = _user("direct@example.org")
    assert [(g.role, g.country_id) for g in user.grants] == [("supervisor", None)]


def test_roles_are_granted_and_revoked_per_country(client, auth, make_user):
    admin = make_user("admin")
    user = make_user("reviewer", ["KZ"])
    auth.login(admin)
    grant = f"/admin/users/{user.id}/grants"
    client.post_form(
        grant, {"role": "supervisor", "scope": "listed", "countries": "uz", "confirmed": "yes"}
    )
    client.post_form(grant, {"role": "reviewer", "scope": "all", "confirmed": "yes"})
    grants = db.session.scalars(select(RoleGrant).where(RoleGrant.user_id == user.id))
    held = {(g.role, g.country.iso2 if g.country else None): g.id for g in grants}
    assert set(held) == {("reviewer", "KZ"), ("supervisor", "UZ"), ("reviewer", None)}
    detail = page(client.get(f"/admin/users/{user.id}"))
    assert "Uzbekistan" in detail
    assert "All countries" in detail
    client.post_form(f"/admin/users/{user.id}/grants/{held[('supervisor', 'UZ')]}/revoke")
    roles = set(db.session.scalars(select(RoleGrant.role).where(RoleGrant.user_id == user.id)))
    assert roles == {"reviewer"}
    assert audit_actions(object_id=user.id, object_type="user").count("grant_role") == 2
    assert "revoke_role" in audit_actions(object_id=user.id, object_type="user")


def test_an_unknown_country_is_refused_with_a_message(client, auth, make_user):
    user = make_user("reviewer")
    auth.login(make_user("admin"))
    response = client.post_form(
        f"/admin/users/{user.id}/grants", {"role": "supervisor", "scope": "listed", "countries": "QQ"},
        follow_redirects=True,
    )  # fmt: skip
    assert "Unknown country code" in page(response)


def test_deactivation_ends_every_session_at_once(app, client, auth, make_user):
    admin = make_user("admin")
    user = make_user("reviewer", ["KZ"])
    other, other_auth = _fresh(app, client)
    other_auth.login(user)
    assert other.get("/staff/").status_code == 200
    auth.login(admin)
    response = client.post_form(f"/admin/users/{user.id}/deactivate", follow_redirects=True)
    assert "Deactivated" in page(response)
    assert other.get("/staff/").status_code == 302
    assert (
        other.post_form("/auth/login", {"email": user.email, "password": TEST_PASSWORD}).status_code
        == 401
    )
    client.post_form(f"/admin/users/{user.id}/reactivate")
    other_auth.login(user)
    assert audit_actions(object_id=user.id, object_type="user")[-3:-1] == [
        "deactivate_user",
        "reactivate_user",
    ]


def test_the_last_admin_cannot_be_removed(make_user):
    admin = make_user("admin")
    with pytest.raises(Conflict):
        users.revoke_role(admin, admin.grants[0].id)
    with pytest.raises(Conflict):
        users.deactivate(admin, admin.id)
    second = make_user("admin")
    users.deactivate(second, admin.id)
    assert not db.session.get(User, admin.id).active


def test_a_password_reset_link_sets_a_new_password_and_ends_sessions(app, client, auth, make_user):
    admin = make_user("admin")
    user = make_user("reviewer")
    other, other_auth = _fresh(app, client)
    other_auth.login(user)
    auth.login(admin)
    client.post_form(f"/admin/users/{user.id}/reset")
    mail = last_mail(user.email)
    assert "Reset your" in mail.subject
    link = link_in(mail)
    assert "/account/reset/" in link
    anonymous, anonymous_auth = _fresh(app, client)
    response = anonymous.get(link)
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    anonymous.post_form(link, {"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert other.get("/staff/").status_code == 302
    anonymous_auth.login(user, password=NEW_PASSWORD)
    assert "reset_password" in audit_actions(object_id=user.id, object_type="user")


def test_a_new_reset_link_cancels_the_older_one(client, make_user):
    admin = make_user("admin")
    user = make_user("reviewer")
    users.send_password_reset(admin, user.id)
    first = link_in(last_mail(user.email))
    users.send_password_reset(admin, user.id)
    second = link_in(last_mail(user.email))
    assert first != second
    refused = client.get(first)
    assert refused.status_code == 404
    assert "This link no longer works" in page(refused)
    accepted = client.get(second)
    assert accepted.status_code == 200
    assert 'type="password"' in page(accepted)


def test_only_admins_manage_users(make_user):
    supervisor = make_user("supervisor")
    with pytest.raises(PermissionDenied):
        users.invite(supervisor, "x@example.org", "reviewer")
    with pytest.raises(PermissionDenied):
        users.deactivate(supervisor, make_user().id)
    with pytest.raises(PermissionDenied):
        grants.grant_role(supervisor, supervisor.id, "admin", grants.ALL_COUNTRIES)


def test_the_account_page_saves_the_email_preference(client, auth, make_user):
    user = make_user("reviewer", ["KZ"])
    auth.login(user)
    account = page(client.get("/account/"))
    assert "My account" in account
    assert user.email in account
    assert _checkbox(account).startswith("<input")
    assert " checked " in _checkbox(account)
    client.post_form("/account/", {})
    assert db.session.get(User, user.id).email_notifications is False
    assert " checked " not in _checkbox(page(client.get("/account/")))
    assert "set_preferences" in audit_actions(object_id=user.id, object_type="user")


def _checkbox(html: str) -> str:
    start = html.index("<input", html.index('id="email_notifications"') - 200)
    return html[start : html.index(">", start) + 1]


def test_the_account_page_needs_a_sign_in(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
