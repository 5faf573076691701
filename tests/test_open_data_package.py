"""Open data a data team can use: licence, data package (checked by frictionless), dictionary,
subsets, profile content, CORS; dated releases; the API as of a day."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from frictionless import Package, validate

from assess import releases
from assess.services import assessments
from assess.services.errors import Conflict, ValidationError

from .publishing import FULL, content, publish


@pytest.fixture
def people(make_user):
    return (
        make_user("reviewer", ["KZ", "CR"], name="Rita"),
        make_user("supervisor", ["KZ", "CR"], name="Sam"),
    )


def test_the_data_page_states_the_licence_and_the_dictionary(client):
    html = client.get("/data/").get_data(as_text=True)
    assert (
        '<a href="https://creativecommons.org/licenses/by/4.0/" rel="license">Creative Commons Attribution 4.0 International</a>'
        in html
    )
    assert (
        "<code>analysis_source_year</code></th><td>integer</td><td>Year of that analysis</td>"
        in html
    )
    assert 'href="/data/datapackage.json"' in html
    assert "No release yet." in html


def test_the_data_package_validates_with_frictionless(client, people, tmp_path):
    publish(*people, "KZ", "age-of-consent", FULL)
    publish(*people, "CR", "age-of-consent", content("no", "=cmd|' /C calc'!A0"))
    for name in ("datapackage.json", "assessments.csv", "assessments.json", "replies.csv"):
        (tmp_path / name).write_bytes(client.get(f"/data/{name}").data)
    descriptor = json.loads((tmp_path / "datapackage.json").read_text())
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert [r["path"] for r in descriptor["resources"]] == [
        "assessments.csv",
        "assessments.json",
        "replies.csv",
    ]
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = Package(str(tmp_path / "datapackage.json")).get_resource("assessments-csv").read_rows()
    kz = next(
        r for r in rows if r["country_iso2"] == "KZ" and r["indicator_slug"] == "age-of-consent"
    )
    assert kz["version"] == 1 and kz["analysis_source_year"] == 2024 and kz["status"] == "partial"


def test_subsets_by_country_and_indicator(client, people):
    publish(*people, "KZ", "age-of-consent", FULL)
    text = client.get("/data/assessments.csv?country=kz").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert {r["country_iso2"] for r in rows} == {"KZ"} and len(rows) == 9
    one = client.get("/data/assessments.csv?country=KZ&indicator=age-of-consent")
    assert (
        one.headers["Content-Disposition"] == 'inline; filename="assessments-kz-age-of-consent.csv"'
    )
    assert len(list(csv.DictReader(io.StringIO(one.get_data(as_text=True).lstrip("\ufeff"))))) == 1
    data = json.loads(client.get("/data/assessments.json?indicator=age-of-consent").data)
    assert [i["slug"] for i in data["indicators"]] == ["age-of-consent"]
    assert len(data["countries"]) == 249
    kz = json.loads(client.get("/data/assessments.json?country=kz").data)
    assert [c["iso2"] for c in kz["countries"]] == ["KZ"]
    assert client.get("/data/assessments.csv?country=zz").status_code == 404
    assert client.get("/data/assessments.json?indicator=nope").status_code == 404


def test_the_json_has_the_licence_and_profile_content(client, demo_data):
    data = json.loads(client.get("/data/assessments.json?country=kz").data)
    assert data["licence"]["path"] == "https://creativecommons.org/licenses/by/4.0/"
    kz = data["countries"][0]
    assert kz["members"] and kz["facts"] and kz["resources"] and "news" in kz
    assert all({"name", "description", "url"} <= set(m) for m in kz["members"])


def test_cors_and_licence_headers_on_the_api_and_data(client):
    for url in ("/api/v1/countries/kz", "/data/assessments.csv", "/data/datapackage.json"):
        response = client.get(url)
        assert response.headers["Access-Control-Allow-Origin"] == "*", url
        assert (
            response.headers["Link"]
            == '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
        )
    assert "Access-Control-Allow-Origin" not in client.get("/countries/kz").headers


def test_a_release_is_immutable_dated_and_checksummed(app, client, people):
    publish(*people, "KZ", "age-of-consent", FULL)
    with app.test_request_context(base_url="https://data.example.org"):
        releases.create("2026-12-01")
    html = client.get("/data/releases/2026-12-01/").get_data(as_text=True)
    for name in (
        "assessments.csv",
        "assessments.json",
        "replies.csv",
        "datapackage.json",
        "sha256sums.txt",
    ):
        assert f'href="/data/releases/2026-12-01/{name}"' in html
    assert "Cite this release" in html and "release 2026-12-01" in html
    sums = client.get("/data/releases/2026-12-01/sha256sums.txt").get_data(as_text=True)
    import hashlib

    csv_bytes = client.get("/data/releases/2026-12-01/assessments.csv").data
    assert f"{hashlib.sha256(csv_bytes).hexdigest()}  assessments.csv" in sums
    package = json.loads(client.get("/data/releases/2026-12-01/datapackage.json").data)
    assert package["version"] == "2026-12-01"
    assert package["resources"][0]["hash"] == "sha256:" + hashlib.sha256(csv_bytes).hexdigest()
    # later publications do not change it
    publish(*people, "KZ", "age-of-consent", content("no", "Changed later."))
    assert client.get("/data/releases/2026-12-01/assessments.csv").data == csv_bytes
    with pytest.raises(Conflict):
        releases.create("2026-12-01")
    with pytest.raises(ValidationError):
        releases.create("../etc")
    assert "/data/releases/2026-12-01/" in client.get("/data/").get_data(as_text=True)
    assert client.get("/data/releases/nope/").status_code == 404
    assert client.get("/data/releases/2026-12-01/other.txt").status_code == 404


def test_the_release_files_validate_with_frictionless(app, client, people, tmp_path):
    publish(*people, "KZ", "age-of-consent", FULL)
    with app.test_request_context():
        releases.create("r1")
    for name in ("datapackage.json", "assessments.csv", "assessments.json", "replies.csv"):
        (tmp_path / name).write_bytes(client.get(f"/data/releases/r1/{name}").data)
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_the_release_command(app, people):
    publish(*people, "KZ", "age-of-consent", FULL)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["release", "first", "--base-url", "https://x.example.org"])
    assert result.exit_code == 0, result.output
    assert "Release first of" in result.output
    again = runner.invoke(args=["release", "first", "--base-url", "https://x.example.org"])
    assert again.exit_code != 0 and "exists already" in again.output


def test_the_api_answers_as_of_a_day(client, people):
    from assess.extensions import db

    reviewer, supervisor = people
    first = publish(reviewer, supervisor, "KZ", "age-of-consent", content("no", "Old."))
    # pretend the first version was published ten days ago
    first.published_at = datetime.now(UTC) - timedelta(days=10)
    db.session.commit()
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("yes", "New."))
    five_days_ago = (datetime.now(UTC) - timedelta(days=5)).date().isoformat()
    then = client.get(f"/api/v1/countries/kz?as_of={five_days_ago}").get_json()
    row = next(a for a in then["assessments"] if a["indicator"] == "age-of-consent")
    assert (
        then["as_of"] == five_days_ago and row["status"] == "no" and row["version"]["number"] == 1
    )
    now = client.get("/api/v1/countries/kz").get_json()
    assert (
        next(a for a in now["assessments"] if a["indicator"] == "age-of-consent")["status"] == "yes"
    )
    long_ago = client.get(
        "/api/v1/countries/kz/assessments/age-of-consent?as_of=2000-01-01"
    ).get_json()
    assert long_ago["status"] == "not_assessed" and long_ago["version"] is None
    indicator = client.get(f"/api/v1/indicators/age-of-consent?as_of={five_days_ago}").get_json()
    assert next(c for c in indicator["countries"] if c["iso2"] == "KZ")["status"] == "no"
    bad = client.get("/api/v1/countries/kz?as_of=yesterday")
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.get_json()["message"]


def test_as_of_after_a_retraction_shows_nothing(client, people):
    reviewer, supervisor = people
    version = publish(reviewer, supervisor, "KZ", "age-of-consent", content("no"))
    assessments.retract(supervisor, version.id, "Wrong.")
    today = datetime.now(UTC).date().isoformat()
    data = client.get(f"/api/v1/countries/kz?as_of={today}").get_json()
    assert (
        next(a for a in data["assessments"] if a["indicator"] == "age-of-consent")["status"]
        == "not_assessed"
    )
