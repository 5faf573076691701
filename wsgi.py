"""Entry point for gunicorn from a checkout: `gunicorn wsgi:app` (installed: `assess.wsgi:app`)."""

from assess.wsgi import app

__all__ = ["app"]
