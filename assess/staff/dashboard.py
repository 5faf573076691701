"""The supervisors' dashboard (/staff/dashboard): waits in review and work per reviewer."""

from datetime import timedelta

from flask import abort, render_template
from flask_babel import format_number, format_timedelta, ngettext
from flask_login import current_user, login_required

from ..queries.dashboard import dashboard as dashboard_data
from ..services.permissions import sees_dashboard
from .blueprint import bp


@bp.route("/dashboard")
@login_required
def dashboard():
    if not sees_dashboard(current_user):
        abort(403)
    return render_template(
        "staff/dashboard.html", data=dashboard_data(current_user), duration=duration
    )


def duration(value: timedelta | None) -> str:
    """A wait in words: whole days from one day on ("10 days", never "1 week": supervisors
    compare them), hours or minutes below; a dash for none."""
    if value is None:
        return "—"
    if value.days >= 1:
        days = format_number(value.days)
        return ngettext("%(days)s day", "%(days)s days", value.days, days=days)
    return format_timedelta(value, threshold=1.0, add_direction=False)
