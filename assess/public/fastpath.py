"""Anonymous repeat requests answered before Flask runs: a public page already rendered, or a 304
for it, costs a few microseconds instead of a render.

A WSGI middleware keeps the public responses Flask marked cacheable (`caching.add_validators`),
exactly as they were sent, keyed by everything they depend on: the URL as asked (host included:
pages carry absolute links), the language the page is served in (negotiated from the `lang`
cookie and `Accept-Language` exactly as `i18n.select_locale` does, so the many header strings
that mean English share one copy), and
the database as it was (`freshness.Watcher`: a token read *before* the page was rendered, by
`caching.answer_not_modified`, the public views' first step). A
stored response is used only while the token is unchanged, that is while nothing at all has been
committed since, by any worker; otherwise the request goes to Flask, which validates as usual.
When the page's validator is still the stored one (what was committed changed nothing public: a
sign-in, a notification read), Flask answers with the stored response and the middleware keeps
it under the new token; otherwise Flask renders. Requests that carry a session or remember-me cookie always go to Flask: they may be
signed in, and staff never get shared pages.

Text responses are kept compressed as well (brotli, gzip), each coding made on the first request
that accepts it and kept beside the body, so that a hit costs no compression: each visitor gets
the coding their `Accept-Encoding` prefers.

Bounded in bytes, not entries: query strings can make any number of distinct URLs.
"""

import gzip
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

import brotli
from flask import Flask
from werkzeug.http import is_resource_modified, parse_accept_header, parse_cookie

from ..i18n import COOKIE as LANGUAGE_COOKIE
from ..i18n import negotiate
from . import helpers
from .freshness import Watcher
from .shared import Entry, SharedResponses

CAPACITY_BYTES = 96 * 1024 * 1024
LARGEST_BYTES = 32 * 1024 * 1024  # the /data/ downloads of a full site fit
CACHEABLE = "assess.cacheable"  # environ key: Flask's verdict on the response, with its validators
STALE = "assess.stale"  # environ key: the stored response, kept under an older token
REVALIDATED = "assess.revalidated"  # environ key: Flask found the stale response still current
REVISION = "assess.revision"  # environ key: the public revision the response was made at
ASKED = "assess.asked_revision"  # environ key: the revision the store asked for this token
TOKEN = "assess.freshness"  # noqa: S105 - an environ key: the token read before Flask ran
_NOT_MODIFIED_HEADERS = {"etag", "last-modified", "cache-control", "vary", "expires"}
COMPRESS_AT_LEAST = 1024  # bytes: smaller bodies gain less than the header costs
_COMPRESSIBLE = ("text/", "application/json", "application/xml", "image/svg+xml")
# Fast settings: a page is compressed once per coding, on the first request that accepts it.
_CODINGS = {
    "br": lambda body: brotli.compress(body, quality=4),
    "gzip": lambda body: gzip.compress(body, compresslevel=5, mtime=0),
}
# A stored page served while the database cannot be asked whether it is still current.
STALE_HEADERS = [
    ("Warning", '110 - "Response is Stale"'),
    ("X-Assess-Stale", "database unavailable"),
]


@dataclass(frozen=True)
class Stored:
    token: object
    etag: str
    last_modified: datetime | None
    headers: list[tuple[str, str]]
    body: bytes
    compressible: bool = False
    revision: str | None = None  # the public revision it was made at (`queries.public_revision`)
    encoded: dict[str, bytes] = field(default_factory=dict)  # content coding -> body, as asked

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(body) for body in self.encoded.values())


class Responses:
    """A thread-safe store of responses, least recently used first out."""

    def __init__(self, capacity: int = CAPACITY_BYTES) -> None:
        self.capacity = capacity
        self.used = 0
        self._entries: OrderedDict[tuple, Stored] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Stored | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: tuple, value: Stored) -> None:
        with self._lock:
            replaced = self._entries.pop(key, None)
            if replaced is not None:
                self.used -= replaced.size
            self._entries[key] = value
            self.used += value.size
            while self.used > self.capacity:
                _, evicted = self._entries.popitem(last=False)
                self.used -= evicted.size

    def encoded(self, stored: Stored, coding: str) -> bytes:
        """`stored`'s body in `coding`, compressed on the first request that accepts it."""
        found = stored.encoded.get(coding)
        if found is None:
            found = _CODINGS[coding](stored.body)
            with self._lock:
                if coding not in stored.encoded:
                    stored.encoded[coding] = found
                    self.used += len(found)
        return found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.used = 0


