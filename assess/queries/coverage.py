"""The coverage matrix: countries x indicators, each cell its published status and open work.

Two statements whatever the size: the indicators, then one select that pages the countries (the
total comes as a window count) and joins each one's assessments, published versions and open
versions. Open work shows only in countries the user may read; published status is public.

"Overdue only" is a cell filter like status and work: a country is listed when at least one of
its cells is overdue for review (and meets the other cell filters), and its other cells are faded.
A supervisor sees where reviews are due and, in the same row, what else that country has. The
number of such cells over every page rides on the same select, as a second window sum.
"""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import NamedTuple

from sqlalchemy import ColumnElement, Row, Select, and_, exists, func, not_, null, or_, select
from sqlalchemy.orm import aliased

from .. import staleness
from ..extensions import db
from ..models import Assessment, Country, Indicator, Status, User, Version
from ..workflow import OPEN_STATES, State
from .queues import Page, in_scope, no_eligible_supervisor, offset, readable_countries

PER_PAGE = 50
PER_PAGE_CHOICES = (25, 50, 100, 250)  # 250: every ISO 3166-1 country on one page
OPEN = sorted(s.value for s in OPEN_STATES)
NEEDS_SUPERVISOR = "needs_supervisor"
NO_WORK = "none"
WORK_CHOICES = ("open", *OPEN, NEEDS_SUPERVISOR, NO_WORK)


@cache
def region_names() -> tuple[str, ...]:
    """The regions the seed assigns (reference data shipped with the package, not a query)."""
    text = resources.files("assess.data").joinpath("regions.csv").read_text()
    rows = csv.DictReader(line for line in io.StringIO(text) if not line.startswith("#"))
    return tuple(sorted({row["region"] for row in rows}))


@dataclass(frozen=True)
class CoverageFilters:
    region: str = ""
    indicator: str = ""  # slug
    work: str = ""  # one of WORK_CHOICES
    status: str = ""  # a published Status value
    overdue: bool = False  # only cells whose review is overdue

    @property
    def on_cells(self) -> bool:
        return bool(self.work or self.status or self.overdue)

    @property
    def active(self) -> bool:
        return bool(self.region or self.indicator or self.on_cells)


class Cell(NamedTuple):  # a tuple: thousands are made per page, and cheaply
    indicator: Indicator
    status: str = Status.NOT_ASSESSED.value
    work_id: int | None = None
    work_state: str | None = None
    needs_second_supervisor: bool = False
    matches: bool = True  # false when cell filters are on and this cell does not meet them
    review_overdue: bool = False  # published longer ago than the review interval


@dataclass(frozen=True)
class CoverageRow:
    country_id: int
    iso2: str
    name: str
    region: str
    cells: list[Cell]


@dataclass(frozen=True)
class Coverage:
    indicators: list[Indicator]  # the columns shown
    all_indicators: list[Indicator]  # the filter's choices
    page: Page[CoverageRow]
    overdue_cells: int | None = None  # on every page, when the overdue filter is on


def _work_matches(work: str, state: str | None, needs_second: bool) -> bool:
    if work == NO_WORK:
        return state is None
    if work == "open":
        return state is not None
    if work == NEEDS_SUPERVISOR:
        return needs_second
    return state == work


def cell_matches(
    filters: CoverageFilters, status: str, state: str | None, needs: bool, overdue: bool
) -> bool:
    """The Python twin of `_matching_cells`, to mark which cells of a row met the filter."""
    if filters.status and status != filters.status:
        return False
    if filters.overdue and not overdue:
        return False
    return not filters.work or _work_matches(filters.work, state, needs)


def _matching_cells(
    filters: CoverageFilters,
    indicator_ids: list[int],
    scope: set[int] | None,
    overdue_before: datetime,
) -> Select:
    """The assessments of the outer select's country meeting the cell filters."""
    assessment, published, work = aliased(Assessment), aliased(Version), aliased(Version)
    cells = select(assessment.id).where(
        assessment.country_id == Country.id, assessment.indicator_id.in_(indicator_ids)
    )
    if filters.status == Status.NOT_ASSESSED.value:
        cells = cells.where(assessment.published_version_id.is_(None))
    if filters.overdue or filters.status not in ("", Status.NOT_ASSESSED.value):
        cells = cells.join(published, published.id == assessment.published_version_id)
    if filters.status not in ("", Status.NOT_ASSESSED.value):
        cells = cells.where(published.status == filters.status)
    if filters.overdue:
        cells = cells.where(published.published_at < overdue_before)
    if filters.work:
        open_work = select(work.id).where(
            work.assessment_id == assessment.id, in_scope(assessment.country_id, scope)
        )
        if filters.work in OPEN:
            open_work = open_work.where(work.state == filters.work)
        elif filters.work == NEEDS_SUPERVISOR:
            open_work = open_work.where(
                work.state == State.SUBMITTED.value,
                no_eligible_supervisor(work.id, assessment.country_id),
            )
        else:
            open_work = open_work.where(work.state.in_(OPEN))
        has_work = exists(open_work)
        cells = cells.where(not_(has_work) if filters.work == NO_WORK else has_work)
    return cells


