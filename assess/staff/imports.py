"""Import batches: the list, one batch with every item named, and decisions on all of them."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..services import import_batches
from ..services.errors import NotFound, ValidationError
from ..services.import_profile import summary
from ..services.permissions import can_import
from .blueprint import bp
from .forms import DecisionForm


@bp.route("/imports/")
@login_required
def import_list():
    return render_template(
        "staff/imports.html",
        batches=import_batches.recent(current_user),
        can_import=can_import(current_user),
    )


def _batch_or_404(batch_id: int) -> import_batches.Batch:
    try:
        return import_batches.get(current_user, batch_id)
    except NotFound:
        abort(404)


@bp.route("/imports/<int:batch_id>")
@login_required
def import_batch(batch_id: int):
    return render_template(
        "staff/import_batch.html",
        page=_batch_or_404(batch_id),
        form=DecisionForm(),
        summary=summary,
    )


def _report(outcome: import_batches.Outcome, done: str) -> None:
    if outcome.decided:
        flash(done % {"num": len(outcome.decided)}, "success")
    for entry, reason in outcome.refused:
        flash(
            _("Not decided: %(item)s. %(reason)s", item=_item_name(entry), reason=reason), "error"
        )
    if not outcome.decided and not outcome.refused:
        flash(_("Nothing in this batch awaits your decision."), "error")


def _item_name(entry: import_batches.BatchItem) -> str:
    item = entry.item
    if entry.is_version:
        assessment = item.assessment  # type: ignore[attr-defined]
        return f"{assessment.country.name}, {assessment.indicator.title}"
    return f"{item.country.name}, {summary(item.kind, item.payload)}"  # type: ignore[attr-defined]


@bp.route("/imports/<int:batch_id>/approve", methods=["POST"])
@login_required
def import_batch_approve(batch_id: int):
    form = DecisionForm()
    back = url_for("staff.import_batch", batch_id=batch_id)
    if not form.validate_on_submit():
        return redirect(back, 303)
    _batch_or_404(batch_id)
    outcome = import_batches.approve_all(current_user, batch_id, form.comment.data or None)
    count = len(outcome.decided)
    _report(outcome, ngettext("Approved %(num)s item.", "Approved %(num)s items.", count))
    return redirect(back, 303)


@bp.route("/imports/<int:batch_id>/return", methods=["POST"])
@login_required
def import_batch_return(batch_id: int):
    form = DecisionForm()
    back = url_for("staff.import_batch", batch_id=batch_id)
    if not form.validate_on_submit():
        return redirect(back, 303)
    _batch_or_404(batch_id)
    try:
        outcome = import_batches.return_all(current_user, batch_id, form.comment.data or "")
    except ValidationError as error:
        flash(str(error), "error")
        return redirect(back, 303)
    count = len(outcome.decided)
    _report(
        outcome,
        ngettext(
            "Returned %(num)s item to its author.", "Returned %(num)s items to their author.", count
        ),
    )
    return redirect(back, 303)
