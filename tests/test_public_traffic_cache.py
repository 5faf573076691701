"""The stored public responses as real visitors meet them: many browser languages, compressed
bodies, and staff activity that changes nothing public."""

import gzip

import brotli
import pytest
from sqlalchemy import select

from assess.extensions import db
from assess.models import AuditEvent, Country, Fact
from assess.services import profile_content

from .conftest import AuthActions, Client
from .publishing import content, publish
from .test_public_caching import _statements

# Statement counts of stored pages: on PostgreSQL, with no other worker writing (tests/conftest.py).
pytestmark = pytest.mark.alone_on_server

# Real browsers' headers, all of which mean English on a site offering en, fr, es and ru.
ENGLISH_HEADERS = [
    "en-US,en;q=0.9",
    "en-GB,en;q=0.8",
    "en",
    "en-AU,en-GB;q=0.9,en;q=0.8",
    "de-DE,de;q=0.9,en;q=0.5",
    "zh-CN,zh;q=0.9,en;q=0.8",
    "ja-JP,ja;q=0.9",
    "",
]


@pytest.fixture
def people(make_user):
    return make_user("reviewer", ["KZ"], name="Rita"), make_user("supervisor", ["KZ"], name="Sam")


def test_every_header_that_means_english_shares_one_stored_page(client, people):
    publish(*people, "KZ", "age-of-consent", content("yes", "Shared finding."))
    first = client.get("/countries/kz", headers={"Accept-Language": ENGLISH_HEADERS[0]})
    for header in ENGLISH_HEADERS[1:]:
        answers: list = []
        sent = _statements(
            lambda h=header, a=answers: a.append(
                client.get("/countries/kz", headers={"Accept-Language": h})
            )
        )
        assert sent == [], header
        assert answers[0].data == first.data
    french = client.get("/countries/kz", headers={"Accept-Language": "fr-CA,fr;q=0.9"})
    assert '<html lang="fr"' in french.get_data(as_text=True)
    assert french.data != first.data
    client.set_cookie("lang", "ru")
    chosen = client.get("/countries/kz", headers={"Accept-Language": "en"})
    assert '<html lang="ru"' in chosen.get_data(as_text=True)


@pytest.mark.parametrize(
    ("accept", "coding"),
    [("gzip, deflate, br", "br"), ("gzip", "gzip"), ("br;q=0.5, gzip", "gzip"), ("identity", None)],
)
def test_text_responses_are_served_compressed_as_the_visitor_accepts(
    client, people, accept, coding
):
    publish(*people, "KZ", "age-of-consent", content("yes", "Compressed finding."))
    plain = client.get("/countries/kz")
    for _ in range(2):  # the render that stores it, then a stored answer
        answer = client.get("/countries/kz", headers={"Accept-Encoding": accept})
        assert answer.headers.get("Content-Encoding") == coding
        assert int(answer.headers["Content-Length"]) == len(answer.data)
        body = {"br": brotli.decompress, "gzip": gzip.decompress, None: bytes}[coding](answer.data)
        assert body == plain.data
        assert "Compressed finding." in body.decode()
        assert "Accept-Encoding" in answer.headers["Vary"]
        assert answer.headers["ETag"] == plain.headers["ETag"]


def test_an_error_page_is_not_stored_or_compressed(client):
    not_found = client.get("/countries/zz", headers={"Accept-Encoding": "br, gzip"})
    assert not_found.status_code == 404
    assert "Content-Encoding" not in not_found.headers


def test_a_staff_sign_in_does_not_change_what_the_public_is_served(app, client, people):
    publish(*people, "KZ", "age-of-consent", content("yes", "Unchanged by a sign-in."))
    first = client.get("/countries/kz")
    staff = Client(app, app.response_class, use_cookies=True)
    AuthActions(staff).login(people[0])
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "login"))
    answers = []
    sent = _statements(lambda: answers.append(client.get("/countries/kz")))
    assert answers[0].data == first.data
    assert answers[0].headers["ETag"] == first.headers["ETag"]
    # One validator query, no render (a render reads the country and its assessments).
    assert [s for s in sent if s != "BEGIN"] == [sent[-1]]


def test_an_edited_fact_is_public_at_once(app, client, make_user):
    """Editing keeps the number of facts and their ids: only the audited change says it moved."""
    reviewer = make_user("reviewer", ["KZ"], name="Rita")
    supervisor = make_user("supervisor", ["KZ"], name="Sam")
    kz = db.session.scalar(select(Country).where(Country.iso2 == "KZ"))
    added = profile_content.propose(
        reviewer, kz.id, "fact", "add", {"text": "Old fact."}, submit=True
    )
    profile_content.approve(supervisor, added.id)
    fact = db.session.scalar(select(Fact).where(Fact.text == "Old fact."))
    before = client.get("/countries/kz")
    assert "Old fact." in before.get_data(as_text=True)
    edit = profile_content.propose(
        reviewer, kz.id, "fact", "edit", {"text": "New fact."}, target_id=fact.id, submit=True
    )
    profile_content.approve(supervisor, edit.id)
    after = client.get("/countries/kz", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert "New fact." in after.get_data(as_text=True)
    assert "Old fact." not in after.get_data(as_text=True)


def test_after_a_commit_nothing_public_every_stored_page_costs_one_query_in_all(
    app, client, people
):
    publish(*people, "KZ", "age-of-consent", content("yes", "Still current."))
    urls = ["/countries/kz", "/countries/kz/age-of-consent", "/indicators/age-of-consent", "/"]
    first = {url: client.get(url).data for url in urls}
    staff = Client(app, app.response_class, use_cookies=True)
    AuthActions(staff).login(people[0])  # commits: the database's change token moves
    answers: list = []
    sent = _statements(lambda: answers.extend(client.get(url) for url in urls))
    assert [answer.data for answer in answers] == [first[url] for url in urls]
    revision_queries = [s for s in sent if s.startswith("SELECT (SELECT max(assessment")]
    assert len(revision_queries) == 1, sent
    assert [s for s in sent if s != "BEGIN"] == revision_queries
    # A public change is never hidden by it: the next publication shows at once.
    publish(*people, "KZ", "age-of-consent", content("no", "Changed."))
    assert "Changed." in client.get("/countries/kz").get_data(as_text=True)
