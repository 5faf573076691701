"""Review rounds and deliberate rejection (issue 16, points 3 and 4): the second round shows what
changed since changes were requested, beside the comparison with the published version; the
thread shows each round's decision with its changes; rejecting has its own reason field and asks
for confirmation (a step of its own without JavaScript)."""

import re

from sqlalchemy import select

from assess.extensions import db
from assess.models import ReviewRound

from .review_support import (
    AGE,
    act,
    assessment,
    events,
    login,
    save,
    start_draft,
    text,
    version,
    visible_text,
)

FIRST = "The age of consent is 16 under Article 122 of the Criminal Code."
SECOND = "The age of consent is 16 under Article 122; Article 124 adds grooming offences."


def two_rounds(client, auth):
    """A KZ version returned once with a comment, edited by its reviewer and submitted again."""
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client)
    assert save(client, draft, analysis=FIRST).status_code == 302
    assert act(client, draft.id, "submit").status_code == 302
    login(client, auth, "supervisor@example.org")
    returned = act(client, draft.id, "request-changes", comment="Mention grooming.")
    assert returned.status_code == 302
    login(client, auth, "reviewer@example.org")
    assert save(client, draft, analysis=SECOND).status_code == 302
    assert act(client, draft.id, "submit").status_code == 302
    login(client, auth, "supervisor@example.org")
    return draft


def test_each_decision_keeps_the_content_it_was_taken_on(client, auth, demo_data):
    draft = two_rounds(client, auth)
    of_draft = select(ReviewRound).where(ReviewRound.version_id == draft.id)
    [first] = db.session.scalars(of_draft).all()
    assert (first.number, first.action) == (1, "request_changes")
    assert first.content["analysis"] == FIRST
    assert first.base_version_id == assessment("KZ", AGE).published_version_id
    assert events(draft.id, "request_changes")[0].details == {"round": 1}
    assert act(client, draft.id, "approve").status_code == 302
    rounds = db.session.scalars(of_draft.order_by(ReviewRound.number)).all()
    assert [(r.number, r.action, r.content["analysis"]) for r in rounds] == [
        (1, "request_changes", FIRST),
        (2, "approve", SECOND),
    ]


def test_the_second_round_shows_the_changes_since_the_first(client, auth, demo_data):
    draft = two_rounds(client, auth)
    page = client.get(f"/staff/versions/{draft.id}")
    html = text(page)
    said = visible_text(page)
    # By default: what changed since the supervisor asked, the rest one tab away.
    assert re.search(r'aria-current="page">Changes since the last round</a>', html)
    assert "Changes against the published version</a>" in html
    assert "Compared with the text as it was when Dana Supervisor requested changes" in said
    assert "(round 1)" in said
    changes = html[html.index('id="changes-heading"') :]
    analysis = changes[changes.index("<h3>Analysis</h3>") : changes.index("<h3>Analysis source")]
    assert "[added: </span>124<" in analysis  # what the reviewer added in round 2
    assert "[removed: </span>Criminal<" in analysis  # against round 1, not the published text
    assert "Finding" in changes and "(unchanged)" in changes

    # Against the published version: the demo's published text is what is struck through.
    published = assessment("KZ", AGE).published_version.analysis
    against = text(client.get(f"/staff/versions/{draft.id}?view=review&compare=published"))
    assert re.search(r'aria-current="page">Changes against the published version</a>', against)
    assert published.split()[0] in against


def test_the_thread_shows_each_rounds_decision_with_its_changes(client, auth, demo_data):
    draft = two_rounds(client, auth)
    assert act(client, draft.id, "approve").status_code == 302
    page = client.get(f"/staff/versions/{draft.id}?view=review")
    html = text(page)
    thread = html[html.index('id="thread"') :]
    assert "Round 1" in thread and "Round 2" in thread
    assert "What round 1 decided on: the changes against the published version" in visible_text(
        page
    )
    assert "What round 2 decided on: the changes since round 1" in visible_text(page)
    round_two = thread[thread.index("What round 2 decided on") :]
    assert "[added: </span>124<" in round_two
    assert "Mention grooming." in thread


def test_the_editor_shows_the_rounds_too_and_links_the_comparison(client, auth, demo_data):
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client)
    assert save(client, draft, analysis=FIRST).status_code == 302
    assert act(client, draft.id, "submit").status_code == 302
    login(client, auth, "supervisor@example.org")
    assert act(client, draft.id, "request-changes", comment="More.").status_code == 302
    login(client, auth, "reviewer@example.org")
    editor = client.get(f"/staff/versions/{draft.id}")
    assert "What changed since the last round" in visible_text(editor)
    assert "What round 1 decided on" in visible_text(editor)


def test_reject_has_its_own_reason_field_apart_from_request_changes(client, auth, demo_data):
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client)
    assert act(client, draft.id, "submit").status_code == 302
    login(client, auth, "supervisor@example.org")
    html = text(client.get(f"/staff/versions/{draft.id}"))
    decide = html[html.index('id="decide-heading"') : html.index('id="reject-heading"')]
    reject = html[html.index('id="reject-heading"') : html.index('id="thread"')]
    assert 'for="comment">Decision comment' in decide and "Request changes" in decide
    assert "Reject" not in decide.replace("reject", "")  # no reject button beside them
    assert '<label for="reject-comment">Reason for rejecting</label>' in reject
    assert "formaction" not in reject and "data-confirm=" in reject


def test_reject_asks_for_confirmation_first(client, auth, demo_data):
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client)
    assert act(client, draft.id, "submit").status_code == 302
    login(client, auth, "supervisor@example.org")
    asked = act(client, draft.id, "reject", comment="Outside the framework.")
    assert asked.status_code == 200
    said = visible_text(asked)
    assert "Reject this version for good?" in said
    assert "Outside the framework." in said
    assert version(draft.id).state == "submitted"
    assert events(draft.id, "reject") == []
    confirmed = act(client, draft.id, "reject", comment="Outside the framework.", confirmed="yes")
    assert confirmed.status_code == 302
    assert version(draft.id).state == "rejected"
    assert version(draft.id).decision_comment == "Outside the framework."


def test_the_confirmation_is_not_offered_where_rejecting_would_be_refused(client, auth, demo_data):
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client)
    assert act(client, draft.id, "submit").status_code == 302
    # The contributor may not reject (four-eyes): refused at once, not asked to confirm.
    refused = act(client, draft.id, "reject", comment="Mine.")
    assert refused.status_code == 403
    assert "Reject this version for good?" not in visible_text(refused)
    # A supervisor without a reason is told to write one.
    login(client, auth, "supervisor@example.org")
    empty = act(client, draft.id, "reject", comment=" ")
    assert empty.status_code == 422
    assert '<p class="error-message" id="reject-comment-error">' in text(empty)
    assert version(draft.id).state == "submitted"
