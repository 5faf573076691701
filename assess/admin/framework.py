"""The indicator framework: its list, a new indicator, a proposed change to an indicator's
text (reviewed: `framework_review`), the order, retiring and restoring."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..models import Indicator
from ..models.framework import SOURCE_SCOPE, TEXT_FIELDS
from ..services import framework, framework_revisions
from ..services.errors import ValidationError
from ..services.permissions import is_admin
from .blueprint import bp
from .common import apply_errors, refusals
from .forms import IndicatorForm, RevisionForm
from .framework_review import propose_from_form


def _input(form: IndicatorForm) -> framework.IndicatorInput:
    return framework.IndicatorInput(**{name: form[name].data or "" for name in TEXT_FIELDS})


@bp.route("/indicators/")
def indicator_list():
    with refusals(url_for("admin.index")):
        indicators = framework.all_indicators(current_user)
    return render_template(
        "admin/indicators.html",
        indicators=indicators,
        revision=framework_revisions.current_revision(),
        open_revisions=framework_revisions.open_by_indicator(),
        is_proposed=framework_revisions.is_proposed,
    )


@bp.route("/indicators/new", methods=["GET", "POST"])
def indicator_new():
    if not is_admin(current_user):
        abort(403)
    form = IndicatorForm()
    if form.validate_on_submit():
        try:
            with refusals(url_for("admin.indicator_list"), form=True):
                indicator = framework.add(current_user, _input(form), form.slug.data or "")
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(
                _(
                    "%(title)s is submitted for review: it joins the framework when a supervisor "
                    "approves its text.",
                    title=indicator.title,
                ),
                "success",
            )
            return redirect(url_for("admin.indicator_list"), 303)
    return render_template("admin/indicator_form.html", form=form, indicator=None, held=None)


@bp.route("/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
def indicator_edit(indicator_id: int):
    """Propose new wording: saved into the open revision of the text (started if none)."""
    if not is_admin(current_user):
        abort(403)
    indicator = db.get_or_404(Indicator, indicator_id)
    held = framework_revisions.open_revision(indicator_id, SOURCE_SCOPE)
    if held is not None and held.state == "submitted":
        flash(_("This text is submitted for review; withdraw it to edit it again."), "error")
        return redirect(url_for("admin.revision_detail", revision_id=held.id), 303)
    form = RevisionForm(obj=held or indicator)
    if form.validate_on_submit():
        back = url_for("admin.indicator_edit", indicator_id=indicator_id)
        revision = propose_from_form(form, indicator_id, SOURCE_SCOPE, back)
        if revision is not None:
            flash(_("Your revision is saved."), "success")
            return redirect(url_for("admin.revision_detail", revision_id=revision.id), 303)
    elif request.method == "GET":
        form.row_version.data = str(held.row_version) if held else ""
    return render_template("admin/indicator_form.html", form=form, indicator=indicator, held=held)


@bp.route("/indicators/<int:indicator_id>/move", methods=["POST"])
def indicator_move(indicator_id: int):
    back = url_for("admin.indicator_list")
    with refusals(back):
        framework.move(current_user, indicator_id, -1 if request.form.get("to") == "up" else 1)
    return redirect(back + f"#indicator-{indicator_id}", 303)


@bp.route("/indicators/<int:indicator_id>/<any(retire, restore):action>", methods=["POST"])
def indicator_status(indicator_id: int, action: str):
    back = url_for("admin.indicator_list")
    with refusals(back):
        indicator = getattr(framework, action)(current_user, indicator_id)
    if action == "retire":
        flash(
            _(
                "%(title)s is retired: it leaves the public profiles, its history stays.",
                title=indicator.title,
            ),
            "success",
        )
    else:
        flash(_("%(title)s is back in the framework.", title=indicator.title), "success")
    return redirect(back, 303)
