"""Suggest a correction (issue 17.11): the public form, its refusals (bad input, the honeypot, the
rate limits), the reference number and the receipt, and the staff's moderation queue."""

import io
import re

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from assess.extensions import db
from assess.models import AuditEvent, LoginAttempt, Notification, OutboxEmail, Suggestion, Version

from .publishing import FULL, publish

FORM = "/countries/kz/age-of-consent/suggest"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def uploads_in_tmp(app, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")


@pytest.fixture
def team(make_user):
    reviewer = make_user("reviewer", ["KZ"], name="Rita", email="rita@example.org")
    supervisor = make_user("supervisor", ["KZ"], name="Sam", email="sam@example.org")
    make_user("reviewer", ["FR"], name="Fred", email="fred@example.org")
    publish(reviewer, supervisor, "KZ", "age-of-consent", FULL)
    return reviewer, supervisor


def form_token(client, url: str = FORM) -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def send(client, **fields):
    data = {
        "csrf_token": form_token(client),
        "what_is_wrong": "The Criminal Code was amended in 2024: Article 122 now sets 18.",
        "evidence_links": "https://adilet.zan.kz/amendment\nhttp://example.org/gazette",
        "email": "",
        "website": "",
    } | fields
    return client.post(FORM, data=data, content_type="multipart/form-data")


def stored() -> list[Suggestion]:
    return list(db.session.scalars(select(Suggestion).order_by(Suggestion.id)))


def test_every_public_assessment_and_profile_section_links_to_the_form(client, team):
    assessment = client.get("/countries/kz/age-of-consent").get_data(as_text=True)
    assert f'href="{FORM}"' in assessment
    assert "Suggest a correction" in assessment
    profile = client.get("/countries/kz").get_data(as_text=True)
    # One per indicator section, each naming its indicator for screen readers.
    assert profile.count('class="suggest-link"') == 9
    assert 'href="/countries/kz/csam-definition/suggest"' in profile


def test_the_form_asks_what_is_wrong_with_evidence_and_an_optional_email(client, team):
    response = client.get(FORM)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "<h1>Suggest a correction" in page
    for label in (
        "What is wrong?",
        "Evidence: links (optional)",
        "Evidence: a file (optional)",
        "Your e-mail address (optional)",
    ):
        assert f">{label}</label>" in page
    assert 'enctype="multipart/form-data"' in page
    # The honeypot: out of sight and out of the tab order, labelled for screen readers.
    honeypot = re.search(r'<div class="visually-hidden">(.*?)</div>\s*</div>', page, re.S).group(1)
    assert ">Leave this field empty</label>" in honeypot
    assert 'tabindex="-1"' in honeypot


def test_a_suggestion_is_stored_with_a_reference_and_the_reader_thanked(client, team):
    response = send(client, email="reader@example.org")
    assert response.status_code == 303
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    [suggestion] = stored()
    assert re.fullmatch(r"C-\d{4}-\d{6}", suggestion.reference)
    assert suggestion.reference == f"C-{suggestion.created_at.year}-{suggestion.id:06d}"
    assert f"Its reference number is {suggestion.reference}." in thanks
    assert "We sent the reference number to your e-mail address." in thanks
    assert suggestion.what_is_wrong.startswith("The Criminal Code was amended in 2024")
    assert suggestion.evidence_links == [
        "https://adilet.zan.kz/amendment",
        "http://example.org/gazette",
    ]
    assert (suggestion.state, suggestion.email, suggestion.version_number) == (
        "new",
        "reader@example.org",
        1,
    )
    # The receipt, to the reader.
    receipt = db.session.scalar(
        select(OutboxEmail).where(OutboxEmail.recipient == "reader@example.org")
    )
    assert receipt.subject == f"Your suggestion {suggestion.reference}"
    assert suggestion.reference in receipt.body
    assert "/countries/kz/age-of-consent" in receipt.body
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "suggest_correction"))
    assert (event.object_type, event.object_id, event.actor_id) == (
        "suggestion",
        suggestion.id,
        None,
    )


def test_the_countrys_reviewers_and_supervisors_hear_of_it_and_nobody_else(client, team):
    send(client)
    [suggestion] = stored()
    notices = list(
        db.session.scalars(select(Notification).where(Notification.key == "suggestion_received"))
    )
    told = {n.user_id for n in notices}
    assert told == {team[0].id, team[1].id}
    assert all(n.link == f"/staff/suggestions/{suggestion.id}" for n in notices)
    assert suggestion.reference in notices[0].message
    mails = {m.recipient for m in db.session.scalars(select(OutboxEmail))}
    assert mails == {"rita@example.org", "sam@example.org"}  # no address given: no receipt


