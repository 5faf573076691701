"""Indicators: the framework, and one indicator across every country: a sortable table, a map."""

from collections import Counter

from flask import abort, render_template, request
from markupsafe import Markup

from .. import charts
from ..i18n import reference_text
from ..models import Status
from ..queries import public as queries
from .fragments import kept
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
    bars = [
        charts.bar(reference_text(i.title) or i.title, summaries.get(i.id, Counter()))
        for i in indicators
    ]
    return render_template(
        "public/indicators.html", indicators=indicators, summaries=summaries, bars=bars
    )


def indicator(slug: str):
    found = queries.indicator_by_slug(slug)
    if found is None:
        abort(404)
    asked = tuple(request.args.get(name) for name in ("region", "sort", "order", "finding"))
    body = kept(("indicator", found.id, *asked), lambda: _body(found, *asked))
    return render_template("public/indicator.html", indicator=found, body=body)


def _body(found, region: str | None, sort: str | None, order: str | None, finding: str | None):
    """The map, the charts and the table of countries, sorted and filtered as asked."""
    everywhere = queries.indicator_statuses(found)
    statuses = {row.country.id: row.status for row in everywhere}
    regions = sorted({row.country.region for row in everywhere})
    region = region if region in regions else None
    sort = sort if sort in SORT_KEYS else "country"
    order = "desc" if order == "desc" else "asc"
    finding = finding if finding in STATUS_ORDER else None
    rows = [
        r for r in everywhere if region in (None, r.country.region) and finding in (None, r.status)
    ]
    rows.sort(key=SORT_KEYS[sort], reverse=order == "desc")
    # Most countries are often not assessed yet: one line, not a page of identical rows.
    unassessed = Status.NOT_ASSESSED.value
    folded = [] if finding == unassessed else sorted(
        (r for r in rows if r.status == unassessed), key=SORT_KEYS["country"]
    )  # fmt: skip
    rows = [r for r in rows if r.status != unassessed] if folded else rows
    return Markup(  # noqa: S704 - autoescaped template
        render_template(
            "public/_indicator_body.html",
            indicator=found,
            rows=rows,
            regions=regions,
            region=region,
            finding=finding,
            folded=folded,
            sort=sort,
            order=order,
            counts=Counter(statuses.values()),
            entries=map_entries([row.country for row in everywhere], statuses),
            regional=charts.by_region(found),
            history=charts.over_time(found),
        )
    )
