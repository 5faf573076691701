from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ._base import UTCDateTime, utcnow

# Audited objects whose changes the public pages show (the framework, profile content); versions
# reach the public through `Assessment.public_updated_at`. Sign-ins, account changes, drafts and
# reviews are audited too, but must not make every public page render again.
# "evidence": link checks and archived copies the assessment pages show; "instrument": the
# recorded life of a cited law.
PUBLIC_OBJECT_TYPES = (
    "indicator",
    "member",
    "fact",
    "resource",
    "newsitem",
    "evidence",
    "instrument",
)
PUBLIC_TYPES_SQL = "object_type IN ({})".format(", ".join(f"'{t}'" for t in PUBLIC_OBJECT_TYPES))


class AuditEvent(Model):
    """Append-only: who did what, when, to which object, from which state to which."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    country_id: Mapped[int | None] = mapped_column(ForeignKey("country.id"))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict | None] = mapped_column(JSON)

    actor = relationship("User")
    country = relationship("Country")

    # The audit page filters by one of these and reads newest first; each also serves lookups
    # by its first column alone, so actor, country and action need no index of their own.
    # The history of one object (a version's review thread, a user's page) is read by the last.
    __table_args__ = (
        Index("ix_audit_event_actor_id_at", "actor_id", "at"),
        Index("ix_audit_event_country_id_at", "country_id", "at"),
        Index("ix_audit_event_action_at", "action", "at"),
        Index("ix_audit_event_object_type_object_id", "object_type", "object_id"),
        # The public revision: the latest audited change of the types the public sees. Partial,
        # so that only that query can use it (and nothing else pays for it).
        Index(
            "ix_audit_event_public_at",
            "at",
            sqlite_where=text(PUBLIC_TYPES_SQL),
            postgresql_where=text(PUBLIC_TYPES_SQL),
        ),
    )


class Notification(Model):
    """An in-app notice for one user."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The sentence in the site's language, as written; `key` and `params` render it in the
    # reader's language when read (`assess/messages.py`). Rows from before have no key.
    message: Mapped[str] = mapped_column(Text)
    key: Mapped[str | None] = mapped_column(String(60))
    params: Mapped[dict | None] = mapped_column(JSON)
    link: Mapped[str] = mapped_column(String(500), default="")
    read: Mapped[bool] = mapped_column(Boolean, default=False)
    # Waiting for its reader's daily digest (`services/digests.py`) instead of its own e-mail.
    digest_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    # The unread count and the list of one user's notices (by user_id, its first column); the
    # notices the next digest sends, a partial index that only they pay for.
    __table_args__ = (
        Index("ix_notification_user_id_read", "user_id", "read"),
        Index(
            "ix_notification_digest_pending",
            "user_id",
            sqlite_where=text("digest_pending"),
            postgresql_where=text("digest_pending"),
        ),
    )


class OutboxEmail(Model):
    """An e-mail written in the same transaction as its cause, sent after commit."""

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
