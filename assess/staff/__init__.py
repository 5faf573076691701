"""The staff side (/staff/): queues, country pages, the editor and the review screen."""

from flask import Flask

from . import (  # noqa: F401  (each adds its routes to `bp`)
    audit,
    country,
    dashboard,
    editor,
    evidence,
    imports,
    matrix,
    notifications,
    queues,
    replies,
    review,
    suggestions,
    views,
)
from .blueprint import bp


def register(app: Flask) -> None:
    app.register_blueprint(bp)
