from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .extensions import db


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return render_template("error.html", code=error.code, title=error.name), error.code

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        message = _("The form has expired or did not come from this site. Reload it and try again.")
        return render_template("error.html", code=400, title=_("Bad request"), message=message), 400

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error")
        return render_template("error.html", code=500, title=_("Something went wrong")), 500
