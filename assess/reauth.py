"""Decisions and admin actions need a recent password (ASVS V7.5): a session restored from a
remember-me cookie may read, but approving, requesting changes, rejecting, retracting and every
admin change ask for the password again when the last password sign-in is older than
`FRESH_LOGIN` (12 hours by default) or there was none in this session.

The confirmation page carries the form that was sent (as hidden fields) and posts it back to the
same address with the password; once the password is right the original request goes on, so
nothing typed is lost. Files cannot ride along: a form that carried one asks for it again.
"""

from datetime import timedelta

from flask import Flask, current_app, render_template, request, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired

from . import security

PASSWORD_FIELD = "reauth_password"  # noqa: S105 - a form field name
DECISIONS = frozenset(
    {
        "staff.approve",
        "staff.request_changes",
        "staff.reject",
        "staff.retract",
        "staff.import_batch_approve",
        "staff.import_batch_return",
    }
)
DEFAULT_FRESH_LOGIN = timedelta(hours=12)


def needs_fresh_login(endpoint: str | None) -> bool:
    if request.method != "POST" or not endpoint:
        return False
    return endpoint in DECISIONS or endpoint.startswith("admin.")


def is_fresh() -> bool:
    limit = current_app.config.get("FRESH_LOGIN") or DEFAULT_FRESH_LOGIN
    seconds = limit.total_seconds() if isinstance(limit, timedelta) else float(limit)
    signed_in = session.get("password_at")
    return signed_in is not None and security.clock() - float(signed_in) <= seconds


class ReauthForm(FlaskForm):
    class Meta:
        csrf = False  # the page carries the token of the form it re-sends; CSRFProtect checks it

    reauth_password = PasswordField(_l("Password"), validators=[DataRequired()])


def _confirmation(error: str | None = None):
    form = ReauthForm(formdata=None)
    form.reauth_password.label.text = _("Password for %(email)s", email=current_user.email)
    if error:
        form.reauth_password.errors = [error]
    fields = [
        (name, value)
        for name, values in request.form.lists()
        if name not in ("csrf_token", PASSWORD_FIELD)
        for value in values
    ]
    page = render_template(
        "auth/reauth.html",
        form=form,
        fields=fields,
        had_files=bool(request.files),
        error=error,
        action=request.full_path.rstrip("?"),
    )
    return page, 401


def register(app: Flask) -> None:
    @app.before_request
    def require_recent_password():
        if not current_user.is_authenticated or not needs_fresh_login(request.endpoint):
            return None
        if is_fresh():
            return None
        password = request.form.get(PASSWORD_FIELD)
        if not password:
            return _confirmation()
        from .auth.views import device_cookie_name
        from .services import accounts

        try:
            accounts.authenticate(
                current_user.email,
                password,
                request.remote_addr or "unknown",
                request.cookies.get(device_cookie_name()),
            )
        except accounts.LoginRefused as refusal:
            if refusal.throttled:
                return _confirmation(_("Too many failed attempts. Wait 15 minutes and try again."))
            return _confirmation(_("The password is incorrect."))
        started = session.get("started")
        security.start_browser_session()
        if started is not None:
            session["started"] = started  # the absolute limit still counts from the first sign-in
        return None
