"""Every refusal a use case can give, each defined once with the message its user reads.

Views show `str(error)` and map the type to a status (`NotFound` 404, `PermissionDenied` 403,
`Conflict` 409, `ValidationError` 422); nothing words a refusal a second time. Messages are
translated when the exception is raised, in the request's language. Refusals of the review
workflow name the item: `kind` is the `review_kind` of the model ("version", "profile_change")."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import format_datetime, gettext
from flask_babel import lazy_gettext as _l

from ..workflow import DECISIONS, Action, State

if TYPE_CHECKING:
    from flask_babel import LazyString

    from ..models import Version
    from .content import VersionContent


class ServiceError(Exception):
    """A use case refused; the message is meant for the user."""


class NotFound(ServiceError):
    pass


class PermissionDenied(ServiceError):
    pass


class ValidationError(ServiceError):
    """Bad input. `errors` maps a field name to its messages."""

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or {}


class Conflict(ServiceError):
    """The request is based on an outdated state of the data."""


# --- the review workflow ---------------------------------------------------------------------

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


class ItemNotFound(NotFound):
    """No such item, or one of a country the user does not work on: both read as absent."""

    def __init__(self, kind: str) -> None:
        if kind == "version":
            super().__init__(gettext("No such version."))
        elif kind == "indicator_revision":
            super().__init__(gettext("No such revision of the framework."))
        elif kind == "reply":
            super().__init__(gettext("No such reply."))
        else:
            super().__init__(gettext("No such profile change."))


class NotPermitted(PermissionDenied):
    """The action applies to the item, but not by this user."""

    def __init__(self, kind: str, action: Action) -> None:
        self.action = action
        if kind == "version":
            if action == Action.START:
                message = gettext("You are not a reviewer for this country.")
            else:
                message = gettext("You may not %(action)s this version.", action=_VERBS[action])
        elif action == Action.START and kind == "indicator_revision":
            message = gettext("You cannot propose changes to the indicator framework.")
        elif action == Action.START and kind == "reply":
            message = gettext("You cannot enter replies for this country.")
        elif action == Action.START:
            message = gettext("You cannot edit this country's profile.")
        else:
            message = gettext("You may not %(action)s this change.", action=_VERBS[action])
        super().__init__(message)


class FourEyes(PermissionDenied):
    """A contributor tried to decide on their own item."""

    def __init__(self, kind: str) -> None:
        if kind == "version":
            message = gettext(
                "You contributed to this version, so you cannot decide on it: "
                "another supervisor must review it."
            )
        else:
            message = gettext(
                "You contributed to this change, so you cannot decide on it: "
                "another supervisor must review it."
            )
        super().__init__(message)


class CommentRequired(ValidationError):
    """A decision or a retraction needs a comment that says why."""

    def __init__(self, action: Action) -> None:
        if action in DECISIONS:
            message = gettext(
                "This decision needs a comment: tell the author what to change or why."
            )
        else:
            message = gettext("Say why in a comment.")
        super().__init__(message, {"comment": [gettext("Write a comment: it is required here.")]})


class AlreadyDecided(Conflict):
    """Someone else decided first (or the decision came twice): who decided, and how."""

    def __init__(self, kind: str, state: State, decider: str | None) -> None:
        self.state = state
        self.decider = decider or gettext("someone")
        name = self.decider
        messages: dict[State, LazyString]
        if kind == "version":
            messages = {
                State.PUBLISHED: _l("This version was already approved by %(name)s."),
                State.SUPERSEDED: _l("This version was already approved by %(name)s."),
                State.RETRACTED: _l("This version was already approved by %(name)s."),
                State.REJECTED: _l("This version was already rejected by %(name)s."),
                State.CHANGES_REQUESTED: _l(
                    "Changes were already requested on this version by %(name)s."
                ),
            }
            fallback = _l("This version was already decided by %(name)s.")
        else:
            messages = {
                State.PUBLISHED: _l("This was already published by %(name)s."),
                State.SUPERSEDED: _l("This was already published by %(name)s."),
                State.REJECTED: _l("This was already rejected by %(name)s."),
                State.DISCARDED: _l("This was already discarded by %(name)s."),
            }
            fallback = _l("This was already decided by %(name)s.")
        super().__init__(str(messages.get(state, fallback)) % {"name": name})


class NotNow(Conflict):
    """The action does not apply to the item in its present state."""

    def __init__(self, kind: str, state: State, action: Action) -> None:
        self.state, self.action = state, action
        version = kind == "version"
        if action in DECISIONS and state == State.DRAFT:
            message = (
                gettext("This version was withdrawn by its author; it is not waiting for review.")
                if version
                else gettext(
                    "This change was withdrawn by its author; it is not waiting for review."
                )
            )
        elif action == Action.SAVE and state == State.SUBMITTED:
            message = (
                gettext("This version is submitted for review; withdraw it to edit it again.")
                if version
                else gettext("This change is submitted for review; withdraw it to edit it again.")
            )
        else:
            words = {"state": _STATE_WORDS[state], "action": _PARTICIPLES[action]}
            message = (
                gettext("This version is %(state)s: it cannot be %(action)s now.", **words)
                if version
                else gettext("This change is %(state)s: it cannot be %(action)s now.", **words)
            )
        super().__init__(message)


class DraftExists(Conflict):
    """Another open version holds this assessment: who holds it, and since when."""

    def __init__(self, version: Version) -> None:
        self.holder: str = version.created_by.display_name
        self.since: datetime = version.created_at
        self.version_id = version.id
        super().__init__(
            gettext(
                "%(name)s already holds an open version of this assessment, since %(since)s.",
                name=self.holder,
                since=format_datetime(self.since, "medium"),
            )
        )


class StaleForm(Conflict):
    """The form was based on an older save; `current` is what is stored now."""

    def __init__(self, current: Version, submitted: VersionContent) -> None:
        super().__init__(
            gettext(
                "Someone saved this version after you opened it. Nothing of yours was saved: "
                "your text is still in the form below."
            )
        )
        self.current = current
        self.submitted = submitted


class StaleBase(Conflict):
    """A newer version was published (or the published one retracted) after this draft started."""

    def __init__(self) -> None:
        super().__init__(
            gettext(
                "The published version changed after this draft was started, so it cannot be "
                "approved as it is. The draft must be brought up to date first."
            )
        )
