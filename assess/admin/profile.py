"""Profile content: propose a change to one item, review it, approve it (four eyes)."""

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..messages import PROFILE_KINDS
from ..models import Country, ProfileChange
from ..queries import public as queries
from ..queries.staff import open_profile_changes, profile_items
from ..services import profile_content, profile_translations, uploads
from ..services.errors import ValidationError
from ..services.permissions import country_scope, is_admin, may_read
from ..workflow import DECISIONS
from .blueprint import bp
from .common import allows_upload, apply_errors, decide, refusals
from .forms import PROFILE_FORMS, CommentForm, RejectForm

KIND_LABELS = PROFILE_KINDS
CHANGE_ACTIONS = "submit, withdraw, discard, approve, request_changes, reject"


def _country(iso2: str) -> Country:
    country = queries.country_by_code(iso2)
    if country is None:
        abort(404)
    if not may_read(current_user, ProfileChange, country.id):
        abort(403)
    return country


def _payload(form, kind: str) -> dict:
    data = {name: form[name].data for name in profile_content.FIELDS[kind] if name in form}
    if kind == "resource":
        data["file_name"] = form.keep_file.data or ""
        upload = form.file.data
        if upload and upload.filename:
            stored = uploads.store(upload.filename, upload.read())
            data["file_name"] = stored.stored_name
    return data


@bp.route("/profile/")
def profile_index():
    scope = None if is_admin(current_user) else country_scope(current_user, translators=True)
    query = select(Country).order_by(Country.name)
    if scope is not None:
        query = query.where(Country.id.in_(scope))
    chosen = request.args.get("country", "")
    if chosen:
        return redirect(url_for("admin.profile_country", iso2=chosen.lower()))
    return render_template(
        "admin/profile_index.html",
        countries=list(db.session.scalars(query)) if scope is not None else [],
        all_countries=queries.countries() if scope is None else [],
        changes=open_profile_changes(current_user),
        kinds=KIND_LABELS,
    )


@bp.route("/profile/<iso2>")
def profile_country(iso2: str):
    country = _country(iso2)
    return render_template(
        "admin/profile_country.html",
        country=country,
        items=profile_items(country),
        changes=open_profile_changes(current_user, country.id),
        kinds=KIND_LABELS,
        translation_languages=profile_translations.languages(),
        translation_standing=lambda kind, item, language: profile_translations.item_standing(
            kind, item, language
        ),
    )


def _propose_form(country: Country, kind: str, item=None):
    form = PROFILE_FORMS[kind](obj=item)
    if kind == "resource" and item is not None and request.method == "GET":
        form.keep_file.data = item.file_name
    if form.validate_on_submit():
        back = url_for("admin.profile_country", iso2=country.iso2.lower())
        try:
            with refusals(back, form=True):
                change = profile_content.propose(
                    current_user,
                    country.id,
                    kind,
                    "edit" if item else "add",
                    _payload(form, kind),
                    target_id=item.id if item else None,
                    submit=request.form.get("then") == "submit",
                )
        except ValidationError as error:
            apply_errors(form, error, fallback="file" if kind == "resource" else None)
        else:
            flash(_("Your change is saved."), "success")
            return redirect(url_for("admin.change_detail", change_id=change.id), 303)
    return render_template(
        "admin/profile_form.html", form=form, country=country, kind=kind, item=item,
        kinds=KIND_LABELS, change=None,
    )  # fmt: skip


@bp.route("/profile/<iso2>/<any(member, fact, resource, news):kind>/new", methods=["GET", "POST"])
@allows_upload(lambda: uploads.max_bytes() + 256 * 1024)
def profile_add(iso2: str, kind: str):
    return _propose_form(_country(iso2), kind)


@bp.route(
    "/profile/<iso2>/<any(member, fact, resource, news):kind>/<int:item_id>/edit",
    methods=["GET", "POST"],
)
@allows_upload(lambda: uploads.max_bytes() + 256 * 1024)
def profile_edit(iso2: str, kind: str, item_id: int):
    country = _country(iso2)
    item = db.session.get(profile_content.MODELS[kind], item_id)
    if item is None or item.country_id != country.id:
        abort(404)
    return _propose_form(country, kind, item)


