"""When the database is away (issue 13, point 5): a public page the worker holds is still served,
marked as possibly out of date; everything else is a translated 503 page with Retry-After, for
visitors and signed-in staff alike, never a bare 500; and the app recovers by itself when the
database is back. PostgreSQL is cut with a TCP proxy of the test's own; SQLite by taking the
database file away."""

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from assess.extensions import db
from assess.public import freshness
from assess.public.fastpath import STALE_HEADERS

from .conftest import PG_SERVER
from .review_support import DEMO_PASSWORDS
from .tcp_proxy import TcpProxy

STALE = dict(STALE_HEADERS)["X-Assess-Stale"]


def sign_in(client, email: str) -> None:
    response = client.post_form("/auth/login", {"email": email, "password": DEMO_PASSWORDS[email]})
    assert response.status_code == 302, response.get_data(as_text=True)


def assert_unavailable(response, title: str = "Temporarily unavailable") -> str:
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page[:500]
    assert response.headers["Retry-After"] == "30"
    assert response.headers["Cache-Control"] == "no-store"
    assert f"<h1>{title}</h1>" in page
    assert 'href="/static/css/site.css' in page  # the site's own page, styled like the others
    for leak in ("Traceback", "OperationalError", "psycopg", "sqlite3", ".py"):
        assert leak not in page
    return page


