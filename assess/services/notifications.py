"""Who hears about a transition: in-app notifications and e-mail through the outbox.

Called by the workflow services inside the transition's transaction, so a notification exists
exactly when its transition does. Never notifies the actor."""

from sqlalchemy.orm import Session

from ..models import User, Version
from ..workflow import Action


def on_transition(session: Session, actor: User, version: Version, action: Action) -> None:
    """Notify the people concerned by `action` on `version` (to be filled in: issue 3 point 5)."""
