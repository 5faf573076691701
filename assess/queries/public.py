"""Read-side queries for the public pages: each loads what a page needs in a fixed number of
statements, whatever the number of countries, versions or citations.

Only published, superseded and retracted versions are public; drafts and versions in review never
leave this module.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import (
    Assessment,
    AuditEvent,
    Citation,
    Country,
    Fact,
    Indicator,
    Member,
    NewsItem,
    OrganisationSettings,
    Reply,
    Resource,
    Status,
    Version,
)
from ..models.audit import PUBLIC_OBJECT_TYPES
from ..workflow import PUBLIC_STATES, State

PUBLIC = sorted(s.value for s in PUBLIC_STATES)


def version_details() -> list[Any]:
    """What a rendered version needs: citations with instruments, sources, approver, retractor,
    the indicator's text it was assessed under."""
    return [
        selectinload(Version.citations).joinedload(Citation.instrument, innerjoin=True),
        selectinload(Version.sources),
        joinedload(Version.decided_by),
        joinedload(Version.retracted_by),
        joinedload(Version.indicator_revision),
    ]


@dataclass
class IndicatorRow:
    indicator: Indicator
    version: Version | None  # the published version, if any
    assessment: Assessment | None
    withdrawn: Version | None = None  # the retracted version, when nothing replaced it

    @property
    def status(self) -> str:
        return self.version.status if self.version else Status.NOT_ASSESSED.value

    @property
    def updated_at(self) -> datetime | None:
        return self.assessment.public_updated_at if self.assessment else None


@dataclass
class Profile:
    country: Country
    rows: list[IndicatorRow]
    members: list[Member]
    facts: list[Fact]
    resources: list[Resource]
    news: list[NewsItem]

    @property
    def last_updated(self) -> datetime | None:
        return max((r.updated_at for r in self.rows if r.updated_at), default=None)

    @property
    def assessed(self) -> int:
        return sum(1 for r in self.rows if r.version is not None)


def active_indicators() -> list[Indicator]:
    return list(
        db.session.scalars(
            select(Indicator).where(Indicator.retired_at.is_(None)).order_by(Indicator.position)
        )
    )


def indicator_by_slug(slug: str) -> Indicator | None:
    """Any indicator, retired ones too (their published history stays citable), but not one
    whose first text awaits approval."""
    return db.session.scalar(
        select(Indicator).where(Indicator.slug == slug, ~Indicator.is_proposed)
    )


def country_by_code(iso2: str) -> Country | None:
    if len(iso2) != 2 or not iso2.isascii() or not iso2.isalpha():
        return None
    return db.session.scalar(select(Country).where(Country.iso2 == iso2.upper()))


def _assessments(*conditions, details: bool = True) -> list[Assessment]:
    """Assessments with their published version, loaded whole (or without its citations,
    sources and people, for a page that may already hold them rendered)."""
    if details:
        loaded = selectinload(Assessment.published_version).options(*version_details())
    else:
        loaded = joinedload(Assessment.published_version).joinedload(Version.indicator_revision)
    return list(db.session.scalars(select(Assessment).where(*conditions).options(loaded)))


def load_version_details(versions: list[Version]) -> None:
    """Load what `version_details` names for versions loaded without it: one round for all."""
    if versions:
        db.session.scalars(
            select(Version)
            .where(Version.id.in_([v.id for v in versions]))
            .options(*version_details())
            .execution_options(populate_existing=True)
        ).all()


def withdrawn_versions(assessments: list[Assessment]) -> dict[int, Version]:
    """Assessment id -> its latest retracted version, for assessments with nothing published."""
    ids = [a.id for a in assessments if a.published_version_id is None]
    if not ids:
        return {}
    latest = (
        select(Version.assessment_id, func.max(Version.number).label("number"))
        .where(Version.assessment_id.in_(ids), Version.state.in_(PUBLIC))
        .group_by(Version.assessment_id)
        .subquery()
    )
    versions = db.session.scalars(
        select(Version)
        .join(
            latest,
            and_(
                Version.assessment_id == latest.c.assessment_id, Version.number == latest.c.number
            ),
        )
        .where(Version.state == State.RETRACTED.value)
    )
    return {v.assessment_id: v for v in versions}


