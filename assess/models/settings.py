from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ._base import UTCDateTime, utcnow


class OrganisationSettings(Model):
    """The publishing organisation as an admin set it at /admin/organisation: one row (id 1).

    A column left empty (None) means "as the configuration says" (`ORGANISATION`,
    `ORGANISATION_LOGO`, …). `revision` grows with every save and is part of the public revision
    (`queries.public.public_revision`): a save shows on every public page at once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    site_name: Mapped[str | None] = mapped_column(String(120))
    name: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    # A stored upload (`services.uploads.store_image`): "<sha256>.png|svg|jpg".
    logo_file: Mapped[str | None] = mapped_column(String(80))
    colour_brand: Mapped[str | None] = mapped_column(String(7))
    colour_brand_dark: Mapped[str | None] = mapped_column(String(7))
    about: Mapped[str | None] = mapped_column(Text)
    methodology: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(Text)
