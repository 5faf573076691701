"""The reviewer's editor: one version's content, its row operations, save, submit, discard.

Every button works without JavaScript: row operations and Preview post the whole form to `edit`,
which changes nothing stored and renders the form back with what was typed."""

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..diffing import Chunk, word_diff
from ..models import AuditEvent, User
from ..queries.staff import VersionPage, version_or_404, version_page
from ..rendering import render_markdown
from ..services import assessments
from ..services.content import VersionContent, content_of, problems
from ..services.errors import ServiceError, ValidationError
from ..workflow import EDITABLE_STATES, State
from .blueprint import bp
from .forms import (
    CommentForm,
    VersionForm,
    attach_errors,
    build_form,
    content_of_form,
    formdata_of,
    parse_op,
    reshape,
)
from .labels import state_label
from .responses import status_for
from .review import render_review


@dataclass
class StaleNotice:
    """Shown after a 409: what is stored now, who stored it, and what the user typed."""

    stored: VersionContent
    theirs: VersionContent
    saved_by: User | None
    saved_at: object

    @property
    def analysis_diff(self) -> list[Chunk]:
        return word_diff(self.stored.analysis, self.theirs.analysis)


def can_edit(page: VersionPage) -> bool:
    return page.actor.is_editor and State(page.version.state) in EDITABLE_STATES


def _fresh_page(version_id: int) -> VersionPage:
    return version_page(current_user, version_or_404(current_user, version_id))


def render_editor(page: VersionPage, form: VersionForm, status: int = 200, **context):
    errors = context.pop("errors", None) or {}
    context.setdefault("preview", None)
    context.setdefault("focus", None)
    summary = attach_errors(form, errors) if errors else []
    return (
        render_template(
            "staff/editor.html",
            page=page,
            version=page.version,
            form=form,
            summary=summary,
            comment_form=CommentForm(),
            **context,
        ),
        status,
    )


@bp.get("/versions/<int:version_id>")
@login_required
def version(version_id: int):
    page = version_page(current_user, version_or_404(current_user, version_id))
    if request.args.get("view") == "review" or not can_edit(page):
        return render_review(page)
    data = formdata_of(content_of(page.version), page.instruments, page.version.row_version)
    return render_editor(page, build_form(data, page.instruments))


@bp.post("/versions/<int:version_id>/edit")
@login_required
def edit(version_id: int):
    """Add, remove or move a row, or preview the analysis: nothing is stored."""
    page = _fresh_page(version_id)
    if not page.actor.is_editor:
        return render_review(page, status=403, message=_("You cannot edit this version."))
    op = parse_op(request.form.get("op"))
    data, focus = reshape(request.form, op)
    form = build_form(data, page.instruments)
    preview = None
    if op is not None and op.kind == "preview":
        preview = render_markdown(form.analysis.data or "")
        focus = "analysis-preview"
    message = None
    if not can_edit(page):
        message = _(
            "This version can no longer be edited (it is %(state)s). Your text is kept below: "
            "copy what you need.",
            state=state_label(page.version.state).lower(),
        )
    return render_editor(page, form, preview=preview, focus=focus, unsaved=True, message=message)


def _posted_form(page: VersionPage) -> tuple[VersionForm, VersionContent, int, dict]:
    data, _focus = reshape(request.form, drop_blank=True)
    form = build_form(data, page.instruments)
    content, row_version, errors = content_of_form(form, page.instruments)
    if errors:
        for key, messages in problems(content, for_submission=False).items():
            errors.setdefault(key, []).extend(messages)
    return form, content, row_version, errors


def _refused(version_id: int, form: VersionForm, content: VersionContent, error: ServiceError):
    """Render the editor again after a refused save: the user's text stays in the form."""
    page = _fresh_page(version_id)
    context: dict = {}
    if not isinstance(error, ValidationError | assessments.StaleForm):  # their panels say it
        context["message"] = str(error)
    if isinstance(error, assessments.StaleForm):
        form.row_version.data = str(page.version.row_version)
        last = page.last_save
        context["stale"] = StaleNotice(
            stored=content_of(page.version),
            theirs=content,
            saved_by=last.actor if isinstance(last, AuditEvent) else None,
            saved_at=last.at if last else page.version.updated_at,
        )
    errors = getattr(error, "errors", None)
    return render_editor(page, form, status_for(error), errors=errors, unsaved=True, **context)


def _store_posted(version_id: int, store):
    """Check the posted editor form and hand it to `store`; None, or the refusal's response."""
    page = _fresh_page(version_id)
    form, content, row_version, errors = _posted_form(page)
    if errors:
        return render_editor(page, form, 422, errors=errors, unsaved=True)
    try:
        store(current_user, version_id, content, row_version)
    except ServiceError as error:
        return _refused(version_id, form, content, error)
    return None


@bp.post("/versions/<int:version_id>/save")
@login_required
def save(version_id: int):
    refused = _store_posted(version_id, assessments.save)
    if refused is not None:
        return refused
    flash(_("Draft saved. It is not public and nobody reviews it until you submit it."), "success")
    return redirect(url_for("staff.version", version_id=version_id))


@bp.post("/versions/<int:version_id>/submit")
@login_required
def submit(version_id: int):
    """From the editor, save what was typed and submit it; from elsewhere, submit as stored."""
    version_or_404(current_user, version_id)
    if "status" in request.form:
        refused = _store_posted(version_id, assessments.save_and_submit)
        if refused is not None:
            return refused
    else:
        field = request.form.get("row_version", "")
        try:
            assessments.submit(current_user, version_id, int(field) if field.isdigit() else None)
        except ServiceError as error:
            return _refused_submission(version_id, error)
    flash(_("Submitted for review. A supervisor who did not work on it will decide."), "success")
    return redirect(url_for("staff.version", version_id=version_id))


def _refused_submission(version_id: int, error: ServiceError):
    """A submission of the stored content refused: the editor with what is missing, if the
    version can still be edited, else the review screen."""
    page = _fresh_page(version_id)
    if not can_edit(page):
        return render_review(page, status=status_for(error), message=str(error))
    data = formdata_of(content_of(page.version), page.instruments, page.version.row_version)
    form = build_form(data, page.instruments)
    errors = getattr(error, "errors", None)
    return render_editor(
        page, form, status_for(error), errors=errors, message=str(error), saved=True
    )


def _simple_action(version_id: int, action, done: str):
    version_or_404(current_user, version_id)
    try:
        action(current_user, version_id)
    except ServiceError as error:
        return render_review(_fresh_page(version_id), status=status_for(error), message=str(error))
    flash(done, "success")
    return None


@bp.post("/versions/<int:version_id>/withdraw")
@login_required
def withdraw(version_id: int):
    refused = _simple_action(
        version_id, assessments.withdraw, _("Withdrawn from review: it is a draft again.")
    )
    return refused or redirect(url_for("staff.version", version_id=version_id))


@bp.post("/versions/<int:version_id>/discard")
@login_required
def discard(version_id: int):
    version = version_or_404(current_user, version_id)
    iso2 = version.assessment.country.iso2.lower()
    refused = _simple_action(version_id, assessments.discard, _("Draft discarded."))
    return refused or redirect(url_for("staff.country", iso2=iso2))


@bp.post("/versions/<int:version_id>/rebase")
@login_required
def rebase(version_id: int):
    refused = _simple_action(
        version_id,
        assessments.rebase,
        _("The draft is now based on the current published version. Check it before submitting."),
    )
    return refused or redirect(url_for("staff.version", version_id=version_id))
