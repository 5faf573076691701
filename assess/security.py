"""Response headers and session lifetime, for every request (OWASP ASVS 5.0 V3, V7)."""

import time

from flask import Flask, abort, g, request, session
from flask_login import current_user, logout_user
from werkzeug.middleware.proxy_fix import ProxyFix

from .extensions import csrf

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"

_WARNED = "assess_untrusted_proxy_warned"
STAFF_BLUEPRINTS = frozenset({"auth", "staff", "review", "admin"})
# Requests that read the session without counting as activity: the warning's status check.
PASSIVE_ENDPOINTS = frozenset({"auth.session_status"})


def clock() -> float:
    """Seconds since the epoch; tests replace it to move time forward."""
    return time.time()


def end_browser_session() -> None:
    """Forget the signed-in user in this browser, remember-me cookie included.

    The order matters: `logout_user` marks the remember cookie for deletion in the session, which
    `session.clear()` would otherwise wipe, leaving a cookie that signs the user straight back in.
    """
    session.clear()
    logout_user()


def start_browser_session() -> None:
    """Mark the time of a password login, from which the idle and absolute limits count, and
    which decisions need to be recent (`reauth.py`)."""
    session["started"] = session["seen"] = session["password_at"] = clock()


def _has_nul(multidict) -> bool:
    return any("\x00" in value for _, values in multidict.lists() for value in values)


def register(app: Flask) -> None:
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    else:

        @app.before_request
        def warn_of_an_untrusted_proxy():
            """A forwarded request while TRUSTED_PROXIES=0: every client then has the proxy's
            address, and 30 failed logins by anyone throttle every unknown device. Said once."""
            if "X-Forwarded-For" in request.headers and not app.extensions.get(_WARNED):
                app.extensions[_WARNED] = True
                app.logger.warning(
                    "requests arrive through a proxy (X-Forwarded-For: %s) but "
                    "ASSESS_TRUSTED_PROXIES=0: client addresses are the proxy's. Behind one "
                    "load balancer or nginx, set ASSESS_TRUSTED_PROXIES=1.",
                    request.headers["X-Forwarded-For"][:100],
                )

    @app.before_request
    def apply_view_size_limits():
        """Views that take files (marked by `admin.common.allows_upload`) accept larger bodies;
        set their limit before anything, the NUL check below included, reads the body."""
        view = app.view_functions.get(request.endpoint or "")
        limit = getattr(view, "upload_limit", None)
        if limit is not None and request.method == "POST":
            request.max_content_length = limit()
            request.max_form_memory_size = view.form_memory_limit()
            csrf.protect()  # CSRFProtect skipped these views so that the limit comes first

    @app.before_request
    def refuse_nul_characters():
        """No text field has a use for NUL, and PostgreSQL cannot store one: refuse it up front
        rather than fail deep inside a query."""
        if "\x00" in request.path or _has_nul(request.args) or _has_nul(request.form):
            abort(400)

    @app.before_request
    def expire_idle_sessions():
        """End a session idle for IDLE_TIMEOUT or older than PERMANENT_SESSION_LIFETIME.

        Both times live in the signed session cookie, so a replayed old cookie expires too. A
        session restored from a remember-me cookie starts afresh and is bound by the same limits.
        """
        if not current_user.is_authenticated:
            return
        now = clock()
        idle = app.config["IDLE_TIMEOUT"].total_seconds()
        absolute = app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
        if "started" not in session and _remembered_too_long(now):
            end_browser_session()
            return
        last_seen = session.get("seen", now)
        started = session.get("started", now)
        if now - last_seen > idle or now - started > absolute:
            if request.endpoint in PASSIVE_ENDPOINTS:
                # Asking whether the session is over is answered "yes" but ends nothing: the next
                # real request ends it, and a form it posts is then kept for its owner.
                g.session_over = True
                return
            # Whose form a request posted just now was: `auth/expiry.py` keeps it for them.
            g.expired_user_id = current_user.id
            end_browser_session()
            g.session_expired = "idle" if now - last_seen > idle else "absolute"
            return
        if request.endpoint not in PASSIVE_ENDPOINTS:
            session["seen"] = now
        session.setdefault("started", now)

    def _remembered_too_long(now: float) -> bool:
        """A session restored from a remember-me cookie: refuse it past REMEMBER_COOKIE_DURATION.

        The browser drops the cookie then, but a copied cookie carries no date; every remember
        cookie was issued at a password login, so none is younger than the last one.
        """
        last_login = current_user.last_login_at
        duration = app.config["REMEMBER_COOKIE_DURATION"].total_seconds()
        return last_login is None or now - last_login.timestamp() > duration

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if not app.debug:
            headers.setdefault("Strict-Transport-Security", HSTS)
        if request.blueprint in STAFF_BLUEPRINTS or current_user.is_authenticated:
            headers["Cache-Control"] = "no-store"
        return response
