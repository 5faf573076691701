"""The work queues: awaiting my review, returned to me, my drafts. Plus the small helpers every
staff list shares: reading page and filter arguments, page links, ages and version links."""

from datetime import UTC, datetime
from typing import Any

from flask import render_template, request, url_for
from flask_babel import format_timedelta
from flask_login import current_user, login_required

from ..queries import evidence, queues, talkback
from ..queries.queues import AGE_CHOICES, DRAFT_QUEUE_STATES, QueueFilters
from ..services.permissions import country_scope, is_admin
from .blueprint import bp

MAX_TEXT_ARG = 80


def int_arg(name: str, default: int | None = None) -> int | None:
    """A positive integer argument, or the default for anything else."""
    value = request.args.get(name, "")
    if value.isdigit() and 0 < len(value) <= 9:
        return int(value)
    return default


def text_arg(name: str, choices=None) -> str:
    value = request.args.get(name, "").strip()[:MAX_TEXT_ARG]
    if choices is not None and value not in choices:
        return ""
    return value


def country_arg(name: str = "country") -> str:
    value = text_arg(name)
    return value.upper() if len(value) == 2 and value.isascii() and value.isalpha() else ""


def page_number() -> int:
    return min(int_arg("page", 1) or 1, queues.MAX_PAGE)


def queue_filters() -> QueueFilters:
    older_than = int_arg("older_than")
    return QueueFilters(
        country=country_arg(),
        indicator=text_arg("indicator"),
        older_than=older_than if older_than in AGE_CHOICES else None,
        state=text_arg("state", DRAFT_QUEUE_STATES),
    )


def page_url(number: int) -> str:
    """This page's URL with the same filters, at page `number`."""
    values: dict[str, Any] = {**(request.view_args or {}), **request.args.to_dict()}
    values["page"] = number
    return url_for(request.endpoint or "staff.home", **values)


def version_url(version_id: int) -> str:
    return queues.version_path(version_id)


def age(since: datetime | None) -> str:
    if since is None:
        return ""
    return format_timedelta(datetime.now(UTC) - since, threshold=1.0, add_direction=False)


def _render(template: str, page, **context):
    return render_template(
        template,
        page=page,
        filters=queue_filters(),
        age_choices=AGE_CHOICES,
        **context,
    )


@bp.route("/queue/review")
@login_required
def review_queue():
    filters = queue_filters()
    page = queues.awaiting_review(current_user, filters, page_number())
    supervised = queues.supervised_countries(current_user)
    is_supervisor = supervised is None or bool(supervised)
    sees_stuck = is_supervisor or is_admin(current_user)
    stuck = queues.needing_second_supervisor(current_user) if sees_stuck else None
    return _render(
        "staff/queue_review.html",
        page,
        choices=queues.filter_choices(current_user, supervised_only=True),
        is_supervisor=is_supervisor,
        stuck=stuck,
        changes=queues.changes_awaiting_review(current_user, filters) if is_supervisor else None,
        replies=talkback.replies_awaiting(current_user) if is_supervisor else None,
        stuck_changes=queues.changes_needing_second_supervisor(current_user)
        if sees_stuck
        else None,
    )


@bp.route("/queue/returned")
@login_required
def returned_queue():
    page = queues.returned(current_user, queue_filters(), page_number())
    return _render(
        "staff/queue_returned.html",
        page,
        choices=queues.filter_choices(current_user),
        rereview=evidence.needing_rereview(country_scope(current_user)),
    )


@bp.route("/queue/drafts")
@login_required
def drafts_queue():
    page = queues.my_drafts(current_user, queue_filters(), page_number())
    return _render(
        "staff/queue_drafts.html",
        page,
        choices=queues.filter_choices(current_user),
        draft_states=DRAFT_QUEUE_STATES,
        # Published work a reviewer should take up again: beside their drafts.
        rereview=evidence.needing_rereview(country_scope(current_user)),
    )
