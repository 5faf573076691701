"""Who hears about what happens to a reviewed item: in-app notifications and e-mail.

Called by the review engine and the thread inside the transaction of the event, so a notification
exists exactly when its event does; mail goes through the outbox after commit, or waits for the
recipient's daily digest (`digests.py`). Assessment versions and profile changes alike: on submit
the eligible supervisors of the country hear of it (or, when nobody may decide it, the country's
supervisors and the admins: "needs a second supervisor"); on a decision or a retraction every
contributor does; on a comment the thread's other participants. Never the actor.
"""

from flask import current_app, has_request_context, request
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session

from .. import jobs, messages
from ..database import write_transaction
from ..extensions import db
from ..models import (
    AuditEvent,
    Comment,
    Country,
    Indicator,
    IndicatorRevision,
    Notification,
    OutboxEmail,
    ProfileChange,
    Reply,
    Role,
    RoleGrant,
    User,
    Version,
    table_of,
)
from ..models.reviewable import Reviewable
from ..queries.queues import PER_PAGE, Page, change_path, offset, version_path
from ..workflow import DECISIONS, Action
from .errors import NotFound
from .permissions import (
    can_read_staff,
    eligible_supervisors_sql,
    grant_covers,
    grant_covers_sql,
    supervisors_sql,
)


def recipients(session: Session, actor: User, item: Reviewable, action: Action) -> list[User]:
    """The active users to tell about `action` on `item`, never the actor: on submit, those who
    may decide it; on a decision or a retraction, its contributors."""
    contributors = type(item).contributors_sql(item.id)
    if action == Action.SUBMIT:
        eligible = eligible_supervisors_sql(item.review_country_id, contributors)
        statement = select(User).where(User.id.in_(eligible))
    elif action in DECISIONS or action == Action.RETRACT:
        statement = select(User).where(User.id.in_(contributors))
    else:
        return []
    return _people(session, statement, actor)


def _people(session: Session, statement, actor: User) -> list[User]:
    statement = statement.where(User.active.is_(True), User.id != actor.id).order_by(User.id)
    return list(session.scalars(statement))


def stuck_recipients(session: Session, actor: User, item: Reviewable) -> list[User]:
    """Who hears that nobody may decide a submitted item: the country's supervisors (who all
    contributed to it) and the admins, who can give the role to someone else."""
    admins = select(RoleGrant.user_id).where(RoleGrant.role == Role.ADMIN.value)
    statement = select(User).where(
        or_(User.id.in_(supervisors_sql(item.review_country_id)), User.id.in_(admins))
    )
    return _people(session, statement, actor)


def participants(session: Session, actor: User, version: Version) -> list[User]:
    """Who hears of a comment: the version's contributors, those who commented on it and those
    who decided on it, if they still work on its country; never the actor."""
    commenters = select(Comment.author_id).where(Comment.version_id == version.id)
    deciders = select(AuditEvent.actor_id).where(
        AuditEvent.object_type == "version",
        AuditEvent.object_id == version.id,
        AuditEvent.action.in_([a.value for a in (*DECISIONS, Action.RETRACT)]),
    )
    statement = select(User).where(
        or_(
            User.id.in_(Version.contributors_sql(version.id)),
            User.id.in_(commenters),
            User.id.in_(deciders),
        )
    )
    country_id = version.review_country_id
    return [p for p in _people(session, statement, actor) if can_read_staff(p, country_id)]


def _names(actor: User, indicator: str, country: str) -> dict[str, str]:
    return messages.transition_params(actor.display_name, country, indicator)


def mail_language(person: User) -> str:
    """The language a person's e-mail is written in: theirs, else the site's."""
    languages = current_app.config["LANGUAGES"]
    return person.language if person.language in languages else languages[0]


def absolute_url(path: str) -> str:
    base = current_app.config.get("BASE_URL") or (request.host_url if has_request_context() else "")
    return base.rstrip("/") + path if base else path


def _about(actor: User, item: Reviewable) -> tuple[dict, str]:
    """The names a message about `item` mentions, and the staff page it links to."""
    if isinstance(item, Version):
        assessment = item.assessment
        params = _names(actor, assessment.indicator.title, assessment.country.name)
        return params, version_path(item.id)
    if isinstance(item, IndicatorRevision):
        params = _names(actor, item.indicator.title, "")
        return params, f"/admin/framework/revisions/{item.id}"
    if isinstance(item, Reply):
        assessment = item.assessment
        params = _names(actor, assessment.indicator.title, assessment.country.name)
        return params | {"label": item.organisation}, f"/staff/replies/{item.id}"
    assert isinstance(item, ProfileChange)
    params = messages.profile_params(
        actor.display_name, item.country.name, item.kind, profile_label(item)
    )
    return params, change_path(item.id)


