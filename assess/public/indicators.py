"""Indicators: the framework, and one indicator across every country: a sortable table, a map."""

from flask import abort, render_template, request

from .. import queries
from ..models import Status
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
    rows = queries.indicator_statuses(found)
    sort = request.args.get("sort") if request.args.get("sort") in SORT_KEYS else "country"
    order = "desc" if request.args.get("order") == "desc" else "asc"
    rows.sort(key=SORT_KEYS[sort], reverse=order == "desc")
    statuses = {row.country.id: row.status for row in rows}
    return render_template(
        "public/indicator.html",
        indicator=found,
        rows=rows,
        sort=sort,
        order=order,
        entries=map_entries([row.country for row in rows], statuses),
        statuses=statuses,
    )
