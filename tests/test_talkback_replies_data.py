"""Approved replies in the open data and the feeds (issue 17): `replies.csv` with its schema in the
data package, the replies of each assessment in the JSON and the API, an Atom entry on approval
and one on withdrawal; nothing of a reply that is not approved, and nothing stale after a decision."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import feedparser
import jsonschema
import lxml.html
import pytest
from frictionless import Package, validate
from sqlalchemy import select

from assess import datapackage, feeds, releases
from assess.api import views as api_views
from assess.api.openapi import SCHEMAS
from assess.extensions import db
from assess.models import AuditEvent, Country
from assess.services import replies

from .publishing import FULL, content, ids, publish
from .queue_data import count_queries
from .test_talkback_replies import PAGE, TEXT, entered

API = "/api/v1/countries/kz/assessments/age-of-consent"
KZ_TITLE = "Reply from Ministry of Justice of Kazakhstan on Age of Consent — Kazakhstan"


@pytest.fixture
def team(make_user):
    """Staff of Kazakhstan and Costa Rica, each country's age of consent published."""
    reviewer = make_user("reviewer", ["KZ", "CR"], name="Rita")
    supervisor = make_user("supervisor", ["KZ", "CR"], name="Sam")
    publish(reviewer, supervisor, "KZ", "age-of-consent", FULL)
    publish(reviewer, supervisor, "CR", "age-of-consent", content("no"))
    return reviewer, supervisor


def approved(team, **fields):
    reviewer, supervisor = team
    return replies.approve(supervisor, entered(reviewer, **fields).id)


def costa_rica(team):
    """An approved reply in Costa Rica, from another organisation."""
    reviewer, supervisor = team
    data = replies.ReplyInput(
        organisation="PANI Costa Rica",
        role="government",
        text="Se está preparando una reforma.",
        language="es",
        received_on="2026-10-02",
    )
    reply = replies.propose(reviewer, *ids("CR", "age-of-consent"), data, submit=True)
    return replies.approve(supervisor, reply.id)


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def kz_assessment(document: dict, slug: str = "age-of-consent") -> dict:
    kz = next(c for c in document["countries"] if c["iso2"] == "KZ")
    return next(a for a in kz["assessments"] if a["indicator"] == slug)


def reply_titles(feed_bytes: bytes) -> list[str]:
    parsed = feedparser.parse(feed_bytes)
    assert not parsed.bozo, parsed.bozo_exception
    return [e.title for e in parsed.entries if e.title.startswith("Reply")]


def test_an_approved_reply_is_a_row_of_replies_csv_with_the_licence(client, team):
    reply = approved(team)
    response = client.get("/data/replies.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"] == 'inline; filename="replies.csv"'
    assert (
        response.headers["Link"] == '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
    )
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert rows(response) == [
        {
            "reply_id": str(reply.id),
            "country_iso2": "KZ",
            "country_name": "Kazakhstan",
            "indicator_slug": "age-of-consent",
            "indicator_title": "Age of Consent",
            "organisation": "Ministry of Justice of Kazakhstan",
            "role": "government",
            "received_on": "2026-11-20",
            "published_at": reply.decided_at.isoformat(),
            "language": "en",
            "text": TEXT,
            "source_url": "https://gov.kz/reply",
            "url": f"http://localhost{PAGE}#reply-{reply.id}",
        }
    ]
    # The permalink leads to the reply's own article on the assessment's page.
    assert f'<article class="reply" id="reply-{reply.id}">' in client.get(PAGE).get_data(
        as_text=True
    )


def test_the_json_holds_each_assessments_approved_replies(client, team):
    reply = approved(team, organisation="=HYPERLINK(1)", text="-1 is not a formula here.")
    document = json.loads(client.get("/data/assessments.json").data)
    assert kz_assessment(document)["replies"] == [
        {
            "id": reply.id,
            "organisation": "=HYPERLINK(1)",
            "role": "government",
            "received_on": "2026-11-20",
            "published_at": reply.decided_at.isoformat(),
            "language": "en",
            "text": "-1 is not a formula here.",
            "source_url": "https://gov.kz/reply",
            "url": f"http://localhost{PAGE}#reply-{reply.id}",
        }
    ]
    cr = next(c for c in document["countries"] if c["iso2"] == "CR")
    assert cr["assessments"][0]["replies"] == []
    assert document["licence"]["path"] == "https://creativecommons.org/licenses/by/4.0/"
    # In the CSV a cell that a spreadsheet would run starts with an apostrophe, as elsewhere.
    (row,) = rows(client.get("/data/replies.csv"))
    assert row["organisation"] == "'=HYPERLINK(1)" and row["text"] == "'-1 is not a formula here."


