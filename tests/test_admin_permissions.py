"""Every /admin route for every kind of visitor: anonymous, reviewer, supervisor, admin.

Reviewer and supervisor hold their role for Kazakhstan, whose profile the routes touch. A refused
request (sign-in redirect or 403) must leave no trace in the audit log."""

import base64
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from assess.extensions import db
from assess.models import AuditEvent, Country, Fact, Indicator
from assess.services import (
    cycles,
    framework_revisions,
    profile_content,
    uploads,
    users,
)

from .admin_helpers import PDF

ROLES = ("anonymous", "reviewer", "supervisor", "admin")
ADMIN_ONLY = {"anonymous": 302, "reviewer": 403, "supervisor": 403}
STAFF = {"anonymous": 302}
CSV = "country,indicator,status,analysis\nKZ,csam-definition,Yes,Defined.\n"


def admin_only(ok: int) -> dict:
    return {**ADMIN_ONLY, "admin": ok}


def staff(ok: int) -> dict:
    return {**STAFF, "reviewer": ok, "supervisor": ok, "admin": ok}


def decision(supervisor_ok: int = 303) -> dict:
    return {**STAFF, "reviewer": 403, "supervisor": supervisor_ok, "admin": 403}


# (endpoint, method, url, form data, expected status by role)
ROUTES = [
    ("admin.index", "GET", "/admin/", None, staff(200)),
    ("admin.user_list", "GET", "/admin/users/", None, admin_only(200)),
    ("admin.job_list", "GET", "/admin/jobs/", None, admin_only(200)),
    ("admin.user_new", "GET", "/admin/users/new", None, admin_only(200)),
    ("admin.user_new", "POST", "/admin/users/new",
     {"email": "new@example.org", "role": "reviewer", "scope": "all", "mode": "invite"},
     admin_only(303)),
    ("admin.user_detail", "GET", "/admin/users/{target}", None, admin_only(200)),
    ("admin.user_grant", "POST", "/admin/users/{target}/grants",
     {"role": "supervisor", "scope": "listed", "countries": "UZ", "confirmed": "yes"},
     admin_only(303)),
    ("admin.user_revoke", "POST", "/admin/users/{target}/grants/{grant}/revoke", {},
     admin_only(303)),
    ("admin.user_action", "POST", "/admin/users/{target}/deactivate", {}, admin_only(303)),
    ("admin.user_action", "POST", "/admin/users/{target}/reactivate", {}, admin_only(303)),
    ("admin.user_action", "POST", "/admin/users/{target}/reset", {}, admin_only(303)),
    ("admin.user_action", "POST", "/admin/users/{target}/resend", {}, admin_only(303)),
    ("admin.indicator_list", "GET", "/admin/indicators/", None, admin_only(200)),
    ("admin.indicator_new", "GET", "/admin/indicators/new", None, admin_only(200)),
    ("admin.indicator_new", "POST", "/admin/indicators/new", {"title": "New one"},
     admin_only(303)),
    ("admin.indicator_edit", "GET", "/admin/indicators/{indicator}/edit", None, admin_only(200)),
    ("admin.indicator_edit", "POST", "/admin/indicators/{indicator}/edit", {"title": "Renamed"},
     admin_only(303)),
    ("admin.indicator_move", "POST", "/admin/indicators/{indicator}/move", {"to": "up"},
     admin_only(303)),
    ("admin.indicator_status", "POST", "/admin/indicators/{indicator}/retire", {},
     admin_only(303)),
    ("admin.indicator_status", "POST", "/admin/indicators/{indicator}/restore", {},
     admin_only(303)),
    # Reviewers and supervisors import rows of their own countries (KZ here).
    ("admin.import_form", "GET", "/admin/import/", None, staff(200)),
    ("admin.import_form", "POST", "/admin/import/", {"file": "upload"}, staff(200)),
    ("admin.import_commit", "POST", "/admin/import/commit",
     {"content": base64.b64encode(CSV.encode()).decode(), "name": "x.csv"}, staff(303)),
    ("admin.import_template", "GET", "/admin/import/template.csv", None, staff(200)),
    ("admin.import_template_xlsx", "GET", "/admin/import/template.xlsx", None, staff(200)),
    ("admin.profile_index", "GET", "/admin/profile/", None, staff(200)),
    ("admin.profile_country", "GET", "/admin/profile/kz", None, staff(200)),
    ("admin.profile_add", "GET", "/admin/profile/kz/fact/new", None, staff(200)),
    ("admin.profile_add", "POST", "/admin/profile/kz/fact/new", {"text": "F", "then": "save"},
     staff(303)),
    ("admin.profile_edit", "GET", "/admin/profile/kz/fact/{fact}/edit", None, staff(200)),
    ("admin.profile_edit", "POST", "/admin/profile/kz/fact/{fact}/edit",
     {"text": "Edited", "then": "submit"}, staff(303)),
    ("admin.profile_remove", "POST", "/admin/profile/kz/fact/{fact}/remove", {}, staff(303)),
    ("admin.change_detail", "GET", "/admin/profile/changes/{submitted}", None, staff(200)),
    ("admin.change_file", "GET", "/admin/profile/changes/{with_file}/file", None, staff(200)),
    ("admin.change_edit", "GET", "/admin/profile/changes/{draft}/edit", None, staff(200)),
    ("admin.change_edit", "POST", "/admin/profile/changes/{draft}/edit",
     {"text": "Better", "then": "save"}, staff(303)),
    ("admin.change_action", "POST", "/admin/profile/changes/{submitted}/approve", {}, decision()),
    ("admin.change_action", "POST", "/admin/profile/changes/{submitted}/request_changes",
     {"comment": "Fix it."}, decision()),
    ("admin.change_action", "POST", "/admin/profile/changes/{submitted}/reject",
     {"comment": "No.", "confirmed": "yes"}, decision()),
    ("admin.change_action", "POST", "/admin/profile/changes/{submitted}/withdraw", {},
     {**STAFF, "reviewer": 303, "supervisor": 403, "admin": 403}),
    ("admin.change_action", "POST", "/admin/profile/changes/{draft}/submit", {},
     {**STAFF, "reviewer": 303, "supervisor": 403, "admin": 403}),
    ("admin.change_action", "POST", "/admin/profile/changes/{draft}/discard", {}, staff(303)),
    # A translation of a KZ fact: the country's staff and the admins may propose one.
    ("admin.profile_translate", "GET", "/admin/profile/kz/fact/{fact}/translate/fr", None,
     staff(200)),
    ("admin.profile_translate", "POST", "/admin/profile/kz/fact/{fact}/translate/fr",
     {"text": "Un fait.", "then": "save"}, staff(303)),
    # The framework: the admins (and translators, tests/test_content_translations.py) work on
    # it; a revision by the admin waits for a supervisor of every country, so a country's staff
    # do not see it and its author may not decide it.
    ("admin.framework_overview", "GET", "/admin/framework/", None, admin_only(200)),
    ("admin.indicator_translate", "GET", "/admin/framework/{indicator}/translate/fr", None,
     admin_only(200)),
    ("admin.indicator_translate", "POST", "/admin/framework/{indicator}/translate/fr",
     {"title": "Titre", "then": "save"}, admin_only(303)),
    ("admin.revision_detail", "GET", "/admin/framework/revisions/{revision}", None,
     {**STAFF, "reviewer": 404, "supervisor": 404, "admin": 200}),
    ("admin.revision_action", "POST", "/admin/framework/revisions/{revision}/approve", {},
     {**STAFF, "reviewer": 404, "supervisor": 404, "admin": 403}),
    ("admin.organisation_settings_page", "GET", "/admin/organisation", None, admin_only(200)),
    ("admin.organisation_settings_page", "POST", "/admin/organisation",
     {"name": "ECPAT International"}, admin_only(303)),
    # Review cycles: a cycle over KZ with its reviewer assigned ({cycle}, {assignment}).
    ("admin.cycle_list", "GET", "/admin/cycles/", None, admin_only(200)),
    ("admin.cycle_new", "GET", "/admin/cycles/new", None, admin_only(200)),
    ("admin.cycle_new", "POST", "/admin/cycles/new",
     {"name": "Next", "due_on": "2099-12-31", "countries": "KZ", "indicators": "{indicator}"},
     admin_only(303)),
    ("admin.cycle_detail", "GET", "/admin/cycles/{cycle}", None, admin_only(200)),
    ("admin.cycle_assign", "POST", "/admin/cycles/{cycle}/assign",
     {"country": "{kz}", "reviewer": "{other_reviewer}"}, admin_only(303)),
    ("admin.cycle_unassign", "POST", "/admin/cycles/{cycle}/assignments/{assignment}/remove", {},
     admin_only(303)),
    ("admin.cycle_close", "POST", "/admin/cycles/{cycle}/close", {}, admin_only(303)),
]  # fmt: skip


