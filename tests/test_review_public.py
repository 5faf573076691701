"""What the public sees of the workflow: published versions only, and withdrawals with a reason."""

import re
from contextlib import contextmanager

from sqlalchemy import event

from assess.extensions import db

from .review_support import AGE, act, assessment, login, save, start_draft, text, version


@contextmanager
def counted_statements():
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_the_public_profile_never_shows_a_draft_or_a_submitted_version(client, auth, demo_data):
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client)
    assert save(client, draft, status="yes", analysis="DRAFT WORDING 4711").status_code == 302
    assert "DRAFT WORDING 4711" not in text(client.get("/countries/kz"))
    assert act(client, draft.id, "submit").status_code == 302
    assert "DRAFT WORDING 4711" not in text(client.get("/countries/kz"))
    login(client, auth, "supervisor@example.org")
    assert act(client, draft.id, "reject", comment="No.", confirmed="yes").status_code == 302
    auth.logout()
    public = text(client.get("/countries/kz"))
    assert "DRAFT WORDING 4711" not in public
    assert "Age of sexual consent is 16 years." in public


def test_a_withdrawn_assessment_says_when_and_why(client, auth, demo_data):
    published = assessment("KZ", AGE).published_version
    login(client, auth, "supervisor@example.org")
    assert (
        act(client, published.id, "retract", reason="Superseded by the 2025 reform.").status_code
        == 302
    )
    auth.logout()
    page = text(client.get("/countries/kz"))
    retracted = version(published.id)
    section = page[
        page.index('id="ind-age-of-consent"') : page.index('id="ind-extraterritoriality')
    ]
    section = re.sub(r"<[^>]+>", "", section)  # the reason is marked with its own language
    assert (
        f"Withdrawn on {retracted.retracted_at.strftime('%B %-d, %Y')}: "
        "Superseded by the 2025 reform." in section
    )
    assert "Age of sexual consent is 16 years." not in page
    assert "Withdrawn on" not in page[page.index('id="ind-extraterritoriality') :]


def publish_then_retract(client, auth, slug):
    login(client, auth, "reviewer@example.org")
    draft = start_draft(client, "KZ", slug)
    assert save(client, draft, status="no", analysis=f"About {slug}.").status_code == 302
    assert act(client, draft.id, "submit").status_code == 302
    login(client, auth, "supervisor@example.org")
    assert act(client, draft.id, "approve").status_code == 302
    assert act(client, draft.id, "retract", reason=f"Retracting {slug}.").status_code == 302
    auth.logout()


def test_withdrawal_notices_cost_the_same_queries_for_one_or_many(client, auth, demo_data):
    publish_then_retract(client, auth, "csam-definition")
    client.get("/countries/kz")  # warm up, as the second measure will be
    with counted_statements() as one:
        assert text(client.get("/countries/kz")).count("Withdrawn on") == 1
    publish_then_retract(client, auth, "background-check-required")
    publish_then_retract(client, auth, "national-commitments")
    client.get("/countries/kz")
    with counted_statements() as three:
        assert text(client.get("/countries/kz")).count("Withdrawn on") == 3
    assert len(three) == len(one)