def test_a_reply_to_an_assessment_not_yet_published_is_in_the_json_too(client, team):
    reviewer, supervisor = team
    data = replies.ReplyInput(
        organisation="ECPAT Kazakhstan", role="member", text="Please assess this.",
        language="en", received_on="2026-09-01",
    )  # fmt: skip
    reply = replies.propose(reviewer, *ids("KZ", "csam-definition"), data, submit=True)
    replies.approve(supervisor, reply.id)
    document = json.loads(client.get("/data/assessments.json?country=kz").data)
    record = kz_assessment(document, "csam-definition")
    assert (record["status"], record["versions"]) == ("not_assessed", [])
    assert [r["organisation"] for r in record["replies"]] == ["ECPAT Kazakhstan"]
    slugs = [a["indicator"] for a in document["countries"][0]["assessments"]]
    assert slugs == ["age-of-consent", "csam-definition"]  # in the framework's order


def test_the_data_package_describes_replies_csv_and_validates(client, team, tmp_path):
    approved(team)
    costa_rica(team)
    for name in ("datapackage.json", "assessments.csv", "assessments.json", "replies.csv"):
        (tmp_path / name).write_bytes(client.get(f"/data/{name}").data)
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = Package(str(tmp_path / "datapackage.json"))
    resource = package.get_resource("replies-csv")
    assert resource.schema.primary_key == ["reply_id"]
    assert resource.schema.get_field("role").constraints["enum"] == [
        "government",
        "member",
        "other",
    ]
    read = resource.read_rows()
    assert [(r["country_iso2"], r["organisation"]) for r in read] == [
        ("CR", "PANI Costa Rica"),
        ("KZ", "Ministry of Justice of Kazakhstan"),
    ]
    assert str(read[1]["received_on"]) == "2026-11-20"


def test_the_data_page_lists_replies_csv_and_its_columns(client):
    html = client.get("/data/").get_data(as_text=True)
    assert '<a href="/data/replies.csv">Replies as CSV</a>' in html
    assert (
        "<code>organisation</code></th><td>string</td><td>The organisation that replied</td>"
        in html
    )
    assert "<code>received_on</code></th><td>date</td>" in html


def test_the_country_subset_leaves_other_countries_replies_out(client, team):
    approved(team)
    costa_rica(team)
    assert {r["country_iso2"] for r in rows(client.get("/data/replies.csv"))} == {"KZ", "CR"}
    kz = client.get("/data/replies.csv?country=kz")
    assert kz.headers["Content-Disposition"] == 'inline; filename="replies-kz.csv"'
    assert [r["organisation"] for r in rows(kz)] == ["Ministry of Justice of Kazakhstan"]
    cr = rows(client.get("/data/replies.csv?country=CR&indicator=age-of-consent"))
    assert [r["organisation"] for r in cr] == ["PANI Costa Rica"]
    assert rows(client.get("/data/replies.csv?indicator=csam-definition")) == []
    assert client.get("/data/replies.csv?country=zz").status_code == 404
    document = json.loads(client.get("/data/assessments.json?country=kz").data)
    organisations = [
        r["organisation"] for a in document["countries"][0]["assessments"] for r in a["replies"]
    ]
    assert organisations == ["Ministry of Justice of Kazakhstan"]


def test_the_data_pages_subset_form_downloads_a_countrys_replies_too(client, team):
    """The form's three buttons each send the chosen country to their file."""
    approved(team)
    costa_rica(team)
    page = lxml.html.fromstring(client.get("/data/").get_data(as_text=True))
    (form,) = page.xpath("//form[contains(@class, 'subset-form')]")
    buttons = {
        b.text_content().strip(): b.get("formaction") or form.get("action")
        for b in form.xpath(".//button")
    }
    assert set(buttons) == {"Download CSV", "Download JSON", "Download the replies (CSV)"}
    assert buttons["Download the replies (CSV)"] == "/data/replies.csv"
    assert "cr" in form.get_element_by_id("subset-country").value_options
    chosen = client.get(
        buttons["Download the replies (CSV)"], query_string={"country": "cr", "indicator": ""}
    )
    assert [r["organisation"] for r in rows(chosen)] == ["PANI Costa Rica"]


