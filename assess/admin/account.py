"""The signed-in user's account page, and the one-time links for invitations and resets."""

import pytz
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from ..i18n import LANGUAGE_NAMES
from ..services import users
from ..services.errors import NotFound, ValidationError
from .blueprint import account_bp
from .common import apply_errors
from .forms import PreferencesForm, SetPasswordForm


@account_bp.after_request
def no_referrer(response):
    # The one-time links carry their token in the path: never pass it on to another site.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@account_bp.route("/", methods=["GET", "POST"])
@login_required
def account():
    form = PreferencesForm(
        email_notifications=current_user.email_notifications,
        email_digest=current_user.email_digest,
        language=current_user.language,
        time_zone=current_user.time_zone,
    )
    form.language.choices = [("", _("The site’s language")), *LANGUAGE_NAMES.items()]
    form.time_zone.choices = [
        ("", _("Automatic: this browser’s time zone, or UTC")),
        *((zone, zone.replace("_", " ")) for zone in pytz.common_timezones),
    ]
    if form.validate_on_submit():
        try:
            users.set_preferences(
                current_user,
                bool(form.email_notifications.data),
                form.language.data or "",
                form.time_zone.data or "",
                email_digest=bool(form.email_digest.data),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("Your preferences are saved."), "success")
            return redirect(url_for("account.account"), 303)
    return render_template("admin/account.html", form=form)


def _set_password(token: str, purpose: str, title: str):
    user = users.token_user(token, purpose)
    if user is None:
        return render_template("admin/link_expired.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            users.redeem(token, purpose, form.new.data)
        except ValidationError as error:
            form.new.errors = [*form.new.errors, *error.errors.get("password", [str(error)])]
        except NotFound:
            abort(404)
        else:
            if current_user.is_authenticated:
                logout_user()
            flash(_("Your password is set. Sign in with it."), "success")
            return redirect(url_for("auth.login"), 303)
    return render_template("admin/set_password.html", form=form, user=user, title=title)


@account_bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    return _set_password(token, users.INVITE, _("Welcome: choose your password"))


@account_bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return _set_password(token, users.RESET, _("Choose a new password"))
