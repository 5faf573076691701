"""A source can carry an uploaded copy of its document: attached in the editor, kept across saves,
public with its version (and only then), carried into the next draft, shown in diffs and data."""

import hashlib
import html
import io
import json
import re

import pytest

from assess.extensions import db
from assess.models import Source
from assess.public import freeze
from assess.services import uploads

from .admin_helpers import PDF
from .review_support import (
    EXTRA,
    act,
    form_fields,
    login,
    snapshot,
    start_draft,
    text,
    version,
    visible_text,
)

REPORT = PDF + b"% the country report\n"
REPORT_SHA = hashlib.sha256(REPORT).hexdigest()


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    return tmp_path / "uploads"


def _row(draft) -> int:
    """The index of a new source row after the draft's own."""
    return len(version(draft.id).sources)


def _token(page: str, index: int) -> str:
    match = re.search(rf'name="sources-{index}-file_token" type="hidden" value="([^"]*)"', page)
    assert match, f"no file token for source {index}"
    return match.group(1)


def _sources(draft) -> dict[str, Source]:
    return {s.title: s for s in version(draft.id).sources}


def upload_report(client, auth, **changes):
    """A reviewer adds a source with the report's PDF to a new draft of KZ's second indicator."""
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client, "KZ", EXTRA)
    index = _row(draft)
    data = form_fields(version(draft.id), **changes)
    data |= {
        f"sources-{index}-title": "Country report",
        f"sources-{index}-publisher": "ECPAT International",
        f"sources-{index}-year": "2020",
        f"sources-{index}-upload": (io.BytesIO(REPORT), "Country Report 2020.pdf"),
    }
    response = client.post_form(f"/staff/versions/{draft.id}/save", data)
    assert response.status_code == 302, text(response)
    return draft, index


def test_an_uploaded_file_is_stored_on_the_source(client, auth, demo_data, upload_dir):
    draft, index = upload_report(client, auth)
    source = _sources(draft)["Country report"]
    assert source.file_sha256 == REPORT_SHA
    assert source.file_stored_name == f"{REPORT_SHA}.pdf"
    assert (source.file_name, source.file_size) == ("Country Report 2020.pdf", len(REPORT))
    assert source.file_content_type == "application/pdf"
    assert (upload_dir / source.file_stored_name).read_bytes() == REPORT
    page = text(client.get(f"/staff/versions/{draft.id}"))
    assert 'enctype="multipart/form-data"' in page
    assert "Attached file: Country Report 2020.pdf (PDF, 1 KB)" in page
    assert f'name="sources-{index}-remove_file"' in page
    # The reviewers can download it before it is public.
    staff_link = f"/staff/versions/{draft.id}/files/{REPORT_SHA}.pdf"
    assert f'href="{staff_link}"' in page
    download = client.get(staff_link)
    assert (download.status_code, download.data) == (200, REPORT)
    assert download.headers["Content-Disposition"].startswith("attachment;")
    download.close()
    other = f"/staff/versions/{draft.id}/files/{hashlib.sha256(b'other').hexdigest()}.pdf"
    assert client.get(other).status_code == 404


def test_saving_again_keeps_the_file_and_remove_drops_it(client, auth, demo_data):
    draft, index = upload_report(client, auth)
    token = _token(text(client.get(f"/staff/versions/{draft.id}")), index)
    assert REPORT_SHA not in token.split(".")[0]  # signed, not a bare name to edit
    data = form_fields(version(draft.id), analysis="A new paragraph, saved with the file.")
    data[f"sources-{index}-file_token"] = token
    assert client.post_form(f"/staff/versions/{draft.id}/save", data).status_code == 302
    assert version(draft.id).analysis == "A new paragraph, saved with the file."
    assert _sources(draft)["Country report"].file_sha256 == REPORT_SHA

    data = form_fields(version(draft.id))
    data |= {f"sources-{index}-file_token": token, f"sources-{index}-remove_file": "y"}
    assert client.post_form(f"/staff/versions/{draft.id}/save", data).status_code == 302
    source = _sources(draft)["Country report"]
    assert (source.file_stored_name, source.file_sha256, source.file_size) == (None, None, None)
    assert "Attached file:" not in text(client.get(f"/staff/versions/{draft.id}"))


def test_a_row_operation_keeps_a_file_chosen_before_it(client, auth, demo_data):
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client, "KZ", EXTRA)
    index = _row(draft)
    data = form_fields(version(draft.id))
    data |= {
        f"sources-{index}-title": "Country report",
        f"sources-{index}-upload": (io.BytesIO(REPORT), "report.pdf"),
    }
    page = text(client.post_form(f"/staff/versions/{draft.id}/edit", data | {"op": "add:sources"}))
    assert "Attached file: report.pdf (PDF, 1 KB)" in page
    data = form_fields(version(draft.id))
    data |= {
        f"sources-{index}-title": "Country report",
        f"sources-{index}-file_token": _token(page, index),
    }
    assert client.post_form(f"/staff/versions/{draft.id}/save", data).status_code == 302
    assert _sources(draft)["Country report"].file_sha256 == REPORT_SHA