def test_the_api_gives_an_assessments_replies_as_its_document_says(client, team):
    reply = approved(team)
    answer = client.get(API).get_json()
    assert [(r["id"], r["organisation"], r["text"]) for r in answer["replies"]] == [
        (reply.id, "Ministry of Justice of Kazakhstan", TEXT)
    ]
    assert answer["replies"][0]["url"] == f"http://localhost{PAGE}#reply-{reply.id}"
    schema = {"$ref": "#/components/schemas/Assessment", "components": {"schemas": SCHEMAS}}
    jsonschema.validate(answer, schema)
    assert "replies" in SCHEMAS["Assessment"]["required"]
    other = client.get("/api/v1/countries/cr/assessments/age-of-consent").get_json()
    assert other["replies"] == []


def test_the_api_as_of_a_day_gives_the_replies_public_on_that_day(client, team):
    """Approved ten days ago, retracted today: public on the days between only."""
    _reviewer, supervisor = team
    reply = approved(team)
    kept = approved(team, organisation="ECPAT Kazakhstan", received_on="2026-11-25")
    other = costa_rica(team)  # another country's: never in Kazakhstan's answer
    replies.retract(supervisor, other.id, "Sent by mistake.")
    reply.decided_at = kept.decided_at = datetime.now(UTC) - timedelta(days=10)
    db.session.commit()
    replies.retract(supervisor, reply.id, "Withdrawn by its author.")
    retracted_at = db.session.scalars(
        select(AuditEvent.at).where(
            AuditEvent.object_type == "reply",
            AuditEvent.object_id == reply.id,
            AuditEvent.to_state == "retracted",
        )
    ).one()

    def organisations(day) -> list[str]:
        answer = client.get(f"{API}?as_of={day.isoformat()}").get_json()
        assert answer["as_of"] == day.isoformat()
        return [r["organisation"] for r in answer["replies"]]

    assert organisations((retracted_at - timedelta(days=11)).date()) == []
    assert organisations((retracted_at - timedelta(days=1)).date()) == [
        "Ministry of Justice of Kazakhstan",
        "ECPAT Kazakhstan",
    ]
    assert organisations(retracted_at.date()) == ["ECPAT Kazakhstan"]
    assert [r["organisation"] for r in client.get(API).get_json()["replies"]] == [
        "ECPAT Kazakhstan"
    ]
    costa = client.get("/api/v1/countries/cr/assessments/age-of-consent?as_of=2999-01-01")
    assert costa.get_json()["replies"] == []  # retracted before that day


def test_the_feeds_announce_an_approved_reply_and_its_withdrawal(client, team):
    reply = approved(team)
    costa_rica(team)
    site = feedparser.parse(client.get("/feed.atom").data)
    assert not site.bozo, site.bozo_exception
    entry = next(e for e in site.entries if e.title == KZ_TITLE)
    assert entry.link == f"http://localhost{PAGE}#reply-{reply.id}"
    assert entry.id == entry.link
    assert "a bill raising the age to <strong>18</strong>" in entry.content[0].value
    assert entry.published.startswith(reply.decided_at.date().isoformat())
    assert "Reply from PANI Costa Rica on Age of Consent — Costa Rica" in reply_titles(
        client.get("/feed.atom").data
    )
    assert reply_titles(client.get("/countries/kz/feed.atom").data) == [KZ_TITLE]
    assert reply_titles(client.get("/countries/cr/feed.atom").data) == [
        "Reply from PANI Costa Rica on Age of Consent — Costa Rica"
    ]
    # Taken off the public pages: as a withdrawn version, the feed says so; the text is gone.
    replies.retract(team[1], reply.id, "Sent by mistake.")
    after = client.get("/countries/kz/feed.atom").data
    assert reply_titles(after) == [
        "Reply withdrawn: Ministry of Justice of Kazakhstan on Age of Consent — Kazakhstan"
    ]
    withdrawn = feedparser.parse(after).entries[0]
    assert withdrawn.link == f"http://localhost{PAGE}"
    assert b"raising the age" not in after