def _rows(indicators: list[Indicator], assessments: list[Assessment]) -> list[IndicatorRow]:
    by_indicator = {a.indicator_id: a for a in assessments}
    withdrawn = withdrawn_versions(assessments)
    rows = []
    for indicator in indicators:
        assessment = by_indicator.get(indicator.id)
        version = assessment.published_version if assessment else None
        gone = withdrawn.get(assessment.id) if assessment else None
        rows.append(IndicatorRow(indicator, version, assessment, gone))
    return rows


def _content(model, country: Country) -> list:
    return list(
        db.session.scalars(
            select(model).where(model.country_id == country.id).order_by(model.position, model.id)
        )
    )


@dataclass(frozen=True)
class ProfileContent:
    members: list
    facts: list
    resources: list
    news: list

    @property
    def size(self) -> int:
        return len(self.members) + len(self.facts) + len(self.resources) + len(self.news)


def profile_content(country: Country) -> ProfileContent:
    news = list(
        db.session.scalars(
            select(NewsItem)
            .where(NewsItem.country_id == country.id)
            .order_by(NewsItem.published_on.desc(), NewsItem.id.desc())
        )
    )
    return ProfileContent(
        _content(Member, country), _content(Fact, country), _content(Resource, country), news
    )


def profile(
    country: Country,
    details: bool = True,
    content: ProfileContent | None = None,
    indicators: list | None = None,
) -> Profile:
    """A country's profile; without `details`, its versions come without citations, sources
    and people (see `load_version_details`); `content` and `indicators` are the profile content
    and the active indicators when the caller holds them already."""
    assessments = _assessments(Assessment.country_id == country.id, details=details)
    rows = _rows(active_indicators() if indicators is None else indicators, assessments)
    held = content or profile_content(country)
    return Profile(country, rows, held.members, held.facts, held.resources, held.news)


def countries(region: str | None = None) -> list[Country]:
    query = select(Country).order_by(Country.name)
    if region:
        query = query.where(Country.region == region)
    return list(db.session.scalars(query))


def regions() -> list[str]:
    return list(db.session.scalars(select(Country.region).distinct().order_by(Country.region)))


@dataclass
class CountrySummary:
    country: Country
    counts: Counter = field(default_factory=Counter)  # status -> number of active indicators

    @property
    def assessed(self) -> int:
        return sum(n for s, n in self.counts.items() if s != Status.NOT_ASSESSED.value)


def country_summaries(region: str | None = None) -> list[CountrySummary]:
    """Every country (of a region) with how many active indicators have each status."""
    total = db.session.scalar(
        select(func.count(Indicator.id)).where(Indicator.retired_at.is_(None))
    )
    summaries = {c.id: CountrySummary(c) for c in countries(region)}
    counted = db.session.execute(
        select(Assessment.country_id, Version.status, func.count())
        .join(Version, Version.id == Assessment.published_version_id)
        .join(Indicator, Indicator.id == Assessment.indicator_id)
        .where(Indicator.retired_at.is_(None))
        .group_by(Assessment.country_id, Version.status)
    )
    for country_id, status, number in counted:
        if country_id in summaries:
            summaries[country_id].counts[status] += number
    for summary in summaries.values():
        summary.counts[Status.NOT_ASSESSED.value] += (total or 0) - sum(summary.counts.values())
    return list(summaries.values())


def status_counts_by_indicator() -> dict[int, Counter]:
    """Indicator id -> status -> number of countries (countries without a finding: not assessed)."""
    total = db.session.scalar(select(func.count(Country.id))) or 0
    counts: dict[int, Counter] = {}
    for indicator_id, status, number in db.session.execute(
        select(Assessment.indicator_id, Version.status, func.count())
        .join(Version, Version.id == Assessment.published_version_id)
        .group_by(Assessment.indicator_id, Version.status)
    ):
        counts.setdefault(indicator_id, Counter())[status] += number
    for indicator_id in db.session.scalars(select(Indicator.id)):
        counted = counts.setdefault(indicator_id, Counter())
        counted[Status.NOT_ASSESSED.value] += total - sum(counted.values())
    return counts


@dataclass
class CountryStatus:
    country: Country
    assessment: Assessment | None
    version: Version | None

    @property
    def status(self) -> str:
        return self.version.status if self.version else Status.NOT_ASSESSED.value


def indicator_statuses(indicator: Indicator) -> list[CountryStatus]:
    """One indicator across every country, in name order."""
    assessments = {
        a.country_id: a
        for a in db.session.scalars(
            select(Assessment)
            .where(Assessment.indicator_id == indicator.id)
            .options(selectinload(Assessment.published_version))
        )
    }
    rows = []
    for country in countries():
        assessment = assessments.get(country.id)
        published = assessment.published_version if assessment else None
        rows.append(CountryStatus(country, assessment, published))
    return rows


