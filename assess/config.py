"""Configuration: defaults here, then `ASSESS_*` environment variables, then the caller's dict."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

INSECURE_SECRET_KEY = "dev-insecure-secret-key"  # noqa: S105 - refused outside debug and testing


class ConfigError(RuntimeError):
    """The configuration cannot work; the message says what to fix."""


DEFAULTS: dict[str, object] = {
    "SECRET_KEY": INSECURE_SECRET_KEY,
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    # Bound values stay out of SQL logs and error messages: they carry hashes and session tokens.
    "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True},
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
    # Staff pages warn this long before the idle timeout, offering to extend the session.
    "SESSION_WARNING": timedelta(minutes=5),
    # A form posted just after the session ended is kept this long for its owner.
    "KEPT_FORM_LIFETIME": timedelta(days=7),
    # Decisions and admin actions need a password sign-in at most this old (reauth.py).
    "FRESH_LOGIN": timedelta(hours=12),
    "WTF_CSRF_TIME_LIMIT": None,
    "BABEL_DEFAULT_LOCALE": "en",
    "LANGUAGES": ["en", "fr", "es", "ru", "ar"],
    "SITE_NAME": "assess",
    "ORGANISATION": "assess",
    # The publishing organisation (page titles, citations, feeds, the header): its web address,
    # a logo URL, brand colours {"brand": "#0b4f8a", "brand_dark": "#083a66"}, Markdown for the
    # /about and /contact pages {"about": "...", "contact": "..."} and for the methodology page.
    "ORGANISATION_URL": "",
    "ORGANISATION_LOGO": "",
    "ORGANISATION_COLOURS": {},
    "ORGANISATION_PAGES": {},
    "METHODOLOGY_TEXT": "",
    # The open data's licence: stated on /data/, in every file, the data package and the API.
    "DATA_LICENCE": {
        "name": "CC-BY-4.0",
        "title": "Creative Commons Attribution 4.0 International",
        "path": "https://creativecommons.org/licenses/by/4.0/",
    },
    "MAIL_BACKEND": "console",
    "MAIL_SENDER": "assess@localhost",
    "PREFERRED_URL_SCHEME": "https",
    # Host names this site answers to, e.g. ASSESS_TRUSTED_HOSTS=assess.example.org,localhost;
    # a request for any other Host gets 400. None accepts any (development).
    "TRUSTED_HOSTS": None,
    # The site's public address (https://assess.example.org): every absolute link in a mail or a
    # page starts with it. Outside debug, it or TRUSTED_HOSTS is required; its host is trusted.
    "BASE_URL": None,
    # How many reverse proxies (load balancers) stand before the app and set X-Forwarded-For,
    # -Proto and -Host. 0 ignores those headers, which a client could then forge; behind one
    # balancer set ASSESS_TRUSTED_PROXIES=1, or per-address login throttling sees one address.
    "TRUSTED_PROXIES": 0,
    # Login throttling in Redis (e.g. redis://127.0.0.1:6379/0); the database when unset.
    "REDIS_URL": None,
    "REDIS_KEY_PREFIX": "assess:",
    # Who may read /metrics: addresses or networks, e.g. ASSESS_METRICS_ALLOWED='["10.0.0.0/8"]'.
    "METRICS_ALLOWED": ["127.0.0.1", "::1"],
    # One JSON object a line on standard error ("json"), or Flask's plain lines ("text").
    "LOG_FORMAT": "json",
    "LOG_LEVEL": "INFO",
    # Uploaded files: "local" (UPLOAD_DIR) or "s3" (S3_BUCKET, S3_ENDPOINT_URL, S3_REGION, S3_PREFIX).
    "STORAGE": "local",
    # Background jobs (mail): "auto" = RQ when REDIS_URL is set, else in-process after commit.
    "JOBS": "auto",
    # Public pages rendered by one worker, served by all (assess/public/shared.py): "auto" = Redis
    # when REDIS_URL is set, else a directory (PUBLIC_STORE_DIR, default instance/public-store);
    # "directory", "redis" or "off". PUBLIC_STORE_BYTES: per worker and public revision.
    "PUBLIC_STORE": "auto",
    "PUBLIC_STORE_DIR": None,
    "PUBLIC_STORE_BYTES": 1024 * 1024 * 1024,
    "MAX_FORM_MEMORY_SIZE": 1024 * 1024,
    "MAX_FORM_PARTS": 1000,
    # The organisation's logo (/admin/organisation): PNG, JPEG or a plain SVG, at most this size.
    "IMAGE_MAX_BYTES": 512 * 1024,
    # An assessment is due for review this many days after its last publication
    # (`assess/staleness.py`): staff pages mark it overdue, the public page says when it was
    # last reviewed.
    "REVIEW_INTERVAL_DAYS": 365,
    # "Suggest a correction" (assess/services/suggestions.py): the largest evidence file, and how
    # many suggestions one client address, and the whole site, may send in 15 minutes.
    "SUGGESTION_FILE_MAX_BYTES": 10 * 1024 * 1024,
    "SUGGESTION_LIMIT_PER_ADDRESS": 5,
    "SUGGESTION_LIMIT_SITE_WIDE": 200,
    # Checking cited links (assess/linkcheck.py), in the background only: per request a timeout,
    # between two requests to one host a pause; LINK_CHECK_INTERVAL (seconds) is how old a check
    # `assess check-links` renews. The User-Agent names the site (BASE_URL) when it is set.
    "LINK_CHECK_USER_AGENT": None,
    "LINK_CHECK_TIMEOUT": 10,
    "LINK_CHECK_HOST_DELAY": 1.0,
    "LINK_CHECK_HOSTS_AT_ONCE": 4,
    "LINK_CHECK_MAX_BYTES": 10 * 1024 * 1024,
    "LINK_CHECK_INTERVAL": 24 * 3600,
    # Archived copies of cited documents (HTML or PDF) when a version is approved: a switch, the
    # size limit, and hosts never copied (e.g. ASSESS_ARCHIVE_EXCLUDED_HOSTS=paywalled.example).
    "ARCHIVE_ENABLED": True,
    "ARCHIVE_MAX_BYTES": 10 * 1024 * 1024,
    "ARCHIVE_EXCLUDED_HOSTS": [],
}

SESSION_COOKIE_PRODUCTION_NAME = "__Host-session"
REMEMBER_COOKIE_PRODUCTION_NAME = "__Host-remember"
_DURATIONS = (
    "IDLE_TIMEOUT",
    "PERMANENT_SESSION_LIFETIME",
    "REMEMBER_COOKIE_DURATION",
    "FRESH_LOGIN",
    "SESSION_WARNING",
    "KEPT_FORM_LIFETIME",
)


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
            f"DATABASE_URL uses {parsed.get_backend_name()!r}; "
            "assess supports sqlite and postgresql"
        )
    return url


def finalise(config: dict) -> None:
    """Turn values from the environment into the types the app uses, and name the cookies.

    Durations may be given in seconds (ASSESS_IDLE_TIMEOUT=900); host lists comma-separated.
    Secure cookies outside debug get the `__Host-` prefix, which browsers accept only from https
    with Path=/ and no Domain: no subdomain or plain-http page can set or overwrite them.
    """
    # A copy per app: the engine set-up may add to it.
    config["SQLALCHEMY_ENGINE_OPTIONS"] = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    for key in _DURATIONS:
        value = config.get(key)
        if isinstance(value, int | float | str) and not isinstance(value, bool):
            config[key] = timedelta(seconds=float(value))
    allowed = config.get("METRICS_ALLOWED")
    if isinstance(allowed, str):
        config["METRICS_ALLOWED"] = [a.strip() for a in allowed.split(",") if a.strip()]
    hosts = config.get("TRUSTED_HOSTS")
    if isinstance(hosts, str):
        config["TRUSTED_HOSTS"] = [h.strip() for h in hosts.split(",") if h.strip()] or None
    base = config.get("BASE_URL")
    if base:
        config["BASE_URL"] = base = str(base).rstrip("/")
        host = urlsplit(base).hostname
        trusted = config.get("TRUSTED_HOSTS")
        if host and trusted is not None and host not in trusted:
            config["TRUSTED_HOSTS"] = [*trusted, host]
        elif host and trusted is None:
            config["TRUSTED_HOSTS"] = [host]
    config["REVIEW_INTERVAL_DAYS"] = _days(config.get("REVIEW_INTERVAL_DAYS", 365))
    production = not config.get("DEBUG")
    default_name = config.get("SESSION_COOKIE_NAME", "session") == "session"
    if production and config.get("SESSION_COOKIE_SECURE") and default_name:
        config["SESSION_COOKIE_NAME"] = SESSION_COOKIE_PRODUCTION_NAME
    if production and config.get("REMEMBER_COOKIE_SECURE"):
        config.setdefault("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE_PRODUCTION_NAME)


def _days(value: object) -> int:
    """A positive whole number of days (`REVIEW_INTERVAL_DAYS`), else a `ConfigError`."""
    try:
        days = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        days = 0
    if days < 1 or isinstance(value, bool) or (isinstance(value, float) and value != days):
        raise ConfigError(
            f"ASSESS_REVIEW_INTERVAL_DAYS={value!r} is not a number of days: use e.g. 365"
        )
    return days


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
    base = config.get("BASE_URL")
    if base and (urlsplit(base).scheme not in ("http", "https") or not urlsplit(base).hostname):
        raise ConfigError(
            f"ASSESS_BASE_URL={base!r} is not an address: use e.g. https://assess.example.org"
        )
    if not base and not config.get("TRUSTED_HOSTS"):
        raise ConfigError(
            "ASSESS_BASE_URL is not set: set it to the site's public address, e.g. "
            "ASSESS_BASE_URL=https://assess.example.org (links in e-mails start with it, and "
            "requests for any other host are refused)"
        )
