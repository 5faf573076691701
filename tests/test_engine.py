"""The review engine shared by every reviewable item: one refusal vocabulary, translated; the
eligible-supervisor and grant-covers-country rules mean the same in Python and in SQL; the
workflow rules that used to live in views (unchanged save, save and submit) hold in the service."""

from dataclasses import replace

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from assess.extensions import db
from assess.models import AuditEvent, Country, Indicator, ProfileChange, RoleGrant, Version
from assess.services import assessments, profile_content
from assess.services.content import content_of
from assess.services.errors import FourEyes, NotNow, NotPermitted, ValidationError
from assess.services.permissions import (
    eligible_supervisors,
    eligible_supervisors_sql,
    grant_covers,
    grant_covers_sql,
)
from assess.workflow import State

from .review_support import AGE, user


def _country(iso2: str) -> Country:
    return db.session.scalar(select(Country).where(Country.iso2 == iso2))


def _events(version_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "version", AuditEvent.object_id == version_id)
            .order_by(AuditEvent.id)
        )
    )


def _draft(demo_data) -> Version:
    """A new draft of the demo's published age-of-consent assessment, by the demo reviewer."""
    age = db.session.scalar(select(Indicator).where(Indicator.slug == AGE))
    return assessments.start_draft(user("reviewer@example.org"), _country("KZ").id, age.id)


def test_an_unchanged_save_records_nothing(demo_data):
    draft = _draft(demo_data)
    before = _events(draft.id)
    saved = assessments.save(
        user("reviewer@example.org"), draft.id, content_of(draft), draft.row_version
    )
    assert saved.row_version == draft.row_version == 1
    assert _events(draft.id) == before == ["start"]
    changed = replace(content_of(draft), analysis="New words.")
    assessments.save(user("reviewer@example.org"), draft.id, changed, 1)
    assert _events(draft.id) == ["start", "save"]
    assert db.session.get(Version, draft.id).row_version == 2


def test_save_and_submit_is_one_transaction(demo_data):
    draft = _draft(demo_data)
    reviewer = user("reviewer@example.org")
    incomplete = replace(content_of(draft), status="not_assessed", analysis="Typed, not kept.")
    with pytest.raises(ValidationError) as refused:
        assessments.save_and_submit(reviewer, draft.id, incomplete, draft.row_version)
    assert "status" in refused.value.errors
    db.session.expire_all()
    stored = db.session.get(Version, draft.id)
    assert (stored.state, stored.row_version) == ("draft", 1)
    assert stored.analysis != "Typed, not kept."
    assert _events(draft.id) == ["start"]
    complete = replace(content_of(stored), analysis="Typed and submitted.")
    assessments.save_and_submit(reviewer, draft.id, complete, stored.row_version)
    db.session.expire_all()
    stored = db.session.get(Version, draft.id)
    assert (stored.state, stored.analysis) == ("submitted", "Typed and submitted.")
    assert stored.submitted_row_version == stored.row_version == 2
    assert _events(draft.id) == ["start", "save", "submit"]


@pytest.fixture
def team(app, make_user):
    return {
        "reviewer": make_user("reviewer", ["KZ"]),
        "supervisor": make_user("supervisor", ["KZ"]),
        "global": make_user("supervisor"),
        "elsewhere": make_user("supervisor", ["UZ"]),
    }


def test_profile_change_refusals_reach_french_users_in_french(team):
    kz = _country("KZ")
    change = profile_content.propose(
        team["supervisor"], kz.id, "fact", "add", {"text": "A fact."}, submit=True
    )
    with force_locale("fr"), pytest.raises(FourEyes) as four_eyes:
        profile_content.approve(team["supervisor"], change.id)
    assert str(four_eyes.value).startswith("Vous avez contribué à cette modification")
    with force_locale("fr"), pytest.raises(NotPermitted) as not_permitted:
        profile_content.approve(team["reviewer"], change.id)
    assert str(not_permitted.value) == "Vous ne pouvez pas approuver cette modification."
    with force_locale("fr"), pytest.raises(NotNow) as not_now:
        profile_content.update(team["supervisor"], change.id, {"text": "Changed."})
    assert "soumise à relecture" in str(not_now.value)
    assert db.session.get(ProfileChange, change.id).state == State.SUBMITTED.value


def test_a_profile_change_is_updated_and_submitted_at_once(team):
    kz = _country("KZ")
    change = profile_content.propose(team["reviewer"], kz.id, "fact", "add", {"text": "Draft."})
    profile_content.update(team["reviewer"], change.id, {"text": "Final."}, submit=True)
    stored = db.session.get(ProfileChange, change.id)
    assert (stored.state, stored.payload) == ("submitted", {"text": "Final."})


def _sql_eligible(item) -> set[int]:
    contributors = type(item).contributors_sql(item.id)
    return set(db.session.scalars(eligible_supervisors_sql(item.review_country_id, contributors)))


def test_eligible_supervisors_mean_the_same_in_python_and_sql(team):
    kz = _country("KZ")
    change = profile_content.propose(
        team["supervisor"], kz.id, "fact", "add", {"text": "A fact."}, submit=True
    )
    assert eligible_supervisors(change) == _sql_eligible(change) == {team["global"].id}
    team["global"].active = False
    db.session.commit()
    assert eligible_supervisors(change) == _sql_eligible(change) == set()
    by_reviewer = profile_content.propose(
        team["reviewer"], kz.id, "fact", "add", {"text": "Another."}, submit=True
    )
    expected = {team["supervisor"].id}
    assert eligible_supervisors(by_reviewer) == _sql_eligible(by_reviewer) == expected


@pytest.mark.parametrize("iso2", ["KZ", "UZ", "FR"])
def test_grant_covers_means_the_same_in_python_and_sql(team, iso2):
    country = _country(iso2)
    grants = list(db.session.scalars(select(RoleGrant)))
    in_python = {grant.id for grant in grants if grant_covers(grant, country.id)}
    in_sql = set(db.session.scalars(select(RoleGrant.id).where(grant_covers_sql(country.id))))
    as_collection = set(
        db.session.scalars(select(RoleGrant.id).where(grant_covers_sql({country.id})))
    )
    assert in_python == in_sql == as_collection
    assert team["global"].id in {
        db.session.get(RoleGrant, grant_id).user_id for grant_id in in_python
    }


def test_only_the_engine_builds_an_actor():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "assess"
    builders = [
        path.relative_to(root).as_posix()
        for path in root.rglob("*.py")
        if "Actor(" in path.read_text() and path.name != "workflow.py"
    ]
    assert builders == ["services/engine.py"]


def test_a_supervisor_of_another_country_is_never_eligible(team):
    change = profile_content.propose(
        team["reviewer"], _country("KZ").id, "fact", "add", {"text": "Checked."}, submit=True
    )
    assert team["elsewhere"].id not in eligible_supervisors(change) | _sql_eligible(change)
