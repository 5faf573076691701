"""A country profile's content (members, facts, resources, news), and the reviewed changes to it."""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..workflow import State
from ._base import UTCDateTime, utcnow
from .reviewable import Reviewable

NO_TRANSLATIONS = text("'{}'")  # `Fact.text` would hide the name inside its class


class Member(Model):
    """A member organisation in a country."""

    id: Mapped[int] = mapped_column(primary_key=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("country.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    # Approved translations: {language: {field: {"text": ..., "source": the text translated}}}.
    translations: Mapped[dict] = mapped_column(JSON, default=dict, server_default=NO_TRANSLATIONS)
    # Contact details, shown on the public profile.
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    phone: Mapped[str] = mapped_column(String(50), default="", server_default="")
    address: Mapped[str] = mapped_column(String(500), default="", server_default="")


class Fact(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("country.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    # Approved translations: {language: {field: {"text": ..., "source": the text translated}}}.
    translations: Mapped[dict] = mapped_column(JSON, default=dict, server_default=NO_TRANSLATIONS)


class Resource(Model):
    """A publication about the country: a link, or a file stored under the instance folder."""

    id: Mapped[int] = mapped_column(primary_key=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("country.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    publisher: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(300))
    year: Mapped[int | None] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(String(500), default="")
    file_name: Mapped[str] = mapped_column(String(300), default="")
    # Approved translations: {language: {field: {"text": ..., "source": the text translated}}}.
    translations: Mapped[dict] = mapped_column(JSON, default=dict, server_default=NO_TRANSLATIONS)

    __table_args__ = (
        CheckConstraint("year IS NULL OR year BETWEEN 1000 AND 2999", name="year_range"),
    )


class NewsItem(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("country.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    published_on: Mapped[date] = mapped_column(Date)
    # Approved translations: {language: {field: {"text": ..., "source": the text translated}}}.
    translations: Mapped[dict] = mapped_column(JSON, default=dict, server_default=NO_TRANSLATIONS)


class ProfileChange(Reviewable, Model):
    """A proposed change to one item of a country's profile content, reviewed with four eyes.

    `payload` holds the proposed fields; `before` the item as it was when the change was proposed,
    so that approval can refuse a change whose item was changed meanwhile. A translation
    (`operation` "translate") proposes the item's text in `language`."""

    review_kind = "profile_change"
    contributor_item_column = "change_id"
    admins_edit = True
    translators_edit = True
    audit_suffix = "_profile_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("country.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    operation: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int | None] = mapped_column(Integer)
    language: Mapped[str | None] = mapped_column(String(8))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    before: Mapped[dict | None] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(20), default=State.DRAFT.value, index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_comment: Mapped[str | None] = mapped_column(String(2000))
    # The bulk import that proposed this change, if one did (`ImportBatch`).
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"), index=True)

    country = relationship("Country")
    created_by = relationship("User", foreign_keys=[created_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    contributors: Mapped[list["ProfileChangeContributor"]] = relationship(
        back_populates="change", cascade="all, delete-orphan", lazy="selectin"
    )

    __table_args__ = (
        CheckConstraint("kind IN ('member', 'fact', 'resource', 'news')", name="kind_valid"),
        CheckConstraint(
            "operation IN ('add', 'edit', 'remove', 'translate')", name="operation_valid"
        ),
    )

    @property
    def review_country_id(self) -> int:
        return self.country_id

    def audit_details(self) -> dict | None:
        details = {"kind": self.kind, "operation": self.operation}
        return details | {"language": self.language} if self.language else details


class ProfileChangeContributor(Model):
    """Everyone who proposed or edited a profile change: four-eyes excludes them from deciding."""

    change_id: Mapped[int] = mapped_column(ForeignKey("profile_change.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True, index=True)

    change: Mapped[ProfileChange] = relationship(back_populates="contributors")


ProfileChange.contributor_model = ProfileChangeContributor
