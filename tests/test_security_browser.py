"""Browser security (ASVS V3, V8): CSRF on every POST route, no state change on any GET route,
security headers, no-store on staff pages, trusted hosts, a request-size limit, and extra form
fields ignored. The route walks read `app.url_map`, so routes added later are covered too."""

import re

import pytest
from sqlalchemy import select, text
from werkzeug.routing import AnyConverter, IntegerConverter

from assess.extensions import db
from assess.models import RoleGrant, User

from .conftest import TEST_PASSWORD, AuthActions, Client

SAMPLE_VALUES = {"iso2": "kz", "slug": "age-of-consent", "filename": "css/site.css"}


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order: equal snapshots mean nothing changed."""
    tables = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        tables[table.name] = [tuple(map(repr, row)) for row in rows]
    db.session.commit()
    return tables


def _sample_url(app, rule) -> str:
    values = {}
    for name in rule.arguments:
        converter = rule._converters.get(name)
        if isinstance(converter, IntegerConverter):
            values[name] = 1
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = SAMPLE_VALUES.get(name, "kz")
    with app.test_request_context():
        return app.url_for(rule.endpoint, **values)


def _routes(app, method: str) -> list[str]:
    return sorted(
        {_sample_url(app, rule) for rule in app.url_map.iter_rules() if method in rule.methods}
    )


def _as(client, who, demo_users):
    if who == "admin":
        AuthActions(client).login(demo_users["admin"], password="admin-demo-pass-1")


@pytest.fixture
def demo_users(demo_data):
    return {u.email.split("@")[0]: u for u in db.session.scalars(select(User))}


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_every_post_route_refuses_a_missing_csrf_token(app, client, demo_users, who):
    _as(client, who, demo_users)
    routes = _routes(app, "POST")
    assert "/auth/login" in routes
    assert "/auth/logout" in routes
    before = snapshot()
    for url in routes:
        response = client.post(url, data={"status": "yes", "comment": "x", "email": "a@b.org"})
        assert response.status_code == 400, url
        assert "did not come from this site" in response.get_data(as_text=True), url
    assert snapshot() == before


def test_a_token_from_another_session_is_refused(app, client, demo_users):
    stranger = app.test_client()
    foreign_token = stranger.csrf_token()
    _as(client, "admin", demo_users)
    before = snapshot()
    response = client.post("/auth/logout", data={"csrf_token": foreign_token})
    assert response.status_code == 400
    assert snapshot() == before
    assert client.get("/staff/").status_code == 200


def test_no_get_route_changes_the_database(app, client, demo_users):
    _as(client, "admin", demo_users)
    routes = _routes(app, "GET")
    assert "/staff/" in routes
    assert "/countries/kz" in routes
    before = snapshot()
    for url in routes:
        with client.get(url) as response:
            assert response.status_code < 500, url
    assert snapshot() == before


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_pages_need_no_unsafe_inline(app, client, demo_users, who):
    """The CSP forbids inline script and style: no page may rely on them."""
    _as(client, who, demo_users)
    for url in _routes(app, "GET"):
        with client.get(url) as response:
            if response.mimetype != "text/html":
                continue
            html = response.get_data(as_text=True)
        assert not INLINE_SCRIPT.search(html), url
        assert not INLINE_HANDLER.search(html), url
        assert not INLINE_STYLE.search(html), url


def _directives(csp: str) -> dict[str, str]:
    return {d.split()[0]: d.strip() for d in csp.split(";") if d.strip()}


@pytest.mark.parametrize("url", ["/", "/countries/kz", "/auth/login", "/no-such-page"])
def test_security_headers_on_every_kind_of_page(client, demo_data, url):
    headers = client.get(url).headers
    csp = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    directives = _directives(csp)
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert directives["default-src"] == "default-src 'self'"
    assert directives["object-src"] == "object-src 'none'"
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_staff_pages_are_not_stored_and_public_pages_may_be(client, demo_users):
    assert "no-store" not in client.get("/countries/kz").headers.get("Cache-Control", "")
    assert client.get("/auth/login").headers["Cache-Control"] == "no-store"
    _as(client, "admin", demo_users)
    for url in ("/staff/", "/auth/password", "/countries/kz"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url


def test_a_host_not_trusted_is_refused(make_app, monkeypatch, demo_data):
    monkeypatch.setenv("ASSESS_TRUSTED_HOSTS", "assess.example.org, localhost")
    app = make_app()
    assert app.config["TRUSTED_HOSTS"] == ["assess.example.org", "localhost"]
    client = app.test_client()
    with app.app_context():
        good = client.get("/countries/kz", headers={"Host": "assess.example.org"})
        assert good.status_code == 200
        assert "Kazakhstan" in good.get_data(as_text=True)
        for host in ("evil.example", "assess.example.org.evil.example", "localhost@evil"):
            bad = client.get("/countries/kz", headers={"Host": host})
            assert bad.status_code == 400, host
            assert "Kazakhstan" not in bad.get_data(as_text=True)
            assert "Traceback" not in bad.get_data(as_text=True)


def test_without_trusted_hosts_configured_any_host_is_served(client, demo_data):
    assert client.get("/", headers={"Host": "anything.example"}).status_code == 200


def test_a_request_over_the_size_limit_gets_a_friendly_413(app, client):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post(
        "/auth/login", data={"email": "a@example.org", "password": "x" * (limit + 1)}
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "larger than this site accepts" in page
    assert "<h1>Too large</h1>" in page


def test_extra_fields_on_the_password_form_are_ignored(client, make_user):
    user = make_user("reviewer", ["KZ"])
    AuthActions(client).login(user)
    new = "a brand new long passphrase"
    response = client.post_form(
        "/auth/password",
        {
            "current": TEST_PASSWORD,
            "new": new,
            "confirm": new,
            "email": "attacker@example.org",
            "role": "admin",
            "active": "0",
            "country": "FR",
            "country_id": "1",
            "user_id": "1",
            "author_id": "1",
            "status": "yes",
            "session_token": "chosen",
            "name": "Mallory",
        },
    )
    assert response.status_code == 302
    stored = db.session.get(User, user.id)
    db.session.refresh(stored)
    assert (stored.email, stored.name, stored.active) == (user.email, "", True)
    assert stored.session_token != "chosen"
    grants = db.session.execute(select(RoleGrant.role, RoleGrant.country_id)).all()
    kz = db.session.scalar(text("SELECT id FROM country WHERE iso2 = 'KZ'"))
    assert [g for g in grants if g in {("reviewer", kz), ("admin", None)}] == [("reviewer", kz)]


def test_extra_fields_on_the_login_form_are_ignored(client, make_user):
    user = make_user("reviewer", ["KZ"])
    response = client.post_form(
        "/auth/login",
        {
            "email": user.email,
            "password": TEST_PASSWORD,
            "role": "admin",
            "active": "0",
            "id": "999",
            "_user_id": "1",
            "last_login_at": "2000-01-01",
        },
    )
    assert response.status_code == 302
    stored = db.session.get(User, user.id)
    db.session.refresh(stored)
    assert stored.active is True
    assert stored.last_login_at.year > 2000
    assert [g.role for g in stored.grants] == ["reviewer"]
    page = client.get("/staff/").get_data(as_text=True)
    assert "Kazakhstan" in page


def test_client_is_a_browser_client(app):
    assert isinstance(app.test_client(), Client)
