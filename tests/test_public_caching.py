"""HTTP caching: validators from the database, 304s that cost almost nothing, nothing stale."""

import pytest
from sqlalchemy import create_engine, event, text

from assess import create_app
from assess.extensions import db
from assess.services import accounts, assessments

from .conftest import Client, base_config
from .publishing import content, publish

# Statement counts of stored pages: on PostgreSQL, with no other worker writing (tests/conftest.py).
pytestmark = pytest.mark.alone_on_server

URLS = [
    "/",
    "/countries/kz",
    "/indicators/age-of-consent",
    "/data/assessments.csv",
    "/api/v1/countries/kz",
]


@pytest.fixture
def people(make_user):
    return (
        make_user("reviewer", ["KZ"], name="Rita"),
        make_user("supervisor", ["KZ"], name="Sam"),
    )


@pytest.mark.parametrize("url", URLS)
def test_public_responses_carry_validators_and_answer_conditional_requests(client, people, url):
    publish(*people, "KZ", "age-of-consent", content())
    first = client.get(url)
    assert first.status_code == 200
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.cache_control.no_cache
    assert first.cache_control.public
    assert "Accept-Language" in first.headers["Vary"]
    assert "Cookie" in first.headers["Vary"]
    by_etag = client.get(url, headers={"If-None-Match": etag})
    assert by_etag.status_code == 304
    assert by_etag.data == b""
    assert by_etag.headers["ETag"] == etag
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_an_approval_changes_the_validator_and_the_page(client, people):
    reviewer, supervisor = people
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("yes", "Old finding."))
    before = client.get("/countries/kz")
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("no", "New finding."))
    after = client.get("/countries/kz", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert "New finding." in after.get_data(as_text=True)
    assert after.headers["ETag"] != before.headers["ETag"]


def test_a_retraction_changes_the_validator(client, people):
    version = publish(*people, "KZ", "age-of-consent", content())
    before = client.get("/countries/kz").headers["ETag"]
    other = accounts.create_user(
        None, "other@example.org", "a long passphrase 12", "supervisor", []
    )
    assessments.retract(other, version.id, "Wrong code cited.")
    response = client.get("/countries/kz", headers={"If-None-Match": before})
    assert response.status_code == 200
    assert "Wrong code cited." in response.get_data(as_text=True)


def test_every_worker_computes_the_same_validator(app, client, people, database_url, tmp_path):
    publish(*people, "KZ", "age-of-consent", content())
    etag = client.get("/countries/kz").headers["ETag"]
    other_worker = create_app(base_config(database_url, str(tmp_path)))
    other_worker.test_client_class = Client
    with other_worker.app_context():
        response = other_worker.test_client().get("/countries/kz", headers={"If-None-Match": etag})
        assert response.status_code == 304
        db.session.remove()
    publish(*people, "KZ", "age-of-consent", content("no"))
    with other_worker.app_context():
        response = other_worker.test_client().get("/countries/kz", headers={"If-None-Match": etag})
        assert response.status_code == 200
        db.session.remove()
        db.engine.dispose()
    other_worker.extensions["assess_public_responses"].watcher.close()


def _statements(run) -> list[str]:
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return statements


def test_a_repeated_304_costs_no_query_until_something_is_committed(app, client, people):
    reviewer, supervisor = people
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("yes", "First finding."))
    etag = client.get("/countries/kz").headers["ETag"]
    answers = []
    sent = _statements(
        lambda: answers.append(client.get("/countries/kz", headers={"If-None-Match": etag}))
    )
    assert answers[0].status_code == 304
    assert answers[0].headers["ETag"] == etag
    assert sent == []
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("no", "Second finding."))
    after = client.get("/countries/kz", headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert "Second finding." in after.get_data(as_text=True)


def test_a_visitor_with_a_session_cookie_gets_a_304_for_one_small_query(app, client, people):
    publish(*people, "KZ", "age-of-consent", content())
    client.get("/auth/login")  # the sign-in form puts a CSRF token in the session
    assert client.get_cookie(app.config["SESSION_COOKIE_NAME"]) is not None
    etag = client.get("/countries/kz").headers["ETag"]
    answers = []
    sent = _statements(
        lambda: answers.append(client.get("/countries/kz", headers={"If-None-Match": etag}))
    )
    assert answers[0].status_code == 304
    queries = [s for s in sent if s != "BEGIN"]
    assert len(queries) == 1
    assert queries[0].startswith("SELECT (SELECT max(assessment.public_updated_at)")


def test_a_page_asked_again_is_served_from_memory_without_a_query(app, client, people):
    publish(*people, "KZ", "age-of-consent", content("yes", "Remembered."))
    first = client.get("/countries/kz?x=1")
    answers = []
    sent = _statements(lambda: answers.append(client.get("/countries/kz?x=1")))
    assert sent == []
    assert answers[0].data == first.data
    assert answers[0].headers["ETag"] == first.headers["ETag"]
    assert answers[0].headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    head = client.head("/countries/kz?x=1")
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["ETag"] == first.headers["ETag"]
    other_host = client.get("/countries/kz/age-of-consent/v/1", base_url="http://example.org")
    assert "http://example.org/countries/kz/age-of-consent/v/1" in other_host.get_data(as_text=True)
    here = client.get("/countries/kz/age-of-consent/v/1").get_data(as_text=True)
    assert "http://localhost/countries/kz/age-of-consent/v/1" in here


def test_an_approval_by_another_worker_is_never_served_stale(app, people, make_app):
    """A worker's stored page is checked against the database, not against its own writes."""
    reviewer, supervisor = people
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("yes", "Before."))
    reader = make_app()  # another worker: its own connections and stored responses

    def read() -> str:
        with reader.app_context():
            page = reader.test_client().get("/countries/kz").get_data(as_text=True)
            db.session.remove()
        return page

    assert "Before." in read()
    assert "Before." in read()  # now from its store
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("no", "Approved elsewhere."))
    page = read()
    assert "Approved elsewhere." in page
    assert "Before." not in page


