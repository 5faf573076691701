"""Who hears about a transition: in-app notifications and e-mail through the outbox.

Called by the workflow services inside the transition's transaction, so a notification exists
exactly when its transition does; `assess send-mail` sends the outbox after commit. On submit the
eligible supervisors of the country hear of it; on a decision every contributor does. Never the
actor.
"""

from flask import current_app, has_request_context, request
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from .. import jobs, messages
from ..database import write_transaction
from ..extensions import db
from ..models import (
    Country,
    Indicator,
    Notification,
    OutboxEmail,
    RoleGrant,
    User,
    Version,
    table_of,
)
from ..models import VersionContributor as Contributor
from ..models.reviewable import Reviewable
from ..queries.queues import PER_PAGE, Page, offset, version_path
from ..workflow import DECISIONS, Action
from .errors import NotFound
from .permissions import eligible_supervisors_sql, grant_covers, supervisors_sql


def recipients(session: Session, actor: User, version: Version, action: Action) -> list[User]:
    """The active users to tell about `action` on `version`, never the actor."""
    if action == Action.SUBMIT:
        eligible = eligible_supervisors_sql(
            version.review_country_id, Version.contributors_sql(version.id)
        )
        statement = select(User).where(User.id.in_(eligible))
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


def _names(actor: User, indicator: str, country: str) -> dict[str, str]:
    return messages.transition_params(actor.display_name, country, indicator)


def _language(person: User) -> str:
    """The language a person's e-mail is written in: theirs, else the site's."""
    languages = current_app.config["LANGUAGES"]
    return person.language if person.language in languages else languages[0]


def _absolute(path: str) -> str:
    base = current_app.config.get("BASE_URL") or (request.host_url if has_request_context() else "")
    return base.rstrip("/") + path if base else path


def on_transition(
    session: Session, actor: User, item: Reviewable, action: Action, comment: str | None = None
) -> None:
    """Notify the people concerned by `action` on `item`, in the caller's transaction. Only
    assessment versions notify; profile changes wait in the review lists."""
    if not isinstance(item, Version):
        return
    version = item
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
    key = messages.KEY_OF_ACTION[action]
    params = _names(actor, version.assessment.indicator.title, version.assessment.country.name)
    written = _Texts(key, params, link, comment if action in DECISIONS else None)
    for person in people:
        notice = Notification(
            user_id=person.id, message=written.stored, key=key, params=params, link=link
        )
        session.add(notice)
        if person.email_notifications:  # the preference on the account page
            subject, body = written.mail(_language(person))
            mail = OutboxEmail(recipient=person.email, subject=subject, body=body)
            session.add(mail)
            jobs.after_commit(session, "send_mail", mail)


class _Texts:
    """One message's texts: the sentence stored in the site's language (the notice itself is
    rendered from its key in its reader's language) and the e-mail in each recipient's, made
    once per language."""

    def __init__(self, key: str, params: dict, link: str, comment: str | None) -> None:
        self.key, self.params, self.link, self.comment = key, params, link, comment
        self._mails: dict[str, tuple[str, str]] = {}
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            self.stored = messages.sentence(key, params)

    def mail(self, language: str) -> tuple[str, str]:
        if language not in self._mails:
            with force_locale(language):
                lines = [messages.sentence(self.key, self.params)]
                if self.comment and self.comment.strip():
                    lines += ["", _("Comment:"), self.comment.strip()]
                lines += ["", _("Open it: %(url)s", url=_absolute(self.link))]
                subject = messages.subject(self.key, self.params)
                self._mails[language] = (subject, "\n".join(lines))
        return self._mails[language]


class Submissions:
    """The notices of many versions one actor submits at once (the bulk import): the rows that
    `on_transition(..., Action.SUBMIT)` writes for each, with the supervisors and names looked up
    once for the whole import and the rows written in two INSERTs per `add`. One query per version
    took 3.8 s of a 4,980-row import.

    Only for new versions whose sole contributor is the actor: `recipients` leaves out the
    contributors, and the actor is never a recipient anyway."""

    def __init__(self, session: Session, actor: User, country_ids: set[int]) -> None:
        self.session, self.actor = session, actor
        grants = session.execute(
            supervisors_sql(country_ids)
            .with_only_columns(User, RoleGrant)
            .where(User.id != actor.id)
        )
        people: dict[int, dict[int, User]] = {country_id: {} for country_id in country_ids}
        for user, grant in grants:
            for country_id, holders in people.items():
                if grant_covers(grant, country_id):
                    holders[user.id] = user
        self.people = {
            country_id: sorted(holders.values(), key=lambda u: u.id)
            for country_id, holders in people.items()
        }
        self.countries: dict[int, str] = dict(
            session.execute(
                select(Country.id, Country.name).where(Country.id.in_(country_ids))
            ).all()
        )
        self.indicators: dict[int, str] = dict(
            session.execute(select(Indicator.id, Indicator.title)).all()
        )

    def add(self, submitted: list[tuple[int, int, int]]) -> None:
        """Notify of each submitted (version id, country id, indicator id), in that order."""
        notices, mails = [], []
        key = messages.KEY_OF_ACTION[Action.SUBMIT]
        for version_id, country_id, indicator_id in submitted:
            people = self.people[country_id]
            if not people:
                continue
            params = _names(self.actor, self.indicators[indicator_id], self.countries[country_id])
            link = version_path(version_id)
            written = _Texts(key, params, link, None)
            for person in people:
                notices.append(
                    {
                        "user_id": person.id,
                        "message": written.stored,
                        "key": key,
                        "params": params,
                        "link": link,
                    }
                )
                if person.email_notifications:
                    subject, body = written.mail(_language(person))
                    mails.append({"recipient": person.email, "subject": subject, "body": body})
        if notices:
            self.session.execute(insert(table_of(Notification)), notices)
        if mails:
            self.session.execute(insert(table_of(OutboxEmail)), mails)


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
            raise NotFound(_("No such notification."))


def mark_all_read(user: User) -> int:
    with write_transaction() as session:
        marked = session.scalars(
            update(Notification)
            .where(Notification.user_id == user.id, Notification.read.is_(False))
            .values(read=True)
            .returning(Notification.id)
        )
        return len(marked.all())