def test_a_file_of_evidence_is_stored_by_the_upload_handling(client, team):
    response = send(client, file=(io.BytesIO(PDF), "amendment.pdf"))
    assert response.status_code == 303
    [suggestion] = stored()
    assert re.fullmatch(r"[0-9a-f]{64}\.pdf", suggestion.file_name)
    assert suggestion.file_original_name == "amendment.pdf"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"what_is_wrong": "  "}, "what_is_wrong", "Say what is wrong: this field is required."),
        (
            {"evidence_links": "not a link"},
            "evidence_links",
            "Enter each web address on its own line",
        ),
        ({"evidence_links": "javascript:alert(1)"}, "evidence_links", "starting with https://"),
        ({"email": "nobody"}, "email", "Enter an e-mail address such as name@example.org."),
        ({"file": (io.BytesIO(b"MZ\x90\x00"), "virus.exe")}, "file", "Upload one of: PDF"),
        ({"file": (io.BytesIO(b"not a pdf"), "fake.pdf")}, "file", "is not a PDF file"),
    ],
)
def test_bad_input_shows_the_form_again_with_the_message_and_stores_nothing(
    client, team, fields, field, message
):
    response = send(client, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Correct the fields marked below." in page
    assert f'id="{field}-error"' in page
    assert message in page
    assert stored() == []
    # What the reader typed is still there.
    if field != "what_is_wrong":
        assert "Article 122 now sets 18." in page


def test_a_too_large_file_is_refused_with_its_limit(client, team, app):
    app.config["SUGGESTION_FILE_MAX_BYTES"] = 1024 * 1024
    big = FileStorage(io.BytesIO(PDF + b"0" * 1100 * 1024), filename="big.pdf")
    # Encoded in memory: the test client would spool a large body to a temporary file.
    fields = {"csrf_token": form_token(client), "what_is_wrong": "See the file.", "file": big}
    boundary, body = encode_multipart(fields)
    response = client.post(
        FORM, data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 422
    assert "Upload at most 1 MB." in response.get_data(as_text=True)
    assert stored() == []


def test_the_honeypot_refuses_and_stores_nothing(client, team):
    response = send(client, website="http://spam.example")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This suggestion could not be sent." in page
    assert stored() == []
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.key == "suggestion_received")
        )
        == 0
    )


def test_the_rate_limit_per_address_refuses_with_a_clear_message(client, team, app):
    app.config["SUGGESTION_LIMIT_PER_ADDRESS"] = 2
    assert send(client).status_code == 303
    assert send(client).status_code == 303
    response = send(client, what_is_wrong="A third one, too soon.")
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Too many suggestions were sent from here in a short time." in page
    assert "A third one, too soon." in page  # kept in the form
    assert len(stored()) == 2
    # The counts never count as failed logins: no client address on their rows.
    keys = set(db.session.scalars(select(LoginAttempt.email)))
    assert keys == {"limit:suggestion:address:127.0.0.1", "limit:suggestion:site"}
    assert set(db.session.scalars(select(LoginAttempt.address))) == {""}


