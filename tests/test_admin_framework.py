"""The indicator framework: add, edit, reorder, retire, restore; revisions and their audit."""

import pytest
from sqlalchemy import select

from assess.extensions import db
from assess.models import Assessment, Country, Indicator, Version
from assess.queries import public as queries
from assess.services import assessments, framework
from assess.services.content import VersionContent
from assess.services.errors import PermissionDenied

from .admin_helpers import audit_actions, page


def _slugs() -> list[str]:
    return [i.slug for i in queries.active_indicators()]


def test_admin_adds_an_indicator_at_the_end(client, auth, make_user):
    auth.login(make_user("admin"))
    before = framework.current_revision()
    response = client.post_form(
        "/admin/indicators/new",
        {"title": "Online Grooming Offence", "slug": "", "definition": "Is grooming a crime?",
         "rubric_yes": "Criminalised online and offline.", "rubric_partial": "Offline only.",
         "rubric_no": "Not criminalised."},
        follow_redirects=True,
    )  # fmt: skip
    assert "Online Grooming Offence is added to the framework." in page(response)
    assert _slugs()[-1] == "online-grooming-offence"
    indicator = db.session.scalar(
        select(Indicator).where(Indicator.slug == "online-grooming-offence")
    )
    assert indicator.rubric_partial == "Offline only."
    assert framework.current_revision() == before + 1
    assert "add_indicator" in audit_actions(object_type="indicator", object_id=indicator.id)


def test_a_bad_or_taken_slug_is_refused_on_the_form(client, auth, make_user):
    auth.login(make_user("admin"))
    taken = client.post_form("/admin/indicators/new", {"title": "Again", "slug": "age-of-consent"})
    assert "The slug age-of-consent is taken." in page(taken)
    bad = client.post_form("/admin/indicators/new", {"title": "Bad", "slug": "Not A Slug!"})
    assert "Use lower-case letters" in page(bad)
    assert len(_slugs()) == 9


def test_editing_changes_text_but_never_the_slug(client, auth, make_user):
    auth.login(make_user("admin"))
    indicator = db.session.scalar(select(Indicator).where(Indicator.slug == "csam-definition"))
    form = page(client.get(f"/admin/indicators/{indicator.id}/edit"))
    assert "Slug: csam-definition" in form
    client.post_form(
        f"/admin/indicators/{indicator.id}/edit",
        {"title": "CSAM Definition", "slug": "hacked", "definition": "New definition.",
         "rubric_yes": indicator.rubric_yes, "rubric_partial": indicator.rubric_partial,
         "rubric_no": indicator.rubric_no},
    )  # fmt: skip
    db.session.refresh(indicator)
    assert indicator.definition == "New definition."
    assert indicator.slug == "csam-definition"
    [event] = [e for e in indicator_events(indicator.id) if e.action == "edit_indicator"]
    assert set(event.details["changes"]) == {"definition"}


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
    before = framework.current_revision()
    client.post_form(f"/admin/indicators/{second.id}/move", {"to": "up"})
    assert _slugs()[:2] == ["extraterritoriality-extradition", "age-of-consent"]
    client.post_form(f"/admin/indicators/{second.id}/move", {"to": "down"})
    assert _slugs()[:2] == ["age-of-consent", "extraterritoriality-extradition"]
    assert framework.current_revision() == before + 2
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
    first = db.session.scalar(select(Version).where(Version.state == "published"))
    assert first.framework_revision == 1
    indicator = db.session.scalar(select(Indicator).where(Indicator.slug == "csam-definition"))
    framework.edit(admin, indicator.id, framework.IndicatorInput(title="CSAM Definition (2026)"))
    kz = db.session.scalar(select(Country).where(Country.iso2 == "KZ"))
    draft = assessments.start_draft(reviewer, kz.id, indicator.id)
    content = VersionContent(status="yes", analysis="Defined in Article 1.")
    draft = assessments.save(reviewer, draft.id, content, draft.row_version)
    assessments.submit(reviewer, draft.id)
    published = assessments.approve(supervisor, draft.id)
    assert db.session.get(Version, published.id).framework_revision == 2


def test_only_admins_change_the_framework(make_user):
    supervisor = make_user("supervisor")
    with pytest.raises(PermissionDenied):
        framework.add(supervisor, framework.IndicatorInput(title="X"))
    indicator = db.session.scalar(select(Indicator))
    with pytest.raises(PermissionDenied):
        framework.retire(supervisor, indicator.id)
    assert framework.current_revision() == 1
