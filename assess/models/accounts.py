"""Accounts: users, their role grants, sign-in attempts and one-time links."""

import secrets
from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model, db
from ._base import UTCDateTime, utcnow
from .countries import Country


class Role(StrEnum):
    REVIEWER = "reviewer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    # Proposes translations of content (indicator texts when global, a country's profile
    # content for its countries); decides nothing.
    TRANSLATOR = "translator"


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of every session's identity: changing it ends every session of this user.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The user's choice: e-mail about their work, or in-app notices only.
    email_notifications: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # With e-mail on: one digest a day (`assess send-digests`) instead of one e-mail per event.
    email_digest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # E-mail comes in this language ("" = the site's); staff times in this zone ("" = the
    # browser's, where it told us, else UTC).
    language: Mapped[str] = mapped_column(String(8), default="", server_default="")
    time_zone: Mapped[str] = mapped_column(String(64), default="", server_default="")

    grants: Mapped[list["RoleGrant"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def display_name(self) -> str:
        return self.name or self.email

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class RoleGrant(Model):
    """A role held globally (no country) or for one country."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique constraint below starts with it.
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    role: Mapped[str] = mapped_column(String(20))
    country_id: Mapped[int | None] = mapped_column(ForeignKey("country.id"), index=True)

    user: Mapped[User] = relationship(back_populates="grants")
    country: Mapped[Country | None] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint(f"role IN ({', '.join(repr(r.value) for r in Role)})", name="role_valid"),
        CheckConstraint("role != 'admin' OR country_id IS NULL", name="admin_is_global"),
        db.UniqueConstraint("user_id", "role", "country_id"),
        Index(
            "uq_role_grant_global",
            "user_id",
            "role",
            unique=True,
            sqlite_where=text("country_id IS NULL"),
            postgresql_where=text("country_id IS NULL"),
        ),
    )


class LoginAttempt(Model):
    """Failed logins, shared by every worker: throttling per account and per client address."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class UserToken(Model):
    """A one-time, expiring link sent by e-mail: an invitation or a password reset.

    Only a SHA-256 of the token is stored, so a copy of the database opens no account."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    user = relationship("User", foreign_keys=[user_id])

    __table_args__ = (CheckConstraint("purpose IN ('invite', 'reset')", name="purpose_valid"),)


class KeptForm(Model):
    """A form posted by a session that had just expired, kept so that nothing typed is lost.

    The request is not carried out (the session that sent it is over); its fields wait here for
    the same user, who is sent back to the page of the form once signed in again
    (`session_expiry.py`). Only the random token in that page's address finds it, and only for
    its owner; it is forgotten after `KEPT_FORM_LIFETIME`."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    # Where the form was posted (/staff/versions/5/save), and the page it came back to.
    path: Mapped[str] = mapped_column(String(500))
    # The posted fields as [name, value] pairs, in order, without the CSRF token.
    fields: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
