"""Content translations where issue 19.3 left them out: the search finds and shows an indicator by
its reviewed translation in the page's language, and each language's static copy (`assess
freeze`) shows the translated indicator texts and profile content."""

import pytest
from sqlalchemy import select

from assess.extensions import db
from assess.models import Fact, Indicator, Member, Resource
from assess.public import freeze
from assess.services import framework_revisions, organisation_settings, profile_content

from .publishing import FULL, publish

SLUG = "csam-definition"
FRENCH_TITLE = "Définition des contenus pédosexuels (révisée)"
FACT_FR = "Le Kazakhstan a ratifié la Convention relative aux droits de l'enfant en 1994."
MEMBER_FR = "Le centre de crise « Zabota » aide les femmes et les filles depuis 1999."


@pytest.fixture
def people(make_user, demo_data):
    return {
        "translator": make_user("translator", email="t-global@example.org"),
        "kz_translator": make_user("translator", ["KZ"], email="t-kz@example.org"),
        "supervisor": make_user("supervisor", email="t-sup@example.org"),
        "kz_supervisor": make_user("supervisor", ["KZ"], email="t-kz-sup@example.org"),
        "reviewer": make_user("reviewer", ["KZ"], email="t-rev@example.org"),
    }


def _indicator() -> Indicator:
    return db.session.scalar(select(Indicator).where(Indicator.slug == SLUG))


def translate_title(people, title: str = FRENCH_TITLE) -> None:
    revision = framework_revisions.propose(
        people["translator"],
        _indicator().id,
        "fr",
        framework_revisions.RevisionInput({"title": title}),
        submit=True,
    )
    framework_revisions.approve(people["supervisor"], revision.id)


def translate_profile(people) -> tuple[Fact, Member]:
    fact = db.session.scalar(select(Fact).order_by(Fact.position).limit(1))
    member = db.session.scalar(select(Member).order_by(Member.position).limit(1))
    for kind, item, payload in (
        ("fact", fact, {"text": FACT_FR}),
        ("member", member, {"description": MEMBER_FR}),
    ):
        change = profile_content.propose(
            people["kz_translator"], item.country_id, kind, "translate", payload,
            target_id=item.id, submit=True, language="fr",
        )  # fmt: skip
        profile_content.approve(people["kz_supervisor"], change.id)
    return fact, member


def test_french_search_finds_an_indicator_by_its_french_title_and_shows_it(client, people):
    publish(people["reviewer"], people["kz_supervisor"], "KZ", SLUG, FULL)
    translate_title(people)
    page = client.get("/fr/search?q=pédosexuels révisée").get_data(as_text=True)
    indicators = page[page.index('id="found-indicators"') : page.index('id="found-assessments"')]
    assert (
        f'href="/fr/indicators/{SLUG}"' in indicators or f'href="/indicators/{SLUG}"' in indicators
    )
    assert "<mark>pédosexuels</mark>" in indicators
    assessments = page[page.index('id="found-assessments"') :]
    # The assessment under that indicator is found by the translated title too, and shown in it.
    assert f"{FRENCH_TITLE}: Kazakhstan" in assessments.replace("&#39;", "'")
    assert "1 évaluation publiée correspond" in assessments or "(1)" in assessments
    # In English the French words find nothing, and the English title is shown.
    english = client.get("/search?q=csam").get_data(as_text=True)
    assert FRENCH_TITLE not in english


def test_a_title_translated_after_publication_is_found_at_once(client, people):
    publish(people["reviewer"], people["kz_supervisor"], "KZ", SLUG, FULL)
    client.get("/fr/search?q=pédosexuels")
    translate_title(people)
    page = client.get("/fr/search?q=pédosexuels").get_data(as_text=True)
    assessments = page[page.index('id="found-assessments"') :]
    assert f"{FRENCH_TITLE}: Kazakhstan" in assessments
    # A newer translation replaces it in the index: the old words find the assessment no more.
    translate_title(people, "Définition des images d'abus sexuels")
    page = client.get("/fr/search?q=pédosexuels").get_data(as_text=True)
    assert "Kazakhstan</a></h3>" not in page[page.index('id="found-assessments"') :]


