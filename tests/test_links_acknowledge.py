"""Mark as checked, on the evidence health page: a changed link whose new content someone of its
country looked at becomes working again, that content the baseline later checks compare with;
who and when is in the audit log. Against the tests' own small web (tests/web_stub.py)."""

import re

import pytest
from sqlalchemy import select

from assess.extensions import db
from assess.models import AuditEvent, LinkCheck
from assess.services import links
from assess.services.errors import Conflict

from .publishing import ids, publish
from .test_links import citing
from .web_stub import serving

PAGE = "/staff/countries/kz/evidence"
BUTTON = "Mark as checked"
SEEN = re.compile(r'name="seen" value="([0-9a-f]{64})"')


@pytest.fixture
def web(app):
    app.config.update(LINK_CHECK_TIMEOUT=0.5, LINK_CHECK_HOST_DELAY=0)
    with serving() as served:
        yield served


@pytest.fixture
def people(make_user):
    return make_user("reviewer", ["KZ"], name="Rita"), make_user("supervisor", ["KZ"], name="Sam")


@pytest.fixture
def changed(web, people) -> LinkCheck:
    """A published KZ assessment citing a working law and a law whose text changed since."""
    version = publish(
        *people, "KZ", "age-of-consent", citing(web.url("/ok/law"), web.url("/changing"))
    )
    links.check_version(version.id)
    web.changing = b"<html>The Criminal Code, as amended in 2025.</html>"
    links.check_version(version.id)
    row = db.session.scalar(select(LinkCheck).where(LinkCheck.url == web.url("/changing")))
    assert row.state == "changed" and row.sha256 != row.baseline_sha256
    return row


def _check_url(row: LinkCheck, iso2: str = "kz") -> str:
    return f"/staff/countries/{iso2}/evidence/{row.id}/checked"


def _row(page: str, url: str) -> str:
    """The table row of the page that lists the URL."""
    at = page.index(f'href="{url}"')
    return page[page.rindex("<tr", 0, at) : page.index("</tr>", at)]


def _events() -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == links.ACKNOWLEDGED))
    )


def _state(row: LinkCheck) -> tuple[str, str]:
    db.session.refresh(row)
    return row.state, row.baseline_sha256


