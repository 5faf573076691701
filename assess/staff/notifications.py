"""In-app notifications: the list, marking read, and the unread count in the header."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from ..auth.views import safe_next
from ..services import notifications
from ..services.errors import NotFound
from .blueprint import bp
from .queues import page_number


def unread_notification_count() -> int | None:
    """The count in the header (a template global)."""
    if not current_user.is_authenticated:
        return None
    try:
        return notifications.unread_count(current_user)
    except SQLAlchemyError:  # the header must not break an error page when the database is
        return None


@bp.route("/notifications")
@login_required
def notifications_list():
    unread_only = request.args.get("show") == "unread"
    page = notifications.for_user(current_user, unread_only=unread_only, number=page_number())
    return render_template("staff/notifications.html", page=page, unread_only=unread_only)


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def notification_read(notification_id: int):
    try:
        notifications.mark_read(current_user, notification_id)
    except NotFound:
        abort(404)
    return redirect(_next_or_list())


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def notifications_read_all():
    count = notifications.mark_all_read(current_user)
    flash(_("Marked %(count)s notifications as read.", count=count), "success")
    return redirect(_next_or_list())


def _next_or_list() -> str:
    """Back to the page of the list the form was on (a local path only)."""
    listing = url_for("staff.notifications_list")
    target = request.form.get("next", "")
    return safe_next(target) if target.startswith(listing) else listing
