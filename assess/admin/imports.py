"""Bulk import: upload, dry-run report, then the import itself, which becomes one batch to
review (`staff/imports.py`). Open to admins and to the reviewers and supervisors of a country,
who import rows of their own countries only."""

import base64
import binascii

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import Country, Indicator
from ..queries import public as queries
from ..services import bulk_import
from ..services.errors import Conflict, PermissionDenied, ValidationError
from ..services.import_profile import COLUMNS as PROFILE_COLUMNS
from ..services.import_profile import summary
from ..services.import_template import template_xlsx
from ..services.permissions import can_import
from .blueprint import bp
from .common import allows_upload
from .forms import ImportCommitForm, ImportForm

DEFAULT_IMPORT_MAX_BYTES = 10 * 1024 * 1024
UPLOAD_TYPES = ".xlsx,.ods,.xls,.csv,.json,text/csv,application/json"


def _limit() -> int:
    return int(current_app.config.get("IMPORT_MAX_BYTES") or DEFAULT_IMPORT_MAX_BYTES)


def _require_importer() -> None:
    if not can_import(current_user):
        abort(403)


def _form_page(form: ImportForm):
    return render_template(
        "admin/import.html",
        form=form,
        accept=UPLOAD_TYPES,
        columns=bulk_import.CSV_COLUMNS,
        template_columns=bulk_import.template_columns(1),
        profile_columns=PROFILE_COLUMNS,
        countries=queries.countries(),
    )


@bp.route("/import/", methods=["GET", "POST"])
@allows_upload(lambda: _limit() + 64 * 1024)
def import_form():
    _require_importer()
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
            except PermissionDenied:
                abort(403)
            else:
                content = base64.b64encode(data).decode("ascii")
                commit = ImportCommitForm(content=content, name=upload.filename)
                return render_template(
                    "admin/import_report.html",
                    report=report,
                    name=upload.filename,
                    commit=commit,
                    summary=summary,
                )
    return _form_page(form)


# The commit form carries the file again, base64-encoded (a third larger).
@bp.route("/import/commit", methods=["POST"])
@allows_upload(lambda: 2 * _limit() + 64 * 1024, lambda: 2 * _limit())
def import_commit():
    _require_importer()
    form = ImportCommitForm()
    if not form.validate_on_submit() or not form.content.data:
        abort(400)
    try:
        data = base64.b64decode(form.content.data, validate=True)
    except (binascii.Error, ValueError):
        abort(400)
    name = (form.name.data or "upload")[:200]
    try:
        report = bulk_import.run(current_user, data, name)
    except (ValidationError, Conflict) as error:
        return render_template("admin/import_failed.html", message=str(error), name=name), 409
    except PermissionDenied:
        abort(403)
    if report.batch_id is None:
        return render_template(
            "admin/import_report.html", report=report, name=name, commit=None, summary=summary
        )
    flash(
        ngettext(
            "Imported %(num)s item from %(name)s; it waits for review.",
            "Imported %(num)s items from %(name)s; they wait for review as one batch.",
            report.imported,
            name=name,
        ),
        "success",
    )
    return redirect(url_for("staff.import_batch", batch_id=report.batch_id), 303)


def _template_rows() -> tuple[Country | None, list[Indicator]]:
    code = request.args.get("country", "")
    country = queries.country_by_code(code) if code else None
    indicators = list(
        db.session.scalars(
            select(Indicator).where(Indicator.retired_at.is_(None)).order_by(Indicator.position)
        )
    )
    return country, indicators


@bp.route("/import/template.csv")
def import_template():
    _require_importer()
    country, indicators = _template_rows()
    rows = [(country.iso2, i.slug) for i in indicators] if country else []
    name = f"assessments-{country.iso2.lower()}.csv" if country else "assessments-template.csv"
    return Response(
        bulk_import.template_csv(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/import/template.xlsx")
def import_template_xlsx():
    _require_importer()
    country, indicators = _template_rows()
    name = f"import-{country.iso2.lower()}.xlsx" if country else "import-template.xlsx"
    return Response(
        template_xlsx(queries.countries(), indicators, country),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
