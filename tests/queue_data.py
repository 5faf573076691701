"""Helpers for the queue, matrix and audit tests: a statement counter, and bulk work items
(thousands of assessments and versions inserted in a few statements, not through the services)."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from itertools import cycle

from sqlalchemy import bindparam, event, func, insert, select, update

from assess.extensions import db
from assess.models import (
    Assessment,
    AuditEvent,
    Country,
    Indicator,
    Version,
    VersionContributor,
)

_NOT_COUNTED = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")


class QueryLog(list):
    @property
    def count(self) -> int:
        return len(self)


@contextmanager
def count_queries() -> Iterator[QueryLog]:
    """Every SQL statement sent while the block runs (transaction control aside)."""
    log = QueryLog()

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(_NOT_COUNTED):
            log.append(statement)

    event.listen(db.engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield log
    finally:
        event.remove(db.engine, "before_cursor_execute", before_cursor_execute)


def add_indicators(total: int) -> list[int]:
    """Make the framework `total` indicators long; return their ids in order."""
    have = db.session.scalar(select(func.count(Indicator.id)))
    if total > have:
        db.session.execute(
            insert(Indicator),
            [
                {"slug": f"extra-{n}", "title": f"Extra indicator {n}", "position": 100 + n}
                for n in range(have, total)
            ],
        )
        db.session.commit()
    return list(db.session.scalars(select(Indicator.id).order_by(Indicator.position)))


def bulk_work(
    *,
    author_id: int,
    states: list[str],
    countries: list[int] | None = None,
    indicators: list[int] | None = None,
    published: bool = True,
    limit: int | None = None,
    start: datetime | None = None,
) -> int:
    """An assessment for each (country, indicator), optionally published, with an open version
    in the next of `states` (an empty string: no open version), created and submitted by
    `author_id`, one minute older each. Returns how many open versions were made."""
    countries = countries or list(db.session.scalars(select(Country.id).order_by(Country.id)))
    indicators = indicators or list(db.session.scalars(select(Indicator.id)))
    pairs = [(c, i) for c in countries for i in indicators][:limit]
    start = start or datetime.now(UTC) - timedelta(days=400)
    next_assessment = (db.session.scalar(select(func.max(Assessment.id))) or 0) + 1
    next_version = (db.session.scalar(select(func.max(Version.id))) or 0) + 1
    assessments, versions, contributors, published_ids = [], [], [], []
    statuses = cycle(["yes", "partial", "no", "no_data"])
    state_of = cycle(states)
    for n, (country_id, indicator_id) in enumerate(pairs):
        assessment_id = next_assessment + n
        at = start + timedelta(minutes=n)
        assessments.append(
            {"id": assessment_id, "country_id": country_id, "indicator_id": indicator_id}
        )
        base = None
        if published:
            base = next_version
            versions.append(
                _version(base, assessment_id, "published", author_id, at, next(statuses))
            )
            published_ids.append({"a_id": assessment_id, "v_id": base})
            next_version += 1
        state = next(state_of)
        if state:
            row = _version(next_version, assessment_id, state, author_id, at, next(statuses))
            row["base_version_id"] = base
            versions.append(row)
            contributors.append({"version_id": next_version, "user_id": author_id})
            next_version += 1
    db.session.execute(insert(Assessment), assessments)
    db.session.execute(insert(Version), versions)
    if contributors:
        db.session.execute(insert(VersionContributor), contributors)
    if published_ids:
        db.session.execute(
            update(Assessment.__table__)
            .where(Assessment.__table__.c.id == bindparam("a_id"))
            .values(published_version_id=bindparam("v_id")),
            published_ids,
        )
    db.session.commit()
    return len(contributors)


def _version(version_id, assessment_id, state, author_id, at, status) -> dict:
    public = state == "published"
    return {
        "id": version_id,
        "assessment_id": assessment_id,
        "state": state,
        "status": status,
        "analysis": "Bulk analysis.",
        "number": 1 if public else None,
        "created_by_id": author_id,
        "submitted_by_id": author_id if state != "draft" else None,
        "decided_by_id": author_id if state in ("published", "changes_requested") else None,
        "created_at": at,
        "updated_at": at,
        "submitted_at": at if state != "draft" else None,
        "decided_at": at if state in ("published", "changes_requested") else None,
        "published_at": at if public else None,
        "decision_comment": "Please cite the article." if state == "changes_requested" else None,
        "row_version": 1,
        "submitted_row_version": 1 if state == "submitted" else None,
    }


def bulk_audit(count: int, actor_id: int, country_id: int, action: str = "save") -> None:
    start = datetime.now(UTC) - timedelta(days=30)
    db.session.execute(
        insert(AuditEvent),
        [
            {
                "at": start + timedelta(seconds=n),
                "actor_id": actor_id,
                "action": action,
                "object_type": "version",
                "object_id": n + 1,
                "country_id": country_id,
                "from_state": "draft",
                "to_state": "draft",
                "comment": f"bulk {n}",
            }
            for n in range(count)
        ],
    )
    db.session.commit()


def country_id(iso2: str) -> int:
    return db.session.scalar(select(Country.id).where(Country.iso2 == iso2))


def indicator_ids() -> list[int]:
    return list(db.session.scalars(select(Indicator.id).order_by(Indicator.position)))


def draft(user, iso2: str = "KZ", position: int = 2, status: str = "yes", analysis: str = "Law."):
    """A saved draft by `user` of the assessment of indicator number `position` in `iso2`."""
    from assess.services import assessments
    from assess.services.content import VersionContent

    version = assessments.start_draft(user, country_id(iso2), indicator_ids()[position])
    content = VersionContent(status=status, analysis=analysis)
    return assessments.save(user, version.id, content, version.row_version)


def submitted(user, iso2: str = "KZ", position: int = 2, status: str = "yes"):
    from assess.services import assessments

    return assessments.submit(user, draft(user, iso2, position, status).id)
