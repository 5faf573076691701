"""Review rounds: each decision on a submitted version, with the content it was taken on.

A returned version is edited and submitted again, so its row no longer says what the supervisor
read when they asked for changes. `record` keeps that content beside the decision (in the
decision's transaction); the review screen compares the current text with the last round, and
the thread shows what each round changed against the one before."""

from dataclasses import asdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from ..extensions import db
from ..models import ReviewRound, User, Version
from ..workflow import Action
from .content import CitationInput, SourceInput, VersionContent, content_of


def as_data(content: VersionContent) -> dict:
    return asdict(content)


def content_from(data: dict) -> VersionContent:
    return VersionContent(
        status=data["status"],
        analysis=data.get("analysis", ""),
        analysis_language=data.get("analysis_language", "en"),
        analysis_source_title=data.get("analysis_source_title", ""),
        analysis_source_year=data.get("analysis_source_year"),
        citations=[CitationInput(**row) for row in data.get("citations", [])],
        sources=[SourceInput(**row) for row in data.get("sources", [])],
    )


def next_number(session: Session, version_id: int) -> int:
    """The number the next decision on this version takes (the version is locked)."""
    last = session.scalar(
        select(func.max(ReviewRound.number)).where(ReviewRound.version_id == version_id)
    )
    return (last or 0) + 1


def record(
    session: Session, user: User, version: Version, action: Action, number: int, at
) -> ReviewRound:
    """Keep the content `action` was decided on, as round `number` (see `next_number`)."""
    decided = ReviewRound(
        version_id=version.id,
        number=number,
        action=action.value,
        decided_by_id=user.id,
        decided_at=at,
        base_version_id=version.base_version_id,
        content=as_data(content_of(version)),
    )
    session.add(decided)
    return decided


def of_version(version_id: int) -> list[ReviewRound]:
    """The version's rounds, first to last, in one statement."""
    return list(
        db.session.scalars(
            select(ReviewRound)
            .where(ReviewRound.version_id == version_id)
            .options(joinedload(ReviewRound.decided_by))
            .order_by(ReviewRound.number)
        )
    )


def last_returned(rounds: list[ReviewRound]) -> ReviewRound | None:
    """The latest round in which changes were requested: what "since the last round" means."""
    returned = [r for r in rounds if r.action == Action.REQUEST_CHANGES.value]
    return returned[-1] if returned else None
