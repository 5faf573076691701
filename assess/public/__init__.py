"""The public site (SPEC §4): no login, published versions only, stable URLs that get cited."""

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask

from .. import citations
from ..queries import evidence
from . import (
    caching,
    cite,
    compare,
    countries,
    data,
    follow,
    helpers,
    indicators,
    pages,
    revisions,
    search,
    seo,
    sitemap,
    talkback,
)
from .files import files_bp

bp = Blueprint("public", __name__)

# URL -> view: the public site's table of contents. These URLs are cited: never change one.
ROUTES: list[tuple[str, Callable[..., Any]]] = [
    ("/", countries.index),
    ("/countries/", countries.country_list),
    ("/countries/<iso2>", countries.country),
    ("/countries/<iso2>/<slug>", countries.assessment),
    ("/countries/<iso2>/<slug>/v/<int:number>", countries.version),
    ("/countries/<iso2>/<slug>/v/<int:number>/cite.<any(bib, ris, json):fmt>", cite.citation_file),
    ("/indicators/", indicators.indicator_list),
    ("/indicators/<slug>", indicators.indicator),
    ("/indicators/<slug>/revisions/<int:number>", revisions.indicator_revision),
    ("/data/", data.downloads),
    ("/data/assessments.csv", data.csv_download),
    ("/data/assessments.json", data.json_download),
    ("/data/replies.csv", data.replies_csv_download),
    ("/data/datapackage.json", data.datapackage_json),
    ("/data/releases/", data.release_list),
    ("/data/releases/<name>/", data.release),
    ("/data/releases/<name>/<filename>", data.release_file),
    ("/search", search.search_page),
    ("/compare", compare.compare),
    ("/methodology", pages.methodology),
    ("/methodology/changes", revisions.methodology_changes),
    ("/about", pages.about),
    ("/contact", pages.contact),
    ("/brand.css", pages.brand_css),
    ("/feed.atom", follow.feed),
    ("/countries/<iso2>/feed.atom", follow.country_feed),
    ("/sitemap.xml", sitemap.sitemap),
    ("/robots.txt", sitemap.robots),
]

for rule, view in ROUTES:
    bp.add_url_rule(rule, view_func=view)
caching.register(bp)
seo.register(bp)
bp.after_request(data.open_to_every_origin)
bp.add_app_template_global(pages.status_meaning)
bp.add_app_template_global(revisions.definition_changed)
bp.add_app_template_global(citations.record, "citation_record")
bp.add_app_template_global(citations.text, "citation_full_text")
bp.add_app_template_global(citations.meta_tags, "citation_meta_tags")
bp.add_app_template_global(citations.profile_text, "profile_citation")
bp.add_app_template_global(helpers.today, "today")
bp.add_app_template_global(evidence.footing, "evidence_footing")


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    # Resource files: public, but not pages (no public-cache validators).
    app.register_blueprint(files_bp)
    # Suggest a correction: a form with a CSRF token, never cached.
    app.register_blueprint(talkback.bp)
