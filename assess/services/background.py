"""What admins see of the background work: mail that could not be sent, jobs that gave up."""

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from .. import jobs
from ..extensions import db
from ..models import OutboxEmail, User
from .errors import PermissionDenied
from .permissions import is_admin

LIMIT = 100


@dataclass
class Report:
    failing_mail: list[OutboxEmail] = field(default_factory=list)
    failed_jobs: list[dict] = field(default_factory=list)
    queue_error: str | None = None
    mode: str = "in-process"


def report(actor: User) -> Report:
    """Unsent mail whose last try failed, oldest first, and the queue's failed jobs."""
    if not is_admin(actor):
        raise PermissionDenied("Only an administrator can see the background jobs.")
    failing = select(OutboxEmail).where(
        OutboxEmail.sent_at.is_(None), OutboxEmail.last_error.is_not(None)
    )
    found = Report(
        failing_mail=list(db.session.scalars(failing.order_by(OutboxEmail.id).limit(LIMIT)))
    )
    found.mode = jobs.mode(current_app.config)
    try:
        found.failed_jobs = jobs.failed_jobs(LIMIT)
    except Exception as error:  # the queue down must not hide the outbox
        found.queue_error = f"{type(error).__name__}: {error}"
    return found
