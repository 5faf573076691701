"""`/compare?c=kz&c=cr`: two to four countries side by side, one row per indicator, each finding
with the date since which it has held."""

from dataclasses import dataclass
from datetime import datetime

from flask import render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import Assessment, Country, Indicator, Status, Version
from ..queries import public as queries
from ..workflow import PUBLIC_STATES, State

MIN_COUNTRIES, MAX_COUNTRIES = 2, 4


@dataclass(frozen=True)
class Cell:
    status: str
    since: datetime | None  # first publication of the finding's current unbroken run
    number: int | None  # the published version, if any


@dataclass(frozen=True)
class Row:
    indicator: Indicator
    cells: list[Cell]

    @property
    def differs(self) -> bool:
        return len({cell.status for cell in self.cells}) > 1


def _since(versions: list[Version]) -> datetime | None:
    """Versions newest first, the first of them published: when its status was first published
    without a different one in between."""
    since = None
    for version in versions:
        if version.status != versions[0].status or version.state == State.RETRACTED.value:
            break
        since = version.published_at
    return since


def rows(countries: list[Country], indicators: list[Indicator]) -> list[Row]:
    """One statement for the assessments, one for their public versions."""
    assessments = db.session.scalars(
        select(Assessment).where(Assessment.country_id.in_([c.id for c in countries]))
    ).all()
    by_key = {(a.country_id, a.indicator_id): a for a in assessments}
    history: dict[int, list[Version]] = {}
    for version in db.session.scalars(
        select(Version)
        .where(
            Version.assessment_id.in_([a.id for a in assessments]),
            Version.state.in_([s.value for s in PUBLIC_STATES]),
        )
        .order_by(Version.number.desc())
    ):
        history.setdefault(version.assessment_id, []).append(version)
    table = []
    for indicator in indicators:
        cells = []
        for country in countries:
            assessment = by_key.get((country.id, indicator.id))
            versions = history.get(assessment.id, []) if assessment else []
            published_id = assessment.published_version_id if assessment else None
            current = next((v for v in versions if v.id == published_id), None)
            if current is None:
                cells.append(Cell(Status.NOT_ASSESSED.value, None, None))
            else:
                newer_first = versions[versions.index(current) :]
                cells.append(Cell(current.status, _since(newer_first), current.number))
        table.append(Row(indicator, cells))
    return table


def _chosen() -> tuple[list[Country], list[str]]:
    countries, problems = [], []
    for code in request.args.getlist("c"):
        code = code.strip()
        if not code:
            continue
        country = queries.country_by_code(code)
        if country is None:
            problems.append(_("No country has the code “%(code)s”.", code=code[:10]))
        elif country not in countries:
            countries.append(country)
    if len(countries) > MAX_COUNTRIES:
        problems.append(
            _(
                "At most %(count)s countries can be compared; the first ones are shown.",
                count=MAX_COUNTRIES,
            )
        )
        countries = countries[:MAX_COUNTRIES]
    return countries, problems


def compare():
    countries, problems = _chosen()
    indicators = queries.active_indicators()
    enough = len(countries) >= MIN_COUNTRIES
    return render_template(
        "public/compare.html",
        countries=countries,
        problems=problems,
        rows=rows(countries, indicators) if enough else [],
        enough=enough,
        choices=queries.countries(),
        slots=range(MAX_COUNTRIES),
    )
