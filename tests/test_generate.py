"""The scale-data generator: consistent, deterministic, and usable by the real services after."""

import pytest
from sqlalchemy import func, select

from assess.extensions import db
from assess.models import Assessment, Country, Version
from assess.services import assessments, generate

from .conftest import PG_SERVER


def test_generated_data_is_consistent_and_the_services_work_on_it(app, make_user):
    counts = generate.generate(scale=2, seed=7, open_share=0.2)
    countries = db.session.scalar(select(func.count()).select_from(Country))
    assert counts["assessments"] == countries * 9
    assert counts["published versions"] == countries * 9 * 2
    current = db.session.scalars(
        select(Assessment).where(Assessment.published_version_id.is_(None))
    )
    assert list(current) == []
    published_per_assessment = db.session.execute(
        select(Version.assessment_id, func.count())
        .where(Version.state == "published")
        .group_by(Version.assessment_id)
    ).all()
    assert {n for _, n in published_per_assessment} == {1}
    # The real services keep working on generated rows (ids and sequences are consistent).
    supervisor = make_user("supervisor")
    assessment = db.session.scalar(
        select(Assessment)
        .where(~Assessment.versions.any(Version.state.in_(["draft", "submitted"])))
        .limit(1)
    )
    reviewer = make_user("reviewer")
    draft = assessments.start_draft(reviewer, assessment.country_id, assessment.indicator_id)
    assessments.submit(reviewer, draft.id)
    published = assessments.approve(supervisor, draft.id)
    assert published.number == 3


def _generated_statuses(template, path, seed):
    import shutil

    from assess import create_app

    from .conftest import base_config

    shutil.copy(template, path)
    other = create_app(base_config(f"sqlite:///{path}", ""))
    with other.app_context():
        generate.add_indicators(12)
        generate.generate(scale=2, seed=seed, countries=20)
        statuses = db.session.scalars(select(Version.status).order_by(Version.id)).all()
        db.engine.dispose()
    return statuses


@pytest.mark.skipif(PG_SERVER is not None, reason="compares two SQLite copies")
def test_generation_is_deterministic(template_database, tmp_path):
    first = _generated_statuses(template_database, tmp_path / "a.sqlite", seed=3)
    second = _generated_statuses(template_database, tmp_path / "b.sqlite", seed=3)
    other = _generated_statuses(template_database, tmp_path / "c.sqlite", seed=4)
    assert len(first) >= 20 * 12 * 2
    assert first == second
    assert first != other
