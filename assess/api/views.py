"""API views: each answers JSON built from the same public records as the open-data downloads."""

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, NotFound

from ..models import Status
from ..presentation import absolute_url
from ..queries import opendata, talkback
from ..queries import public as queries
from .openapi import document

MAX_NUMBER = 2**31 - 1


def error(exception: HTTPException):
    return jsonify(error=exception.name, message=exception.description), exception.code


def not_found(anything: str):
    raise NotFound(_("No such resource in this API."))


def root():
    return jsonify(
        countries=absolute_url(url_for("api.countries")),
        indicators=absolute_url(url_for("api.indicators")),
        openapi=absolute_url(url_for("api.openapi")),
        downloads=absolute_url(url_for("public.downloads")),
    )


def openapi():
    return jsonify(document())


def _country(iso2: str):
    found = queries.country_by_code(iso2)
    if found is None:
        raise NotFound(_("No country with this ISO 3166-1 alpha-2 code."))
    return found


def _indicator(slug: str):
    found = queries.indicator_by_slug(slug)
    if found is None:
        raise NotFound(_("No indicator with this slug."))
    return found


def countries():
    region = request.args.get("region") or None
    return jsonify(
        countries=[
            {**opendata.country_record(s.country), "summary": dict(sorted(s.counts.items()))}
            for s in queries.country_summaries(region)
        ]
    )


def country(iso2: str):
    found = _country(iso2)
    profile = queries.profile(found)
    return jsonify(
        {
            **opendata.country_record(found),
            "last_updated": opendata.iso(profile.last_updated),
            "assessments": [_row_record(found, row) for row in profile.rows],
            "members": [
                {"name": m.name, "description": m.description, "url": m.url}
                for m in profile.members
            ],
            "facts": [f.text for f in profile.facts],
            "resources": [
                {"publisher": r.publisher, "title": r.title, "year": r.year, "url": r.url}
                for r in profile.resources
            ],
            "news": [
                {"title": n.title, "body": n.body, "url": n.url, "date": n.published_on.isoformat()}
                for n in profile.news
            ],
        }
    )


def _row_record(found, row) -> dict:
    return {
        "indicator": row.indicator.slug,
        "status": row.status,
        "current_version": row.version.number if row.version else None,
        "last_updated": opendata.iso(row.updated_at),
        "url": absolute_url(
            url_for("api.assessment", iso2=found.iso2.lower(), slug=row.indicator.slug)
        ),
    }


def assessment(iso2: str, slug: str):
    found, indicator = _country(iso2), _indicator(slug)
    history = queries.history(found, indicator)
    current = history.current
    replies = talkback.published_replies(history.assessment.id if history.assessment else None)
    return jsonify(
        country=opendata.country_record(found),
        indicator=opendata.indicator_record(indicator),
        status=current.status if current else Status.NOT_ASSESSED.value,
        current_version=current.number if current else None,
        last_updated=opendata.iso(history.assessment.public_updated_at)
        if history.assessment
        else None,
        versions=[opendata.version_record(found, indicator, v) for v in history.versions],
        replies=[opendata.reply_record(found, indicator, r) for r in replies],
    )


def version(iso2: str, slug: str, number: int):
    found, indicator = _country(iso2), _indicator(slug)
    shown = queries.history(found, indicator).number(number) if number <= MAX_NUMBER else None
    if shown is None:
        raise NotFound(_("No published version with this number."))
    return jsonify(opendata.version_record(found, indicator, shown))


def indicators():
    return jsonify(indicators=[opendata.indicator_record(i) for i in queries.active_indicators()])


def indicator(slug: str):
    found = _indicator(slug)
    return jsonify(
        {
            **opendata.indicator_record(found),
            "countries": [
                {
                    "iso2": row.country.iso2,
                    "name": row.country.name,
                    "status": row.status,
                    "current_version": row.version.number if row.version else None,
                    "last_updated": opendata.iso(
                        row.assessment.public_updated_at if row.assessment else None
                    ),
                }
                for row in queries.indicator_statuses(found)
            ],
        }
    )
