"""Indicators: the framework, and one indicator across every country: a sortable table, a map."""

from collections import Counter

from flask import abort, render_template, request

from ..models import Status
from ..queries import public as queries
from .helpers import map_entries

STATUS_ORDER = {status.value: position for position, status in enumerate(Status)}
SORT_KEYS = {
    "country": lambda row: row.country.name.casefold(),
    "region": lambda row: (row.country.region, row.country.name.casefold()),
    "status": lambda row: (STATUS_ORDER[row.status], row.country.name.casefold()),
    "updated": lambda row: (
        row.assessment.public_updated_at.isoformat()
        if row.assessment and row.assessment.public_updated_at
        else "",
        row.country.name.casefold(),
    ),
}


def indicator_list():
    indicators = queries.active_indicators()
    summaries = queries.status_counts_by_indicator()
    return render_template("public/indicators.html", indicators=indicators, summaries=summaries)


def indicator(slug: str):
    found = queries.indicator_by_slug(slug)
    if found is None:
        abort(404)
    everywhere = queries.indicator_statuses(found)
    statuses = {row.country.id: row.status for row in everywhere}
    regions = sorted({row.country.region for row in everywhere})
    region = request.args.get("region") if request.args.get("region") in regions else None
    sort = request.args.get("sort", "country")
    if sort not in SORT_KEYS:
        sort = "country"
    order = "desc" if request.args.get("order") == "desc" else "asc"
    rows = [row for row in everywhere if region in (None, row.country.region)]
    rows.sort(key=SORT_KEYS[sort], reverse=order == "desc")
    return render_template(
        "public/indicator.html",
        indicator=found,
        rows=rows,
        regions=regions,
        region=region,
        sort=sort,
        order=order,
        counts=Counter(statuses.values()),
        entries=map_entries([row.country for row in everywhere], statuses),
    )
