"""The supervisor's review screen: what changed against the published version, the thread, and
the decisions (approve and publish, request changes, reject), plus retraction of a published one."""

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..diffing import Chunk, RowChange, row_diff, word_diff
from ..queries.staff import VersionPage, version_or_404, version_page
from ..services import assessments, comments
from ..services.content import VersionContent, content_of
from ..services.errors import ServiceError
from ..workflow import Action, State, available_actions
from .blueprint import bp
from .forms import CommentForm, DecisionForm, RetractForm
from .responses import status_for


@dataclass
class ContentDiff:
    """Field by field: the published content (`old`, maybe None) against this version's."""

    old: VersionContent | None
    new: VersionContent
    analysis: list[Chunk]
    citations: list[RowChange]
    sources: list[RowChange]

    @property
    def status_changed(self) -> bool:
        return self.old is None or self.old.status != self.new.status

    @property
    def source_changed(self) -> bool:
        before = (
            (self.old.analysis_source_title, self.old.analysis_source_year) if self.old else None
        )
        return before != (self.new.analysis_source_title, self.new.analysis_source_year)

    @property
    def unchanged(self) -> bool:
        return (
            not self.status_changed
            and not self.source_changed
            and all(chunk.op == "equal" for chunk in self.analysis)
            and all(change.op == "same" for change in self.citations + self.sources)
        )


def _keyed(rows: list[tuple], identity: int) -> list[tuple]:
    """Rows with a matching key appended: what identifies the row, and its occurrence.

    A citation is the same row when it cites the same instrument (the n-th time), so that a
    provision or URL added to it reads as a change rather than as one row removed and one added."""
    seen: dict[tuple, int] = {}
    keyed = []
    for row in rows:
        ident = row[:identity]
        keyed.append((*row, (*ident, seen.get(ident, 0))))
        seen[ident] = seen.get(ident, 0) + 1
    return keyed


def citation_diff_rows(content: VersionContent | None) -> list[tuple]:
    rows = [
        (c.instrument_title, c.year_adopted, c.provision, c.status_as_of, c.url, c.language)
        for c in (content.citations if content else [])
    ]
    return _keyed(rows, identity=2)


def source_diff_rows(content: VersionContent | None) -> list[tuple]:
    rows = [(s.title, s.publisher, s.year, s.url) for s in (content.sources if content else [])]
    return _keyed(rows, identity=1)


def content_diff(old: VersionContent | None, new: VersionContent) -> ContentDiff:
    def by_key(row: tuple):
        return row[-1]

    return ContentDiff(
        old=old,
        new=new,
        analysis=word_diff(old.analysis if old else "", new.analysis),
        citations=row_diff(citation_diff_rows(old), citation_diff_rows(new), key=by_key),
        sources=row_diff(source_diff_rows(old), source_diff_rows(new), key=by_key),
    )


def render_review(page: VersionPage, status: int = 200, message: str | None = None, **forms):
    version = page.version
    state = State(version.state)
    published = content_of(page.published) if page.published else None
    return (
        render_template(
            "staff/review.html",
            page=page,
            version=version,
            diff=content_diff(published, content_of(version)),
            show_full=request.args.get("show") == "full",
            actions=set(available_actions(state, page.actor)),
            Action=Action,
            message=message,
            decision_form=forms.get("decision_form") or DecisionForm(),
            retract_form=forms.get("retract_form") or RetractForm(),
            comment_form=forms.get("comment_form") or CommentForm(),
        ),
        status,
    )


def _decide(version_id: int, decide, done: str):
    """Run one decision; on refusal show the review screen again with the comment kept."""
    version_or_404(current_user, version_id)
    form = DecisionForm()
    comment = form.comment.data or ""
    try:
        decide(current_user, version_id, comment)
    except ServiceError as error:
        errors = getattr(error, "errors", {})
        form.comment.errors = errors.get("comment", [])
        page = version_page(current_user, version_or_404(current_user, version_id))
        return render_review(page, status_for(error), str(error), decision_form=form)
    flash(done, "success")
    return redirect(url_for("staff.version", version_id=version_id))


@bp.post("/versions/<int:version_id>/approve")
@login_required
def approve(version_id: int):
    return _decide(
        version_id,
        assessments.approve,
        _("Approved and published. It is now on the public profile."),
    )


@bp.post("/versions/<int:version_id>/request-changes")
@login_required
def request_changes(version_id: int):
    return _decide(
        version_id,
        assessments.request_changes,
        _("Changes requested. The version went back to its reviewer with your comment."),
    )


@bp.post("/versions/<int:version_id>/reject")
@login_required
def reject(version_id: int):
    return _decide(version_id, assessments.reject, _("Rejected. The published version stays."))


@bp.post("/versions/<int:version_id>/retract")
@login_required
def retract(version_id: int):
    version_or_404(current_user, version_id)
    form = RetractForm()
    try:
        assessments.retract(current_user, version_id, form.reason.data or "")
    except ServiceError as error:
        form.reason.errors = getattr(error, "errors", {}).get("comment", [])
        page = version_page(current_user, version_or_404(current_user, version_id))
        return render_review(page, status_for(error), str(error), retract_form=form)
    flash(_("Withdrawn from the public profile, with your reason."), "success")
    return redirect(url_for("staff.version", version_id=version_id))


@bp.post("/versions/<int:version_id>/comment")
@login_required
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
