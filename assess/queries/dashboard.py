"""The supervisors' dashboard: how long items wait in review, and each reviewer's work.

For the countries the user supervises (every country for a global supervisor or an admin). Six
statements whatever the number of items: the waiting times of submitted versions, profile
changes, rights of reply and indicator texts (one small column each, for the median; indicator
texts only for those who decide them: admins and supervisors of every country), the
per-contributor counts of versions, and the people those counts and the countries' reviewer
grants name."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import median

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import lazyload

from ..extensions import db
from ..models import (
    Assessment,
    IndicatorRevision,
    ProfileChange,
    Reply,
    Role,
    RoleGrant,
    User,
    Version,
    VersionContributor,
)
from ..services.permissions import grant_covers_sql, is_admin, is_supervisor
from ..workflow import State
from .queues import in_scope, supervised_countries

RECENT_DAYS = 30
_DRAFTING = (State.DRAFT.value, State.CHANGES_REQUESTED.value)
_PUBLIC = (State.PUBLISHED.value, State.SUPERSEDED.value, State.RETRACTED.value)


@dataclass(frozen=True)
class Waits:
    """Items waiting for a decision: how many, the median wait and the oldest one's."""

    count: int
    median: timedelta | None
    oldest: timedelta | None
    oldest_since: datetime | None


def waits_of(submitted: list[datetime], now: datetime) -> Waits:
    if not submitted:
        return Waits(0, None, None, None)
    ages = [now - at for at in submitted]
    earliest = min(submitted)
    middle = timedelta(seconds=median(age.total_seconds() for age in ages))
    return Waits(len(ages), middle, now - earliest, earliest)


@dataclass(frozen=True)
class ReviewerWork:
    user: User
    drafts: int  # open versions they work on that are not submitted (drafts, returned)
    in_review: int  # their versions waiting for a decision
    published: int  # their versions published in the last RECENT_DAYS days


@dataclass(frozen=True)
class Dashboard:
    versions: Waits
    changes: Waits
    replies: Waits
    framework: Waits | None  # None: not theirs to decide
    everything: Waits
    reviewers: list[ReviewerWork]
    all_countries: bool
    recent_days: int = RECENT_DAYS


def dashboard_scope(user: User) -> set[int] | None:
    """The countries the dashboard covers: None for every one."""
    return None if is_admin(user) else supervised_countries(user)


def _submitted_at(model, *where) -> list[datetime]:
    """When each of the model's items in review was submitted."""
    column = model.submitted_at
    statement = select(column).where(
        model.state == State.SUBMITTED.value, column.is_not(None), *where
    )
    return [at for at in db.session.scalars(statement) if at is not None]


def dashboard(user: User, now: datetime | None = None) -> Dashboard:
    now = now or datetime.now(UTC)
    scope = dashboard_scope(user)
    versions = _submitted_at(
        Version,
        Version.assessment_id.in_(
            select(Assessment.id).where(in_scope(Assessment.country_id, scope))
        ),
    )
    changes = _submitted_at(ProfileChange, in_scope(ProfileChange.country_id, scope))
    replies = _submitted_at(Reply, in_scope(Reply.country_id, scope))
    # Indicator texts belong to no country: those who supervise every country decide them.
    decides_framework = scope is None or is_supervisor(user, None)
    framework = _submitted_at(IndicatorRevision) if decides_framework else []
    return Dashboard(
        versions=waits_of(versions, now),
        changes=waits_of(changes, now),
        replies=waits_of(replies, now),
        framework=waits_of(framework, now) if decides_framework else None,
        everything=waits_of(versions + changes + replies + framework, now),
        reviewers=work_per_reviewer(scope, now),
        all_countries=scope is None,
    )


def work_per_reviewer(scope: set[int] | None, now: datetime) -> list[ReviewerWork]:
    """Everyone who holds the reviewer role in the scope, and everyone who worked on a version
    there, with their counts; busiest first. A version counts for each of its contributors."""
    since = now - timedelta(days=RECENT_DAYS)
    counted = db.session.execute(
        select(
            VersionContributor.user_id,
            func.sum(case((Version.state.in_(_DRAFTING), 1), else_=0)),
            func.sum(case((Version.state == State.SUBMITTED.value, 1), else_=0)),
            func.sum(
                case((Version.state.in_(_PUBLIC) & (Version.published_at >= since), 1), else_=0)
            ),
        )
        .join(Version, Version.id == VersionContributor.version_id)
        .join(Assessment, Assessment.id == Version.assessment_id)
        .where(
            in_scope(Assessment.country_id, scope),
            or_(
                Version.state.in_((*_DRAFTING, State.SUBMITTED.value)),
                Version.published_at >= since,
            ),
        )
        .group_by(VersionContributor.user_id)
    ).all()
    counts = {row[0]: (int(row[1] or 0), int(row[2] or 0), int(row[3] or 0)) for row in counted}
    reviewer_grants = select(RoleGrant.user_id).where(RoleGrant.role == Role.REVIEWER.value)
    if scope is not None:
        reviewer_grants = reviewer_grants.where(grant_covers_sql(scope))
    people = db.session.scalars(
        select(User)
        .where(
            or_(
                User.id.in_(counts),
                User.active.is_(True) & User.id.in_(reviewer_grants),
            )
        )
        .options(lazyload(User.grants))
    )
    rows = [ReviewerWork(person, *counts.get(person.id, (0, 0, 0))) for person in people]
    return sorted(
        rows, key=lambda r: (-(r.drafts + r.in_review + r.published), r.user.display_name.lower())
    )
