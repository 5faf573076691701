def test_staff_home_lists_my_countries_and_open_work(client, auth, make_user, demo_data):
    from sqlalchemy import select

    from assess.extensions import db
    from assess.models import Country, Indicator
    from assess.services import assessments

    reviewer = make_user("reviewer", ["KZ", "UZ"], name="Lawyer")
    kz = db.session.scalar(select(Country).where(Country.iso2 == "KZ"))
    csam = db.session.scalar(select(Indicator).where(Indicator.slug == "csam-definition"))
    assessments.start_draft(reviewer, kz.id, csam.id)
    auth.login(reviewer)
    page = client.get("/staff/").get_data(as_text=True)
    assert "Kazakhstan" in page and "Uzbekistan" in page
    assert "France" not in page
    assert "CSAM Definition" in page
    assert "draft" in page


def test_staff_home_of_another_country_does_not_show_kazakh_work(client, auth, make_user):
    from sqlalchemy import select

    from assess.extensions import db
    from assess.models import Country, Indicator
    from assess.services import assessments

    kz_reviewer = make_user("reviewer", ["KZ"])
    kz = db.session.scalar(select(Country).where(Country.iso2 == "KZ"))
    csam = db.session.scalar(select(Indicator).where(Indicator.slug == "csam-definition"))
    assessments.start_draft(kz_reviewer, kz.id, csam.id)
    auth.login(make_user("reviewer", ["FR"]))
    page = client.get("/staff/").get_data(as_text=True)
    assert "France" in page
    assert "CSAM Definition" not in page
    assert "Nothing is open." in page


def test_staff_pages_need_login(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")
