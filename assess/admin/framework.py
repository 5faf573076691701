from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..models import Indicator
from ..services import framework
from ..services.errors import ValidationError
from ..services.permissions import is_admin
from .blueprint import bp
from .common import apply_errors, refusals
from .forms import IndicatorForm


def _input(form: IndicatorForm) -> framework.IndicatorInput:
    return framework.IndicatorInput(
        title=form.title.data or "",
        definition=form.definition.data or "",
        rubric_yes=form.rubric_yes.data or "",
        rubric_partial=form.rubric_partial.data or "",
        rubric_no=form.rubric_no.data or "",
    )


@bp.route("/indicators/")
def indicator_list():
    with refusals(url_for("admin.index")):
        indicators = framework.all_indicators(current_user)
    return render_template(
        "admin/indicators.html", indicators=indicators, revision=framework.current_revision()
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
            flash(_("%(title)s is added to the framework.", title=indicator.title), "success")
            return redirect(url_for("admin.indicator_list"), 303)
    return render_template("admin/indicator_form.html", form=form, indicator=None)


@bp.route("/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
def indicator_edit(indicator_id: int):
    if not is_admin(current_user):
        abort(403)
    indicator = db.get_or_404(Indicator, indicator_id)
    form = IndicatorForm(obj=indicator)
    if form.validate_on_submit():
        try:
            with refusals(url_for("admin.indicator_list"), form=True):
                framework.edit(current_user, indicator_id, _input(form))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("%(title)s is saved.", title=form.title.data), "success")
            return redirect(url_for("admin.indicator_list"), 303)
    return render_template("admin/indicator_form.html", form=form, indicator=indicator)


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
