"""The workflow's rules, enforced by the services: proved with hand-made POSTs that skip the UI."""

import pytest
from sqlalchemy import func, select

from assess.extensions import db
from assess.models import AuditEvent

from .review_support import (
    AGE,
    act,
    assessment,
    events,
    form_fields,
    login,
    open_version,
    save,
    snapshot,
    start,
    start_draft,
    text,
    user,
    version,
    visible_text,
)

DECISIONS = [
    ("approve", {}),
    ("request-changes", {"comment": "Please fix."}),
    ("reject", {"comment": "No.", "confirmed": "yes"}),
]


def submitted_by_reviewer_and_supervisor(client, auth):
    """A KZ version that the reviewer and the KZ supervisor both worked on, then submitted."""
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client)
    assert save(client, draft, analysis="First words.").status_code == 302
    login(client, auth, "supervisor@example.org")
    assert save(client, draft, analysis="First words, improved.").status_code == 302
    login(client, auth, "reviewer@example.org")
    assert act(client, draft.id, "submit").status_code == 302
    return version(draft.id)


@pytest.mark.parametrize(
    "who", ["reviewer@example.org", "supervisor@example.org", "admin@example.org"]
)
def test_four_eyes_no_contributor_nor_admin_can_decide(client, auth, demo_data, who):
    submitted = submitted_by_reviewer_and_supervisor(client, auth)
    login(client, auth, who)
    before = snapshot()
    for action, data in DECISIONS:
        response = act(client, submitted.id, action, **data)
        assert response.status_code == 403, action
        if who == "supervisor@example.org":
            assert "You contributed to this version" in text(response)
    assert snapshot() == before
    assert version(submitted.id).state == "submitted"


def test_four_eyes_the_review_screen_offers_no_decision_to_a_contributor(client, auth, demo_data):
    submitted = submitted_by_reviewer_and_supervisor(client, auth)
    login(client, auth, "supervisor@example.org")
    page = visible_text(client.get(f"/staff/versions/{submitted.id}"))
    assert "You contributed to this version, so you cannot approve" in page
    assert "Approve and publish" not in page
    login(client, auth, "supervisor2@example.org")
    page = visible_text(client.get(f"/staff/versions/{submitted.id}"))
    assert "Approve and publish" in page
    assert act(client, submitted.id, "approve").status_code == 302
    assert version(submitted.id).state == "published"


def test_an_item_without_an_eligible_supervisor_says_so(client, auth, make_user, app):
    supervisor = make_user("supervisor", ["FR"], name="Sole Supervisor")
    login(client, auth, supervisor)
    draft = start_draft(client, "FR", AGE)
    assert save(client, draft, status="yes", analysis="Oui.").status_code == 302
    assert act(client, draft.id, "submit").status_code == 302
    assert "Needs a second supervisor" in visible_text(client.get("/staff/countries/fr"))
    review = visible_text(client.get(f"/staff/versions/{draft.id}"))
    assert "Needs a second supervisor" in review
    assert "nobody can approve it under the four-eyes rule" in review
    assert act(client, draft.id, "approve").status_code == 403
    make_user("supervisor", ["FR"], name="Second Supervisor")
    assert "Needs a second supervisor" not in text(client.get("/staff/countries/fr"))


@pytest.fixture
def kyrgyz_draft(client, auth, make_user, demo_data):
    """A draft of Kyrgyzstan's, which the Kazakhstan demo staff must not see."""
    reviewer = make_user("reviewer", ["KG"])
    login(client, auth, reviewer)
    return start_draft(client, "KG", AGE)


@pytest.mark.parametrize("who", ["reviewer@example.org", "supervisor@example.org"])
def test_country_scope_another_countrys_pages_are_not_found(client, auth, kyrgyz_draft, who):
    login(client, auth, who)
    assert client.get(f"/staff/versions/{kyrgyz_draft.id}").status_code == 404
    assert client.get(f"/staff/versions/{kyrgyz_draft.id}?view=review").status_code == 404
    assert client.get("/staff/countries/kg").status_code == 404
    assert start(client, "kg", "csam-definition").status_code == 404


HAND_MADE_POSTS = [
    ("save", None),
    ("edit", {"op": "add:citations"}),
    ("submit", {}),
    ("withdraw", {}),
    ("discard", {}),
    ("rebase", {}),
    ("comment", {"body": "Hello"}),
    ("approve", {}),
    ("request-changes", {"comment": "x"}),
    ("reject", {"comment": "x", "confirmed": "yes"}),
    ("retract", {"reason": "x"}),
]


@pytest.mark.parametrize("who", ["reviewer@example.org", "supervisor@example.org"])
def test_country_scope_another_countrys_draft_cannot_be_touched(client, auth, kyrgyz_draft, who):
    login(client, auth, who)
    before = snapshot()
    for action, data in HAND_MADE_POSTS:
        payload = form_fields(version(kyrgyz_draft.id)) if data is None else dict(data)
        payload["row_version"] = "999"  # even a stale form must not reveal that it exists
        response = act(client, kyrgyz_draft.id, action, **payload)
        assert response.status_code == 404, action
    assert snapshot() == before


