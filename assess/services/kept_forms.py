"""Forms posted by a session that had just expired: kept for their owner, found again by token.

The request that carried one is not carried out, since the session that sent it is over (a
cookie left in a shared browser must not save or decide anything). What was typed is stored
instead, and the page of the form fills itself from it once the same user has signed in again.
"""

import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select
from werkzeug.datastructures import MultiDict

from ..database import write_transaction
from ..extensions import db
from ..models import KeptForm, User

DEFAULT_LIFETIME = timedelta(days=7)
# Fields never kept: the old session's CSRF token, a password typed to confirm a decision.
NOT_KEPT = frozenset({"csrf_token", "reauth_password"})


def lifetime() -> timedelta:
    value = current_app.config.get("KEPT_FORM_LIFETIME")
    if isinstance(value, int | float):
        return timedelta(seconds=value)
    return value or DEFAULT_LIFETIME


def keep(user_id: int, path: str, form: MultiDict) -> str:
    """Store the posted fields for `user_id`; the token that finds them again."""
    token = secrets.token_urlsafe(24)
    fields = [
        [name, value]
        for name, values in form.lists()
        if name not in NOT_KEPT
        for value in values
        if isinstance(value, str)
    ]
    now = datetime.now(UTC)
    with write_transaction() as session:
        session.execute(delete(KeptForm).where(KeptForm.created_at < now - lifetime()))
        session.add(KeptForm(token=token, user_id=user_id, path=path, fields=fields))
    return token


def find(user: User, token: str, path_prefix: str) -> KeptForm | None:
    """The kept form with this token, if it is this user's, was posted under `path_prefix`
    and is still within its lifetime; else None (a stranger's token finds nothing)."""
    if not token or len(token) > 64:
        return None
    kept = db.session.scalar(select(KeptForm).where(KeptForm.token == token))
    if kept is None or kept.user_id != user.id or not kept.path.startswith(path_prefix):
        return None
    if kept.created_at < datetime.now(UTC) - lifetime():
        return None
    return kept


def fields_of(kept: KeptForm) -> MultiDict:
    return MultiDict([(name, value) for name, value in kept.fields])
