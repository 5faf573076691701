"""The framework under review: an indicator's wording changes only through a reviewed revision,
every revision's full text is kept, the public methodology changes page lists each approved
one with what changed, and every published finding names the wording it was assessed under."""

import re

import pytest
from sqlalchemy import select

from assess.extensions import db
from assess.messages import notification_text
from assess.models import Indicator, IndicatorRevision, Notification, Version
from assess.services import framework_revisions, grants
from assess.services.errors import FourEyes, ItemNotFound, PermissionDenied

from .admin_helpers import page
from .publishing import FULL, publish

SLUG = "age-of-consent"
NEW_PARTIAL = "The law sets an age of consent, but allows marriage or exceptions below it."


def _indicator() -> Indicator:
    return db.session.scalar(select(Indicator).where(Indicator.slug == SLUG))


def _propose_partial(client, text=NEW_PARTIAL, then="submit"):
    indicator = _indicator()
    return client.post_form(
        f"/admin/indicators/{indicator.id}/edit",
        {"title": indicator.title, "definition": indicator.definition,
         "rubric_yes": indicator.rubric_yes, "rubric_partial": text,
         "rubric_no": indicator.rubric_no, "then": then},
        follow_redirects=True,
    )  # fmt: skip


def _open(scope="source") -> IndicatorRevision:
    revision = framework_revisions.open_revision(_indicator().id, scope)
    assert revision is not None
    return revision


@pytest.fixture
def people(make_user):
    return {
        "admin": make_user("admin", email="fw-admin@example.org", name="Ada Admin"),
        "supervisor": make_user("supervisor", email="fw-global@example.org", name="Marc Global"),
        "kz_supervisor": make_user("supervisor", ["KZ"], email="fw-kz@example.org"),
        "reviewer": make_user("reviewer", ["KZ"], email="fw-reviewer@example.org"),
    }


def test_a_rubric_change_waits_for_a_second_person(client, auth, people):
    old_partial = _indicator().rubric_partial
    auth.login(people["admin"])
    response = _propose_partial(client)
    assert "Awaiting review" in page(response)
    assert "<del>" in page(response) and NEW_PARTIAL.split()[-1] in page(response)
    # Nothing public changed, and the text in force is still the old one.
    assert _indicator().rubric_partial == old_partial
    assert NEW_PARTIAL not in page(client.get(f"/indicators/{SLUG}"))
    revision = _open()
    # The author cannot approve it, even holding the supervisor role too (four eyes).
    with pytest.raises(PermissionDenied):
        framework_revisions.approve(people["admin"], revision.id)
    auth.logout()

    auth.login(people["supervisor"])
    review = page(client.get(f"/admin/framework/revisions/{revision.id}"))
    assert "Approve and publish" in review
    response = client.post_form(
        f"/admin/framework/revisions/{revision.id}/approve", follow_redirects=True
    )
    assert "Approved" in page(response)
    indicator = _indicator()
    assert indicator.rubric_partial == NEW_PARTIAL
    assert NEW_PARTIAL in page(client.get(f"/indicators/{SLUG}"))

    # The full text of both revisions is kept: a revision table, not a counter.
    revisions = list(
        db.session.scalars(
            select(IndicatorRevision)
            .where(IndicatorRevision.indicator_id == indicator.id)
            .order_by(IndicatorRevision.number)
        )
    )
    assert [(r.number, r.state) for r in revisions] == [(1, "superseded"), (2, "published")]
    assert revisions[0].rubric_partial == old_partial
    assert revisions[1].rubric_partial == NEW_PARTIAL
    assert revisions[0].title == revisions[1].title == indicator.title
    assert indicator.current_revision_id == revisions[1].id


def test_a_country_supervisor_cannot_decide_the_framework(people):
    revision = framework_revisions.propose(
        people["admin"],
        _indicator().id,
        "source",
        framework_revisions.RevisionInput({"title": "Age of Consent", "rubric_no": "None."}),
        submit=True,
    )
    with pytest.raises(ItemNotFound):
        framework_revisions.approve(people["kz_supervisor"], revision.id)
    with pytest.raises(PermissionDenied):
        framework_revisions.start(people["reviewer"], _indicator().id, "source")
    framework_revisions.approve(people["supervisor"], revision.id)
    assert _indicator().rubric_no == "None."


