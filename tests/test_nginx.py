"""The shipped nginx configuration (deploy/nginx/assess.conf) in front of gunicorn: static files
from nginx, public pages cached and revalidated, signed-in pages never cached, the size limit,
the request id. Skipped where Debian's nginx is not installed (CI installs it)."""

import json
import urllib.error
import urllib.request

import pytest
from sqlalchemy import select

from assess.extensions import db
from assess.models import Assessment, Country, Indicator
from assess.services import assessments
from assess.services.content import VersionContent

from .servers import NGINX, app_environment, free_port, gunicorn, nginx

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not NGINX.exists(), reason="needs Debian's nginx (apt-get install nginx)"),
]


@pytest.fixture
def site(app, demo_data, database_url, tmp_path):
    app_port = free_port()
    env = app_environment(database_url, tmp_path, app_port, ASSESS_TRUSTED_PROXIES="1")
    env["ASSESS_TRUSTED_HOSTS"] = "localhost,127.0.0.1"
    with gunicorn(env, tmp_path, app_port, workers=2), nginx(tmp_path / "nginx", app_port) as base:
        yield base, tmp_path


def get(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        response = urllib.request.urlopen(request, timeout=10)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
    with response:
        return response.status, dict(response.headers), response.read()


def app_log(folder) -> list[dict]:
    lines = (folder / "gunicorn.log").read_text().splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def logged_line(folder, request_id: str) -> dict:
    """The app's log line for a request: written as the response ends, so wait a moment."""
    import time

    deadline = time.monotonic() + 10
    while True:
        found = [line for line in app_log(folder) if line.get("request_id") == request_id]
        if found or time.monotonic() > deadline:
            assert found, f"no log line for {request_id}"
            return found[-1]
        time.sleep(0.1)


def test_static_files_come_from_nginx(site):
    base, folder = site
    status, headers, body = get(base + "/static/css/site.css")
    assert status == 200 and b"{" in body
    assert "max-age=3600" in headers["Cache-Control"]
    assert not [line for line in app_log(folder) if line.get("path", "").startswith("/static/")]


def test_public_pages_are_cached_revalidated_and_fresh_after_an_approval(site, make_user):
    import time

    base, _folder = site
    url = base + "/countries/kz/age-of-consent"
    first = get(url)
    second = get(url)
    assert first[0] == second[0] == 200
    assert second[1]["X-Cache-Status"] == "HIT"
    assert second[2] == first[2]
    time.sleep(2.2)  # nginx counts validity in whole seconds
    third = get(url)
    assert third[1]["X-Cache-Status"] == "REVALIDATED"  # a 304 from the app, the stored body
    assert third[2] == first[2]
    # An approval: the next revalidation brings the new page.
    reviewer = make_user("reviewer", ["KZ"], email="nginx-reviewer@example.org")
    supervisor = make_user("supervisor", ["KZ"], email="nginx-supervisor@example.org")
    kz = db.session.scalar(select(Country).where(Country.iso2 == "KZ"))
    age = db.session.scalar(select(Indicator).where(Indicator.slug == "age-of-consent"))
    draft = assessments.start_draft(reviewer, kz.id, age.id)
    content = VersionContent(status="yes", analysis="Raised to 18 by the 2026 amendment.",
                             analysis_source_title="", analysis_source_year=None,
                             citations=[], sources=[])  # fmt: skip
    assessments.save(reviewer, draft.id, content, draft.row_version)
    assessments.submit(reviewer, draft.id)
    assessments.approve(supervisor, draft.id, "")
    assert db.session.scalar(select(Assessment).where(Assessment.country_id == kz.id)) is not None
    time.sleep(2.2)  # nginx counts validity in whole seconds
    after = get(url)
    assert after[0] == 200
    assert b"Raised to 18 by the 2026 amendment." in after[2]


def test_signed_in_pages_are_never_cached(site):
    base, _ = site
    cookie = {"Cookie": "session=anything"}
    get(base + "/countries/kz", cookie)
    _status, headers, _ = get(base + "/countries/kz", cookie)
    assert headers["X-Cache-Status"] == "BYPASS"


def test_bodies_over_the_limit_are_refused_by_nginx(site):
    base, _folder = site
    request = urllib.request.Request(
        base + "/auth/login", data=b"x" * (22 * 1024 * 1024), method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    refused.value.close()
    assert refused.value.code == 413


def test_every_request_gets_an_id_that_the_app_logs(site):
    base, folder = site
    _, headers, _ = get(base + "/indicators/", {"X-Request-ID": "from-the-client"})
    assert headers["X-Request-ID"] == "from-the-client"
    assert get(base + "/indicators")[0] == 200  # the app's redirect keeps nginx's host:port
    _status, headers, _ = get(base + "/api/v1/countries")
    made = headers["X-Request-ID"]
    assert len(made) == 32  # nginx's $request_id
    assert logged_line(folder, "from-the-client")["path"] == "/indicators/"
    assert logged_line(folder, made)["path"] == "/api/v1/countries"
    # Behind nginx (ASSESS_TRUSTED_PROXIES=1) the client address is the real one.
    assert logged_line(folder, made)["remote_addr"] == "127.0.0.1"


def test_metrics_stay_on_the_machine(site):
    base, _ = site
    status, _, body = get(base + "/metrics")
    assert status == 200 and b"assess_http_requests_total" in body
