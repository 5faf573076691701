"""Row checks and writes for `bulk_import`: each row becomes one `VersionContent`, or a list of
problems a person can fix in their spreadsheet."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeAlias
from urllib.parse import urlsplit

from flask_babel import gettext, lazy_gettext
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from ..extensions import db
from ..models import Assessment, Country, Indicator, User, Version
from ..workflow import OPEN_STATES
from .content import CitationInput, SourceInput, VersionContent, problems
from .permissions import is_admin, is_editor

STATUS_ALIASES = {
    "yes": "yes",
    "partial": "partial",
    "no": "no",
    "no_data": "no_data",
    "nodata": "no_data",
    "not_assessed": "not_assessed",
    "not_yet_assessed": "not_assessed",
}


# What a problem message names the cell by; lazy for citations and sources, since most rows have
# no problem and making the label text costs more than checking the cell.
Label: TypeAlias = str | LazyString


@dataclass
class RowCheck:
    line: int
    country_code: str
    indicator_slug: str
    country_id: int | None = None
    indicator_id: int | None = None
    content: VersionContent | None = None
    problems: list[str] = field(default_factory=list)
    skipped: bool = False


def _text(value) -> str:
    return "" if value is None else str(value).strip()


class _Row:
    """Reads one row's cells, collecting what is wrong with them."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def text(self, value, label: Label, limit: int) -> str:
        text = _text(value)
        if len(text) > limit:
            self.problems.append(
                gettext("%(label)s is longer than %(n)s characters.", label=label, n=limit)
            )
        return text

    def year(self, value, label: Label) -> int | None:
        text = _text(value)
        if not text:
            return None
        if text.isdigit() and 1000 <= int(text) <= 2999:
            return int(text)
        self.problems.append(gettext("Bad year %(value)r in %(label)s.", value=text, label=label))
        return None

    def url(self, value, label: Label) -> str:
        text = self.text(value, label, 500)
        if not text:
            return ""
        parts = urlsplit(text)
        if (
            parts.scheme not in ("http", "https")
            or not parts.netloc
            or any(c.isspace() for c in text)
        ):
            self.problems.append(
                gettext("Malformed URL %(value)r in %(label)s.", value=text, label=label)
            )
        return text

    def too_many_fields(self, item: dict, label: Label) -> None:
        if item.get("_extra"):
            self.problems.append(gettext("%(label)s has too many fields.", label=label))


def _content(row: dict, cells: _Row) -> VersionContent:
    raw_status = _text(row.get("status"))
    status = STATUS_ALIASES.get(raw_status.lower().replace(" ", "_").replace("-", "_"))
    if status is None:
        cells.problems.append(
            gettext(
                "Invalid status %(value)r: use Yes, Partial, No, No Data or Not Yet Assessed.",
                value=raw_status,
            )
        )
    citations = []
    for n, item in enumerate(row.get("citations") or [], start=1):
        label = lazy_gettext("citation %(n)s", n=n)
        cells.too_many_fields(item, label)
        instrument = cells.text(item.get("instrument"), label, 300)
        if not instrument:
            cells.problems.append(gettext("%(label)s names no instrument.", label=label))
        citations.append(
            CitationInput(
                instrument_title=instrument,
                year_adopted=cells.year(item.get("year"), label),
                provision=cells.text(item.get("provision"), label, 200),
                status_as_of=cells.year(item.get("status_as_of"), label),
                url=cells.url(item.get("url"), label),
                language=cells.text(item.get("language"), label, 8),
            )
        )
    sources = []
    for n, item in enumerate(row.get("sources") or [], start=1):
        label = lazy_gettext("source %(n)s", n=n)
        cells.too_many_fields(item, label)
        title = cells.text(item.get("title"), label, 300)
        if not title:
            cells.problems.append(gettext("%(label)s has no title.", label=label))
        sources.append(
            SourceInput(
                title=title,
                publisher=cells.text(item.get("publisher"), label, 200),
                year=cells.year(item.get("year"), label),
                url=cells.url(item.get("url"), label),
            )
        )
    return VersionContent(
        status=status or "not_assessed",
        analysis=_text(row.get("analysis")),
        analysis_source_title=cells.text(
            row.get("analysis_source_title"), "analysis_source_title", 300
        ),
        analysis_source_year=cells.year(row.get("analysis_source_year"), "analysis_source_year"),
        citations=citations,
        sources=sources,
    )


def _open_work() -> dict[tuple[int, int], str]:
    """(country id, indicator id) -> who holds an open version of that assessment."""
    rows = db.session.execute(
        select(Assessment.country_id, Assessment.indicator_id, Version.created_by_id)
        .join(Version, Version.assessment_id == Assessment.id)
        .where(Version.state.in_([s.value for s in OPEN_STATES]))
    )
    return {(c, i): str(user_id) for c, i, user_id in rows}


def check_rows(
    actor: User, rows: list[tuple[int, dict]], progress: Callable[[int], None] | None = None
) -> list[RowCheck]:
    countries = {c.iso2: c for c in db.session.scalars(select(Country))}
    indicators = {i.slug: i for i in db.session.scalars(select(Indicator))}
    open_work = _open_work()
    seen: dict[tuple[int, int], int] = {}
    checks = []
    for line, row in rows:
        code, slug = _text(row.get("country")).upper(), _text(row.get("indicator")).lower()
        result = RowCheck(line, code, slug)
        checks.append(result)
        if progress:
            progress(1)
        if not any(_text(row.get(key)) for key in ("country", "indicator", "status", "analysis")):
            result.skipped = True
            continue
        if not _text(row.get("status")) and not _text(row.get("analysis")):
            result.skipped = True
            continue
        cells = _Row()
        country, indicator = countries.get(code), indicators.get(slug)
        if country is None:
            cells.problems.append(gettext("Unknown country %(code)r.", code=code))
        elif not (is_admin(actor) or is_editor(actor, country.id)):
            cells.problems.append(
                gettext("You cannot edit assessments of %(country)s.", country=country.name)
            )
        if indicator is None:
            cells.problems.append(gettext("Unknown indicator %(slug)r.", slug=slug))
        elif indicator.is_retired:
            cells.problems.append(gettext("The indicator %(slug)r is retired.", slug=slug))
        content = _content(row, cells)
        if not cells.problems:
            required = problems(content, for_submission=True)
            cells.problems += [m for key in ("status", "analysis") for m in required.get(key, [])]
        if country and indicator:
            key = (country.id, indicator.id)
            if key in seen:
                cells.problems.append(gettext("Same assessment as line %(n)s.", n=seen[key]))
            seen.setdefault(key, line)
            if key in open_work:
                cells.problems.append(
                    gettext("An open version of this assessment is already in the workflow.")
                )
            result.country_id, result.indicator_id = key
        result.content, result.problems = content, cells.problems
    return checks
