"""`assess freeze` writes each language under its own prefix: `/fr/countries/kz` is the French
page, byte for byte what the server answers there, and every page's language links and hreflang
alternates lead to pages of the copy."""

import re

import pytest

from assess.public import freeze

LANGUAGES = ["en", "fr", "es", "ru", "ar"]


def small_site():
    """A few pages, not the 2,500 of every country and indicator: the prefixes are the point."""
    yield "public.index", {}
    yield "public.country", {"iso2": "kz"}
    yield "public.assessment", {"iso2": "kz", "slug": "age-of-consent"}


@pytest.fixture
def frozen(app, demo_data, tmp_path, monkeypatch):
    monkeypatch.setattr(freeze, "public_urls", small_site)
    out = tmp_path / "site"
    app.test_client_class, browser = None, app.test_client_class
    result = app.test_cli_runner().invoke(
        args=["freeze", str(out), "--processes", "1", "--base-url", "https://example.org"]
    )
    app.test_client_class = browser
    assert result.exit_code == 0, result.output
    return out


def _file(out, href: str):
    path = href.removeprefix("https://example.org").split("?")[0]
    return (
        out / path.lstrip("/") / "index.html"
        if "." not in path.rsplit("/", 1)[-1]
        else out / path.lstrip("/")
    )


def test_every_language_has_its_own_tree_in_its_language(frozen):
    for code in LANGUAGES:
        page = (frozen / code / "countries" / "kz" / "index.html").read_text()
        direction = "rtl" if code == "ar" else "ltr"
        assert f'<html lang="{code}" dir="{direction}">' in page
        assert f'href="/{code}/static/css/site.css"' in page
        assert (frozen / code / "static" / "css" / "site.css").is_file()
    assert "كازاخستان" in (frozen / "ar" / "countries" / "kz" / "index.html").read_text()
    assert "Казахстан" in (frozen / "ru" / "countries" / "kz" / "index.html").read_text()
    root = (frozen / "countries" / "kz" / "index.html").read_text()
    assert '<html lang="en" dir="ltr">' in root and 'href="/static/css/site.css"' in root


def test_a_prefixed_page_is_what_the_server_answers_at_that_address(frozen, client):
    # What the server answers when it renders a static copy (no search box, no sign-in).
    client.application.config["FREEZING"] = True
    try:
        for code in ("fr", "ar"):
            for path in ("/", "/countries/kz", "/countries/kz/age-of-consent"):
                written = (frozen / code / path.strip("/") / "index.html").read_bytes()
                answer = client.get(f"/{code}{path}")
                assert answer.status_code == 200 and written == answer.data, (code, path)
    finally:
        client.application.config["FREEZING"] = False


def test_language_links_and_alternates_lead_to_pages_of_the_copy(frozen):
    for page in [frozen / "countries" / "kz" / "index.html"] + [
        frozen / code / "countries" / "kz" / "index.html" for code in LANGUAGES
    ]:
        html = page.read_text()
        switcher = html.split('class="languages"')[1].split("</nav>")[0]
        links = re.findall(r'href="([^"]+)" lang="(\w+)" hreflang="\w+"', switcher)
        assert len(links) == 4, page
        for href, code in links:
            assert href == f"/{code}/countries/kz"
            assert _file(frozen, href).is_file(), href
        pattern = r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">'
        alternates = dict(re.findall(pattern, html))
        assert set(alternates) == {*LANGUAGES, "x-default"}
        assert alternates["x-default"] == "https://example.org/countries/kz"
        assert alternates["ar"] == "https://example.org/ar/countries/kz"
        assert all(_file(frozen, href).is_file() for href in alternates.values())


def test_an_unknown_language_is_refused(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["freeze", str(tmp_path), "--languages", "xx"])
    assert result.exit_code != 0 and "Unknown language xx" in result.output
