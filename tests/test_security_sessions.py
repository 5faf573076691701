"""Sessions (ASVS V7, V3.3): renewed at login, ended everywhere by logout, password change and
deactivation (remember-me included), idle and absolute timeouts, hardened cookie attributes."""

from datetime import timedelta

import pytest

from assess import security
from assess.services import users

from .conftest import TEST_PASSWORD, AuthActions, Client

REMEMBER = "remember_token"  # the cookie name in tests (plain http, so no __Host- prefix)


def _cookies(client) -> dict[str, str]:
    return {c.key: c.value for c in client._cookies.values()}


def _browser(app, cookies: dict[str, str]) -> Client:
    """A second browser presenting the given cookies."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value, domain="localhost")
    return other


def _signed_in(client) -> bool:
    response = client.get("/staff/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def test_login_renews_the_session(app, client, make_user):
    user = make_user()
    before_token = client.csrf_token()
    before = _cookies(client)["session"]
    AuthActions(client).login(user)
    after = _cookies(client)["session"]
    assert after != before
    # A session cookie planted before login does not carry the login.
    assert not _signed_in(_browser(app, {"session": before}))
    assert _signed_in(_browser(app, {"session": after}))
    # Nor does the CSRF token that belonged to the pre-login session work after it.
    stale = client.post("/auth/password", data={"csrf_token": before_token, "current": "x"})
    assert stale.status_code == 400
    assert "The form has expired" in stale.get_data(as_text=True)


def test_remember_cookie_alone_signs_in_until_logout(app, client, auth, make_user):
    user = make_user()
    auth.login(user, remember=True)
    remember_only = {REMEMBER: _cookies(client)[REMEMBER]}
    assert _signed_in(_browser(app, remember_only))  # the cookie works on its own...
    auth.logout()
    assert REMEMBER not in _cookies(client)  # ...the browser is told to drop it...
    assert not _signed_in(_browser(app, remember_only))  # ...and a replayed copy is refused.


@pytest.mark.parametrize("ending", ["password change", "deactivation"])
def test_remember_cookie_replay_is_refused_after(app, client, auth, make_user, ending):
    user = make_user()
    auth.login(user, remember=True)
    captured = _cookies(client)
    remember_only = {REMEMBER: captured[REMEMBER]}
    assert _signed_in(_browser(app, remember_only))
    if ending == "password change":
        new = "a different long passphrase"
        response = client.post_form(
            "/auth/password", {"current": TEST_PASSWORD, "new": new, "confirm": new}
        )
        assert response.status_code == 302
    else:
        users.deactivate(make_user("admin"), user.id)
    assert not _signed_in(_browser(app, remember_only))
    assert not _signed_in(_browser(app, captured))


@pytest.fixture
def clock(monkeypatch):
    """Moves the app's clock forward: `clock.advance(minutes=5)`."""

    class Clock:
        now = 1_900_000_000.0

        def advance(self, **delta):
            self.now += timedelta(**delta).total_seconds()

    fake = Clock()
    monkeypatch.setattr(security, "clock", lambda: fake.now)
    return fake


def test_idle_timeout_is_30_minutes(client, auth, make_user, clock):
    auth.login(make_user())
    clock.advance(minutes=29)
    assert _signed_in(client)
    clock.advance(minutes=29)  # activity restarts the idle count
    assert _signed_in(client)
    clock.advance(minutes=30, seconds=1)
    assert not _signed_in(client)
    assert not _signed_in(client)


def test_absolute_timeout_is_12_hours_however_active(client, auth, make_user, clock):
    auth.login(make_user())
    for _ in range(12 * 3 - 1):
        clock.advance(minutes=20)
        assert _signed_in(client)
    clock.advance(minutes=20, seconds=1)
    assert not _signed_in(client)


def test_an_expired_session_cookie_replayed_is_refused(app, client, auth, make_user, clock):
    auth.login(make_user())
    captured = _cookies(client)
    clock.advance(minutes=31)
    assert not _signed_in(_browser(app, captured))


def test_idle_timeout_also_drops_the_remember_cookie(app, client, auth, make_user, clock):
    auth.login(make_user(), remember=True)
    clock.advance(minutes=31)
    assert not _signed_in(client)
    assert REMEMBER not in _cookies(client)
    assert not _signed_in(client)


def test_a_remember_cookie_expires_on_the_server_too(app, client, auth, make_user, clock):
    """A copied remember cookie carries no date; the server bounds it by the last login."""
    user = make_user()
    clock.now = user.created_at.timestamp()  # align the fake clock with the database's
    auth.login(user, remember=True)
    remember_only = {REMEMBER: _cookies(client)[REMEMBER]}
    clock.advance(days=29)
    assert _signed_in(_browser(app, remember_only))
    clock.advance(days=2)
    assert not _signed_in(_browser(app, remember_only))


def test_timeouts_are_configurable_from_the_environment(make_app, make_user, clock, monkeypatch):
    monkeypatch.setenv("ASSESS_IDLE_TIMEOUT", "60")
    monkeypatch.setenv("ASSESS_PERMANENT_SESSION_LIFETIME", "300")
    app = make_app()
    assert app.config["IDLE_TIMEOUT"] == timedelta(seconds=60)
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(minutes=5)
    client = app.test_client()
    with app.app_context():
        AuthActions(client).login(make_user())
        clock.advance(seconds=50)
        assert _signed_in(client)
        clock.advance(seconds=61)
        assert not _signed_in(client)


def _production_app(make_app, **extra):
    # The test config turns Secure off for plain-http test clients; put the defaults back.
    return make_app(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True, **extra)


def _set_cookie_headers(response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")}


def test_production_cookies_are_host_prefixed_secure_httponly_lax(make_app, make_user):
    app = _production_app(make_app)
    user = make_user()
    client = app.test_client()
    with app.app_context():
        token = client.get("/auth/login", base_url="https://localhost")
        assert "__Host-session" in _set_cookie_headers(token)
        html = token.get_data(as_text=True)
        csrf = html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        response = client.post(
            "/auth/login",
            data={
                "email": user.email,
                "password": TEST_PASSWORD,
                "remember": "y",
                "csrf_token": csrf,
            },
            base_url="https://localhost",
            headers={"Referer": "https://localhost/auth/login"},  # checked by CSRF on https
        )
    assert response.status_code == 302
    cookies = _set_cookie_headers(response)
    # The device cookie marks a known device for login throttling (services/throttle.py).
    assert set(cookies) == {"__Host-session", "__Host-remember", "__Host-device"}
    for header in cookies.values():
        attributes = [a.strip().lower() for a in header.split(";")[1:]]
        assert "secure" in attributes
        assert "httponly" in attributes
        assert "samesite=lax" in attributes
        assert "path=/" in attributes
        assert not any(a.startswith("domain=") for a in attributes)


def test_debug_keeps_plain_cookie_names(make_app):
    app = _production_app(make_app, DEBUG=True)
    assert app.config["SESSION_COOKIE_NAME"] == "session"
    assert app.config.get("REMEMBER_COOKIE_NAME", REMEMBER) == REMEMBER
