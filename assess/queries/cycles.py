"""What a review cycle shows: its progress per country and per reviewer, and a reviewer's
assignments. A fixed number of statements whatever the cycle's size.

Each cell of a cycle (one of its countries x one of its indicators) is, in this order:
- done: a version of it was published after the cycle opened (and before it closed), and is
  still public (published, or superseded by a newer one);
- in review: a version of it is submitted and waits for a supervisor;
- not started: neither (a draft in progress counts here: nothing was submitted yet).
A reviewer's counts are those of the cells of the countries they are assigned to."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import and_, case, func, select, true
from sqlalchemy.orm import contains_eager, joinedload, lazyload, selectinload

from ..extensions import db
from ..models import (
    Assessment,
    Country,
    Indicator,
    ReviewAssignment,
    ReviewCycle,
    ReviewCycleCountry,
    ReviewCycleIndicator,
    User,
    Version,
)
from ..workflow import State

DONE, IN_REVIEW, NOT_STARTED = "done", "in_review", "not_started"
_COUNTED_AS_DONE = (State.PUBLISHED.value, State.SUPERSEDED.value)


@dataclass
class Counts:
    done: int = 0
    in_review: int = 0
    not_started: int = 0

    @property
    def total(self) -> int:
        return self.done + self.in_review + self.not_started

    def add(self, state: str) -> None:
        setattr(self, state, getattr(self, state) + 1)

    def add_all(self, other: "Counts") -> None:
        self.done += other.done
        self.in_review += other.in_review
        self.not_started += other.not_started


@dataclass
class CountryProgress:
    country: Country
    counts: Counts
    reviewers: list[User] = field(default_factory=list)


@dataclass
class ReviewerProgress:
    reviewer: User
    countries: list[Country]
    counts: Counts


@dataclass
class Progress:
    cycle: ReviewCycle
    indicators: list[Indicator]
    countries: list[CountryProgress]
    reviewers: list[ReviewerProgress]
    total: Counts


def load_cycle(cycle_id: int) -> ReviewCycle | None:
    """The cycle with its countries, indicators and assignments (and their people)."""
    return db.session.scalar(
        select(ReviewCycle)
        .where(ReviewCycle.id == cycle_id)
        .options(
            joinedload(ReviewCycle.created_by).options(lazyload(User.grants)),
            selectinload(ReviewCycle.countries).joinedload(ReviewCycleCountry.country),
            selectinload(ReviewCycle.indicators).joinedload(ReviewCycleIndicator.indicator),
            selectinload(ReviewCycle.assignments).options(
                joinedload(ReviewAssignment.country),
                joinedload(ReviewAssignment.reviewer).options(lazyload(User.grants)),
            ),
        )
    )


def cell_states(cycle: ReviewCycle) -> dict[tuple[int, int], str]:
    """(country id, indicator id) -> DONE or IN_REVIEW, for the cells that are not NOT_STARTED;
    one grouped statement over the cycle's assessments."""
    published_since = and_(
        Version.state.in_(_COUNTED_AS_DONE),
        Version.published_at >= cycle.created_at,
        Version.published_at <= cycle.closed_at if cycle.closed_at is not None else true(),
    )
    statement = (
        select(
            Assessment.country_id,
            Assessment.indicator_id,
            func.max(case((published_since, 1), else_=0)),
            func.max(case((Version.state == State.SUBMITTED.value, 1), else_=0)),
        )
        .join(Version, Version.assessment_id == Assessment.id)
        .where(
            Assessment.country_id.in_(
                select(ReviewCycleCountry.country_id).where(ReviewCycleCountry.cycle_id == cycle.id)
            ),
            Assessment.indicator_id.in_(
                select(ReviewCycleIndicator.indicator_id).where(
                    ReviewCycleIndicator.cycle_id == cycle.id
                )
            ),
        )
        .group_by(Assessment.country_id, Assessment.indicator_id)
    )
    states = {}
    for country_id, indicator_id, done, in_review in db.session.execute(statement):
        if done:
            states[(country_id, indicator_id)] = DONE
        elif in_review:
            states[(country_id, indicator_id)] = IN_REVIEW
    return states


def progress(cycle: ReviewCycle) -> Progress:
    """The cycle's cells counted per country and per reviewer (`cycle` as `load_cycle` gives it)."""
    states = cell_states(cycle)
    indicators = sorted((i.indicator for i in cycle.indicators), key=lambda i: i.position)
    countries = sorted((c.country for c in cycle.countries), key=lambda c: c.name)
    by_country: dict[int, CountryProgress] = {}
    total = Counts()
    for country in countries:
        counts = Counts()
        for indicator in indicators:
            counts.add(states.get((country.id, indicator.id), NOT_STARTED))
        by_country[country.id] = CountryProgress(country, counts)
        total.add_all(counts)
    reviewers: dict[int, ReviewerProgress] = {}
    for assignment in cycle.assignments:
        row = by_country.get(assignment.country_id)
        if row is None:
            continue
        row.reviewers.append(assignment.reviewer)
        mine = reviewers.setdefault(
            assignment.reviewer_id, ReviewerProgress(assignment.reviewer, [], Counts())
        )
        mine.countries.append(row.country)
        mine.counts.add_all(row.counts)
    ordered = sorted(reviewers.values(), key=lambda r: r.reviewer.display_name.lower())
    return Progress(cycle, indicators, list(by_country.values()), ordered, total)


@dataclass(frozen=True)
class Assignment:
    """One of a reviewer's assignments in an open cycle."""

    cycle: ReviewCycle
    country: Country
    indicator_count: int

    def overdue(self, today: date | None = None) -> bool:
        return self.cycle.due_on < (today or datetime.now(UTC).date())


def assignments_of(user: User) -> list[Assignment]:
    """The user's assignments in open cycles, soonest due first, in one statement."""
    indicator_count = (
        select(func.count())
        .where(ReviewCycleIndicator.cycle_id == ReviewAssignment.cycle_id)
        .correlate(ReviewAssignment)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(ReviewAssignment, indicator_count)
        .join(ReviewAssignment.cycle)
        .join(ReviewAssignment.country)
        .where(ReviewAssignment.reviewer_id == user.id, ReviewCycle.closed_at.is_(None))
        .options(contains_eager(ReviewAssignment.cycle), contains_eager(ReviewAssignment.country))
        .order_by(ReviewCycle.due_on, ReviewCycle.id, Country.name)
    )
    return [Assignment(a.cycle, a.country, count) for a, count in rows]


def open_cycles_of(country_id: int) -> list[ReviewCycle]:
    """The open cycles that cover a country, soonest due first, with their assignments (and
    their reviewers) for that country: two statements."""
    return list(
        db.session.scalars(
            select(ReviewCycle)
            .join(ReviewCycleCountry, ReviewCycleCountry.cycle_id == ReviewCycle.id)
            .where(ReviewCycleCountry.country_id == country_id, ReviewCycle.closed_at.is_(None))
            .options(
                selectinload(
                    ReviewCycle.assignments.and_(ReviewAssignment.country_id == country_id)
                )
                .joinedload(ReviewAssignment.reviewer)
                .options(lazyload(User.grants))
            )
            .order_by(ReviewCycle.due_on, ReviewCycle.id)
        )
    )
