"""Review cycles (/admin/cycles/): the list, a new cycle, one cycle's progress and assignments,
closing it. Admins only (`services/cycles.py` checks)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..i18n import country_name
from ..queries import cycles as progress_queries
from ..queries import public as queries
from ..services import cycles
from ..services.errors import ValidationError
from .blueprint import bp
from .common import apply_errors, refusals
from .cycle_forms import AssignForm, NewCycleForm


def _codes(text: str) -> list[str]:
    return [code for code in text.replace(";", ",").replace(" ", ",").split(",") if code]


@bp.route("/cycles/")
def cycle_list():
    with refusals(url_for("admin.index")):
        found = cycles.list_cycles(current_user)
    return render_template("admin/cycles.html", cycles=found)


@bp.route("/cycles/new", methods=["GET", "POST"])
def cycle_new():
    with refusals(url_for("admin.index")):
        cycles.require_manager(current_user)
    indicators = queries.active_indicators()
    form = NewCycleForm()
    if not form.is_submitted():
        form.indicators.data = [i.id for i in indicators]
    status = 200
    if form.validate_on_submit():
        try:
            with refusals(url_for("admin.cycle_list"), form=True):
                cycle = cycles.open_cycle(
                    current_user,
                    cycles.CycleInput(
                        name=form.name.data or "",
                        due_on=form.due_on.data,
                        country_codes=_codes(form.countries.data or ""),
                        indicator_ids=form.indicators.data or [],
                        assignments=cycles.parse_assignments(form.assignments.data or ""),
                    ),
                )
        except ValidationError as error:
            apply_errors(form, error, fallback="name")
            status = 422
        else:
            flash(_("The review cycle “%(name)s” is open.", name=cycle.name), "success")
            return redirect(url_for("admin.cycle_detail", cycle_id=cycle.id), 303)
    elif form.is_submitted():
        status = 422
    chosen = set(form.indicators.data or [])
    return render_template(
        "admin/cycle_new.html", form=form, indicators=indicators, chosen=chosen
    ), status


@bp.route("/cycles/<int:cycle_id>")
def cycle_detail(cycle_id: int):
    return _detail(cycle_id)


def _detail(cycle_id: int, form: AssignForm | None = None, status: int = 200):
    with refusals(url_for("admin.cycle_list")):
        cycles.get_cycle(current_user, cycle_id)
    cycle = progress_queries.load_cycle(cycle_id)
    if cycle is None:
        abort(404)
    form = form or AssignForm(formdata=None)
    _assign_choices(form, cycle)
    return (
        render_template(
            "admin/cycle.html",
            cycle=cycle,
            progress=progress_queries.progress(cycle),
            assign_form=form,
        ),
        status,
    )


def _assign_choices(form: AssignForm, cycle) -> None:
    form.country.choices = [
        (c.country.id, country_name(c.country.name))
        for c in sorted(cycle.countries, key=lambda c: c.country.name)
    ]
    form.reviewer.choices = [
        (u.id, f"{u.display_name} ({u.email})" if u.name else u.email)
        for u in cycles.assignable_reviewers(cycle)
    ]


@bp.route("/cycles/<int:cycle_id>/assign", methods=["POST"])
def cycle_assign(cycle_id: int):
    back = url_for("admin.cycle_detail", cycle_id=cycle_id)
    form = AssignForm()
    if not form.validate_on_submit():
        with refusals(url_for("admin.cycle_list")):
            cycles.get_cycle(current_user, cycle_id)
        return _detail(cycle_id, form, 422)
    try:
        with refusals(back, form=True):
            cycles.assign(current_user, cycle_id, form.country.data, form.reviewer.data)
    except ValidationError as error:
        apply_errors(form, error, fallback="reviewer")
        return _detail(cycle_id, form, 422)
    flash(_("Reviewer assigned."), "success")
    return redirect(back, 303)


@bp.route("/cycles/<int:cycle_id>/assignments/<int:assignment_id>/remove", methods=["POST"])
def cycle_unassign(cycle_id: int, assignment_id: int):
    back = url_for("admin.cycle_detail", cycle_id=cycle_id)
    with refusals(back):
        cycles.unassign(current_user, cycle_id, assignment_id)
    flash(_("Assignment removed."), "success")
    return redirect(back, 303)


@bp.route("/cycles/<int:cycle_id>/close", methods=["POST"])
def cycle_close(cycle_id: int):
    back = url_for("admin.cycle_detail", cycle_id=cycle_id)
    with refusals(back):
        cycle = cycles.close_cycle(current_user, cycle_id)
    flash(_("The review cycle “%(name)s” is closed.", name=cycle.name), "success")
    return redirect(back, 303)
