"""Every transition of the review workflow, through the pages and forms a user would use."""

from .review_support import (
    AGE,
    CSAM,
    act,
    assessment,
    events,
    login,
    open_version,
    save,
    start,
    start_draft,
    text,
    version,
    visible_text,
)

PUBLISHED_AGE_TEXT = "Age of sexual consent is 16 years."


def submitted_draft(client, auth, analysis="Age of sexual consent is 18 years."):
    """Reviewer starts the age-of-consent draft, changes it and submits it; returns the version."""
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client)
    assert save(client, draft, analysis=analysis).status_code == 302
    assert act(client, draft.id, "submit").status_code == 302
    return version(draft.id)


def test_start_copies_the_published_version_into_the_editor(client, auth, demo_data):
    login(client, auth, "reviewer@example.org")
    published = assessment("KZ", AGE).published_version
    response = start(client, "kz", AGE)
    draft = open_version("KZ", AGE)
    assert response.headers["Location"] == f"/staff/versions/{draft.id}"
    assert (draft.state, draft.base_version_id, draft.status) == ("draft", published.id, "partial")
    assert draft.analysis == published.analysis
    page = client.get(f"/staff/versions/{draft.id}")
    assert page.status_code == 200
    assert PUBLISHED_AGE_TEXT in text(page)  # in the analysis textarea
    assert "Draft started from the published version" in text(page)
    assert [e.action for e in events(draft.id)] == ["start"]


def test_start_of_a_never_published_indicator_is_blank(client, auth, demo_data):
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client, "KZ", CSAM)
    assert (draft.base_version_id, draft.status, draft.analysis) == (None, "not_assessed", "")
    assert "Based on nothing published" in visible_text(client.get(f"/staff/versions/{draft.id}"))


def test_save_stores_the_form_and_shows_it_again(client, auth, demo_data):
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client)
    opened_at = draft.row_version
    response = save(client, draft, analysis="Age of consent is 16; no close-in-age exception.")
    assert response.status_code == 302
    stored = version(draft.id)
    assert stored.analysis == "Age of consent is 16; no close-in-age exception."
    assert stored.row_version == opened_at + 1
    page = client.get(f"/staff/versions/{draft.id}")
    assert "Age of consent is 16; no close-in-age exception." in text(page)
    assert "Draft saved" in text(page)
    assert [e.action for e in events(draft.id)] == ["start", "save"]


def test_submit_from_the_editor_saves_what_was_typed_first(client, auth, demo_data):
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client)
    response = client.post_form(
        f"/staff/versions/{draft.id}/submit",
        {
            "row_version": str(draft.row_version),
            "status": "no",
            "analysis": "Typed, then submitted.",
            "analysis_language": "en",
        },
    )
    assert response.status_code == 302
    stored = version(draft.id)
    assert (stored.state, stored.status, stored.analysis) == (
        "submitted",
        "no",
        "Typed, then submitted.",
    )
    assert stored.submitted_by.email == "reviewer@example.org"
    page = visible_text(client.get(f"/staff/versions/{draft.id}"))
    assert "Awaiting review" in page
    assert "Submitted for review" in page
    assert [e.action for e in events(draft.id)] == ["start", "save", "submit"]


def test_withdraw_returns_the_version_to_draft(client, auth, demo_data):
    submitted = submitted_draft(client, auth)
    response = act(client, submitted.id, "withdraw")
    assert response.status_code == 302
    assert version(submitted.id).state == "draft"
    page = client.get(f"/staff/versions/{submitted.id}")
    assert 'id="editor"' in text(page)  # editable again
    assert events(submitted.id)[-1].action == "withdraw"


