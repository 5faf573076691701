"""The review engine: how any reviewable item moves through `workflow.TRANSITIONS`.

Assessment versions and profile changes share this mechanism: lock the item, build the user's
`workflow.Actor` (nowhere else builds one), ask the table, move the state, record the audit event
and hand the notification on, all inside the caller's transaction. The kind-specific services keep
only what is theirs (`assessments`: copy the published content on start, complete the submission,
number, supersede and publish on approval; `profile_content`: apply the change to the profile)."""

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import User
from ..models.reviewable import Reviewable
from ..workflow import (
    DECISIONS,
    Action,
    Actor,
    CommentRequired,
    InvalidTransition,
    NotAllowed,
    State,
    available_actions,
    transition,
)
from . import audit, notifications
from .errors import (
    AlreadyDecided,
    FourEyes,
    ItemNotFound,
    NotNow,
    NotPermitted,
)
from .errors import CommentRequired as CommentMissing
from .permissions import is_admin, is_supervisor, may_edit, may_read


def now() -> datetime:
    return datetime.now(UTC)


def _actor(
    user: User,
    model: type[Reviewable],
    country_id: int | None,
    *,
    contributor: bool,
    creator: bool,
) -> Actor:
    return Actor(
        is_editor=may_edit(user, model, country_id),
        is_supervisor=is_supervisor(user, country_id),
        is_admin=is_admin(user),
        is_contributor=contributor,
        is_creator=creator,
    )


def actor(user: User, item: Reviewable) -> Actor:
    """The facts about this user and this item that the workflow table needs."""
    return _actor(
        user,
        type(item),
        item.review_country_id,
        contributor=user.id in item.contributor_ids,
        creator=item.created_by_id == user.id,
    )


def actions_for(user: User, item: Reviewable) -> set[Action]:
    return set(available_actions(State(item.state), actor(user, item)))


def check_visible(user: User, item: Reviewable) -> None:
    """Another country's items do not exist for this user: 404, not 403."""
    if not may_read(user, type(item), item.review_country_id):
        raise ItemNotFound(item.review_kind)


def locked(session: Session, model: type[Reviewable], item_id: int, user: User) -> Reviewable:
    """The item, locked for this transaction and read afresh, if the user may see it."""
    mapped: Any = model  # a mapped class; the mixin itself is not one
    item = session.scalar(
        select(mapped)
        .where(mapped.id == item_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if item is None:
        raise ItemNotFound(model.review_kind)
    check_visible(user, item)
    return item


def _refusal(item: Reviewable, action: Action) -> Exception:
    """Why an action no longer applies to the item, in the words its user needs."""
    state = State(item.state)
    if action in DECISIONS and state != State.SUBMITTED and item.decided_by is not None:
        return AlreadyDecided(item.review_kind, state, item.decided_by.display_name)
    return NotNow(item.review_kind, state, action)


def check(
    user: User, item: Reviewable, action: Action, comment: str | None = None
) -> tuple[State, State]:
    """The states before and after `action`, or the refusal saying why it may not be taken."""
    check_visible(user, item)
    before = State(item.state)
    try:
        after = transition(before, action, actor(user, item), comment)
    except InvalidTransition:
        raise _refusal(item, action) from None
    except NotAllowed as error:
        if error.four_eyes:
            raise FourEyes(item.review_kind) from None
        raise NotPermitted(item.review_kind, action) from None
    except CommentRequired:
        raise CommentMissing(action) from None
    return before, after


def _cleaned(comment: str | None) -> str | None:
    return comment.strip() if comment else comment


def check_start(user: User, model: type[Reviewable], country_id: int | None) -> None:
    """Whether the user may start an item of this country, or the refusal."""
    if not may_read(user, model, country_id):
        raise ItemNotFound(model.review_kind)
    new = _actor(user, model, country_id, contributor=False, creator=True)
    try:
        transition(None, Action.START, new)
    except NotAllowed:
        raise NotPermitted(model.review_kind, Action.START) from None


def start(session: Session, user: User, item: Reviewable) -> None:
    """Add a new item, its creator its first contributor, and record its start."""
    check_start(user, type(item), item.review_country_id)
    item.state = State.DRAFT.value
    item.add_contributor(user.id)
    session.add(item)
    session.flush()
    audit.record(
        user,
        item.audit_action(Action.START),
        item,
        country_id=item.review_country_id,
        to_state=State.DRAFT.value,
        details=item.audit_details(),
    )


def _details(item: Reviewable, extra: dict | None) -> dict | None:
    details = item.audit_details()
    return {**(details or {}), **extra} if extra else details


def apply(
    session: Session,
    user: User,
    item: Reviewable,
    action: Action,
    comment: str | None = None,
    details: dict | None = None,
) -> State:
    """Check the table for this user, move the item, audit it (with `details` added to the
    item's own) and notify; or raise the reason."""
    before, after = check(user, item, action, comment)
    item.state = after.value
    item.updated_at = now()
    audit.record(
        user,
        item.audit_action(action),
        item,
        country_id=item.review_country_id,
        from_state=before.value,
        to_state=after.value,
        comment=_cleaned(comment),
        details=_details(item, details),
    )
    notifications.on_transition(session, user, item, action, comment)
    return after


def submit(session: Session, user: User, item: Reviewable) -> None:
    """Submit the item for review: moved, stamped, and its submitter counted as a contributor
    (who may therefore not decide on it)."""
    apply(session, user, item, Action.SUBMIT)
    item.submitted_at = now()
    item.add_contributor(user.id)


def decide(
    session: Session,
    user: User,
    item: Reviewable,
    action: Action,
    comment: str | None,
    details: dict | None = None,
) -> datetime:
    """Apply a decision and record who took it, when, and why; returns when."""
    apply(session, user, item, action, comment, details)
    decided_at = now()
    item.decided_by_id = user.id
    item.decided_at = decided_at
    item.decision_comment = (comment or "").strip() or None
    return decided_at


# --- many new items at once (the bulk import) --------------------------------------------------

Step = tuple[Action, State | None, State]


def plan_new(
    user: User,
    model: type[Reviewable],
    country_id: int,
    actions: Iterable[Action],
    *,
    admins_create: bool = False,
) -> list[Step]:
    """The steps `actions` take a new item the user creates (and so contributes to) through,
    checked against the table once for a whole batch of the country's items. With
    `admins_create`, an admin creates them as an editor of the country would (the bulk import)."""
    if not may_read(user, model, country_id):
        raise ItemNotFound(model.review_kind)
    who = _actor(user, model, country_id, contributor=True, creator=True)
    if admins_create and who.is_admin:
        who = replace(who, is_editor=True)
    steps: list[Step] = []
    state: State | None = None
    for action in actions:
        try:
            after = transition(state, action, who)
        except InvalidTransition:
            raise NotNow(model.review_kind, state or State.DRAFT, action) from None
        except NotAllowed:
            raise NotPermitted(model.review_kind, action) from None
        steps.append((action, state, after))
        state = after
    return steps


def audit_entries(
    user: User,
    model: type[Reviewable],
    item_id: int,
    country_id: int,
    steps: list[Step],
    details: dict | None = None,
) -> list[dict]:
    """The audit events of `steps` on one item, as `apply` records them, for `audit.record_many`."""
    return [
        audit.entry(
            user,
            model.audit_action(action),
            model.__name__.lower(),
            item_id,
            country_id=country_id,
            from_state=before.value if before else None,
            to_state=after.value,
            details=details,
        )
        for action, before, after in steps
    ]
