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

from .. import staleness
from ..models import Country, Indicator, Resource
from ..queries import public as queries
from ..queries import talkback as talkback_queries
from ..services import uploads
from . import caching
from .fragments import fragments, kept
from .helpers import map_entries


def index():
    asked = request.args.get("indicator")
    return render_template("public/index.html", body=kept(("home", asked), lambda: _home(asked)))


def _home(asked: str | None) -> Markup:
    """The hero, the map of the indicator asked for (or the first), and every country's counts."""
    indicators = queries.active_indicators()
    chosen = _chosen_indicator(indicators, asked)
    summaries = queries.country_summaries()
    countries = [s.country for s in summaries]
    statuses = queries.statuses_by_country(chosen) if chosen else {}
    body = render_template(
        "public/_index_body.html",
        indicators=indicators,
        chosen=chosen,
        entries=map_entries(countries, statuses),
        statuses=statuses,
        summaries=summaries,
    )
    return Markup(body)  # noqa: S704 - autoescaped template


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


def _plain_country(iso2: str) -> SimpleNamespace | None:
    country = queries.country_by_code(iso2)
    return _copies([country])[0] if country is not None else None


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
    # Countries are seeded, never edited: a plain copy serves while the revision lasts, and a
    # profile whose body is kept then asks the database nothing but the revision.
    found = kept(("country", iso2), lambda: _plain_country(iso2), size=lambda _: 256)
    if found is None:
        abort(404)
    if redirected := _canonical(iso2, "public.country"):
        return redirected
    return render_template("public/country.html", country=found, page=profile_page(found))


def profile_page(country: Country) -> SimpleNamespace:
    """The profile's body with its counts, kept for anonymous visitors (`fragments.kept`)."""
    return kept(
        ("profile-page", country.id),
        lambda: _profile_page(country),
        size=lambda page: len(page.article),
    )


def _profile_page(country: Country) -> SimpleNamespace:
    profile = queries.profile(
        country, details=False, content=_profile_content(country), indicators=_indicators()
    )
    article = render_template(
        "public/_profile_article.html",
        profile=profile,
        sections=indicator_sections(profile),
        resource_href=resource_href,
    )
    return SimpleNamespace(
        total=len(profile.rows),
        assessed=profile.assessed,
        article=Markup(article),  # noqa: S704 - autoescaped template
    )


def indicator_sections(profile: queries.Profile) -> list[Markup]:
    """Each indicator's section of the profile, rendered once per version shown and language
    (`fragments`); only the versions not yet rendered are loaded with their citations."""
    store = fragments()
    language = str(get_locale())
    replies = talkback_queries.published_replies_by_indicator(profile.country.id)
    keys = [
        _section_key(profile.country, row, language, replies.get(row.indicator.id, []))
        for row in profile.rows
    ]
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
        else store.put(
            key,
            Markup(  # noqa: S704 - autoescaped template
                template.render(
                    row=row,
                    country=profile.country,
                    replies=replies.get(row.indicator.id, []),
                )
            ),
        )
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


def _section_key(
    country: Country, row: queries.IndicatorRow, language: str, replies: list
) -> tuple:
    """Everything an indicator's section shows: the version (immutable once public, with the
    revision it was assessed under), the withdrawn one, the indicator's title and the revision
    of its text in force (which says whether the definition changed since), the date, the
    language, whether its review is overdue, the approved replies beside it (immutable once
    approved, until retracted), and whether it is for a static copy (no link to the correction
    form there)."""
    return (
        "profile-indicator",
        language,
        country.iso2,
        row.indicator.id,
        row.indicator.slug,
        row.indicator.title,
        # Changes with every approved revision of its text or of a translation.
        row.indicator.current_revision_id,
        row.version.id if row.version else None,
        row.withdrawn.id if row.withdrawn else None,
        row.updated_at,
        # "Last reviewed on …" once the review is overdue: it changes with the day alone.
        staleness.is_overdue(row.version.published_at) if row.version else False,
        tuple((reply.id, reply.updated_at) for reply in replies),
        bool(current_app.config.get("FREEZING")),
    )


def assessment(iso2: str, slug: str):
    if redirected := _canonical(iso2, "public.assessment", slug=slug):
        _country_or_404(iso2)
        _indicator_or_404(slug)
        return redirected
    page = kept(
        ("assessment", iso2, slug),
        lambda: _assessment_page(iso2, slug),
        size=lambda page: len(page.body),
    )
    return render_template("public/assessment.html", page=page)


def _assessment_page(iso2: str, slug: str) -> SimpleNamespace:
    """The current assessment, the rubric and every published version; 404 for what is not
    there (a retired indicator without a published history included)."""
    found = _country_or_404(iso2)
    indicator = _indicator_or_404(slug)
    history = queries.history(found, indicator)
    if indicator.is_retired and not history.versions:
        abort(404)
    replies = talkback_queries.published_replies(
        history.assessment.id if history.assessment else None
    )
    body = render_template("public/_assessment_body.html", history=history, replies=replies)
    return SimpleNamespace(
        indicator_title=indicator.title,
        country_name=found.name,
        status=history.current.status if history.current else "not_assessed",
        body=Markup(body),  # noqa: S704 - autoescaped template
    )


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
