"""A country's staff page: each indicator, its published finding and open work; start a draft."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..extensions import db
from ..models import Assessment, Indicator
from ..queries import evidence, evidence_health
from ..queries import public as queries
from ..queries.cycles import open_cycles_of
from ..queries.staff import country_or_404, country_rows
from ..search import names
from ..services import assessments
from ..services.errors import ServiceError
from ..services.permissions import is_editor, is_supervisor
from .blueprint import bp
from .responses import status_for


@bp.get("/countries")
@login_required
def country_jump():
    """The country chooser on the home page (a GET form, no script needed): a code, or a name
    in any interface language; several matches are listed to choose from."""
    asked = request.args.get("iso2", "").strip()[:100]
    country = queries.country_by_code(asked)
    if country is None:
        matches = names.countries(asked, queries.countries())
        best = [m for m in matches if m.rank == 0] or matches
        if len(best) > 1:
            return render_template("staff/country_choices.html", asked=asked, matches=matches)
        country = best[0].country if best else None
    if country is None:
        flash(_("No country has the code or name “%(code)s”.", code=asked[:40]), "error")
        return redirect(url_for("staff.home"))
    return redirect(url_for("staff.country", iso2=country.iso2.lower()))


@bp.get("/countries/<iso2>")
@login_required
def country(iso2: str):
    return render_country(iso2)


def render_country(iso2: str, message: str | None = None, status: int = 200):
    found = country_or_404(current_user, iso2)
    return (
        render_template(
            "staff/country.html",
            country=found,
            rows=country_rows(found),
            can_edit=is_editor(current_user, found.id),
            supervises=is_supervisor(current_user, found.id),
            cycles=open_cycles_of(found.id),
            message=message,
            rereview=evidence.outdated_assessments(Assessment.country_id == found.id),
            link_problems=evidence_health.problem_counts({found.id}).get(found.id),
        ),
        status,
    )


@bp.post("/countries/<iso2>/<slug>/start")
@login_required
def start(iso2: str, slug: str):
    found = country_or_404(current_user, iso2)
    indicator = db.session.scalar(select(Indicator).where(Indicator.slug == slug))
    if indicator is None:
        abort(404)
    try:
        version = assessments.start_draft(current_user, found.id, indicator.id)
    except ServiceError as error:
        return render_country(iso2, str(error), status_for(error))
    if version.base_version_id is None:
        flash(_("Draft started. Nothing is public until it is approved."))
    else:
        flash(
            _("Draft started from the published version. Nothing is public until it is approved.")
        )
    return redirect(url_for("staff.version", version_id=version.id))
