"""User administration: invitations, roles, deactivation, password resets, preferences.

Invitation and reset links are one-time and expire; only a SHA-256 of each token is stored. The
e-mail carrying a link is an `OutboxEmail` written in the same transaction as the token."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import pytz
from flask import current_app, has_request_context, url_for
from flask_babel import force_locale, gettext
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, scoped_session

from .. import jobs, organisation
from ..database import write_transaction
from ..extensions import db
from ..models import OutboxEmail, Role, RoleGrant, User, UserToken
from . import accounts, audit
from .errors import Conflict, NotFound, PermissionDenied, ValidationError
from .permissions import is_admin

INVITE = "invite"
RESET = "reset"

# A password hash no password verifies against: an invited user cannot sign in before accepting.
PENDING_PASSWORD = "!pending-invitation"  # noqa: S105
LIFETIMES = {INVITE: timedelta(days=7), RESET: timedelta(hours=2)}
CONFIG_LIFETIMES = {INVITE: "INVITATION_LIFETIME", RESET: "PASSWORD_RESET_LIFETIME"}


def _now() -> datetime:
    return datetime.now(UTC)


def _require_admin(actor: User) -> None:
    if not is_admin(actor):
        raise PermissionDenied(gettext("Only an administrator can manage users."))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _get(session: Session | scoped_session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(gettext("No such user."))
    return user


def is_pending(user: User) -> bool:
    return user.password_hash == PENDING_PASSWORD


def list_users(actor: User) -> list[User]:
    _require_admin(actor)
    return list(db.session.scalars(select(User).order_by(User.active.desc(), User.email)))


def get_user(actor: User, user_id: int) -> User:
    _require_admin(actor)
    return _get(db.session, user_id)


def _lifetime(purpose: str) -> timedelta:
    value = current_app.config.get(CONFIG_LIFETIMES[purpose])
    if isinstance(value, int | float):
        return timedelta(seconds=value)
    return value or LIFETIMES[purpose]


def _link(endpoint: str, token: str) -> str:
    """The absolute link: under `ASSESS_BASE_URL` if set, else the current request's host."""
    base = current_app.config.get("BASE_URL")
    if not base and has_request_context():
        return url_for(endpoint, token=token, _external=True)
    path = current_app.url_map.bind("localhost").build(endpoint, {"token": token})
    return str(base or "http://localhost").rstrip("/") + path


def _issue(session: Session, actor: User | None, user: User, purpose: str) -> str:
    """A new link for this purpose; older unused ones of the same purpose stop working."""
    now = _now()
    session.execute(
        update(UserToken)
        .where(UserToken.user_id == user.id, UserToken.purpose == purpose)
        .where(UserToken.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        UserToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=_hash(token),
            expires_at=now + _lifetime(purpose),
            created_by_id=actor.id if actor else None,
        )
    )
    return token


def _mail(session: Session, user: User, purpose: str, token: str) -> None:
    # In the site's language: the recipient has no preference on record, the admin's is not theirs.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        _write_mail(session, user, purpose, token)