@pytest.mark.parametrize("fate", ["draft", "submitted", "rejected", "retracted"])
def test_a_reply_not_approved_or_taken_off_is_in_no_file(client, team, fate):
    reviewer, supervisor = team
    reply = entered(reviewer, submit=fate != "draft")
    if fate == "rejected":
        replies.reject(supervisor, reply.id, "Not from the ministry.")
    if fate == "retracted":
        replies.approve(supervisor, reply.id)
        replies.retract(supervisor, reply.id, "Sent by mistake.")
    assert rows(client.get("/data/replies.csv")) == []
    assert kz_assessment(json.loads(client.get("/data/assessments.json").data))["replies"] == []
    assert client.get(API).get_json()["replies"] == []
    for feed in ("/feed.atom", "/countries/kz/feed.atom"):
        found = client.get(feed).data
        assert b"raising the age" not in found
        withdrawn = [
            "Reply withdrawn: Ministry of Justice of Kazakhstan on Age of Consent — Kazakhstan"
        ]
        assert reply_titles(found) == (withdrawn if fate == "retracted" else [])
    assert "Ministry of Justice" not in client.get(PAGE).get_data(as_text=True)


def test_approving_or_retracting_a_reply_changes_the_files_at_once(client, team):
    reviewer, supervisor = team
    reply = entered(reviewer)
    urls = [
        "/data/replies.csv",
        "/data/assessments.json",
        "/feed.atom",
        "/countries/kz/feed.atom",
        API,
    ]
    # Asked twice: the second answer comes from the responses kept for anonymous visitors.
    before = {url: client.get(url) for url in urls}
    assert all(client.get(url).data == before[url].data for url in urls)
    replies.approve(supervisor, reply.id)
    for url in urls:
        etag = before[url].headers["ETag"]
        answer = client.get(url, headers={"If-None-Match": etag})
        assert answer.status_code == 200, url
        assert b"Ministry of Justice of Kazakhstan" in answer.data, url
    kept = {url: client.get(url) for url in urls}
    replies.retract(supervisor, reply.id, "Sent by mistake.")
    for url in urls:
        answer = client.get(url, headers={"If-None-Match": kept[url].headers["ETag"]})
        assert answer.status_code == 200, url
        assert TEXT.encode() not in answer.data, url


def test_a_release_keeps_the_replies_of_its_day(app, client, team):
    approved(team)
    with app.test_request_context():
        releases.create("r1")
    kept = rows(client.get("/data/releases/r1/replies.csv"))
    assert [r["organisation"] for r in kept] == ["Ministry of Justice of Kazakhstan"]
    package = json.loads(client.get("/data/releases/r1/datapackage.json").data)
    assert [r["path"] for r in package["resources"]][-1] == "replies.csv"
    costa_rica(team)
    assert len(rows(client.get("/data/releases/r1/replies.csv"))) == 1


def test_the_files_and_feeds_cost_the_same_statements_for_one_reply_or_many(app, team):
    reviewer, supervisor = team

    def cost() -> int:
        db.session.expunge_all()  # nothing already loaded: every record from its statements
        kazakhstan = db.session.get(Country, ids("KZ", "age-of-consent")[0])
        with app.test_request_context(), count_queries() as log:
            assert "Ministry of Justice" in datapackage.document_json()
            assert "Ministry of Justice" in datapackage.replies_csv()
            assert "Ministry of Justice" in datapackage.replies_csv(country="kz")
            assert b"Ministry of Justice" in feeds.atom()
            assert b"Ministry of Justice" in feeds.atom(kazakhstan)
            assert "Ministry of Justice" in api_views.assessment("kz", "age-of-consent").get_data(
                as_text=True
            )
        return log.count

    approved(team)
    one = cost()
    team = reviewer, supervisor = tuple(db.session.merge(user) for user in team)
    costa_rica(team)
    for slug in ("age-of-consent", "csam-definition", "national-commitments"):
        data = replies.ReplyInput(
            organisation=f"NGO on {slug}", role="other", text="More.", language="fr",
            received_on="2026-08-01",
        )  # fmt: skip
        replies.approve(
            supervisor, replies.propose(reviewer, *ids("KZ", slug), data, submit=True).id
        )
    many = cost()
    assert many == one
