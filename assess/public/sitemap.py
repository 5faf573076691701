"""For search engines: `/sitemap.xml` (every public page, with the date it last changed) and
`/robots.txt`."""

from datetime import datetime
from xml.sax.saxutils import escape

from flask import current_app, url_for
from sqlalchemy import func, select

from .. import organisation
from ..extensions import db
from ..models import Assessment, Country, Indicator, Version
from ..queries import public as queries
from ..workflow import PUBLIC_STATES
from .helpers import absolute_url

STATIC_PAGES = ("index", "country_list", "indicator_list", "downloads", "methodology", "compare")


def _entries() -> list[tuple[str, datetime | None]]:
    """(path, last modified): four statements, whatever the number of countries or versions."""
    updated = dict(
        db.session.execute(
            select(Assessment.country_id, func.max(Assessment.public_updated_at)).group_by(
                Assessment.country_id
            )
        ).all()
    )
    by_assessment = {
        (iso2.lower(), slug): when
        for iso2, slug, when in db.session.execute(
            select(Country.iso2, Indicator.slug, Assessment.public_updated_at)
            .join(Country, Country.id == Assessment.country_id)
            .join(Indicator, Indicator.id == Assessment.indicator_id)
            .where(Assessment.public_updated_at.is_not(None))
        )
    }
    latest = max((d for d in updated.values() if d), default=None)
    entries: list[tuple[str, datetime | None]] = [
        (url_for(f"public.{name}"), latest) for name in STATIC_PAGES
    ]
    config_pages = organisation.current().pages
    entries += [
        (url_for(f"public.{name}"), None) for name in ("about", "contact") if config_pages.get(name)
    ]
    indicators = queries.active_indicators()
    entries += [(url_for("public.indicator", slug=i.slug), latest) for i in indicators]
    for country in queries.countries():
        iso2 = country.iso2.lower()
        entries.append((url_for("public.country", iso2=iso2), updated.get(country.id)))
        for indicator in indicators:
            when = by_assessment.get((iso2, indicator.slug))
            entries.append((url_for("public.assessment", iso2=iso2, slug=indicator.slug), when))
    for iso2, slug, number, published, retracted in db.session.execute(
        select(
            Country.iso2, Indicator.slug, Version.number, Version.published_at, Version.retracted_at
        )
        .join(Assessment, Assessment.id == Version.assessment_id)
        .join(Country, Country.id == Assessment.country_id)
        .join(Indicator, Indicator.id == Assessment.indicator_id)
        .where(Version.state.in_([s.value for s in PUBLIC_STATES]))
        .order_by(Country.iso2, Indicator.slug, Version.number)
    ):
        path = url_for("public.version", iso2=iso2.lower(), slug=slug, number=number)
        entries.append((path, retracted or published))
    return entries


def sitemap():
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']  # fmt: skip
    for path, when in _entries():
        lastmod = f"<lastmod>{when.date().isoformat()}</lastmod>" if when else ""
        lines.append(f"<url><loc>{escape(absolute_url(path))}</loc>{lastmod}</url>")
    lines.append("</urlset>\n")
    return current_app.response_class("\n".join(lines), mimetype="application/xml")


def robots():
    body = "\n".join([
        "User-agent: *",
        "Disallow: /staff/",
        "Disallow: /admin/",
        "Disallow: /auth/",
        "Disallow: /search",
        f"Sitemap: {absolute_url(url_for('public.sitemap'))}",
        "",
    ])  # fmt: skip
    return current_app.response_class(body, mimetype="text/plain")
