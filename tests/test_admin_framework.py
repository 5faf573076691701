"""The indicator framework's structure: add (reviewed), reorder, retire, restore; the revision
number and its audit. Changing an indicator's text is tested in test_framework_revisions.py."""

import pytest
from sqlalchemy import select

from assess.extensions import db
from assess.models import Assessment, Country, Indicator, Version
from assess.queries import public as queries
from assess.services import assessments, framework, framework_revisions
from assess.services.content import VersionContent
from assess.services.errors import PermissionDenied

from .admin_helpers import audit_actions, page


def _slugs() -> list[str]:
    return [i.slug for i in queries.active_indicators()]


def test_an_added_indicator_joins_the_framework_when_a_supervisor_approves_it(
    client, auth, make_user
):
    auth.login(make_user("admin"))
    before = framework_revisions.current_revision()
    response = client.post_form(
        "/admin/indicators/new",
        {"title": "Online Grooming Offence", "slug": "", "definition": "Is grooming a crime?",
         "rubric_yes": "Criminalised online and offline.", "rubric_partial": "Offline only.",
         "rubric_no": "Not criminalised."},
        follow_redirects=True,
    )  # fmt: skip
    assert "Online Grooming Offence is submitted for review" in page(response)
    assert "New: awaiting approval" in page(response)
    indicator = db.session.scalar(
        select(Indicator).where(Indicator.slug == "online-grooming-offence")
    )
    assert indicator.rubric_partial == "Offline only."
    assert "online-grooming-offence" not in _slugs()
    assert client.get("/indicators/online-grooming-offence").status_code == 404
    assert framework_revisions.current_revision() == before + 1
    assert "add_indicator" in audit_actions(object_type="indicator", object_id=indicator.id)
    [revision] = framework_revisions.open_by_indicator()[indicator.id]
    assert revision.state == "submitted"

    auth.logout()
    auth.login(make_user("supervisor"))
    client.post_form(f"/admin/framework/revisions/{revision.id}/approve")
    assert _slugs()[-1] == "online-grooming-offence"
    assert "Criminalised online and offline." in page(client.get("/methodology"))
    assert framework_revisions.current_revision() == before + 2


def test_a_bad_or_taken_slug_is_refused_on_the_form(client, auth, make_user):
    auth.login(make_user("admin"))
    taken = client.post_form("/admin/indicators/new", {"title": "Again", "slug": "age-of-consent"})
    assert "The slug age-of-consent is taken." in page(taken)
    bad = client.post_form("/admin/indicators/new", {"title": "Bad", "slug": "Not A Slug!"})
    assert "Use lower-case letters" in page(bad)
    assert len(_slugs()) == 9


def test_new_wording_never_changes_the_slug(client, auth, make_user):
    auth.login(make_user("admin"))
    indicator = db.session.scalar(select(Indicator).where(Indicator.slug == "csam-definition"))
    form = page(client.get(f"/admin/indicators/{indicator.id}/edit"))
    assert "Slug: csam-definition" in form
    client.post_form(
        f"/admin/indicators/{indicator.id}/edit",
        {"title": "CSAM Definition", "slug": "hacked", "definition": "New definition.",
         "rubric_yes": indicator.rubric_yes, "rubric_partial": indicator.rubric_partial,
         "rubric_no": indicator.rubric_no, "then": "submit"},
    )  # fmt: skip
    auth.logout()
    auth.login(make_user("supervisor"))
    [revision] = framework_revisions.open_by_indicator()[indicator.id]
    client.post_form(f"/admin/framework/revisions/{revision.id}/approve")
    db.session.refresh(indicator)
    assert indicator.definition == "New definition."
    assert indicator.slug == "csam-definition"
    [event] = [e for e in indicator_events(indicator.id) if e.action == "revise_indicator"]
    assert event.details["changes"] == ["definition"]


def indicator_events(indicator_id):
    from assess.models import AuditEvent

    return list(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_type == "indicator", AuditEvent.object_id == indicator_id
            )
        )
    )


def test_reordering_moves_an_indicator_and_bumps_the_revision(client, auth, make_user):
    auth.login(make_user("admin"))
    second = db.session.scalar(select(Indicator).where(Indicator.slug == _slugs()[1]))
    before = framework_revisions.current_revision()
    client.post_form(f"/admin/indicators/{second.id}/move", {"to": "up"})
    assert _slugs()[:2] == ["extraterritoriality-extradition", "age-of-consent"]
    client.post_form(f"/admin/indicators/{second.id}/move", {"to": "down"})
    assert _slugs()[:2] == ["age-of-consent", "extraterritoriality-extradition"]
    assert framework_revisions.current_revision() == before + 2
    listing = page(client.get("/admin/indicators/"))
    assert listing.index("Age of Consent") < listing.index("Extraterritoriality")


def test_a_retired_indicator_leaves_profiles_but_keeps_its_history(
    client, auth, make_user, demo_data
):
    kz = db.session.scalar(select(Country).where(Country.iso2 == "KZ"))
    indicator = db.session.scalar(select(Indicator).where(Indicator.slug == "age-of-consent"))
    assert "Age of Consent" in page(client.get("/countries/kz"))
    auth.login(make_user("admin"))
    response = client.post_form(f"/admin/indicators/{indicator.id}/retire", follow_redirects=True)
    assert "leaves the public profiles" in page(response)
    assert "Age of Consent" not in page(client.get("/countries/kz"))
    assessment = db.session.scalar(
        select(Assessment).where(
            Assessment.country_id == kz.id, Assessment.indicator_id == indicator.id
        )
    )
    assert assessment.published_version.status == "partial"
    assert "Retired" in page(client.get("/admin/indicators/"))
    client.post_form(f"/admin/indicators/{indicator.id}/restore")
    assert "Age of Consent" in page(client.get("/countries/kz"))
    assert _slugs()[-1] == "age-of-consent"
    actions = audit_actions(object_type="indicator", object_id=indicator.id)
    assert actions == ["retire_indicator", "restore_indicator"]


def test_a_published_version_records_the_framework_revision(make_user, demo_data):
    admin = make_user("admin")
    reviewer = make_user("reviewer", ["KZ"])
    supervisor = make_user("supervisor", ["KZ"])
    global_supervisor = make_user("supervisor")
    first = db.session.scalar(select(Version).where(Version.state == "published"))
    assert first.framework_revision == 1
    indicator = db.session.scalar(select(Indicator).where(Indicator.slug == "csam-definition"))
    texts = {"title": "CSAM Definition (2026)", "definition": indicator.definition}
    revision = framework_revisions.propose(
        admin, indicator.id, "source", framework_revisions.RevisionInput(texts), submit=True
    )
    framework_revisions.approve(global_supervisor, revision.id)
    kz = db.session.scalar(select(Country).where(Country.iso2 == "KZ"))
    draft = assessments.start_draft(reviewer, kz.id, indicator.id)
    content = VersionContent(status="yes", analysis="Defined in Article 1.")
    draft = assessments.save(reviewer, draft.id, content, draft.row_version)
    assessments.submit(reviewer, draft.id)
    published = assessments.approve(supervisor, draft.id)
    assert db.session.get(Version, published.id).framework_revision == 2
    assert db.session.get(Version, published.id).indicator_revision_id == revision.id


def test_only_admins_change_the_framework(make_user):
    supervisor = make_user("supervisor")
    with pytest.raises(PermissionDenied):
        framework.add(supervisor, framework.IndicatorInput(title="X"))
    indicator = db.session.scalar(select(Indicator))
    with pytest.raises(PermissionDenied):
        framework.retire(supervisor, indicator.id)
    assert framework_revisions.current_revision() == 1
