"""Generic error pages: a title and a sentence, never a traceback or an internal detail."""

from contextlib import suppress

from flask import Flask, current_app, g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

from . import organisation
from .database import is_unavailable
from .extensions import db, login_manager

RETRY_AFTER_SECONDS = 30


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood.")),
        403: (_("Access denied"), _("You do not have permission to do this.")),
        404: (_("Page not found"), _("There is no page at this address.")),
        405: (_("Not allowed"), _("This page cannot be used that way.")),
        409: (_("Conflict"), _("Someone else changed this in the meantime. Reload and retry.")),
        413: (
            _("Too large"),
            _("What you sent is larger than this site accepts. Send less and try again."),
        ),
        429: (_("Too many requests"), _("Wait a moment and try again.")),
        500: (_("Something went wrong"), _("Sorry, this page could not be shown.")),
        503: (
            _("Temporarily unavailable"),
            _("The site cannot reach its database at the moment. Please try again in a minute."),
        ),
    }


def render_error(code: int, message: str | None = None) -> tuple[str, int] | Response:
    if request.url_rule is None and request.routing_exception is not None and _bad_host():
        # A refused or malformed Host header: no URL can be built for it, so answer in plain text.
        return Response("Bad request: unknown host.\n", 400, mimetype="text/plain")
    title, default = _messages().get(code, (_("Error"), _("Sorry, this page could not be shown.")))
    return render_template("error.html", code=code, title=title, message=message or default), code


def _bad_host() -> bool:
    from werkzeug.exceptions import BadHost, SecurityError

    return isinstance(request.routing_exception, SecurityError | BadHost)


_SQLITE_UNAVAILABLE = ("readonly database", "unable to open", "database is locked", "disk i/o")


def database_refuses(error: BaseException) -> bool:
    """The database cannot be reached or written (an operator's matter: a read-only file, a
    standby), as opposed to a statement that is wrong (a bug, still a 500)."""
    orig = getattr(error, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate:
        # 25006 read-only transaction (a standby), 08 connection, 53 resources, 57P shutdown.
        return sqlstate == "25006" or sqlstate.startswith(("08", "53", "57P"))
    if type(orig).__module__.startswith("psycopg"):
        return isinstance(error, OperationalError)  # no SQLSTATE: the connection itself failed
    return isinstance(error, OperationalError) and any(
        reason in str(orig).lower() for reason in _SQLITE_UNAVAILABLE
    )


def _is_client_error(error: Exception) -> bool:
    """A body the server could not read (gunicorn's malformed chunked encoding, a client that
    hung up): the client's fault, answered 400 rather than logged as the app's."""
    try:
        from gunicorn.http.errors import ParseException
    except ImportError:  # pragma: no cover - gunicorn is a dependency
        return False
    return isinstance(error, ParseException | OSError) and not isinstance(error, OperationalError)


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if isinstance(error, InternalServerError):
            return server_error(error)
        return render_error(error.code or 500)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        message = _("The form has expired or did not come from this site. Reload it and try again.")
        return render_error(400, message)

    @app.errorhandler(DBAPIError)
    def database_error(error: DBAPIError):
        """The database refuses (read-only file, server down or in recovery): 503, not 500."""
        if is_unavailable(error) or database_refuses(error):
            return database_unavailable(error)
        return server_error(error)

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        if is_unavailable(error):
            return database_unavailable(error)
        # The failed request's transaction must not leak into the error page or the next request.
        db.session.rollback()
        if _is_client_error(error):
            return render_error(400)
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)


def database_unavailable(error: Exception) -> Response:
    """503 with Retry-After, for anyone: the page is made without the database. The signed-in
    user cannot be loaded (or their roles checked) now, so the page is drawn as for a visitor;
    the session itself is left as it is."""
    with suppress(Exception):
        db.session.rollback()
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()
    current_app.logger.error(
        "database unavailable on %s %s: %s %s",
        request.method,
        request.path,
        type(error).__name__,
        reason[0] if reason else "",
    )
    g._login_user = login_manager.anonymous_user()
    organisation.without_database()
    if request.blueprint == "api":  # the API answers JSON, errors included
        title, message = _messages()[503]
        response = make_response(jsonify(error=title, message=message), 503)
    else:
        response = make_response(render_error(503))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response
