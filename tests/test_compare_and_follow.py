"""Compare countries side by side; the findings explained; Atom feeds to follow."""

import feedparser
import pytest

from assess.services import assessments

from .publishing import content, publish


@pytest.fixture
def people(make_user):
    return (
        make_user("reviewer", ["KZ", "CR", "FR"], name="Rita"),
        make_user("supervisor", ["KZ", "CR", "FR"], name="Sam"),
    )


def text(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def row(html: str, slug: str) -> str:
    return html.split(f'href="/indicators/{slug}"')[1].split("</tr>")[0]


def test_compare_puts_findings_side_by_side_and_marks_differences(client, people):
    reviewer, supervisor = people
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("no"))
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("no", "Same finding, new words."))
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("partial"))
    publish(reviewer, supervisor, "CR", "age-of-consent", content("partial"))
    publish(reviewer, supervisor, "KZ", "csam-definition", content("yes"))
    html = text(client.get("/compare?c=kz&c=cr"))
    assert "Kazakhstan" in html and "Costa Rica" in html
    same = row(html, "age-of-consent")
    assert same.count("Partial") == 2 and "Same" in same and "Differs" not in same
    assert same.count("since ") == 2
    differs = row(html, "csam-definition")
    assert "Differs" in differs and "Yes" in differs and "nothing published" in differs
    assert "Not Yet Assessed" in differs  # missing data is explicit
    assert "The findings differ on 1 indicator of 9." in html
    assert 'href="/countries/kz/age-of-consent"' in html


def test_since_is_the_first_publication_of_an_unbroken_run(client, people, app):
    reviewer, supervisor = people
    first = publish(reviewer, supervisor, "FR", "age-of-consent", content("no"))
    publish(reviewer, supervisor, "FR", "age-of-consent", content("no", "Reworded."))
    from assess.public.compare import rows
    from assess.queries import public as queries

    countries = [queries.country_by_code("FR"), queries.country_by_code("KZ")]
    table = rows(countries, queries.active_indicators())
    cell = table[0].cells[0]
    assert cell.status == "no" and cell.number == 2 and cell.since == first.published_at


def test_compare_needs_two_to_four_known_countries(client):
    assert "Choose at least two countries." in text(client.get("/compare?c=kz"))
    html = text(client.get("/compare?c=kz&c=zz"))
    assert "No country has the code “zz”." in html and "Choose at least two countries." in html
    many = text(client.get("/compare?c=kz&c=cr&c=fr&c=de&c=es"))
    assert "At most 4 countries can be compared" in many
    assert "Spain" not in many.split("<table")[1]


def test_every_profile_links_to_compare_and_its_feed(client):
    html = text(client.get("/countries/kz"))
    assert 'href="/compare?c=kz"' in html
    assert 'rel="alternate" type="application/atom+xml" href="/countries/kz/feed.atom"' in html
    assert 'href="/feed.atom"' in html


def test_the_methodology_explains_every_finding_and_legends_link_there(client):
    html = text(client.get("/methodology"))
    for words in [
        "No Data",
        "no reliable information could be found",
        "Not Yet Assessed",
        "Nobody has assessed",
    ]:
        assert words in html
    assert "The law sets an age of sexual consent of at least 16" in html
    indicator = text(client.get("/indicators/age-of-consent"))
    assert "no reliable information could be found" in indicator
    assert 'href="/methodology#findings"' in indicator
    assert 'href="/methodology#findings"' in text(client.get("/"))


def test_feeds_carry_publications_and_retractions(client, people):
    reviewer, supervisor = people
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("yes", "Clear law."))
    gone = publish(reviewer, supervisor, "CR", "age-of-consent", content("no"))
    assessments.retract(supervisor, gone.id, "Wrong article cited.")
    site = feedparser.parse(client.get("/feed.atom").data)
    assert not site.bozo, site.bozo_exception
    assert site.feed.title == "assess: publications and withdrawals"
    titles = [e.title for e in site.entries]
    assert titles[0] == "Withdrawn: Costa Rica, Age of Consent (version 1)"
    assert "Kazakhstan, Age of Consent: Yes (version 1)" in titles
    assert "Costa Rica, Age of Consent: No (version 1)" in titles
    kz = next(e for e in site.entries if e.title.startswith("Kazakhstan"))
    assert kz.link == "http://localhost/countries/kz/age-of-consent/v/1"
    assert "Clear law." in kz.content[0].value
    country = feedparser.parse(client.get("/countries/kz/feed.atom").data)
    assert not country.bozo
    assert [e.title for e in country.entries] == ["Kazakhstan, Age of Consent: Yes (version 1)"]
    assert client.get("/countries/zz/feed.atom").status_code == 404
    assert client.get("/countries/KZ/feed.atom").status_code == 301


