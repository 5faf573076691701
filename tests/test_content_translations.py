"""Content in several languages: indicator texts and profile content carry a reviewed translation
per interface language; a translation goes out of date when its original changes; a page shows
the current translation, else the original marked with its language and a note."""

import re

import pytest
from sqlalchemy import select

from assess.extensions import db
from assess.models import Indicator, Member, ProfileChange
from assess.services import framework_revisions, profile_content
from assess.services.errors import PermissionDenied

from .admin_helpers import page

SLUG = "csam-definition"
FRENCH_TITLE = "Définition des contenus pédosexuels (révisée)"
MEMBER_FR = "Le centre de crise « Zabota » aide les femmes et les filles depuis 1999."


def _indicator() -> Indicator:
    return db.session.scalar(select(Indicator).where(Indicator.slug == SLUG))


def _member() -> Member:
    return db.session.scalar(select(Member).order_by(Member.position).limit(1))


@pytest.fixture
def people(make_user, demo_data):
    return {
        "translator": make_user("translator", email="tr-global@example.org", name="Tomás"),
        "kz_translator": make_user("translator", ["KZ"], email="tr-kz@example.org"),
        "supervisor": make_user("supervisor", email="tr-sup@example.org"),
        "kz_supervisor": make_user("supervisor", ["KZ"], email="tr-kz-sup@example.org"),
        "admin": make_user("admin", email="tr-admin@example.org"),
    }


def _element(body: str, text: str) -> str:
    """The opening tag of the innermost element holding `text`."""
    at = body.index(text)
    return body[body.rindex("<", 0, at) : at]


def test_a_translator_translates_an_indicator_title_and_it_shows_once_approved(
    client, auth, people
):
    indicator = _indicator()
    auth.login(people["translator"])
    form = page(client.get(f"/admin/framework/{indicator.id}/translate/fr"))
    assert indicator.title in form  # the original beside the field
    response = client.post_form(
        f"/admin/framework/{indicator.id}/translate/fr",
        {"title": FRENCH_TITLE, "then": "submit"},
        follow_redirects=True,
    )
    assert "Awaiting review" in page(response)
    assert FRENCH_TITLE not in page(client.get(f"/fr/indicators/{SLUG}"))
    # A translator proposes translations only, and decides nothing.
    with pytest.raises(PermissionDenied):
        framework_revisions.start(people["translator"], indicator.id, "source")
    auth.logout()

    revision = framework_revisions.open_revision(indicator.id, "fr")
    framework_revisions.approve(people["supervisor"], revision.id)
    french = page(client.get("/fr/countries/kz"))
    assert FRENCH_TITLE in french
    assert 'lang="en"' not in _element(french, FRENCH_TITLE)
    assert FRENCH_TITLE not in page(client.get("/countries/kz"))
    assert FRENCH_TITLE not in page(client.get("/es/countries/kz"))
    # The translation is a field of the revision: revision 2 holds it, with its original.
    current = framework_revisions.in_force(db.session, _indicator())
    assert current.number == 2
    assert current.translations["fr"]["title"] == {"text": FRENCH_TITLE, "source": indicator.title}
    assert "French translation" in page(client.get("/methodology/changes")) or (
        "Translation into French updated" in page(client.get("/methodology/changes"))
    )


def test_an_indicator_translation_goes_out_of_date_when_its_original_changes(client, auth, people):
    indicator = _indicator()
    revision = framework_revisions.propose(
        people["translator"],
        indicator.id,
        "fr",
        framework_revisions.RevisionInput({"title": FRENCH_TITLE}),
        submit=True,
    )
    framework_revisions.approve(people["supervisor"], revision.id)
    assert FRENCH_TITLE in page(client.get("/fr/countries/kz"))

    new_title = "CSAM: definition in law"
    wording = framework_revisions.propose(
        people["admin"],
        indicator.id,
        "source",
        framework_revisions.RevisionInput({"title": new_title, "definition": indicator.definition}),
        submit=True,
    )
    framework_revisions.approve(people["supervisor"], wording.id)
    french = page(client.get("/fr/countries/kz"))
    assert FRENCH_TITLE not in french
    assert re.search(r'lang="en" dir="ltr">' + re.escape(new_title), french)
    assert "traduction révisée existe" in french or "note-original" in french

    auth.login(people["translator"])
    overview = page(client.get("/admin/framework/"))
    assert "1 out of date" in overview
    form = page(client.get(f"/admin/framework/{indicator.id}/translate/fr"))
    assert "Out of date: the original changed" in form
    # Saving it unchanged keeps it out of date; confirming it says it still fits.
    client.post_form(
        f"/admin/framework/{indicator.id}/translate/fr", {"title": FRENCH_TITLE, "then": "save"}
    )
    held = framework_revisions.open_revision(indicator.id, "fr")
    assert held.translations["fr"]["title"]["source"] == "CSAM Definition"
    client.post_form(
        f"/admin/framework/{indicator.id}/translate/fr",
        {"title": FRENCH_TITLE, "confirmed": "title", "then": "submit",
         "row_version": str(held.row_version)},
    )  # fmt: skip
    framework_revisions.approve(people["supervisor"], held.id)
    assert FRENCH_TITLE in page(client.get("/fr/countries/kz"))


