"""The indicator framework: the indicators every country is assessed against, and their revisions.

An indicator's columns hold its text as approved now (every reader of the framework reads them);
`IndicatorRevision` keeps the full text of every revision ever proposed, and moves through the
review workflow like an assessment version. A published version points at the revision it was
assessed under, so a later rubric never rewrites what an old finding meant."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model, db
from ..workflow import OPEN_STATES, PUBLIC_STATES, State
from ._base import UTCDateTime, utcnow
from .reviewable import Reviewable

# The fields of an indicator's text, in the order they are shown.
TEXT_FIELDS = ("title", "definition", "rubric_yes", "rubric_partial", "rubric_no")
# What a revision changes: the source text, or its translation into one language.
SOURCE_SCOPE = "source"


def _in(values) -> str:
    return ", ".join(f"'{v.value}'" for v in sorted(values))


class Indicator(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    definition: Mapped[str] = mapped_column(Text, default="")
    rubric_yes: Mapped[str] = mapped_column(Text, default="")
    rubric_partial: Mapped[str] = mapped_column(Text, default="")
    rubric_no: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The approved translations of the text above (`assess/translated.py` reads them):
    # {language: {field: {"text": ..., "source": the text it translates}}}.
    translations: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    # The revision in force, whose text the columns above copy; none for an indicator added
    # before revisions were kept and never revised since.
    current_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("indicator_revision.id", use_alter=True)
    )

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @hybrid_property
    def is_proposed(self) -> bool:
        """Added, its first text not yet approved: held as retired, off every public page."""
        return self.retired_at is not None and self.current_revision_id is None

    @is_proposed.inplace.expression
    @classmethod
    def _is_proposed_sql(cls) -> ColumnElement[bool]:
        return and_(cls.retired_at.is_not(None), cls.current_revision_id.is_(None))

    def __repr__(self) -> str:
        return f"<Indicator {self.slug}>"


class FrameworkRevision(Model):
    """One row: the indicator framework's revision number, bumped by every framework change
    (a reviewed text, an indicator added, retired, restored or moved)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


_OPEN = f"state IN ({_in(OPEN_STATES)})"


class IndicatorRevision(Reviewable, Model):
    """The full text of one indicator as proposed, reviewed and (once approved) in force.

    `scope` says what it changes: the source text (an administrator's revision) or one
    language's translation (a translator's); the rest is copied from the revision in force, so
    every approved row holds the whole text as it stood. At most one open revision per indicator
    and scope: a French translation and a rubric change can be under review at once."""

    review_kind = "indicator_revision"
    contributor_item_column = "revision_id"
    admins_edit = True
    translators_edit = True
    audit_suffix = "_indicator_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"), index=True)
    # Given at approval, in order per indicator: /indicators/<slug>/revisions/<number>.
    number: Mapped[int | None] = mapped_column(Integer)
    scope: Mapped[str] = mapped_column(String(8), default=SOURCE_SCOPE)
    state: Mapped[str] = mapped_column(String(20), default=State.DRAFT.value, index=True)
    title: Mapped[str] = mapped_column(String(200))
    definition: Mapped[str] = mapped_column(Text, default="")
    rubric_yes: Mapped[str] = mapped_column(Text, default="")
    rubric_partial: Mapped[str] = mapped_column(Text, default="")
    rubric_no: Mapped[str] = mapped_column(Text, default="")
    translations: Mapped[dict] = mapped_column(JSON, default=dict)
    # The revision in force when this one was started: what its review compares with.
    base_revision_id: Mapped[int | None] = mapped_column(ForeignKey("indicator_revision.id"))
    # None: recorded from the framework as it stood (the seeded text, or one from before).
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # type: ignore[assignment]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_comment: Mapped[str | None] = mapped_column(Text)
    # Optimistic lock: every save bumps it; a form carrying an older one is stale.
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    # The framework revision number this revision's approval made (see `FrameworkRevision`).
    framework_revision: Mapped[int | None] = mapped_column(Integer)

    indicator: Mapped[Indicator] = relationship(foreign_keys=[indicator_id])
    base_revision: Mapped["IndicatorRevision | None"] = relationship(remote_side=[id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    contributors: Mapped[list["IndicatorRevisionContributor"]] = relationship(
        back_populates="revision", cascade="all, delete-orphan", lazy="selectin"
    )

    __table_args__ = (
        CheckConstraint(f"state IN ({_in(State)})", name="state_valid"),
        CheckConstraint(
            f"(number IS NULL) = (state NOT IN ({_in(PUBLIC_STATES)}))", name="number_iff_public"
        ),
        db.UniqueConstraint("indicator_id", "number"),
        Index(
            "uq_indicator_revision_one_open",
            "indicator_id",
            "scope",
            unique=True,
            sqlite_where=text(_OPEN),
            postgresql_where=text(_OPEN),
        ),
    )

    @property
    def review_country_id(self) -> None:  # type: ignore[override]
        """The framework belongs to no country: global supervisors decide it."""
        return None

    @property
    def is_translation(self) -> bool:
        return self.scope != SOURCE_SCOPE

    def texts(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in TEXT_FIELDS}

    def audit_details(self) -> dict | None:
        return {"indicator": self.indicator_id, "scope": self.scope}


class IndicatorRevisionContributor(Model):
    """Everyone who wrote or submitted a revision: four-eyes excludes them from deciding."""

    revision_id: Mapped[int] = mapped_column(ForeignKey("indicator_revision.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True, index=True)

    revision: Mapped[IndicatorRevision] = relationship(back_populates="contributors")


IndicatorRevision.contributor_model = IndicatorRevisionContributor
