"""Countries: the home page, the list, a profile, one assessment with its history, one version."""

from types import SimpleNamespace

from flask import (
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import inspect

from ..models import Country, Indicator, Resource
from ..queries import public as queries
from ..services import uploads
from . import caching
from .fragments import fragments
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
    profile = queries.profile(
        found, details=False, content=_profile_content(found), indicators=_indicators()
    )
    return render_template(
        "public/country.html",
        profile=profile,
        sections=indicator_sections(profile),
        resource_href=resource_href,
    )


def indicator_sections(profile: queries.Profile) -> list[Markup]:
    """Each indicator's section of the profile, rendered once per version shown and language
    (`fragments`); only the versions not yet rendered are loaded with their citations."""
    store = fragments()
    language = str(get_locale())
    keys = [_section_key(profile.country, row, language) for row in profile.rows]
    held = [store.get(key) for key in keys]
    queries.load_version_details(
        [
            row.version
            for row, piece in zip(profile.rows, held, strict=True)
            if piece is None and row.version
        ]
    )
    template = current_app.jinja_env.get_template("public/_profile_indicator.html")
    return [
        piece
        if piece is not None
        else store.put(key, Markup(template.render(row=row, country=profile.country)))  # noqa: S704 - autoescaped template
        for row, key, piece in zip(profile.rows, keys, held, strict=True)
    ]


def _profile_content(country: Country) -> queries.ProfileContent | None:
    """The country's members, facts, resources and news as of this request's public revision,
    loaded once per revision (as plain copies: nothing tied to a database session is kept)."""
    revision = caching.revision_key()
    if revision is None:
        return None
    return fragments().get_or_make(
        ("profile-content", country.id, revision),
        lambda: _copied(queries.profile_content(country)),
        size=lambda content: 512 * (1 + content.size),
    )


def _indicators() -> list | None:
    """The active indicators as of this request's public revision (the framework's changes are
    part of it), loaded once per revision, as plain copies."""
    revision = caching.revision_key()
    if revision is None:
        return None
    return fragments().get_or_make(
        ("active-indicators", revision),
        lambda: _copies(queries.active_indicators()),
        size=lambda indicators: 2048 * (1 + len(indicators)),
    )


def _copied(content: queries.ProfileContent) -> queries.ProfileContent:
    return queries.ProfileContent(
        _copies(content.members),
        _copies(content.facts),
        _copies(content.resources),
        _copies(content.news),
    )


def _copies(rows: list) -> list[SimpleNamespace]:
    """Rows as plain objects with their columns' values: safe to keep across requests."""
    return [
        SimpleNamespace(**{c.key: getattr(row, c.key) for c in inspect(row).mapper.column_attrs})
        for row in rows
    ]


def _section_key(country: Country, row: queries.IndicatorRow, language: str) -> tuple:
    """Everything an indicator's section shows: the version (immutable once public), the
    withdrawn one, the indicator's title, the date, the language."""
    return (
        "profile-indicator",
        language,
        country.iso2,
        row.indicator.id,
        row.indicator.slug,
        row.indicator.title,
        row.version.id if row.version else None,
        row.withdrawn.id if row.withdrawn else None,
        row.updated_at,
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
    """Where an uploaded resource downloads from: the file store's route (`assess/public/files.py`)."""
    name = uploads.download_name(resource.title, resource.file_name)
    return url_for("files.resource_file", resource_id=resource.id, filename=name)


def resource_on_disk(resource: Resource) -> bool:
    return uploads.exists(resource.file_name)
