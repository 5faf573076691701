"""Whether an action may be taken on a version now, and the exception that says why not.

The pure table (`workflow.py`) answers for a state and a kind of actor; these checks add what
needs the rows: the country scope, the four-eyes rule in words, and who decided first."""

from ..models import User, Version
from ..workflow import (
    Action,
    CommentRequired,
    InvalidTransition,
    NotAllowed,
    State,
    transition,
)
from .content import VersionContent
from .errors import Conflict, NotFound, PermissionDenied, ValidationError
from .permissions import actor_for, can_read_staff


class DraftExists(Conflict):
    """Another open version holds this assessment: who holds it, and since when."""

    def __init__(self, version: Version) -> None:
        self.holder = version.created_by.display_name
        self.since = version.created_at
        self.version_id = version.id
        since = self.since.strftime("%Y-%m-%d %H:%M UTC")
        super().__init__(
            f"{self.holder} already holds an open version of this assessment since {since}."
        )


class StaleForm(Conflict):
    """The form was based on an older save; `current` is what is stored now."""

    def __init__(self, current: Version, submitted: VersionContent) -> None:
        super().__init__("Someone saved this version after you opened it.")
        self.current = current
        self.submitted = submitted


class StaleBase(Conflict):
    """A newer version was published (or the published one retracted) after this draft started."""


class AlreadyDecided(Conflict):
    """Someone else decided first; `state` and `decider` say what happened."""

    def __init__(self, state: State, decider: str | None) -> None:
        self.state = state
        self.decider = decider or "someone"
        done = {
            State.PUBLISHED: "approved",
            State.SUPERSEDED: "approved",
            State.REJECTED: "rejected",
            State.CHANGES_REQUESTED: "returned for changes",
        }.get(state, state.value.replace("_", " "))
        super().__init__(f"This version was already {done} by {self.decider}.")


class FourEyes(PermissionDenied):
    """A contributor tried to decide on their own version."""


# Decisions that a second person takes on a submitted version.
DECISIONS = frozenset({Action.APPROVE, Action.REQUEST_CHANGES, Action.REJECT})
_MAX_LENGTHS = {  # the columns' sizes
    "analysis": 100_000,
    "analysis_language": 8,
    "analysis_source_title": 300,
    "instrument_title": 300,
    "provision": 200,
    "url": 500,
    "language": 8,
    "title": 300,
    "publisher": 200,
}
_PARTICIPLES = {
    Action.SAVE: "saved",
    Action.SUBMIT: "submitted",
    Action.WITHDRAW: "withdrawn",
    Action.APPROVE: "approved",
    Action.REQUEST_CHANGES: "returned for changes",
    Action.REJECT: "rejected",
    Action.DISCARD: "discarded",
    Action.RETRACT: "retracted",
}


def check_visible(user: User, version: Version) -> None:
    """Another country's versions do not exist for this user: 404, not 403."""
    if not can_read_staff(user, version.assessment.country_id):
        raise NotFound("No such version.")


def _refusal(version: Version, action: Action) -> Conflict:
    """Why an action no longer applies to this version, in the words a user needs."""
    state = State(version.state)
    if action in DECISIONS and state != State.SUBMITTED and version.decided_by is not None:
        return AlreadyDecided(state, version.decided_by.display_name)
    if action in DECISIONS and state == State.DRAFT:
        return Conflict("This version was withdrawn by its author; it is not waiting for review.")
    if action == Action.SAVE and state == State.SUBMITTED:
        return Conflict("This version is submitted for review; withdraw it to edit it again.")
    return Conflict(
        f"This version is {state.value.replace('_', ' ')}: "
        f"it cannot be {_PARTICIPLES.get(action, action.value)} now."
    )


def check(
    user: User, version: Version, action: Action, comment: str | None = None
) -> tuple[State, State]:
    """The states before and after `action`, or the exception saying why it may not be taken."""
    check_visible(user, version)
    country_id = version.assessment.country_id
    before = State(version.state)
    try:
        after = transition(before, action, actor_for(user, version, country_id), comment)
    except InvalidTransition:
        raise _refusal(version, action) from None
    except NotAllowed as error:
        if error.four_eyes:
            raise FourEyes(
                "You contributed to this version, so another supervisor must review it."
            ) from None
        raise PermissionDenied(
            f"You may not {action.value.replace('_', ' ')} this version."
        ) from None
    except CommentRequired:
        raise ValidationError(
            "Say why in a comment.", {"comment": ["Write a comment: it is required here."]}
        ) from None
    return before, after


def length_problems(content: VersionContent) -> dict[str, list[str]]:
    """Texts longer than their columns: refused with a message rather than by the database."""
    errors: dict[str, list[str]] = {}

    def measure(key: str, name: str, value: str) -> None:
        limit = _MAX_LENGTHS[name]
        if len(value or "") > limit:
            errors.setdefault(key, []).append(f"Use at most {limit} characters.")

    for name in ("analysis", "analysis_language", "analysis_source_title"):
        measure(name, name, getattr(content, name))
    for index, citation in enumerate(content.citations):
        for name in ("instrument_title", "provision", "url", "language"):
            measure(f"citations-{index}-{name}", name, getattr(citation, name))
    for index, source in enumerate(content.sources):
        for name in ("title", "publisher", "url"):
            measure(f"sources-{index}-{name}", name, getattr(source, name))
    return errors
