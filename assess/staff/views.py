from collections import Counter

from flask import render_template
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Assessment, Country, Version
from ..queries import evidence, evidence_health
from ..queries.cycles import assignments_of
from ..services.permissions import country_scope, is_admin, sees_dashboard
from ..workflow import OPEN_STATES
from .blueprint import bp


@bp.route("/")
@login_required
def home():
    scope = country_scope(current_user)
    countries_query = select(Country).order_by(Country.name)
    work_query = (
        select(Version)
        .join(Version.assessment)
        .where(Version.state.in_([s.value for s in OPEN_STATES]))
        .options(
            joinedload(Version.assessment).joinedload(Assessment.country),
            joinedload(Version.assessment).joinedload(Assessment.indicator),
            joinedload(Version.created_by),
        )
        .order_by(Version.updated_at.desc())
        .limit(50)
    )
    if scope is not None:
        countries_query = countries_query.where(Country.id.in_(scope))
        work_query = work_query.where(Assessment.country_id.in_(scope))
    countries = list(db.session.scalars(countries_query)) if scope is not None else []
    work = list(db.session.scalars(work_query)) if scope is None or scope else []
    return render_template(
        "staff/home.html",
        countries=countries,
        all_countries=scope is None,
        work=work,
        is_admin=is_admin(current_user),
        assignments=assignments_of(current_user),
        sees_dashboard=sees_dashboard(current_user),
        evidence=evidence_overview(scope) if scope is None or scope else [],
    )


def evidence_overview(scope: set[int] | None) -> list[tuple[Country, int, int, int]]:
    """(country, broken links, changed links, assessments needing re-review) for the countries
    of `scope` (None: all) with any of them: the supervisor's dashboard."""
    conditions = [] if scope is None else [Assessment.country_id.in_(scope)]
    problems = evidence_health.problem_counts(scope)
    rereview = Counter(
        db.session.scalars(
            select(Assessment.country_id).where(
                Assessment.id.in_(evidence.outdated_assessments(*conditions))
            )
        )
    )
    ids = set(problems) | set(rereview)
    if not ids:
        return []
    found = db.session.scalars(select(Country).where(Country.id.in_(ids)).order_by(Country.name))
    return [
        (
            country,
            problems.get(country.id, Counter())["broken"],
            problems.get(country.id, Counter())["changed"],
            rereview[country.id],
        )
        for country in found
    ]
