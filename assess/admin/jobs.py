from flask import render_template, url_for
from flask_login import current_user

from ..services import background
from .blueprint import bp
from .common import refusals


@bp.route("/jobs/")
def job_list():
    with refusals(url_for("admin.index")):
        found = background.report(current_user)
    return render_template("admin/jobs.html", report=found)
