"""The reviewer's editor: one version's content, its row operations, save, submit, discard.

Every button works without JavaScript: row operations and Preview post the whole form to `edit`,
which changes nothing stored and renders the form back with what was typed."""

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from ..admin.common import allows_upload
from ..auth.expiry import returns_to, session_times
from ..diffing import Chunk, word_diff
from ..models import AuditEvent, User
from ..presentation import source_download_name
from ..public.files import attachment
from ..queries.staff import VersionPage, version_or_404, version_page
from ..rendering import render_markdown
from ..services import assessments, suggestions, uploads
from ..services.content import VersionContent, content_of, problems
from ..services.errors import ServiceError, ValidationError
from ..workflow import EDITABLE_STATES, State
from .blueprint import bp
from .diffs import round_diffs
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
from .kept import editor_path, kept_form
from .labels import state_label
from .responses import status_for
from .review import render_review
from .source_files import form_memory_limit, request_limit, with_uploads

# The editor posts files with its text (multipart): a larger body than the app-wide limit.
takes_files = allows_upload(request_limit, form_memory_limit)


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
    context.setdefault("comment_form", CommentForm())
    context.setdefault("suggestions", suggestions.for_version(page.version.id))
    summary = attach_errors(form, errors) if errors else []
    return (
        render_template(
            "staff/editor.html",
            page=page,
            version=page.version,
            form=form,
            summary=summary,
            round_diffs=round_diffs(page.rounds, page.first_round_base),
            **context,
        ),
        status,
    )


def _render_restored(page: VersionPage, posted_to: str, fields: MultiDict):
    """The editor filled with the text a session posted as it ended; nothing is stored yet."""
    if posted_to == "comment":
        data = formdata_of(content_of(page.version), page.instruments, page.version.row_version)
        form = build_form(data, page.instruments)
        return render_editor(page, form, comment_form=CommentForm(formdata=fields), restored=True)
    data, _focus = reshape(fields)
    form = build_form(data, page.instruments)
    message = None
    if not can_edit(page):
        message = _(
            "This version can no longer be edited (it is %(state)s). Your text is kept below: "
            "copy what you need.",
            state=state_label(page.version.state).lower(),
        )
    return render_editor(page, form, unsaved=True, restored=True, message=message)


@bp.get("/versions/<int:version_id>")
@login_required
def version(version_id: int):
    page = version_page(current_user, version_or_404(current_user, version_id))
    kept = kept_form(version_id)
    if request.args.get("view") == "review":
        return render_review(page, kept=kept)
    if kept is not None and (can_edit(page) or kept[0] in ("save", "submit", "edit")):
        return _render_restored(page, *kept)
    if not can_edit(page):
        return render_review(page, kept=kept)
    data = formdata_of(content_of(page.version), page.instruments, page.version.row_version)
    return render_editor(page, build_form(data, page.instruments))


@bp.get("/versions/<int:version_id>/files/<stored_name>")
@login_required
def source_file(version_id: int, stored_name: str):
    """A file attached to one of the version's sources, for those who may read the version:
    the supervisor reads it before approving (the public gets it once published)."""
    version = version_or_404(current_user, version_id)
    source = next((s for s in version.sources if s.file_stored_name == stored_name), None)
    opened = uploads.open_stored(stored_name) if source else None
    if source is None or opened is None:
        abort(404)
    response = attachment(opened, source_download_name(source), source.file_sha256 or "", 0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/versions/<int:version_id>/edit")
@takes_files
@login_required
@returns_to(editor_path)
def edit(version_id: int):
    """Add, remove or move a row, or preview the analysis: nothing is stored but the files
    uploaded, which the form then carries (not attached until it is saved)."""
    page = _fresh_page(version_id)
    if not page.actor.is_editor:
        return render_review(page, status=403, message=_("You cannot edit this version."))
    op = parse_op(request.form.get("op"))
    posted, upload_errors = with_uploads(request.form, request.files)
    data, focus = reshape(posted, op)
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
    elif request.form.get("op") == "keep-alive":  # "Stay signed in" without JavaScript
        flash(
            _(
                "You stay signed in until %(time)s. Your text is as you left it, not saved yet.",
                time=session_times()["ends_at"],
            ),
            "success",
        )
    return render_editor(
        page,
        form,
        preview=preview,
        focus=focus,
        unsaved=True,
        message=message,
        errors=_unplaced(upload_errors) if op and op.kind != "preview" else upload_errors,
    )


def _unplaced(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Messages for the summary alone: after a row moved, their field names point elsewhere."""
    return {"": [message for messages in errors.values() for message in messages]} if errors else {}


def _posted_form(page: VersionPage) -> tuple[VersionForm, VersionContent, int, dict]:
    posted, upload_errors = with_uploads(request.form, request.files)
    # Blank rows stay while a file is refused: its message names the row it was chosen in.
    data, _focus = reshape(posted, drop_blank=not upload_errors)
    form = build_form(data, page.instruments)
    content, row_version, errors = content_of_form(form, page.instruments)
    for key, messages in upload_errors.items():
        errors.setdefault(key, []).extend(messages)
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
    # The files the form names are vouched for by their signed tokens (`source_files.py`).
    uploaded = frozenset(s.file_stored_name for s in content.sources if s.file_stored_name)
    try:
        store(current_user, version_id, content, row_version, uploaded)
    except ServiceError as error:
        return _refused(version_id, form, content, error)
    return None


@bp.post("/versions/<int:version_id>/save")
@takes_files
@login_required
@returns_to(editor_path)
def save(version_id: int):
    refused = _store_posted(version_id, assessments.save)
    if refused is not None:
        return refused
    flash(_("Draft saved. It is not public and nobody reviews it until you submit it."), "success")
    return redirect(url_for("staff.version", version_id=version_id))


@bp.post("/versions/<int:version_id>/submit")
@takes_files
@login_required
@returns_to(editor_path)
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
