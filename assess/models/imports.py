"""A bulk import: the file one person brought in, and the items it proposed for review.

The batch itself is not reviewed: its items are, each through the review engine, and a supervisor
may decide them one by one or all at once (`services/import_batches.py`). The batch keeps them
together, so that fifty rows of one spreadsheet are read and approved as the one piece of work
they are."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ._base import UTCDateTime, utcnow


class ImportBatch(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    # The file's name as uploaded: how its author will recognise it.
    name: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What the file held, as counted at import: the items are the batch's versions and changes.
    assessment_count: Mapped[int] = mapped_column(Integer, default=0)
    profile_count: Mapped[int] = mapped_column(Integer, default=0)

    created_by = relationship("User")