def test_the_author_may_not_decide_even_as_a_supervisor(make_user):
    author = make_user("admin")
    grants.grant_role(make_user("admin"), author.id, "supervisor", grants.ALL_COUNTRIES)
    db.session.refresh(author)
    revision = framework_revisions.propose(
        author,
        _indicator().id,
        "source",
        framework_revisions.RevisionInput({"title": "Age of Consent (revised)"}),
        submit=True,
    )
    with pytest.raises(FourEyes):
        framework_revisions.approve(author, revision.id)
    second = make_user("supervisor")
    returned = framework_revisions.request_changes(second, revision.id, "Say why.")
    assert returned.state == "changes_requested"
    assert _indicator().title == "Age of Consent"


def test_a_finding_names_the_wording_it_was_assessed_under(client, auth, people, demo_data):
    old = db.session.scalar(
        select(Version)
        .join(Version.assessment)
        .where(Version.state == "published", Version.assessment.has(indicator_id=_indicator().id))
    )
    assert old.indicator_revision_id == _indicator().current_revision_id
    profile = page(client.get("/countries/kz"))
    revision_link = f'href="/indicators/{SLUG}/revisions/1"'
    assert revision_link in profile
    assert "Assessed under" in profile
    assert "The definition has changed since" not in profile

    auth.login(people["admin"])
    _propose_partial(client)
    auth.logout()
    framework_revisions.approve(people["supervisor"], _open().id)

    # The old finding keeps its wording, says the definition changed, and links to it.
    profile = page(client.get("/countries/kz"))
    section = profile[profile.index(f'id="ind-{SLUG}"') :]
    section = section[: section.index("</section>")]
    assert revision_link in section
    assert "The definition has changed since this finding was published." in section
    kept = page(client.get(f"/indicators/{SLUG}/revisions/1"))
    assert db.session.get(IndicatorRevision, old.indicator_revision_id).rubric_partial in kept
    assert NEW_PARTIAL not in kept
    assert "This wording has been replaced." in kept
    version_page = page(client.get(f"/countries/kz/{SLUG}/v/{old.number}"))
    assert revision_link in version_page

    # A finding approved now is assessed under the new wording.
    published = publish(people["reviewer"], people["kz_supervisor"], "KZ", SLUG, FULL)
    assert db.session.get(Version, published.id).indicator_revision_id == _open_current().id
    profile = page(client.get("/countries/kz"))
    section = profile[profile.index(f'id="ind-{SLUG}"') :]
    section = section[: section.index("</section>")]
    assert f'href="/indicators/{SLUG}/revisions/2"' in section
    assert "The definition has changed since" not in section
    assert NEW_PARTIAL in page(client.get(f"/indicators/{SLUG}/revisions/2"))


def _open_current() -> IndicatorRevision:
    return db.session.get(IndicatorRevision, _indicator().current_revision_id)


def test_the_methodology_changes_page_lists_each_approved_revision_with_its_diff(
    client, auth, people
):
    empty = page(client.get("/methodology/changes"))
    assert "have not changed since they were first published" in empty
    old_partial = _indicator().rubric_partial
    auth.login(people["admin"])
    _propose_partial(client)
    auth.logout()
    listed = page(client.get("/methodology/changes"))
    assert NEW_PARTIAL not in listed  # not approved yet
    framework_revisions.approve(people["supervisor"], _open().id)
    listed = page(client.get("/methodology/changes"))
    assert "Age of Consent" in listed and "revision 2" in listed
    assert f'href="/indicators/{SLUG}/revisions/2"' in listed
    diff = listed[listed.index('class="diff"') :]
    diff = diff[: diff.index("</p>")]
    removed = " ".join(re.findall(r"<del>.*?</span>(.*?)<span", diff))
    added = " ".join(re.findall(r"<ins>.*?</span>(.*?)<span", diff))
    assert "marriage" in added
    assert set(old_partial.split()) - set(NEW_PARTIAL.split()) <= set(
        (removed + " " + diff).split()
    )
    assert "Marc Global" in listed or "approved by" in listed
    assert 'href="/methodology/changes"' in page(client.get("/methodology"))


