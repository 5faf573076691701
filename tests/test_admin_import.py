"""Bulk import: dry run with every row's problems, then one transaction of submitted versions."""

import io
import json

import pytest
from sqlalchemy import func, select

from assess.extensions import db
from assess.models import AuditEvent, Country, Indicator, Version
from assess.services import assessments, bulk_import, import_rows
from assess.services.errors import Conflict, PermissionDenied, ValidationError

from .admin_helpers import page

# The columns before the analysis_language column existed: a file without it still imports.
HEADER = (
    "country,indicator,status,analysis,analysis_source_title,analysis_source_year,citations,sources"
)
CITATIONS = (
    "Criminal Code|2014|Article 1|2023|https://adilet.zan.kz/rus|ru ;; Constitution|1995||2023||ru"
)
SOURCES = "Global Monitoring Report|ECPAT International|2023|https://ecpat.org/report"
ANALYSIS = "Defined in Article 1, covering virtual material."
GOOD_CSV = f"""{HEADER}
KZ,csam-definition,Yes,"{ANALYSIS}",Analysis,2024,"{CITATIONS}",{SOURCES}
kz,background-check-required,no data,,,,,
"""
BAD_ROWS = """XX,csam-definition,Yes,Analysis.,,,,
KZ,no-such-indicator,Yes,Analysis.,,,,
KZ,sec-police-unit,maybe,Analysis.,,,,
KZ,national-commitments,Partial,Analysis.,Title,20x4,,
KZ,child-advocacy-centers,Partial,Analysis.,,,Criminal Code|2014|Art. 2|2023|htp:/broken|ru,
KZ,public-sec-case-data,Partial,,,,,
KZ,csam-definition,No,Duplicate row.,,,,
,,,,,,,
"""


def _versions() -> int:
    return db.session.scalar(select(func.count()).select_from(Version))


@pytest.fixture
def admin(make_user):
    return make_user("admin")


def _upload(client, text: str, name: str = "assessments.csv"):
    return client.post_form(
        "/admin/import/",
        {"file": (io.BytesIO(text.encode()), name)},
        content_type="multipart/form-data",
    )


def test_the_dry_run_reports_every_problem_and_writes_nothing(client, auth, admin, demo_data):
    auth.login(admin)
    before = _versions()
    response = _upload(client, GOOD_CSV + BAD_ROWS)
    report = page(response)
    assert response.status_code == 200
    assert "Dry run" in report
    for problem in (
        "Unknown country &#39;XX&#39;",
        "Unknown indicator &#39;no-such-indicator&#39;",
        "Invalid status &#39;maybe&#39;",
        "Bad year &#39;20x4&#39; in analysis_source_year",
        "Malformed URL &#39;htp:/broken&#39; in citation 1",
        "Write the analysis before submitting.",
        "Same assessment as row 2.",
    ):
        assert problem in report, problem
    report_obj = bulk_import.check(admin, (GOOD_CSV + BAD_ROWS).encode())
    assert (len(report_obj.valid), len(report_obj.invalid), len(report_obj.skipped)) == (2, 7, 1)
    assert "Import 2 rows" in report
    assert _versions() == before


def test_committing_submits_the_valid_rows_for_review(client, auth, admin, demo_data):
    auth.login(admin)
    dry = page(_upload(client, GOOD_CSV + BAD_ROWS))
    content = dry.split('name="content" type="hidden" value="')[1].split('"')[0]
    response = client.post_form(
        "/admin/import/commit",
        {"content": content, "name": "assessments.csv"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    batch_page = page(client.get(response.headers["Location"]))
    assert "Import: assessments.csv" in batch_page
    assert "Imported 2 items from assessments.csv" in batch_page
    imported = list(db.session.scalars(select(Version).where(Version.created_by_id == admin.id)))
    assert {v.state for v in imported} == {"submitted"}
    by_slug = {v.assessment.indicator.slug: v for v in imported}
    assert set(by_slug) == {"csam-definition", "background-check-required"}
    csam = by_slug["csam-definition"]
    assert csam.status == "yes"
    assert csam.analysis_source_year == 2024
    assert [
        (c.instrument.title, c.instrument.year_adopted, c.provision) for c in csam.citations
    ] == [
        ("Criminal Code", 2014, "Article 1"),
        ("Constitution", 1995, ""),
    ]
    assert csam.citations[0].url == "https://adilet.zan.kz/rus"
    assert [(s.title, s.publisher, s.year) for s in csam.sources] == [
        ("Global Monitoring Report", "ECPAT International", 2023)
    ]
    assert by_slug["background-check-required"].status == "no_data"
    assert csam.contributor_ids == {admin.id}
    actions = db.session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.object_id == csam.id, AuditEvent.object_type == "version"
        )
    )
    assert list(actions) == ["start", "submit"]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import_assessments"))


def test_four_eyes_still_applies_to_imported_versions(make_user, demo_data):
    importer = make_user("supervisor", ["KZ"], email="importer@example.org")
    report = bulk_import.run(importer, GOOD_CSV.encode(), "file.csv")
    assert report.imported == 2
    version = db.session.scalar(select(Version).where(Version.created_by_id == importer.id))
    with pytest.raises(PermissionDenied):
        assessments.approve(importer, version.id)
    other = make_user("supervisor", ["KZ"], email="second@example.org")
    assert assessments.approve(other, version.id).state == "published"


