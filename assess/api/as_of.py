"""`?as_of=YYYY-MM-DD` on the API: what was public at the end of that day (UTC), for a country,
one of its assessments, or an indicator across countries. Answered before the ordinary view, so
that the views of what is public now stay as they are."""

from datetime import date

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from .. import releases
from ..models import Assessment, Status
from ..queries import opendata, talkback
from ..queries import public as queries
from .views import _country, _indicator

SUPPORTED = {"api.country", "api.assessment", "api.indicator"}


def register(blueprint: Blueprint) -> None:
    blueprint.before_request(answer_as_of)
    blueprint.register_error_handler(
        400, lambda e: (jsonify(error=e.name, message=e.description), 400)
    )


def _day() -> date | None:
    raw = request.args.get("as_of")
    if raw is None:
        return None
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(_("as_of must be a date written YYYY-MM-DD.")) from None


def _record(country, indicator, version) -> dict:
    if version is None:
        return {"indicator": indicator.slug, "status": Status.NOT_ASSESSED.value, "version": None}
    return {
        "indicator": indicator.slug,
        "status": version.status,
        "version": opendata.version_record(country, indicator, version),
    }


def answer_as_of():
    if request.endpoint not in SUPPORTED:
        return None
    day = _day()
    if day is None:
        return None
    args = request.view_args or {}
    if request.endpoint == "api.indicator":
        indicator = _indicator(args["slug"])
        shown = releases.public_on(day, Assessment.indicator_id == indicator.id)
        by_country = {v.assessment.country_id: v for v in shown.values()}
        return jsonify(
            as_of=day.isoformat(),
            indicator=opendata.indicator_record(indicator),
            countries=[
                {"iso2": c.iso2, "name": c.name, "status": by_country[c.id].status if c.id in by_country else Status.NOT_ASSESSED.value,
                 "version": by_country[c.id].number if c.id in by_country else None}
                for c in queries.countries()
            ],
        )  # fmt: skip
    country = _country(args["iso2"])
    shown = releases.public_on(day, Assessment.country_id == country.id)
    by_indicator = {v.assessment.indicator_id: v for v in shown.values()}
    if request.endpoint == "api.assessment":
        indicator = _indicator(args["slug"])
        version = by_indicator.get(indicator.id)
        replies = talkback.replies_public_at(releases.end_of(day), country.id, indicator.id)
        return jsonify(
            as_of=day.isoformat(),
            country=opendata.country_record(country),
            **_record(country, indicator, version),
            replies=[opendata.reply_record(country, indicator, r) for r in replies],
        )
    return jsonify(
        as_of=day.isoformat(),
        **opendata.country_record(country),
        assessments=[
            _record(country, i, by_indicator.get(i.id)) for i in queries.active_indicators()
        ],
    )
