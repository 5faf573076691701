"""Who hears about a transition: in-app notifications and e-mail through the outbox.

Called by the workflow services inside the transition's transaction, so a notification exists
exactly when its transition does; `assess send-mail` sends the outbox after commit. On submit the
eligible supervisors of the country hear of it; on a decision every contributor does. Never the
actor.
"""

from flask import current_app, has_request_context, request
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..database import write_transaction
from ..extensions import db
from ..models import Notification, OutboxEmail, Role, RoleGrant, User, Version
from ..models import VersionContributor as Contributor
from ..workflow import Action
from .errors import NotFound
from .queues import PER_PAGE, Page, offset, version_path

DECISIONS = (Action.APPROVE, Action.REQUEST_CHANGES, Action.REJECT)


def recipients(session: Session, actor: User, version: Version, action: Action) -> list[User]:
    """The active users to tell about `action` on `version`, never the actor."""
    if action == Action.SUBMIT:
        country_id = version.assessment.country_id
        supervisors = select(RoleGrant.user_id).where(
            RoleGrant.role == Role.SUPERVISOR.value,
            (RoleGrant.country_id.is_(None)) | (RoleGrant.country_id == country_id),
        )
        contributors = select(Contributor.user_id).where(Contributor.version_id == version.id)
        statement = select(User).where(User.id.in_(supervisors), User.id.not_in(contributors))
    elif action in DECISIONS:
        statement = (
            select(User)
            .join(Contributor, Contributor.user_id == User.id)
            .where(Contributor.version_id == version.id)
        )
    else:
        return []
    statement = statement.where(User.active.is_(True), User.id != actor.id).order_by(User.id)
    return list(session.scalars(statement))


def _message(actor: User, version: Version, action: Action) -> tuple[str, str]:
    """(subject, sentence) in the site's default language: stored text outlives the request."""
    names = {
        "actor": actor.display_name,
        "indicator": version.assessment.indicator.title,
        "country": version.assessment.country.name,
    }
    if action == Action.SUBMIT:
        return (
            _("Review requested: %(country)s, %(indicator)s", **names),
            _("%(actor)s submitted %(indicator)s for %(country)s for review.", **names),
        )
    if action == Action.APPROVE:
        return (
            _("Published: %(country)s, %(indicator)s", **names),
            _("%(actor)s approved and published %(indicator)s for %(country)s.", **names),
        )
    if action == Action.REQUEST_CHANGES:
        return (
            _("Changes requested: %(country)s, %(indicator)s", **names),
            _("%(actor)s requested changes to %(indicator)s for %(country)s.", **names),
        )
    return (
        _("Rejected: %(country)s, %(indicator)s", **names),
        _("%(actor)s rejected %(indicator)s for %(country)s.", **names),
    )


def _absolute(path: str) -> str:
    base = current_app.config.get("BASE_URL") or (request.host_url if has_request_context() else "")
    return base.rstrip("/") + path if base else path


def on_transition(
    session: Session, actor: User, version: Version, action: Action, comment: str | None = None
) -> None:
    """Notify the people concerned by `action` on `version`, in the caller's transaction."""
    # The caller is mid-transition (approve has set the state but not yet the number): querying
    # must not flush its half-made changes. Contributors were all stored by earlier transactions.
    with session.no_autoflush:
        people = recipients(session, actor, version, action)
        if people:
            _notify(session, people, actor, version, action, comment)


def _notify(
    session: Session,
    people: list[User],
    actor: User,
    version: Version,
    action: Action,
    comment: str | None,
) -> None:
    link = version_path(version.id)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject, sentence = _message(actor, version, action)
        lines = [sentence]
        if comment and comment.strip() and action in DECISIONS:
            lines += ["", _("Comment:"), comment.strip()]
        lines += ["", _("Open it: %(url)s", url=_absolute(link))]
        body = "\n".join(lines)
    for person in people:
        session.add(Notification(user_id=person.id, message=sentence, link=link))
        if person.email_notifications:  # the preference on the account page
            session.add(OutboxEmail(recipient=person.email, subject=subject, body=body))


def unread_count(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.read.is_(False)
            )
        )
        or 0
    )


def for_user(
    user: User, *, unread_only: bool = False, number: int = 1, per_page: int = PER_PAGE
) -> Page[Notification]:
    conditions = [Notification.user_id == user.id]
    if unread_only:
        conditions.append(Notification.read.is_(False))
    total = db.session.scalar(select(func.count(Notification.id)).where(*conditions)) or 0
    items = db.session.scalars(
        select(Notification)
        .where(*conditions)
        .order_by(Notification.id.desc())
        .limit(per_page)
        .offset(offset(number, per_page))
    )
    return Page(list(items), number, per_page, total)


def mark_read(user: User, notification_id: int) -> None:
    """Mark one of the user's own notifications read; anyone else's is not found."""
    with write_transaction() as session:
        marked = session.scalar(
            update(Notification)
            .where(Notification.id == notification_id, Notification.user_id == user.id)
            .values(read=True)
            .returning(Notification.id)
        )
        if marked is None:
            raise NotFound("No such notification.")


def mark_all_read(user: User) -> int:
    with write_transaction() as session:
        marked = session.scalars(
            update(Notification)
            .where(Notification.user_id == user.id, Notification.read.is_(False))
            .values(read=True)
            .returning(Notification.id)
        )
        return len(marked.all())