def _blank_cells_match(filters: CoverageFilters) -> bool:
    """A cell without an assessment row is "not yet assessed, nobody working on it"."""
    return (
        not filters.overdue
        and filters.status in ("", Status.NOT_ASSESSED.value)
        and filters.work in ("", NO_WORK)
    )


def _country_matches(
    filters: CoverageFilters, indicator_ids: list[int], cells: Select
) -> ColumnElement[bool]:
    """Countries with at least one cell (among the shown indicators) meeting the cell filters."""
    if not _blank_cells_match(filters):
        return exists(cells)
    assessment = aliased(Assessment)
    assessed = (
        select(func.count(assessment.id))
        .where(assessment.country_id == Country.id, assessment.indicator_id.in_(indicator_ids))
        .scalar_subquery()
    )
    return or_(exists(cells), assessed < len(indicator_ids))


def _active_indicators() -> list[Indicator]:
    return list(
        db.session.scalars(
            select(Indicator).where(Indicator.retired_at.is_(None)).order_by(Indicator.position)
        )
    )


def coverage(
    user: User, filters: CoverageFilters, number: int = 1, per_page: int = PER_PAGE
) -> Coverage:
    all_indicators = _active_indicators()
    shown = [i for i in all_indicators if not filters.indicator or i.slug == filters.indicator]
    indicator_ids = [i.id for i in shown]
    scope = readable_countries(user)
    overdue_before = staleness.overdue_before()
    cells = _matching_cells(filters, indicator_ids, scope, overdue_before)
    # Blank cells are never overdue, so with that filter on the matching cells all have a row.
    overdue_cells = (
        func.sum(cells.with_only_columns(func.count()).scalar_subquery()).over()
        if filters.overdue
        else null()
    )

    countries = select(
        Country.id,
        Country.iso2,
        Country.name,
        Country.region,
        func.count().over().label("total"),
        overdue_cells.label("overdue_cells"),
    )
    if filters.region:
        countries = countries.where(Country.region == filters.region)
    if filters.on_cells:
        countries = countries.where(_country_matches(filters, indicator_ids, cells))
    page = (
        countries.order_by(Country.name, Country.id)
        .limit(per_page)
        .offset(offset(number, per_page))
        .subquery("page")
    )
    published, work = aliased(Version), aliased(Version)
    needs_second = and_(
        work.state == State.SUBMITTED.value, no_eligible_supervisor(work.id, page.c.id)
    )
    statement = (
        select(
            page,
            Assessment.indicator_id,
            published.status,
            published.published_at,
            work.id,
            work.state,
            needs_second.label("needs_second_supervisor"),
        )
        .select_from(page)
        .outerjoin(
            Assessment,
            and_(Assessment.country_id == page.c.id, Assessment.indicator_id.in_(indicator_ids)),
        )
        .outerjoin(published, published.id == Assessment.published_version_id)
        .outerjoin(
            work,
            and_(
                work.assessment_id == Assessment.id,
                work.state.in_(OPEN),
                in_scope(page.c.id, scope),
            ),
        )
        .order_by(page.c.name, page.c.id)
    )
    result = db.session.execute(statement).all()
    rows, total = _rows(result, shown, filters, overdue_before)
    if not rows and number > 1:
        # Past the last page the window count has no row to ride on; count on its own.
        total = db.session.scalar(select(func.count()).select_from(countries.subquery())) or 0
    overdue_total = int(result[0].overdue_cells or 0) if filters.overdue and result else None
    return Coverage(shown, all_indicators, Page(rows, number, per_page, total), overdue_total)


_BLANK = (None, None, None, None, False)


def _rows(
    result: Sequence[Row],
    indicators: list[Indicator],
    filters: CoverageFilters,
    overdue_before: datetime,
) -> tuple[list[CoverageRow], int]:
    """Fold the flat result (one line per country and assessment) into matrix rows."""
    found: dict[int, dict[int, tuple]] = {}
    countries: dict[int, tuple] = {}
    total = result[0].total if result else 0
    for (
        country_id,
        iso2,
        name,
        region,
        _total,
        _overdue_cells,
        indicator_id,
        status,
        published_at,
        work_id,
        state,
        needs,
    ) in result:
        countries.setdefault(country_id, (iso2, name, region))
        if indicator_id is not None:
            cell = (status, published_at, work_id, state, bool(needs))
            found.setdefault(country_id, {})[indicator_id] = cell
    blank: dict[int, tuple] = {}
    rows = []
    for country_id, (iso2, name, region) in countries.items():
        assessed = found.get(country_id, blank)
        cells = []
        for indicator in indicators:
            status, published_at, work_id, state, needs = assessed.get(indicator.id, _BLANK)
            status = status or Status.NOT_ASSESSED.value
            overdue = published_at is not None and published_at < overdue_before
            matches = not filters.on_cells or cell_matches(filters, status, state, needs, overdue)
            cells.append(Cell(indicator, status, work_id, state, needs, matches, overdue))
        rows.append(CoverageRow(country_id, iso2, name, region, cells))
    return rows, total
