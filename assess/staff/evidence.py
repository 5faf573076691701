"""A country's evidence on its staff pages: the health of every cited link (filterable by state)
and its instruments, each with its recorded life and a form to record the next step."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from ..extensions import db
from ..models import Assessment, Instrument, InstrumentEventKind
from ..queries import evidence, evidence_health
from ..queries.public import country_by_code
from ..queries.staff import country_or_404
from ..services import instruments, link_texts, links
from ..services.errors import NotFound, PermissionDenied, ServiceError
from ..services.permissions import can_read_staff, is_editor, may_vouch_for_evidence
from .blueprint import bp
from .forms import choice
from .responses import status_for

STATES = ("problems", "broken", "changed", "blocked", "unchecked", "ok")


def state_labels() -> dict[str, str]:
    return {
        "problems": _("Broken or changed"),
        "broken": _("Broken"),
        "changed": _("Changed"),
        "blocked": _("Not checked: robots.txt"),
        "unchecked": _("Not checked yet"),
        "ok": _("Working"),
        "": _("All"),
    }


class InstrumentEventForm(FlaskForm):
    """One per instrument on the page, told apart by its prefix (`form_prefix`)."""

    class Meta:
        csrf = False  # CSRFProtect checks every POST before the view; a prefix would hide it

    kind = SelectField(
        _l("What happened"),
        choices=[
            choice(InstrumentEventKind.AMENDED.value, _l("Amended")),
            choice(InstrumentEventKind.REPEALED.value, _l("Repealed")),
            choice(InstrumentEventKind.ADOPTED.value, _l("Adopted")),
        ],
    )
    dated = DateField(_l("Date"), validators=[Optional()])
    note = TextAreaField(_l("Note"))
    url = StringField(_l("Link to the text (optional)"))


def shown_state(given: str | None) -> str:
    return given if given in STATES else ""


def render_health(iso2: str, state: str, status: int = 200):
    country = country_or_404(current_user, iso2)
    return (
        render_template(
            "staff/evidence.html",
            country=country,
            rows=evidence_health.health(country.id, state or None),
            state=state,
            states=STATES,
            labels=state_labels(),
            can_vouch=may_vouch_for_evidence(current_user, country.id),
        ),
        status,
    )


@bp.get("/countries/<iso2>/evidence")
@login_required
def evidence_health_page(iso2: str):
    return render_health(iso2, shown_state(request.args.get("state")))


@bp.post("/countries/<iso2>/evidence/<int:check_id>/checked")
@login_required
def acknowledge_link(iso2: str, check_id: int):
    """Mark a changed link as checked; back to the page as it was filtered."""
    country = country_by_code(iso2)
    if country is None:
        abort(404)
    state = shown_state(request.form.get("state"))
    try:
        links.acknowledge(current_user, country.id, check_id, request.form.get("seen", ""))
    except PermissionDenied:
        abort(403)
    except ServiceError as error:
        flash(str(error), "error")
        return render_health(iso2, state, 404 if isinstance(error, NotFound) else 409)
    flash(_("Marked as checked: later checks compare the link with its content as it is now."))
    target = url_for("staff.evidence_health_page", iso2=iso2.lower(), state=state or None)
    return redirect(target, 303)


@bp.get("/countries/<iso2>/evidence/<int:check_id>/changes")
@login_required
def link_changes(iso2: str, check_id: int):
    """What a changed link's page says now against what it said when last accepted."""
    country = country_or_404(current_user, iso2)
    try:
        change = link_texts.what_changed(current_user, country.id, check_id)
    except NotFound:
        abort(404)
    return render_template(
        "staff/link_changes.html",
        country=country,
        change=change,
        can_vouch=may_vouch_for_evidence(current_user, country.id),
    )


def form_prefix(instrument_id: int) -> str:
    return f"i{instrument_id}"


def render_instruments(iso2: str, form=None, form_for: int | None = None, status: int = 200):
    country = country_or_404(current_user, iso2)
    found = instruments.country_instruments(country.id)
    outdated = evidence.outdated(Assessment.country_id == country.id)
    return (
        render_template(
            "staff/instruments.html",
            country=country,
            instruments=found,
            lives=evidence.lives([i.id for i in found]),
            outdated=outdated,
            can_edit=is_editor(current_user, country.id),
            form=form,
            form_for=form_for,
            blank=lambda instrument_id: InstrumentEventForm(
                formdata=None, prefix=form_prefix(instrument_id)
            ),
        ),
        status,
    )


@bp.get("/countries/<iso2>/instruments")
@login_required
def instrument_list(iso2: str):
    return render_instruments(iso2)


@bp.post("/instruments/<int:instrument_id>/events")
@login_required
def record_instrument_event(instrument_id: int):
    form = InstrumentEventForm(prefix=form_prefix(instrument_id))
    instrument = db.session.get(Instrument, instrument_id)
    if instrument is None or not can_read_staff(current_user, instrument.country_id):
        abort(404)
    if not is_editor(current_user, instrument.country_id):
        abort(403)  # the service refuses it too
    iso2 = instrument.country.iso2.lower()
    if not form.validate_on_submit():
        form.dated.errors = [_("Give the date, e.g. 2024-03-31.")] if form.dated.errors else []
        return render_instruments(iso2, form, instrument_id, 422)
    given = instruments.EventInput(
        kind=form.kind.data or "",
        dated=form.dated.data,
        note=form.note.data or "",
        url=form.url.data or "",
    )
    try:
        instruments.record_event(current_user, instrument_id, given)
    except ServiceError as error:
        for name, messages in getattr(error, "errors", {}).items():
            getattr(form, name).errors = list(messages)
        return render_instruments(iso2, form, instrument_id, status_for(error))
    flash(_("Recorded. Assessments citing it before this date are marked for re-review."))
    return redirect(url_for("staff.instrument_list", iso2=iso2) + f"#instrument-{instrument_id}")
