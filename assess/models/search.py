from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._base import UTCDateTime


class SearchEntry(db.Model):
    """The published version of one assessment as searchable text: one row per assessment with
    something public, written in the transaction that publishes or retracts it (`assess.search`).

    The full-text index over `title` and `body` is the database's own: an FTS5 table on SQLite,
    a GIN index on PostgreSQL (migration 0004_research_search)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), unique=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("version.id"))
    country_id: Mapped[int] = mapped_column(ForeignKey("country.id"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
