"""Errors and logs (ASVS V16): generic error pages, the session rolled back on error, debug off by
default, an append-only audit log enforced by the database, and no secret in any log line."""

import logging
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from assess import create_app
from assess.extensions import db
from assess.models import AuditEvent, Fact, User
from assess.services import accounts, audit

from .conftest import TEST_PASSWORD, AuthActions

SECRET_DETAIL = "secret-internal-detail-7f3a"


@pytest.fixture
def failing_routes(app):
    """Routes that fail the way real code can, added before the app's first request."""
    seen = {}

    def crash():
        raise RuntimeError(SECRET_DETAIL)

    def crash_mid_write():
        kz = db.session.scalar(text("SELECT id FROM country WHERE iso2 = 'KZ'"))
        db.session.add(Fact(country_id=kz, text=SECRET_DETAIL))
        db.session.flush()
        raise RuntimeError("failed after a write")

    def crash_in_sql():
        db.session.execute(text("SELECT * FROM no_such_table WHERE x = :v"), {"v": SECRET_DETAIL})

    app.add_url_rule("/test/crash", view_func=crash)
    app.add_url_rule("/test/crash-mid-write", view_func=crash_mid_write)
    app.add_url_rule("/test/crash-in-sql", view_func=crash_in_sql)

    @app.after_request
    def observe(response):
        # Within the request's own session: a flushed row not rolled back is still visible.
        written = select(func.count()).select_from(Fact).where(Fact.text == SECRET_DETAIL)
        seen["pending"] = db.session.scalar(written) > 0
        return response

    return seen


def test_404_is_generic(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "<h1>Page not found</h1>" in page
    assert "Go to the list of countries" in page


@pytest.mark.parametrize("url", ["/test/crash", "/test/crash-mid-write", "/test/crash-in-sql"])
def test_an_unhandled_error_shows_a_generic_500(client, failing_routes, url, caplog):
    response = client.get(url)
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "<h1>Something went wrong</h1>" in page
    for leak in ("Traceback", SECRET_DETAIL, "RuntimeError", "no_such_table", ".py"):
        assert leak not in page
    assert "unhandled error on GET " + url in caplog.text  # ...but the log has it


def test_the_session_is_rolled_back_on_error(client, failing_routes):
    facts = db.session.scalar(select(func.count()).select_from(Fact))
    assert client.get("/test/crash-mid-write").status_code == 500
    assert failing_routes["pending"] is False  # rolled back before the error page was made
    assert db.session.scalar(select(func.count()).select_from(Fact)) == facts
    assert client.get("/countries/kz").status_code == 200  # and the next request is fine


def test_sql_errors_do_not_log_bound_values(client, failing_routes, caplog):
    caplog.set_level(logging.DEBUG)
    assert client.get("/test/crash-in-sql").status_code == 500
    assert "no_such_table" in caplog.text
    assert SECRET_DETAIL not in caplog.text


def test_debug_is_off_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.setenv("ASSESS_SECRET_KEY", "a-production-secret-key-0123456789")
    monkeypatch.setenv("ASSESS_BASE_URL", "https://assess.example.org")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite"})
    assert app.debug is False
    assert app.config["TESTING"] is False
    assert app.config["PROPAGATE_EXCEPTIONS"] is None
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    with app.app_context():
        db.engine.dispose()


def _refused(statement) -> None:
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(statement)
    db.session.rollback()


def _an_event(user) -> int:
    with db.session.begin_nested():
        event = audit.record(user, "test_event", user, comment="original")
    db.session.commit()
    return event.id


def test_the_database_refuses_to_change_or_delete_audit_events(app, make_user):
    user = make_user()
    event_id = _an_event(user)
    _refused(update(AuditEvent).where(AuditEvent.id == event_id).values(comment="rewritten"))
    _refused(delete(AuditEvent).where(AuditEvent.id == event_id))
    _refused(text("DELETE FROM audit_event"))
    if db.engine.dialect.name == "postgresql":
        _refused(text("TRUNCATE audit_event"))
    stored = db.session.get(AuditEvent, event_id)
    assert stored.comment == "original"
    # Appending still works.
    assert _an_event(user) > event_id


def test_the_trigger_migration_downgrades_and_upgrades(app, make_user):
    directory = current_app.extensions["migrate"].directory
    scripts = ScriptDirectory(directory)
    before = scripts.get_revision("0002_security").down_revision
    user = make_user()
    event_id = _an_event(user)
    db.session.remove()
    downgrade(directory=directory, revision=before)
    db.session.execute(update(AuditEvent).where(AuditEvent.id == event_id).values(comment="x"))
    db.session.commit()
    upgrade(directory=directory)
    _refused(update(AuditEvent).where(AuditEvent.id == event_id).values(comment="y"))
    assert db.session.get(AuditEvent, event_id).comment == "x"


def test_no_code_path_updates_or_deletes_audit_events():
    source = Path(__file__).resolve().parent.parent / "assess"
    for path in source.rglob("*.py"):
        code = path.read_text()
        for forbidden in ("update(AuditEvent", "delete(AuditEvent", "UPDATE audit_event"):
            assert forbidden not in code, (path, forbidden)


def test_no_password_or_token_reaches_the_logs(app, client, make_user, caplog):
    """Everything at DEBUG, SQL statements included, through the account's whole life."""
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    admin = make_user("admin")
    secret_new = "correct horse battery staple"
    created_with = "a first long passphrase"
    try:
        user = accounts.create_user(admin, "target@example.org", created_with, "reviewer", ["KZ"])
        client.post_form("/auth/login", {"email": user.email, "password": "wrong guess pass"})
        client.post_form("/auth/login", {"email": "nobody@example.org", "password": "unknown pw"})
        AuthActions(client).login(user, password=created_with, remember=True)
        cookies = [c.value for c in client._cookies.values()]
        client.post_form(
            "/auth/password",
            {"current": created_with, "new": secret_new, "confirm": secret_new},
        )
        AuthActions(client).login(user, password=secret_new)
        tokens = [db.session.scalar(select(User.session_token).where(User.id == user.id))]
        client.post_form("/auth/logout")
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    logged = caplog.text
    assert "SELECT" in logged  # the SQL log was captured
    secrets = [created_with, secret_new, "wrong guess pass", "unknown pw", TEST_PASSWORD]
    secrets += [c for c in cookies if len(c) > 16] + tokens
    for secret in secrets:
        assert secret not in logged
