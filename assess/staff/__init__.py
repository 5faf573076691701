"""The staff side (/staff/): queues, country pages, the editor and the review screen."""

from flask import Flask

from . import audit, country, editor, matrix, notifications, queues, review, views  # noqa: F401  (each adds its routes to `bp`)
from .blueprint import bp


def register(app: Flask) -> None:
    app.register_blueprint(bp)
