"""The public site (SPEC §4): no login, published versions only, stable URLs that get cited."""

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask

from . import caching, countries, data, indicators
from .files import files_bp

bp = Blueprint("public", __name__)

# URL -> view: the public site's table of contents. These URLs are cited: never change one.
ROUTES: list[tuple[str, Callable[..., Any]]] = [
    ("/", countries.index),
    ("/countries/", countries.country_list),
    ("/countries/<iso2>", countries.country),
    ("/countries/<iso2>/<slug>", countries.assessment),
    ("/countries/<iso2>/<slug>/v/<int:number>", countries.version),
    ("/indicators/", indicators.indicator_list),
    ("/indicators/<slug>", indicators.indicator),
    ("/data/", data.downloads),
    ("/data/assessments.csv", data.csv_download),
    ("/data/assessments.json", data.json_download),
]

for rule, view in ROUTES:
    bp.add_url_rule(rule, view_func=view)
caching.register(bp)


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    # Resource files: public, but not pages (no public-cache validators).
    app.register_blueprint(files_bp)