@pytest.mark.parametrize("kind", ["stored name", "token signed elsewhere"])
def test_a_forged_file_name_is_refused(client, auth, demo_data, kind):
    other = uploads.store("private.pdf", PDF + b"% someone else's file\n")
    forged = {
        "stored name": other.stored_name,  # a real file in the storage, named by hand
        "token signed elsewhere": "WyJhYmMucGRmIiwgImEucGRmIiwgMV0.forged-signature",
    }[kind]
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client, "KZ", EXTRA)
    index = _row(draft)
    before = snapshot()
    data = form_fields(version(draft.id), analysis="Typed before the forged file.")
    data |= {f"sources-{index}-title": "Stolen", f"sources-{index}-file_token": forged}
    response = client.post_form(f"/staff/versions/{draft.id}/save", data)
    assert response.status_code == 422
    assert "The attached file is not one of this version's: upload it again." in html.unescape(
        text(response)
    )
    assert "Typed before the forged file.</textarea>" in text(response)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("report.pdf", b"plain words, not a PDF", "The file's content is not a PDF file."),
        ("report.exe", PDF, "Unsupported file type. Upload one of: PDF,"),
        ("report.pdf", PDF + b"x" * 4096, "The file is too large. Upload at most"),
    ],
)
def test_a_bad_file_changes_nothing_and_keeps_the_text(
    client, auth, demo_data, app, name, data, message
):
    app.config["UPLOAD_MAX_BYTES"] = 2048
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client, "KZ", EXTRA)
    index = _row(draft)
    before = snapshot()
    posted = form_fields(version(draft.id), analysis="Analysis typed with a bad file.")
    posted |= {
        f"sources-{index}-title": "Country report",
        f"sources-{index}-upload": (io.BytesIO(data), name),
    }
    response = client.post_form(f"/staff/versions/{draft.id}/save", posted)
    assert response.status_code == 422
    assert message in html.unescape(visible_text(response))
    page = text(response)
    assert "Analysis typed with a bad file.</textarea>" in page
    assert f'name="sources-{index}-title" type="text" value="Country report"' in page
    assert snapshot() == before


def publish(client, auth, draft) -> None:
    assert act(client, draft.id, "submit").status_code == 302
    login(client, auth, "supervisor@example.org")
    assert act(client, draft.id, "approve").status_code == 302


def test_the_published_file_is_public_and_a_drafts_is_not(client, auth, demo_data, app):
    draft, _index = upload_report(client, auth)
    publish(client, auth, draft)
    auth.logout()
    page = text(client.get(f"/countries/kz/{EXTRA}"))
    link = re.search(r'<a href="(/files/sources/\d+/[^"]+)" download>file \(PDF, 1 KB\)</a>', page)
    assert link, page
    assert link.group(1).endswith("/Country-Report-2020.pdf")
    assert f'SHA-256 <code class="sha256">{REPORT_SHA}</code>' in page
    number = version(draft.id).number
    assert link.group(1) in text(client.get(f"/countries/kz/{EXTRA}/v/{number}"))

    download = client.get(link.group(1))
    assert download.status_code == 200
    assert download.data == REPORT
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == (
        "attachment; filename=Country-Report-2020.pdf"
    )
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["ETag"] == f'"{REPORT_SHA}"'
    download.close()

    data = json.loads(text(client.get("/data/assessments.json")))
    kz = next(c for c in data["countries"] if c["iso2"] == "KZ")
    record = next(a for a in kz["assessments"] if a["indicator"] == EXTRA)["versions"][0]
    filed = next(s for s in record["sources"] if s["title"] == "Country report")
    assert filed["file_sha256"] == REPORT_SHA
    assert filed["file_url"] == "http://localhost" + link.group(1)
    assert "file_stored_name" not in filed

    # A new draft carries the file over; its copy is not public until it is published.
    login(client, auth, "reviewer@example.org")
    second = start_draft(client, "KZ", EXTRA)
    carried = _sources(second)["Country report"]
    assert (carried.file_sha256, carried.file_name) == (REPORT_SHA, "Country Report 2020.pdf")
    auth.logout()
    drafts_link = f"/files/sources/{carried.id}/Country-Report-2020.pdf"
    assert client.get(drafts_link).status_code == 404
    # The static copy takes the published file, not the draft's.
    with app.test_request_context():
        assert list(freeze.source_file_urls()) == [link.group(1)]


def test_an_unpublished_drafts_file_is_404(client, auth, demo_data):
    draft, _index = upload_report(client, auth)
    source = _sources(draft)["Country report"]
    auth.logout()
    assert client.get(f"/files/sources/{source.id}/Country-Report-2020.pdf").status_code == 404
    assert "/files/sources/" not in text(client.get(f"/countries/kz/{EXTRA}"))


def test_the_review_diff_shows_a_file_removed(client, auth, demo_data):
    draft, index = upload_report(client, auth)
    publish(client, auth, draft)
    login(client, auth, "reviewer@example.org")
    second = start_draft(client, "KZ", EXTRA)
    token = _token(text(client.get(f"/staff/versions/{second.id}")), index)
    data = form_fields(version(second.id))
    data |= {f"sources-{index}-file_token": token, f"sources-{index}-remove_file": "y"}
    assert client.post_form(f"/staff/versions/{second.id}/save", data).status_code == 302
    review = text(client.get(f"/staff/versions/{second.id}?view=review&compare=published"))
    removed = re.search(
        r"<del>.*?Country Report 2020\.pdf \(SHA-256 ([0-9a-f]{12})…\)</del>", review
    )
    assert removed and removed.group(1) == REPORT_SHA[:12]
    db.session.commit()
