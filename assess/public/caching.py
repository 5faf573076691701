"""HTTP validators for everything public: an `ETag` and `Last-Modified` derived from the database,
so that every worker on every host agrees, and conditional requests answered with 304 before any
page is rendered.

The validator changes whenever anything public may have changed (see `queries.public_revision`),
with the code that renders it, and with the language the page is served in.

Repeat requests from anonymous visitors do not even reach this module: `fastpath` answers them
from the responses this module marks as cacheable.
"""

import hashlib
from datetime import datetime
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, current_app, g, request
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.http import is_resource_modified

from .. import PACKAGE_DIR, resource_dir
from ..queries import public as queries
from . import fastpath, helpers

CACHEABLE_METHODS = frozenset({"GET", "HEAD"})


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
            if path.suffix in {".py", ".html", ".mo", ".css", ".js", ".txt"} and path.is_file():
                digest.update(path.relative_to(folder).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def validators() -> tuple[str, datetime | None]:
    """(ETag, Last-Modified) of the public site as it is now, computed once per request."""
    if "public_validators" not in g:
        # The public response store may have asked already, for this request's token.
        revision = request.environ.get(fastpath.ASKED) or queries.public_revision()
        # The day too: what pages show depends on it (a citation's access date, "Last reviewed
        # on …" once a review is overdue, `staleness`), and a page kept from yesterday is not
        # today's even if nothing was committed since.
        day = helpers.today().date().isoformat()
        source = "\n".join([revision.key, str(get_locale()), code_revision(), day])
        etag = hashlib.sha256(source.encode()).hexdigest()[:32]
        g.public_validators = (etag, revision.last_modified)
        g.public_revision_key = revision.key
    return g.public_validators


def revision_key() -> str | None:
    """The public revision this request was validated against, if it was (public pages seen
    anonymously): what may key data kept across requests."""
    return g.get("public_revision_key")


def _is_cacheable() -> bool:
    # Signed-in staff see their own header (and a CSRF token): never cached, never validated.
    # A static copy (`assess freeze`) keeps the bodies only: no validators to compute.
    return (
        request.method in CACHEABLE_METHODS
        and not current_user.is_authenticated
        and not current_app.config.get("FREEZING")
    )


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
    token = current_app.extensions["assess_public_responses"].read_token(request.environ)
    etag, last_modified = validators()
    stale = request.environ.get(fastpath.STALE)
    still_current = stale is not None and stale.etag == etag
    if still_current:
        # Something was committed since the response was stored, but nothing public changed.
        request.environ[fastpath.REVALIDATED] = True
    if is_resource_modified(request.environ, etag=etag, last_modified=last_modified):
        if stale is not None and still_current:
            return current_app.response_class(stale.body, headers=stale.headers)
        return None
    if stale is None and request.method == "GET" and token is not None:
        # Not modified, but this worker has not kept the page yet: render it once so that the
        # next conditional requests cost nothing; `fastpath` still answers this one with a 304.
        return None
    return _stamp(current_app.response_class(status=304))


def add_validators(response: Response) -> Response:
    if not _is_cacheable() or response.status_code != 200:
        return response
    if "ETag" not in response.headers:
        _remember(response)
    return _stamp(response)


def _remember(response: Response) -> None:
    """Tell `fastpath` it may keep this response for the next anonymous visitors."""
    if request.method == "GET" and not (response.direct_passthrough or response.is_streamed):
        request.environ[fastpath.CACHEABLE] = validators()
        request.environ[fastpath.REVISION] = revision_key()
