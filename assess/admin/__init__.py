"""Administration (/admin/) and the account pages (/account/)."""

from flask import Flask

from . import (  # noqa: F401  (routes)
    account,
    common,
    cycles,
    framework,
    framework_review,
    home,
    imports,
    jobs,
    organisation,
    profile,
    profile_translate,
    users,
)
from .blueprint import account_bp, bp
from .cli import import_assessments_command


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(account_bp)
    app.cli.add_command(import_assessments_command)
