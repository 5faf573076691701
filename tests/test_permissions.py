"""The permission matrix: every staff route x every kind of user -> the expected answer.

One table, read row by row. A second test walks the app's URL map and fails when a route under
/staff is missing here (/admin: tests/test_admin_permissions.py), so a new route cannot ship without its row.

Answers: a status code, LOGIN (redirect to the sign-in page) or BACK (a redirect to the page the
form came from: the action was done); 422 is a form returned with its errors. The world the URLs point into: Kazakhstan (KZ) with one
submitted version by its reviewer, whose supervisor was notified of it. URLs may use {version},
{notification}, {country} (kz) and {other} (fr), e.g. "/staff/versions/{version}".
"""

import pytest

from assess.extensions import db
from assess.models import Country, ImportBatch, Instrument, Notification, Suggestion
from assess.services import replies

from .publishing import ids as ids_of
from .queue_data import submitted

LOGIN, BACK = "login", "back"
ROLES = ("anonymous", "reviewer", "other_reviewer", "supervisor", "admin")
#         anonymous  reviewer of KZ  reviewer of FR  supervisor of KZ  admin

# (method, rule) -> (url, answers in the order of ROLES)
TABLE: dict[tuple[str, str], tuple[str, tuple]] = {
    ("GET", "/staff/"): ("/staff/", (LOGIN, 200, 200, 200, 200)),
    ("GET", "/staff/queue/review"): ("/staff/queue/review", (LOGIN, 200, 200, 200, 200)),
    ("GET", "/staff/queue/returned"): ("/staff/queue/returned", (LOGIN, 200, 200, 200, 200)),
    ("GET", "/staff/queue/drafts"): ("/staff/queue/drafts", (LOGIN, 200, 200, 200, 200)),
    ("GET", "/staff/matrix"): ("/staff/matrix", (LOGIN, 200, 200, 200, 200)),
    # Supervisors' and admins' only.
    ("GET", "/staff/dashboard"): ("/staff/dashboard", (LOGIN, 403, 403, 200, 200)),
    ("GET", "/staff/notifications"): ("/staff/notifications", (LOGIN, 200, 200, 200, 200)),
    ("POST", "/staff/notifications/<int:notification_id>/read"): (
        "/staff/notifications/{notification}/read",  # the KZ supervisor's notification
        (LOGIN, 404, 404, BACK, 404),
    ),
    ("POST", "/staff/notifications/read-all"): (
        "/staff/notifications/read-all",
        (LOGIN, BACK, BACK, BACK, BACK),
    ),
    ("GET", "/staff/audit"): ("/staff/audit", (LOGIN, 403, 403, 403, 200)),
    ("GET", "/staff/audit.csv"): ("/staff/audit.csv", (LOGIN, 403, 403, 403, 200)),
    ("GET", "/staff/countries"): ("/staff/countries?country={country}", (LOGIN, BACK, BACK, BACK, BACK)),
    ("GET", "/staff/countries/<iso2>"): ("/staff/countries/{country}", (LOGIN, 200, 404, 200, 200)),
    ("POST", "/staff/countries/<iso2>/<slug>/start"): (
        "/staff/countries/{country}/age-of-consent/start",
        (LOGIN, BACK, 404, BACK, 403),
    ),
    ("GET", "/staff/versions/<int:version_id>"): ("/staff/versions/{version}", (LOGIN, 200, 404, 200, 200)),
    # The version is submitted by the KZ reviewer: only the KZ supervisor may decide on it, and
    # only its contributor may withdraw it; what does not apply to a submitted version is refused.
    ("POST", "/staff/versions/<int:version_id>/approve"): (
        "/staff/versions/{version}/approve", (LOGIN, 403, 404, BACK, 403),
    ),
    ("POST", "/staff/versions/<int:version_id>/request-changes"): (
        "/staff/versions/{version}/request-changes", (LOGIN, 403, 404, 422, 403),
    ),
    ("POST", "/staff/versions/<int:version_id>/reject"): (
        "/staff/versions/{version}/reject", (LOGIN, 403, 404, 422, 403),
    ),
    ("POST", "/staff/versions/<int:version_id>/withdraw"): (
        "/staff/versions/{version}/withdraw", (LOGIN, BACK, 404, 403, 403),
    ),
    ("POST", "/staff/versions/<int:version_id>/comment"): (
        "/staff/versions/{version}/comment", (LOGIN, 422, 404, 422, 422),
    ),
    ("POST", "/staff/versions/<int:version_id>/discard"): (
        "/staff/versions/{version}/discard", (LOGIN, 409, 404, 409, 409),
    ),
    # A source's file, for who may read the version (this one has none: 404 once signed in).
    ("GET", "/staff/versions/<int:version_id>/files/<stored_name>"): (
        "/staff/versions/{version}/files/" + "0" * 64 + ".pdf", (LOGIN, 404, 404, 404, 404),
    ),
    # The no-JavaScript round trip of the editor (add a row, preview): it saves nothing.
    ("POST", "/staff/versions/<int:version_id>/edit"): (
        "/staff/versions/{version}/edit", (LOGIN, 200, 404, 200, 403),
    ),
    ("POST", "/staff/versions/<int:version_id>/save"): (
        "/staff/versions/{version}/save", (LOGIN, 409, 404, 409, 409),
    ),
    ("POST", "/staff/versions/<int:version_id>/submit"): (
        "/staff/versions/{version}/submit", (LOGIN, 409, 404, 409, 409),
    ),
    ("POST", "/staff/versions/<int:version_id>/rebase"): (
        "/staff/versions/{version}/rebase", (LOGIN, 409, 404, 409, 403),
    ),
    ("POST", "/staff/versions/<int:version_id>/retract"): (
        "/staff/versions/{version}/retract", (LOGIN, 409, 404, 409, 409),
    ),
    # An import batch by the KZ reviewer holding the submitted version: the FR reviewer sees no
    # such batch; deciding it with no comment approves what one may approve (nothing, for its
    # author) and refuses to return it (a comment is needed), both back on the batch's page.
    ("GET", "/staff/imports/"): ("/staff/imports/", (LOGIN, 200, 200, 200, 200)),
    ("GET", "/staff/imports/<int:batch_id>"): (
        "/staff/imports/{batch}", (LOGIN, 200, 404, 200, 200),
    ),
    ("POST", "/staff/imports/<int:batch_id>/approve"): (
        "/staff/imports/{batch}/approve", (LOGIN, BACK, 404, BACK, BACK),
    ),
    ("POST", "/staff/imports/<int:batch_id>/return"): (
        "/staff/imports/{batch}/return", (LOGIN, BACK, 404, BACK, BACK),
    ),
    # A reader's suggestion on a KZ assessment (no file: nothing to download), moderated by the
    # country's staff and admins; only reviewers and supervisors start drafts. Dismissing needs a
    # reason (none is posted here).
    ("GET", "/staff/suggestions"): ("/staff/suggestions", (LOGIN, 200, 200, 200, 200)),
    ("GET", "/staff/suggestions/<int:suggestion_id>"): (
        "/staff/suggestions/{suggestion}", (LOGIN, 200, 404, 200, 200),
    ),
    ("GET", "/staff/suggestions/<int:suggestion_id>/file"): (
        "/staff/suggestions/{suggestion}/file", (LOGIN, 404, 404, 404, 404),
    ),
    ("POST", "/staff/suggestions/<int:suggestion_id>/draft"): (
        "/staff/suggestions/{suggestion}/draft", (LOGIN, BACK, 404, BACK, 403),
    ),
    ("POST", "/staff/suggestions/<int:suggestion_id>/dismiss"): (
        "/staff/suggestions/{suggestion}/dismiss", (LOGIN, 422, 404, 422, 422),
    ),
    ("POST", "/staff/suggestions/<int:suggestion_id>/done"): (
        "/staff/suggestions/{suggestion}/done", (LOGIN, BACK, 404, BACK, BACK),
    ),
    # A reply from an organisation, submitted by the KZ reviewer: only the KZ supervisor decides
    # it, only its contributor withdraws it; admins neither enter nor decide replies.
    ("GET", "/staff/replies"): ("/staff/replies", (LOGIN, 200, 200, 200, 200)),
    ("GET", "/staff/countries/<iso2>/<slug>/reply"): (
        "/staff/countries/{country}/age-of-consent/reply", (LOGIN, 200, 404, 200, 403),
    ),
    ("POST", "/staff/countries/<iso2>/<slug>/reply"): (
        "/staff/countries/{country}/age-of-consent/reply", (LOGIN, 422, 404, 422, 403),
    ),
    ("GET", "/staff/replies/<int:reply_id>"): ("/staff/replies/{reply}", (LOGIN, 200, 404, 200, 200)),
    ("POST", "/staff/replies/<int:reply_id>/save"): (
        "/staff/replies/{reply}/save", (LOGIN, 409, 404, 409, 409),
    ),
    ("POST", "/staff/replies/<int:reply_id>/submit"): (
        "/staff/replies/{reply}/submit", (LOGIN, 409, 404, 409, 409),
    ),
    ("POST", "/staff/replies/<int:reply_id>/withdraw"): (
        "/staff/replies/{reply}/withdraw", (LOGIN, BACK, 404, 403, 403),
    ),
    ("POST", "/staff/replies/<int:reply_id>/discard"): (
        "/staff/replies/{reply}/discard", (LOGIN, 409, 404, 409, 409),
    ),
    ("POST", "/staff/replies/<int:reply_id>/approve"): (
        "/staff/replies/{reply}/approve", (LOGIN, 403, 404, BACK, 403),
    ),
    ("POST", "/staff/replies/<int:reply_id>/request-changes"): (
        "/staff/replies/{reply}/request-changes", (LOGIN, 403, 404, 422, 403),
    ),
    ("POST", "/staff/replies/<int:reply_id>/reject"): (
        "/staff/replies/{reply}/reject", (LOGIN, 403, 404, 422, 403),
    ),
    ("POST", "/staff/replies/<int:reply_id>/retract"): (
        "/staff/replies/{reply}/retract", (LOGIN, 409, 404, 409, 409),
    ),
    # Evidence: the KZ country's link health and instruments; recording a step of an
    # instrument's life is for its reviewers and supervisors (the empty form is returned).
    ("GET", "/staff/countries/<iso2>/evidence"): (
        "/staff/countries/{country}/evidence?state=broken", (LOGIN, 200, 404, 200, 200),
    ),
    # Marking a changed link as checked: its country's staff and admins (no link 1 here: 404).
    ("POST", "/staff/countries/<iso2>/evidence/<int:check_id>/checked"): (
        "/staff/countries/{country}/evidence/1/checked", (LOGIN, 404, 403, 404, 404),
    ),
    # What changed on a changed link: its country's staff and admins (no link 1 here: 404;
    # tests/test_link_changes.py shows one).
    ("GET", "/staff/countries/<iso2>/evidence/<int:check_id>/changes"): (
        "/staff/countries/{country}/evidence/1/changes", (LOGIN, 404, 404, 404, 404),
    ),
    ("GET", "/staff/countries/<iso2>/instruments"): (
        "/staff/countries/{country}/instruments", (LOGIN, 200, 404, 200, 200),
    ),
    ("POST", "/staff/instruments/<int:instrument_id>/events"): (
        "/staff/instruments/{instrument}/events", (LOGIN, 422, 404, 422, 403),
    ),
}  # fmt: skip