def test_a_translation_and_new_wording_under_review_at_once_both_apply(people):
    indicator = _indicator()
    french = framework_revisions.propose(
        people["translator"],
        indicator.id,
        "fr",
        framework_revisions.RevisionInput({"title": FRENCH_TITLE}),
        submit=True,
    )
    wording = framework_revisions.propose(
        people["admin"],
        indicator.id,
        "source",
        framework_revisions.RevisionInput(
            {"title": indicator.title, "definition": "A sharper definition."}
        ),
        submit=True,
    )
    framework_revisions.approve(people["supervisor"], wording.id)
    framework_revisions.approve(people["supervisor"], french.id)
    indicator = _indicator()
    assert indicator.definition == "A sharper definition."  # not undone by the translation
    assert indicator.translations["fr"]["title"]["text"] == FRENCH_TITLE
    assert framework_revisions.in_force(db.session, indicator).number == 3


def test_a_translator_translates_a_member_and_the_french_profile_shows_it(client, auth, people):
    member = _member()
    auth.login(people["kz_translator"])
    listing = page(client.get("/admin/profile/kz"))
    assert f"/admin/profile/kz/member/{member.id}/translate/fr" in listing
    response = client.post_form(
        f"/admin/profile/kz/member/{member.id}/translate/fr",
        {"description": MEMBER_FR, "then": "submit"},
        follow_redirects=True,
    )
    assert MEMBER_FR in page(response)
    # A translator of a country proposes nothing but translations.
    with pytest.raises(PermissionDenied):
        profile_content.propose(
            people["kz_translator"], member.country_id, "fact", "add", {"text": "A fact."}
        )
    auth.logout()
    change = db.session.scalar(select(ProfileChange).where(ProfileChange.operation == "translate"))
    assert change.state == "submitted" and change.language == "fr"
    assert MEMBER_FR not in page(client.get("/fr/countries/kz"))
    profile_content.approve(people["kz_supervisor"], change.id)

    french = page(client.get("/fr/countries/kz"))
    assert MEMBER_FR in french
    assert 'lang="en"' not in _element(french, MEMBER_FR)
    # The name was not translated: shown as written, marked English.
    assert 'lang="en" dir="ltr">' + "The Crisis Center «Zabota»" in french.replace("&laquo;", "«")
    assert MEMBER_FR not in page(client.get("/countries/kz"))


def test_a_member_translation_goes_out_of_date_when_the_description_is_edited(client, people):
    member = _member()
    change = profile_content.propose(
        people["kz_translator"], member.country_id, "member", "translate",
        {"description": MEMBER_FR}, target_id=member.id, submit=True, language="fr",
    )  # fmt: skip
    profile_content.approve(people["kz_supervisor"], change.id)
    assert MEMBER_FR in page(client.get("/fr/countries/kz"))
    edit = profile_content.propose(
        people["admin"], member.country_id, "member", "edit",
        {"name": member.name, "description": "Founded in 1999; works with adolescents.",
         "url": member.url},
        target_id=member.id, submit=True,
    )  # fmt: skip
    profile_content.approve(people["kz_supervisor"], edit.id)
    french = page(client.get("/fr/countries/kz"))
    assert MEMBER_FR not in french
    original = "Founded in 1999; works with adolescents."
    assert 'lang="en" dir="ltr">' + original in french
    note = french[french.index(original) :][:400]
    assert "traduction" in note.lower()  # the short note, in French


def test_a_translation_whose_original_changed_meanwhile_is_refused(people):
    member = _member()
    change = profile_content.propose(
        people["kz_translator"], member.country_id, "member", "translate",
        {"description": MEMBER_FR}, target_id=member.id, submit=True, language="fr",
    )  # fmt: skip
    edit = profile_content.propose(
        people["admin"], member.country_id, "member", "edit",
        {"name": member.name, "description": "Changed.", "url": member.url},
        target_id=member.id, submit=True,
    )  # fmt: skip
    profile_content.approve(people["kz_supervisor"], edit.id)
    from assess.services.errors import Conflict

    with pytest.raises(Conflict):
        profile_content.approve(people["kz_supervisor"], change.id)
    assert db.session.get(Member, member.id).translations == {}


def test_stored_pages_change_when_a_translation_is_approved(client, people):
    """The public response store and the fragment cache are keyed by what a page shows: the
    French profile served from the store before changes at once after an approval."""
    member = _member()
    first = page(client.get("/fr/countries/kz"))
    assert page(client.get("/fr/countries/kz")) == first  # served again, as stored
    change = profile_content.propose(
        people["kz_translator"], member.country_id, "member", "translate",
        {"description": MEMBER_FR}, target_id=member.id, submit=True, language="fr",
    )  # fmt: skip
    profile_content.approve(people["kz_supervisor"], change.id)
    assert MEMBER_FR in page(client.get("/fr/countries/kz"))
    revision = framework_revisions.propose(
        people["translator"],
        _indicator().id,
        "fr",
        framework_revisions.RevisionInput({"title": FRENCH_TITLE}),
        submit=True,
    )
    framework_revisions.approve(people["supervisor"], revision.id)
    assert FRENCH_TITLE in page(client.get("/fr/countries/kz"))
    assert FRENCH_TITLE not in page(client.get("/countries/kz"))


def test_legal_sources_and_sources_carry_the_language_they_were_written_in(client, demo_data):
    french = page(client.get("/fr/countries/kz"))
    citation = french[french.index('<span class="citation">') :][:300]
    assert '<span lang="en" dir="ltr">' in citation
    assert "statut au" in citation or "état au" in citation or "2023" in citation
    from assess.models import Citation

    cited = db.session.scalar(select(Citation).limit(1)).version.assessment.indicator.slug
    version = page(client.get(f"/fr/countries/kz/{cited}"))
    table = version[version.index('<table class="citations">') :]
    assert '<th scope="row" lang="en" dir="ltr">' in table
