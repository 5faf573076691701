"""The public site (SPEC §4): no login, published versions only, stable URLs that get cited."""

from flask import Blueprint

from . import caching, countries, data, helpers, indicators, search

bp = Blueprint("public", __name__)

# URL -> view: the public site's table of contents. These URLs are cited: never change one.
ROUTES = [
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
    ("/search", search.search_page),
]

for rule, view in ROUTES:
    bp.add_url_rule(rule, view_func=view)
caching.register(bp)
helpers.register(bp)
