"""Granting a role is deliberate (issue 16, point 4): "all countries" is a choice of its own,
never an empty field, and before saving the admin sees what the user will be able to do, where."""

from sqlalchemy import select

from assess.extensions import db
from assess.models import RoleGrant, User

from .review_support import visible_text


def held(user) -> set[tuple[str, str | None]]:
    db.session.commit()
    grants = db.session.scalars(select(RoleGrant).where(RoleGrant.user_id == user.id))
    return {(g.role, g.country.iso2 if g.country else None) for g in grants}


def test_an_empty_countries_field_no_longer_makes_a_role_global(client, auth, make_user):
    user = make_user("reviewer", ["KZ"], name="Dana")
    auth.login(make_user("admin"))
    refused = client.post_form(
        f"/admin/users/{user.id}/grants", {"role": "supervisor", "countries": ""}
    )
    assert refused.status_code == 422
    assert "Choose “All countries” or “Only these countries”." in visible_text(refused)
    listed_none = client.post_form(
        f"/admin/users/{user.id}/grants",
        {"role": "supervisor", "scope": "listed", "countries": " ", "confirmed": "yes"},
    )
    assert listed_none.status_code == 422
    assert "List at least one country, e.g. KZ." in visible_text(listed_none)
    both = client.post_form(
        f"/admin/users/{user.id}/grants",
        {"role": "supervisor", "scope": "all", "countries": "KZ", "confirmed": "yes"},
    )
    assert both.status_code == 422
    assert held(user) == {("reviewer", "KZ")}


def test_the_summary_comes_before_saving(client, auth, make_user):
    user = make_user("reviewer", ["KZ"], name="Dana")
    auth.login(make_user("admin"))
    form = {"role": "supervisor", "scope": "listed", "countries": "kz, uz"}
    asked = client.post_form(f"/admin/users/{user.id}/grants", form)
    assert asked.status_code == 200
    said = visible_text(asked)
    assert "Check before saving: Dana as Supervisor" in said
    assert "For 2 countries: Kazakhstan, Uzbekistan." in said
    assert "approve and publish, request changes, reject" in said
    assert "never decide on what they worked on themselves (four-eyes)" in said
    assert held(user) == {("reviewer", "KZ")}  # nothing saved yet

    saved = client.post_form(f"/admin/users/{user.id}/grants", form | {"confirmed": "yes"})
    assert saved.status_code == 303
    assert held(user) == {("reviewer", "KZ"), ("supervisor", "KZ"), ("supervisor", "UZ")}
    assert "Role added: Supervisor. For 2 countries" in visible_text(client.get(saved.location))


def test_all_countries_is_said_in_full(client, auth, make_user):
    user = make_user("reviewer", ["KZ"], name="Dana")
    auth.login(make_user("admin"))
    asked = client.post_form(
        f"/admin/users/{user.id}/grants", {"role": "supervisor", "scope": "all"}
    )
    said = visible_text(asked)
    assert "For every country (all 249), including any added later." in said
    client.post_form(
        f"/admin/users/{user.id}/grants", {"role": "supervisor", "scope": "all", "confirmed": "yes"}
    )
    assert ("supervisor", None) in held(user)


def test_what_is_held_already_is_named_and_left_alone(client, auth, make_user):
    user = make_user("supervisor", ["KZ"], name="Dana")
    auth.login(make_user("admin"))
    form = {"role": "supervisor", "scope": "listed", "countries": "KZ, UZ"}
    said = visible_text(client.post_form(f"/admin/users/{user.id}/grants", form))
    assert "Already held, left as it is: Kazakhstan." in said
    client.post_form(f"/admin/users/{user.id}/grants", form | {"confirmed": "yes"})
    assert held(user) == {("supervisor", "KZ"), ("supervisor", "UZ")}


def test_the_admin_role_is_chosen_for_every_country(client, auth, make_user):
    user = make_user("reviewer", ["KZ"])
    auth.login(make_user("admin"))
    listed = client.post_form(
        f"/admin/users/{user.id}/grants",
        {"role": "admin", "scope": "listed", "countries": "KZ", "confirmed": "yes"},
    )
    assert listed.status_code == 422
    assert "The administrator role is for every country" in visible_text(listed)
    asked = client.post_form(f"/admin/users/{user.id}/grants", {"role": "admin", "scope": "all"})
    assert "manage users and their roles" in visible_text(asked)


def test_a_new_user_needs_the_choice_too(client, auth, make_user):
    auth.login(make_user("admin"))
    form = {"email": "new@example.org", "role": "supervisor", "countries": "", "mode": "invite"}
    refused = client.post_form("/admin/users/new", form)
    assert refused.status_code == 200  # the form again, with the message on the choice
    assert "Choose “All countries” or “Only these countries”." in visible_text(refused)
    assert db.session.scalar(select(User).where(User.email == "new@example.org")) is None
    client.post_form("/admin/users/new", form | {"scope": "listed", "countries": "KZ"})
    created = db.session.scalar(select(User).where(User.email == "new@example.org"))
    assert held(created) == {("supervisor", "KZ")}


def test_rejecting_a_profile_change_has_its_own_reason_and_asks_first(client, auth, make_user):
    from assess.models import ProfileChange
    from assess.services import profile_content

    from .queue_data import country_id

    reviewer = make_user("reviewer", ["KZ"], name="Aigerim")
    change = profile_content.propose(
        reviewer, country_id("KZ"), "fact", "add", {"text": "A fact."}, submit=True
    )
    auth.login(make_user("supervisor", ["KZ"]))
    page = client.get(f"/admin/profile/changes/{change.id}").get_data(as_text=True)
    shared = page[: page.index('id="reject-heading"')]
    assert '<label for="comment">Comment</label>' in shared and ">Reject<" not in shared
    assert '<label for="reject-comment">Reason for rejecting</label>' in page
    url = f"/admin/profile/changes/{change.id}/reject"
    asked = client.post_form(url, {"comment": "Not a fact."})
    assert asked.status_code == 200
    assert "Reject this change for good?" in visible_text(asked)
    assert db.session.get(ProfileChange, change.id).state == "submitted"
    client.post_form(url, {"comment": "Not a fact.", "confirmed": "yes"})
    db.session.commit()
    assert db.session.get(ProfileChange, change.id).state == "rejected"
