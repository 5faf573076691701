"""Signing in and out, and changing one's password (/auth/)."""

from flask import Flask

from . import expiry, views  # noqa: F401  (each adds its routes to `bp`)
from .blueprint import bp


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    expiry.register(app)