def statuses_by_country(indicator: Indicator) -> dict[int, str]:
    """Country id -> published status of one indicator (countries without one are left out)."""
    return dict(
        db.session.execute(
            select(Assessment.country_id, Version.status)
            .join(Version, Version.id == Assessment.published_version_id)
            .where(Assessment.indicator_id == indicator.id)
        ).all()
    )


@dataclass
class History:
    country: Country
    indicator: Indicator
    assessment: Assessment | None
    versions: list[Version]  # public versions, newest first

    @property
    def current(self) -> Version | None:
        return self.assessment.published_version if self.assessment else None

    def number(self, number: int) -> Version | None:
        return next((v for v in self.versions if v.number == number), None)

    def previous(self, version: Version) -> Version | None:
        older = [v for v in self.versions if (v.number or 0) < (version.number or 0)]
        return older[0] if older else None

    def next(self, version: Version) -> Version | None:
        newer = [v for v in self.versions if (v.number or 0) > (version.number or 0)]
        return newer[-1] if newer else None


def history(country: Country, indicator: Indicator) -> History:
    assessment = db.session.scalar(
        select(Assessment).where(
            Assessment.country_id == country.id, Assessment.indicator_id == indicator.id
        )
    )
    versions: list[Version] = []
    if assessment is not None:
        versions = list(
            db.session.scalars(
                select(Version)
                .where(Version.assessment_id == assessment.id, Version.state.in_(PUBLIC))
                .order_by(Version.number.desc())
                .options(*version_details())
            )
        )
    return History(country, indicator, assessment, versions)


def public_version_numbers() -> dict[tuple[str, str], list[int]]:
    """(iso2 in lower case, indicator slug) -> the numbers of its public versions."""
    found: dict[tuple[str, str], list[int]] = {}
    for iso2, slug, number in db.session.execute(
        select(Country.iso2, Indicator.slug, Version.number)
        .join(Assessment, Assessment.id == Version.assessment_id)
        .join(Country, Country.id == Assessment.country_id)
        .join(Indicator, Indicator.id == Assessment.indicator_id)
        .where(Version.state.in_(PUBLIC))
        .order_by(Country.iso2, Indicator.slug, Version.number)
    ):
        if number is not None:  # every public version has one
            found.setdefault((iso2.lower(), slug), []).append(number)
    return found


@dataclass(frozen=True)
class Revision:
    """What the public site shows depends only on these; they change with every public change."""

    key: str
    last_modified: datetime | None


@cache
def _revision_statement() -> Select:
    """Built once per process: building it costs more than running it."""

    def scalar(expression):
        return select(expression).scalar_subquery()

    public_event = AuditEvent.object_type.in_(PUBLIC_OBJECT_TYPES)
    return select(
        scalar(func.max(Assessment.public_updated_at)),
        select(func.max(AuditEvent.at)).where(public_event).scalar_subquery(),
        select(func.count()).select_from(AuditEvent).where(public_event).scalar_subquery(),
        *(
            scalar(func.count(model.id))
            for model in (Country, Indicator, Member, Fact, Resource, NewsItem)
        ),
        *(scalar(func.max(model.id)) for model in (Member, Fact, Resource, NewsItem)),
        # The publishing organisation's settings (one row): name, logo, colours, pages.
        scalar(func.max(OrganisationSettings.revision)),
        scalar(func.max(OrganisationSettings.updated_at)),
        # Replies beside assessments: an approval or a retraction moves their latest change.
        select(func.max(Reply.updated_at)).where(Reply.state.in_(PUBLIC)).scalar_subquery(),
    )


def public_revision() -> Revision:
    """One cheap statement: the latest publication or retraction, the latest audited change to what
    the public sees (profile content, indicators), the sizes of the tables the public pages
    list, and the latest approval or retraction of a reply."""
    row = db.session.execute(_revision_statement()).one()
    published, audited = row[0], row[1]
    organisation, replied = row[-2], row[-1]
    key = "|".join("" if v is None else str(v) for v in row)
    # SQLite returns max() of a datetime column as text.
    times = [_as_datetime(v) for v in (published, audited, organisation, replied) if v is not None]
    return Revision(key, max(times) if times else None)


def _as_datetime(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
