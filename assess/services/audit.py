from ..extensions import db
from ..models import AuditEvent, User


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
        actor_id=actor.id if actor else None,
        action=action,
        object_type=type(obj).__name__.lower() if obj is not None else "system",
        object_id=getattr(obj, "id", None),
        country_id=country_id,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        details=details,
    )
    db.session.add(event)
    return event