class PublicResponses:
    """The middleware. `app.wsgi_app = PublicResponses(app.wsgi_app, ...)`."""

    def __init__(
        self,
        wsgi_app,
        watcher: Watcher,
        private_cookies: set[str],
        languages: tuple[str, ...] = ("en",),
        default_language: str = "en",
        revision: Callable[[], Any] | None = None,
        shared: SharedResponses | None = None,
    ) -> None:
        self.wsgi_app = wsgi_app
        self.watcher = watcher
        self.private_cookies = private_cookies
        self.languages = languages
        self.default_language = default_language
        self.store = Responses()
        self.revision = revision
        self.shared = shared
        self._known: tuple[object, Any] = (None, None)  # (token, public revision)
        self._known_lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
            return self.wsgi_app(environ, start_response)
        cookies = _cookies(environ)
        if self.private_cookies.intersection(cookies):
            return self.wsgi_app(environ, start_response)
        key = self._key(environ, cookies)
        stored = self.store.get(key)
        if stored is None and self.shared is not None:
            found = self._from_shared(key, environ)
            if found is not None:
                return self._answer(environ, start_response, found)
        if stored is not None:
            token = environ[TOKEN] = self.watcher.token()
            if token is not None and stored.token == token:
                return self._answer(environ, start_response, stored)
            # Something was committed (a sign-in, a saved draft): if nothing public changed, the
            # page is still current. One query per commit and process, not one per page.
            if (
                token is not None
                and stored.revision is not None
                and self._revision_at(token, environ) == stored.revision
            ):
                self.store.put(key, replace(stored, token=token))
                return self._answer(environ, start_response, stored)
            if token is None and self.watcher.unavailable:
                # The database is away: what this worker holds beats an error page, marked as
                # possibly out of date. Everything else gets Flask's 503 (`errors.py`).
                return self._answer(environ, start_response, stored, stale=True)
        # Only a public view asks for the token (`read_token`) when nothing was stored: static
        # files, sign-in and staff pages never pay for it.
        environ[STALE] = stored
        return self._remember(environ, start_response, key)

    def _revision_at(self, token: object, environ) -> str | None:
        """The public revision's key as of `token` (read after it, so never older), asked once
        per token; what was asked is left in the environ, so that Flask's validators do not ask
        again when the page must be rendered."""
        with self._known_lock:
            known_token, known = self._known
        if known_token != token:
            if self.revision is None:
                return None
            try:
                known = self.revision()
            except Exception:  # the database is away: let Flask answer (its 503, or the page)
                return None
            with self._known_lock:
                self._known = (token, known)
        environ[ASKED] = known
        return known.key if known is not None else None

    def _from_shared(self, key: tuple, environ) -> Stored | None:
        """The page another worker rendered at the current public revision, now kept here too."""
        token = environ[TOKEN] = self.watcher.token()
        revision = self._revision_at(token, environ) if token is not None else None
        if revision is None or self.shared is None:
            return None
        entry = self.shared.get(key, revision)
        if entry is None:
            return None
        stored = Stored(
            token,
            entry.etag,
            entry.last_modified,
            entry.headers,
            entry.body,
            entry.compressible,
            revision=revision,
        )
        self.store.put(key, stored)
        return stored

    def read_token(self, environ) -> object | None:
        """The token to keep this request's response under, read before it is made."""
        if STALE not in environ:  # not a request the middleware may keep
            return None
        if TOKEN not in environ:
            environ[TOKEN] = self.watcher.token()
        return environ[TOKEN]

    def _key(self, environ, cookies) -> tuple:
        language = negotiate(
            cookies.get(LANGUAGE_COOKIE),
            environ.get("HTTP_ACCEPT_LANGUAGE"),
            self.languages,
            self.default_language,
        )
        return (
            environ.get("wsgi.url_scheme"),
            environ.get("HTTP_HOST") or environ.get("SERVER_NAME"),
            environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            language,
            # Pages change with the day (`caching.validators`): none is served on the next one.
            helpers.today().date().isoformat(),
        )

    def _answer(self, environ, start_response, stored: Stored, stale: bool = False):
        extra = STALE_HEADERS if stale else []
        if not is_resource_modified(environ, etag=stored.etag, last_modified=stored.last_modified):
            headers = [(k, v) for k, v in stored.headers if k.lower() in _NOT_MODIFIED_HEADERS]
            start_response("304 NOT MODIFIED", headers + extra)
            return []
        coding = _coding(environ.get("HTTP_ACCEPT_ENCODING")) if stored.compressible else None
        if coding is None:
            start_response("200 OK", list(stored.headers) + extra)
            body = stored.body
        else:
            body = self.store.encoded(stored, coding)
            headers = [(k, v) for k, v in stored.headers if k.lower() != "content-length"]
            headers += [("Content-Encoding", coding), ("Content-Length", str(len(body)))]
            start_response("200 OK", headers + extra)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    def _remember(self, environ, start_response, key: tuple):
        """Let Flask answer; keep what it marked cacheable. Flask's status and headers are held
        back until the response is known, so that a conditional request whose page was rendered
        only to be stored still gets its 304."""
        sent: dict = {}

        def capture(status, headers, exc_info=None):
            if exc_info is not None:
                sent["passed"] = True
                return start_response(status, headers, exc_info)
            sent["status"], sent["headers"] = status, list(headers)
            return _unused_write

        app_iter = self.wsgi_app(environ, capture)
        token, verdict = environ.get(TOKEN), environ.get(CACHEABLE)
        if environ.get(REVALIDATED) and token is not None:
            self.store.put(key, replace(environ[STALE], token=token))
        elif verdict is not None and token is not None and sent.get("status", "").startswith("200"):
            stored = self._keep(
                key, token, verdict, sent["headers"], app_iter, environ.get(REVISION)
            )
            return self._answer(environ, start_response, stored)
        if not sent.get("passed"):
            start_response(sent["status"], sent["headers"])
        return app_iter

    def _keep(self, key: tuple, token, verdict, headers, app_iter, revision=None) -> Stored:
        try:
            body = b"".join(app_iter)
        finally:
            if hasattr(app_iter, "close"):
                app_iter.close()
        etag, last_modified = verdict
        compressible = _compressible(headers, body)
        if compressible:
            headers = _vary_on_encoding(headers)
        stored = Stored(token, etag, last_modified, headers, body, compressible, revision=revision)
        if len(body) <= LARGEST_BYTES and not any(k.lower() == "set-cookie" for k, _ in headers):
            self.store.put(key, stored)
            if self.shared is not None and revision is not None:
                self._share(key, stored, revision)
        return stored

    def _share(self, key: tuple, stored: Stored, revision: str) -> None:
        """Offer what this worker rendered to the others."""
        assert self.shared is not None
        entry = Entry(
            stored.etag,
            stored.last_modified,
            stored.headers,
            stored.body,
            stored.compressible,
            revision,
        )
        self.shared.put(key, entry)