CASES = [
    pytest.param(method, url, role, answers[ROLES.index(role)], id=f"{method} {rule} as {role}")
    for (method, rule), (url, answers) in TABLE.items()
    for role in ROLES
]


@pytest.fixture
def world(make_user):
    users = {
        "reviewer": make_user("reviewer", ["KZ"], email="kz-reviewer@example.org"),
        "other_reviewer": make_user("reviewer", ["FR"], email="fr-reviewer@example.org"),
        "supervisor": make_user("supervisor", ["KZ"], email="kz-supervisor@example.org"),
        "admin": make_user("admin", email="admin@example.org"),
    }
    version = submitted(users["reviewer"])
    batch = ImportBatch(name="kz.csv", created_by_id=users["reviewer"].id, assessment_count=1)
    db.session.add(batch)
    db.session.flush()
    version.import_batch_id = batch.id
    db.session.commit()
    notification = db.session.query(Notification).filter_by(user_id=users["supervisor"].id).one()
    ids = {"version": version.id, "notification": notification.id, "country": "kz", "other": "fr"}
    ids["batch"] = batch.id
    ids["suggestion"], ids["reply"] = talkback(users["reviewer"])
    kz = db.session.query(Country).filter_by(iso2="KZ").one()
    instrument = Instrument(country_id=kz.id, title="Family Code", year_adopted=2011)
    db.session.add(instrument)
    db.session.commit()
    ids["instrument"] = instrument.id
    return {"users": users, "ids": ids}


