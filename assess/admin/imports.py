"""Bulk import: upload, dry-run report, then the import itself."""

from flask import Response, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import Indicator
from ..queries import public as queries
from ..services import bulk_import
from ..services.errors import Conflict, ValidationError
from ..services.permissions import is_admin
from .blueprint import bp
from .common import allows_upload
from .forms import ImportCommitForm, ImportForm

DEFAULT_IMPORT_MAX_BYTES = 10 * 1024 * 1024


def _limit() -> int:
    return int(current_app.config.get("IMPORT_MAX_BYTES") or DEFAULT_IMPORT_MAX_BYTES)


def _require_admin() -> None:
    if not is_admin(current_user):
        abort(403)


@bp.route("/import/", methods=["GET", "POST"])
@allows_upload(lambda: _limit() + 64 * 1024)
def import_form():
    _require_admin()
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        if not upload or not upload.filename:
            form.file.errors = [_("Choose a file.")]
        else:
            data = upload.read()
            try:
                report = bulk_import.check(current_user, data)
            except ValidationError as error:
                form.file.errors = [str(error)]
            else:
                commit = ImportCommitForm(content=data.decode("utf-8-sig"), name=upload.filename)
                return render_template(
                    "admin/import_report.html", report=report, name=upload.filename, commit=commit
                )
    return render_template(
        "admin/import.html",
        form=form,
        columns=bulk_import.CSV_COLUMNS,
        template_columns=bulk_import.template_columns(1),
        countries=queries.countries(),
    )


@bp.route("/import/commit", methods=["POST"])
@allows_upload(lambda: 2 * _limit() + 64 * 1024, lambda: 2 * _limit())
def import_commit():
    _require_admin()
    form = ImportCommitForm()
    if not form.validate_on_submit() or not form.content.data:
        abort(400)
    data = form.content.data.encode()
    name = (form.name.data or "upload")[:200]
    try:
        report = bulk_import.run(current_user, data, name)
    except (ValidationError, Conflict) as error:
        return render_template("admin/import_failed.html", message=str(error), name=name), 409
    return render_template("admin/import_report.html", report=report, name=name, commit=None)


@bp.route("/import/template.csv")
def import_template():
    _require_admin()
    code = request.args.get("country", "")
    country = queries.country_by_code(code) if code else None
    rows = []
    if country is not None:
        slugs = db.session.scalars(
            select(Indicator.slug)
            .where(Indicator.retired_at.is_(None))
            .order_by(Indicator.position)
        )
        rows = [(country.iso2, slug) for slug in slugs]
    name = f"assessments-{country.iso2.lower()}.csv" if country else "assessments-template.csv"
    return Response(
        bulk_import.template_csv(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
