"""Health, readiness, request ids, the JSON request log and the Prometheus metrics."""

import json
import logging
import urllib.request

import pytest
from sqlalchemy import text

from assess.extensions import db

from .servers import app_environment, free_port, gunicorn


def test_healthz_answers_without_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ready_on_a_migrated_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "migrations", "storage"}
    assert all(check["ok"] for check in body["checks"].values())


def test_readyz_names_migrations_behind_the_code(client):
    db.session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    check = response.get_json()["checks"]["migrations"]
    assert check["ok"] is False
    assert "assess db upgrade" in check["error"]
    assert "0001" in check["error"]


def test_readyz_names_an_unreachable_queue(make_app, app):
    other = make_app(REDIS_URL="redis://127.0.0.1:9/0")  # nothing listens on port 9
    response = other.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["queue"]["ok"] is False
    assert response.get_json()["checks"]["database"]["ok"] is True


def test_readyz_names_an_unreachable_database(make_app, app):
    other = make_app(SQLALCHEMY_DATABASE_URI="sqlite:////nonexistent-folder/x.sqlite")
    response = other.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"]["ok"] is False


def test_the_request_id_is_echoed_or_made(client):
    given = client.get("/countries/kz", headers={"X-Request-ID": "abc-123.def"})
    assert given.headers["X-Request-ID"] == "abc-123.def"
    made = client.get("/countries/kz").headers["X-Request-ID"]
    assert len(made) == 32
    # One that could forge log lines or headers is replaced, not echoed.
    forged = client.get("/", headers={"X-Request-ID": 'x" injected=1 ' + "a" * 200})
    assert forged.headers["X-Request-ID"] != 'x" injected=1 ' + "a" * 200
    assert len(forged.headers["X-Request-ID"]) == 32


def test_a_stored_public_response_is_logged_too(client, caplog):
    caplog.set_level(logging.INFO, logger="assess.request")
    client.get("/countries/kz").close()  # a server closes the body: the line is written then
    client.get("/countries/kz", headers={"X-Request-ID": "second"}).close()  # from the store
    (record,) = [r for r in caplog.records if getattr(r, "request_id", None) == "second"]
    assert (record.method, record.path, record.status) == ("GET", "/countries/kz", 200)


def test_one_log_record_a_request_with_the_user(client, auth, make_user, caplog):
    user = make_user("reviewer", ["KZ"])
    auth.login(user)
    caplog.set_level(logging.INFO, logger="assess.request")
    client.get("/staff/", headers={"X-Request-ID": "staff-home"}).close()
    (record,) = [r for r in caplog.records if r.name == "assess.request"]
    assert record.request_id == "staff-home"
    assert (record.method, record.path, record.status) == ("GET", "/staff/", 200)
    assert record.user_id == user.id
    assert record.duration_ms > 0


def test_metrics_are_read_from_allowed_addresses_only(client, make_app, app):
    client.get("/countries/kz").close()
    response = client.get("/metrics")  # the test client comes from 127.0.0.1
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'assess_http_requests_total{method="GET",status="200"}' in body
    assert "assess_http_request_duration_seconds_bucket" in body
    outside = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert outside.status_code == 404
    network = make_app(METRICS_ALLOWED="10.0.0.0/8").test_client()
    assert network.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    assert network.get("/metrics").status_code == 404


@pytest.mark.slow
def test_gunicorn_writes_one_json_line_a_request(database_url, tmp_path):
    port = free_port()
    env = app_environment(database_url, tmp_path, port)
    with gunicorn(env, tmp_path, port, workers=2) as base:
        for n in range(3):
            request = urllib.request.Request(
                base + "/countries/kz", headers={"X-Request-ID": f"r{n}"}
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.headers["X-Request-ID"] == f"r{n}"
    lines = [json.loads(line) for line in (tmp_path / "gunicorn.log").read_text().splitlines()
             if line.startswith("{")]  # fmt: skip
    requests = {line["request_id"]: line for line in lines if line["logger"] == "assess.request"}
    for n in range(3):
        line = requests[f"r{n}"]
        assert (line["method"], line["path"], line["status"]) == ("GET", "/countries/kz", 200)
        assert line["level"] == "INFO" and "time" in line and line["user_id"] is None