def test_one_open_version_the_second_reviewer_is_told_who_holds_it(
    client, auth, make_user, demo_data
):
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client)
    login(client, auth, make_user("reviewer", ["KZ"]))
    response = start(client, "kz", AGE)
    assert response.status_code == 409
    since = draft.created_at.strftime("%b %-d, %Y")
    page = visible_text(response)
    assert "Aigerim Reviewer already holds an open version of this assessment, since" in page
    assert since in page
    assert open_version("KZ", AGE).id == draft.id
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "start")
        )
        == 3
    )


def test_a_stale_save_answers_409_shows_both_texts_and_loses_nothing(client, auth, demo_data):
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client)
    opened = form_fields(version(draft.id))  # the reviewer opens the editor...
    login(client, auth, "supervisor@example.org")
    assert save(client, draft, analysis="The supervisor's wording.").status_code == 302
    login(client, auth, "reviewer@example.org")
    mine = dict(opened, analysis="The reviewer's wording.")
    response = client.post_form(f"/staff/versions/{draft.id}/save", mine)  # ...and saves late
    assert response.status_code == 409
    page = text(response)
    assert "Someone else saved this version while you were editing" in page
    assert "Dana Supervisor saved it on" in visible_text(response)
    shown = visible_text(response)
    assert "Stored now Finding ◐ Partial Analysis The supervisor's wording." in shown
    assert "Yours (not saved) Finding ◐ Partial Analysis The reviewer's wording." in shown
    assert "The reviewer&#39;s wording.</textarea>" in page  # still in the form, to save again
    assert version(draft.id).analysis == "The supervisor's wording."
    # The form now carries the current row version: saving again is an informed overwrite.
    stored = version(draft.id)
    assert f'name="row_version" type="hidden" value="{stored.row_version}"' in page
    again = client.post_form(
        f"/staff/versions/{draft.id}/save", dict(mine, row_version=str(stored.row_version))
    )
    assert again.status_code == 302
    assert version(draft.id).analysis == "The reviewer's wording."


def test_approval_of_a_stale_version_is_blocked_until_it_is_brought_up_to_date(
    client, auth, demo_data
):
    published = assessment("KZ", AGE).published_version
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client)
    assert act(client, draft.id, "submit").status_code == 302
    # Meanwhile the published version is retracted: the draft's base is no longer published.
    login(client, auth, "supervisor@example.org")
    assert act(client, published.id, "retract", reason="Outdated.").status_code == 302
    review = visible_text(client.get(f"/staff/versions/{draft.id}"))
    assert "Approval is blocked" in review
    assert "Its author must withdraw it, or a supervisor must return it" in review
    before = snapshot()
    response = act(client, draft.id, "approve")
    assert response.status_code == 409
    assert "The published version changed after this draft was started" in text(response)
    assert snapshot() == before
    # A submitted version cannot be rebased: it must come back first.
    login(client, auth, "reviewer@example.org")
    response = act(client, draft.id, "rebase")
    assert response.status_code == 409
    assert "withdraw it, or have it returned for changes" in text(response)
    assert act(client, draft.id, "withdraw").status_code == 302
    assert "Bring the draft up to date" in text(client.get(f"/staff/versions/{draft.id}"))
    assert act(client, draft.id, "rebase").status_code == 302
    rebased = version(draft.id)
    assert rebased.base_version_id is None
    event = events(draft.id, "rebase")[0]
    assert event.details == {"from_base": published.id, "to_base": None}
    assert event.actor.email == "reviewer@example.org"
    assert act(client, draft.id, "submit").status_code == 302
    login(client, auth, "supervisor@example.org")
    assert act(client, draft.id, "approve").status_code == 302
    assert assessment("KZ", AGE).published_version_id == draft.id


def test_rebase_is_for_editors_of_the_country(client, auth, demo_data):
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client)
    login(client, auth, "admin@example.org")
    assert act(client, draft.id, "rebase").status_code == 403
    assert events(draft.id, "rebase") == []


def test_a_reviewer_cannot_retract(client, auth, demo_data):
    published = assessment("KZ", AGE).published_version
    login(client, auth, "reviewer@example.org")
    assert act(client, published.id, "retract", reason="Mine.").status_code == 403
    assert version(published.id).state == "published"


def test_an_admin_reads_but_cannot_draft(client, auth, demo_data):
    login(client, auth, "admin@example.org")
    page = visible_text(client.get("/staff/countries/kz"))
    assert "not one of its reviewers or supervisors" in page
    assert "Start a draft" not in page
    assert start(client, "kz", AGE).status_code == 403
    assert user("admin@example.org") is not None
