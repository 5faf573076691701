"""The review workflow as data: states, actions, who may act, and where each action leads.

Pure on purpose (no Flask, no SQLAlchemy): the whole state machine reads on one screen and is tested
exhaustively. Services ask `transition()` before they change a row; guards that need the database
(one open version, required fields, stale base) stay in the services.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    PUBLISHED = "published"
    REJECTED = "rejected"
    DISCARDED = "discarded"
    RETRACTED = "retracted"
    SUPERSEDED = "superseded"


OPEN_STATES = frozenset({State.DRAFT, State.SUBMITTED, State.CHANGES_REQUESTED})
EDITABLE_STATES = frozenset({State.DRAFT, State.CHANGES_REQUESTED})
PUBLIC_STATES = frozenset({State.PUBLISHED, State.SUPERSEDED, State.RETRACTED})


class Action(StrEnum):
    START = "start"
    SAVE = "save"
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    REJECT = "reject"
    DISCARD = "discard"
    RETRACT = "retract"
    SUPERSEDE = "supersede"


# What a second person decides on a submitted item (four-eyes applies to these).
DECISIONS = frozenset({Action.APPROVE, Action.REQUEST_CHANGES, Action.REJECT})


class Party(StrEnum):
    """Who an actor is with respect to one version."""

    EDITOR = "editor"  # reviewer or supervisor of the version's country
    CONTRIBUTOR = "contributor"  # created, saved or submitted this version (and is still an editor)
    CREATOR = "creator"
    SUPERVISOR = "supervisor"  # supervisor of the version's country
    ELIGIBLE_SUPERVISOR = "eligible_supervisor"  # supervisor who is not a contributor (four-eyes)
    ADMIN = "admin"
    SYSTEM = "system"  # the application itself, e.g. superseding on publication


@dataclass(frozen=True)
class Actor:
    """The facts about one user and one version that the table needs."""

    is_editor: bool = False
    is_supervisor: bool = False
    is_admin: bool = False
    is_contributor: bool = False
    is_creator: bool = False
    is_system: bool = False

    def parties(self) -> frozenset[Party]:
        held = set()
        if self.is_editor:
            held.add(Party.EDITOR)
            if self.is_contributor:
                held.add(Party.CONTRIBUTOR)
        if self.is_creator:
            held.add(Party.CREATOR)
        if self.is_supervisor:
            held.add(Party.SUPERVISOR)
            if not self.is_contributor:
                held.add(Party.ELIGIBLE_SUPERVISOR)
        if self.is_admin:
            held.add(Party.ADMIN)
        if self.is_system:
            held.add(Party.SYSTEM)
        return frozenset(held)


SYSTEM = Actor(is_system=True)


@dataclass(frozen=True)
class Rule:
    target: State
    allowed: frozenset[Party]
    needs_comment: bool = False


def _rule(target: State, *parties: Party, needs_comment: bool = False) -> Rule:
    return Rule(target, frozenset(parties), needs_comment)


# (from, action) -> rule. `None` is "no version yet".
TRANSITIONS: dict[tuple[State | None, Action], Rule] = {
    (None, Action.START): _rule(State.DRAFT, Party.EDITOR),
    (State.DRAFT, Action.SAVE): _rule(State.DRAFT, Party.EDITOR),
    (State.CHANGES_REQUESTED, Action.SAVE): _rule(State.CHANGES_REQUESTED, Party.EDITOR),
    (State.DRAFT, Action.SUBMIT): _rule(State.SUBMITTED, Party.CONTRIBUTOR),
    (State.CHANGES_REQUESTED, Action.SUBMIT): _rule(State.SUBMITTED, Party.CONTRIBUTOR),
    (State.SUBMITTED, Action.WITHDRAW): _rule(State.DRAFT, Party.CONTRIBUTOR),
    (State.SUBMITTED, Action.APPROVE): _rule(State.PUBLISHED, Party.ELIGIBLE_SUPERVISOR),
    (State.SUBMITTED, Action.REQUEST_CHANGES): _rule(
        State.CHANGES_REQUESTED, Party.ELIGIBLE_SUPERVISOR, needs_comment=True
    ),
    (State.SUBMITTED, Action.REJECT): _rule(
        State.REJECTED, Party.ELIGIBLE_SUPERVISOR, needs_comment=True
    ),
    (State.DRAFT, Action.DISCARD): _rule(
        State.DISCARDED, Party.CREATOR, Party.SUPERVISOR, Party.ADMIN
    ),
    (State.CHANGES_REQUESTED, Action.DISCARD): _rule(
        State.DISCARDED, Party.CREATOR, Party.SUPERVISOR, Party.ADMIN
    ),
    (State.PUBLISHED, Action.RETRACT): _rule(
        State.RETRACTED, Party.ELIGIBLE_SUPERVISOR, needs_comment=True
    ),
    (State.PUBLISHED, Action.SUPERSEDE): _rule(State.SUPERSEDED, Party.SYSTEM),
}


class TransitionError(Exception):
    """Base of the reasons an action cannot be taken."""


class InvalidTransition(TransitionError):
    """The action does not apply to a version in this state."""

    def __init__(self, state: State | None, action: Action) -> None:
        super().__init__(f"cannot {action.value} a version that is {state or 'not started'}")
        self.state = state
        self.action = action


class NotAllowed(TransitionError):
    """The action applies, but not by this actor."""

    def __init__(self, state: State | None, action: Action, four_eyes: bool = False) -> None:
        reason = "you contributed to this version" if four_eyes else "you are not allowed"
        super().__init__(f"cannot {action.value}: {reason}")
        self.state = state
        self.action = action
        self.four_eyes = four_eyes


class CommentRequired(TransitionError):
    def __init__(self, action: Action) -> None:
        super().__init__(f"{action.value} needs a comment")
        self.action = action


def rule_for(state: State | None, action: Action) -> Rule:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise InvalidTransition(state, action) from None


def transition(
    state: State | None, action: Action, actor: Actor, comment: str | None = None
) -> State:
    """The state `action` leads to, or the `TransitionError` saying why it may not be taken."""
    rule = rule_for(state, action)
    if not rule.allowed & actor.parties():
        four_eyes = Party.ELIGIBLE_SUPERVISOR in rule.allowed and actor.is_supervisor
        raise NotAllowed(state, action, four_eyes=four_eyes)
    if rule.needs_comment and not (comment and comment.strip()):
        raise CommentRequired(action)
    return rule.target


def available_actions(state: State | None, actor: Actor) -> list[Action]:
    """Actions this actor may take now, in table order (comments not yet considered)."""
    held = actor.parties()
    return [
        action
        for (source, action), rule in TRANSITIONS.items()
        if source == state and rule.allowed & held
    ]
