"""Profile content goes through draft → review → publish with four eyes."""

import io

import pytest
from sqlalchemy import select

from assess.extensions import db
from assess.models import Country, Fact, Member, ProfileChange, Resource
from assess.services import profile_content, uploads
from assess.services.errors import Conflict, PermissionDenied, ValidationError

from .admin_helpers import PDF, audit_actions, page
from .conftest import AuthActions


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")


@pytest.fixture
def kz(app):
    return db.session.scalar(select(Country).where(Country.iso2 == "KZ"))


@pytest.fixture
def people(make_user):
    return {
        "reviewer": make_user("reviewer", ["KZ"]),
        "supervisor": make_user("supervisor", ["KZ"]),
        "other_supervisor": make_user("supervisor", ["KZ"]),
        "admin": make_user("admin"),
        "outsider": make_user("supervisor", ["UZ"]),
    }


def _as(app, client, user):
    other = app.test_client()
    other.__class__ = client.__class__
    AuthActions(other).login(user)
    return other


def test_a_resource_with_a_file_is_proposed_reviewed_and_published(app, client, kz, people):
    reviewer = _as(app, client, people["reviewer"])
    response = reviewer.post_form(
        "/admin/profile/kz/resource/new",
        {"publisher": "ECPAT International", "title": "Country Overview", "year": "2025",
         "url": "", "then": "submit", "file": (io.BytesIO(PDF), "overview.pdf")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 303
    change = db.session.scalar(select(ProfileChange))
    assert change.state == "submitted"
    assert db.session.scalar(select(Resource).where(Resource.title == "Country Overview")) is None
    assert "Country Overview" not in page(client.get("/countries/kz"))

    supervisor = _as(app, client, people["supervisor"])
    review = page(supervisor.get(f"/admin/profile/changes/{change.id}"))
    assert "Approve and publish" in review
    assert "Download the proposed file" in review
    proposed = supervisor.get(f"/admin/profile/changes/{change.id}/file")
    assert proposed.data == PDF
    proposed.close()
    done = supervisor.post_form(
        f"/admin/profile/changes/{change.id}/approve", follow_redirects=True
    )
    assert "Approved" in page(done)

    resource = db.session.scalar(select(Resource).where(Resource.title == "Country Overview"))
    assert (resource.publisher, resource.year) == ("ECPAT International", 2025)
    download = client.get(f"/files/{resource.id}/Country-Overview.pdf")
    assert download.data == PDF
    download.close()
    assert "Country Overview" in page(client.get("/countries/kz"))
    actions = audit_actions(object_type="profilechange", object_id=change.id)
    assert actions == ["start_profile_change", "submit_profile_change", "approve_profile_change"]
    assert "add_resource" in audit_actions(object_type="resource", object_id=resource.id)


def test_a_contributor_can_never_approve(app, client, kz, people):
    supervisor = people["supervisor"]
    change = profile_content.propose(
        supervisor, kz.id, "fact", "add", {"text": "A new fact."}, submit=True
    )
    me = _as(app, client, supervisor)
    review = page(me.get(f"/admin/profile/changes/{change.id}"))
    assert "Approve and publish" not in review
    assert "someone else must review it" in review
    assert me.post_form(f"/admin/profile/changes/{change.id}/approve").status_code == 403
    assert db.session.get(ProfileChange, change.id).state == "submitted"
    with pytest.raises(PermissionDenied):
        profile_content.approve(people["reviewer"], change.id)
    with pytest.raises(PermissionDenied):
        profile_content.approve(people["admin"], change.id)
    profile_content.approve(people["other_supervisor"], change.id)
    assert db.session.scalar(select(Fact).where(Fact.text == "A new fact.")) is not None


def test_a_lone_supervisor_is_told_a_second_one_is_needed(app, client, kz, make_user):
    only = make_user("supervisor", ["KZ"])
    change = profile_content.propose(only, kz.id, "fact", "add", {"text": "Lone."}, submit=True)
    review = page(_as(app, client, only).get(f"/admin/profile/changes/{change.id}"))
    assert "needs a second supervisor" in review


def test_an_edit_shows_before_and_after_and_applies_on_approval(app, client, kz, people):
    member = Member(country_id=kz.id, name="Sana Sezim", description="Old text.")
    db.session.add(member)
    db.session.commit()
    reviewer = _as(app, client, people["reviewer"])
    form = page(reviewer.get(f"/admin/profile/kz/member/{member.id}/edit"))
    assert "Old text." in form
    reviewer.post_form(
        f"/admin/profile/kz/member/{member.id}/edit",
        {"name": "Sana Sezim", "description": "New text.", "url": "https://sanasezim.example/",
         "then": "submit"},
    )  # fmt: skip
    change = db.session.scalar(select(ProfileChange))
    review = page(_as(app, client, people["supervisor"]).get(f"/admin/profile/changes/{change.id}"))
    assert "Old text." in review
    assert "New text." in review
    profile_content.approve(people["supervisor"], change.id)
    db.session.refresh(member)
    assert (member.description, member.url) == ("New text.", "https://sanasezim.example/")


def test_a_stale_edit_is_refused(kz, people):
    member = Member(country_id=kz.id, name="Zabota")
    db.session.add(member)
    db.session.commit()
    first = profile_content.propose(
        people["reviewer"], kz.id, "member", "edit", {"name": "Zabota One"}, member.id, True
    )
    second = profile_content.propose(
        people["reviewer"], kz.id, "member", "edit", {"name": "Zabota Two"}, member.id, True
    )
    profile_content.approve(people["supervisor"], first.id)
    with pytest.raises(Conflict, match="changed or removed"):
        profile_content.approve(people["supervisor"], second.id)
    assert db.session.get(ProfileChange, second.id).state == "submitted"
    assert db.session.get(Member, member.id).name == "Zabota One"


def test_a_removal_deletes_the_item_once_approved(app, client, kz, people):
    fact = Fact(country_id=kz.id, text="Outdated fact.")
    db.session.add(fact)
    db.session.commit()
    reviewer = _as(app, client, people["reviewer"])
    reviewer.post_form(f"/admin/profile/kz/fact/{fact.id}/remove")
    change = db.session.scalar(select(ProfileChange))
    assert (change.operation, change.state) == ("remove", "submitted")
    assert db.session.get(Fact, fact.id) is not None
    profile_content.approve(people["supervisor"], change.id)
    assert db.session.get(Fact, fact.id) is None
    assert "remove_fact" in audit_actions(country_id=kz.id)


def test_request_changes_needs_a_comment_and_returns_the_change(app, client, kz, people):
    change = profile_content.propose(
        people["reviewer"], kz.id, "news", "add",
        {"title": "New law", "published_on": "2026-01-15", "body": "Adopted."}, submit=True,
    )  # fmt: skip
    supervisor = _as(app, client, people["supervisor"])
    refused = supervisor.post_form(
        f"/admin/profile/changes/{change.id}/request_changes", {"comment": ""},
        follow_redirects=True,
    )  # fmt: skip
    assert "This decision needs a comment" in page(refused)
    supervisor.post_form(
        f"/admin/profile/changes/{change.id}/request_changes", {"comment": "Add the link."}
    )
    returned = db.session.get(ProfileChange, change.id)
    assert returned.state == "changes_requested"
    assert returned.decision_comment == "Add the link."
    reviewer = _as(app, client, people["reviewer"])
    reviewer.post_form(
        f"/admin/profile/changes/{change.id}/edit",
        {"title": "New law", "published_on": "2026-01-15", "body": "Adopted.",
         "url": "https://law.example/", "then": "submit"},
    )  # fmt: skip
    assert db.session.get(ProfileChange, change.id).state == "submitted"
    profile_content.approve(people["supervisor"], change.id)
    assert "New law" in page(client.get("/countries/kz"))


def test_invalid_content_is_refused_on_the_form(app, client, people):
    reviewer = _as(app, client, people["reviewer"])
    response = reviewer.post_form(
        "/admin/profile/kz/member/new",
        {"name": "X", "url": "javascript:alert(1)", "then": "submit"},
    )
    assert "Enter a web address starting with https://." in page(response)
    assert db.session.scalar(select(ProfileChange)) is None
    with pytest.raises(ValidationError):
        profile_content.clean("news", {"title": "T", "published_on": "15/01/2026"})


def test_staff_of_other_countries_see_nothing(app, client, kz, people):
    change = profile_content.propose(
        people["reviewer"], kz.id, "fact", "add", {"text": "Hidden."}, submit=True
    )
    outsider = _as(app, client, people["outsider"])
    assert outsider.get("/admin/profile/kz").status_code == 403
    assert outsider.get(f"/admin/profile/changes/{change.id}").status_code == 404
    assert outsider.post_form(f"/admin/profile/changes/{change.id}/approve").status_code == 404
    assert "Hidden." not in page(outsider.get("/admin/profile/"))
    assert db.session.get(ProfileChange, change.id).state == "submitted"


def test_two_approvals_at_once_publish_once(kz, people, make_user):
    third = make_user("supervisor", ["KZ"])
    change = profile_content.propose(
        people["reviewer"], kz.id, "fact", "add", {"text": "Once."}, submit=True
    )
    profile_content.approve(people["supervisor"], change.id)
    with pytest.raises(Conflict, match="already published"):
        profile_content.approve(third, change.id)
    assert len(list(db.session.scalars(select(Fact).where(Fact.text == "Once.")))) == 1


def test_a_returned_resource_keeps_or_replaces_its_file(app, client, kz, people):
    first = uploads.store("a.pdf", PDF)
    change = profile_content.propose(
        people["reviewer"], kz.id, "resource", "add",
        {"title": "Report", "file_name": first.stored_name}, submit=True,
    )  # fmt: skip
    profile_content.request_changes(people["supervisor"], change.id, "Add the year.")
    reviewer = _as(app, client, people["reviewer"])
    form = page(reviewer.get(f"/admin/profile/changes/{change.id}/edit"))
    assert "A file is attached" in form
    reviewer.post_form(
        f"/admin/profile/changes/{change.id}/edit",
        {"title": "Report", "year": "2024", "keep_file": first.stored_name, "then": "save"},
        content_type="multipart/form-data",
    )
    kept = db.session.get(ProfileChange, change.id)
    assert (kept.payload["year"], kept.payload["file_name"]) == (2024, first.stored_name)
    second = PDF + b"% revised\n"
    reviewer.post_form(
        f"/admin/profile/changes/{change.id}/edit",
        {"title": "Report", "year": "2024", "keep_file": first.stored_name, "then": "submit",
         "file": (io.BytesIO(second), "b.pdf")},
        content_type="multipart/form-data",
    )  # fmt: skip
    replaced = db.session.get(ProfileChange, change.id)
    assert replaced.state == "submitted"
    assert uploads.open_stored(replaced.payload["file_name"]).read_bytes() == second
