"""What every admin view shares: sign-in, exception mapping, no caching of account pages, and
the review-engine actions posted from an item's page."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from types import ModuleType

from flask import abort, flash, redirect, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from ..extensions import csrf
from ..services.errors import NotFound, PermissionDenied, ServiceError, ValidationError
from ..workflow import DECISIONS, Action
from .blueprint import account_bp, bp
from .forms import CommentForm, RejectForm


@bp.before_request
def require_login():
    if not current_user.is_authenticated:
        from ..extensions import login_manager

        return login_manager.unauthorized()
    return None


@bp.after_request
@account_bp.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def apply_errors(form, error: ValidationError, fallback: str | None = None) -> None:
    """Put a service's field errors on the form's fields; others become a flash."""
    placed = False
    for name, messages in error.errors.items():
        field = getattr(form, name, None) or (getattr(form, fallback, None) if fallback else None)
        if field is not None:
            field.errors = [*field.errors, *messages]
            placed = True
    if not placed:
        flash(str(error), "error")


@contextmanager
def refusals(back: str, form: bool = False) -> Iterator[None]:
    """Map a refused use case: 404, 403, or a flash (for a conflict) and a redirect back.

    With `form`, a `ValidationError` passes through for the view to show on its form."""
    try:
        yield
    except HTTPException:
        raise
    except NotFound:
        abort(404)
    except PermissionDenied:
        abort(403)
    except ServiceError as error:
        if form and isinstance(error, ValidationError):
            raise
        flash(str(error), "error")
        abort(redirect(back, 303))


def decide(
    service: ModuleType, item_id: int, action: str, back: str, page: Callable, approved: str
):
    """Carry out a review-engine action posted from an item's page (`service` is the item kind's
    module of use cases). A reject first shows `page` again asking for confirmation; `approved`
    is what an approval flashes."""
    form = RejectForm() if action == "reject" else CommentForm()
    if not form.validate_on_submit():
        flash(_("The comment is too long."), "error")
        return redirect(back, 303)
    if action == "reject" and request.form.get("confirmed") != "yes":
        with refusals(back):  # asked only when rejecting would be done
            service.check(current_user, item_id, Action.REJECT, form.comment.data)
        return page(item_id, reject_form=form, confirm_reject=True)
    perform = getattr(service, action)
    with refusals(back):
        if Action(action) in DECISIONS:
            perform(current_user, item_id, form.comment.data or None)
        else:
            perform(current_user, item_id)
    messages = {
        "submit": _("Submitted for review."),
        "withdraw": _("Withdrawn: it is a draft again."),
        "discard": _("Discarded."),
        "approve": approved,
        "request_changes": _("Returned to the author with your comment."),
        "reject": _("Rejected."),
    }
    flash(messages[action], "success")
    return redirect(back, 303)


def allows_upload(limit: Callable[[], int], form_memory: Callable[[], int] | None = None):
    """Raise this view's request size limit before the CSRF check reads the body.

    The app-wide limit stays small; only views that take files accept more."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            return view(*args, **kwargs)

        # `security.apply_view_size_limits` raises the limit, then checks the CSRF token.
        wrapped.upload_limit = limit
        wrapped.form_memory_limit = form_memory or (lambda: 512 * 1024)
        return csrf.exempt(wrapped)

    return decorate
