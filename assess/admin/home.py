from flask import render_template
from flask_login import current_user
from sqlalchemy import func, select

from ..extensions import db
from ..models import IndicatorRevision, User
from ..queries.staff import open_profile_changes
from ..services import framework_revisions, users
from ..services.permissions import is_admin, may_read
from .blueprint import bp


@bp.route("/")
def index():
    counts = {"changes": len(open_profile_changes(current_user))}
    if may_read(current_user, IndicatorRevision, None):
        counts["revisions"] = sum(
            1
            for held in framework_revisions.open_by_indicator().values()
            for revision in held
            if revision.state == "submitted"
        )
    if is_admin(current_user):
        counts["users"] = db.session.scalar(select(func.count()).where(User.active.is_(True)))
        counts["pending"] = db.session.scalar(
            select(func.count()).where(User.password_hash == users.PENDING_PASSWORD)
        )
        counts["revision"] = framework_revisions.current_revision()
    return render_template("admin/index.html", counts=counts)
