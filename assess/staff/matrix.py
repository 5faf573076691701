"""The coverage matrix: every country against every indicator, at a glance."""

from flask import render_template
from flask_login import current_user, login_required

from ..models import Status
from ..queries import coverage
from ..queries.coverage import PER_PAGE_CHOICES, WORK_CHOICES, CoverageFilters
from .blueprint import bp
from .queues import int_arg, page_number, text_arg


@bp.route("/matrix")
@login_required
def matrix():
    filters = CoverageFilters(
        region=text_arg("region", coverage.region_names()),
        indicator=text_arg("indicator"),
        work=text_arg("work", WORK_CHOICES),
        status=text_arg("status", [s.value for s in Status]),
        overdue=text_arg("overdue", ("1",)) == "1",
    )
    per_page = int_arg("per_page", coverage.PER_PAGE)
    if per_page not in PER_PAGE_CHOICES:
        per_page = coverage.PER_PAGE
    result = coverage.coverage(current_user, filters, page_number(), per_page)
    return render_template(
        "staff/matrix.html",
        coverage=result,
        page=result.page,
        filters=filters,
        per_page=per_page,
        per_page_choices=PER_PAGE_CHOICES,
        regions=coverage.region_names(),
        work_choices=WORK_CHOICES,
    )