def test_approve_publishes_and_supersedes(client, auth, demo_data):
    old = assessment("KZ", AGE).published_version
    submitted = submitted_draft(client, auth)
    login(client, auth, "supervisor@example.org")
    response = act(client, submitted.id, "approve", comment="Checked against the Code.")
    assert response.status_code == 302
    published = version(submitted.id)
    assert (published.state, published.number) == ("published", 2)
    assert published.decided_by.email == "supervisor@example.org"
    assert published.decision_comment == "Checked against the Code."
    assert version(old.id).state == "superseded"
    assert assessment("KZ", AGE).published_version_id == published.id
    public = text(client.get("/countries/kz"))
    assert "Age of sexual consent is 18 years." in public
    assert PUBLISHED_AGE_TEXT not in public
    assert [e.action for e in events(submitted.id)][-1] == "approve"
    assert [e.action for e in events(old.id)] == ["start", "save", "submit", "approve", "supersede"]


def test_request_changes_sends_it_back_with_the_comment(client, auth, demo_data):
    submitted = submitted_draft(client, auth)
    login(client, auth, "supervisor@example.org")
    response = act(client, submitted.id, "request-changes", comment="Cite Article 120.")
    assert response.status_code == 302
    assert version(submitted.id).state == "changes_requested"
    login(client, auth, "reviewer@example.org")
    page = visible_text(client.get(f"/staff/versions/{submitted.id}"))
    assert "Changes requested by Dana Supervisor" in page
    assert "Cite Article 120." in page
    assert 'id="editor"' in text(client.get(f"/staff/versions/{submitted.id}"))


def test_reject_closes_the_version_and_keeps_the_published_one(client, auth, demo_data):
    old = assessment("KZ", AGE).published_version
    submitted = submitted_draft(client, auth)
    login(client, auth, "supervisor@example.org")
    response = act(
        client, submitted.id, "reject", comment="Not supported by the sources.", confirmed="yes"
    )
    assert response.status_code == 302
    assert version(submitted.id).state == "rejected"
    assert assessment("KZ", AGE).published_version_id == old.id
    page = visible_text(client.get(f"/staff/versions/{submitted.id}"))
    assert "Rejected" in page
    assert "Not supported by the sources." in page
    assert PUBLISHED_AGE_TEXT in text(client.get("/countries/kz"))


def test_discard_ends_the_draft_and_frees_the_assessment(client, auth, demo_data):
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client)
    response = act(client, draft.id, "discard")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/countries/kz"
    assert version(draft.id).state == "discarded"
    assert open_version("KZ", AGE) is None
    assert start(client, "kz", AGE).status_code == 302  # a new draft can start


def test_retract_withdraws_it_from_the_public_profile(client, auth, demo_data):
    published = assessment("KZ", AGE).published_version
    login(client, auth, "supervisor@example.org")
    response = act(client, published.id, "retract", reason="The law was amended in 2025.")
    assert response.status_code == 302
    retracted = version(published.id)
    assert retracted.state == "retracted"
    assert retracted.retraction_reason == "The law was amended in 2025."
    assert assessment("KZ", AGE).published_version_id is None
    public = visible_text(client.get("/countries/kz"))
    assert PUBLISHED_AGE_TEXT not in public
    date = retracted.retracted_at.strftime("%B %-d, %Y")  # the long format of the profile
    assert f"Withdrawn on {date}: The law was amended in 2025." in public
    assert events(published.id)[-1].action == "retract"


def test_retract_needs_a_reason(client, auth, demo_data):
    published = assessment("KZ", AGE).published_version
    login(client, auth, "supervisor@example.org")
    response = act(client, published.id, "retract", reason="  ")
    assert response.status_code == 422
    assert "Write a comment: it is required here." in text(response)
    assert version(published.id).state == "published"


def test_the_country_page_shows_open_work_with_its_state_in_words(client, auth, demo_data):
    submitted_draft(client, auth)
    page = visible_text(client.get("/staff/countries/kz"))
    assert "➜ Awaiting review held by Aigerim Reviewer since" in page
    assert "✓ Published" not in page  # published findings show the legal status instead
    assert "◐ Partial version 1" in page
