"""Writing checked import rows: one submitted version per row, in the caller's transaction.

Rows are written in batches of bulk INSERTs, a fixed number of statements per batch whatever its
citations, with the assessments and instruments they need loaded up front. Row by row, 2,241 rows
took 72 s on SQLite; ORM objects flushed per batch, with a notification query per row, still took
12 s for 4,980 rows, most of it the unit of work's bookkeeping; now 1 s on SQLite. The rows are the
ones the ORM wrote, in the same order, with the same audit events and notices
(tests/test_import_write.py)."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import NamedTuple

from flask_babel import gettext
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import (
    Assessment,
    Citation,
    Instrument,
    Source,
    User,
    Version,
    VersionContributor,
    table_of,
)
from ..workflow import OPEN_STATES, Action
from . import audit, engine, notifications
from .content import CitationInput, VersionContent, citation_values, source_values
from .errors import Conflict
from .import_rows import RowCheck

BATCH = 1000
InstrumentKey = tuple[int, str, int | None]


class _Known:
    """The assessments, open versions and instruments of the countries in the file, by key;
    `add_*` inserts the missing ones, in the order the rows first need them.

    New ids are matched to rows by the key RETURNING gives back, not by position: SQLite does not
    promise RETURNING's order, and SQLAlchemy's `sort_by_parameter_order` falls back there to one
    INSERT per row."""

    def __init__(self, session: Session, country_ids: set[int]) -> None:
        self.session = session
        # (country id, indicator id) -> (assessment id, published version id)
        self.assessments: dict[tuple[int, int], tuple[int, int | None]] = {
            (country_id, indicator_id): (assessment_id, published_id)
            for country_id, indicator_id, assessment_id, published_id in session.execute(
                select(
                    Assessment.country_id,
                    Assessment.indicator_id,
                    Assessment.id,
                    Assessment.published_version_id,
                ).where(Assessment.country_id.in_(country_ids))
            )
        }
        self.open = set(
            session.scalars(
                select(Version.assessment_id)
                .join(Assessment, Assessment.id == Version.assessment_id)
                .where(Assessment.country_id.in_(country_ids))
                .where(Version.state.in_([s.value for s in OPEN_STATES]))
            )
        )
        self.instruments: dict[InstrumentKey, int] = {
            (country_id, title, year): instrument_id
            for instrument_id, country_id, title, year in session.execute(
                select(
                    Instrument.id, Instrument.country_id, Instrument.title, Instrument.year_adopted
                ).where(Instrument.country_id.in_(country_ids))
            )
        }

    def add_assessments(self, keys: list[tuple[int, int]]) -> None:
        missing = list(dict.fromkeys(key for key in keys if key not in self.assessments))
        if missing:
            table = table_of(Assessment)
            made = self.session.execute(
                insert(table).returning(table.c.country_id, table.c.indicator_id, table.c.id),
                [{"country_id": c, "indicator_id": i} for c, i in missing],
            )
            self.assessments.update({(c, i): (new_id, None) for c, i, new_id in made})

    def add_instruments(self, keys: list[InstrumentKey]) -> None:
        missing = list(dict.fromkeys(key for key in keys if key not in self.instruments))
        if missing:
            table = table_of(Instrument)
            made = self.session.execute(
                insert(table).returning(
                    table.c.country_id, table.c.title, table.c.year_adopted, table.c.id
                ),
                [{"country_id": c, "title": t, "year_adopted": y} for c, t, y in missing],
            )
            self.instruments.update({(c, t, y): new_id for c, t, y, new_id in made})


class _Row(NamedTuple):
    line: int
    country_id: int
    indicator_id: int
    content: VersionContent


def _checked(row: RowCheck) -> _Row:
    if row.country_id is None or row.indicator_id is None or row.content is None:
        raise ValueError(f"line {row.line} was not checked")
    return _Row(row.line, row.country_id, row.indicator_id, row.content)


def _refuse_open(known: _Known, rows: list[_Row]) -> None:
    """Conflict, naming the first row whose assessment was opened since the check."""
    for row in rows:
        found = known.assessments.get((row.country_id, row.indicator_id))
        if found is not None and found[0] in known.open:
            raise Conflict(
                gettext(
                    "Row %(n)s: someone opened this assessment meanwhile. Nothing was imported; "
                    "check the file again.",
                    n=row.line,
                )
            )


def _instrument(row: _Row, citation: CitationInput) -> InstrumentKey:
    return (row.country_id, citation.instrument_title.strip(), citation.year_adopted)


class _Steps:
    """The start and submit of a new version by the importer, planned by the review engine once
    per country: the states they lead to, and the audit events `engine.apply` would record."""

    def __init__(self, actor: User) -> None:
        self.actor = actor
        self.known: dict[int, list[engine.Step]] = {}

    def of(self, country_id: int) -> list[engine.Step]:
        if country_id not in self.known:
            self.known[country_id] = engine.plan_new(
                self.actor, Version, country_id, (Action.START, Action.SUBMIT), admins_create=True
            )
        return self.known[country_id]

    def submitted(self, country_id: int) -> str:
        return self.of(country_id)[-1][2].value


def _version_values(
    known: _Known, states: _Steps, actor: User, row: _Row, batch_id: int | None
) -> dict:
    assessment_id, published_id = known.assessments[(row.country_id, row.indicator_id)]
    content = row.content
    return {
        "assessment_id": assessment_id,
        "state": states.submitted(row.country_id),
        "base_version_id": published_id,
        "created_by_id": actor.id,
        "submitted_by_id": actor.id,
        "submitted_at": datetime.now(UTC),
        "row_version": 1,
        "submitted_row_version": 1,
        "status": content.status,
        "analysis": content.analysis,
        "analysis_language": content.analysis_language,
        "analysis_source_title": content.analysis_source_title.strip(),
        "analysis_source_year": content.analysis_source_year,
        "import_batch_id": batch_id,
    }


def _transitions(steps: _Steps, name: str, rows: list[_Row], ids: list[int]) -> list[dict]:
    """The start and submit events of each row, as `engine.apply` records them."""
    events = []
    for row, version_id in zip(rows, ids, strict=True):
        events += engine.audit_entries(
            steps.actor,
            Version,
            version_id,
            row.country_id,
            steps.of(row.country_id),
            details={"import": name, "line": row.line},
        )
    return events


class _Writer:
    """One import's batches: what they share is loaded once."""

    def __init__(
        self,
        session: Session,
        actor: User,
        name: str,
        country_ids: set[int],
        batch_id: int | None,
    ) -> None:
        self.session, self.actor, self.name, self.batch_id = session, actor, name, batch_id
        self.known = _Known(session, country_ids)
        self.states = _Steps(actor)
        self.notices = notifications.Submissions(session, actor, country_ids)

    def write(self, rows: list[_Row]) -> None:
        known, session = self.known, self.session
        known.add_assessments([(row.country_id, row.indicator_id) for row in rows])
        known.add_instruments([_instrument(row, c) for row in rows for c in row.content.citations])
        versions = [
            _version_values(known, self.states, self.actor, row, self.batch_id) for row in rows
        ]
        table = table_of(Version)
        made: dict[int, int] = dict(
            session.execute(
                insert(table).returning(table.c.assessment_id, table.c.id), versions
            ).all()
        )
        ids = [made[version["assessment_id"]] for version in versions]
        session.execute(
            insert(table_of(VersionContributor)),
            [{"version_id": version_id, "user_id": self.actor.id} for version_id in ids],
        )
        citations, sources = [], []
        for row, version_id in zip(rows, ids, strict=True):
            citations += [
                {
                    "version_id": version_id,
                    "instrument_id": known.instruments[_instrument(row, citation)],
                    **citation_values(citation, position),
                }
                for position, citation in enumerate(row.content.citations)
            ]
            sources += [
                {"version_id": version_id, **source_values(source, position)}
                for position, source in enumerate(row.content.sources)
            ]
        if citations:
            session.execute(insert(table_of(Citation)), citations)
        if sources:
            session.execute(insert(table_of(Source)), sources)
        audit.record_many(session, _transitions(self.states, self.name, rows, ids))
        self.notices.add(
            [
                (version_id, row.country_id, row.indicator_id)
                for row, version_id in zip(rows, ids, strict=True)
            ]
        )


def write_rows(
    session: Session,
    actor: User,
    rows: list[RowCheck],
    name: str,
    progress: Callable[[int], None] | None = None,
    batch_id: int | None = None,
) -> int:
    """Create one submitted version per checked row, the importer its only contributor."""
    if not rows:
        return 0
    checked = [_checked(row) for row in rows]
    writer = _Writer(session, actor, name, {row.country_id for row in checked}, batch_id)
    _refuse_open(writer.known, checked)
    for start in range(0, len(checked), BATCH):
        batch = checked[start : start + BATCH]
        try:
            writer.write(batch)
        except IntegrityError:
            # Another writer opened one of these assessments (the one-open-version index).
            raise Conflict(
                gettext("Someone opened one of these assessments meanwhile. Nothing was imported.")
            ) from None
        if progress:
            progress(len(batch))
    details = {"file": name, "imported": len(rows)}
    if batch_id is not None:
        details["batch"] = batch_id
    audit.record(actor, "import_assessments", None, details=details)
    return len(rows)
