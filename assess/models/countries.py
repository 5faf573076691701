"""Countries and their legal instruments."""

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model, db


class Country(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    iso2: Mapped[str] = mapped_column(String(2), unique=True)
    iso3: Mapped[str] = mapped_column(String(3), unique=True)
    numeric: Mapped[str] = mapped_column(String(3))
    name: Mapped[str] = mapped_column(String(120))
    region: Mapped[str] = mapped_column(String(40), index=True)

    __table_args__ = (CheckConstraint("length(iso2) = 2", name="iso2_length"),)

    def __repr__(self) -> str:
        return f"<Country {self.iso2}>"


class Instrument(Model):
    """A legal instrument of one country (e.g. its Criminal Code of 2014), reused across citations."""

    id: Mapped[int] = mapped_column(primary_key=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("country.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    year_adopted: Mapped[int | None] = mapped_column(Integer)

    country: Mapped[Country] = relationship()

    __table_args__ = (
        db.UniqueConstraint("country_id", "title", "year_adopted"),
        CheckConstraint("year_adopted BETWEEN 1000 AND 2999", name="year_adopted_range"),
    )

    def __repr__(self) -> str:
        return f"<Instrument {self.title} {self.year_adopted}>"
