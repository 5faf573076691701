"""When an assessment is due for review again: its last publication plus `REVIEW_INTERVAL_DAYS`.

Counted in days (UTC), not instants: an assessment becomes overdue as a day begins, so what shows
it depends on the day alone. Public bodies are kept per public revision *and day*
(`public/fragments.kept`), the profile's indicator sections by whether they show the notice,
and stored public responses and their validators per day (`public/fastpath`, `public/caching`),
so the quiet "Last reviewed on …" appears on the first visit of the day it is due."""

from datetime import UTC, date, datetime, time, timedelta

from flask import current_app

DEFAULT_INTERVAL_DAYS = 365


def interval() -> timedelta:
    return timedelta(
        days=int(current_app.config.get("REVIEW_INTERVAL_DAYS", DEFAULT_INTERVAL_DAYS))
    )


def today() -> date:
    """The day of the public pages' clock (citations' access date), which tests may set."""
    from .public import helpers

    return helpers.today().astimezone(UTC).date()


def review_due(published_at: datetime | None) -> date | None:
    """The day a publication is due for review; None for what was never published."""
    if published_at is None:
        return None
    return published_at.astimezone(UTC).date() + interval()


def is_overdue(published_at: datetime | None, on: date | None = None) -> bool:
    due = review_due(published_at)
    return due is not None and due < (on or today())


def overdue_before(on: date | None = None) -> datetime:
    """`is_overdue` for SQL: a publication before this instant is overdue."""
    return datetime.combine((on or today()) - interval(), time(0), tzinfo=UTC)
