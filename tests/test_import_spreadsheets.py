"""Spreadsheets in the bulk import: .xlsx and .ods read as they look on screen, rows numbered as
the spreadsheet numbers them, every row named by its country and indicator, likely typos in codes
refused with a suggestion, the analysis language, and profile content."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from assess.extensions import db
from assess.models import ProfileChange, Version
from assess.services import bulk_import

from .admin_helpers import page
from .spreadsheets import ods, xlsx

HEADER = ["country", "indicator", "status", "analysis", "analysis_language"]
LONG = "Defined in Article 1.\nPossession is not an offence."


@pytest.fixture
def admin(make_user):
    return make_user("admin")


def _check(admin, data: bytes) -> bulk_import.ImportReport:
    return bulk_import.check(admin, data)


def _problems(report) -> dict[int, list[str]]:
    return {row.line: row.problems for row in report.invalid}


@pytest.mark.parametrize("make", [xlsx, ods], ids=["xlsx", "ods"])
def test_a_workbook_is_read_with_the_spreadsheets_row_numbers(admin, make):
    data = make(
        {
            "Assessments": [
                HEADER,
                ["KZ", "csam-definition", "Yes", LONG, "en"],  # row 2, a line break inside
                [],  # row 3, blank
                ["KZ", "sec-police-unit", "maybe", "Analysis.", ""],  # row 4
                ["KZ", "national-commitments", "Partial", "A plan exists.", None],  # row 5
            ]
        }
    )
    report = _check(admin, data)
    assert report.format == make.__name__
    assert [row.line for row in report.valid] == [2, 5]
    assert list(_problems(report)) == [4]
    first = report.valid[0]
    assert (first.country_name, first.indicator_title) == ("Kazakhstan", "CSAM Definition")
    assert first.content.analysis == LONG
    assert report.skipped[0].line == 3


def test_a_csv_cell_with_a_line_break_does_not_shift_the_row_numbers(admin):
    text = (
        "country,indicator,status,analysis\r\n"
        f'KZ,csam-definition,Yes,"{LONG}"\r\n'
        "KZ,sec-police-unit,maybe,Analysis.\r\n"
    )
    report = _check(admin, text.encode())
    # Row 3 on screen; the third line of the file would have been line 4.
    assert list(_problems(report)) == [3]


def test_the_dry_run_names_every_row_and_suggests_for_likely_typos(client, auth, admin, demo_data):
    analysis = "Pakistan's Penal Code sets the age of consent at 16."
    data = xlsx(
        {
            "Assessments": [
                HEADER,
                ["KZ", "csam-definition", "Yes", "Kazakhstan defines it.", "en"],
                ["KZ", "sec-police-unit", "No", "No unit exists.", "en"],
                ["PN", "age-of-consent", "Partial", analysis, "en"],  # 4: Pakistan is PK
                ["Pitcairn", "csam-definition", "No", analysis, "en"],  # 5: the name confirms
                ["KX", "national-commitments", "Yes", "A plan.", "en"],  # 6: unknown
                ["KG", "background-check-required", "No", "None required.", "en"],  # 7: lone
                ["KZ", "age-of-consnt", "Yes", "Sixteen.", "en"],  # 8: slug typo
                ["Kazakhstan", "Public SEC Case Data", "No", "Not published.", "en"],  # 9
            ]
        }
    )
    auth.login(admin)
    response = client.post_form(
        "/admin/import/",
        {"file": (io.BytesIO(data), "rows.xlsx")},
        content_type="multipart/form-data",
    )
    html = page(response).replace("&#39;", "'")
    assert 'Pitcairn <span class="meta">(PN)</span>' in html
    assert (
        "PN is Pitcairn, but the analysis speaks of Pakistan. Did you mean PK (Pakistan)? "
        "If Pitcairn is right, write its name instead of the code."
    ) in html
    assert "Unknown country 'KX'. Did you mean KZ (Kazakhstan) or KG (Kyrgyzstan)?" in html
    assert (
        "KG (Kyrgyzstan) is in this row only; the file's other rows name KZ (Kazakhstan). "
        "Did you mean KZ (Kazakhstan)?"
    ) in html
    assert (
        "Unknown indicator 'age-of-consnt'. Did you mean age-of-consent (Age of Consent)?" in html
    )
    report = _check(admin, data)
    assert list(_problems(report)) == [4, 6, 7, 8]
    assert [(r.line, r.country_code, r.indicator_slug) for r in report.valid] == [
        (2, "KZ", "csam-definition"),
        (3, "KZ", "sec-police-unit"),
        (5, "PN", "csam-definition"),
        (9, "KZ", "public-sec-case-data"),
    ]


def test_the_analysis_language_is_read_and_checked(admin):
    russian = "Возраст согласия в Казахстане составляет 16 лет."
    report = _check(
        admin,
        xlsx(
            {
                "Assessments": [
                    HEADER,
                    ["KZ", "csam-definition", "Yes", russian, "ru"],
                    ["KZ", "sec-police-unit", "Yes", russian, "Russian"],
                    ["KZ", "background-check-required", "No", "None.", "EN"],
                    ["KZ", "age-of-consent", "Yes", russian, ""],  # 5: empty means English
                    ["KZ", "national-commitments", "Yes", "A plan.", "klingonese"],  # 6
                    ["KAZ", "public-sec-case-data", "Yes", "Published.", "fr-CA"],
                ]
            }
        ),
    )
    assert [(r.line, r.content.analysis_language) for r in report.valid] == [
        (2, "ru"),
        (3, "ru"),
        (4, "en"),  # not "enc", the language whose name is "En"
        (7, "fr-CA"),
    ]
    problems = _problems(report)
    assert problems[5] == [
        "The analysis is not written in the script of its language (en): "
        "give its language in the analysis_language column."
    ]
    assert problems[6] == [
        "Unknown language 'klingonese' in analysis_language: use a code such as en, fr or ru."
    ]
    # The Russian analysis names Kazakhstan in Russian: no doubt about the code.
    version = bulk_import.run(admin, xlsx({"Assessments": [HEADER, *[
        ["KZ", "csam-definition", "Yes", russian, "ru"]]]}), "ru.xlsx")  # fmt: skip
    assert version.imported == 1
    stored = db.session.scalar(select(Version).where(Version.created_by_id == admin.id))
    assert stored.analysis_language == "ru"


def test_profile_content_comes_in_on_its_own_sheets(admin, demo_data):
    data = ods(
        {
            "Members": [
                ["country", "name", "description", "url", "email", "phone", "address"],
                ["KZ", "Child Rights Centre", "Legal aid for children.", "https://crc.example.org",
                 "info@crc.example.org", "+7 727 000 00 00", "12 Abay Ave, Almaty"],
                ["KZ", "No Mail NGO", "", "", "not an address", "", ""],
                ["KZ", "Sana Sezim", "", "", "", "", ""],  # already on the demo profile
            ],
            "Facts": [["country", "text"], ["KZ", "A hotline opened in 2023."]],
            "Resources": [["country", "publisher", "title", "year", "url"],
                          ["KZ", "UNICEF", "Situation analysis", 2022, "https://example.org/sa"]],
            "News": [["country", "title", "date", "body", "url"],
                     ["KZ", "New law adopted", "2024-05-01", "The parliament adopted it.", ""]],
            "Notes": [["anything"], ["else"]],
        }
    )  # fmt: skip
    report = _check(admin, data)
    assert report.ignored == ["Notes"]
    assert [(r.sheet, r.line, r.kind) for r in report.valid] == [
        ("Members", 2, "member"),
        ("Facts", 2, "fact"),
        ("Resources", 2, "resource"),
        ("News", 2, "news"),
    ]
    assert _problems(report) == {
        3: ["email: Enter an e-mail address such as name@example.org."],
        4: ["It is already on the profile."],
    }
    done = bulk_import.write(admin, report, "profile.ods")
    changes = list(db.session.scalars(select(ProfileChange).order_by(ProfileChange.id)))
    assert [(c.kind, c.state, c.import_batch_id) for c in changes] == [
        (kind, "submitted", done.batch_id) for kind in ("member", "fact", "resource", "news")
    ]
    assert changes[0].payload["phone"] == "+7 727 000 00 00"
    assert changes[2].payload["year"] == 2022
    assert changes[3].payload["published_on"] == "2024-05-01"
    # Proposed once: the same file again is refused row by row.
    again = _check(admin, data)
    assert not again.valid
    assert _problems(again)[2] == ["A change adding it is already in review."]


def test_the_template_workbook_round_trips(client, auth, make_user, demo_data):
    reviewer = make_user("reviewer", ["KZ"])
    auth.login(reviewer)
    response = client.get("/admin/import/template.xlsx?country=kz")
    assert response.status_code == 200
    assert "import-kz.xlsx" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == [
        "Assessments", "Members", "Facts", "Resources", "News", "Countries", "Indicators"
    ]  # fmt: skip
    sheet = workbook["Assessments"]
    header = [cell.value for cell in sheet[1]]
    assert header[:7] == [
        "country", "indicator", "status", "analysis", "analysis_language",
        "analysis_source_title", "analysis_source_year",
    ]  # fmt: skip
    assert [cell.value for cell in sheet[2]][:2] == ["KZ", "age-of-consent"]
    assert ["KZ", "Kazakhstan"] in [[c.value for c in row] for row in workbook["Countries"]]
    sheet["C2"], sheet["D2"], sheet["E2"] = "Partial", "Sixteen, no close-in-age exception.", "en"
    sheet.cell(row=2, column=header.index("citation_1_instrument") + 1, value="Criminal Code")
    sheet.cell(row=2, column=header.index("citation_1_year") + 1, value=2014)
    workbook["Members"].append(["KZ", "Child Rights Centre", "", "", "info@crc.example.org"])
    filled = io.BytesIO()
    workbook.save(filled)
    report = bulk_import.check(reviewer, filled.getvalue())
    assert [(r.sheet, r.line) for r in report.valid] == [("Assessments", 2), ("Members", 2)]
    assert report.valid[0].content.citations[0].year_adopted == 2014
    assert report.ignored == []
    assert len(report.skipped) == 8  # the other prefilled indicators, left empty


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04 not really a zip", "the file is damaged"),
        (xlsx({"Sheet1": [["a", "b"], [1, 2]]}), "No sheet of this workbook holds"),
        (xlsx({"Members": [["name"], ["X"]]}), "The first filled row of the sheet Members"),
        (xlsx({"Assessments": [["country", "indicator", "status"], ["KZ", "x", "Yes", "extra"]]}),
         "Row 2 has more cells than the header."),
    ],
)  # fmt: skip
def test_a_workbook_that_cannot_be_read_is_refused_with_a_reason(
    client, auth, admin, data, message
):
    auth.login(admin)
    response = client.post_form(
        "/admin/import/",
        {"file": (io.BytesIO(data), "file.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert message in page(response)
