"""Readers talk back: corrections suggested on a public assessment, and replies beside it.

A `Suggestion` is what a reader sent through the public form: it waits in the country staff's
moderation queue and is never shown publicly. A `Reply` is a named organisation's response to an
assessment, entered by the country's staff and reviewed with four eyes like any other change
(`services/engine.py`); once approved it is shown beside the assessment."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..workflow import State
from ._base import UTCDateTime, utcnow
from .reviewable import Reviewable


class SuggestionState(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DISMISSED = "dismissed"


def _states(values) -> str:
    return ", ".join(f"'{v.value}'" for v in values)


class Suggestion(Model):
    """A correction a reader suggested; `reference` is what they quote when they write again."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # "C-2026-000123": the year it arrived and its number, given once the row has an id.
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("country.id"))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"))
    # The public version the reader was looking at, if there was one.
    version_number: Mapped[int | None] = mapped_column(Integer)
    what_is_wrong: Mapped[str] = mapped_column(Text)
    evidence_links: Mapped[list] = mapped_column(JSON, default=list)
    # An uploaded file (`services/uploads.py`), stored by its hash; never public.
    file_name: Mapped[str] = mapped_column(String(80), default="")
    file_original_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    state: Mapped[str] = mapped_column(String(20), default=SuggestionState.NEW.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    dismiss_reason: Mapped[str | None] = mapped_column(Text)
    # The draft started from it ("Start a draft from this").
    version_id: Mapped[int | None] = mapped_column(ForeignKey("version.id"), index=True)

    country = relationship("Country")
    indicator = relationship("Indicator")
    handled_by = relationship("User")
    version = relationship("Version")

    __table_args__ = (
        CheckConstraint(f"state IN ({_states(SuggestionState)})", name="state_valid"),
        # The queue: one country's (or all) suggestions in a state, newest first.
        Index("ix_suggestion_country_id_state", "country_id", "state"),
    )


class ReplyRole(StrEnum):
    GOVERNMENT = "government"
    MEMBER = "member"
    OTHER = "other"


class Reply(Reviewable, Model):
    """A named organisation's response to one assessment, shown beside it once approved."""

    review_kind = "reply"
    contributor_item_column = "reply_id"
    audit_suffix = "_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), index=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("country.id"), index=True)
    organisation: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="en")
    received_on: Mapped[date] = mapped_column(Date)
    url: Mapped[str] = mapped_column(String(500), default="")
    state: Mapped[str] = mapped_column(String(20), default=State.DRAFT.value, index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_comment: Mapped[str | None] = mapped_column(String(2000))

    assessment = relationship("Assessment")
    country = relationship("Country")
    created_by = relationship("User", foreign_keys=[created_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    contributors: Mapped[list["ReplyContributor"]] = relationship(
        back_populates="reply", cascade="all, delete-orphan", lazy="selectin"
    )

    __table_args__ = (CheckConstraint(f"role IN ({_states(ReplyRole)})", name="role_valid"),)

    @property
    def review_country_id(self) -> int:
        return self.country_id

    def audit_details(self) -> dict | None:
        return {"assessment": self.assessment_id, "organisation": self.organisation}


class ReplyContributor(Model):
    """Everyone who entered or edited a reply: four-eyes excludes them from approving it."""

    reply_id: Mapped[int] = mapped_column(ForeignKey("reply.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True, index=True)

    reply: Mapped[Reply] = relationship(back_populates="contributors")


Reply.contributor_model = ReplyContributor
