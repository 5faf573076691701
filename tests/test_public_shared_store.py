"""Public pages rendered by one worker are served by the others (issue 13: a cache that real
visitors hit). Two apps on one database stand for two gunicorn workers."""

import gzip

import pytest
import redis

from assess.extensions import db
from assess.public import shared

from .conftest import TEST_PASSWORD
from .publishing import content, publish
from .test_public_caching import _statements

# Statement counts of stored pages: on PostgreSQL, with no other worker writing (tests/conftest.py).
pytestmark = pytest.mark.alone_on_server

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def people(make_user):
    return make_user("reviewer", ["KZ"], name="Rita"), make_user("supervisor", ["KZ"], name="Sam")


@pytest.fixture
def workers(make_app, tmp_path):
    """Two workers sharing a directory, each with its own in-process store."""

    def make(**config):
        config = {
            "PUBLIC_STORE": "directory",
            "PUBLIC_STORE_DIR": str(tmp_path / "shared"),
        } | config
        return make_app(**config), make_app(**config)

    return make


def _get(app, path, **headers):
    with app.app_context():
        answers: list = []
        sent = _statements(lambda: answers.append(app.test_client().get(path, headers=headers)))
        return answers[0], [s for s in sent if not s.startswith(("BEGIN", "COMMIT", "ROLLBACK"))]


def test_a_page_one_worker_rendered_is_served_by_the_other_without_rendering(workers, people):
    publish(*people, "KZ", "age-of-consent", content("yes", "Shared between workers."))
    first, second = workers()
    rendered, rendering_sent = _get(first, "/countries/kz", **{"Accept-Language": "fr"})
    assert "Shared between workers." in rendered.get_data(as_text=True)
    served, sent = _get(second, "/countries/kz", **{"Accept-Language": "fr-CA,fr;q=0.9"})
    assert served.status_code == 200
    assert served.data == rendered.data
    assert served.headers["ETag"] == rendered.headers["ETag"]
    # The other worker asked only whether anything changed (the public revision), no render.
    assert len(sent) == 1 < len(rendering_sent)
    assert "audit_event" in sent[0]
    # And it keeps the page itself now: the next request asks nothing at all.
    again, sent_again = _get(second, "/countries/kz", **{"Accept-Language": "fr"})
    assert again.data == rendered.data and sent_again == []


def test_the_shared_page_is_sent_compressed_and_conditional_requests_get_304(workers, people):
    publish(*people, "KZ", "age-of-consent", content("yes", "Compressed for the other."))
    first, second = workers()
    rendered, _ = _get(first, "/countries/kz")
    zipped, _ = _get(second, "/countries/kz", **{"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == rendered.data
    assert "Accept-Encoding" in zipped.headers["Vary"]
    _, third = workers()
    not_modified, _ = _get(third, "/countries/kz", **{"If-None-Match": rendered.headers["ETag"]})
    assert not_modified.status_code == 304


def test_after_an_approval_no_worker_serves_the_page_as_it_was(app, workers, people):
    reviewer, supervisor = people
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("yes", "Before the change."))
    first, second = workers()
    before, _ = _get(first, "/countries/kz")
    assert "Before the change." in before.get_data(as_text=True)
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("no", "After the change."))
    after, _ = _get(second, "/countries/kz")
    page = after.get_data(as_text=True)
    assert "After the change." in page and "Before the change." not in page


def test_staff_activity_keeps_shared_pages_valid(app, workers, people, client):
    reviewer, supervisor = people
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("yes", "Still current."))
    first, second = workers()
    rendered, _ = _get(first, "/countries/kz")
    # A sign-in commits (last sign-in time, an audit row that is not public).
    from .conftest import AuthActions

    AuthActions(client).login(supervisor)
    served, sent = _get(second, "/countries/kz")
    assert served.data == rendered.data and len(sent) == 1


def test_a_signed_in_visitor_never_gets_a_shared_page(workers, people):
    reviewer, supervisor = people
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("yes", "Public copy."))
    first, second = workers()
    _get(first, "/countries/kz")
    with second.app_context():
        staff = second.test_client()
        staff.post_form("/auth/login", {"email": supervisor.email, "password": TEST_PASSWORD})
        page = staff.get("/countries/kz").get_data(as_text=True)
    assert "Public copy." in page
    assert "Sign out" in page or "sign out" in page.lower()


def test_a_torn_or_foreign_entry_is_a_miss_not_an_error(workers, people, tmp_path):
    publish(*people, "KZ", "age-of-consent", content("yes", "Rendered again."))
    first, second = workers()
    _get(first, "/countries/kz")
    files = [p for p in (tmp_path / "shared").rglob("*") if p.is_file()]
    assert files, "the rendering worker wrote its page to the shared directory"
    for number, path in enumerate(files):  # cut short in its headers, or in its body
        data = path.read_bytes()
        path.write_bytes(data[:40] if number % 2 else data[:-100])
    served, sent = _get(second, "/countries/kz")
    assert served.status_code == 200 and "Rendered again." in served.get_data(as_text=True)
    assert len(sent) > 1  # rendered, not served from the torn entry


def test_older_revisions_are_removed_from_the_directory(tmp_path, monkeypatch):
    monkeypatch.setattr(shared, "_PRUNE_AFTER_S", 0)
    store = shared.SharedResponses(shared.Directory(tmp_path), "build")
    entry = shared.Entry("e", None, [("Content-Type", "text/html")], b"x", True, "r1")
    store.put(("k",), entry)
    assert store.get(("k",), "r1") == entry
    store.put(("k",), shared.Entry("e", None, [], b"y", True, "r2"))
    assert store.get(("k",), "r1") is None
    assert [p.name for p in (tmp_path / "build").iterdir()] == [shared._name("r2")]


def test_the_store_stops_writing_past_its_capacity(tmp_path):
    store = shared.SharedResponses(shared.Directory(tmp_path), "build", capacity=1000)
    for number in range(10):
        body = f"page {number} ".encode() * 20
        store.put((number,), shared.Entry("e", None, [], body, True, "r1"))
    kept = [number for number in range(10) if store.get((number,), "r1") is not None]
    assert 0 < len(kept) < 10


def _redis_or_skip():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return client


def test_with_redis_the_workers_of_every_machine_share_pages(workers, people, monkeypatch):
    client = _redis_or_skip()
    prefix = "assess-test-shared:"
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    publish(*people, "KZ", "age-of-consent", content("yes", "Shared through Redis."))
    first, second = workers(PUBLIC_STORE="redis", REDIS_URL=REDIS_URL, REDIS_KEY_PREFIX=prefix)
    rendered, _ = _get(first, "/countries/kz")
    keys = list(client.scan_iter(f"{prefix}public:*"))
    assert keys and 0 < client.ttl(keys[0]) <= shared.REDIS_EXPIRY_S
    served, sent = _get(second, "/countries/kz")
    assert served.data == rendered.data and len(sent) == 1
    for key in keys:
        client.delete(key)


def test_redis_away_is_a_miss_not_an_error(workers, people):
    publish(*people, "KZ", "age-of-consent", content("yes", "Without Redis."))
    first, _ = workers(PUBLIC_STORE="redis", REDIS_URL="redis://127.0.0.1:9/0")
    page, _ = _get(first, "/countries/kz")
    assert page.status_code == 200 and "Without Redis." in page.get_data(as_text=True)
    with first.app_context():
        db.session.remove()
