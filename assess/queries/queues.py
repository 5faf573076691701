"""The three work queues of the review workflow, and the pagination every staff list shares.

Each queue page costs a fixed number of statements whatever the data size: one count and one
joined select for its rows. Who sees what is decided here, from the user's grants:

- awaiting review: submitted versions of countries the user supervises, which they did not
  contribute to (the four-eyes rule), oldest submission first;
- returned: versions the user contributed to on which changes were requested;
- drafts: the user's own open work that is not returned: drafts, and submissions still waiting
  (flagged when nobody may review them: "needs a second supervisor").
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from math import ceil
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, select, true
from sqlalchemy.orm import aliased, contains_eager, joinedload, lazyload

from .. import staleness
from ..extensions import db
from ..models import Assessment, Country, Indicator, ProfileChange, Role, User, Version
from ..models import ProfileChangeContributor as ChangeContributor
from ..models import VersionContributor as Contributor
from ..services.permissions import country_scope, eligible_supervisors_sql, is_admin
from ..workflow import State

PER_PAGE = 25
AGE_CHOICES = (1, 7, 30, 90)  # "waiting longer than N days"
MAX_PAGE = 100_000


def version_path(version_id: int) -> str:
    """The staff page of a version (built in the review blueprint).

    Spelled out rather than `url_for` because that endpoint lives on another branch, and because
    notifications store the link outside any request; change it here once the endpoint exists."""
    return f"/staff/versions/{version_id}"


def change_path(change_id: int) -> str:
    """The page of a proposed profile change, spelled out for the same reason."""
    return f"/admin/profile/changes/{change_id}"


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.items)


def offset(number: int, per_page: int) -> int:
    return (min(max(number, 1), MAX_PAGE) - 1) * per_page


@dataclass(frozen=True)
class QueueFilters:
    country: str = ""  # ISO 3166-1 alpha-2
    indicator: str = ""  # slug
    older_than: int | None = None  # days in the current state
    state: str = ""  # drafts queue only: draft or submitted

    @property
    def active(self) -> bool:
        return bool(self.country or self.indicator or self.older_than or self.state)


@dataclass(frozen=True)
class QueueRow:
    version: Version
    since: datetime  # when the version entered the state that put it in this queue
    needs_second_supervisor: bool = False
    # When the assessment's published version was published: its review is due an interval on.
    last_published_at: datetime | None = None

    @property
    def review_overdue(self) -> bool:
        return staleness.is_overdue(self.last_published_at)

    def age(self, now: datetime) -> timedelta:
        return now - self.since


@dataclass(frozen=True)
class FilterChoices:
    countries: list[Country] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)


def _now() -> datetime:
    return datetime.now(UTC)


def supervised_countries(user: User) -> set[int] | None:
    """Countries the user supervises: None for a global supervisor."""
    countries: set[int] = set()
    for grant in user.grants:
        if grant.role == Role.SUPERVISOR:
            if grant.country_id is None:
                return None
            countries.add(grant.country_id)
    return countries


def readable_countries(user: User) -> set[int] | None:
    """Countries whose open work the user may see: None for admins and global staff."""
    return None if is_admin(user) else country_scope(user)


def in_scope(column, scope: set[int] | None) -> ColumnElement[bool]:
    if scope is None:
        return true()
    return column.in_(scope) if scope else false()


def no_eligible_supervisor(version_id, country_id) -> ColumnElement[bool]:
    """True when no active supervisor of the country is free of this version (four-eyes)."""
    return ~exists(eligible_supervisors_sql(country_id, Version.contributors_sql(version_id)))


def contributed_by(user: User) -> ColumnElement[bool]:
    return exists().where(Contributor.version_id == Version.id, Contributor.user_id == user.id)


def _joined(statement: Select) -> Select:
    return statement.join(Version.assessment).join(Assessment.country).join(Assessment.indicator)


def _filter_conditions(filters: QueueFilters, since_column) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.country:
        conditions.append(Country.iso2 == filters.country.upper())
    if filters.indicator:
        conditions.append(Indicator.slug == filters.indicator)
    if filters.older_than:
        conditions.append(since_column < _now() - timedelta(days=filters.older_than))
    return conditions


def _page_of(
    conditions: Sequence[ColumnElement[bool]],
    since_column,
    number: int,
    per_page: int,
    people: Sequence = (),
) -> Page[QueueRow]:
    """One count, one select: the versions matching `conditions`, oldest `since_column` first."""
    total = db.session.scalar(_joined(select(func.count(Version.id))).where(*conditions)) or 0
    flag = and_(
        Version.state == State.SUBMITTED.value,
        no_eligible_supervisor(Version.id, Assessment.country_id),
    ).label("needs_second_supervisor")
    published = aliased(Version)
    last_published = (
        select(published.published_at)
        .where(published.id == Assessment.published_version_id)
        .correlate(Assessment)
        .scalar_subquery()
        .label("last_published_at")
    )
    statement = (
        _joined(select(Version, since_column.label("since"), flag, last_published))
        .where(*conditions)
        .options(
            contains_eager(Version.assessment).contains_eager(Assessment.country),
            contains_eager(Version.assessment).contains_eager(Assessment.indicator),
            # The people shown on the row, without their role grants.
            *(joinedload(person).options(lazyload(User.grants)) for person in people),
        )
        .order_by(since_column.asc(), Version.id.asc())
        .limit(per_page)
        .offset(offset(number, per_page))
    )
    rows = [
        QueueRow(version, since or version.updated_at, bool(needs), last)
        for version, since, needs, last in db.session.execute(statement).unique()
    ]
    return Page(rows, number, per_page, total)


def awaiting_review(
    user: User, filters: QueueFilters, number: int = 1, per_page: int = PER_PAGE
) -> Page[QueueRow]:
    """Submitted versions this user may decide on: they supervise the country and did not
    contribute. Oldest submission first."""
    supervised = supervised_countries(user)
    conditions = [
        Version.state == State.SUBMITTED.value,
        in_scope(Assessment.country_id, supervised),
        ~contributed_by(user),
        *_filter_conditions(filters, Version.submitted_at),
    ]
    return _page_of(
        conditions, Version.submitted_at, number, per_page, people=[Version.submitted_by]
    )


def returned(
    user: User, filters: QueueFilters, number: int = 1, per_page: int = PER_PAGE
) -> Page[QueueRow]:
    """Versions this user contributed to that a supervisor sent back, longest waiting first."""
    conditions = [
        Version.state == State.CHANGES_REQUESTED.value,
        contributed_by(user),
        in_scope(Assessment.country_id, readable_countries(user)),
        *_filter_conditions(filters, Version.decided_at),
    ]
    return _page_of(conditions, Version.decided_at, number, per_page, people=[Version.decided_by])


DRAFT_QUEUE_STATES = (State.DRAFT.value, State.SUBMITTED.value)


def my_drafts(
    user: User, filters: QueueFilters, number: int = 1, per_page: int = PER_PAGE
) -> Page[QueueRow]:
    """This user's open work that is not returned: drafts, and submissions awaiting a decision."""
    states = [filters.state] if filters.state in DRAFT_QUEUE_STATES else list(DRAFT_QUEUE_STATES)
    conditions = [
        Version.state.in_(states),
        contributed_by(user),
        in_scope(Assessment.country_id, readable_countries(user)),
        *_filter_conditions(filters, Version.updated_at),
    ]
    return _page_of(conditions, Version.updated_at, number, per_page, people=[Version.created_by])


