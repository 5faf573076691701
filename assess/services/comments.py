"""The review thread of a version: remarks by its reviewers and supervisors, kept across rounds.

The thread a page shows interleaves these comments with the version's workflow events (submitted,
changes requested with their comment, ...), read from the audit log, so that each round reads in
order without copying decision comments twice."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..database import write_transaction
from ..extensions import db
from ..models import AuditEvent, Comment, User, Version
from . import audit, notifications
from .errors import NotFound, ValidationError
from .permissions import can_read_staff

MAX_COMMENT = 10_000
# Audit actions on a version that belong in its thread (the rest are bookkeeping).
THREAD_ACTIONS = (
    "start",
    "submit",
    "withdraw",
    "approve",
    "request_changes",
    "reject",
    "discard",
    "retract",
    "rebase",
)


@dataclass(frozen=True)
class Entry:
    """One line of the thread: a comment (`action` None) or a workflow event."""

    at: datetime
    author: User | None
    action: str | None
    body: str | None
    round_number: int | None = None  # a decision's review round (`rounds.py`)


def add(user: User, version_id: int, body: str) -> Comment:
    """Add a comment to the version's thread; staff of the version's country and admins may."""
    body = (body or "").strip()
    with write_transaction() as session:
        version = session.get(Version, version_id)
        if version is None or not can_read_staff(user, version.assessment.country_id):
            raise NotFound(gettext("No such version."))
        if not body:
            raise ValidationError(
                gettext("Write a comment."), {"body": [gettext("Write a comment.")]}
            )
        if len(body) > MAX_COMMENT:
            raise ValidationError(
                gettext("The comment is too long."),
                {"body": [gettext("Use at most %(limit)s characters.", limit=MAX_COMMENT)]},
            )
        comment = Comment(version_id=version.id, author_id=user.id, body=body)
        session.add(comment)
        session.flush()
        audit.record(
            user,
            "comment",
            version,
            country_id=version.assessment.country_id,
            details={"comment_id": comment.id},
        )
        notifications.on_comment(session, user, version, body)
    return comment


def thread(version_id: int) -> list[Entry]:
    """Comments and workflow events of one version, oldest first, in two statements."""
    comments = db.session.scalars(
        select(Comment)
        .where(Comment.version_id == version_id)
        .options(joinedload(Comment.author))
        .order_by(Comment.created_at, Comment.id)
    )
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.object_type == "version",
            AuditEvent.object_id == version_id,
            AuditEvent.action.in_(THREAD_ACTIONS),
        )
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    entries = [Entry(c.created_at, c.author, None, c.body) for c in comments]
    entries += [
        Entry(e.at, e.actor, e.action, e.comment, (e.details or {}).get("round")) for e in events
    ]
    return sorted(entries, key=lambda entry: entry.at)
