"""Countries: the home page, the list, a profile, one assessment with its history, one version."""

from flask import (
    abort,
    redirect,
    render_template,
    request,
    url_for,
)

from .. import queries
from ..models import Country, Indicator, Resource
from ..services import uploads
from .helpers import map_entries


def index():
    indicators = queries.active_indicators()
    chosen = _chosen_indicator(indicators, request.args.get("indicator"))
    summaries = queries.country_summaries()
    countries = [s.country for s in summaries]
    statuses = queries.statuses_by_country(chosen) if chosen else {}
    return render_template(
        "public/index.html",
        indicators=indicators,
        chosen=chosen,
        entries=map_entries(countries, statuses),
        statuses=statuses,
        summaries=summaries,
    )


def _chosen_indicator(indicators: list[Indicator], slug: str | None) -> Indicator | None:
    return next((i for i in indicators if i.slug == slug), indicators[0] if indicators else None)


def country_list():
    regions = queries.regions()
    region = request.args.get("region") or None
    if region not in regions:
        region = None
    return render_template(
        "public/countries.html",
        regions=regions,
        region=region,
        summaries=queries.country_summaries(region),
        indicator_count=len(queries.active_indicators()),
    )


def _country_or_404(iso2: str) -> Country:
    country = queries.country_by_code(iso2)
    if country is None:
        abort(404)
    return country


def _indicator_or_404(slug: str) -> Indicator:
    indicator = queries.indicator_by_slug(slug)
    if indicator is None:
        abort(404)
    return indicator


def _canonical(iso2: str, endpoint: str, **values):
    """Country codes are cited in lower case: /countries/KZ answers with a permanent redirect."""
    if iso2 != iso2.lower():
        return redirect(url_for(endpoint, iso2=iso2.lower(), **values), 301)
    return None


def country(iso2: str):
    found = _country_or_404(iso2)
    if redirected := _canonical(iso2, "public.country"):
        return redirected
    return render_template(
        "public/country.html", profile=queries.profile(found), resource_href=resource_href
    )


def assessment(iso2: str, slug: str):
    found = _country_or_404(iso2)
    indicator = _indicator_or_404(slug)
    if redirected := _canonical(iso2, "public.assessment", slug=slug):
        return redirected
    history = queries.history(found, indicator)
    if indicator.is_retired and not history.versions:
        abort(404)
    return render_template("public/assessment.html", history=history)


def version(iso2: str, slug: str, number: int):
    found = _country_or_404(iso2)
    indicator = _indicator_or_404(slug)
    if redirected := _canonical(iso2, "public.version", slug=slug, number=number):
        return redirected
    history = queries.history(found, indicator)
    shown = history.number(number)
    if shown is None:
        abort(404)
    return render_template("public/version.html", history=history, version=shown)


def resource_href(country: Country, resource: Resource) -> str:
    """Where an uploaded resource downloads from: the file store's route (`assess/admin/files.py`)."""
    name = uploads.download_name(resource.title, resource.file_name)
    return url_for("files.resource_file", resource_id=resource.id, filename=name)


def resource_on_disk(resource: Resource) -> bool:
    return uploads.exists(resource.file_name)
