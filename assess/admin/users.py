from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import AuditEvent
from ..services import grants, users
from ..services.errors import ValidationError
from ..services.permissions import is_admin
from ..staff.labels import role_label
from .blueprint import bp
from .common import apply_errors, refusals
from .forms import GrantForm, NewUserForm
from .grants import summary


def _codes(text: str) -> list[str]:
    return [code for code in text.replace(";", ",").replace(" ", ",").split(",") if code]


@bp.route("/users/")
def user_list():
    with refusals(url_for("admin.index")):
        found = users.list_users(current_user)
    return render_template("admin/users.html", users=found, is_pending=users.is_pending)


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    if not is_admin(current_user):
        abort(403)
    form = NewUserForm()
    if form.validate_on_submit():
        email, role, name = form.email.data, form.role.data, form.name.data or ""
        try:
            with refusals(url_for("admin.user_list"), form=True):
                countries = grants.countries_for_scope(
                    role, form.scope.data or "", _codes(form.countries.data or "")
                )
                if form.mode.data == "create":
                    password = form.password.data or ""
                    user = users.create(current_user, email, password, role, countries, name)
                    flash(_("%(email)s can now sign in.", email=user.email), "success")
                else:
                    user = users.invite(current_user, email, role, countries, name)
                    flash(
                        _("An invitation is on its way to %(email)s.", email=user.email), "success"
                    )
        except ValidationError as error:
            apply_errors(form, error, fallback="email")
        else:
            return redirect(url_for("admin.user_detail", user_id=user.id), 303)
    return render_template("admin/user_new.html", form=form)


@bp.route("/users/<int:user_id>")
def user_detail(user_id: int):
    return _detail(user_id)


def _detail(user_id: int, grant_form: GrantForm | None = None, status: int = 200, plan=None):
    """The user's page; with a `plan`, the summary of the role about to be given."""
    with refusals(url_for("admin.user_list")):
        user = users.get_user(current_user, user_id)
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "user", AuditEvent.object_id == user.id)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.id.desc())
        .limit(20)
    )
    return (
        render_template(
            "admin/user_detail.html",
            user=user,
            pending=users.is_pending(user),
            grant_form=grant_form or GrantForm(formdata=None),
            plan=plan,
            role_summary=summary(plan) if plan else None,
            events=list(events),
        ),
        status,
    )


@bp.route("/users/<int:user_id>/grants", methods=["POST"])
def user_grant(user_id: int):
    """Give a role once its summary was seen: the first POST shows the plan, the one from the
    summary (`confirmed=yes`) saves it."""
    form = GrantForm()
    back = url_for("admin.user_detail", user_id=user_id)
    if not form.validate_on_submit():
        return redirect(back, 303)
    role, scope = form.role.data or "", form.scope.data or ""
    codes = _codes(form.countries.data or "")
    confirmed = request.form.get("confirmed") == "yes"
    try:
        with refusals(back, form=True):
            if confirmed:
                plan = grants.grant_role(current_user, user_id, role, scope, codes)
            else:
                plan = grants.plan_grant(current_user, user_id, role, scope, codes)
    except ValidationError as error:
        apply_errors(form, error, fallback="countries")
        return _detail(user_id, form, 422)
    if not confirmed:
        return _detail(user_id, form, plan=plan)
    said = summary(plan)
    flash(_("Role added: %(role)s. %(where)s", role=role_label(role), where=said.where), "success")
    return redirect(back, 303)


@bp.route("/users/<int:user_id>/grants/<int:grant_id>/revoke", methods=["POST"])
def user_revoke(user_id: int, grant_id: int):
    back = url_for("admin.user_detail", user_id=user_id)
    with refusals(back):
        users.revoke_role(current_user, grant_id)
    flash(_("Role removed."), "success")
    return redirect(back, 303)


ACTIONS = {
    "deactivate": (users.deactivate, _l("The account is deactivated; its sessions have ended.")),
    "reactivate": (users.reactivate, _l("The account is active again.")),
    "reset": (users.send_password_reset, _l("A password-reset link is on its way.")),
    "resend": (users.resend_invitation, _l("A new invitation is on its way.")),
}


@bp.route(
    "/users/<int:user_id>/<any(deactivate, reactivate, reset, resend):action>", methods=["POST"]
)
def user_action(user_id: int, action: str):
    back = url_for("admin.user_detail", user_id=user_id)
    perform, message = ACTIONS[action]
    with refusals(back):
        perform(current_user, user_id)
    flash(str(message), "success")
    return redirect(back, 303)
