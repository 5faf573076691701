"""Archived copies: approving a version copies the documents it cites (HTML or PDF, size-limited)
into the file storage with their SHA-256 and time of capture; the public pages link to them at
once; the configuration can forbid it, wholly or per host."""

import hashlib

import pytest
from sqlalchemy import select

from assess import jobs
from assess.extensions import db
from assess.fingerprint import content_fingerprint
from assess.models import ArchivedCopy, LinkCheck
from assess.services import archiving, assessments, links
from assess.storage import current as current_storage

from .publishing import publish
from .test_links import citing
from .web_stub import CYRILLIC, PDF, serving


@pytest.fixture
def web():
    with serving() as served:
        yield served


@pytest.fixture
def quick(app, tmp_path):
    app.config.update(
        LINK_CHECK_TIMEOUT=0.5, LINK_CHECK_HOST_DELAY=0, UPLOAD_DIR=str(tmp_path / "files")
    )
    return app


@pytest.fixture
def people(make_user):
    return make_user("reviewer", ["KZ"], name="Rita"), make_user("supervisor", ["KZ"], name="Sam")


def _copies():
    db.session.commit()
    return {c.url: c for c in db.session.scalars(select(ArchivedCopy))}


def test_approval_archives_html_and_pdf_with_their_fingerprint(quick, web, people):
    quick.config["JOBS"] = "in-process"
    version = publish(
        *people,
        "KZ",
        "age-of-consent",
        citing(
            web.url("/ok/code"),
            web.url("/gone"),
            sources=(web.url("/report.pdf"), web.url("/data.json")),
        ),
    )
    jobs.wait_for_background(quick)
    copies = _copies()
    assert set(copies) == {web.url("/ok/code"), web.url("/report.pdf")}  # not a 404, not JSON
    pdf = copies[web.url("/report.pdf")]
    assert pdf.version_id == version.id and pdf.content_type == "application/pdf"
    assert pdf.sha256 == hashlib.sha256(PDF).hexdigest() and pdf.size == len(PDF)
    assert pdf.captured_at is not None
    with current_storage().open(pdf.stored_name) as stored:
        assert stored.read() == PDF
    html = copies[web.url("/ok/code")]
    with current_storage().open(html.stored_name) as stored:
        stored_html = stored.read()
    assert html.stored_name == f"{hashlib.sha256(stored_html).hexdigest()}.html"  # integrity
    assert html.sha256 == hashlib.sha256(stored_html).hexdigest()
    # The link's baseline is what was archived, as a content fingerprint: a later change of its
    # text shows as "changed".
    check = db.session.scalar(select(LinkCheck).where(LinkCheck.url == web.url("/ok/code")))
    assert check.baseline_sha256 == content_fingerprint(stored_html, "text/html")
    assert check.baseline_sha256 != html.sha256
    pdf_check = db.session.scalar(select(LinkCheck).where(LinkCheck.url == web.url("/report.pdf")))
    assert pdf_check.baseline_sha256 == pdf.sha256  # a PDF's fingerprint is its raw digest


def test_the_public_pages_show_the_copy_at_once_and_serve_it(quick, web, people, client):
    version = publish(*people, "KZ", "age-of-consent", citing(web.url("/ok/code")))
    client.get("/countries/kz/age-of-consent")  # kept for this public revision
    (copy,) = archiving.capture(version.id)
    for url in ("/countries/kz/age-of-consent", "/countries/kz/age-of-consent/v/1"):
        page = client.get(url).get_data(as_text=True)
        assert "archived copy (captured on" in page, url
        assert f'href="/archive/{copy.id}"' in page
    served = client.get(f"/archive/{copy.id}")
    assert served.status_code == 200
    assert served.data == b"<html><body>Page /ok/code</body></html>"
    assert served.mimetype == "text/html"
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    served.close()
    assert client.get(f"/archive/{copy.id + 99}").status_code == 404