def profile_label(change: ProfileChange) -> str:
    """How a message names the profile item a change is about: its name or title, or the start
    of a fact."""
    data = change.payload or change.before or {}
    label = str(data.get("name") or data.get("title") or data.get("text") or "")
    return label if len(label) <= 80 else label[:79] + "…"


# The messages each kind of reviewed item sends, by action.
_KEYS = {
    "version": messages.KEY_OF_ACTION,
    "profile_change": messages.PROFILE_KEY_OF_ACTION,
    "indicator_revision": messages.FRAMEWORK_KEY_OF_ACTION,
    "reply": messages.REPLY_KEY_OF_ACTION,
}


def on_transition(
    session: Session, actor: User, item: Reviewable, action: Action, comment: str | None = None
) -> None:
    """Notify the people concerned by `action` on `item`, in the caller's transaction; on a
    submission nobody may decide, the country's supervisors and the admins."""
    keys = _KEYS[item.review_kind]
    if action not in keys:
        return
    # The caller is mid-transition (approve has set the state but not yet the number): querying
    # must not flush its half-made changes. Contributors were all stored by earlier transactions.
    with session.no_autoflush:
        params, link = _about(actor, item)
        told = comment if action in DECISIONS or action == Action.RETRACT else None
        people = recipients(session, actor, item, action)
        if people:
            _deliver(session, people, keys[action], params, link, told)
        elif action == Action.SUBMIT:
            stuck = messages.STUCK_KEYS[item.review_kind]
            _deliver(session, stuck_recipients(session, actor, item), stuck, params, link, None)


def deliver(session: Session, people: list[User], key: str, params: dict, link: str) -> None:
    """Tell `people` of something that is no transition (a reader's suggestion): in-app, and by
    e-mail as each chose."""
    _deliver(session, people, key, params, link, None)


def on_comment(session: Session, actor: User, version: Version, body: str) -> None:
    """Tell the version's other participants of a new comment in its thread."""
    with session.no_autoflush:
        people = participants(session, actor, version)
        if people:
            params, link = _about(actor, version)
            _deliver(session, people, "commented", params, f"{link}#thread", body)


def _deliver(
    session: Session,
    people: list[User],
    key: str,
    params: dict,
    link: str,
    comment: str | None,
) -> None:
    """An in-app notice for each person, and an e-mail as they chose: at once, in the next
    daily digest (`digests.py`), or none."""
    written = _Texts(key, params, link, comment)
    for person in people:
        digest = person.email_notifications and person.email_digest
        notice = Notification(
            user_id=person.id,
            message=written.stored,
            key=key,
            params=params,
            link=link,
            digest_pending=digest,
        )
        session.add(notice)
        if person.email_notifications and not digest:  # the preference on the account page
            subject, body = written.mail(mail_language(person))
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
                lines += ["", _("Open it: %(url)s", url=absolute_url(self.link))]
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
                digest = person.email_notifications and person.email_digest
                notices.append(
                    {
                        "user_id": person.id,
                        "message": written.stored,
                        "key": key,
                        "params": params,
                        "link": link,
                        "digest_pending": digest,
                    }
                )
                if person.email_notifications and not digest:
                    subject, body = written.mail(mail_language(person))
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


def on_instrument_change(
    session: Session, actor: User, instrument, kind: str, versions: list[Version]
) -> None:
    """Tell the country's reviewers and supervisors that each published version in `versions`
    predates the amendment (or repeal) of `instrument` just recorded: it needs re-review."""
    if not versions:
        return
    editors = (
        select(RoleGrant.user_id)
        .where(
            RoleGrant.role.in_([Role.REVIEWER.value, Role.SUPERVISOR.value]),
            grant_covers_sql(instrument.country_id),
        )
        .scalar_subquery()
    )
    people = _people(session, select(User).where(User.id.in_(editors)), actor)
    if not people:
        return
    key = "instrument_repealed" if kind == "repealed" else "instrument_amended"
    with session.no_autoflush:
        for version in versions:
            assessment = version.assessment
            params = {
                **_names(actor, assessment.indicator.title, assessment.country.name),
                "instrument": instrument.title,
            }
            _deliver(session, people, key, params, version_path(version.id), None)