def check_away_and_back(app, take_away: Callable[[], None], bring_back: Callable[[], None]):
    visitor, staff, poster = app.test_client(), app.test_client(), app.test_client()
    for _ in range(2):  # rendered, then held by this worker
        held = visitor.get("/countries/kz")
        assert held.status_code == 200 and "X-Assess-Stale" not in held.headers
    sign_in(staff, "reviewer@example.org")
    assert staff.get("/staff/").status_code == 200
    token = poster.csrf_token()

    take_away()

    stale = visitor.get("/countries/kz")
    assert stale.status_code == 200
    assert stale.headers["X-Assess-Stale"] == STALE
    assert stale.headers["Warning"] == '110 - "Response is Stale"'
    assert stale.get_data() == held.get_data()  # the very page it held
    # A conditional request for it is still answered, and still marked.
    revalidated = visitor.get("/countries/kz", headers={"If-None-Match": held.headers["ETag"]})
    assert revalidated.status_code == 304
    assert revalidated.headers["X-Assess-Stale"] == STALE

    assert_unavailable(visitor.get("/countries/fr"))  # not held: nothing to serve
    french = visitor.get("/countries/fr", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    page = assert_unavailable(french, "Temporairement indisponible")
    assert '<html lang="fr"' in page and "base de données" in page
    assert_unavailable(
        visitor.get("/indicators/", headers={"Accept-Language": "ru"}), "Временно недоступно"
    )
    api = visitor.get("/api/v1/countries/fr")
    assert api.status_code == 503 and api.headers["Retry-After"] == "30"
    assert api.get_json()["error"] == "Temporarily unavailable"
    assert_unavailable(staff.get("/staff/"))  # signed in: a 503 too, not a 500
    assert_unavailable(staff.get("/countries/kz"))  # staff never get the visitors' copy
    signing_in = {"email": "supervisor@example.org", "password": "supervisor-demo-pass"}
    assert_unavailable(poster.post("/auth/login", data={**signing_in, "csrf_token": token}))

    bring_back()
    time.sleep(freshness.RETRY_AFTER_FAILURE_S)  # the worker asks again after this long

    back = visitor.get("/countries/fr")
    assert back.status_code == 200 and "France" in back.get_data(as_text=True)
    fresh = visitor.get("/countries/kz")
    assert fresh.status_code == 200 and "X-Assess-Stale" not in fresh.headers
    assert "Kazakhstan" in fresh.get_data(as_text=True)
    home = staff.get("/staff/")
    assert home.status_code == 200  # still signed in: the session outlived the outage
    assert "My work" in home.get_data(as_text=True)
    signed = poster.post("/auth/login", data={**signing_in, "csrf_token": token})
    assert signed.status_code == 302


@pytest.mark.skipif(PG_SERVER is None, reason="needs ASSESS_TEST_DATABASE_URL (PostgreSQL)")
def test_postgresql_cut_off_and_back(demo_data, make_app, database_url):
    url = make_url(database_url)
    with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(False)
        other = make_app(SQLALCHEMY_DATABASE_URI=proxied)
        check_away_and_back(other, proxy.cut, proxy.restore)
        assert proxy.connections > 0  # the app really went through the proxy


@pytest.mark.skipif(PG_SERVER is not None, reason="the SQLite variant")
def test_sqlite_file_taken_away_and_back(app, demo_data, database_url):
    path = Path(make_url(database_url).database)
    moved = []

    def take_away():
        # As when the volume is lost: open connections go (a new worker, a restart) and the file
        # cannot be opened; a directory in its place makes SQLite fail to open it.
        db.session.remove()
        db.engine.dispose()
        app.extensions["assess_public_responses"].watcher.close()
        for suffix in ("", "-wal", "-shm"):
            part = Path(f"{path}{suffix}")
            if part.exists():
                part.rename(f"{part}.away")
                moved.append(part)
        path.mkdir()

    def bring_back():
        path.rmdir()
        for part in moved:
            os.rename(f"{part}.away", part)

    check_away_and_back(app, take_away, bring_back)


def test_a_bug_in_sql_is_still_a_500_not_a_503(app, client):
    """Only unavailability is a 503: a wrong query stays an error to fix."""
    from sqlalchemy import text

    app.add_url_rule("/test/bad-sql", view_func=lambda: db.session.execute(text("SELECT nope")))
    assert client.get("/test/bad-sql").status_code == 500


def test_a_worker_does_not_ask_a_database_that_just_failed_on_every_request(app, monkeypatch):
    """A server that does not answer (a connect timeout) must not cost every public request that
    timeout: after a failure the watcher waits a moment before asking again."""
    watcher = freshness.Watcher(db.engine)
    tries = []

    def refuse():
        tries.append(1)
        raise OSError("connection refused")

    monkeypatch.setattr(watcher, "_connect", refuse)
    assert watcher.token() is None and watcher.unavailable
    assert watcher.token() is None and watcher.token() is None
    assert len(tries) == 1
    monkeypatch.undo()  # the real connection again, and no waiting:
    monkeypatch.setattr(freshness, "RETRY_AFTER_FAILURE_S", 0)
    assert watcher.token() is not None and not watcher.unavailable
    watcher.close()


def test_postgresql_connections_are_checked_before_use_and_bounded_in_time(tmp_path):
    from assess import create_app

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True},
        }
    )
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["pool_pre_ping"] is True
    assert options["connect_args"]["connect_timeout"] == 10
    assert options["hide_parameters"] is True
    with app.app_context():
        db.engine.dispose()


def test_which_database_errors_mean_unavailable():
    import sqlite3

    from sqlalchemy import exc

    from assess.database import is_unavailable

    def sqlite_error(message: str, code: int) -> exc.OperationalError:
        orig = sqlite3.OperationalError(message)
        orig.sqlite_errorcode = code
        return exc.OperationalError("SELECT 1", {}, orig)

    assert is_unavailable(sqlite_error("unable to open database file", 14))
    assert is_unavailable(sqlite_error("database is locked", 5))
    assert is_unavailable(sqlite_error("disk I/O error", 10 | (1 << 8)))  # an extended code
    assert not is_unavailable(sqlite_error("no such table: nope", 1))  # a bug, not an outage
    refused = exc.OperationalError("SELECT 1", {}, Exception("connection refused"))
    assert is_unavailable(refused)  # psycopg's OperationalError: the server is not there
    assert is_unavailable(exc.TimeoutError("QueuePool limit reached"))
    assert not is_unavailable(exc.IntegrityError("INSERT", {}, Exception("duplicate key")))
    assert not is_unavailable(RuntimeError("anything else"))
