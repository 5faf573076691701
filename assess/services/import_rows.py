"""Row checks and writes for `bulk_import`: each row becomes one `VersionContent`, or a list of
problems a person can fix in their spreadsheet."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Assessment, Country, Indicator, User, Version, VersionContributor
from ..workflow import OPEN_STATES, Action, Actor, State, transition
from . import audit, notifications
from .assessments import _write_content, get_assessment, open_version
from .content import CitationInput, SourceInput, VersionContent, problems
from .errors import Conflict
from .permissions import is_admin, is_editor, is_supervisor

STATUS_ALIASES = {
    "yes": "yes",
    "partial": "partial",
    "no": "no",
    "no_data": "no_data",
    "nodata": "no_data",
    "not_assessed": "not_assessed",
    "not_yet_assessed": "not_assessed",
}


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

    def text(self, value, label: str, limit: int) -> str:
        text = _text(value)
        if len(text) > limit:
            self.problems.append(
                gettext("%(label)s is longer than %(n)s characters.", label=label, n=limit)
            )
        return text

    def year(self, value, label: str) -> int | None:
        text = _text(value)
        if not text:
            return None
        if text.isdigit() and 1000 <= int(text) <= 2999:
            return int(text)
        self.problems.append(gettext("Bad year %(value)r in %(label)s.", value=text, label=label))
        return None

    def url(self, value, label: str) -> str:
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

    def too_many_fields(self, item: dict, label: str) -> None:
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
        label = gettext("citation %(n)s", n=n)
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
        label = gettext("source %(n)s", n=n)
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


def write_rows(
    session: Session,
    actor: User,
    rows: list[RowCheck],
    name: str,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Create one submitted version per row, the importer its only contributor."""
    now = datetime.now(UTC)
    for row in rows:
        if row.country_id is None or row.indicator_id is None or row.content is None:
            raise ValueError(f"line {row.line} was not checked")
        assessment = get_assessment(session, row.country_id, row.indicator_id)
        if open_version(session, assessment.id) is not None:
            raise Conflict(
                gettext(
                    "Line %(n)s: someone opened this assessment meanwhile. Nothing was imported; "
                    "check the file again.",
                    n=row.line,
                )
            )
        who = Actor(
            is_editor=True,
            is_supervisor=is_supervisor(actor, row.country_id),
            is_admin=is_admin(actor),
            is_contributor=True,
            is_creator=True,
        )
        drafted = transition(None, Action.START, who)
        submitted = transition(drafted, Action.SUBMIT, who)
        version = Version(
            assessment=assessment,
            state=submitted.value,
            base_version=assessment.published_version,
            created_by_id=actor.id,
            submitted_by_id=actor.id,
            submitted_at=now,
        )
        session.add(version)
        _write_content(session, version, row.content)
        version.submitted_row_version = version.row_version = 1
        version.contributors.append(VersionContributor(user_id=actor.id))
        session.flush()
        details = {"import": name, "line": row.line}
        for action, before, after in (
            (Action.START, None, State.DRAFT),
            (Action.SUBMIT, State.DRAFT, State.SUBMITTED),
        ):
            audit.record(
                actor,
                action.value,
                version,
                country_id=row.country_id,
                from_state=before.value if before else None,
                to_state=after.value,
                details=details,
            )
        notifications.on_transition(session, actor, version, Action.SUBMIT)
        if progress:
            progress(1)
    audit.record(actor, "import_assessments", None, details={"file": name, "imported": len(rows)})
    return len(rows)