def test_a_page_in_another_encoding_is_served_in_the_encoding_it_was_read_in(
    quick, web, people, client
):
    header, meta = web.url("/cyrillic-header"), web.url("/cyrillic-meta")
    version = publish(*people, "KZ", "age-of-consent", citing(header, meta))
    copies = {copy.url: copy for copy in archiving.capture(version.id)}
    assert copies[header].content_type == "text/html; charset=windows-1251"
    assert copies[meta].content_type == "text/html; charset=koi8-r"
    for url, encoding in ((header, "windows-1251"), (meta, "koi8-r")):
        served = client.get(f"/archive/{copies[url].id}")
        assert served.headers["Content-Type"] == f"text/html; charset={encoding}"
        assert CYRILLIC in served.data.decode(encoding)  # what a browser shows, not mojibake
        served.close()


def test_only_copies_of_public_versions_from_the_storage_are_served(quick, web, people, client):
    from .publishing import draft

    version = publish(*people, "KZ", "age-of-consent", citing(web.url("/ok/code")))
    (copy,) = archiving.capture(version.id)
    unpublished = draft(people[0], "KZ", "age-of-consent", citing(web.url("/ok/code")))
    db.session.add(
        ArchivedCopy(
            version_id=unpublished.id,
            url=copy.url,
            stored_name=copy.stored_name,
            sha256=copy.sha256,
            content_type=copy.content_type,
            size=copy.size,
        )
    )
    db.session.commit()
    assert client.get(f"/archive/{copy.id + 1}").status_code == 404  # the draft's
    assessments.retract(people[1], version.id, "Wrong country.")
    served = client.get(f"/archive/{copy.id}")
    assert served.status_code == 200  # a withdrawn version stays citable
    served.close()
    db.session.execute(
        ArchivedCopy.__table__.update()
        .where(ArchivedCopy.id == copy.id)
        .values(stored_name="../../etc/passwd")
    )
    db.session.commit()
    assert client.get(f"/archive/{copy.id}").status_code == 404


def test_archiving_switched_off_copies_nothing(quick, web, people):
    quick.config["ARCHIVE_ENABLED"] = False
    version = publish(*people, "KZ", "age-of-consent", citing(web.url("/ok/code")))
    assert archiving.capture(version.id) == []
    assert _copies() == {} and web.requests["/ok/code"] == 0


def test_excluded_hosts_and_oversized_documents_are_not_copied(quick, web, people):
    quick.config["ARCHIVE_EXCLUDED_HOSTS"] = "paywalled.example, 127.0.0.1"
    version = publish(*people, "KZ", "age-of-consent", citing(web.url("/ok/code")))
    assert archiving.capture(version.id) == []
    assert web.requests["/ok/code"] == 0
    quick.config["ARCHIVE_EXCLUDED_HOSTS"] = ["paywalled.example"]
    quick.config["ARCHIVE_MAX_BYTES"] = 100_000
    other = publish(*people, "KZ", "csam-definition", citing(web.url("/big"), web.url("/ok/small")))
    assert [c.url for c in archiving.capture(other.id)] == [web.url("/ok/small")]


def test_exclusion_matches_subdomains_only_on_a_dot():
    hosts = archiving.excluded_hosts({"ARCHIVE_EXCLUDED_HOSTS": "example.org"})
    assert archiving.is_excluded("https://www.example.org/x", hosts)
    assert archiving.is_excluded("https://EXAMPLE.org/x", hosts)
    assert not archiving.is_excluded("https://badexample.org/x", hosts)


def test_a_draft_is_not_archived(quick, web, people):
    from .publishing import draft

    version = draft(people[0], "KZ", "age-of-consent", citing(web.url("/ok/code")))
    assert archiving.capture(version.id) == []
    links.check_version(version.id)
    assert _copies() == {}


def test_a_document_cut_at_the_archive_limit_leaves_the_links_fingerprint_alone(quick, web, people):
    url = web.url("/big")
    version = publish(*people, "KZ", "age-of-consent", citing(url))
    (checked,) = links.check_urls([url])
    fingerprint = checked.sha256
    quick.config["ARCHIVE_MAX_BYTES"] = 1000
    assert archiving.capture(version.id) == []
    db.session.commit()
    row = db.session.scalar(select(LinkCheck).where(LinkCheck.url == url))
    assert (row.state, row.sha256) == ("ok", fingerprint)
