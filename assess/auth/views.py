from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from ..extensions import login_manager
from ..security import end_browser_session, start_browser_session
from ..services import accounts, throttle
from ..services.errors import ValidationError
from .blueprint import bp
from .forms import ChangePasswordForm, LoginForm, LogoutForm

login_manager.login_view = "auth.login"
login_manager.login_message = None
login_manager.user_loader(accounts.load_session_user)


def safe_next(target: str | None, default: str | None = None) -> str:
    """Follow `next` only to a path on this site."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith(("//", "/\\"))
            and "\\" not in target
            and target.isprintable()  # no CR/LF (header injection) nor other control characters
        ):
            return target
    return default or url_for("staff.home")


def device_cookie_name() -> str:
    # `__Host-`: only from https, for this host alone (see config.finalise).
    return "__Host-device" if current_app.config["SESSION_COOKIE_SECURE"] else "assess_device"


def remember_device(response, email: str) -> None:
    """Mark this browser as a known device of the account (throttle.py explains why)."""
    response.set_cookie(
        device_cookie_name(),
        throttle.issue_device(email),
        max_age=int(throttle.DEVICE_LIFETIME.total_seconds()),
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("staff.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(
                form.email.data,
                form.password.data,
                request.remote_addr or "unknown",
                request.cookies.get(device_cookie_name()),
            )
        except accounts.LoginRefused as refusal:
            if refusal.throttled:
                flash(_("Too many failed attempts. Wait 15 minutes and try again."), "error")
            else:
                flash(_("The e-mail address or password is incorrect."), "error")
            return render_template("auth/login.html", form=form), 401
        session.clear()  # a fresh session at login: no fixation
        login_user(user, remember=form.remember.data)
        start_browser_session()
        response = redirect(safe_next(form.next.data))
        remember_device(response, user.email)
        return response
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    if LogoutForm().validate_on_submit():
        accounts.logout(current_user)
        end_browser_session()
        flash(_("You are signed out."), "info")
    return redirect(url_for("public.index"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current.data, form.new.data)
        except ValidationError as error:
            for field, messages in error.errors.items():
                target = form.current if field == "current" else form.new
                target.errors = [*target.errors, *messages]
        else:
            end_browser_session()
            flash(_("Your password is changed. Sign in again with the new one."), "info")
            return redirect(url_for("auth.login"))
    return render_template("auth/password.html", form=form)