@pytest.mark.parametrize("who", ["reviewer", "supervisor", "admin"])
def test_the_country_staff_mark_a_changed_link_as_checked(
    client, auth, web, people, changed, make_user, who
):
    user = {"reviewer": people[0], "supervisor": people[1]}.get(who) or make_user("admin")
    auth.login(user)
    page = client.get(PAGE).get_data(as_text=True)
    assert page.count(BUTTON) == 1  # on the changed row only, not on the working one
    (seen,) = SEEN.findall(page)
    assert seen == changed.sha256  # the content the page showed them
    new_content = changed.sha256
    assert "0 broken, 1 changed" in client.get("/staff/countries/kz").get_data(as_text=True)

    response = client.post_form(_check_url(changed), {"seen": seen, "state": "problems"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{PAGE}?state=problems")

    page = client.get(PAGE).get_data(as_text=True)
    assert "Marked as checked" in page and BUTTON not in page
    assert "Working" in _row(page, web.url("/changing"))
    assert web.url("/changing") not in client.get(f"{PAGE}?state=problems").get_data(as_text=True)
    assert "1 changed" not in client.get("/staff/countries/kz").get_data(as_text=True)
    assert _state(changed) == ("ok", new_content)
    (event,) = _events()
    assert (event.actor_id, event.object_type, event.object_id) == (
        user.id,
        "linkcheck",
        changed.id,
    )
    assert event.country_id == ids("KZ", "age-of-consent")[0]
    assert event.details["url"] == web.url("/changing") and event.details["baseline"] == new_content


def test_the_audit_log_names_the_mark(client, auth, people, changed, make_user):
    links.acknowledge(people[0], ids("KZ", "age-of-consent")[0], changed.id, changed.sha256)
    auth.login(make_user("admin"))
    page = client.get("/staff/audit").get_data(as_text=True)
    assert "<td>Changed link marked as checked</td>" in page


def test_a_reviewer_of_another_country_is_refused(client, auth, changed, make_user):
    auth.login(make_user("reviewer", ["FR"]))
    response = client.post_form(_check_url(changed), {"seen": changed.sha256})
    assert response.status_code == 403
    assert _state(changed)[0] == "changed" and _events() == []
    # Nor through the other country's address: the link is not part of its evidence.
    response = client.post_form(_check_url(changed, "fr"), {"seen": changed.sha256})
    assert response.status_code == 404
    assert _state(changed)[0] == "changed" and _events() == []


def test_a_link_the_country_does_not_cite_is_refused(client, auth, web, changed, make_user):
    auth.login(make_user("reviewer", ["FR"]))
    response = client.post_form(_check_url(changed, "fr"), {"seen": changed.sha256})
    assert "No such link among this country&#39;s evidence." in response.get_data(as_text=True)
    response = client.post_form("/staff/countries/fr/evidence/9999/checked", {"seen": "x"})
    assert response.status_code == 404
    assert "No such link among this country&#39;s evidence." in response.get_data(as_text=True)
    assert _state(changed)[0] == "changed" and _events() == []


def test_a_later_change_of_content_flags_it_again(web, people, changed):
    acknowledged = changed.sha256
    links.acknowledge(people[0], ids("KZ", "age-of-consent")[0], changed.id, acknowledged)
    (again,) = links.check_urls([web.url("/changing")])
    assert (again.state, again.baseline_sha256) == ("ok", acknowledged)  # the same text: fine
    web.changing = b"<html>The Criminal Code, repealed.</html>"
    (again,) = links.check_urls([web.url("/changing")])
    assert again.state == "changed"
    assert again.baseline_sha256 == acknowledged and again.sha256 != acknowledged


def test_a_changed_link_shows_the_button_again_after_a_new_change(
    client, auth, web, people, changed
):
    links.acknowledge(people[0], ids("KZ", "age-of-consent")[0], changed.id, changed.sha256)
    web.changing = b"<html>The Criminal Code, repealed.</html>"
    links.check_urls([web.url("/changing")])
    auth.login(people[0])
    page = client.get(PAGE).get_data(as_text=True)
    assert page.count(BUTTON) == 1 and "Changed" in _row(page, web.url("/changing"))


def test_a_link_no_longer_changed_is_refused_with_a_message(client, auth, people, changed):
    auth.login(people[0])
    form = {"seen": changed.sha256}
    assert client.post_form(_check_url(changed), form).status_code == 303
    response = client.post_form(_check_url(changed), form)  # the second tab, or a double click
    assert response.status_code == 409
    assert "This link is not marked as changed any more." in response.get_data(as_text=True)
    assert len(_events()) == 1


def test_content_that_changed_again_since_the_page_was_shown_is_refused(
    client, auth, web, people, changed
):
    auth.login(people[0])
    (seen,) = SEEN.findall(client.get(PAGE).get_data(as_text=True))
    web.changing = b"<html>Yet another text.</html>"
    links.check_urls([web.url("/changing")])  # a check while the reviewer was reading
    response = client.post_form(_check_url(changed), {"seen": seen})
    assert response.status_code == 409
    assert "changed again since the page was shown" in response.get_data(as_text=True)
    state, baseline = _state(changed)
    assert state == "changed" and baseline not in (seen, changed.sha256) and _events() == []
    with pytest.raises(Conflict):
        links.acknowledge(people[0], ids("KZ", "age-of-consent")[0], changed.id, "")


def test_without_the_csrf_token_nothing_changes(client, auth, people, changed):
    auth.login(people[0])
    response = client.post(_check_url(changed), data={"seen": changed.sha256})
    assert response.status_code == 400
    assert "did not come from this site" in response.get_data(as_text=True)
    assert _state(changed) == ("changed", changed.baseline_sha256) and _events() == []
