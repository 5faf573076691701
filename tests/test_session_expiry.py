"""No lost work across an expired session (issue 16, point 1): a form posted just after the
session ended is kept for its owner, who signs in again and is back in the form with the text and
a message; a refused POST never leads to a 405; every staff page says when the session ends and
offers to extend it; asking how long is left is not activity."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from assess import security
from assess.extensions import db
from assess.models import Comment, KeptForm

from .review_support import (
    DEMO_PASSWORDS,
    act,
    form_fields,
    login,
    start_draft,
    text,
    user,
    version,
    visible_text,
)

TYPED = "Article 122 sets the age of consent at 16; this was typed while the session ran out."


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        now = 1_900_000_000.0

        def advance(self, **delta):
            from datetime import timedelta

            self.now += timedelta(**delta).total_seconds()

    fake = Clock()
    monkeypatch.setattr(security, "clock", lambda: fake.now)
    return fake


def post_late(client, clock, path: str, data: dict, minutes: int = 31):
    """Post a form `minutes` after the page carrying it was loaded (its token read then)."""
    token = client.csrf_token()
    clock.advance(minutes=minutes)
    return client.post(path, data={**data, "csrf_token": token})


def _sign_in_again(client, email: str, location: str):
    """Follow the redirect to the sign-in page, read it, sign in: the page signing in leads to."""
    login_page = client.get(location)
    assert login_page.status_code == 200
    next_path = parse_qs(urlsplit(location).query)["next"][0]
    signed_in = client.post_form(
        "/auth/login",
        {"email": email, "password": DEMO_PASSWORDS[email], "next": next_path},
    )
    assert signed_in.status_code == 302
    return login_page, signed_in.headers["Location"]


def test_a_save_after_the_idle_timeout_keeps_the_text_and_brings_it_back(
    client, auth, demo_data, clock
):
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client)
    stored_before = version(draft.id).analysis
    fields = form_fields(version(draft.id), analysis=TYPED)
    response = post_late(client, clock, f"/staff/versions/{draft.id}/save", fields)

    # Not saved (the session is over), but kept, and the sign-in page says so.
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/auth/login?next=")
    assert version(draft.id).analysis == stored_before
    kept = db.session.scalar(select(KeptForm))
    assert kept.user_id == user("reviewer@example.org").id
    assert kept.path == f"/staff/versions/{draft.id}/save"
    assert ["analysis", TYPED] in kept.fields
    assert not any(name == "csrf_token" for name, _ in kept.fields)
    login_page, back = _sign_in_again(client, "reviewer@example.org", location)
    said = visible_text(login_page)
    assert "Your session ended after 30 minutes without activity." in said
    assert "it is kept: sign in again and it will be back in the form" in said

    # Signed in again: the editor (a GET, never the save URL), with the text and a message.
    assert back.startswith(f"/staff/versions/{draft.id}?restore=")
    editor = client.get(back)
    assert editor.status_code == 200
    page = text(editor)
    assert TYPED in page
    assert "Your session ended before this form was saved." in visible_text(editor)
    assert "data-unsaved" in page  # leaving it now makes the browser ask
    assert version(draft.id).analysis == stored_before  # still nothing stored until Save

    # Saving it from there stores it.
    saved = act(client, draft.id, "save", **form_fields(version(draft.id), analysis=TYPED))
    assert saved.status_code == 302
    assert version(draft.id).analysis == TYPED


def test_a_kept_form_is_only_its_owners(client, auth, demo_data, clock):
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client)
    fields = form_fields(version(draft.id), analysis=TYPED)
    response = post_late(client, clock, f"/staff/versions/{draft.id}/save", fields)
    token = parse_qs(
        urlsplit(parse_qs(urlsplit(response.headers["Location"]).query)["next"][0]).query
    )["restore"][0]
    # The KZ supervisor may open the draft, but the reviewer's kept text is not theirs to read.
    login(client, auth, "supervisor@example.org")
    page = client.get(f"/staff/versions/{draft.id}?restore={token}")
    assert page.status_code == 200
    assert TYPED not in text(page)
    # Nor does a token meant for one version fill another's form.
    login(client, auth, "reviewer@example.org")
    other = client.post_form("/staff/countries/kz/csam-definition/start")
    other_id = int(other.headers["Location"].rsplit("/", 1)[1])
    assert TYPED not in text(client.get(f"/staff/versions/{other_id}?restore={token}"))


def test_a_comment_and_a_decision_comment_are_kept_too(client, auth, demo_data, clock):
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client)
    assert act(client, draft.id, "submit").status_code == 302
    login(client, auth, "supervisor@example.org")
    comment = post_late(
        client,
        clock,
        f"/staff/versions/{draft.id}/comment",
        {"body": "Which article?", "view": "review"},
    )
    _page, back = _sign_in_again(client, "supervisor@example.org", comment.headers["Location"])
    assert "view=review" in back
    review = client.get(back)
    assert "Which article?</textarea>" in text(review)
    assert db.session.scalar(select(func.count(Comment.id))) == 0

    returned = post_late(
        client,
        clock,
        f"/staff/versions/{draft.id}/request-changes",
        {"comment": "Cite the article, please."},
    )
    _page, back = _sign_in_again(client, "supervisor@example.org", returned.headers["Location"])
    review = text(client.get(back))
    assert re.search(r'id="comment"[^>]*>\s*Cite the article, please.</textarea>', review)
    assert version(draft.id).state == "submitted"  # kept, not decided


def test_a_post_without_a_session_never_leads_to_a_405(client, auth, demo_data):
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client)
    auth.logout()
    token = client.csrf_token()
    refused = client.post(
        f"/staff/versions/{draft.id}/save",
        data={"csrf_token": token, "analysis": "x"},
        headers={"Referer": f"http://localhost/staff/versions/{draft.id}"},
    )
    location = refused.headers["Location"]
    next_path = parse_qs(urlsplit(location).query)["next"][0]
    assert next_path == f"/staff/versions/{draft.id}"  # the editor, not /save
    email = "reviewer@example.org"
    auth.login(user(email), password=DEMO_PASSWORDS[email])
    assert client.get(next_path).status_code == 200
    # With no page to go back to, the staff home page.
    auth.logout()
    token = client.csrf_token()
    bare = client.post(f"/staff/versions/{draft.id}/withdraw", data={"csrf_token": token})
    assert parse_qs(urlsplit(bare.headers["Location"]).query)["next"][0] == "/staff/"


def test_staff_pages_say_when_the_session_ends_and_offer_to_extend_it(client, auth, demo_data):
    login(client, auth, "reviewer@example.org")
    page = client.get("/staff/")
    said = visible_text(page)
    assert "you are signed out after 30 minutes without activity" in said
    remaining = int(re.search(r'data-remaining="(\d+)"', text(page)).group(1))
    assert 1790 <= remaining <= 1800
    assert "Stay signed in" in said
    # Without JavaScript the button is a form that comes back to the page.
    extended = client.post_form("/auth/keep-alive", {"next": "/staff/queue/review"})
    assert extended.status_code == 303
    assert extended.headers["Location"] == "/staff/queue/review"
    assert "You stay signed in until" in visible_text(client.get("/staff/queue/review"))
    # The public pages, read by everyone, say nothing of it.
    assert "session-notice" not in text(client.get("/countries/kz"))


def test_a_save_after_the_page_was_told_the_session_ended_is_still_kept(
    client, auth, demo_data, clock
):
    """The page's script asks the time left, hears "ended" and says so; the reviewer then saves.
    Asking ended nothing, so the save is recognised as theirs and kept, not refused as a 400."""
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client)
    fields = form_fields(version(draft.id), analysis=TYPED)
    token = client.csrf_token()
    clock.advance(minutes=31)
    gone = client.get("/auth/session", headers={"Accept": "application/json"})
    assert gone.status_code == 401 and gone.get_json() == {"signed_in": False}
    again = client.get("/auth/session", headers={"Accept": "application/json"})
    assert again.status_code == 401  # still over, however often it is asked
    response = client.post(f"/staff/versions/{draft.id}/save", data={**fields, "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")
    kept = db.session.scalar(select(KeptForm))
    assert kept.user_id == user("reviewer@example.org").id
    assert ["analysis", TYPED] in kept.fields
    assert client.get("/staff/").status_code == 302  # and the session is over for real


def test_asking_how_long_is_left_is_not_activity_but_extending_is(client, auth, demo_data, clock):
    login(client, auth, "reviewer@example.org")
    clock.advance(minutes=20)
    status = client.get("/auth/session", headers={"Accept": "application/json"}).get_json()
    assert status["signed_in"] is True and status["remaining"] == 600 and status["extendable"]
    clock.advance(minutes=11)  # 31 minutes since the last real activity
    gone = client.get("/auth/session", headers={"Accept": "application/json"})
    assert gone.status_code == 401 and gone.get_json() == {"signed_in": False}

    login(client, auth, "reviewer@example.org")
    clock.advance(minutes=20)
    kept_alive = client.post_form("/auth/keep-alive", headers={"Accept": "application/json"})
    assert kept_alive.get_json()["remaining"] == 1800
    clock.advance(minutes=11)
    assert client.get("/staff/").status_code == 200


def test_stay_signed_in_in_the_editor_keeps_the_text_being_typed(client, auth, demo_data):
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client)
    editor = text(client.get(f"/staff/versions/{draft.id}"))
    assert 'form="editor"' in editor and 'value="keep-alive"' in editor
    fields = form_fields(version(draft.id), analysis=TYPED, op="keep-alive")
    response = act(client, draft.id, "edit", **fields)
    assert response.status_code == 200
    assert TYPED in text(response)
    assert "You stay signed in until" in visible_text(response)
    assert version(draft.id).analysis != TYPED  # nothing saved
