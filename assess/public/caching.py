"""HTTP validators for everything public: an `ETag` and `Last-Modified` derived from the database,
so that every worker on every host agrees, and conditional requests answered with 304 before any
page is rendered.

The validator changes whenever anything public may have changed (see `queries.public_revision`),
with the code that renders it, and with the language the page is served in.

Each process also keeps the last pages it rendered, keyed by that validator and the URL: an entry
is only ever found while the database still says nothing public changed, so no worker can serve a
stale page from it, and a page costs one small query instead of a render.
"""

import hashlib
import threading
from collections import OrderedDict
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, current_app, g, request
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.http import is_resource_modified

from .. import PACKAGE_DIR, queries, resource_dir

CACHEABLE_METHODS = frozenset({"GET", "HEAD"})
# Bounded in bytes, not entries: query strings can make any number of distinct URLs.
MEMO_BYTES = 32 * 1024 * 1024
MEMO_MAX_BYTES = 2 * 1024 * 1024


class RenderedPages:
    """A thread-safe memo of rendered responses, least recently used first out:
    key -> (body, mimetype, headers)."""

    def __init__(self, capacity: int = MEMO_BYTES) -> None:
        self.capacity = capacity
        self.used = 0
        self._entries: OrderedDict[tuple, tuple] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> tuple | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: tuple, value: tuple) -> None:
        with self._lock:
            replaced = self._entries.pop(key, None)
            if replaced is not None:
                self.used -= len(replaced[0])
            self._entries[key] = value
            self.used += len(value[0])
            while self.used > self.capacity:
                _, evicted = self._entries.popitem(last=False)
                self.used -= len(evicted[0])


def _memo() -> RenderedPages:
    return current_app.extensions.setdefault("assess_rendered_pages", RenderedPages())


def _memo_key() -> tuple:
    # The whole URL: pages carry absolute links built from the host they were asked on.
    return (validators()[0], request.url)


def register(blueprint: Blueprint) -> None:
    blueprint.before_request(answer_not_modified)
    blueprint.after_request(add_validators)


@cache
def code_revision() -> str:
    """A digest of the code and templates that render public pages: a deployment changes it.
    The same files give the same digest in every process, so workers still agree."""
    digest = hashlib.sha256()
    folders = [PACKAGE_DIR, Path(resource_dir("templates")), Path(resource_dir("static"))]
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix in {".py", ".html", ".css", ".js", ".txt"} and path.is_file():
                digest.update(path.relative_to(folder).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def validators() -> tuple[str, object]:
    """(ETag, Last-Modified) of the public site as it is now, computed once per request."""
    if "public_validators" not in g:
        revision = queries.public_revision()
        source = "\n".join([revision.key, str(get_locale()), code_revision()])
        etag = hashlib.sha256(source.encode()).hexdigest()[:32]
        g.public_validators = (etag, revision.last_modified)
    return g.public_validators


def _is_cacheable() -> bool:
    # Signed-in staff see their own header (and a CSRF token): never cached, never validated.
    return request.method in CACHEABLE_METHODS and not current_user.is_authenticated


def _stamp(response: Response) -> Response:
    etag, last_modified = validators()
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified
    # Stored by anyone, but always revalidated: an approval shows up at once.
    response.cache_control.public = True
    response.cache_control.no_cache = True
    # The language comes from Accept-Language or a cookie; the validator includes it.
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response


def answer_not_modified() -> Response | None:
    if not _is_cacheable():
        return None
    etag, last_modified = validators()
    if is_resource_modified(request.environ, etag=etag, last_modified=last_modified):
        remembered = _memo().get(_memo_key())
        if remembered is None:
            return None
        body, mimetype, headers = remembered
        return current_app.response_class(body, mimetype=mimetype, headers=headers)
    return _stamp(current_app.response_class(status=304))


def add_validators(response: Response) -> Response:
    if not _is_cacheable() or response.status_code != 200:
        return response
    if "ETag" not in response.headers:
        _remember(response)
    return _stamp(response)


def _remember(response: Response) -> None:
    if request.method != "GET" or response.direct_passthrough or response.is_streamed:
        return
    body = response.get_data()
    if len(body) <= MEMO_MAX_BYTES:
        headers = [(k, v) for k, v in response.headers if k == "Content-Disposition"]
        _memo().put(_memo_key(), (body, response.mimetype, headers))
