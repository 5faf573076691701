"""How workflow states read on staff pages: always a word beside the icon, never colour alone."""

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from ..workflow import State

STATE_LABELS = {
    State.DRAFT: _l("Draft"),
    State.SUBMITTED: _l("Awaiting review"),
    State.CHANGES_REQUESTED: _l("Changes requested"),
    State.PUBLISHED: _l("Published"),
    State.REJECTED: _l("Rejected"),
    State.DISCARDED: _l("Discarded"),
    State.RETRACTED: _l("Withdrawn from public"),
    State.SUPERSEDED: _l("Superseded"),
}
STATE_ICONS = {
    State.DRAFT: "✎",
    State.SUBMITTED: "➜",
    State.CHANGES_REQUESTED: "↩",
    State.PUBLISHED: "✓",
    State.REJECTED: "✗",
    State.DISCARDED: "⊘",
    State.RETRACTED: "⊖",
    State.SUPERSEDED: "↧",
}
ROLE_LABELS = {
    "reviewer": _l("Reviewer"),
    "supervisor": _l("Supervisor"),
    "admin": _l("Administrator"),
    "translator": _l("Translator"),
}
# What each workflow event reads as in a version's thread.
EVENT_LABELS = {
    "start": _l("started the draft"),
    "submit": _l("submitted it for review"),
    "withdraw": _l("withdrew it from review"),
    "approve": _l("approved and published it"),
    "request_changes": _l("requested changes"),
    "reject": _l("rejected it"),
    "discard": _l("discarded it"),
    "retract": _l("withdrew it from the public profile"),
    "rebase": _l("brought it up to date with the published version"),
}


OPERATION_LABELS = {"add": _l("Add"), "edit": _l("Edit"), "remove": _l("Remove")}


def change_label(change) -> str:
    """A proposed profile change as a queue lists it: "Add member organisation “ECPAT”"."""
    from ..messages import PROFILE_KINDS
    from ..services.notifications import profile_label

    return gettext(
        "%(operation)s %(kind)s “%(label)s”",
        operation=OPERATION_LABELS[change.operation],
        kind=PROFILE_KINDS[change.kind],
        label=profile_label(change),
    )


def state_label(state: str) -> str:
    return str(STATE_LABELS[State(state)])


def state_icon(state: str) -> str:
    return STATE_ICONS[State(state)]


def event_label(action: str) -> str:
    return str(EVENT_LABELS.get(action, action))


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))