def test_an_empty_feed_is_valid(client):
    parsed = feedparser.parse(client.get("/feed.atom").data)
    assert not parsed.bozo and parsed.entries == []
    assert client.get("/feed.atom").headers["Content-Type"].startswith("application/atom+xml")


def test_a_permalink_carries_citation_meta_tags_and_downloads(client, people, app):
    app.config["ORGANISATION"] = "ECPAT International"
    version = publish(*people, "KZ", "age-of-consent", content("yes"))
    html = text(client.get("/countries/kz/age-of-consent/v/1"))
    day = version.published_at.date()
    assert '<meta name="citation_title" content="Age of Consent: Kazakhstan">' in html
    assert '<meta name="citation_author" content="ECPAT International">' in html
    assert f'<meta name="citation_publication_date" content="{day:%Y/%m/%d}">' in html
    assert (
        '<meta name="citation_public_url" content="http://localhost/countries/kz/age-of-consent/v/1">'
        in html
    )
    assert '<meta name="DC.creator" content="ECPAT International">' in html
    assert (
        f"ECPAT International ({day.year}). “Age of Consent: Kazakhstan”. Version 1, published"
        in html
    )
    assert "(accessed " in html and 'id="copy-citation"' in html
    bib = client.get("/countries/kz/age-of-consent/v/1/cite.bib")
    assert bib.headers["Content-Type"].startswith("text/x-bibtex")
    body = bib.get_data(as_text=True)
    assert body.startswith("@misc{kz-age-of-consent-v1,")
    assert "author = {{ECPAT International}}" in body and f"year = {{{day.year}}}" in body
    ris = client.get("/countries/kz/age-of-consent/v/1/cite.ris").get_data(as_text=True)
    assert ris.startswith("TY  - ELEC\r\n") and "AU  - ECPAT International\r\n" in ris
    assert ris.endswith("ER  - \r\n")
    import json

    csl = json.loads(client.get("/countries/kz/age-of-consent/v/1/cite.json").data)
    assert csl[0]["author"] == [{"literal": "ECPAT International"}]
    assert csl[0]["issued"] == {"date-parts": [[day.year, day.month, day.day]]}
    assert csl[0]["URL"] == "http://localhost/countries/kz/age-of-consent/v/1"
    assert client.get("/countries/kz/age-of-consent/v/9/cite.bib").status_code == 404
    assert client.get("/countries/kz/age-of-consent/v/1/cite.doc").status_code == 404


def test_bibtex_escapes_special_characters(app):
    from datetime import UTC, datetime

    from assess.citations import Record, bibtex

    found = Record(
        "A & B {x}: 100%", "Org_1 #", datetime(2024, 5, 1, tzinfo=UTC), 2, "http://x/", "en", "k"
    )
    out = bibtex(found)
    assert r"title = {A \& B \{x\}: 100\%}" in out and r"author = {{Org\_1 \#}}" in out


def test_sitemap_lists_every_public_page_with_lastmod(client, people):
    version = publish(*people, "KZ", "age-of-consent", content("yes"))
    body = client.get("/sitemap.xml").get_data(as_text=True)
    import xml.etree.ElementTree as ET

    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = {
        u.find("s:loc", ns).text: u.find("s:lastmod", ns)
        for u in ET.fromstring(body).findall("s:url", ns)  # noqa: S314 - our own sitemap
    }
    day = version.published_at.date().isoformat()
    assert urls["http://localhost/countries/kz/age-of-consent/v/1"].text == day
    assert urls["http://localhost/countries/kz"].text == day
    assert urls["http://localhost/countries/cr"] is None  # nothing published: no date
    assert "http://localhost/countries/cr/csam-definition" in urls
    assert (
        "http://localhost/methodology" in urls
        and "http://localhost/indicators/age-of-consent" in urls
    )
    assert len(urls) > 249 * 10


def test_robots_and_head_metadata(client):
    robots = client.get("/robots.txt").get_data(as_text=True)
    assert "Disallow: /staff/" in robots and "Sitemap: http://localhost/sitemap.xml" in robots
    html = text(client.get("/countries/kz"))
    assert '<link rel="canonical" href="http://localhost/countries/kz">' in html
    assert '<link rel="alternate" hreflang="fr" href="http://localhost/fr/countries/kz">' in html
    assert (
        '<link rel="alternate" hreflang="x-default" href="http://localhost/countries/kz">' in html
    )
    assert (
        '<meta name="description" content="Kazakhstan: how its law meets 9 child-protection indicators'
        in html
    )
    assert 'rel="icon" href="/static/favicon.svg"' in html
    assert 'href="/static/css/print.css" media="print"' in html
    assert "Cite this profile" in html
    french = text(client.get("/fr/countries/kz"))
    assert '<html lang="fr" dir="ltr">' in french
    with client.get("/static/favicon.svg") as icon:
        assert icon.status_code == 200 and b"<svg" in icon.data
    compare = text(client.get("/es/compare?c=kz&c=cr"))
    assert '<link rel="canonical" href="http://localhost/compare?c=kz&amp;c=cr">' in compare


