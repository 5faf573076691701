from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model, db
from ..workflow import OPEN_STATES, PUBLIC_STATES, State
from ._base import UTCDateTime, utcnow
from .countries import Country, Instrument
from .framework import Indicator, IndicatorRevision
from .reviewable import Reviewable


class Status(StrEnum):
    """The legal finding of an assessment."""

    YES = "yes"
    PARTIAL = "partial"
    NO = "no"
    NO_DATA = "no_data"
    NOT_ASSESSED = "not_assessed"


def _in(values) -> str:
    return ", ".join(f"'{v.value}'" for v in values)


_OPEN = f"state IN ({_in(sorted(OPEN_STATES))})"


class Assessment(Model):
    """One country against one indicator; points at its published version, if any."""

    id: Mapped[int] = mapped_column(primary_key=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("country.id"))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"), index=True)
    published_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("version.id", use_alter=True)
    )
    # The last time anything public about this assessment changed (publication or retraction).
    # Indexed: its max() is part of the freshness check every public request makes.
    public_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    country: Mapped[Country] = relationship()
    indicator: Mapped[Indicator] = relationship()
    published_version: Mapped["Version | None"] = relationship(
        foreign_keys=[published_version_id], post_update=True
    )
    versions: Mapped[list["Version"]] = relationship(
        back_populates="assessment",
        foreign_keys="Version.assessment_id",
        order_by="Version.id",
    )

    __table_args__ = (db.UniqueConstraint("country_id", "indicator_id"),)


class Version(Reviewable, Model):
    """An immutable snapshot of an assessment's content, with its place in the workflow."""

    review_kind = "version"
    contributor_item_column = "version_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"))
    # Public version number, given at publication: /countries/kz/<slug>/v/<number>.
    number: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default=State.DRAFT.value)
    status: Mapped[str] = mapped_column(String(20), default=Status.NOT_ASSESSED.value)
    analysis: Mapped[str] = mapped_column(Text, default="")
    analysis_language: Mapped[str] = mapped_column(String(8), default="en")
    analysis_source_title: Mapped[str] = mapped_column(String(300), default="")
    analysis_source_year: Mapped[int | None] = mapped_column(Integer)
    base_version_id: Mapped[int | None] = mapped_column(ForeignKey("version.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_comment: Mapped[str | None] = mapped_column(Text)
    retracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retracted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    retraction_reason: Mapped[str | None] = mapped_column(Text)
    # Optimistic lock: every save bumps it; a form carrying an older one is stale.
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    # The row_version at submission: approval checks the content has not changed since.
    submitted_row_version: Mapped[int | None] = mapped_column(Integer)
    # The indicator framework's revision when this version was approved.
    framework_revision: Mapped[int | None] = mapped_column(Integer)
    # The indicator's text it was assessed under: the revision in force at its approval.
    indicator_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("indicator_revision.id"), index=True
    )
    # The bulk import that proposed this version, if one did (`ImportBatch`).
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"), index=True)

    assessment: Mapped[Assessment] = relationship(
        back_populates="versions", foreign_keys=[assessment_id]
    )
    base_version: Mapped["Version | None"] = relationship(remote_side=[id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    retracted_by = relationship("User", foreign_keys=[retracted_by_id])
    indicator_revision: Mapped[IndicatorRevision | None] = relationship()
    citations: Mapped[list["Citation"]] = relationship(
        back_populates="version", order_by="Citation.position", cascade="all, delete-orphan"
    )
    sources: Mapped[list["Source"]] = relationship(
        back_populates="version", order_by="Source.position", cascade="all, delete-orphan"
    )
    contributors: Mapped[list["VersionContributor"]] = relationship(
        back_populates="version", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint(f"state IN ({_in(State)})", name="state_valid"),
        CheckConstraint(f"status IN ({_in(Status)})", name="status_valid"),
        CheckConstraint(
            "analysis_source_year IS NULL OR analysis_source_year BETWEEN 1000 AND 2999",
            name="analysis_source_year_range",
        ),
        CheckConstraint(
            f"(number IS NULL) = (state NOT IN ({_in(sorted(PUBLIC_STATES))}))",
            name="number_iff_public",
        ),
        db.UniqueConstraint("assessment_id", "number"),
        # At most one open version per assessment: a partial unique index on both backends.
        Index(
            "uq_version_one_open_per_assessment",
            "assessment_id",
            unique=True,
            sqlite_where=text(_OPEN),
            postgresql_where=text(_OPEN),
        ),
        Index("ix_version_state_submitted_at", "state", "submitted_at"),
        # The open version of an assessment: matrix cells and their filters.
        Index("ix_version_assessment_id_state", "assessment_id", "state"),
    )

    @property
    def review_country_id(self) -> int:
        return self.assessment.country_id


class VersionContributor(Model):
    """Everyone who created, saved or submitted a version: the four-eyes rule excludes them."""

    version_id: Mapped[int] = mapped_column(ForeignKey("version.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True, index=True)

    version: Mapped[Version] = relationship(back_populates="contributors")
    user = relationship("User")


Version.contributor_model = VersionContributor


class Citation(Model):
    """One provision of a legal instrument cited by a version."""

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("version.id"), index=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    provision: Mapped[str] = mapped_column(String(200), default="")
    status_as_of: Mapped[int | None] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(String(500), default="")
    language: Mapped[str] = mapped_column(String(8), default="")

    version: Mapped[Version] = relationship(back_populates="citations")
    instrument: Mapped[Instrument] = relationship()

    __table_args__ = (
        CheckConstraint(
            "status_as_of IS NULL OR status_as_of BETWEEN 1000 AND 2999", name="status_as_of_range"
        ),
    )


class Source(Model):
    """A document the analysis rests on."""

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("version.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300))
    publisher: Mapped[str] = mapped_column(String(200), default="")
    year: Mapped[int | None] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(String(500), default="")
    # An uploaded copy of the document (`services/uploads.py`), besides or instead of the URL:
    # the storage's name for it (`<sha256>.<ext>`), the name it was uploaded under, its digest,
    # size and type. Public only with its version (`public/files.py`).
    file_stored_name: Mapped[str | None] = mapped_column(String(80))
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    file_size: Mapped[int | None] = mapped_column(Integer)
    file_content_type: Mapped[str | None] = mapped_column(String(100))

    version: Mapped[Version] = relationship(back_populates="sources")

    __table_args__ = (
        CheckConstraint("year IS NULL OR year BETWEEN 1000 AND 2999", name="year_range"),
    )


class Comment(Model):
    """A remark in the review thread of a version; the thread survives every round."""

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("version.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User")


class ReviewRound(Model):
    """One decision on a submitted version, with the content it was taken on.

    A version's content changes between rounds (it is edited after changes are requested), so the
    text a supervisor returned is kept here: the review screen compares what is submitted now with
    the last round, and the thread shows what each round changed. Written once, never updated."""

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("version.id"))
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, ... within the version
    action: Mapped[str] = mapped_column(String(20))  # approve, request_changes or reject
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The version's base then: round 1 shows its changes against it.
    base_version_id: Mapped[int | None] = mapped_column(ForeignKey("version.id"))
    # `services.content.VersionContent` as plain data (`services/rounds.py`).
    content: Mapped[dict] = mapped_column(JSON)

    decided_by = relationship("User")

    # Its unique constraint also serves the rounds of one version, read in order.
    __table_args__ = (db.UniqueConstraint("version_id", "number"),)
