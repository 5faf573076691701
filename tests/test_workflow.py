"""The transition table, exhaustively: every state x action x kind of actor."""

import itertools

import pytest

from assess.workflow import (
    SYSTEM,
    TRANSITIONS,
    Action,
    Actor,
    CommentRequired,
    InvalidTransition,
    NotAllowed,
    State,
    available_actions,
    transition,
)

# Every combination of the facts an actor can have (system aside).
ACTORS = [
    Actor(is_editor=e, is_supervisor=s, is_admin=a, is_contributor=c, is_creator=cr)
    for e, s, a, c, cr in itertools.product([False, True], repeat=5)
    if not (s and not e)  # a supervisor of a country is always an editor of it
]

REVIEWER = Actor(is_editor=True)
CONTRIBUTOR = Actor(is_editor=True, is_contributor=True, is_creator=True)
SUPERVISOR = Actor(is_editor=True, is_supervisor=True)
CONTRIBUTING_SUPERVISOR = Actor(is_editor=True, is_supervisor=True, is_contributor=True)
ADMIN = Actor(is_admin=True)
STRANGER = Actor()


def expected(state, action, actor):
    """The SPEC §3 table, restated independently of the module's data structure."""
    e, s, a, c, cr = (
        actor.is_editor, actor.is_supervisor, actor.is_admin, actor.is_contributor, actor.is_creator
    )  # fmt: skip
    editable = state in (State.DRAFT, State.CHANGES_REQUESTED)
    rules = {
        Action.START: (state is None, e),
        Action.SAVE: (editable, e),
        Action.SUBMIT: (editable, e and c),
        Action.WITHDRAW: (state == State.SUBMITTED, e and c),
        Action.APPROVE: (state == State.SUBMITTED, s and not c),
        Action.REQUEST_CHANGES: (state == State.SUBMITTED, s and not c),
        Action.REJECT: (state == State.SUBMITTED, s and not c),
        Action.DISCARD: (editable, cr or s or a),
        Action.RETRACT: (state == State.PUBLISHED, s and not c),
        Action.SUPERSEDE: (state == State.PUBLISHED, False),
    }
    applies, allowed = rules[action]
    if not applies:
        return InvalidTransition
    return "ok" if allowed else NotAllowed


@pytest.mark.parametrize("state", [None, *State])
@pytest.mark.parametrize("action", list(Action))
def test_every_state_action_and_actor(state, action):
    for actor in ACTORS:
        outcome = expected(state, action, actor)
        if outcome == "ok":
            target = transition(state, action, actor, comment="because")
            assert target == TRANSITIONS[(state, action)].target
            assert action in available_actions(state, actor)
        else:
            with pytest.raises(outcome):
                transition(state, action, actor, comment="because")
            assert action not in available_actions(state, actor)


def test_the_targets_follow_the_spec():
    assert transition(None, Action.START, REVIEWER) == State.DRAFT
    assert transition(State.DRAFT, Action.SAVE, REVIEWER) == State.DRAFT
    assert transition(State.CHANGES_REQUESTED, Action.SAVE, REVIEWER) == State.CHANGES_REQUESTED
    assert transition(State.DRAFT, Action.SUBMIT, CONTRIBUTOR) == State.SUBMITTED
    assert transition(State.SUBMITTED, Action.WITHDRAW, CONTRIBUTOR) == State.DRAFT
    assert transition(State.SUBMITTED, Action.APPROVE, SUPERVISOR) == State.PUBLISHED
    assert (
        transition(State.SUBMITTED, Action.REQUEST_CHANGES, SUPERVISOR, "fix the year")
        == State.CHANGES_REQUESTED
    )
    assert transition(State.SUBMITTED, Action.REJECT, SUPERVISOR, "no") == State.REJECTED
    assert transition(State.DRAFT, Action.DISCARD, CONTRIBUTOR) == State.DISCARDED
    assert transition(State.PUBLISHED, Action.RETRACT, SUPERVISOR, "wrong law") == State.RETRACTED
    assert transition(State.PUBLISHED, Action.SUPERSEDE, SYSTEM) == State.SUPERSEDED


def test_four_eyes_refusal_says_so():
    with pytest.raises(NotAllowed) as refusal:
        transition(State.SUBMITTED, Action.APPROVE, CONTRIBUTING_SUPERVISOR)
    assert refusal.value.four_eyes
    with pytest.raises(NotAllowed) as refusal:
        transition(State.SUBMITTED, Action.APPROVE, REVIEWER)
    assert not refusal.value.four_eyes


def test_an_admin_is_bound_by_four_eyes_and_cannot_approve_alone():
    admin_contributor = Actor(
        is_admin=True, is_editor=True, is_supervisor=True, is_contributor=True
    )
    for action in (Action.APPROVE, Action.REQUEST_CHANGES, Action.REJECT):
        with pytest.raises(NotAllowed):
            transition(State.SUBMITTED, action, admin_contributor, "comment")
        with pytest.raises(NotAllowed):
            transition(State.SUBMITTED, action, ADMIN, "comment")


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (State.SUBMITTED, Action.REQUEST_CHANGES),
        (State.SUBMITTED, Action.REJECT),
        (State.PUBLISHED, Action.RETRACT),
    ],
)
@pytest.mark.parametrize("comment", [None, "", "   \n"])
def test_comment_required(state, action, comment):
    with pytest.raises(CommentRequired):
        transition(state, action, SUPERVISOR, comment)


def test_terminal_states_allow_nothing():
    for state in (State.REJECTED, State.DISCARDED, State.RETRACTED, State.SUPERSEDED):
        for actor in ACTORS:
            assert available_actions(state, actor) == []


def test_module_is_pure():
    import ast
    from pathlib import Path

    import assess.workflow as module

    tree = ast.parse(Path(module.__file__).read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (
            node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")]
        )
    }
    assert imported <= {"__future__", "dataclasses", "enum"}
