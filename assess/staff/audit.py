"""The audit log for admins: a filtered, paginated page and the same events as CSV."""

import csv
import io
from datetime import UTC, datetime

from flask import Response, abort, render_template
from flask_login import current_user, login_required

from ..queries import audit_log
from ..queries.audit_log import AuditFilters
from ..services.errors import PermissionDenied
from .blueprint import bp
from .queues import country_arg, int_arg, page_number, text_arg


def _filters() -> AuditFilters:
    return AuditFilters(
        user_id=int_arg("user"), country=country_arg(), action=text_arg("action")[:40]
    )


@bp.route("/audit")
@login_required
def audit():
    filters = _filters()
    try:
        page = audit_log.events(current_user, filters, page_number())
        choices = audit_log.choices(current_user)
    except PermissionDenied:
        abort(403)
    return render_template("staff/audit.html", page=page, filters=filters, choices=choices)


@bp.route("/audit.csv")
@login_required
def audit_csv():
    try:
        rows = audit_log.csv_rows(current_user, _filters())
    except PermissionDenied:
        abort(403)

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in rows:
            writer.writerow(row)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return Response(
        lines(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.csv"'},
    )
