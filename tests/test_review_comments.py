"""The review thread: comments and decisions on a version, kept across rounds."""

import pytest
from sqlalchemy import select

from assess.extensions import db
from assess.models import Comment

from .review_support import (
    act,
    events,
    login,
    save,
    snapshot,
    start_draft,
    text,
    version,
    visible_text,
)


def test_the_thread_keeps_every_round_in_order(client, auth, demo_data):
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client)
    assert save(client, draft, analysis="Round one.").status_code == 302
    assert act(client, draft.id, "submit").status_code == 302
    login(client, auth, "supervisor@example.org")
    response = act(client, draft.id, "comment", body="Which article sets the age?", view="review")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("?view=review#thread")
    assert act(client, draft.id, "request-changes", comment="Cite the article.").status_code == 302
    login(client, auth, "reviewer@example.org")
    assert (
        act(client, draft.id, "comment", body="Article 122 of the Criminal Code.").status_code
        == 302
    )
    assert save(client, draft, analysis="Round two, citing Article 122.").status_code == 302
    assert act(client, draft.id, "submit").status_code == 302
    login(client, auth, "supervisor@example.org")
    page = visible_text(client.get(f"/staff/versions/{draft.id}"))
    thread = page[page.index("Review thread") :]
    expected = [
        "Aigerim Reviewer started the draft",
        "Aigerim Reviewer submitted it for review",
        "Dana Supervisor commented",
        "Which article sets the age?",
        "Dana Supervisor requested changes",
        "Cite the article.",
        "Aigerim Reviewer commented",
        "Article 122 of the Criminal Code.",
        "Aigerim Reviewer submitted it for review",
    ]
    position = 0
    for line in expected:  # each line appears after the previous one
        position = thread.index(line, position) + len(line)
    stored = db.session.scalars(
        select(Comment).where(Comment.version_id == draft.id).order_by(Comment.id)
    )
    assert [(c.author.email, c.body) for c in stored] == [
        ("supervisor@example.org", "Which article sets the age?"),
        ("reviewer@example.org", "Article 122 of the Criminal Code."),
    ]
    assert len(events(draft.id, "comment")) == 2


@pytest.mark.parametrize("action", ["request-changes", "reject"])
def test_returning_or_rejecting_needs_a_comment(client, auth, demo_data, action):
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client)
    assert act(client, draft.id, "submit").status_code == 302
    login(client, auth, "supervisor@example.org")
    before = snapshot()
    response = act(client, draft.id, action, comment="   ", confirmed="yes")
    assert response.status_code == 422
    page = text(response)
    field = "reject-comment" if action == "reject" else "comment"  # rejecting has its own box
    assert f'<p class="error-message" id="{field}-error">' in page
    assert "Write a comment: it is required here." in page
    assert snapshot() == before
    assert version(draft.id).state == "submitted"


def test_an_empty_comment_is_refused_beside_the_field(client, auth, demo_data):
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client)
    before = snapshot()
    response = act(client, draft.id, "comment", body="  \n ")
    assert response.status_code == 422
    assert '<p class="error-message" id="body-error">' in text(response)
    assert snapshot() == before


def test_comments_are_plain_text(client, auth, demo_data):
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client)
    assert act(client, draft.id, "comment", body="<script>alert(1)</script>").status_code == 302
    page = text(client.get(f"/staff/versions/{draft.id}"))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