def test_json_in_the_data_format_is_imported(make_user, admin, demo_data):
    rows = [
        {"country": "KZ", "indicator": "sec-police-unit", "status": "Partial",
         "analysis": "A unit exists in Almaty only.",
         "analysis_source": {"title": "Police structure review", "year": 2022},
         "citations": [{"instrument": "Law on Police", "year": 2014, "provision": "Art. 5",
                        "status_as_of": 2023, "url": "https://example.org/law", "language": "ru"}],
         "sources": [{"title": "Report", "publisher": "UNODC", "year": 2021, "url": ""}]},
    ]  # fmt: skip
    report = bulk_import.run(admin, json.dumps({"assessments": rows}).encode(), "data.json")
    assert report.format == "json"
    assert report.imported == 1
    version = db.session.scalar(select(Version).where(Version.created_by_id == admin.id))
    assert version.analysis_source_title == "Police structure review"
    assert version.citations[0].instrument.title == "Law on Police"


def test_the_spreadsheet_template_round_trips(client, auth, admin, demo_data):
    auth.login(admin)
    response = client.get("/admin/import/template.csv?country=kz")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffcountry,indicator,status,analysis")
    assert "citation_3_language" in text
    assert "KZ,age-of-consent," in text
    assert "attachment" in response.headers["Content-Disposition"]
    lines = text.split("\r\n")
    header = lines[0].lstrip("\ufeff").split(",")
    cells = dict.fromkeys(header, "")
    cells.update(
        country="KZ", indicator="national-commitments", status="Yes", analysis="A plan exists.",
        citation_1_instrument="Action Plan", citation_1_year="2015", source_2_title="Second",
    )  # fmt: skip
    filled = "\ufeff" + lines[0].lstrip("\ufeff") + "\r\n" + ",".join(cells[h] for h in header)
    report = bulk_import.check(admin, filled.encode())
    assert report.format == "csv"
    [row] = report.valid
    assert row.content.citations[0].instrument_title == "Action Plan"
    assert [s.title for s in row.content.sources] == ["Second"]
    # Empty prefilled rows are skipped, not errors.
    assert len(bulk_import.check(admin, text.encode()).skipped) == 9


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("café".encode("latin-1"), "nor UTF-8 text"),
        (b"", "empty"),
        (b'[{"country": "KZ",]', "The JSON is malformed"),
        (b'{"rows": []}', "must be a list of assessments"),
        (b"name,value\nx,1\n", "not an assessment file"),
        (f"{HEADER}\nKZ,csam-definition,Yes,A,,,,,extra\n".encode(), "more cells than the header"),
    ],
)
def test_a_malformed_file_changes_nothing(client, auth, admin, data, message):
    auth.login(admin)
    before = _versions()
    response = client.post_form(
        "/admin/import/",
        {"file": (io.BytesIO(data), "file.csv")},
        content_type="multipart/form-data",
    )
    assert message in page(response).replace("&#34;", '"')
    with pytest.raises(ValidationError):
        bulk_import.run(admin, data, "file.csv")
    assert _versions() == before


def test_an_open_draft_blocks_its_row(make_user, admin, demo_data):
    kz = db.session.scalar(select(Country).where(Country.iso2 == "KZ"))
    indicator = db.session.scalar(select(Indicator).where(Indicator.slug == "csam-definition"))
    assessments.start_draft(make_user("reviewer", ["KZ"]), kz.id, indicator.id)
    report = bulk_import.check(admin, GOOD_CSV.encode())
    assert report.invalid[0].problems == [
        "An open version of this assessment is already in the workflow."
    ]


def test_a_failure_while_writing_rolls_back_every_row(monkeypatch, make_user, admin, demo_data):
    kz = db.session.scalar(select(Country).where(Country.iso2 == "KZ"))
    second = db.session.scalar(
        select(Indicator).where(Indicator.slug == "background-check-required")
    )
    assessments.start_draft(make_user("reviewer", ["KZ"]), kz.id, second.id)
    monkeypatch.setattr(import_rows, "_open_work", dict)  # as if the draft appeared after the check
    before = _versions()
    with pytest.raises(Conflict, match="Nothing was imported"):
        bulk_import.run(admin, GOOD_CSV.encode(), "file.csv")
    assert _versions() == before


def test_rows_outside_the_importers_countries_are_refused(make_user):
    reviewer = make_user("reviewer", ["UZ"])
    report = bulk_import.check(reviewer, GOOD_CSV.encode())
    assert (
        "You cannot import for Kazakhstan: it is not one of your countries."
        in report.invalid[0].problems
    )


def test_the_command_line_checks_then_imports(app, admin, demo_data, tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text(GOOD_CSV + BAD_ROWS)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["import-assessments", str(path), "--as", admin.email])
    assert dry.exit_code == 1
    assert "row 4 (XX, CSAM Definition): Unknown country 'XX'." in dry.output
    assert "row 5 (KZ Kazakhstan, no-such-indicator): Unknown indicator" in dry.output
    assert "10 rows read: 2 valid, 7 with problems, 1 empty." in dry.output
    assert "nothing was written" in dry.output
    before = _versions()
    done = runner.invoke(args=["import-assessments", str(path), "--as", admin.email, "--commit"])
    assert done.exit_code == 0, done.output
    assert "Imported 2 items as batch" in done.output
    assert _versions() == before + 2
    unknown = runner.invoke(args=["import-assessments", str(path), "--as", "nobody@example.org"])
    assert unknown.exit_code == 1
    assert "No active user" in unknown.output
