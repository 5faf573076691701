"""The staff side in the reader's language and time zone: notifications kept as message keys and
rendered when read, e-mail in the recipient's language, times in the user's zone with the zone
shown, content marked with the language it is written in, Arabic plurals and right-to-left
stylesheets."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask_babel import force_locale, ngettext
from sqlalchemy import select

from assess.database import write_transaction
from assess.extensions import db
from assess.models import Indicator, Notification, OutboxEmail, User
from assess.services import notifications, users
from assess.services.errors import ValidationError

from .queue_data import country_id, indicator_ids, submitted

STATIC = Path(__file__).resolve().parent.parent / "static" / "css"


@pytest.fixture
def team(make_user):
    return {
        "reviewer": make_user("reviewer", ["KZ"], name="Aigerim"),
        "supervisor": make_user("supervisor", ["KZ"], name="Dana"),
        "global": make_user("supervisor", [], name="Marc"),
    }


def test_a_notification_is_stored_as_a_key_and_read_in_the_reader_language(client, auth, team):
    submitted(team["reviewer"])
    notice = db.session.scalar(
        select(Notification).where(Notification.user_id == team["supervisor"].id)
    )
    assert notice.key == "review_requested"
    assert notice.params == {
        "actor": "Aigerim",
        "country": "Kazakhstan",
        "indicator": "CSAM Definition",
    }
    auth.login(team["supervisor"])
    client.set_cookie("lang", "ru")
    listing = client.get("/staff/notifications").get_data(as_text=True)
    assert (
        "Aigerim отправил(а) на проверку «Определение материалов сексуального насилия над "
        "детьми (CSAM)» по стране Казахстан." in listing
    )
    assert "Kazakhstan" not in listing and "submitted" not in listing
    client.set_cookie("lang", "ar")
    listing = client.get("/staff/notifications").get_data(as_text=True)
    assert "قدّم Aigerim" in listing and "كازاخستان" in listing


def test_a_notification_written_before_keys_is_shown_as_stored(client, auth, team):
    with write_transaction() as session:
        session.add(Notification(user_id=team["global"].id, message="An old English notice."))
    auth.login(team["global"])
    client.set_cookie("lang", "fr")
    assert "An old English notice." in client.get("/staff/notifications").text


def test_e_mail_is_written_in_each_recipient_language(team):
    users.set_preferences(team["global"], True, language="ar")
    submitted(team["reviewer"])
    mails = {m.recipient: m for m in db.session.scalars(select(OutboxEmail))}
    arabic, english = mails[team["global"].email], mails[team["supervisor"].email]
    assert arabic.subject == "طُلبت مراجعة: كازاخستان، تعريف مواد الاعتداء الجنسي على الأطفال"
    assert "افتحه:" in arabic.body and "/staff/versions/" in arabic.body
    assert english.subject == "Review requested: Kazakhstan, CSAM Definition"
    assert english.body.startswith("Aigerim submitted CSAM Definition for Kazakhstan")


def test_bulk_submissions_are_kept_as_keys_too(team):
    version = submitted(team["reviewer"], position=3)
    kz, indicator = country_id("KZ"), indicator_ids()[3]
    with write_transaction() as session:
        notices = notifications.Submissions(session, team["reviewer"], {kz})
        notices.add([(version.id, kz, indicator)])
    rows = db.session.scalars(
        select(Notification).where(Notification.user_id == team["global"].id)
    ).all()
    assert {row.key for row in rows} == {"review_requested"}
    assert rows[-1].params["country"] == "Kazakhstan"


def test_preferences_keep_a_language_and_a_time_zone_and_refuse_others(client, auth, team):
    user = team["supervisor"]
    auth.login(user)
    page = client.get("/account/").get_data(as_text=True)
    assert '<option value="Asia/Almaty">Asia/Almaty</option>' in page
    assert "Now shown in: UTC" in page
    response = client.post_form(
        "/account/",
        {"email_notifications": "y", "language": "ru", "time_zone": "Asia/Almaty"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert (stored.language, stored.time_zone) == ("ru", "Asia/Almaty")
    refused = client.post_form("/account/", {"language": "xx", "time_zone": "Mars/Olympus"})
    assert refused.status_code == 200
    assert "Not a valid choice" in refused.text or "Choose" in refused.text
    db.session.expire_all()
    assert db.session.get(User, user.id).time_zone == "Asia/Almaty"
    with pytest.raises(ValidationError) as error:
        users.set_preferences(user, True, time_zone="Mars/Olympus")
    assert error.value.errors == {"time_zone": ["Choose a time zone from the list."]}


def _decision_time(client, version_id: int) -> str:
    html = client.get(f"/staff/versions/{version_id}").get_data(as_text=True)
    return re.search(r"Submitted by Aigerim on ([^<]+)</li>", html).group(1)


def test_staff_times_are_in_the_user_zone_with_the_zone_said(client, auth, team):
    version = submitted(team["reviewer"])
    with write_transaction() as session:
        session.get(type(version), version.id).submitted_at = datetime(
            2026, 2, 20, 12, 0, tzinfo=UTC
        )
    auth.login(team["supervisor"])
    assert _decision_time(client, version.id) == "Feb 20, 2026, 12:00:00\u202fPM GMT+00:00"
    client.set_cookie("tz", "Europe/Paris")  # what timezone.js says, until the account says
    assert _decision_time(client, version.id) == "Feb 20, 2026, 1:00:00\u202fPM GMT+01:00"
    users.set_preferences(team["supervisor"], True, time_zone="Asia/Almaty")
    assert _decision_time(client, version.id) == "Feb 20, 2026, 5:00:00\u202fPM GMT+05:00"
    client.set_cookie("lang", "fr")
    html = client.get(f"/staff/versions/{version.id}").get_data(as_text=True)
    assert "20 févr. 2026, 17:00:00 UTC+05:00" in html


def test_a_public_page_is_in_utc_whatever_the_browser_says(client):
    client.set_cookie("tz", "Asia/Almaty")
    assert client.get("/countries/kz").status_code == 200
    from assess.i18n import select_timezone

    with client.application.test_request_context("/", headers={"Cookie": "tz=Asia/Almaty"}):
        assert select_timezone() == "UTC"


def test_content_carries_its_language_on_a_page_in_another(client, demo_data):
    with write_transaction() as session:  # an administrator rewrote one seeded title
        indicator = session.scalar(select(Indicator).where(Indicator.slug == "age-of-consent"))
        indicator.title = "Age of sexual consent"
    english = client.get("/countries/kz").get_data(as_text=True)
    assert '<div class="card">' in english and '<ul class="facts">' in english
    assert "note-original" not in english
    client.set_cookie("lang", "fr")
    french = client.get("/countries/kz").get_data(as_text=True)
    card = re.search(r'<div class="card">\s*<h3><span lang="en" dir="ltr">[^<]*Zabota', french)
    assert card, "the member's name is marked as English"
    assert '<ul class="facts">\n      <li><p><span lang="en" dir="ltr">' in french
    assert "Les textes rédigés par l’équipe sont affichés en français" in french
    assert "(anglais)" in french
    # A seeded title is shown translated, with no mark; the rewritten one is marked English.
    assert '<h3 id="ind-csam-definition">' in french
    assert '<h3 id="ind-age-of-consent" lang="en" dir="ltr">Age of sexual consent</h3>' in french


def test_an_arabic_page_is_right_to_left_and_says_so(client, demo_data):
    client.set_cookie("lang", "ar")
    html = client.get("/countries/kz").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    assert "كازاخستان" in html and "الأعضاء" in html


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (0, "لا بلدان (0)"),
        (1, "بلد واحد (1)"),
        (2, "بلدان اثنان (2)"),
        (5, "5 بلدان"),
        (11, "11 بلدًا"),
        (100, "100 بلد"),
    ],
)
def test_arabic_plurals_follow_cldr(app, number, expected):
    with app.test_request_context("/"), force_locale("ar"):
        assert ngettext("%(num)s country", "%(num)s countries", number) == expected


def test_the_stylesheets_use_logical_properties_only():
    physical = re.compile(
        r"(?<![-\w])(margin|padding|border)-(left|right)\b|(?<![-\w])(left|right)\s*:"
        r"|text-align:\s*(left|right)|float:\s*(left|right)"
    )
    found = {
        sheet.name: physical.findall(re.sub(r"/\*.*?\*/", "", sheet.read_text(), flags=re.S))
        for sheet in STATIC.glob("*.css")
    }
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_the_audit_log_reads_in_the_reader_language(client, auth, team, make_user):
    submitted(team["reviewer"])
    admin = make_user("admin", name="Ada")
    auth.login(admin)
    client.set_cookie("lang", "fr")
    html = client.get("/staff/audit").get_data(as_text=True)
    assert "<td>Brouillon commencé</td>" in html and "<td>Soumis pour examen</td>" in html
    assert "request changes" not in html and "start" not in re.findall(r"<td>([^<]*)</td>", html)
    assert '<option value="submit">Soumis pour examen</option>' in html


def test_audit_labels_cover_generated_codes(app):
    from assess.staff.audit_labels import audit_label

    with app.test_request_context("/"), force_locale("en"):
        assert audit_label("approve_profile_change") == "Profile change: Approved and published"
        assert audit_label("remove_member") == "Removed from the profile: member organisation"
        assert audit_label("some_new_code") == "some new code"


def test_staff_counts_use_the_locale_number_format(app):
    with app.test_request_context("/"), force_locale("fr"):
        template = app.jinja_env.from_string(
            '{{ ngettext("%(num)s event", "%(num)s events", n, num=n|number) }}'
        )
        assert template.render(n=12345) == "12\u202f345 événements"
