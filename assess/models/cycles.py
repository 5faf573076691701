"""Review cycles: a round of work an admin opens over some countries and indicators, due by a
date, with the reviewers assigned to each country.

A cycle records what is asked and by when; the work itself goes through the review engine as
ever. Progress is read from the versions (`queries/cycles.py`): a cell (country x indicator) is
done when a version of it was published after the cycle opened."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model, db
from ._base import UTCDateTime, utcnow
from .countries import Country
from .framework import Indicator


class ReviewCycle(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    # When the cycle opened: versions published since count as its work.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by = relationship("User")
    countries: Mapped[list["ReviewCycleCountry"]] = relationship(
        cascade="all, delete-orphan", back_populates="cycle"
    )
    indicators: Mapped[list["ReviewCycleIndicator"]] = relationship(
        cascade="all, delete-orphan", back_populates="cycle"
    )
    assignments: Mapped[list["ReviewAssignment"]] = relationship(
        cascade="all, delete-orphan", back_populates="cycle", order_by="ReviewAssignment.id"
    )

    __table_args__ = (CheckConstraint("length(name) > 0", name="name_not_empty"),)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class ReviewCycleCountry(Model):
    cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id"), primary_key=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("country.id"), primary_key=True)

    cycle: Mapped[ReviewCycle] = relationship(back_populates="countries")
    country: Mapped[Country] = relationship()


class ReviewCycleIndicator(Model):
    cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id"), primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"), primary_key=True)

    cycle: Mapped[ReviewCycle] = relationship(back_populates="indicators")
    indicator: Mapped[Indicator] = relationship()


class ReviewAssignment(Model):
    """A reviewer asked to review one country's indicators of the cycle. The reviewer holds the
    reviewer role for the country when assigned (`services/cycles.py` refuses otherwise)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id"))
    country_id: Mapped[int] = mapped_column(ForeignKey("country.id"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)

    cycle: Mapped[ReviewCycle] = relationship(back_populates="assignments")
    country: Mapped[Country] = relationship()
    reviewer = relationship("User")

    # Its unique constraint also serves the assignments of one cycle.
    __table_args__ = (db.UniqueConstraint("cycle_id", "country_id", "reviewer_id"),)
