"""Configuration: defaults here, then `ASSESS_*` environment variables, then the caller's dict."""

import os
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

INSECURE_SECRET_KEY = "dev-insecure-secret-key"  # noqa: S105 - refused outside debug and testing


class ConfigError(RuntimeError):
    """The configuration cannot work; the message says what to fix."""


DEFAULTS: dict[str, object] = {
    "SECRET_KEY": INSECURE_SECRET_KEY,
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_DURATION": timedelta(days=30),
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
    "IDLE_TIMEOUT": timedelta(minutes=30),
    "WTF_CSRF_TIME_LIMIT": None,
    "BABEL_DEFAULT_LOCALE": "en",
    "LANGUAGES": ["en", "fr", "es", "ru"],
    "SITE_NAME": "assess",
    "ORGANISATION": "assess",
    "MAIL_BACKEND": "console",
    "MAIL_SENDER": "assess@localhost",
    "PREFERRED_URL_SCHEME": "https",
}


def database_url(instance_path: str) -> str:
    """`DATABASE_URL`, or SQLite in the instance folder; a malformed URL is a `ConfigError`."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "assess.sqlite")
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"DATABASE_URL {url!r} is not a database URL; "
            "use e.g. postgresql://user@host:5432/name or sqlite:////path/assess.sqlite"
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"DATABASE_URL uses {parsed.get_backend_name()!r}; assess supports sqlite and postgresql"
        )
    return url


def check(config: dict) -> None:
    """Refuse configurations that are unsafe outside development."""
    if config.get("DEBUG") or config.get("TESTING"):
        return
    key = config.get("SECRET_KEY")
    if not key or key == INSECURE_SECRET_KEY or len(str(key)) < 16:
        raise ConfigError(
            "ASSESS_SECRET_KEY is not set: set it to a long random value, e.g. "
            "ASSESS_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')"
        )
