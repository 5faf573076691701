"""Uploaded files: type by extension and content, size, storage, and safe public serving."""

import io

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from assess.extensions import db
from assess.models import Country, Resource
from assess.services import uploads
from assess.services.errors import ValidationError

from .admin_helpers import PDF, docx_bytes, page


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    return tmp_path / "uploads"


@pytest.mark.parametrize(
    ("name", "data", "extension"),
    [
        ("report.pdf", PDF, "pdf"),
        ("Report.PDF", PDF, "pdf"),
        ("note.docx", docx_bytes("docx"), "docx"),
        ("note.odt", docx_bytes("odt"), "odt"),
        ("table.xlsx", docx_bytes("xlsx"), "xlsx"),
        ("table.csv", b"country,status\nKZ,yes\n", "csv"),
    ],
)
def test_accepted_types(name, data, extension, upload_dir):
    stored = uploads.store(name, data)
    assert stored.stored_name.endswith("." + extension)
    assert (upload_dir / stored.stored_name).read_bytes() == data


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("page.html", b"<html><script>alert(1)</script>", "Upload one of"),
        ("script.pdf", b"<html><script>alert(1)</script>", "not a PDF file"),
        ("archive.docx", docx_bytes("xlsx"), "not a Word (DOCX) file"),
        ("sheet.xlsx", docx_bytes("docx"), "not a Excel (XLSX) file"),
        ("text.odt", docx_bytes("docx"), "not a OpenDocument text (ODT) file"),
        ("binary.csv", b"a,b\x00c", "not a CSV file"),
        ("latin1.csv", "café".encode("latin-1"), "not a CSV file"),
        ("noextension", PDF, "Upload one of"),
        ("empty.pdf", b"", "The file is empty."),
    ],
)
def test_refused_files(name, data, message, upload_dir):
    with pytest.raises(ValidationError) as refused:
        uploads.store(name, data)
    assert message in " ".join(refused.value.errors["file"])
    assert not upload_dir.exists() or not any(upload_dir.iterdir())


def test_size_is_limited(app):
    app.config["UPLOAD_MAX_BYTES"] = 100
    with pytest.raises(ValidationError, match="too large"):
        uploads.store("big.pdf", PDF + b"x" * 100)


def test_stored_names_cannot_escape_the_folder(upload_dir):
    assert uploads.open_stored("../../etc/passwd") is None
    assert uploads.open_stored("a" * 64 + ".exe") is None
    assert not uploads.exists("../../etc/passwd")
    stored = uploads.store("r.pdf", PDF)
    assert uploads.open_stored(stored.stored_name) == upload_dir / stored.stored_name


def _resource_with_file(data: bytes = PDF, title: str = "Annual Report 2024") -> Resource:
    stored = uploads.store("whatever.pdf", data)
    kz = db.session.scalar(select(Country).where(Country.iso2 == "KZ"))
    resource = Resource(country_id=kz.id, title=title, file_name=stored.stored_name)
    db.session.add(resource)
    db.session.commit()
    return resource


def test_files_are_served_as_safe_attachments(client):
    resource = _resource_with_file()
    response = client.get(f"/files/{resource.id}/Annual-Report-2024.pdf")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "Annual-Report-2024.pdf" in response.headers["Content-Disposition"]
    assert "sandbox" in response.headers["Content-Security-Policy"]
    response.close()
    again = client.get(
        f"/files/{resource.id}/Annual-Report-2024.pdf",
        headers={"If-None-Match": response.headers["ETag"]},
    )
    assert again.status_code == 304
    again.close()


def test_a_wrong_file_name_redirects_to_the_canonical_one(client):
    resource = _resource_with_file()
    response = client.get(f"/files/{resource.id}/old-name.pdf")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/files/{resource.id}/Annual-Report-2024.pdf")


def test_missing_files_are_404(client):
    kz = db.session.scalar(select(Country).where(Country.iso2 == "KZ"))
    linked = Resource(country_id=kz.id, title="Only a link", url="https://example.org/")
    db.session.add(linked)
    db.session.commit()
    assert client.get(f"/files/{linked.id}/x.pdf").status_code == 404
    assert client.get("/files/99999/x.pdf").status_code == 404


def test_a_large_upload_passes_the_request_limit_only_where_files_are_taken(
    app, client, auth, make_user
):
    """The app-wide request limit stays at 2 MB; the resource form accepts the upload limit."""
    auth.login(make_user("reviewer", ["KZ"]))
    big = PDF + b"0" * (3 * 1024 * 1024)
    token = client.csrf_token()

    def post(url, fields):
        # Encoded in memory: the test client would spool a large body to a temporary file.
        boundary, body = encode_multipart({"csrf_token": token, "then": "save", **fields})
        return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")

    response = post("/admin/profile/kz/resource/new", {"title": "Big report", "file": _file(big)})
    assert response.status_code == 303
    app.config["UPLOAD_MAX_BYTES"] = 1024 * 1024
    refused = post("/admin/profile/kz/resource/new", {"title": "Too big", "file": _file(big)})
    assert refused.status_code == 413
    elsewhere = post("/admin/profile/kz/fact/new", {"text": "x" * (3 * 1024 * 1024)})
    assert elsewhere.status_code == 413
    assert "Big report" in page(client.get("/admin/profile/kz"))


def _file(data: bytes) -> FileStorage:
    return FileStorage(io.BytesIO(data), filename="big.pdf", content_type="application/pdf")