@pytest.fixture
def world(app, make_user, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    kz = db.session.scalar(select(Country).where(Country.iso2 == "KZ"))
    people = {
        "reviewer": make_user("reviewer", ["KZ"]),
        "supervisor": make_user("supervisor", ["KZ"]),
        "admin": make_user("admin"),
    }
    target = make_user("reviewer", ["UZ"])
    fact = Fact(country_id=kz.id, text="A fact.")
    db.session.add(fact)
    db.session.commit()
    reviewer = people["reviewer"]
    stored = uploads.store("r.pdf", PDF)
    ids = {
        "target": target.id,
        "grant": target.grants[0].id,
        "indicator": db.session.scalar(
            select(Indicator.id).where(Indicator.slug == "csam-definition")
        ),
        "fact": fact.id,
        "submitted": profile_content.propose(
            reviewer, kz.id, "fact", "add", {"text": "New."}, submit=True
        ).id,
        "draft": profile_content.propose(reviewer, kz.id, "fact", "add", {"text": "Draft."}).id,
        "revision": framework_revisions.propose(
            people["admin"],
            db.session.scalar(select(Indicator.id).where(Indicator.slug == "age-of-consent")),
            "source",
            framework_revisions.RevisionInput({"title": "Age of Consent (revised)"}),
            submit=True,
        ).id,
        "with_file": profile_content.propose(
            reviewer, kz.id, "resource", "add", {"title": "R", "file_name": stored.stored_name}
        ).id,
    }
    cycle = cycles.open_cycle(
        people["admin"],
        cycles.CycleInput(
            "Annual review", date(2099, 1, 1), ["KZ"], [ids["indicator"]], [("KZ", reviewer.email)]
        ),
    )
    ids |= {
        "kz": kz.id,
        "cycle": cycle.id,
        "assignment": cycle.assignments[0].id,
        "other_reviewer": make_user("reviewer", ["KZ"]).id,
    }
    return people, ids


def _audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("endpoint", "method", "url", "data", "expected"),
    ROUTES,
    ids=[f"{method} {url}" for _, method, url, _, _ in ROUTES],
)
def test_admin_route_permissions(client, auth, world, role, endpoint, method, url, data, expected):
    people, ids = world
    if role != "anonymous":
        auth.login(people[role])
    url = url.format(**ids)
    # Form values may name the world's rows too: {"country": "{kz}"}.
    data = {k: v.format(**ids) if isinstance(v, str) else v for k, v in (data or {}).items()}
    before = _audit_count()
    if method == "GET":
        response = client.get(url)
    elif data and data.get("file") == "upload":
        response = client.post_form(
            url, {"file": (io.BytesIO(CSV.encode()), "x.csv")}, content_type="multipart/form-data"
        )
    else:
        response = client.post_form(url, data, content_type="multipart/form-data")
    assert response.status_code == expected[role], response.get_data(as_text=True)[:2000]
    if expected[role] == 302:
        assert "/auth/login" in response.headers["Location"]
    if expected[role] in (302, 403):
        assert _audit_count() == before
    response.close()


def test_every_admin_route_is_in_the_matrix(app):
    covered = {endpoint for endpoint, *_ in ROUTES}
    routes = {rule.endpoint for rule in app.url_map.iter_rules() if rule.rule.startswith("/admin")}
    assert routes == covered


def test_invitation_links_are_not_guessable(client, make_user):
    admin = make_user("admin")
    users.invite(admin, "guess@example.org", "reviewer")
    for token in ("", "x", "a" * 43, "../../etc/passwd"):
        assert client.get(f"/account/invitation/{token}").status_code == 404
