"""The downloads carry every published field, and nothing unpublished."""

import csv
import io
import json

import pytest
from sqlalchemy import inspect

from assess.models import Citation, Source, Version
from assess.services import accounts, assessments

from .publishing import FULL, content, draft, publish

# Version columns the public sees, and those that stay inside the workflow. A new column must be
# put in one of the two, so that nobody publishes (or forgets to publish) a field by accident.
PUBLIC_VERSION_FIELDS = {
    "number", "state", "status", "analysis", "analysis_language", "analysis_source_title",
    "analysis_source_year", "published_at", "decided_by_id", "retracted_at", "retraction_reason",
    "framework_revision",
}  # fmt: skip
INTERNAL_VERSION_FIELDS = {
    "id", "assessment_id", "base_version_id", "created_by_id", "submitted_by_id", "retracted_by_id",
    "created_at", "updated_at", "submitted_at", "decided_at", "decision_comment", "row_version",
    "submitted_row_version",
    # Shown on the pages as the wording a finding was assessed under; not yet in the downloads.
    "indicator_revision_id",
    # The import batch a version came in with: the staff's bookkeeping.
    "import_batch_id",
}  # fmt: skip


# A source's file is public as its download address, name, digest, size and type; the name the
# storage keeps it under is not (the address stands for it).
PUBLIC_FILE_FIELDS = ("file_name", "file_sha256", "file_size", "file_content_type")
INTERNAL_SOURCE_FIELDS = {"file_stored_name"}


def _columns(model) -> set[str]:
    return {c.key for c in inspect(model).columns}


def test_every_version_column_is_classified():
    assert _columns(Version) == PUBLIC_VERSION_FIELDS | INTERNAL_VERSION_FIELDS


@pytest.fixture
def published(make_user):
    reviewer = make_user("reviewer", ["KZ"], name="Rita Reviewer")
    supervisor = make_user("supervisor", ["KZ"], name="Sam Supervisor")
    first = publish(reviewer, supervisor, "KZ", "age-of-consent", content("no", "=1+1 first"))
    second = publish(reviewer, supervisor, "KZ", "age-of-consent", FULL)
    gone = publish(reviewer, supervisor, "KZ", "csam-definition", content("yes", "Gone soon."))
    other = accounts.create_user(None, "o@example.org", "a long passphrase 12", "supervisor", [])
    assessments.retract(other, gone.id, "Superseded by a new law.")
    draft(reviewer, "KZ", "age-of-consent", content("yes", "Draftword only."))
    return first, second, gone


def _dataset(client) -> dict:
    response = client.get("/data/assessments.json")
    assert response.mimetype == "application/json"
    return json.loads(response.get_data(as_text=True))


def _expected(version: Version) -> dict:
    return {
        "number": version.number,
        "state": version.state,
        "status": version.status,
        "analysis": version.analysis,
        "analysis_language": version.analysis_language,
        "analysis_source": {
            "title": version.analysis_source_title,
            "year": version.analysis_source_year,
        },
        "published_at": version.published_at.isoformat(),
        "framework_revision": version.framework_revision,
        "approved_by": "Sam Supervisor",
        "retracted_at": version.retracted_at.isoformat() if version.retracted_at else None,
        "retraction_reason": version.retraction_reason,
        "citations": [
            {
                "instrument": c.instrument.title,
                "year_adopted": c.instrument.year_adopted,
                **{
                    key: getattr(c, key) for key in ("provision", "status_as_of", "url", "language")
                },
            }
            for c in version.citations
        ],
        "sources": [
            {
                **{key: getattr(s, key) for key in ("title", "publisher", "year", "url")},
                **{key: getattr(s, key) for key in PUBLIC_FILE_FIELDS},
                "file_url": None,  # these have no file: tests/test_evidence_files.py
            }
            for s in version.sources
        ],
    }


