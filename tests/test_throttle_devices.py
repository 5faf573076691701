"""OWASP's device cookie: strangers' failures slow unknown devices per account but never lock
out a known device with the right password; counts are exact under parallel attempts; a proxy
the app does not trust is warned about."""

import logging
import re
import threading
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest
from sqlalchemy import func, select

from assess.extensions import db
from assess.models import LoginAttempt
from assess.services import accounts, throttle

from .conftest import TEST_PASSWORD
from .servers import app_environment, free_port, gunicorn
from .test_security_throttle import REDIS_URL, _redis_available

DEVICE = "assess_device"
WRONG = "wrong password!"


@pytest.fixture(params=["database", "redis"])
def pair(request, app, make_app):
    """Two workers on one database and throttle store (as in test_security_throttle)."""
    config = {}
    if request.param == "redis":
        if not _redis_available():
            pytest.skip("Redis is not running at 127.0.0.1:6379")
        config = {"REDIS_URL": REDIS_URL, "REDIS_KEY_PREFIX": f"assess-test-{free_port()}:"}
    return make_app(**config), make_app(**config)


def _login(worker, email, password, address, device=None):
    client = worker.test_client()
    if device:
        client.set_cookie(DEVICE, device)
    with worker.app_context():
        response = client.post_form(
            "/auth/login", {"email": email, "password": password},
            environ_base={"REMOTE_ADDR": address},
        )  # fmt: skip
        db.session.remove()
    return response


def _device_from(response) -> str:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(DEVICE + "="):
            return header.split("=", 1)[1].split(";", 1)[0]
    raise AssertionError("no device cookie")


def test_a_known_device_passes_while_strangers_have_locked_the_account(pair, make_user):
    first, second = pair
    user = make_user("supervisor", ["KZ"])
    device = _device_from(_login(first, user.email, TEST_PASSWORD, "192.0.2.1"))
    for n in range(3 * accounts.MAX_FAILURES_PER_ACCOUNT):
        _login(second, user.email, WRONG, f"198.51.100.{n}")
    # A new device with the right password is held back ...
    refused = _login(first, user.email, TEST_PASSWORD, "192.0.2.1")
    assert "Too many failed attempts" in refused.get_data(as_text=True)
    # ... the supervisor's own browser is not.
    assert _login(second, user.email, TEST_PASSWORD, "192.0.2.1", device).status_code == 302


def test_a_known_device_passes_the_address_limit_behind_one_balancer(pair, make_user):
    first, second = pair
    user = make_user()
    device = _device_from(_login(first, user.email, TEST_PASSWORD, "10.0.0.1"))
    for n in range(accounts.MAX_FAILURES_PER_ADDRESS):
        _login(second, f"guess{n}@example.org", WRONG, "10.0.0.1")
    assert "Too many" in _login(first, user.email, TEST_PASSWORD, "10.0.0.1").get_data(as_text=True)
    assert _login(first, user.email, TEST_PASSWORD, "10.0.0.1", device).status_code == 302


def test_a_known_device_that_guesses_locks_itself_only(pair, make_user):
    first, second = pair
    user = make_user()
    device = _device_from(_login(first, user.email, TEST_PASSWORD, "192.0.2.1"))
    for _ in range(throttle.MAX_FAILURES_PER_DEVICE):
        assert _login(first, user.email, WRONG, "192.0.2.1", device).status_code == 401
    locked = _login(first, user.email, TEST_PASSWORD, "192.0.2.1", device)
    assert "Too many failed attempts" in locked.get_data(as_text=True)
    # The account is not locked for its other devices.
    assert _login(second, user.email, TEST_PASSWORD, "192.0.2.9").status_code == 302


def test_a_device_cookie_is_bound_to_its_account_and_signed(pair, make_user):
    first, second = pair
    owner, other = make_user(), make_user()
    device = _device_from(_login(first, owner.email, TEST_PASSWORD, "192.0.2.1"))
    for n in range(accounts.MAX_FAILURES_PER_ACCOUNT):
        _login(second, other.email, WRONG, f"198.51.100.{n}")
    # The owner's cookie does not make it a known device of another account, nor does a forgery.
    assert "Too many" in _login(first, other.email, TEST_PASSWORD, "192.0.2.1", device).get_data(
        as_text=True
    )
    forged = device[:-4] + ("AAAA" if not device.endswith("AAAA") else "BBBB")
    with first.app_context():
        assert throttle.known_device(forged, owner.email) is None
        assert throttle.known_device(device, owner.email) is not None
        assert throttle.known_device(device, other.email) is None


def test_the_untrusted_proxy_is_warned_about_once(make_app, app, caplog):
    worker = make_app(TRUSTED_PROXIES=0)
    caplog.set_level(logging.WARNING)
    client = worker.test_client()
    for _ in range(3):
        client.get("/", headers={"X-Forwarded-For": "203.0.113.5"}).close()
    warnings = [r for r in caplog.records if "ASSESS_TRUSTED_PROXIES=0" in r.getMessage()]
    assert len(warnings) == 1
    trusted = make_app(TRUSTED_PROXIES=1)
    caplog.clear()
    trusted.test_client().get("/", headers={"X-Forwarded-For": "203.0.113.5"}).close()
    assert not [r for r in caplog.records if "TRUSTED_PROXIES" in r.getMessage()]


# --- exact under parallel requests ------------------------------------------------------------

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
PARALLEL = 40


def _prepared_browser(base: str):
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base + "/auth/login", timeout=30) as response:
        token = TOKEN.search(response.read().decode()).group(1)
    return opener, token


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["database", "redis"])
def test_parallel_guesses_are_counted_exactly(app, make_user, database_url, tmp_path, backend):
    extra = {}
    if backend == "redis":
        if not _redis_available():
            pytest.skip("Redis is not running at 127.0.0.1:6379")
        extra = {"ASSESS_REDIS_URL": REDIS_URL, "ASSESS_REDIS_KEY_PREFIX": f"t{free_port()}:"}
    email = make_user().email
    port = free_port()
    env = app_environment(database_url, tmp_path, port, **extra)
    with gunicorn(env, tmp_path, port, workers=4) as base:
        browsers = [_prepared_browser(base) for _ in range(PARALLEL)]
        start = threading.Barrier(PARALLEL)
        answers: list[str] = []

        def guess(opener, token):
            form = urllib.parse.urlencode(
                {"csrf_token": token, "email": email, "password": WRONG}
            ).encode()
            start.wait()
            try:
                opener.open(base + "/auth/login", data=form, timeout=60)
            except urllib.error.HTTPError as error:
                answers.append(error.read().decode())

        threads = [threading.Thread(target=guess, args=browser) for browser in browsers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    checked = [a for a in answers if "The e-mail address or password is incorrect." in a]
    throttled = [a for a in answers if "Too many failed attempts" in a]
    assert len(answers) == PARALLEL
    assert len(checked) == accounts.MAX_FAILURES_PER_ACCOUNT
    assert len(throttled) == PARALLEL - accounts.MAX_FAILURES_PER_ACCOUNT
    if backend == "database":
        counted = select(func.count()).where(LoginAttempt.email == email)
        db.session.commit()
        assert db.session.scalar(counted) == accounts.MAX_FAILURES_PER_ACCOUNT
