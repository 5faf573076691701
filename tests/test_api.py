"""The read-only JSON API: what it answers, and that only published versions reach it."""

import pytest

from assess.services import assessments

from .publishing import FULL, content, draft, publish


@pytest.fixture
def people(make_user):
    return make_user("reviewer", ["KZ"]), make_user("supervisor", ["KZ"], name="Sam")


def test_country_profile_lists_each_indicator_with_its_current_finding(client, demo_data):
    data = client.get("/api/v1/countries/kz").get_json()
    assert data["name"] == "Kazakhstan"
    assert data["iso2"] == "KZ"
    statuses = {a["indicator"]: a["status"] for a in data["assessments"]}
    assert statuses["age-of-consent"] == "partial"
    assert statuses["csam-definition"] == "not_assessed"
    assert len(statuses) == 9
    assert [m["name"] for m in data["members"]] == ["The Crisis Center «Zabota»", "Sana Sezim"]
    assert len(data["facts"]) == 3
    assert data["resources"][0]["year"] == 2013


def test_countries_filter_by_region_with_summaries(client, demo_data):
    countries = client.get("/api/v1/countries?region=Asia").get_json()["countries"]
    kz = next(c for c in countries if c["iso2"] == "KZ")
    assert kz["summary"] == {"not_assessed": 7, "partial": 2}
    assert {c["region"] for c in countries} == {"Asia"}


def test_assessment_has_history_citations_and_sources(client, people):
    publish(*people, "KZ", "age-of-consent", content("no", "Before."))
    publish(*people, "KZ", "age-of-consent", FULL)
    data = client.get("/api/v1/countries/kz/assessments/age-of-consent").get_json()
    assert data["status"] == "partial"
    assert data["current_version"] == 2
    assert [v["number"] for v in data["versions"]] == [2, 1]
    assert [v["state"] for v in data["versions"]] == ["published", "superseded"]
    assert data["versions"][0]["citations"][0]["provision"] == "Article 122"
    assert data["versions"][0]["sources"][0]["title"] == "Country report"
    one = client.get("/api/v1/countries/KZ/assessments/age-of-consent/versions/1").get_json()
    assert one["analysis"] == "Before."
    assert one["approved_by"] == "Sam"


def test_indicator_across_countries(client, demo_data):
    data = client.get("/api/v1/indicators/age-of-consent").get_json()
    assert data["title"] == "Age of Consent"
    kz = next(c for c in data["countries"] if c["iso2"] == "KZ")
    assert kz["status"] == "partial"
    assert kz["current_version"] == 1
    assert len(client.get("/api/v1/indicators").get_json()["indicators"]) == 9


@pytest.mark.parametrize(
    "url",
    ["/api/v1/countries/xx", "/api/v1/indicators/nope", "/api/v1/countries/kz/assessments/nope",
     "/api/v1/countries/kz/assessments/age-of-consent/versions/1",
     "/api/v1/countries/kz/assessments/age-of-consent/versions/99999999999999999999",
     "/api/v1/nothing/here", "/api/v1/countries/kz/assessments/x/versions/-1"],
)  # fmt: skip
def test_missing_things_are_json_404s(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.get_json()["error"] == "Not Found"


def test_drafts_submissions_and_internal_fields_never_reach_the_api(client, people):
    reviewer, supervisor = people
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("no", "Public."))
    draft(reviewer, "KZ", "age-of-consent", content("yes", "Draftword."))
    pending = draft(reviewer, "KZ", "csam-definition", content("yes", "Submitword."))
    assessments.submit(reviewer, pending.id)
    urls = [
        "/api/v1/countries", "/api/v1/countries/kz", "/api/v1/indicators/age-of-consent",
        "/api/v1/indicators/csam-definition", "/api/v1/countries/kz/assessments/age-of-consent",
        "/api/v1/countries/kz/assessments/csam-definition",
    ]  # fmt: skip
    for url in urls:
        body = client.get(url).get_data(as_text=True)
        assert "Draftword" not in body, url
        assert "Submitword" not in body, url
        assert "@example.org" not in body, url
    data = client.get("/api/v1/countries/kz/assessments/csam-definition").get_json()
    assert data["versions"] == []
    assert data["status"] == "not_assessed"


def test_openapi_document_describes_every_route(client, app):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    routes = {
        rule.rule.replace("<", "{").replace(">", "}").replace("int:", "")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        and rule.endpoint not in ("api.root", "api.openapi", "api.not_found")
    }
    assert routes == set(document["paths"])
