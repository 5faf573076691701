"""Read side of the evidence: the life of instruments, which published assessments predate an
amendment or a repeal of the law they cite ("needs re-review"), and the footing of each citation
(its instrument's status, its archived copy, its link's last check).

A published version needs re-review when an instrument it cites was amended or repealed on a date
after the citation's "status as of" (after that year; with none given, after the version's
publication) and the amendment was recorded after the version was published: publishing a new
version ends it.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import (
    ArchivedCopy,
    Assessment,
    Citation,
    InstrumentEvent,
    InstrumentEventKind,
    LinkCheck,
    Version,
)
from ..workflow import State

CHANGES = (InstrumentEventKind.AMENDED.value, InstrumentEventKind.REPEALED.value)


@dataclass
class Life:
    """What is recorded of one instrument, oldest first."""

    events: list[InstrumentEvent] = field(default_factory=list)

    @property
    def adopted(self) -> InstrumentEvent | None:
        return next((e for e in self.events if e.kind == InstrumentEventKind.ADOPTED), None)

    @property
    def amendments(self) -> list[InstrumentEvent]:
        return [e for e in self.events if e.kind == InstrumentEventKind.AMENDED]

    @property
    def repealed(self) -> InstrumentEvent | None:
        return next((e for e in self.events if e.kind == InstrumentEventKind.REPEALED), None)

    @property
    def status(self) -> str:
        """ "repealed", "amended", "in_force" or "unknown" (nothing recorded)."""
        if self.repealed:
            return "repealed"
        if self.amendments:
            return "amended"
        return "in_force" if self.adopted else "unknown"

    @property
    def last_amended(self) -> date | None:
        return self.amendments[-1].dated if self.amendments else None


def lives(instrument_ids) -> dict[int, Life]:
    """Asked even with no instrument: a page costs the same statements whatever its data."""
    ids = sorted(set(instrument_ids))
    found: dict[int, Life] = {i: Life() for i in ids}
    for event in db.session.scalars(
        select(InstrumentEvent)
        .where(InstrumentEvent.instrument_id.in_(ids))
        .options(joinedload(InstrumentEvent.recorded_by))
        .order_by(InstrumentEvent.dated, InstrumentEvent.id)
    ):
        found[event.instrument_id].events.append(event)
    return found


def _cutoff(status_as_of: int | None, published_on: date) -> date:
    return date(status_as_of, 12, 31) if status_as_of else published_on


def outdated(*conditions) -> dict[int, list[InstrumentEvent]]:
    """Published version id -> the amendments and repeals it predates (see the module), in
    date order; `conditions` narrow the versions (e.g. `Assessment.country_id == 3`)."""
    rows = db.session.execute(
        select(Version.id, Version.published_at, Citation.status_as_of, InstrumentEvent)
        .join(Citation, Citation.version_id == Version.id)
        .join(InstrumentEvent, InstrumentEvent.instrument_id == Citation.instrument_id)
        .join(Assessment, Assessment.id == Version.assessment_id)
        .where(
            Version.state == State.PUBLISHED.value,
            InstrumentEvent.kind.in_(CHANGES),
            InstrumentEvent.recorded_at > Version.published_at,
            *conditions,
        )
        .options(joinedload(InstrumentEvent.instrument))
        .order_by(InstrumentEvent.dated, InstrumentEvent.id)
    )
    found: dict[int, list[InstrumentEvent]] = {}
    for version_id, published_at, status_as_of, event in rows:
        if published_at is None:  # a published version has its date: this is for the checker
            continue
        if event.dated > _cutoff(status_as_of, published_at.date()):
            events = found.setdefault(version_id, [])
            if event not in events:
                events.append(event)
    return found


def outdated_assessments(*conditions) -> set[int]:
    """The ids of the assessments whose published version needs re-review."""
    versions = outdated(*conditions)
    if not versions:
        return set()
    return set(
        db.session.scalars(select(Version.assessment_id).where(Version.id.in_(list(versions))))
    )


@dataclass
class Footing:
    """What a public page shows under one version's citations and sources."""

    lives: dict[int, Life]
    copies: dict[str, ArchivedCopy]
    checks: dict[str, LinkCheck]
    predates: list[InstrumentEvent]

    def life(self, instrument_id: int) -> Life:
        return self.lives.get(instrument_id) or Life()

    def copy(self, url: str) -> ArchivedCopy | None:
        return self.copies.get((url or "").strip())

    def check(self, url: str) -> LinkCheck | None:
        return self.checks.get((url or "").strip())


def footing(version: Version) -> Footing:
    """Four statements whatever the number of citations."""
    urls = {c.url.strip() for c in version.citations} | {s.url.strip() for s in version.sources}
    urls.discard("")
    copies = {
        row.url: row
        for row in db.session.scalars(
            select(ArchivedCopy).where(ArchivedCopy.version_id == version.id)
        )
    }
    # Asked even with no URL: a page costs the same statements whatever its data.
    checks = {
        row.url: row
        for row in db.session.scalars(select(LinkCheck).where(LinkCheck.url.in_(sorted(urls))))
    }
    predates = outdated(Version.id == version.id).get(version.id, [])  # only if published
    return Footing(lives([c.instrument_id for c in version.citations]), copies, checks, predates)


def needing_rereview(scope: set[int] | None, limit: int = 50) -> list[Assessment]:
    """The assessments of the countries in `scope` (None: all) whose published version needs
    re-review, with their country and indicator, by country and indicator."""
    if scope is not None and not scope:
        return []
    conditions = [] if scope is None else [Assessment.country_id.in_(scope)]
    ids = outdated_assessments(*conditions)
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Assessment)
            .where(Assessment.id.in_(ids))
            .options(joinedload(Assessment.country), joinedload(Assessment.indicator))
            .order_by(Assessment.country_id, Assessment.indicator_id)
            .limit(limit)
        )
    )
