"""Accounts: passwords, login with throttling, sessions that can be ended, user creation."""

from datetime import UTC, datetime
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext
from sqlalchemy import select

from ..database import write_transaction
from ..extensions import db
from ..models import Country, Role, RoleGrant, User, new_session_token
from . import audit, throttle
from .errors import NotFound, ValidationError

# argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
MIN_PASSWORD = 12
MAX_PASSWORD = 128
THROTTLE_WINDOW = throttle.WINDOW
MAX_FAILURES_PER_ACCOUNT = throttle.MAX_FAILURES_PER_ACCOUNT
MAX_FAILURES_PER_ADDRESS = throttle.MAX_FAILURES_PER_ADDRESS
# Verified against when the e-mail is unknown, so that both failures cost one argon2 verification.
_DUMMY_HASH = hasher.hash("a password nobody has, for timing")


def _common_passwords() -> frozenset[str]:
    text = resources.files("assess.data").joinpath("common-passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


COMMON_PASSWORDS = _common_passwords()


def password_problem(password: str) -> str | None:
    """What is wrong with a new password, or None. No composition rules (ASVS V6.2)."""
    if len(password) < MIN_PASSWORD:
        return gettext("Use at least %(n)s characters.", n=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        return gettext("Use at most %(n)s characters.", n=MAX_PASSWORD)
    if password.lower() in COMMON_PASSWORDS:
        return gettext("This password is too common; choose another.")
    return None


def hash_password(password: str) -> str:
    problem = password_problem(password)
    if problem:
        raise ValidationError(problem, {"password": [problem]})
    return hasher.hash(password)


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise ValidationError(
            gettext("%(email)r is not a valid e-mail address: %(error)s", email=email, error=error)
        ) from None


class LoginRefused(Exception):
    """Wrong e-mail or password, or throttled. It never says which account exists."""

    def __init__(self, throttled: bool = False) -> None:
        super().__init__("too many failed attempts" if throttled else "wrong e-mail or password")
        self.throttled = throttled


def authenticate(email: str, password: str, address: str, device_cookie: str | None = None) -> User:
    """The user for these credentials, counting the attempt first so that guessing is throttled.

    `device_cookie` is the browser's device cookie (`throttle.issue_device`, given at the last
    successful login): with it, strangers' failures on the account do not block this login.
    The password is verified whole, never truncated. An unknown e-mail, an inactive account and a
    wrong password take the same path (one argon2 verification, one counted attempt) and raise
    the same `LoginRefused`, so that neither the answer nor its timing tells which it was.
    """
    email = email.strip().lower()
    limiter = throttle.current()
    reservation = limiter.reserve(email, address, throttle.known_device(device_cookie, email))
    if reservation is None:
        raise LoginRefused(throttled=True)
    user = db.session.scalar(select(User).where(User.email == email))
    try:
        hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
        if user is None or not user.active:
            raise VerificationError
    except (VerificationError, InvalidHashError):
        raise LoginRefused() from None  # the attempt stays counted
    assert user is not None  # refused above
    with write_transaction():
        user = db.session.get_one(User, user.id)
        if hasher.check_needs_rehash(user.password_hash):
            # Upgrade a hash made with older, weaker parameters while the password is at hand.
            user.password_hash = hasher.hash(password)
        user.last_login_at = datetime.now(UTC)
        limiter.release(reservation)
        audit.record(user, "login", user)
    return user


def end_sessions(user: User) -> None:
    """End every session and remember-me cookie of this user (in the caller's transaction)."""
    user.session_token = new_session_token()


def logout(user: User) -> None:
    with write_transaction():
        user = db.session.get_one(User, user.id)
        end_sessions(user)
        audit.record(user, "logout", user)


def change_password(user: User, current: str, new: str) -> None:
    try:
        hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise ValidationError(
            gettext("The current password is incorrect."),
            {"current": [gettext("Incorrect password.")]},
        ) from None
    new_hash = hash_password(new)
    with write_transaction():
        user = db.session.get_one(User, user.id)
        user.password_hash = new_hash
        end_sessions(user)
        audit.record(user, "change_password", user)


def parse_grants(role: str, country_codes: list[str]) -> list[tuple[Role, Country | None]]:
    try:
        parsed_role = Role(role.lower())
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise ValidationError(
            gettext("Unknown role %(role)r: choose one of %(choices)s.", role=role, choices=choices)
        ) from None
    if parsed_role == Role.ADMIN and country_codes:
        raise ValidationError(gettext("The admin role is global; do not give countries for it."))
    if not country_codes:
        return [(parsed_role, None)]
    grants: list[tuple[Role, Country | None]] = []
    for code in country_codes:
        country = db.session.scalar(select(Country).where(Country.iso2 == code.strip().upper()))
        if country is None:
            raise NotFound(
                gettext(
                    "Unknown country code %(code)r: use ISO 3166-1 alpha-2, e.g. KZ.", code=code
                )
            )
        grants.append((parsed_role, country))
    return grants


def create_user(
    actor: User | None,
    email: str,
    password: str,
    role: str,
    countries: list[str] = (),  # type: ignore[assignment]
    name: str = "",
) -> User:
    """A new active user with one role, globally or for the given countries."""
    email = normalise_email(email)
    grants = parse_grants(role, list(countries))
    password_hash = hash_password(password)
    with write_transaction() as session:
        if session.scalar(select(User.id).where(User.email == email)) is not None:
            raise ValidationError(
                gettext("A user with the e-mail %(email)s already exists.", email=email)
            )
        user = User(email=email, name=name, password_hash=password_hash)
        session.add(user)
        for grant_role, country in grants:
            user.grants.append(RoleGrant(role=grant_role.value, country=country))
        session.flush()
        audit.record(
            actor,
            "create_user",
            user,
            details={"role": role, "countries": [c.iso2 for _, c in grants if c]},
        )
    return user


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's loader: the id carries the user's session token, so old cookies fail."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_token != token:
        return None
    return user
