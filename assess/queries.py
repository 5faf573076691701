"""Read-side queries for pages: each loads what a page needs in a fixed number of statements."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .extensions import db
from .models import (
    Assessment,
    Citation,
    Country,
    Fact,
    Indicator,
    Member,
    NewsItem,
    Resource,
    Version,
)


@dataclass
class IndicatorRow:
    indicator: Indicator
    version: Version | None  # the published version, if any
    assessment: Assessment | None


@dataclass
class Profile:
    country: Country
    rows: list[IndicatorRow]
    members: list[Member]
    facts: list[Fact]
    resources: list[Resource]
    news: list[NewsItem]

    @property
    def last_updated(self):
        dates = [r.assessment.public_updated_at for r in self.rows if r.assessment]
        return max((d for d in dates if d), default=None)


def active_indicators() -> list[Indicator]:
    return list(
        db.session.scalars(
            select(Indicator).where(Indicator.retired_at.is_(None)).order_by(Indicator.position)
        )
    )


def country_by_code(iso2: str) -> Country | None:
    if len(iso2) != 2 or not iso2.isalpha():
        return None
    return db.session.scalar(select(Country).where(Country.iso2 == iso2.upper()))


def profile(country: Country) -> Profile:
    indicators = active_indicators()
    assessments = {
        a.indicator_id: a
        for a in db.session.scalars(
            select(Assessment)
            .where(Assessment.country_id == country.id)
            .options(
                selectinload(Assessment.published_version)
                .selectinload(Version.citations)
                .selectinload(Citation.instrument),
                selectinload(Assessment.published_version).selectinload(Version.sources),
            )
        )
    }
    rows = [
        IndicatorRow(
            indicator,
            assessments[indicator.id].published_version if indicator.id in assessments else None,
            assessments.get(indicator.id),
        )
        for indicator in indicators
    ]

    def content(model):
        return list(
            db.session.scalars(
                select(model).where(model.country_id == country.id).order_by(model.position)
            )
        )

    news = list(
        db.session.scalars(
            select(NewsItem)
            .where(NewsItem.country_id == country.id)
            .order_by(NewsItem.published_on.desc())
        )
    )
    return Profile(country, rows, content(Member), content(Fact), content(Resource), news)


def countries() -> list[Country]:
    return list(db.session.scalars(select(Country).order_by(Country.name)))


def withdrawn_notices(country_id: int) -> dict[int, Version]:
    """Indicator id -> the latest retracted version, where nothing is published any more.

    One statement for the whole country: shown as "Withdrawn on <date>: <reason>"."""
    rows = db.session.execute(
        select(Assessment.indicator_id, Version)
        .join(Version, Version.assessment_id == Assessment.id)
        .where(
            Assessment.country_id == country_id,
            Assessment.published_version_id.is_(None),
            Version.state == "retracted",
        )
        .order_by(Version.retracted_at)
    )
    return {row[0]: row[1] for row in rows}  # a later retraction overwrites an earlier one
