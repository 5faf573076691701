"""The moderation queue of corrections readers suggested, one suggestion's page and its actions:
start a draft from it (one click), dismiss it with a reason, mark it done."""

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from ..models import SuggestionState
from ..queries import talkback as queries
from ..services import suggestions, uploads
from ..services.errors import NotFound, PermissionDenied, ServiceError, ValidationError
from ..services.permissions import is_editor
from .blueprint import bp
from .queues import page_number
from .responses import status_for

SUGGESTION_STATES = {
    SuggestionState.NEW.value: _l("New"),
    SuggestionState.IN_PROGRESS.value: _l("In progress"),
    SuggestionState.DONE.value: _l("Done"),
    SuggestionState.DISMISSED.value: _l("Dismissed"),
}
SUGGESTION_ICONS = {"new": "✉", "in_progress": "✎", "done": "✓", "dismissed": "⊘"}


class DismissForm(FlaskForm):
    reason = TextAreaField(_l("Why is it dismissed?"))


@bp.app_template_global()
def suggestion_state_label(state: str) -> str:
    return str(SUGGESTION_STATES.get(state, state))


@bp.app_template_global()
def suggestion_state_icon(state: str) -> str:
    return SUGGESTION_ICONS.get(state, "")


@bp.get("/suggestions")
@login_required
def suggestion_queue():
    state = request.args.get("state", SuggestionState.NEW.value)
    if state not in SUGGESTION_STATES:
        state = SuggestionState.NEW.value
    return render_template(
        "staff/suggestions.html",
        state=state,
        states=SUGGESTION_STATES,
        counts=queries.suggestion_counts(current_user),
        page=queries.suggestion_queue(current_user, state, page_number()),
    )


def _suggestion_or_404(suggestion_id: int):
    try:
        return suggestions.get(current_user, suggestion_id)
    except NotFound:
        abort(404)


def render_suggestion(suggestion_id: int, form: DismissForm | None = None, status: int = 200):
    suggestion = _suggestion_or_404(suggestion_id)
    return (
        render_template(
            "staff/suggestion.html",
            suggestion=suggestion,
            form=form or DismissForm(),
            can_draft=is_editor(current_user, suggestion.country_id),
            file_type=uploads.TYPES[suggestion.file_name.rsplit(".", 1)[1]].label
            if suggestion.file_name
            else None,
        ),
        status,
    )


@bp.get("/suggestions/<int:suggestion_id>")
@login_required
def suggestion(suggestion_id: int):
    return render_suggestion(suggestion_id)


@bp.get("/suggestions/<int:suggestion_id>/file")
@login_required
def suggestion_file(suggestion_id: int):
    """The reader's evidence, for the country's staff only; downloaded, never shown inline."""
    found = _suggestion_or_404(suggestion_id)
    opened = uploads.open_stored(found.file_name)
    if opened is None:
        abort(404)
    response = send_file(
        opened,
        mimetype=uploads.TYPES[found.file_name.rsplit(".", 1)[1]].content_type,
        as_attachment=True,
        download_name=f"{found.reference}.{found.file_name.rsplit('.', 1)[1]}",
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/suggestions/<int:suggestion_id>/draft")
@login_required
def suggestion_draft(suggestion_id: int):
    """One click: the assessment's draft (started, or the one already open), linked to it."""
    try:
        version = suggestions.start_draft(current_user, suggestion_id)
    except PermissionDenied as error:
        flash(str(error), "error")
        return render_suggestion(suggestion_id, status=403)
    except ServiceError as error:
        flash(str(error), "error")
        return render_suggestion(suggestion_id, status=status_for(error))
    flash(_("The draft is open with the suggestion beside it. Nothing is public until approved."))
    return redirect(url_for("staff.version", version_id=version.id), 303)


@bp.post("/suggestions/<int:suggestion_id>/dismiss")
@login_required
def suggestion_dismiss(suggestion_id: int):
    form = DismissForm()
    try:
        suggestions.dismiss(current_user, suggestion_id, form.reason.data or "")
    except ValidationError as error:
        form.reason.errors = list(error.errors.get("reason", [str(error)]))
        return render_suggestion(suggestion_id, form, 422)
    except ServiceError as error:
        flash(str(error), "error")
        return render_suggestion(suggestion_id, form, status_for(error))
    flash(_("The suggestion was dismissed."))
    return redirect(url_for("staff.suggestion_queue"), 303)


@bp.post("/suggestions/<int:suggestion_id>/done")
@login_required
def suggestion_done(suggestion_id: int):
    try:
        suggestions.mark_done(current_user, suggestion_id)
    except ServiceError as error:
        flash(str(error), "error")
        return render_suggestion(suggestion_id, status=status_for(error))
    flash(_("The suggestion is marked done."))
    return redirect(url_for("staff.suggestion_queue"), 303)
