"""Pieces of public pages kept across requests (`assess/public/fragments.py`): a page built from
them is the page rendered from scratch, byte for byte, and no piece outlives what it shows."""

import pytest
from sqlalchemy import select

from assess.extensions import db
from assess.models import Indicator
from assess.services import assessments, framework, framework_revisions

from .publishing import FULL, content, publish
from .test_public_caching import _statements


@pytest.fixture
def people(make_user):
    return make_user("reviewer", ["KZ"], name="Rita"), make_user("supervisor", ["KZ"], name="Sam")


def _from_scratch(app, client, url: str, **headers) -> bytes:
    app.extensions["assess_public_responses"].store.clear()
    app.extensions["assess_fragments"].clear()
    return client.get(url, headers=headers).data


URLS = ["/countries/kz", "/", "/indicators/age-of-consent"]


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("language", ["en", "fr", "ru"])
def test_a_page_made_of_kept_pieces_is_the_page_rendered_from_scratch(
    app, client, people, url, language
):
    publish(*people, "KZ", "age-of-consent", FULL)
    publish(*people, "KZ", "csam-definition", content("no", "Nothing on *CSAM*."))
    client.get(url, headers={"Accept-Language": language})  # keeps the pieces
    pieced = client.get(f"{url}?new=1", headers={"Accept-Language": language}).data
    assert pieced == _from_scratch(app, client, f"{url}?new=1", **{"Accept-Language": language})


def test_a_profile_render_from_kept_pieces_reads_only_what_may_have_changed(app, client, people):
    publish(*people, "KZ", "age-of-consent", FULL)
    client.get("/countries/kz")
    sent = _statements(lambda: client.get("/countries/kz?utm_source=newsletter"))
    # Only the validator: the country and the profile's body are kept for this public revision,
    # language, address and day.
    flat = [" ".join(statement.split()) for statement in sent if statement != "BEGIN"]
    assert len(flat) == 1, flat
    assert flat[0].startswith("SELECT (SELECT max(assessment.public_updated_at)")


def test_the_kept_profile_body_cites_with_todays_access_date(app, client, people, monkeypatch):
    from datetime import UTC, datetime

    from assess.public import helpers

    publish(*people, "KZ", "age-of-consent", FULL)
    client.get("/countries/kz?day=1")
    tomorrow = datetime(2031, 5, 17, 9, 0, tzinfo=UTC)
    monkeypatch.setattr(helpers, "today", lambda: tomorrow)
    app.jinja_env.globals["today"] = lambda: tomorrow
    page = client.get("/countries/kz?day=2").get_data(as_text=True)
    assert "17 May 2031" in page or "May 17, 2031" in page


def test_a_new_version_a_retraction_and_a_new_title_show_at_once(app, client, people):
    reviewer, supervisor = people
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("yes", "First finding."))
    assert "First finding." in client.get("/countries/kz?a=1").get_data(as_text=True)
    second = publish(reviewer, supervisor, "KZ", "age-of-consent", content("no", "Second finding."))
    page = client.get("/countries/kz?a=2").get_data(as_text=True)
    assert "Second finding." in page
    assert "First finding." not in page
    assessments.retract(supervisor, second.id, "Wrong law cited.")
    page = client.get("/countries/kz?a=3").get_data(as_text=True)
    assert "Second finding." not in page
    assert "Wrong law cited." in page


def test_an_edited_or_retired_indicator_shows_at_once(app, client, people, make_user):
    publish(*people, "KZ", "age-of-consent", content("yes", "A finding."))
    for url in ("/countries/kz", "/indicators/age-of-consent"):
        assert "Age of Consent" in client.get(f"{url}?a=1").get_data(as_text=True)
    admin = make_user("admin", name="Ada")
    other_admin = make_user("supervisor", name="Bo")  # of every country
    indicator = db.session.scalar(select(Indicator).where(Indicator.slug == "age-of-consent"))
    revision = framework_revisions.propose(
        admin,
        indicator.id,
        "source",
        framework_revisions.RevisionInput({"title": "Sexual consent age"}),
        submit=True,
    )
    framework_revisions.approve(other_admin, revision.id)
    for url in ("/countries/kz", "/indicators/age-of-consent"):
        page = client.get(f"{url}?a=2").get_data(as_text=True)
        assert "Sexual consent age" in page, url
        assert "Age of Consent" not in page, url
    framework.retire(admin, indicator.id)
    assert "Sexual consent age" not in client.get("/countries/kz?a=3").get_data(as_text=True)
