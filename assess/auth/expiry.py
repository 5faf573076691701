"""When a session ends while its user works: nothing typed is lost, and nobody is surprised.

- A form posted just after the session expired is kept (`services/kept_forms.py`) and the user is
  sent to sign in, then back to the page of the form, which fills itself again, with a message
  saying what happened. Views say which page that is with `@returns_to`; any other refused POST
  goes back to the page it came from, never to its own address (a GET there would be a 405).
- Every staff page says when the session will end and offers to extend it: a plain notice and a
  button without JavaScript; with it (`static/js/session.js`), a live warning before the end,
  which asks `/auth/session` first (another tab may have kept the session going). WCAG 2.2.1.
"""

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlsplit

from flask import (
    Flask,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import format_time, format_timedelta
from flask_babel import gettext as _
from flask_login import login_required

from .. import security
from ..extensions import login_manager
from ..services import kept_forms
from .blueprint import bp

RESTORE_ARG = "restore"
DEFAULT_WARNING = timedelta(minutes=5)


def returns_to(build: Callable[..., str]):
    """Mark a view whose posted form is kept across an expired session: `build(**view_args)`
    is the page that shows the form again (reading the `restore` token)."""

    def mark(view):
        view.return_to = build
        return view

    return mark


def _seconds(name: str) -> float:
    return current_app.config[name].total_seconds()


def warning_seconds() -> int:
    """How long before the end the live warning appears: `SESSION_WARNING`, at most half the
    idle time (so that a short test timeout still leaves time to type)."""
    value = current_app.config.get("SESSION_WARNING") or DEFAULT_WARNING
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    return int(min(seconds, _seconds("IDLE_TIMEOUT") / 2))


def session_times() -> dict:
    """This session's remaining time, as of now, without counting this as activity."""
    now = security.clock()
    idle_left = _seconds("IDLE_TIMEOUT") - (now - session.get("seen", now))
    absolute_left = _seconds("PERMANENT_SESSION_LIFETIME") - (now - session.get("started", now))
    # Rounded up: "0" only once the session has really ended, so that a page which shows "ended"
    # on it never has a request that the server still accepts behind it.
    remaining = max(0, math.ceil(min(idle_left, absolute_left)))
    return {
        "signed_in": True,
        "remaining": remaining,
        # Activity restarts the idle count, but not the absolute one.
        "extendable": absolute_left > idle_left + 1,
        "warn_before": warning_seconds(),
        "ends_at": format_time(datetime.now(UTC) + timedelta(seconds=remaining), "short"),
    }


def duration(name: str) -> str:
    """A configured duration in words, in the reader's language: "30 minutes", "12 hours"."""
    return format_timedelta(current_app.config[name], threshold=1.0, add_direction=False)


def idle_duration() -> str:
    return duration("IDLE_TIMEOUT")


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _with_query(path: str, **values: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}{urlencode(values)}"


def _came_from() -> str | None:
    """The page a POST was sent from, if it is one of ours."""
    from .views import safe_next

    parts = urlsplit(request.referrer or "")
    if not parts.path or (parts.netloc and parts.netloc != request.host):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return safe_next(path, default="") or None


def _ended_message(reason: str | None) -> str:
    if reason == "absolute":
        return _(
            "Your session ended: a session lasts at most %(duration)s.",
            duration=duration("PERMANENT_SESSION_LIFETIME"),
        )
    return _("Your session ended after %(duration)s without activity.", duration=idle_duration())


def unauthorized():
    """Flask-Login's answer to a signed-out request for a staff page."""
    if _wants_json():
        return jsonify(signed_in=False), 401
    reason = g.get("session_expired")
    if request.method in ("GET", "HEAD"):
        back = request.full_path.rstrip("?")
        if reason:
            flash(_ended_message(reason) + " " + _("Sign in again to continue."), "info")
        return redirect(url_for("auth.login", next=back))
    view = current_app.view_functions.get(request.endpoint or "")
    build = getattr(view, "return_to", None)
    back = build(**(request.view_args or {})) if build else _came_from()
    owner = g.get("expired_user_id")
    if build and owner is not None:
        token = kept_forms.keep(owner, request.path, request.form)
        back = _with_query(back, **{RESTORE_ARG: token})
        flash(
            _ended_message(reason)
            + " "
            + _(
                "What you sent was not saved, but it is kept: sign in again and it will be "
                "back in the form."
            ),
            "info",
        )
    elif reason:
        flash(
            _ended_message(reason)
            + " "
            + _("What you sent was not saved: sign in and send it again."),
            "info",
        )
    return redirect(url_for("auth.login", next=back or url_for("staff.home")))


@bp.get("/session")
@login_required
def session_status():
    """How long this session has left (JSON); reading it is not activity (`security.py`)."""
    if g.get("session_over"):
        return jsonify(signed_in=False), 401
    return jsonify(session_times())


@bp.post("/keep-alive")
@login_required
def keep_alive():
    """Any signed-in request restarts the idle count; this one only says so."""
    if _wants_json():
        return jsonify(session_times())
    from .views import safe_next

    flash(
        _("You stay signed in until %(time)s.", time=session_times()["ends_at"]),
        "success",
    )
    return redirect(safe_next(request.form.get("next"), default=url_for("staff.home")), 303)


def register(app: Flask) -> None:
    login_manager.unauthorized_handler(unauthorized)