def test_the_publishing_organisation_is_configurable(make_app):
    other = make_app(
        SITE_NAME="Child Law Monitor",
        ORGANISATION="ECPAT International",
        ORGANISATION_LOGO="https://ecpat.example/logo.svg",
        ORGANISATION_COLOURS={"brand": "#123456", "brand_dark": "red;}body{x:y"},
        ORGANISATION_PAGES={
            "about": "We are **ECPAT**.",
            "contact": "Write to info@ecpat.example.",
        },
    )
    with other.app_context():
        client = other.test_client()
        html = client.get("/countries/kz").get_data(as_text=True)
        assert "<title>Kazakhstan · Child Law Monitor · ECPAT International</title>" in html
        assert (
            '<img class="brand-logo" src="https://ecpat.example/logo.svg" alt="ECPAT International"'
            in html
        )
        assert 'href="/about"' in html and 'href="/contact"' in html
        assert "We are <strong>ECPAT</strong>." in client.get("/about").get_data(as_text=True)
        css = client.get("/brand.css").get_data(as_text=True)
        assert "--brand: #123456;" in css and "red" not in css
        assert "ECPAT International: publications and withdrawals" in client.get(
            "/feed.atom"
        ).get_data(as_text=True)
        from assess.extensions import db

        db.session.remove()


def test_about_and_contact_are_404_until_configured(client):
    assert client.get("/about").status_code == 404
    assert client.get("/contact").status_code == 404
    assert 'href="/about"' not in client.get("/").get_data(as_text=True)


def test_every_country_is_findable_on_the_map(client):
    """Shapes for the large, marked points for the small (Singapore, Malta, Tuvalu...)."""
    import pycountry

    html = text(client.get("/"))
    for country in pycountry.countries:
        if country.alpha_2 == "AQ":
            continue  # Antarctica is left out of the map on purpose
        assert f'href="/countries/{country.alpha_2.lower()}" aria-label=' in html, country.name
    for name in ("Singapore", "Malta", "Maldives", "Tuvalu", "Saint Lucia"):
        assert f'aria-label="{name}: Not Yet Assessed"><circle class="marker' in html, name


def test_charts_are_drawn_with_their_numbers(client, people):
    reviewer, supervisor = people
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("no"))
    publish(reviewer, supervisor, "KZ", "age-of-consent", content("yes"))
    publish(reviewer, supervisor, "CR", "age-of-consent", content("partial"))
    html = text(client.get("/indicators/age-of-consent"))
    assert 'class="bars" viewBox=' in html and 'role="img"' in html
    assert "Findings by region" in html
    assert "Asia: 1 Yes, " in html and "Americas: 1 Partial, " in html
    month = html.split('id="chart-history-title">')[1].split("</title>")[0]
    assert "1 Yes, 1 Partial" in month  # the latest month counts the current findings
    every = text(client.get("/indicators/"))
    assert "Findings per indicator, all countries" in every
    assert "Age of Consent: 1 Yes, 1 Partial, 247 Not Yet Assessed" in every


def test_over_time_counts_what_was_public_each_month(app, people):
    from datetime import UTC, date, datetime

    from assess import charts
    from assess.extensions import db
    from assess.models import Indicator

    reviewer, supervisor = people
    first = publish(reviewer, supervisor, "KZ", "age-of-consent", content("no"))
    first.published_at = datetime(2026, 9, 15, tzinfo=UTC)
    second = publish(reviewer, supervisor, "KZ", "age-of-consent", content("yes"))
    second.published_at = datetime(2026, 11, 2, tzinfo=UTC)
    db.session.commit()
    indicator = db.session.scalar(db.select(Indicator).where(Indicator.slug == "age-of-consent"))
    bars = charts.over_time(indicator, today=date(2026, 12, 1))
    assert [(b.label, dict(b.counts)) for b in bars] == [
        ("2026-09", {"no": 1}),
        ("2026-10", {"no": 1}),
        ("2026-11", {"yes": 1}),
        ("2026-12", {"yes": 1}),
    ]
