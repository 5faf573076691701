"""A translator's form for one profile item (member, fact, resource, news item) in one language;
the translation is a profile change reviewed like any other (`admin/profile.py`)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import translated
from ..extensions import db
from ..models import ProfileChange
from ..queries import public as queries
from ..services import profile_content, profile_translations
from ..services.errors import ValidationError
from ..services.permissions import may_read
from ..workflow import EDITABLE_STATES, State
from .blueprint import bp
from .common import apply_errors, refusals
from .forms import ContentTranslationForm
from .profile import KIND_LABELS


def _open_change(kind: str, item_id: int, language: str) -> ProfileChange | None:
    """The open translation of this item into this language, if one is being worked on."""
    open_states = [s.value for s in (*EDITABLE_STATES, State.SUBMITTED)]
    return db.session.scalar(
        select(ProfileChange)
        .where(
            ProfileChange.kind == kind,
            ProfileChange.target_id == item_id,
            ProfileChange.operation == "translate",
            ProfileChange.language == language,
            ProfileChange.state.in_(open_states),
        )
        .order_by(ProfileChange.id.desc())
        .limit(1)
    )


@bp.route(
    "/profile/<iso2>/<any(member, fact, resource, news):kind>/<int:item_id>/translate/<language>",
    methods=["GET", "POST"],
)
def profile_translate(iso2: str, kind: str, item_id: int, language: str):
    country = queries.country_by_code(iso2)
    if country is None or language not in profile_translations.languages():
        abort(404)
    if not may_read(current_user, ProfileChange, country.id):
        abort(403)
    item = db.session.get(profile_content.MODELS[kind], item_id)
    if item is None or item.country_id != country.id:
        abort(404)
    held = _open_change(kind, item_id, language)
    if held is not None and held.state == State.SUBMITTED.value:
        flash(_("This translation is submitted for review; withdraw it to edit it again."), "error")
        return redirect(url_for("admin.change_detail", change_id=held.id), 303)
    fields = profile_translations.TRANSLATABLE[kind]
    form = ContentTranslationForm()
    if form.validate_on_submit():
        payload = {name: form[name].data or "" for name in fields}
        payload[profile_translations.CONFIRMED] = request.form.getlist("confirmed")
        submit = request.form.get("then") == "submit"
        back = url_for(
            "admin.profile_translate", iso2=iso2, kind=kind, item_id=item_id, language=language
        )
        try:
            with refusals(back, form=True):
                if held is not None:
                    change = profile_content.update(current_user, held.id, payload, submit=submit)
                else:
                    change = profile_content.propose(
                        current_user, country.id, kind, "translate", payload,
                        target_id=item_id, submit=submit, language=language,
                    )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("Your translation is saved."), "success")
            return redirect(url_for("admin.change_detail", change_id=change.id), 303)
    elif request.method == "GET":
        for name in fields:
            form[name].data = (
                held.payload.get(name, "")
                if held
                else translated.entry(item.translations, language, name).get("text", "")
            )
    return render_template(
        "admin/profile_translate.html",
        form=form,
        country=country,
        kind=kind,
        kinds=KIND_LABELS,
        item=item,
        language=language,
        fields=fields,
        held=held,
        standings={
            name: translated.standing(item.translations, language, name, getattr(item, name) or "")
            for name in fields
        },
        previous={name: translated.entry(item.translations, language, name) for name in fields},
    )