def needing_second_supervisor(user: User, limit: int = 50) -> Page[QueueRow]:
    """Submitted versions nobody may decide on, in the countries this user supervises (every
    country for an admin, who can assign a supervisor)."""
    scope = None if is_admin(user) else supervised_countries(user)
    conditions = [
        Version.state == State.SUBMITTED.value,
        in_scope(Assessment.country_id, scope),
        no_eligible_supervisor(Version.id, Assessment.country_id),
    ]
    return _page_of(conditions, Version.submitted_at, 1, limit, people=[Version.submitted_by])


@dataclass(frozen=True)
class ChangeRow:
    """A proposed profile change in a queue, beside the assessment versions."""

    change: ProfileChange
    since: datetime
    needs_second_supervisor: bool = False


def _changes(conditions: list[ColumnElement[bool]], limit: int) -> Page[ChangeRow]:
    """One count, one select: the profile changes matching `conditions`, oldest submission first."""
    base = select(func.count(ProfileChange.id)).join(ProfileChange.country)
    total = db.session.scalar(base.where(*conditions)) or 0
    flag = no_eligible_change_supervisor().label("needs_second_supervisor")
    statement = (
        select(ProfileChange, flag)
        .join(ProfileChange.country)
        .where(*conditions)
        .options(
            contains_eager(ProfileChange.country),
            joinedload(ProfileChange.created_by).options(lazyload(User.grants)),
        )
        .order_by(ProfileChange.submitted_at.asc(), ProfileChange.id.asc())
        .limit(limit)
    )
    rows = [
        ChangeRow(change, change.submitted_at or change.updated_at, bool(needs))
        for change, needs in db.session.execute(statement).unique()
    ]
    return Page(rows, 1, limit, total)


def no_eligible_change_supervisor() -> ColumnElement[bool]:
    return ~exists(
        eligible_supervisors_sql(
            ProfileChange.country_id, ProfileChange.contributors_sql(ProfileChange.id)
        )
    )


def changes_awaiting_review(user: User, filters: QueueFilters, limit: int = 50) -> Page[ChangeRow]:
    """Submitted profile changes this user may decide on, as `awaiting_review` chooses versions.
    A profile change has no indicator: filtering by one leaves none."""
    if filters.indicator:
        return Page([], 1, limit, 0)
    conditions = [
        ProfileChange.state == State.SUBMITTED.value,
        in_scope(ProfileChange.country_id, supervised_countries(user)),
        ~exists().where(
            ChangeContributor.change_id == ProfileChange.id, ChangeContributor.user_id == user.id
        ),
        *_filter_conditions(filters, ProfileChange.submitted_at),
    ]
    return _changes(conditions, limit)


def changes_needing_second_supervisor(user: User, limit: int = 50) -> Page[ChangeRow]:
    """Submitted profile changes nobody may decide on, as `needing_second_supervisor`."""
    scope = None if is_admin(user) else supervised_countries(user)
    conditions = [
        ProfileChange.state == State.SUBMITTED.value,
        in_scope(ProfileChange.country_id, scope),
        no_eligible_change_supervisor(),
    ]
    return _changes(conditions, limit)


def filter_choices(user: User, *, supervised_only: bool = False) -> FilterChoices:
    """The countries (the user's, or all for global staff) and indicators the filters offer."""
    scope = supervised_countries(user) if supervised_only else readable_countries(user)
    countries = select(Country).order_by(Country.name)
    if scope is not None:
        countries = countries.where(Country.id.in_(scope))
    indicators = select(Indicator).order_by(Indicator.retired_at.is_not(None), Indicator.position)
    return FilterChoices(
        list(db.session.scalars(countries)) if scope is None or scope else [],
        list(db.session.scalars(indicators)),
    )
