"""A reviewer imports a spreadsheet for their own country, credited as its author; the import is
one batch that a supervisor approves as a whole or item by item, never the importer."""

import base64
import io
import re

import pytest
from sqlalchemy import select

from assess.extensions import db
from assess.models import AuditEvent, ImportBatch, Member, ProfileChange, Version
from assess.services import assessments, bulk_import, import_batches

from .admin_helpers import page
from .spreadsheets import xlsx

HEADER = ["country", "indicator", "status", "analysis", "analysis_language"]


def _workbook() -> bytes:
    return xlsx(
        {
            "Assessments": [
                HEADER,
                ["KZ", "csam-definition", "Partial", "Kazakhstan defines it in part.", "en"],
                ["KZ", "sec-police-unit", "No", "Kazakhstan has no such unit.", "en"],
                ["UZ", "age-of-consent", "Yes", "Uzbekistan sets it at 16.", "en"],
            ],
            "Members": [
                ["country", "name", "description", "url", "email", "phone"],
                ["KZ", "Child Rights Centre", "Legal aid.", "", "info@crc.example.org",
                 "+7 727 000 00 00"],
            ],
        }
    )  # fmt: skip


@pytest.fixture
def people(make_user, demo_data):
    return {
        "reviewer": make_user("reviewer", ["KZ"], email="aigerim@example.org", name="Aigerim"),
        "supervisor": make_user("supervisor", ["KZ"], email="dana@example.org", name="Dana"),
        "elsewhere": make_user("reviewer", ["FR"], email="claire@example.org", name="Claire"),
    }


def _import_through_the_pages(client, auth, user) -> int:
    auth.login(user)
    dry = page(
        client.post_form(
            "/admin/import/",
            {"file": (io.BytesIO(_workbook()), "kazakhstan.xlsx")},
            content_type="multipart/form-data",
        )
    )
    assert "Dry run: kazakhstan.xlsx" in dry
    assert "You cannot import for Uzbekistan: it is not one of your countries." in dry
    assert "Import 3 rows" in dry
    content = re.search(r'name="content" type="hidden" value="([^"]+)"', dry).group(1)
    response = client.post_form(
        "/admin/import/commit",
        {"content": content, "name": "kazakhstan.xlsx"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def test_a_reviewer_imports_their_own_country_and_is_credited(client, auth, people, demo_data):
    reviewer = people["reviewer"]
    batch_id = _import_through_the_pages(client, auth, reviewer)
    batch = db.session.get(ImportBatch, batch_id)
    assert (batch.name, batch.created_by_id) == ("kazakhstan.xlsx", reviewer.id)
    assert (batch.assessment_count, batch.profile_count) == (2, 1)
    versions = list(db.session.scalars(select(Version).where(Version.import_batch_id == batch_id)))
    assert {(v.created_by_id, v.submitted_by_id, v.state) for v in versions} == {
        (reviewer.id, reviewer.id, "submitted")
    }
    assert all(v.contributor_ids == {reviewer.id} for v in versions)
    change = db.session.scalar(
        select(ProfileChange).where(ProfileChange.import_batch_id == batch_id)
    )
    assert (change.created_by_id, change.state) == (reviewer.id, "submitted")
    # The importer sees the batch, with every item named, and nothing to decide.
    html = page(client.get(f"/staff/imports/{batch_id}"))
    assert "Import: kazakhstan.xlsx" in html
    assert "Imported by Aigerim" in html
    for text in ("Kazakhstan", "CSAM Definition", "SEC Police Unit", "Child Rights Centre"):
        assert text in html
    assert "Approve and publish" not in html
    assert "None of the items awaiting review is yours to decide" in html
    # A hand-made approval of the whole batch by its importer approves nothing.
    response = client.post_form(f"/staff/imports/{batch_id}/approve", {"comment": ""})
    assert response.status_code == 303
    assert "Nothing in this batch awaits your decision." in page(
        client.get(f"/staff/imports/{batch_id}")
    )
    batch_versions = select(Version).where(Version.import_batch_id == batch_id)
    assert {v.state for v in db.session.scalars(batch_versions)} == {"submitted"}


def test_a_supervisor_approves_the_whole_batch(client, auth, people, demo_data):
    batch_id = _import_through_the_pages(client, auth, people["reviewer"])
    auth.logout()
    auth.login(people["supervisor"])
    listing = page(client.get("/staff/imports/"))
    assert "kazakhstan.xlsx" in listing and "Aigerim" in listing
    html = page(client.get(f"/staff/imports/{batch_id}"))
    assert "You may decide 3 items of this batch." in html
    assert "Approve and publish all 3 items" in html
    response = client.post_form(f"/staff/imports/{batch_id}/approve", {"comment": "Checked."})
    assert response.status_code == 303
    after = page(client.get(f"/staff/imports/{batch_id}"))
    assert "Approved 3 items." in after
    versions = list(db.session.scalars(select(Version).where(Version.import_batch_id == batch_id)))
    assert {(v.state, v.decided_by_id) for v in versions} == {
        ("published", people["supervisor"].id)
    }
    assert db.session.scalar(select(Member).where(Member.name == "Child Rights Centre")).phone == (
        "+7 727 000 00 00"
    )
    public = page(client.get("/countries/kz"))
    assert "info@crc.example.org" in public and "Kazakhstan defines it in part." in public
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "approve_import_batch"))
    assert (event.object_id, event.details, event.comment) == (
        batch_id,
        {"decided": 3, "refused": 0},
        "Checked.",
    )


