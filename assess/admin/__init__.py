"""Administration (/admin/) and the account pages (/account/)."""

from flask import Flask

from . import account, common, framework, home, imports, jobs, profile, users  # noqa: F401  (routes)
from .blueprint import account_bp, bp
from .cli import import_assessments_command


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(account_bp)
    app.cli.add_command(import_assessments_command)