def test_french_search_finds_profile_content_by_its_french_translation(client, people):
    translate_profile(people)
    page = client.get("/fr/search?q=ratifié convention").get_data(as_text=True)
    profiles = page[page.index('id="found-profiles"') : page.index('id="found-assessments"')]
    assert 'href="/fr/countries/kz#facts"' in profiles or 'href="/countries/kz#facts"' in profiles
    assert "<mark>ratifié</mark>" in profiles and "(fait)" in profiles
    assert 'lang="en"' not in profiles  # shown in French, marked as the page
    member = client.get("/fr/search?q=Zabota filles").get_data(as_text=True)
    assert "<mark>filles</mark>" in member and "#members" in member
    # In English the translation is not shown, and its French words find nothing.
    english = client.get("/search?q=ratifié").get_data(as_text=True)
    assert 'id="found-profiles"' not in english
    # An original's own words still find it in French, shown untranslated with its language.
    original = db.session.scalar(select(Resource).order_by(Resource.id).limit(1))
    word = original.title.split()[0]
    shown = client.get(f"/fr/search?q={word}").get_data(as_text=True)
    section = shown[shown.index('id="found-profiles"') : shown.index('id="found-assessments"')]
    assert '<span lang="en" dir="ltr">' in section and "#resources" in section


@pytest.fixture
def frozen_french(app, people, tmp_path, monkeypatch, make_user):
    translate_title(people)
    translate_profile(people)
    # The organisation as an admin set it: its logo and about page are part of the copy.
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    organisation_settings.update(
        make_user("admin", email="t-admin@example.org"),
        {"name": "Child Rights Watch", "about": "We watch."},
        logo=organisation_settings.Logo("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20),
    )

    def small_site():
        yield "public.country", {"iso2": "kz"}
        yield "public.indicator", {"slug": SLUG}
        # The about page (once an admin wrote it) and the framework's history, among the
        # research pages.
        wanted = {"public.about", "public.methodology_changes", "public.indicator_revision"}
        yield from (url for url in freeze.research_urls() if url[0] in wanted)

    monkeypatch.setattr(freeze, "public_urls", small_site)
    out = tmp_path / "site"
    app.test_client_class, browser = None, app.test_client_class
    result = app.test_cli_runner().invoke(
        args=["freeze", str(out), "--processes", "1", "--languages", "fr"]
    )
    app.test_client_class = browser
    assert result.exit_code == 0, result.output
    return out


def test_the_frozen_french_profile_shows_translated_content(frozen_french):
    french = (frozen_french / "fr" / "countries" / "kz" / "index.html").read_text()
    assert FACT_FR.replace("'", "&#39;") in french
    assert (
        MEMBER_FR.replace("«", "&laquo;").replace("»", "&raquo;") in french or MEMBER_FR in french
    )
    assert FRENCH_TITLE in french
    english = (frozen_french / "countries" / "kz" / "index.html").read_text()
    assert FRENCH_TITLE not in english and FACT_FR.replace("'", "&#39;") not in english
    indicator = (frozen_french / "fr" / "indicators" / SLUG / "index.html").read_text()
    assert FRENCH_TITLE in indicator
    # The framework's history is in the copy too (the methodology page links to it), translated.
    changes = (frozen_french / "fr" / "methodology" / "changes" / "index.html").read_text()
    assert FRENCH_TITLE in changes
    revision = frozen_french / "fr" / "indicators" / SLUG / "revisions" / "2" / "index.html"
    assert FRENCH_TITLE in revision.read_text()


def test_the_frozen_copy_carries_the_organisation_logo_and_pages(frozen_french):
    import re

    for prefix in ("", "fr/"):
        page = (frozen_french / prefix / "countries" / "kz" / "index.html").read_text()
        assert "· Child Rights Watch</title>" in page
        logo = re.search(r'<img class="brand-logo" src="/([^"]+)"', page).group(1)
        assert (frozen_french / logo).read_bytes().startswith(b"\x89PNG")
        assert "We watch." in (frozen_french / prefix / "about" / "index.html").read_text()
