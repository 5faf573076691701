"""Whether an action may be taken on a version now, and the exception that says why not.

The pure table (`workflow.py`) answers for a state and a kind of actor; these checks add what
needs the rows: the country scope, the four-eyes rule in words, and who decided first."""

from flask_babel import format_datetime, gettext
from flask_babel import lazy_gettext as _l

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
        super().__init__(
            gettext(
                "%(holder)s already holds an open version of this assessment since %(since)s.",
                holder=self.holder,
                since=format_datetime(self.since, "short"),
            )
        )


class StaleForm(Conflict):
    """The form was based on an older save; `current` is what is stored now."""

    def __init__(self, current: Version, submitted: VersionContent) -> None:
        super().__init__(gettext("Someone saved this version after you opened it."))
        self.current = current
        self.submitted = submitted


class StaleBase(Conflict):
    """A newer version was published (or the published one retracted) after this draft started."""


class AlreadyDecided(Conflict):
    """Someone else decided first; `state` and `decider` say what happened."""

    def __init__(self, state: State, decider: str | None) -> None:
        self.state = state
        self.decider = decider or gettext("someone")
        if state in (State.PUBLISHED, State.SUPERSEDED):
            message = gettext("This version was already approved by %(name)s.", name=self.decider)
        elif state == State.REJECTED:
            message = gettext("This version was already rejected by %(name)s.", name=self.decider)
        elif state == State.CHANGES_REQUESTED:
            message = gettext(
                "This version was already returned for changes by %(name)s.", name=self.decider
            )
        else:
            message = gettext("This version was already decided by %(name)s.", name=self.decider)
        super().__init__(message)


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
    Action.START: _l("started"),
    Action.SAVE: _l("saved"),
    Action.SUBMIT: _l("submitted"),
    Action.WITHDRAW: _l("withdrawn"),
    Action.APPROVE: _l("approved"),
    Action.REQUEST_CHANGES: _l("returned for changes"),
    Action.REJECT: _l("rejected"),
    Action.DISCARD: _l("discarded"),
    Action.RETRACT: _l("retracted"),
    Action.SUPERSEDE: _l("superseded"),
}
_VERBS = {
    Action.START: _l("start"),
    Action.SAVE: _l("save"),
    Action.SUBMIT: _l("submit"),
    Action.WITHDRAW: _l("withdraw"),
    Action.APPROVE: _l("approve"),
    Action.REQUEST_CHANGES: _l("request changes on"),
    Action.REJECT: _l("reject"),
    Action.DISCARD: _l("discard"),
    Action.RETRACT: _l("retract"),
    Action.SUPERSEDE: _l("supersede"),
}
_STATE_WORDS = {
    State.DRAFT: _l("a draft"),
    State.SUBMITTED: _l("submitted"),
    State.CHANGES_REQUESTED: _l("returned for changes"),
    State.PUBLISHED: _l("published"),
    State.REJECTED: _l("rejected"),
    State.DISCARDED: _l("discarded"),
    State.RETRACTED: _l("retracted"),
    State.SUPERSEDED: _l("superseded"),
}


def check_visible(user: User, version: Version) -> None:
    """Another country's versions do not exist for this user: 404, not 403."""
    if not can_read_staff(user, version.assessment.country_id):
        raise NotFound(gettext("No such version."))


def _refusal(version: Version, action: Action) -> Conflict:
    """Why an action no longer applies to this version, in the words a user needs."""
    state = State(version.state)
    if action in DECISIONS and state != State.SUBMITTED and version.decided_by is not None:
        return AlreadyDecided(state, version.decided_by.display_name)
    if action in DECISIONS and state == State.DRAFT:
        return Conflict(
            gettext("This version was withdrawn by its author; it is not waiting for review.")
        )
    if action == Action.SAVE and state == State.SUBMITTED:
        return Conflict(
            gettext("This version is submitted for review; withdraw it to edit it again.")
        )
    return Conflict(
        gettext(
            "This version is %(state)s: it cannot be %(action)s now.",
            state=_STATE_WORDS[state],
            action=_PARTICIPLES.get(action, action.value),
        )
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
                gettext("You contributed to this version, so another supervisor must review it.")
            ) from None
        raise PermissionDenied(
            gettext("You may not %(action)s this version.", action=_VERBS[action])
        ) from None
    except CommentRequired:
        raise ValidationError(
            gettext("Say why in a comment."),
            {"comment": [gettext("Write a comment: it is required here.")]},
        ) from None
    return before, after


def length_problems(content: VersionContent) -> dict[str, list[str]]:
    """Texts longer than their columns: refused with a message rather than by the database."""
    errors: dict[str, list[str]] = {}

    def measure(key: str, name: str, value: str) -> None:
        limit = _MAX_LENGTHS[name]
        if len(value or "") > limit:
            errors.setdefault(key, []).append(
                gettext("Use at most %(limit)s characters.", limit=limit)
            )

    for name in ("analysis", "analysis_language", "analysis_source_title"):
        measure(name, name, getattr(content, name))
    for index, citation in enumerate(content.citations):
        for name in ("instrument_title", "provision", "url", "language"):
            measure(f"citations-{index}-{name}", name, getattr(citation, name))
    for index, source in enumerate(content.sources):
        for name in ("title", "publisher", "url"):
            measure(f"sources-{index}-{name}", name, getattr(source, name))
    return errors