def test_a_stale_form_is_refused_and_keeps_nothing_half_written(client, auth, people):
    auth.login(people["admin"])
    _propose_partial(client, text="First draft.", then="save")
    revision = _open()
    opened = revision.row_version  # what the admin's form carries
    framework_revisions.save(
        people["admin"],
        revision.id,
        framework_revisions.RevisionInput(
            {"title": "Age of Consent", "rubric_partial": "Second draft."}, opened
        ),
    )
    response = client.post_form(
        f"/admin/indicators/{_indicator().id}/edit",
        {"title": "Age of Consent", "rubric_partial": "Stale draft.", "then": "save",
         "row_version": str(opened)},
        follow_redirects=True,
    )  # fmt: skip
    assert "Someone saved this revision after you opened it" in page(response)
    assert db.session.get(IndicatorRevision, revision.id).rubric_partial == "Second draft."


def test_an_empty_title_is_refused_on_the_form(client, auth, people):
    auth.login(people["admin"])
    indicator = _indicator()
    response = client.post_form(
        f"/admin/indicators/{indicator.id}/edit", {"title": "", "then": "submit"}
    )
    assert response.status_code == 200
    assert "This field is required." in page(response) or "Give the indicator a title." in page(
        response
    )
    assert framework_revisions.open_revision(indicator.id, "source") is None


def test_a_framework_revision_is_told_to_who_decides_it_and_then_to_its_author(app, people):
    """Submitting tells the supervisors of every country (a country's own are not asked), and
    the decision tells the author, each with a link to the revision's page."""
    revision = framework_revisions.propose(
        people["admin"],
        _indicator().id,
        "source",
        framework_revisions.RevisionInput({"title": "Age of Sexual Consent"}),
        submit=True,
    )

    def told(person):
        with app.test_request_context():
            return [
                (notification_text(n), n.link)
                for n in db.session.scalars(
                    select(Notification).where(Notification.user_id == person.id)
                )
            ]

    link = f"/admin/framework/revisions/{revision.id}"
    assert told(people["supervisor"]) == [
        (
            "Ada Admin submitted a change to the text of the indicator Age of Consent for review.",
            link,
        )
    ]
    assert told(people["kz_supervisor"]) == [] and told(people["reviewer"]) == []
    framework_revisions.approve(people["supervisor"], revision.id)
    assert told(people["admin"]) == [
        (
            "Marc Global approved a change to the text of the indicator Age of Consent; it is "
            "now in force.",
            link,
        )
    ]


def test_rejecting_a_revision_asks_first_with_its_own_reason_box(client, auth, people):
    auth.login(people["admin"])
    _propose_partial(client)
    revision = _open()
    auth.logout()
    auth.login(people["supervisor"])
    url = f"/admin/framework/revisions/{revision.id}"
    shown = page(client.get(url))
    # Reject is apart from the shared comment box, with a reason box of its own.
    assert 'id="reject-comment"' in shown and "Reject…" in shown
    asked = client.post_form(f"{url}/reject", {"comment": "Out of scope."})
    assert asked.status_code == 200
    assert "Reject this revision for good?" in page(asked) and "Out of scope." in page(asked)
    db.session.expire_all()
    assert db.session.get(IndicatorRevision, revision.id).state == "submitted"
    done = client.post_form(f"{url}/reject", {"comment": "Out of scope.", "confirmed": "yes"})
    assert done.status_code == 303
    db.session.expire_all()
    rejected = db.session.get(IndicatorRevision, revision.id)
    assert (rejected.state, rejected.decision_comment) == ("rejected", "Out of scope.")