@bp.route(
    "/profile/<iso2>/<any(member, fact, resource, news):kind>/<int:item_id>/remove",
    methods=["POST"],
)
def profile_remove(iso2: str, kind: str, item_id: int):
    country = _country(iso2)
    with refusals(url_for("admin.profile_country", iso2=country.iso2.lower())):
        change = profile_content.propose(
            current_user, country.id, kind, "remove", target_id=item_id, submit=True
        )
    flash(_("The removal is submitted for review."), "success")
    return redirect(url_for("admin.change_detail", change_id=change.id), 303)


@bp.route("/profile/changes/<int:change_id>")
def change_detail(change_id: int):
    return _change_page(change_id)


def _change_page(change_id: int, **context):
    with refusals(url_for("admin.profile_index")):
        change = profile_content.get(current_user, change_id)
    actions = profile_content.actions_for(current_user, change)
    context.setdefault("form", CommentForm(formdata=None))
    context.setdefault("reject_form", RejectForm(formdata=None))
    return render_template(
        "admin/change_detail.html",
        change=change,
        actions={a.value for a in actions},
        can_decide=bool(actions & DECISIONS),
        needs_supervisor=change.state == "submitted"
        and not profile_content.has_eligible_supervisor(change),
        fields=profile_content.FIELDS[change.kind],
        kinds=KIND_LABELS,
        **context,
    )


@bp.route("/profile/changes/<int:change_id>/edit", methods=["GET", "POST"])
@allows_upload(lambda: uploads.max_bytes() + 256 * 1024)
def change_edit(change_id: int):
    back = url_for("admin.change_detail", change_id=change_id)
    with refusals(back):
        change = profile_content.get(current_user, change_id)
    if change.operation == "remove":
        abort(404)
    if change.operation == "translate":
        return redirect(
            url_for(
                "admin.profile_translate", iso2=change.country.iso2.lower(), kind=change.kind,
                item_id=change.target_id, language=change.language,
            ),
            303,
        )  # fmt: skip
    form = PROFILE_FORMS[change.kind](data=change.payload if request.method == "GET" else None)
    if change.kind == "resource" and request.method == "GET":
        form.keep_file.data = change.payload.get("file_name", "")
    if form.validate_on_submit():
        try:
            with refusals(back, form=True):
                profile_content.update(
                    current_user,
                    change_id,
                    _payload(form, change.kind),
                    submit=request.form.get("then") == "submit",
                )
        except ValidationError as error:
            apply_errors(form, error, fallback="file" if change.kind == "resource" else None)
        else:
            flash(_("Your change is saved."), "success")
            return redirect(back, 303)
    return render_template(
        "admin/profile_form.html", form=form, country=change.country, kind=change.kind,
        item=None, kinds=KIND_LABELS, change=change,
    )  # fmt: skip


@bp.route(f"/profile/changes/<int:change_id>/<any({CHANGE_ACTIONS}):action>", methods=["POST"])
def change_action(change_id: int, action: str):
    back = url_for("admin.change_detail", change_id=change_id)
    return decide(
        profile_content,
        change_id,
        action,
        back,
        _change_page,
        _("Approved: the public profile shows the change."),
    )


@bp.route("/profile/changes/<int:change_id>/file")
def change_file(change_id: int):
    """The file attached to a proposed resource, for its reviewers."""
    with refusals(url_for("admin.profile_index")):
        change = profile_content.get(current_user, change_id)
    stored = change.payload.get("file_name", "") if change.kind == "resource" else ""
    opened = uploads.open_stored(stored)
    if opened is None:
        abort(404)
    name = uploads.download_name(change.payload.get("title", ""), stored)
    file_type = uploads.TYPES[stored.rsplit(".", 1)[1]]
    return send_file(
        opened, mimetype=file_type.content_type, as_attachment=True, download_name=name
    )
