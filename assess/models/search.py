from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model, db
from ._base import UTCDateTime


class SearchEntry(Model):
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


class DataRelease(Model):
    """An immutable, dated copy of the published dataset (`assess release NAME`), citable at
    /data/releases/<name>/. Kept in the database so that every host serves the same files."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    files: Mapped[list["DataReleaseFile"]] = relationship(
        back_populates="release", order_by="DataReleaseFile.id", cascade="all, delete-orphan"
    )


class DataReleaseFile(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("data_release.id"), index=True)
    filename: Mapped[str] = mapped_column(String(80))
    media_type: Mapped[str] = mapped_column(String(80))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)

    release: Mapped[DataRelease] = relationship(back_populates="files")

    __table_args__ = (db.UniqueConstraint("release_id", "filename"),)