def talkback(reviewer) -> tuple[int, int]:
    """A reader's suggestion and a submitted reply, on KZ's first indicator."""
    country_id, indicator_id = ids_of("KZ", "age-of-consent")
    suggestion = Suggestion(
        country_id=country_id, indicator_id=indicator_id, what_is_wrong="Out of date."
    )
    db.session.add(suggestion)
    db.session.commit()
    reply = replies.propose(
        reviewer,
        country_id,
        indicator_id,
        replies.ReplyInput("Ministry", "government", "Our reply.", "en", "2026-11-01"),
        submit=True,
    )
    return suggestion.id, reply.id


@pytest.mark.parametrize(("method", "url", "role", "expected"), CASES)
def test_staff_route_answers(client, auth, world, method, url, role, expected):
    if role != "anonymous":
        auth.login(world["users"][role])
    url = url.format(**world["ids"])
    response = client.get(url) if method == "GET" else client.post_form(url, {})
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login")
    elif expected == BACK:
        assert response.status_code in (302, 303)
        assert not response.headers["Location"].startswith("/auth/login")
    else:
        assert response.status_code == expected
        if expected == 200:
            assert "<h1>" in response.get_data(as_text=True) or url.endswith(".csv")
    # Nobody but its owner can change the supervisor's notification, whatever they request.
    notification = db.session.get(Notification, world["ids"]["notification"])
    assert notification.read == (
        role == "supervisor" and expected == BACK and "/notifications/" in url
    )


def test_every_staff_route_is_in_the_table(app):
    missing = []
    for rule in app.url_map.iter_rules():
        # /admin routes have their own matrix: tests/test_admin_permissions.py.
        if not rule.rule.startswith("/staff"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if (method, rule.rule) not in TABLE:
                missing.append(f"{method} {rule.rule}")
    assert not missing, f"add these routes to TABLE in tests/test_permissions.py: {missing}"


def test_the_table_names_only_routes_that_exist(app):
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert set(TABLE) <= routes, set(TABLE) - routes
