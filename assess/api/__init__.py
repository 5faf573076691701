"""The read-only JSON API (`/api/v1/`), described by the OpenAPI document it serves."""

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask

from ..public import caching
from ..public.data import open_to_every_origin
from . import as_of, views

bp = Blueprint("api", __name__, url_prefix="/api/v1")

ROUTES: list[tuple[str, Callable[..., Any]]] = [
    ("/", views.root),
    ("/openapi.json", views.openapi),
    ("/countries", views.countries),
    ("/countries/<iso2>", views.country),
    ("/countries/<iso2>/assessments/<slug>", views.assessment),
    ("/countries/<iso2>/assessments/<slug>/versions/<int:number>", views.version),
    ("/indicators", views.indicators),
    ("/indicators/<slug>", views.indicator),
    # Anything else under the prefix is a JSON 404, not the site's HTML error page.
    ("/<path:anything>", views.not_found),
]

for rule, view in ROUTES:
    bp.add_url_rule(rule, view_func=view)
bp.register_error_handler(404, views.error)
caching.register(bp)
bp.after_request(open_to_every_origin)  # CORS and the data licence, as on /data/
as_of.register(bp)


def register(app: Flask) -> None:
    app.register_blueprint(bp)