def test_items_decided_one_by_one_and_the_rest_at_once(people, demo_data):
    report = bulk_import.run(people["reviewer"], _workbook(), "kz.xlsx")
    supervisor = people["supervisor"]
    first = db.session.scalar(
        select(Version).where(Version.import_batch_id == report.batch_id).order_by(Version.id)
    )
    assessments.request_changes(supervisor, first.id, "Cite the article.")
    outcome = import_batches.approve_all(supervisor, report.batch_id)
    assert len(outcome.decided) == 2 and outcome.refused == []
    batch = import_batches.get(supervisor, report.batch_id)
    assert [entry.item.state for entry in batch.items] == [
        "changes_requested",
        "published",
        "published",
    ]
    assert import_batches.approve_all(supervisor, report.batch_id).decided == []


def test_returning_the_batch_needs_a_comment_and_returns_every_item(
    client, auth, people, demo_data
):
    report = bulk_import.run(people["reviewer"], _workbook(), "kz.xlsx")
    auth.login(people["supervisor"])
    client.post_form(f"/staff/imports/{report.batch_id}/return", {"comment": " "})
    html = page(client.get(f"/staff/imports/{report.batch_id}"))
    assert "Say what should change" in html
    client.post_form(f"/staff/imports/{report.batch_id}/return", {"comment": "Add the sources."})
    html = page(client.get(f"/staff/imports/{report.batch_id}"))
    assert "Returned 3 items to their author." in html
    states = [e.item.state for e in import_batches.get(people["supervisor"], report.batch_id).items]
    assert states == ["changes_requested"] * 3


def test_another_countrys_batch_does_not_exist_for_a_reviewer(client, auth, people, demo_data):
    report = bulk_import.run(people["reviewer"], _workbook(), "kz.xlsx")
    auth.login(people["elsewhere"])
    assert client.get(f"/staff/imports/{report.batch_id}").status_code == 404
    assert "kz.xlsx" not in page(client.get("/staff/imports/"))
    assert client.post_form(f"/staff/imports/{report.batch_id}/approve", {}).status_code == 404


def test_a_batch_nobody_else_supervises_says_it_needs_a_second_supervisor(client, auth, make_user):
    only = make_user("supervisor", ["TJ"], name="Timur")
    data = xlsx({"Assessments": [HEADER, ["TJ", "csam-definition", "No", "Tajikistan: none.", ""]]})
    report = bulk_import.run(only, data, "tj.xlsx")
    auth.login(only)
    html = page(client.get(f"/staff/imports/{report.batch_id}"))
    assert "1 item needs a second supervisor" in html


def test_the_commit_form_refuses_content_that_is_not_base64(client, auth, people):
    auth.login(people["reviewer"])
    response = client.post_form("/admin/import/commit", {"content": "not base64!", "name": "x"})
    assert response.status_code == 400
    good = base64.b64encode(b"country,indicator,status\n").decode()
    response = client.post_form("/admin/import/commit", {"content": good, "name": "x.csv"})
    assert response.status_code == 200  # nothing valid: the report, no batch
    assert db.session.scalar(select(ImportBatch)) is None


def test_the_command_line_imports_a_workbook_as_the_named_reviewer(app, people, tmp_path):
    path = tmp_path / "kazakhstan.xlsx"
    path.write_bytes(_workbook())
    runner = app.test_cli_runner()
    email = people["reviewer"].email
    dry = runner.invoke(args=["import-assessments", str(path), "--as", email])
    assert (
        "Assessments row 4 (UZ Uzbekistan, Age of Consent): You cannot import for Uzbekistan"
        in dry.output
    )
    done = runner.invoke(args=["import-assessments", str(path), "--as", email, "--commit"])
    assert done.exit_code == 0, done.output
    batch = db.session.scalar(select(ImportBatch))
    assert f"Imported 3 items as batch {batch.id}" in done.output
    assert batch.created_by_id == people["reviewer"].id
