"""Suggest a correction: the public form on every assessment, and its thank-you page.

A blueprint of its own, outside the public pages' caching: the form carries a CSRF token tied to
the visitor's session, so it must never be stored and served to someone else."""

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import EmailField, StringField, TextAreaField

from ..admin.common import allows_upload
from ..queries import public as queries
from ..rendering import reply_role_label
from ..services import suggestions, uploads
from ..services.errors import ValidationError

bp = Blueprint("talkback", __name__)
KEPT_REFERENCE = "suggestion_reference"  # the session's last reference, for the thank-you page
bp.add_app_template_global(reply_role_label)


class SuggestionForm(FlaskForm):
    what_is_wrong = TextAreaField(_l("What is wrong?"))
    evidence_links = TextAreaField(_l("Evidence: links (optional)"))
    file = FileField(_l("Evidence: a file (optional)"))
    email = EmailField(_l("Your e-mail address (optional)"))
    # The honeypot: hidden from sight, labelled for screen readers; people leave it empty.
    website = StringField(_l("Leave this field empty"))


def _assessment_or_404(iso2: str, slug: str) -> queries.History:
    country = queries.country_by_code(iso2)
    indicator = queries.indicator_by_slug(slug)
    if country is None or indicator is None or iso2 != iso2.lower():
        abort(404)
    history = queries.history(country, indicator)
    if indicator.is_retired and not history.versions:
        abort(404)
    return history


def _client_address() -> str:
    return (request.remote_addr or "unknown")[:64]


def _file_types() -> str:
    return ", ".join(t.label for t in uploads.TYPES.values())


def _render(history: queries.History, form: SuggestionForm, status: int = 200, **context):
    context.setdefault("message", None)
    response = current_app.make_response(
        (
            render_template(
                "public/suggest.html",
                history=history,
                form=form,
                file_types=_file_types(),
                file_mb=suggestions.file_max_bytes() // (1024 * 1024),
                **context,
            ),
            status,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/countries/<iso2>/<slug>/suggest", methods=["GET", "POST"])
@allows_upload(lambda: suggestions.file_max_bytes() + 256 * 1024)
def suggest(iso2: str, slug: str):
    history = _assessment_or_404(iso2, slug)
    form = SuggestionForm()
    if request.method == "GET":
        return _render(history, form)
    upload = form.file.data
    has_file = bool(upload and upload.filename)
    data = suggestions.SuggestionInput(
        what_is_wrong=form.what_is_wrong.data or "",
        evidence_links=form.evidence_links.data or "",
        email=form.email.data or "",
        file_name=upload.filename if has_file else "",
        file_data=upload.read() if has_file else b"",
        honeypot=form.website.data or "",
    )
    try:
        suggestion = suggestions.suggest(
            history.country.id,
            history.indicator.id,
            data,
            address=_client_address(),
            language=str(get_locale()),
            version_number=history.current.number if history.current else None,
        )
    except ValidationError as error:
        for name, messages in error.errors.items():
            field = getattr(form, name, None)
            if field is not None:
                field.errors = [*field.errors, *messages]
        return _render(history, form, 422, message=str(error))
    except suggestions.TooManySuggestions as error:
        return _render(history, form, 429, message=str(error))
    session[KEPT_REFERENCE] = [suggestion.reference, bool(suggestion.email)]
    return redirect(url_for("talkback.thanks", iso2=iso2, slug=slug), 303)


@bp.get("/countries/<iso2>/<slug>/suggest/thanks")
def thanks(iso2: str, slug: str):
    history = _assessment_or_404(iso2, slug)
    kept = session.get(KEPT_REFERENCE)
    if not kept:
        return redirect(url_for("talkback.suggest", iso2=iso2, slug=slug))
    reference, mailed = kept
    response = current_app.make_response(
        render_template(
            "public/suggest_thanks.html", history=history, reference=reference, mailed=mailed
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response
