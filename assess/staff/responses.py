"""From a service's refusal to what the user reads and the status code a page answers with."""

from flask import abort, render_template
from flask_babel import format_datetime
from flask_babel import gettext as _

from ..services.assessments import AlreadyDecided, DraftExists, FourEyes, StaleBase, StaleForm
from ..services.errors import Conflict, NotFound, PermissionDenied, ServiceError, ValidationError
from ..workflow import State


def status_for(error: ServiceError) -> int:
    if isinstance(error, NotFound):
        abort(404)
    if isinstance(error, PermissionDenied):
        return 403
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, ValidationError):
        return 422
    return 400


def message_for(error: ServiceError) -> str:
    """The refusal in the reader's language where we know its shape, else the service's words."""
    if isinstance(error, AlreadyDecided):
        name = error.decider
        if error.state in (State.PUBLISHED, State.SUPERSEDED, State.RETRACTED):
            return _("This version was already approved by %(name)s.", name=name)
        if error.state == State.REJECTED:
            return _("This version was already rejected by %(name)s.", name=name)
        if error.state == State.CHANGES_REQUESTED:
            return _("Changes were already requested on this version by %(name)s.", name=name)
    if isinstance(error, DraftExists):
        return _(
            "%(name)s already holds an open version of this assessment, since %(since)s.",
            name=error.holder,
            since=format_datetime(error.since, "medium"),
        )
    if isinstance(error, FourEyes):
        return _(
            "You contributed to this version, so you cannot decide on it: "
            "another supervisor must review it."
        )
    if isinstance(error, StaleForm):
        return _(
            "Someone saved this version after you opened it. Nothing of yours was saved: "
            "your text is still in the form below."
        )
    if isinstance(error, StaleBase):
        return _(
            "The published version changed after this draft was started, so it cannot be "
            "approved as it is. The draft must be brought up to date first."
        )
    return str(error)


def error_page(error: ServiceError):
    """A refusal with nothing to re-render (e.g. a hand-made POST): the message and its status."""
    code = status_for(error)
    titles = {403: _("Not allowed"), 409: _("Conflict"), 422: _("Check what you sent")}
    return (
        render_template(
            "error.html",
            code=code,
            title=titles.get(code, _("Bad request")),
            message=message_for(error),
        ),
        code,
    )