def test_the_site_wide_limit_holds_whatever_the_address(client, team, app):
    app.config["SUGGESTION_LIMIT_SITE_WIDE"] = 1
    assert send(client).status_code == 303
    token = form_token(client)
    response = client.post(
        FORM,
        data={"csrf_token": token, "what_is_wrong": "From elsewhere.", "website": ""},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert response.status_code == 429
    assert len(stored()) == 1


def test_the_form_needs_its_csrf_token(client, team):
    response = client.post(FORM, data={"what_is_wrong": "No token."})
    assert response.status_code == 400
    assert stored() == []


def test_an_unknown_assessment_has_no_form(client, team):
    assert client.get("/countries/zz/age-of-consent/suggest").status_code == 404
    assert client.get("/countries/kz/no-such-indicator/suggest").status_code == 404


def test_the_thank_you_page_without_a_suggestion_goes_back_to_the_form(client, team):
    response = client.get(f"{FORM}/thanks")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(FORM)


def test_nothing_suggested_is_ever_on_the_public_pages(client, team):
    send(client, what_is_wrong="A secret remark that stays internal.")
    for url in ("/countries/kz/age-of-consent", "/countries/kz", "/data/assessments.json"):
        assert "A secret remark" not in client.get(url).get_data(as_text=True)


# --- the staff's queue -----------------------------------------------------------------------


def test_the_queue_lists_the_new_suggestions_of_the_users_countries(client, auth, team, make_user):
    send(client, what_is_wrong="Article 122 is cited wrongly.")
    [suggestion] = stored()
    auth.login(team[0])
    page = client.get("/staff/suggestions").get_data(as_text=True)
    assert suggestion.reference in page
    assert "Article 122 is cited wrongly." in page
    assert "New (1)" in page
    assert "No suggestions in this state." in client.get("/staff/suggestions?state=done").get_data(
        as_text=True
    )
    auth.logout()
    fred = db.session.scalar(select(type(team[0])).where(type(team[0]).email == "fred@example.org"))
    auth.login(fred)
    assert suggestion.reference not in client.get("/staff/suggestions").get_data(as_text=True)
    assert client.get(f"/staff/suggestions/{suggestion.id}").status_code == 404


def test_the_suggestion_page_shows_what_the_reader_sent(client, auth, team):
    send(client, email="reader@example.org", file=(io.BytesIO(PDF), "amendment.pdf"))
    [suggestion] = stored()
    auth.login(team[0])
    page = client.get(f"/staff/suggestions/{suggestion.id}").get_data(as_text=True)
    assert f"<h1>Suggestion {suggestion.reference}</h1>" in page
    assert 'href="https://adilet.zan.kz/amendment"' in page
    assert "reader@example.org" in page
    assert "Start a draft from this" in page
    download = client.get(f"/staff/suggestions/{suggestion.id}/file")
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    download.close()


def test_start_a_draft_in_one_click_links_the_suggestion_and_the_editor_shows_it(
    client, auth, team
):
    send(client, what_is_wrong="Article 122 now sets 18.")
    [suggestion] = stored()
    auth.login(team[0])
    response = client.post_form(f"/staff/suggestions/{suggestion.id}/draft")
    assert response.status_code == 303
    version_id = int(response.headers["Location"].rsplit("/", 1)[1])
    version = db.session.get(Version, version_id)
    assert version.state == "draft"
    assert version.base_version_id is not None  # from the published version
    db.session.refresh(suggestion)
    assert (suggestion.state, suggestion.version_id) == ("in_progress", version_id)
    editor = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Suggested by a reader" in editor
    assert suggestion.reference in editor
    assert "Article 122 now sets 18." in editor
    # Submitted, the review screen shows it to the supervisor too.
    from assess.services import assessments

    assessments.submit(team[0], version_id)
    auth.logout()
    auth.login(team[1])
    review = client.get(f"/staff/versions/{version_id}").get_data(as_text=True)
    assert "Suggested by a reader" in review
    assert "Article 122 now sets 18." in review
    auth.logout()
    auth.login(team[0])
    assessments.withdraw(team[0], version_id)
    # A second suggestion on the same assessment opens the same draft.
    send(client, what_is_wrong="Also the Constitution.")
    second = stored()[1]
    again = client.post_form(f"/staff/suggestions/{second.id}/draft")
    assert again.headers["Location"].endswith(f"/staff/versions/{version_id}")
    db.session.refresh(second)
    assert second.version_id == version_id
    assert db.session.scalar(select(func.count(Version.id)).where(Version.state == "draft")) == 1
    actions = list(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "suggestion"))
    )
    assert actions.count("draft_from_suggestion") == 2


def test_dismiss_needs_a_reason_and_keeps_it(client, auth, team):
    send(client)
    [suggestion] = stored()
    auth.login(team[1])
    refused = client.post_form(f"/staff/suggestions/{suggestion.id}/dismiss", {"reason": " "})
    assert refused.status_code == 422
    assert "Write a reason: it is required here." in refused.get_data(as_text=True)
    db.session.refresh(suggestion)
    assert suggestion.state == "new"
    done = client.post_form(
        f"/staff/suggestions/{suggestion.id}/dismiss", {"reason": "Spam: an advertisement."}
    )
    assert done.status_code == 303
    db.session.refresh(suggestion)
    assert (suggestion.state, suggestion.dismiss_reason) == ("dismissed", "Spam: an advertisement.")
    assert suggestion.handled_by_id == team[1].id
    listed = client.get("/staff/suggestions?state=dismissed").get_data(as_text=True)
    assert suggestion.reference in listed
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "dismiss_suggestion"))
    assert (event.from_state, event.to_state, event.comment) == (
        "new",
        "dismissed",
        "Spam: an advertisement.",
    )


def test_mark_done(client, auth, team):
    send(client)
    [suggestion] = stored()
    auth.login(team[0])
    assert client.post_form(f"/staff/suggestions/{suggestion.id}/done").status_code == 303
    db.session.refresh(suggestion)
    assert suggestion.state == "done"
    assert suggestion.reference in client.get("/staff/suggestions?state=done").get_data(
        as_text=True
    )
    again = client.post_form(f"/staff/suggestions/{suggestion.id}/done")
    assert again.status_code == 409
    assert "This suggestion is already done." in again.get_data(as_text=True)


def test_an_admin_moderates_but_does_not_draft(client, auth, team, make_user):
    send(client)
    [suggestion] = stored()
    auth.login(make_user("admin"))
    page = client.get(f"/staff/suggestions/{suggestion.id}").get_data(as_text=True)
    assert "Start a draft from this" not in page
    assert client.post_form(f"/staff/suggestions/{suggestion.id}/draft").status_code == 403
    assert client.post_form(f"/staff/suggestions/{suggestion.id}/done").status_code == 303
