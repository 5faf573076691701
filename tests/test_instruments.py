"""Instruments with a life: the country's reviewers and supervisors record an adoption, amendments
and a repeal; an amendment dated after a published assessment's "status as of" marks it for
re-review (staff badge, queues, a notice to the reviewers, a public notice) until a new version
is published; the public page shows each instrument's status."""

from datetime import date

import pytest
from sqlalchemy import select

from assess.extensions import db
from assess.models import Assessment, Instrument, InstrumentEvent, Notification
from assess.queries import evidence
from assess.services import instruments
from assess.services.content import CitationInput
from assess.services.errors import PermissionDenied, ValidationError

from .publishing import content, publish


@pytest.fixture
def people(make_user):
    return (
        make_user("reviewer", ["KZ"], name="Rita"),
        make_user("supervisor", ["KZ"], name="Sam"),
        make_user("reviewer", ["KZ"], name="Ruth"),
    )


def _cc(status_as_of=2023):
    return content(
        citations=[CitationInput("Criminal Code", 2014, "Article 122", status_as_of, "", "ru")]
    )


def _code() -> Instrument:
    return db.session.scalar(select(Instrument).where(Instrument.title == "Criminal Code"))


def amend(user, dated, kind="amended", note="Article 122 raised the age to 18."):
    return instruments.record_event(
        user, _code().id, instruments.EventInput(kind, dated, note, "https://adilet.zan.kz/cc2")
    )


def test_an_amendment_after_the_status_date_asks_for_re_review_everywhere(client, auth, people):
    rita, sam, ruth = people
    version = publish(rita, sam, "KZ", "age-of-consent", _cc(2023))
    client.get("/countries/kz/age-of-consent")  # kept for this public revision
    amend(ruth, date(2024, 3, 31))
    assert evidence.outdated_assessments() == {version.assessment_id}
    # The public page says so at once, and gives the instrument's status.
    page = client.get("/countries/kz/age-of-consent").get_data(as_text=True)
    assert (
        "The law cited here (<span>Criminal Code</span>) was amended on March 31, 2024; this "
        "assessment predates it." in page
    )
    assert "in force, as amended on March 31, 2024" in page
    permalink = client.get("/countries/kz/age-of-consent/v/1").get_data(as_text=True)
    assert "this assessment predates it" in permalink
    # The other reviewers and the supervisor are told; not the one who recorded it.
    told = {
        n.user_id: n.message
        for n in db.session.scalars(
            select(Notification).where(Notification.key.like("instrument_%"))
        )
    }
    assert set(told) == {rita.id, sam.id}
    assert "Ruth recorded an amendment of Criminal Code" in told[rita.id]
    assert "needs re-review" in told[rita.id]
    # Staff pages: the country's row, the instruments page and the queues.
    auth.login(rita)
    country = client.get("/staff/countries/kz").get_data(as_text=True)
    assert "Needs re-review" in country
    listed = client.get("/staff/countries/kz/instruments").get_data(as_text=True)
    assert "Article 122 raised the age to 18." in listed and "recorded by Ruth" in listed
    assert "Needs re-review" in listed
    for queue in ("/staff/queue/drafts", "/staff/queue/returned"):
        assert "Published assessments that need re-review" in client.get(queue).get_data(
            as_text=True
        )
    home = client.get("/staff/").get_data(as_text=True)
    assert "Evidence to look at" in home


def test_a_new_version_ends_the_re_review(client, people):
    rita, sam, ruth = people
    publish(rita, sam, "KZ", "age-of-consent", _cc(2023))
    amend(ruth, date(2024, 3, 31))
    publish(rita, sam, "KZ", "age-of-consent", _cc(2024))
    assert evidence.outdated_assessments() == set()
    page = client.get("/countries/kz/age-of-consent").get_data(as_text=True)
    assert "this assessment predates it" not in page
    assert "in force, as amended on March 31, 2024" in page


def test_an_amendment_the_assessment_already_covers_asks_for_nothing(people):
    rita, sam, ruth = people
    publish(rita, sam, "KZ", "age-of-consent", _cc(2023))
    amend(ruth, date(2023, 6, 1))  # within the year of its "status as of"
    assert evidence.outdated_assessments() == set()
    assert (
        db.session.scalar(select(Notification).where(Notification.key.like("instrument_%"))) is None
    )


def test_without_a_status_date_the_publication_date_counts(people):
    rita, sam, ruth = people
    version = publish(rita, sam, "KZ", "age-of-consent", _cc(None))
    amend(ruth, version.published_at.date().replace(year=version.published_at.year - 1))
    assert evidence.outdated_assessments() == set()
    amend(ruth, date(2999, 1, 1))
    assert evidence.outdated_assessments() == {version.assessment_id}


def test_a_repeal_is_shown_and_recorded_once(client, people):
    rita, sam, ruth = people
    publish(rita, sam, "KZ", "age-of-consent", _cc(2023))
    amend(ruth, date(2025, 1, 1), kind="repealed", note="Replaced by the new code.")
    page = client.get("/countries/kz/age-of-consent").get_data(as_text=True)
    assert "repealed on January 1, 2025" in page
    assert "The law cited here (<span>Criminal Code</span>) was repealed on January 1, 2025" in page
    with pytest.raises(ValidationError) as refused:
        amend(ruth, date(2025, 2, 1), kind="repealed")
    assert refused.value.errors["kind"] == ["Its repeal is already recorded."]


def test_only_the_countrys_reviewers_and_supervisors_record(make_user, people):
    rita, sam, _ = people
    publish(rita, sam, "KZ", "age-of-consent", _cc())
    for outsider in (make_user("reviewer", ["FR"]), make_user("admin")):
        with pytest.raises(PermissionDenied):
            amend(outsider, date(2024, 1, 1))
    assert db.session.scalar(select(InstrumentEvent)) is None


def test_recording_through_the_form(client, auth, people):
    rita, sam, ruth = people
    publish(rita, sam, "KZ", "age-of-consent", _cc())
    code = _code()
    auth.login(ruth)
    prefix = f"i{code.id}"
    answer = client.post_form(
        f"/staff/instruments/{code.id}/events",
        {
            f"{prefix}-kind": "amended",
            f"{prefix}-dated": "2024-05-02",
            f"{prefix}-note": "New article",
        },
    )
    assert answer.status_code == 302
    (event,) = db.session.scalars(select(InstrumentEvent))
    assert (event.kind, event.dated, event.note, event.recorded_by_id) == (
        "amended",
        date(2024, 5, 2),
        "New article",
        ruth.id,
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "amended", "dated": ""}, "Give the date, e.g. 2024-03-31."),
        ({"kind": "amended", "dated": "31/03/2024"}, "Give the date, e.g. 2024-03-31."),
        (
            {"kind": "amended", "dated": "2024-03-31", "url": "javascript:alert(1)"},
            "Give a web address starting with https:// or http://.",
        ),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_recorded(
    client, auth, people, fields, message
):
    rita, sam, _ = people
    publish(rita, sam, "KZ", "age-of-consent", _cc())
    code = _code()
    auth.login(rita)
    data = {f"i{code.id}-{name}": value for name, value in fields.items()}
    answer = client.post_form(f"/staff/instruments/{code.id}/events", data)
    assert answer.status_code == 422
    assert message in answer.get_data(as_text=True)
    assert db.session.scalar(select(InstrumentEvent)) is None
    assert db.session.scalar(select(Assessment.id)) is not None