def test_json_holds_every_published_version_with_every_field(client, app, published):
    first, second, _gone = (
        app.extensions["sqlalchemy"].session.get(Version, v.id) for v in published
    )
    data = _dataset(client)
    kz = next(c for c in data["countries"] if c["iso2"] == "KZ")
    assert {k: kz[k] for k in ("iso3", "numeric", "name", "region")} == {
        "iso3": "KAZ", "numeric": "398", "name": "Kazakhstan", "region": "Asia",
    }  # fmt: skip
    by_indicator = {a["indicator"]: a for a in kz["assessments"]}
    age = by_indicator["age-of-consent"]
    assert age["status"] == "partial"
    assert age["current_version"] == 2
    versions = [
        {k: v for k, v in record.items() if k not in ("url", "status_label")}
        for record in age["versions"]
    ]
    assert versions == [_expected(second), _expected(first)]
    assert age["versions"][0]["url"] == "http://localhost/countries/kz/age-of-consent/v/2"
    csam = by_indicator["csam-definition"]
    assert csam["status"] == "not_assessed"
    assert csam["current_version"] is None
    assert csam["versions"][0]["retraction_reason"] == "Superseded by a new law."
    # Every citation and source column reaches the download.
    citation = age["versions"][0]["citations"][0]
    for column in _columns(Citation) - {"id", "version_id", "instrument_id", "position"}:
        assert column in citation
    for column in _columns(Source) - {"id", "version_id", "position"} - INTERNAL_SOURCE_FIELDS:
        assert column in age["versions"][0]["sources"][0]
    assert [i["slug"] for i in data["indicators"]][:2] == [
        "age-of-consent", "extraterritoriality-extradition",
    ]  # fmt: skip
    assert len(data["countries"]) == 249


def _rows(client) -> list[dict]:
    response = client.get("/data/assessments.csv")
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_csv_has_one_row_per_country_and_indicator_with_the_current_finding(client, published):
    rows = _rows(client)
    assert len(rows) == 249 * 9
    row = next(
        r for r in rows if (r["country_iso2"], r["indicator_slug"]) == ("KZ", "age-of-consent")
    )
    second = published[1]
    assert row["status"] == "partial"
    assert row["status_label"] == "Partial"
    assert row["version"] == "2"
    assert row["published_at"] == second.published_at.isoformat()
    assert row["last_updated"] == second.published_at.isoformat()
    assert row["approved_by"] == "Sam Supervisor"
    assert row["analysis"] == FULL.analysis
    assert row["analysis_language"] == "en"
    assert row["analysis_source_title"] == FULL.analysis_source_title
    assert row["analysis_source_year"] == "2024"
    assert row["legal_sources"] == (
        "Criminal Code (2014, status as of 2023), Article 122 <https://adilet.zan.kz/cc>; "
        "Constitution (1995, status as of 2023)"
    )
    assert json.loads(row["legal_sources_json"]) == [
        {"instrument": "Criminal Code", "year_adopted": 2014, "provision": "Article 122",
         "status_as_of": 2023, "url": "https://adilet.zan.kz/cc", "language": "ru"},
        {"instrument": "Constitution", "year_adopted": 1995, "provision": "",
         "status_as_of": 2023, "url": "", "language": "kk"},
    ]  # fmt: skip
    assert row["sources"] == "ECPAT International, Country report, 2013, https://ecpat.org/r"
    assert json.loads(row["sources_json"])[0]["publisher"] == "ECPAT International"
    withdrawn = next(
        r for r in rows if (r["country_iso2"], r["indicator_slug"]) == ("KZ", "csam-definition")
    )
    assert withdrawn["status"] == "not_assessed"
    assert withdrawn["withdrawn_reason"] == "Superseded by a new law."
    assert withdrawn["analysis"] == ""
    empty = next(r for r in rows if r["country_iso2"] == "FR")
    assert empty["status"] == "not_assessed"
    assert empty["version"] == ""


def test_csv_cells_never_start_a_formula(client, make_user):
    reviewer, supervisor = make_user("reviewer", ["KZ"]), make_user("supervisor", ["KZ"])
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("no", "=HYPERLINK(1)"))
    row = next(r for r in _rows(client) if r["country_iso2"] == "KZ")
    assert row["analysis"] == "'=HYPERLINK(1)"


def test_downloads_leave_out_drafts_and_submissions(client, make_user, published):
    reviewer = make_user("reviewer", ["FR"])
    submitted = draft(reviewer, "FR", "csam-definition", content("no", "Submitword here."))
    assessments.submit(reviewer, submitted.id)
    for url in ("/data/assessments.csv", "/data/assessments.json"):
        body = client.get(url).get_data(as_text=True)
        assert "Draftword" not in body
        assert "Submitword" not in body
        assert "decision_comment" not in body
        assert "@example.org" not in body


def test_downloads_page_lists_the_files_and_columns(client):
    html = client.get("/data/").get_data(as_text=True)
    assert 'href="/data/assessments.csv"' in html
    assert 'href="/data/assessments.json"' in html
    assert 'href="/api/v1/openapi.json"' in html
    assert "<code>legal_sources_json</code>" in html