def _cookies(environ) -> dict:
    """The request's cookies; a header that is not UTF-8 (a broken or hostile client) is read
    without its non-ASCII bytes rather than failing the request: the names that matter here
    (the language and the private cookies) are ASCII."""
    header = environ.get("HTTP_COOKIE")
    if not header:
        return {}
    try:
        return parse_cookie(environ)
    except UnicodeDecodeError:
        return parse_cookie(header.encode("latin-1", "replace").decode("ascii", "ignore"))


def _compressible(headers: list[tuple[str, str]], body: bytes) -> bool:
    """Worth compressing: text of some size, not compressed already."""
    content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
    return (
        len(body) >= COMPRESS_AT_LEAST
        and content_type.startswith(_COMPRESSIBLE)
        and not any(k.lower() == "content-encoding" for k, _ in headers)
    )


def _vary_on_encoding(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The stored headers with `Accept-Encoding` in `Vary`: the body now depends on it."""
    vary = [v for k, v in headers if k.lower() == "vary"]
    others = [(k, v) for k, v in headers if k.lower() != "vary"]
    values = [part.strip() for value in vary for part in value.split(",") if part.strip()]
    if "accept-encoding" not in {value.lower() for value in values}:
        values.append("Accept-Encoding")
    return [*others, ("Vary", ", ".join(values))]


@lru_cache(maxsize=1024)  # browsers send few distinct headers
def _coding(accept_encoding: str | None) -> str | None:
    """The coding the visitor prefers among those we make (brotli first when they tie)."""
    if not accept_encoding:
        return None
    accepted = parse_accept_header(accept_encoding)
    best = max(_CODINGS, key=lambda coding: accepted[coding])
    return best if accepted[best] > 0 else None


def _unused_write(data: bytes) -> None:
    raise RuntimeError("the app must return its body, not write it")


def _public_revision(app: Flask):
    from ..extensions import db
    from ..queries.public import public_revision

    with app.app_context():
        try:
            return public_revision()
        finally:
            db.session.remove()


def install(app: Flask) -> None:
    """Put the middleware in front of the app (inside ProxyFix, installed later, so that the
    URL it keys on is the one the visitor asked for)."""
    from ..extensions import db
    from . import shared

    with app.app_context():
        watcher = Watcher(db.engine)
    private = {
        app.config["SESSION_COOKIE_NAME"],
        app.config.get("REMEMBER_COOKIE_NAME", "remember_token"),
    }
    middleware = PublicResponses(
        app.wsgi_app,
        watcher,
        private,
        languages=tuple(app.config["LANGUAGES"]),
        default_language=app.config["BABEL_DEFAULT_LOCALE"],
        revision=lambda: _public_revision(app),
        shared=shared.for_app(app),
    )
    app.wsgi_app = middleware  # type: ignore[method-assign]  # Flask's documented way
    app.extensions["assess_public_responses"] = middleware
