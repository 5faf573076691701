"""`/search?q=…`: countries, indicators, profile content and published assessments, with filters
on the last."""

from dataclasses import dataclass

from flask import render_template, request
from sqlalchemy import select

from .. import search
from ..extensions import db
from ..i18n import page_language
from ..messages import PROFILE_KINDS
from ..models import Country, Indicator, SearchEntry, Status, Version
from ..queries import public as queries
from ..search import names, profiles

PER_PAGE = 20
MAX_QUERY = 200


@dataclass(frozen=True)
class AnalysisResult:
    country: Country
    indicator: Indicator
    status: str
    number: int
    snippet: object


def _results(page: search.Page) -> list[AnalysisResult]:
    """The hits with what their links need, in rank order, in one statement."""
    ids = [hit.entry_id for hit in page.hits]
    if not ids:
        return []
    rows = db.session.execute(
        select(SearchEntry, Country, Indicator, Version.number)
        .join(Country, Country.id == SearchEntry.country_id)
        .join(Indicator, Indicator.id == SearchEntry.indicator_id)
        .join(Version, Version.id == SearchEntry.version_id)
        .where(SearchEntry.id.in_(ids))
    )
    by_id = {
        entry.id: (country, indicator, entry.status, number)
        for entry, country, indicator, number in rows
    }
    return [
        AnalysisResult(*by_id[hit.entry_id], hit.snippet)  # type: ignore[arg-type]  # (country, indicator, status, number)
        for hit in page.hits
        if hit.entry_id in by_id
    ]


def _page_number() -> int:
    value = request.args.get("page", "1")
    return max(1, min(int(value), 1000)) if value.isdigit() else 1


def search_page():
    query = (request.args.get("q") or "").strip()[:MAX_QUERY]
    words = search.terms(query)
    indicators = queries.active_indicators()
    regions = queries.regions()
    slug = request.args.get("indicator") or ""
    chosen = next((i for i in indicators if i.slug == slug), None)
    finding = request.args.get("finding") if request.args.get("finding") in set(Status) else None
    region = request.args.get("region") if request.args.get("region") in regions else None
    filters = search.Filters(chosen.id if chosen else None, finding, region)
    number = _page_number()
    page = search.analyses(words, filters, PER_PAGE, (number - 1) * PER_PAGE)
    profile_matches, profile_total = profiles.matches(words, page_language())
    return render_template(
        "public/search.html",
        query=query,
        words=words,
        countries=names.countries(query, queries.countries()) if words else [],
        matching_indicators=names.indicators(words, indicators),
        profile_matches=profile_matches,
        profile_total=profile_total,
        profile_kinds=PROFILE_KINDS,
        results=_results(page),
        total=page.total,
        number=number,
        pages=(page.total + PER_PAGE - 1) // PER_PAGE,
        indicators=indicators,
        regions=regions,
        chosen=chosen,
        finding=finding,
        region=region,
        highlight=search.highlight,
    )
