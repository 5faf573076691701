"""/admin/organisation: the publishing organisation's name, logo, colours and pages."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField, TextAreaField

from .. import organisation
from ..services import organisation_settings, uploads
from ..services.errors import ValidationError
from ..services.permissions import is_admin
from .blueprint import bp
from .common import allows_upload, apply_errors, refusals


class OrganisationForm(FlaskForm):
    # Checked by `services.organisation_settings`, which words every refusal.
    site_name = StringField(_l("Site name"))
    name = StringField(_l("Organisation's name"))
    url = StringField(_l("Organisation's web address"))
    logo = FileField(_l("Logo (PNG, JPEG or SVG)"))
    remove_logo = BooleanField(_l("Remove the uploaded logo"))
    colour_brand = StringField(_l("Main colour"))
    colour_brand_dark = StringField(_l("Dark colour"))
    about = TextAreaField(_l("About page (Markdown)"))
    methodology = TextAreaField(_l("Methodology introduction (Markdown)"))
    contact = TextAreaField(_l("Contact page (Markdown)"))


def _upload_limit() -> int:
    # Twice the image limit: a file somewhat too large gets a message, not an error page.
    return 2 * uploads.image_max_bytes() + 256 * 1024


@bp.route("/organisation", methods=["GET", "POST"])
@allows_upload(_upload_limit)
def organisation_settings_page():
    if not is_admin(current_user):
        abort(403)
    row = organisation.settings_row()
    form = OrganisationForm(obj=row)
    status = 200
    if form.validate_on_submit():
        values = {name: form[name].data for name in organisation_settings.FIELDS}
        upload = form.logo.data
        logo = None
        if upload and getattr(upload, "filename", ""):
            with upload.stream:  # a large upload is a temporary file: closed at once
                logo = organisation_settings.Logo(upload.filename, upload.read())
        back = url_for("admin.organisation_settings_page")
        try:
            with refusals(back, form=True):
                organisation_settings.update(
                    current_user, values, logo=logo, remove_logo=form.remove_logo.data
                )
        except ValidationError as error:
            apply_errors(form, error)  # flashes what belongs to no field
            if any(hasattr(form, name) for name in error.errors):
                flash(str(error), "error")
            status = 422
        else:
            flash(_("Saved. Every public page shows the new settings now."), "success")
            return redirect(back, 303)
    elif form.errors:
        status = 422
    configured = organisation.effective(None)
    return render_template(
        "admin/organisation.html",
        form=form,
        shown=organisation.effective(row),
        configured=configured,
        logo_kb=uploads.image_max_bytes() // 1024,
    ), status