def _write_mail(session: Session, user: User, purpose: str, token: str) -> None:
    site = organisation.current().site_name
    hours = int(_lifetime(purpose).total_seconds() // 3600)
    if purpose == INVITE:
        link = _link("account.accept_invitation", token)
        subject = gettext("You are invited to %(site)s", site=site)
        body = gettext(
            "You have been given an account on %(site)s.\n\n"
            "Choose your password here (the link works once, for %(hours)s hours):\n%(link)s\n\n"
            "If you did not expect this, ignore this message.",
            site=site,
            hours=hours,
            link=link,
        )
    else:
        link = _link("account.reset_password", token)
        subject = gettext("Reset your %(site)s password", site=site)
        body = gettext(
            "An administrator started a password reset for your account on %(site)s.\n\n"
            "Choose a new password here (the link works once, for %(hours)s hours):\n%(link)s\n\n"
            "If you did not expect this, tell your administrator.",
            site=site,
            hours=hours,
            link=link,
        )
    mail = OutboxEmail(recipient=user.email, subject=subject, body=body)
    session.add(mail)
    jobs.after_commit(session, "send_mail", mail)


def _email(email: str) -> str:
    try:
        return accounts.normalise_email(email)
    except ValidationError as error:
        raise ValidationError(str(error), {"email": [str(error)]}) from None


def _grants(role: str, codes: list[str]) -> list:
    """Parsed grants; an unknown country is a mistake in the form, not a missing page."""
    try:
        return accounts.parse_grants(role, codes)
    except NotFound as error:
        raise ValidationError(str(error), {"countries": [str(error)]}) from None


def invite(
    actor: User, email: str, role: str, countries: list[str] | None = None, name: str = ""
) -> User:
    """A user who cannot sign in until they choose a password through the e-mailed link."""
    _require_admin(actor)
    email = _email(email)
    grants = _grants(role, countries or [])
    with write_transaction() as session:
        if session.scalar(select(User.id).where(User.email == email)) is not None:
            message = gettext("A user with the e-mail %(email)s already exists.", email=email)
            raise ValidationError(message, {"email": [message]})
        user = User(email=email, name=name.strip(), password_hash=PENDING_PASSWORD)
        for grant_role, country in grants:
            user.grants.append(RoleGrant(role=grant_role.value, country=country))
        session.add(user)
        session.flush()
        _mail(session, user, INVITE, _issue(session, actor, user, INVITE))
        audit.record(
            actor,
            "invite_user",
            user,
            details={"role": role, "countries": [c.iso2 for _, c in grants if c]},
        )
    return user


def create(
    actor: User,
    email: str,
    password: str,
    role: str,
    countries: list[str] | None = None,
    name: str = "",
) -> User:
    _require_admin(actor)
    _email(email)
    _grants(role, countries or [])
    return accounts.create_user(actor, email, password, role, countries or [], name=name.strip())


def resend_invitation(actor: User, user_id: int) -> None:
    _require_admin(actor)
    with write_transaction() as session:
        user = _get(session, user_id)
        if not is_pending(user):
            raise Conflict(gettext("This user has already accepted the invitation."))
        _mail(session, user, INVITE, _issue(session, actor, user, INVITE))
        audit.record(actor, "resend_invitation", user)


def send_password_reset(actor: User, user_id: int) -> None:
    _require_admin(actor)
    with write_transaction() as session:
        user = _get(session, user_id)
        if not user.active:
            raise Conflict(gettext("This account is deactivated; reactivate it first."))
        if is_pending(user):
            raise Conflict(
                gettext("This user has not accepted the invitation yet; resend it instead.")
            )
        _mail(session, user, RESET, _issue(session, actor, user, RESET))
        audit.record(actor, "send_password_reset", user)


def _active_admins(session: Session) -> int:
    count = session.scalar(
        select(func.count(func.distinct(RoleGrant.user_id)))
        .join(User, User.id == RoleGrant.user_id)
        .where(RoleGrant.role == Role.ADMIN.value, User.active.is_(True))
    )
    return count or 0


def _keep_an_admin(session: Session, user: User) -> None:
    if is_admin(user) and _active_admins(session) <= 1:
        raise Conflict(gettext("This is the last active administrator; appoint another one first."))


def deactivate(actor: User, user_id: int) -> None:
    """Refuse every sign-in and end every session of the user at once."""
    _require_admin(actor)
    with write_transaction() as session:
        user = _get(session, user_id)
        if user.id == actor.id:
            raise Conflict(gettext("You cannot deactivate your own account."))
        if not user.active:
            return
        _keep_an_admin(session, user)
        user.active = False
        accounts.end_sessions(user)
        session.execute(
            update(UserToken)
            .where(UserToken.user_id == user.id, UserToken.used_at.is_(None))
            .values(used_at=_now())
        )
        audit.record(actor, "deactivate_user", user)


def reactivate(actor: User, user_id: int) -> None:
    _require_admin(actor)
    with write_transaction() as session:
        user = _get(session, user_id)
        if user.active:
            return
        user.active = True
        accounts.end_sessions(user)
        audit.record(actor, "reactivate_user", user)


def revoke_role(actor: User, grant_id: int) -> None:
    _require_admin(actor)
    with write_transaction() as session:
        grant = session.get(RoleGrant, grant_id)
        if grant is None:
            raise NotFound(gettext("No such role."))
        user = grant.user
        if grant.role == Role.ADMIN.value:
            _keep_an_admin(session, user)
        details = {"role": grant.role, "country": grant.country.iso2 if grant.country else None}
        country_id = grant.country_id
        user.grants.remove(grant)
        audit.record(actor, "revoke_role", user, country_id=country_id, details=details)


def token_user(token: str, purpose: str) -> User | None:
    """The user a valid, unused, unexpired link belongs to; None for any other link."""
    found = db.session.scalar(
        select(UserToken).where(UserToken.token_hash == _hash(token), UserToken.purpose == purpose)
    )
    if found is None or found.used_at is not None or found.expires_at <= _now():
        return None
    return found.user if found.user.active else None


def redeem(token: str, purpose: str, password: str) -> User:
    """Set the password through a link, once; every other session of the user ends."""
    password_hash = accounts.hash_password(password)
    with write_transaction() as session:
        found = session.scalar(
            select(UserToken)
            .where(UserToken.token_hash == _hash(token), UserToken.purpose == purpose)
            .with_for_update()
        )
        if found is None or found.used_at is not None or found.expires_at <= _now():
            raise NotFound(gettext("This link has expired or was already used."))
        user = found.user
        if not user.active:
            raise NotFound(gettext("This link has expired or was already used."))
        found.used_at = _now()
        user.password_hash = password_hash
        accounts.end_sessions(user)
        action = "accept_invitation" if purpose == INVITE else "reset_password"
        audit.record(user, action, user)
    return user


def set_preferences(
    user: User,
    email_notifications: bool,
    language: str = "",
    time_zone: str = "",
    *,
    email_digest: bool | None = None,
) -> None:
    """The user's own settings: e-mail or not, at once or as a daily digest (None: as it is),
    the e-mail's language and the staff pages' time zone ("" for the site's language, the
    browser's zone)."""
    errors: dict[str, list[str]] = {}
    if language and language not in current_app.config["LANGUAGES"]:
        errors["language"] = [gettext("Choose a language from the list.")]
    if time_zone and time_zone not in pytz.all_timezones_set:
        errors["time_zone"] = [gettext("Choose a time zone from the list.")]
    if errors:
        raise ValidationError(gettext("Correct the fields marked below."), errors)
    wanted = {
        "email_notifications": email_notifications,
        "language": language,
        "time_zone": time_zone,
    }
    if email_digest is not None:
        wanted["email_digest"] = email_digest
    with write_transaction() as session:
        user = _get(session, user.id)
        changed = {name: value for name, value in wanted.items() if getattr(user, name) != value}
        if not changed:
            return
        for name, value in changed.items():
            setattr(user, name, value)
        audit.record(user, "set_preferences", user, details=changed)
