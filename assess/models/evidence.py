"""What keeps the evidence true: the last check of every cited link, the copies archived when a
version is approved, and the life of each legal instrument (adoption, amendments, repeal).

A link is checked once whatever cites it: `LinkCheck` is keyed by the URL as written, and the
citations and sources of every version find theirs by it."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model, db
from ._base import UTCDateTime, utcnow
from .countries import Instrument


class LinkState(StrEnum):
    OK = "ok"
    CHANGED = "changed"  # answers, but not with the content first seen (or archived)
    BROKEN = "broken"  # an error status, a timeout, no answer
    BLOCKED = "blocked"  # robots.txt asks us not to fetch it: not checked


class LinkCheck(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500), unique=True)
    host: Mapped[str] = mapped_column(String(255), index=True)
    state: Mapped[str] = mapped_column(String(10))
    http_status: Mapped[int | None] = mapped_column(Integer)
    final_url: Mapped[str] = mapped_column(String(2000), default="")
    content_type: Mapped[str] = mapped_column(String(200), default="")
    # The content fingerprint of the last working answer (`assess.fingerprint`: of the visible
    # text for HTML, of the bytes otherwise), not an integrity digest.
    sha256: Mapped[str] = mapped_column(String(64), default="")
    # The content fingerprint it is compared with: the first seen, the one approved or marked as
    # checked, or the last archived copy's. Empty: the next working answer's becomes it.
    baseline_sha256: Mapped[str] = mapped_column(String(64), default="")
    error: Mapped[str] = mapped_column(String(300), default="")
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_ok_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Since when the state has been what it is.
    state_since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint(
            "state IN ({})".format(", ".join(f"'{s.value}'" for s in LinkState)),
            name="state_valid",
        ),
    )


class ArchivedCopy(Model):
    """The document a version's citation or source linked to, as it was when it was approved."""

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("version.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    stored_name: Mapped[str] = mapped_column(String(80))  # "<sha256>.<html|pdf>"
    # The raw SHA-256 of the stored bytes (integrity), not the link's content fingerprint.
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (db.UniqueConstraint("version_id", "url"),)


class InstrumentEventKind(StrEnum):
    ADOPTED = "adopted"
    AMENDED = "amended"
    REPEALED = "repealed"


class InstrumentEvent(Model):
    """A dated step in the life of an instrument, as its country's staff recorded it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    dated: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    instrument: Mapped[Instrument] = relationship()
    recorded_by = relationship("User")

    __table_args__ = (
        CheckConstraint(
            "kind IN ({})".format(", ".join(f"'{k.value}'" for k in InstrumentEventKind)),
            name="kind_valid",
        ),
    )