def test_a_worker_asked_only_conditional_requests_keeps_the_page_after_the_first(
    client, people, make_app
):
    publish(*people, "KZ", "age-of-consent", content())
    etag = client.get("/countries/kz").headers["ETag"]
    reader = make_app()  # another worker, which has never served the page
    with reader.app_context():
        browser = reader.test_client()
        answers = []
        first = _statements(
            lambda: answers.append(browser.get("/countries/kz", headers={"If-None-Match": etag}))
        )
        again = _statements(
            lambda: answers.append(browser.get("/countries/kz", headers={"If-None-Match": etag}))
        )
        db.session.remove()
    assert [a.status_code for a in answers] == [304, 304]
    assert [a.data for a in answers] == [b"", b""]
    assert answers[0].headers["ETag"] == answers[1].headers["ETag"] == etag
    assert len(first) > 2  # rendered once, to be kept
    assert again == []


def test_only_public_pages_ask_the_database_for_its_change_token(app, client, monkeypatch):
    watcher = app.extensions["assess_public_responses"].watcher
    asked = []
    real = watcher.token
    monkeypatch.setattr(watcher, "token", lambda: asked.append(1) or real())
    static = client.get("/static/css/site.css")
    static.close()
    assert static.status_code == 200
    assert b"<form" in client.get("/auth/login").data  # (now with a session cookie)
    assert asked == []
    visitor = app.test_client()
    assert b"Kazakhstan" in visitor.get("/countries/kz").data
    assert len(asked) == 1


def test_a_commit_that_changes_nothing_public_costs_one_query_not_a_render(app, client, people):
    publish(*people, "KZ", "age-of-consent", content("yes", "Kept."))
    first = client.get("/countries/kz")
    etag = first.headers["ETag"]
    elsewhere = create_engine(db.engine.url)
    with elsewhere.begin() as other:  # a sign-in, say: no public page shows it
        other.execute(text('UPDATE "user" SET last_login_at = CURRENT_TIMESTAMP'))
    elsewhere.dispose()
    answers = []
    sent = _statements(lambda: answers.append(client.get("/countries/kz")))
    assert [s for s in sent if s != "BEGIN"] == [sent[-1]]
    assert sent[-1].startswith("SELECT (SELECT max(assessment.public_updated_at)")
    assert answers[0].data == first.data
    assert answers[0].headers["ETag"] == etag
    # Kept under the new token: the next ones cost nothing again, 304s included.
    sent = _statements(lambda: answers.append(client.get("/countries/kz")))
    sent += _statements(
        lambda: answers.append(client.get("/countries/kz", headers={"If-None-Match": etag}))
    )
    assert sent == []
    assert answers[1].data == first.data
    assert answers[2].status_code == 304


def test_the_validator_depends_on_the_language(client, people):
    english = client.get("/countries/kz", headers={"Accept-Language": "en"}).headers["ETag"]
    french = client.get("/countries/kz", headers={"Accept-Language": "fr"}).headers["ETag"]
    assert english != french


def test_signed_in_staff_get_no_validators_and_no_store(client, auth, people):
    auth.login(people[0])
    response = client.get("/countries/kz")
    assert "ETag" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/countries/kz", headers={"If-None-Match": "*"}).status_code == 200


def test_errors_carry_no_validators(client):
    response = client.get("/countries/xx")
    assert response.status_code == 404
    assert "ETag" not in response.headers


def test_the_stored_responses_are_bounded_in_bytes():
    from assess.public.fastpath import Responses, Stored

    def stored(body: bytes) -> Stored:
        return Stored(1, "etag", None, [], body)

    memo = Responses(capacity=10)
    memo.put(("a",), stored(b"12345"))
    memo.put(("b",), stored(b"12345"))
    assert memo.get(("a",)) is not None  # now the most recently used
    memo.put(("c",), stored(b"123"))
    assert memo.get(("b",)) is None
    assert memo.get(("a",)) is not None
    assert memo.get(("c",)) is not None
    assert memo.used == 8
    memo.put(("c",), stored(b"1"))
    assert memo.used == 6
