"""What every item that goes through review shares, for the review engine (`services/engine.py`).

Assessment versions and profile changes today; an item that must be reviewed next costs a model
with these columns and this mixin. Columns stay on each model (their sizes differ): the mixin only
says what the engine reads and writes."""

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import Select, select

from ..workflow import Action

if TYPE_CHECKING:
    from .accounts import User


class Reviewable:
    """An item moved by `workflow.TRANSITIONS`: its state, its contributors (whom four-eyes
    excludes from deciding), who created and decided it, and the country whose staff review it."""

    # The item's name in refusals ("version", "profile_change"); see `services.errors`.
    review_kind: ClassVar[str]
    # The rows naming each contributor: a `user_id` column and a foreign key to the item.
    contributor_model: ClassVar[Any]
    contributor_item_column: ClassVar[str]
    # Whether an admin edits items of any country (profile content) or only decides as any
    # supervisor does (assessments, which only a country's reviewers and supervisors draft).
    admins_edit: ClassVar[bool] = False
    # Whether translators propose items of this kind (translations of what it holds).
    translators_edit: ClassVar[bool] = False
    # Appended to the action in the audit log: "approve_profile_change".
    audit_suffix: ClassVar[str] = ""

    if TYPE_CHECKING:
        id: int
        state: str
        created_by_id: int | None
        decided_by_id: int | None
        decided_by: User | None
        updated_at: datetime
        submitted_at: datetime | None
        decided_at: datetime | None
        decision_comment: str | None
        contributors: list[Any]

    @property
    def review_country_id(self) -> int | None:
        """The country whose staff review the item; None for the framework (global staff)."""
        raise NotImplementedError

    @property
    def contributor_ids(self) -> set[int]:
        return {c.user_id for c in self.contributors}

    def add_contributor(self, user_id: int) -> None:
        if user_id not in self.contributor_ids:
            self.contributors.append(self.contributor_model(user_id=user_id))

    @classmethod
    def contributors_sql(cls, item_id: Any) -> Select:
        """The contributors' user ids, as SQL; `item_id` a value or a column of an outer query."""
        model = cls.contributor_model
        column = getattr(model, cls.contributor_item_column)
        return select(model.user_id).where(column == item_id).correlate_except(model)

    @classmethod
    def audit_action(cls, action: Action) -> str:
        return f"{action.value}{cls.audit_suffix}"

    def audit_details(self) -> dict | None:
        return None
