"""Charts drawn on the server as SVG (no script): how findings are distributed per indicator and
per region, and how they changed over time, from the stored versions. Each chart comes with its
numbers as a table, its text alternative."""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from .extensions import db
from .i18n import reference_text
from .models import Assessment, Country, Indicator, Status, Version
from .workflow import PUBLIC_STATES

ORDER = [s.value for s in Status]
ASSESSED = [s for s in ORDER if s != Status.NOT_ASSESSED.value]


@dataclass(frozen=True)
class Segment:
    status: str
    count: int
    start: float  # percent of the bar
    width: float


@dataclass(frozen=True)
class Bar:
    label: str
    total: int
    segments: list[Segment]
    counts: Counter


def bar(label: str, counts: Counter, statuses: list[str] = ORDER) -> Bar:
    total = sum(counts.get(s, 0) for s in statuses)
    segments, start = [], 0.0
    for status in statuses:
        count = counts.get(status, 0)
        if count:
            width = 100 * count / total
            segments.append(Segment(status, count, round(start, 3), round(width, 3)))
            start += width
    return Bar(label, total, segments, counts)


def by_region(indicator: Indicator) -> list[Bar]:
    """One bar per region (named in the page's language): its countries' findings on `indicator`."""
    statuses = dict(
        db.session.execute(
            select(Assessment.country_id, Version.status)
            .join(Version, Version.id == Assessment.published_version_id)
            .where(Assessment.indicator_id == indicator.id)
        ).all()
    )
    regions: dict[str, Counter] = {}
    for country_id, region in db.session.execute(select(Country.id, Country.region)):
        regions.setdefault(region, Counter())[
            statuses.get(country_id, Status.NOT_ASSESSED.value)
        ] += 1
    return [bar(reference_text(r) or r, counts) for r, counts in sorted(regions.items())]


def _month_ends(first: date, last: date, most: int = 24) -> list[date]:
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    step = max(1, -(-len(months) // most))
    return months[::-1][::step][::-1]  # the latest month always shown


def over_time(indicator: Indicator, today: date | None = None) -> list[Bar]:
    """Per month since the first publication: the published findings at the month's end (or
    today for the current month), from every public version in one statement."""
    rows = db.session.execute(
        select(Version.assessment_id, Version.status, Version.published_at, Version.retracted_at)
        .join(Assessment, Assessment.id == Version.assessment_id)
        .where(
            Assessment.indicator_id == indicator.id,
            Version.state.in_([s.value for s in PUBLIC_STATES]),
        )
        .order_by(Version.published_at)
    ).all()
    if not rows:
        return []
    today = today or datetime.now(UTC).date()
    bars = []
    for month in _month_ends(rows[0].published_at.date(), today):
        following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        until = datetime.combine(following, datetime.min.time(), tzinfo=UTC)
        current: dict[int, Any] = {}
        for row in rows:
            if row.published_at < until:
                current[row.assessment_id] = row
        counts = Counter(
            row.status
            for row in current.values()
            if row.retracted_at is None or row.retracted_at >= until
        )
        bars.append(bar(month.strftime("%Y-%m"), counts, ASSESSED))
    return bars
