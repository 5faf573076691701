"""Language choice: a switcher that works without JavaScript, then Accept-Language, then English."""

import pytest


def test_english_by_default(client):
    page = client.get("/countries/kz").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page


def test_accept_language_is_followed(client):
    page = client.get("/countries/kz", headers={"Accept-Language": "ru,en;q=0.5"})
    assert '<html lang="ru" dir="ltr">' in page.get_data(as_text=True)


def test_the_switcher_remembers_the_choice_and_returns_to_the_page(client):
    response = client.get("/language/fr?next=/countries/kz")
    assert response.status_code == 302
    assert response.headers["Location"] == "/countries/kz"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=fr") and "HttpOnly" in cookie
    page = client.get("/countries/kz", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert '<html lang="fr" dir="ltr">' in page


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example"])
def test_the_switcher_never_redirects_off_site(client, target):
    response = client.get(f"/language/fr?next={target}")
    assert response.headers["Location"] == "/"


def test_an_unknown_language_changes_nothing(client):
    response = client.get("/language/xx?next=/")
    assert "Set-Cookie" not in response.headers


def test_country_names_come_from_pycountry_locales(app):
    from flask_babel import force_locale

    from assess.i18n import country_name

    with app.test_request_context("/"), force_locale("ru"):
        assert country_name("Kazakhstan") == "Казахстан"
    with app.test_request_context("/"), force_locale("fr"):
        assert country_name("Germany") == "Allemagne"


def test_the_locale_outside_a_request_is_the_default(app):
    from flask_babel import get_locale

    assert str(get_locale()) == "en"
