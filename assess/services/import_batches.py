"""An import's batch as a supervisor reviews it: its items, and decisions on all of them at once.

The batch is not an item of the workflow: each version and profile change in it moves through
the review engine as it would alone, and can be opened and decided on its own. "Approve all"
takes, for each item the user may approve now, the same `approve` the item's own page calls, each
in its own transaction: an item that cannot be approved (changed, withdrawn, decided meanwhile)
is reported and leaves the others approved, as deciding them one by one would. The four-eyes
rule holds item by item, so the importer can never approve their own batch."""

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ..database import write_transaction
from ..extensions import db
from ..models import Assessment, ImportBatch, ProfileChange, User, Version
from ..models.reviewable import Reviewable
from ..workflow import Action, State
from . import assessments, audit, engine, profile_content
from .errors import NotFound, ServiceError, ValidationError
from .permissions import (
    can_read_staff,
    country_scope,
    eligible_supervisors,
    is_admin,
    supervisor_ids,
)


@dataclass
class BatchItem:
    item: Reviewable
    country_id: int
    actions: set[Action]
    needs_supervisor: bool  # submitted, and no supervisor of its country may decide it

    @property
    def is_version(self) -> bool:
        return isinstance(self.item, Version)

    @property
    def may_approve(self) -> bool:
        return Action.APPROVE in self.actions


@dataclass
class Batch:
    batch: ImportBatch
    items: list[BatchItem]

    def count(self, state: str) -> int:
        return sum(1 for i in self.items if i.item.state == state)

    @property
    def mine_to_decide(self) -> list[BatchItem]:
        return [i for i in self.items if i.may_approve]

    @property
    def needing_supervisor(self) -> list[BatchItem]:
        return [i for i in self.items if i.needs_supervisor]


@dataclass
class Outcome:
    decided: list[BatchItem] = field(default_factory=list)
    refused: list[tuple[BatchItem, str]] = field(default_factory=list)


def _items(batch_id: int) -> list[Reviewable]:
    versions = db.session.scalars(
        select(Version)
        .where(Version.import_batch_id == batch_id)
        .options(
            joinedload(Version.assessment).joinedload(Assessment.country),
            joinedload(Version.assessment).joinedload(Assessment.indicator),
            selectinload(Version.contributors),
            joinedload(Version.decided_by),
        )
        .order_by(Version.id)
    )
    changes = db.session.scalars(
        select(ProfileChange)
        .where(ProfileChange.import_batch_id == batch_id)
        .options(joinedload(ProfileChange.country), joinedload(ProfileChange.decided_by))
        .order_by(ProfileChange.id)
    )
    return [*versions, *changes]


def get(user: User, batch_id: int) -> Batch:
    """The batch with the items this user may see; another country's batch does not exist."""
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None:
        raise NotFound(gettext("No such import."))
    supervisors: dict[int, set[int]] = {}
    items = []
    for item in _items(batch_id):
        country_id = item.review_country_id
        if country_id is None or not can_read_staff(user, country_id):
            continue
        if country_id not in supervisors:
            supervisors[country_id] = supervisor_ids(country_id)
        needs = item.state == State.SUBMITTED.value and not eligible_supervisors(
            item, supervisors[country_id]
        )
        items.append(BatchItem(item, country_id, engine.actions_for(user, item), needs))
    if not items and batch.created_by_id != user.id:
        raise NotFound(gettext("No such import."))
    return Batch(batch, items)


def _in_scope(user: User, query, country_column):
    """The query limited to the user's countries (an admin's and a global grant's: all)."""
    scope = None if is_admin(user) else country_scope(user)
    return query if scope is None else query.where(country_column.in_(scope))


def recent(user: User, limit: int = 50) -> list[tuple[ImportBatch, int, int]]:
    """The latest batches with items this user may see: (batch, items, items still submitted)."""
    submitted = State.SUBMITTED.value
    counts: dict[int, list[int]] = {}
    version_rows = _in_scope(
        user,
        select(
            Version.import_batch_id,
            func.count(),
            func.count().filter(Version.state == submitted),
        )
        .join(Assessment, Assessment.id == Version.assessment_id)
        .where(Version.import_batch_id.is_not(None))
        .group_by(Version.import_batch_id),
        Assessment.country_id,
    )
    change_rows = _in_scope(
        user,
        select(
            ProfileChange.import_batch_id,
            func.count(),
            func.count().filter(ProfileChange.state == submitted),
        )
        .where(ProfileChange.import_batch_id.is_not(None))
        .group_by(ProfileChange.import_batch_id),
        ProfileChange.country_id,
    )
    for rows in (version_rows, change_rows):
        for batch_id, total, waiting in db.session.execute(rows):
            found = counts.setdefault(batch_id, [0, 0])
            found[0] += total
            found[1] += waiting
    if not counts:
        return []
    batches = db.session.scalars(
        select(ImportBatch)
        .where(ImportBatch.id.in_(counts))
        .options(joinedload(ImportBatch.created_by))
        .order_by(ImportBatch.id.desc())
        .limit(limit)
    )
    return [(b, counts[b.id][0], counts[b.id][1]) for b in batches]


# What deciding one item of each kind calls: the same use case as the item's own page.
DECISIONS: dict[tuple[Action, bool], Callable[..., object]] = {
    (Action.APPROVE, True): assessments.approve,
    (Action.APPROVE, False): profile_content.approve,
    (Action.REQUEST_CHANGES, True): assessments.request_changes,
    (Action.REQUEST_CHANGES, False): profile_content.request_changes,
}


def _decide_each(user: User, batch: Batch, action: Action, comment: str | None) -> Outcome:
    outcome = Outcome()
    for entry in batch.items:
        if action not in entry.actions:
            continue
        decide = DECISIONS[(action, entry.is_version)]
        try:
            decide(user, entry.item.id, comment)
        except ServiceError as error:
            db.session.rollback()
            outcome.refused.append((entry, str(error)))
        else:
            outcome.decided.append(entry)
    with write_transaction():
        audit.record(
            user,
            f"{action.value}_import_batch",
            batch.batch,
            comment=(comment or "").strip() or None,
            details={"decided": len(outcome.decided), "refused": len(outcome.refused)},
        )
    return outcome


def approve_all(user: User, batch_id: int, comment: str | None = None) -> Outcome:
    """Approve every item of the batch this user may approve now."""
    return _decide_each(user, get(user, batch_id), Action.APPROVE, comment)


def return_all(user: User, batch_id: int, comment: str) -> Outcome:
    """Return every item of the batch this user may decide to its author, with one comment."""
    if not (comment or "").strip():
        raise ValidationError(gettext("Say what should change: the comment goes to the author."))
    return _decide_each(user, get(user, batch_id), Action.REQUEST_CHANGES, comment)
