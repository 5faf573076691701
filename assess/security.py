"""Response headers and session lifetime, for every request."""

from datetime import UTC, datetime

from flask import Flask, g, request, session
from flask_login import current_user, logout_user

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

STAFF_BLUEPRINTS = frozenset({"auth", "staff", "review", "admin"})


def register(app: Flask) -> None:
    @app.before_request
    def expire_idle_sessions():
        if not current_user.is_authenticated:
            return
        now = datetime.now(UTC).timestamp()
        idle = app.config["IDLE_TIMEOUT"].total_seconds()
        absolute = app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
        last_seen = session.get("seen", now)
        started = session.get("started", now)
        if now - last_seen > idle or now - started > absolute:
            logout_user()
            session.clear()
            g.session_expired = True
            return
        session["seen"] = now
        session.setdefault("started", now)

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if not app.debug:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.blueprint in STAFF_BLUEPRINTS or current_user.is_authenticated:
            headers["Cache-Control"] = "no-store"
        return response
