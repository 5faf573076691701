from sqlalchemy import insert
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import AuditEvent, User, table_of


def entry(
    actor: User | None,
    action: str,
    object_type: str,
    object_id: int | None,
    *,
    country_id: int | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    comment: str | None = None,
    details: dict | None = None,
) -> dict:
    """The columns of one audit event, for `record` and `record_many` alike."""
    return {
        "actor_id": actor.id if actor else None,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "country_id": country_id,
        "from_state": from_state,
        "to_state": to_state,
        "comment": comment,
        "details": details,
    }


def record(
    actor: User | None,
    action: str,
    obj: object | None = None,
    *,
    country_id: int | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    comment: str | None = None,
    details: dict | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits it with the change)."""
    event = AuditEvent(
        **entry(
            actor,
            action,
            type(obj).__name__.lower() if obj is not None else "system",
            getattr(obj, "id", None),
            country_id=country_id,
            from_state=from_state,
            to_state=to_state,
            comment=comment,
            details=details,
        )
    )
    db.session.add(event)
    return event


def record_many(session: Session, entries: list[dict]) -> None:
    """Write many `entry()` events in one INSERT, in order: the bulk import writes two per row."""
    if entries:
        session.execute(insert(table_of(AuditEvent)), entries)
