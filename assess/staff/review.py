"""The supervisor's review screen: what changed (since the last round, or against the published
version), the thread with each round's changes, and the decisions (approve and publish, request
changes, reject after confirming), plus retraction of a published one."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from ..auth.expiry import returns_to
from ..queries.staff import VersionPage, version_or_404, version_page
from ..services import assessments, comments, links, rounds, suggestions
from ..services.content import content_of
from ..services.errors import ServiceError
from ..workflow import Action, State, available_actions
from .blueprint import bp
from .diffs import content_diff, round_diffs
from .forms import CommentForm, DecisionForm, RejectForm, RetractForm
from .kept import comment_path, review_path
from .responses import status_for

COMPARISONS = ("round", "published")
# The form each kept POST (by the last part of its address) fills on this screen.
KEPT_FORMS = {
    "approve": ("decision_form", DecisionForm),
    "request-changes": ("decision_form", DecisionForm),
    "reject": ("reject_form", RejectForm),
    "retract": ("retract_form", RetractForm),
    "comment": ("comment_form", CommentForm),
}
FORMS: dict[str, type[DecisionForm | RejectForm | RetractForm | CommentForm]] = {
    "decision_form": DecisionForm,
    "reject_form": RejectForm,
    "retract_form": RetractForm,
    "comment_form": CommentForm,
}


def _comparison(page: VersionPage):
    """Which diff the screen shows: since the last round when changes were requested on this
    open version before (what the supervisor asked for), else against the published version;
    `?compare=` chooses."""
    version = page.version
    last = rounds.last_returned(page.rounds) if page.open else None
    chosen = request.args.get("compare")
    if chosen not in COMPARISONS or (chosen == "round" and last is None):
        chosen = "round" if last is not None else "published"
    if chosen == "round" and last is not None:
        return chosen, last, content_diff(rounds.content_from(last.content), content_of(version))
    published = content_of(page.published) if page.published else None
    return chosen, last, content_diff(published, content_of(version))


def render_review(
    page: VersionPage,
    status: int = 200,
    message: str | None = None,
    kept: tuple[str, MultiDict] | None = None,
    **context,
):
    """The review screen; `kept` a form kept across an expired session, shown filled again."""
    version = page.version
    comparison, last_round, diff = _comparison(page)
    if kept is not None and kept[0] in KEPT_FORMS:
        name, form_class = KEPT_FORMS[kept[0]]
        context[name] = form_class(formdata=kept[1])
        context["restored"] = True
    context.setdefault("suggestions", suggestions.for_version(version.id))
    for name, form_class in FORMS.items():
        context.setdefault(name, None)
        context[name] = context[name] or form_class(formdata=None)
    return (
        render_template(
            "staff/review.html",
            page=page,
            version=version,
            diff=diff,
            comparison=comparison,
            last_round=last_round,
            round_diffs=round_diffs(page.rounds, page.first_round_base),
            show_full=request.args.get("show") == "full",
            actions=set(available_actions(State(version.state), page.actor)),
            Action=Action,
            message=message,
            checked_links=_checked_links(version) if page.open else [],
            **context,
        ),
        status,
    )


def _checked_links(version) -> list:
    """(url, its last check or None) for each link of the version: seen before approving."""
    urls = links.urls_of(version)
    checks = links.checks_for(urls)
    return [(url, checks.get(url)) for url in urls]


def _refused(version_id: int, error: ServiceError, form_name: str, form, field: str):
    """The review screen again after a refused decision, with what was typed kept."""
    getattr(form, field).errors = getattr(error, "errors", {}).get("comment", [])
    page = version_page(current_user, version_or_404(current_user, version_id))
    return render_review(page, status_for(error), str(error), **{form_name: form})


def _decide(version_id: int, decide, done: str, form_name: str = "decision_form"):
    """Run one decision; on refusal show the review screen again with the comment kept."""
    version_or_404(current_user, version_id)
    form = RejectForm() if form_name == "reject_form" else DecisionForm()
    try:
        decide(current_user, version_id, form.comment.data or "")
    except ServiceError as error:
        return _refused(version_id, error, form_name, form, "comment")
    flash(done, "success")
    return redirect(url_for("staff.version", version_id=version_id))


@bp.post("/versions/<int:version_id>/approve")
@login_required
@returns_to(review_path)
def approve(version_id: int):
    return _decide(
        version_id,
        assessments.approve,
        _("Approved and published. It is now on the public profile."),
    )


@bp.post("/versions/<int:version_id>/request-changes")
@login_required
@returns_to(review_path)
def request_changes(version_id: int):
    return _decide(
        version_id,
        assessments.request_changes,
        _("Changes requested. The version went back to its reviewer with your comment."),
    )


@bp.post("/versions/<int:version_id>/reject")
@login_required
@returns_to(review_path)
def reject(version_id: int):
    """Reject only once confirmed (`confirmed=yes`: the script's dialog, or the confirmation
    step this shows first when the refusal would not come anyway)."""
    if request.form.get("confirmed") == "yes":
        return _decide(
            version_id,
            assessments.reject,
            _("Rejected. The published version stays."),
            form_name="reject_form",
        )
    version_or_404(current_user, version_id)
    form = RejectForm()
    try:
        assessments.check(current_user, version_id, Action.REJECT, form.comment.data or "")
    except ServiceError as error:
        return _refused(version_id, error, "reject_form", form, "comment")
    page = version_page(current_user, version_or_404(current_user, version_id))
    return render_review(page, reject_form=form, confirm_reject=True)


@bp.post("/versions/<int:version_id>/retract")
@login_required
@returns_to(review_path)
def retract(version_id: int):
    version_or_404(current_user, version_id)
    form = RetractForm()
    try:
        assessments.retract(current_user, version_id, form.reason.data or "")
    except ServiceError as error:
        return _refused(version_id, error, "retract_form", form, "reason")
    flash(_("Withdrawn from the public profile, with your reason."), "success")
    return redirect(url_for("staff.version", version_id=version_id))


@bp.post("/versions/<int:version_id>/comment")
@login_required
@returns_to(comment_path)
def comment(version_id: int):
    version_or_404(current_user, version_id)
    form = CommentForm()
    try:
        comments.add(current_user, version_id, form.body.data or "")
    except ServiceError as error:
        form.body.errors = getattr(error, "errors", {}).get("body", [])
        page = version_page(current_user, version_or_404(current_user, version_id))
        return render_review(page, status_for(error), str(error), comment_form=form)
    flash(_("Comment added."), "success")
    back = url_for("staff.version", version_id=version_id, view=request.form.get("view") or None)
    return redirect(f"{back}#thread")
