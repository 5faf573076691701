"""Hosts and links: a request for a host the site does not answer to is refused before it can
write anything, and every absolute link in a mail comes from ASSESS_BASE_URL, never from the
request's Host header."""

import pytest
from sqlalchemy import func, select

from assess.extensions import db
from assess.models import OutboxEmail, User, UserToken

from .conftest import AuthActions
from .review_support import act, form_fields, login, open_version, start_draft, version

BASE = "https://assess.example.org"
FORGED = {"Host": "evil.example"}


@pytest.fixture
def site(app, make_app):
    """The site as configured in production: its base URL; localhost is the test client's host."""
    app = make_app(BASE_URL=BASE, TRUSTED_HOSTS="localhost")
    return app


@pytest.fixture
def site_client(site):
    return site.test_client()


def mails() -> list[OutboxEmail]:
    db.session.commit()
    return list(db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


def test_the_base_url_host_and_the_named_hosts_are_trusted(site):
    assert site.config["TRUSTED_HOSTS"] == ["localhost", "assess.example.org"]


@pytest.mark.parametrize("host", ["evil.example", "assess.example.org.evil.example", "a" * 300])
def test_a_request_for_another_host_is_refused(site_client, host):
    response = site_client.get("/countries/kz", headers={"Host": host})
    assert response.status_code == 400
    assert "unknown host" in response.get_data(as_text=True)
    assert (
        site_client.get("/countries/kz", headers={"Host": "assess.example.org"}).status_code == 200
    )


def test_a_forged_host_on_submit_changes_nothing_and_mails_nobody(site_client, demo_data):
    auth = AuthActions(site_client)
    login(site_client, auth, "reviewer@example.org")
    draft = start_draft(site_client)
    form = form_fields(version(draft.id), analysis="Age of consent: 18 years.")
    assert site_client.post_form(f"/staff/versions/{draft.id}/save", form).status_code == 302
    before = len(mails())

    forged = site_client.post_form(f"/staff/versions/{draft.id}/submit", headers=FORGED)
    assert forged.status_code == 400
    assert version(draft.id).state == "draft"
    assert len(mails()) == before

    assert act(site_client, draft.id, "submit").status_code == 302
    sent = mails()[before:]
    assert sent, "the supervisors are told of the submission"
    link = f"{BASE}/staff/versions/{draft.id}"
    assert all(link in mail.body for mail in sent)
    assert not any("localhost" in mail.body or "evil" in mail.body for mail in sent)
    assert open_version("KZ", "age-of-consent").state == "submitted"


def _admin_client(site_client, make_user):
    auth = AuthActions(site_client)
    auth.login(make_user("admin"))
    return site_client


def test_a_forged_host_on_invite_creates_no_user(site_client, make_user):
    client = _admin_client(site_client, make_user)
    form = {"email": "new@example.org", "name": "New", "role": "reviewer", "scope": "listed",
            "countries": "kz", "mode": "invite"}  # fmt: skip
    assert client.post_form("/admin/users/new", form, headers=FORGED).status_code == 400
    db.session.commit()
    assert db.session.scalar(select(User).where(User.email == "new@example.org")) is None
    assert mails() == []

    assert client.post_form("/admin/users/new", form).status_code == 303
    (mail,) = mails()
    assert f"{BASE}/account/" in mail.body
    assert "localhost" not in mail.body


def test_a_forged_host_on_reset_sends_no_link(site_client, make_user):
    client = _admin_client(site_client, make_user)
    user = make_user("reviewer", ["KZ"])
    assert client.post_form(f"/admin/users/{user.id}/reset", headers=FORGED).status_code == 400
    assert mails() == []
    tokens = select(func.count()).select_from(UserToken).where(UserToken.user_id == user.id)
    assert db.session.scalar(tokens) == 0

    client.post_form(f"/admin/users/{user.id}/reset")
    (mail,) = mails()
    assert f"{BASE}/account/reset/" in mail.body
    assert "localhost" not in mail.body


def test_absolute_links_in_the_api_come_from_the_base_url(site_client):
    index = site_client.get("/api/v1/").get_json()
    assert index["countries"] == f"{BASE}/api/v1/countries"
    assert all(str(link).startswith(BASE) for link in index.values() if "://" in str(link))
